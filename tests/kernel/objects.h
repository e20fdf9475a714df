/*
 * For in-guest tests: kernel objects with a first capability (all rights) in a given
 * slot, a physical range for device objects, and the CMOS RTC reached through an
 * I/O-port capability, as a ring-3 driver will reach it.
 */
#ifndef TESTS_OBJECTS_H
#define TESTS_OBJECTS_H

#include <cap.h>
#include <ioport.h>
#include <notify.h>
#include <vmm.h>
#include <memobj.h>

/* Give o a first capability in slot and drop the creator's reference. */
static inline bool give_cap(struct cspace *cs, uint32_t slot, struct kobj *o)
{
	kerr_t e = cap_insert_root(cs, slot, o, CAP_R_ALL, 0);

	kobj_put(o);
	return e == E_OK;
}

static inline bool make_notification(struct cspace *cs, uint32_t slot, struct quota *q)
{
	struct notification *n;

	return notification_create(q, &n) == E_OK && give_cap(cs, slot, &n->obj);
}

static inline bool make_ioport(struct cspace *cs, uint32_t slot, struct quota *q,
			       uint32_t base, uint32_t count)
{
	struct ioport_range *r;

	return ioport_create(q, base, count, &r) == E_OK && give_cap(cs, slot, &r->obj);
}

/* A physical range of 16 pages for device objects: in the PCI hole below 4 GiB, checked
 * not to be RAM on this machine; PADDR_NULL if none is. First a range nothing decodes
 * in QEMU's q35 (between these boots' RAM and the PCIe window), so that a test — the
 * fuzzer — may write there; then the framebuffer's BAR under SeaBIOS and under OVMF
 * (docs/CAPABILITIES.md), and the MMCONFIG window, for machines with RAM there. */
#define DEVICE_HOLE_QUIET 0xa0000000ull  /* the range nothing decodes */

static inline paddr_t device_hole(void)
{
	static const uint64_t candidates[] = { DEVICE_HOLE_QUIET, 0xfd000000ull,
					       0xe0000000ull, 0xc0000000ull };

	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++)
		if (!vmm_overlaps_direct_map(pa(candidates[i]), 16 * PAGE_SIZE))
			return pa(candidates[i]);
	return PADDR_NULL;
}

/* Pages of the demand-zero object mo that have taken their frame. */
static inline uint64_t memobj_frames_taken(const struct memobj *mo)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < mo->npages; i++)
		n += __atomic_load_n(&mo->frames[i].raw, __ATOMIC_ACQUIRE) != 0;
	return n;
}

/* The RTC's index and data ports, and the registers the tests use. */
#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define RTC_A 0x0a              /* rate select (bits 0-3), divider (4-6) */
#define RTC_B 0x0b
#define RTC_C 0x0c              /* flags; reading clears them and lowers IRQ 8 */
#define RTC_B_PIE 0x40          /* periodic interrupt enable */
#define RTC_B_IRQS 0x70         /* periodic, alarm and update-ended enables */

/* Through the I/O-port capability in slot (covering CMOS_INDEX and CMOS_DATA). */
static inline uint8_t cmos_read(struct cspace *cs, uint32_t slot, uint8_t reg)
{
	uint32_t v = 0xff;

	ioport_out(cs, slot, CMOS_INDEX, 1, reg);       /* bit 7 clear: NMIs stay on */
	ioport_in(cs, slot, CMOS_DATA, 1, &v);
	return (uint8_t)v;
}

static inline void cmos_write(struct cspace *cs, uint32_t slot, uint8_t reg, uint8_t v)
{
	ioport_out(cs, slot, CMOS_INDEX, 1, reg);
	ioport_out(cs, slot, CMOS_DATA, 1, v);
}

#endif
