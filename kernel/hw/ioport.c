/*
 * I/O-port-range objects and the kernel's port reservations (ioport.h). The port
 * instructions themselves are arch/cpu.h's wrappers.
 */
#include <ioport.h>
#include <heap.h>
#include <klib.h>
#include <qemu.h>
#include <spinlock.h>
#include <uart.h>
#include <arch/cpu.h>

#define IOPORT_RESERVED_MAX 16

struct reservation {
	uint32_t base, count;           /* count 0: a free entry */
	const char *name;
};

/*
 * The ports the kernel drives. A driver added to the kernel that touches ports adds
 * them here (or reserves them at its start), so no range handed to a process reaches
 * them. A leaf lock: nothing is taken under it.
 */
static struct spinlock reserved_lock = SPINLOCK_INIT("ioport_reserved");
static struct reservation reserved[IOPORT_RESERVED_MAX] = {     /* [ioport_reserved] */
	{ 0x20, 2, "8259 PIC (master), pic.c" },
	{ 0xa0, 2, "8259 PIC (slave), pic.c" },
	{ 0x40, 4, "8254 PIT, TSC calibration" },
	{ 0x61, 1, "PIT channel 2 gate, TSC calibration" },
	{ 0x80, 1, "POST port, io_wait delays" },
	{ DEBUGCON_PORT, 1, "QEMU debugcon console" },
	{ DEBUG_EXIT_PORT, 4, "QEMU isa-debug-exit" },
	{ COM1_PORT, 8, "COM1, the kernel console" },
};

/* Both ioport_create and ioport_reserve accept exactly these. */
static kerr_t range_valid(uint32_t base, uint32_t count)
{
	if (count == 0)
		return E_INVAL;
	if (base >= IOPORT_SPACE || count > IOPORT_SPACE - base)
		return E_RANGE;
	return E_OK;
}

/* reserved_lock held. */
static bool overlaps_reservation(uint32_t base, uint32_t count)
{
	for (unsigned i = 0; i < IOPORT_RESERVED_MAX; i++) {
		const struct reservation *r = &reserved[i];
		if (r->count && base < r->base + r->count && r->base < base + count)
			return true;
	}
	return false;
}

kerr_t ioport_reserve(uint32_t base, uint32_t count, const char *name)
{
	kerr_t e = range_valid(base, count);

	if (e != E_OK)
		return e;
	irqflags_t f = spin_lock_irqsave(&reserved_lock);
	e = overlaps_reservation(base, count) ? E_EXISTS : E_NO_MEMORY;
	for (unsigned i = 0; i < IOPORT_RESERVED_MAX && e == E_NO_MEMORY; i++)
		if (!reserved[i].count) {
			reserved[i] = (struct reservation){ base, count, name };
			e = E_OK;
		}
	spin_unlock_irqrestore(&reserved_lock, f);
	return e;
}

kerr_t ioport_unreserve(uint32_t base, uint32_t count)
{
	kerr_t e = E_NOT_FOUND;
	irqflags_t f = spin_lock_irqsave(&reserved_lock);

	for (unsigned i = 0; i < IOPORT_RESERVED_MAX && e != E_OK; i++)
		if (reserved[i].count && reserved[i].base == base && reserved[i].count == count) {
			reserved[i] = (struct reservation){ 0 };
			e = E_OK;
		}
	spin_unlock_irqrestore(&reserved_lock, f);
	return e;
}

/* ---- objects ---- */

static void destroy(struct kobj *o)
{
	kfree(container_of(o, struct ioport_range, obj));
}

static const struct kobj_ops ioport_ops = { .destroy = destroy };

void ioport_init(void)
{
	kobj_register_type(OBJ_IOPORT, &ioport_ops);
}

kerr_t ioport_create(struct quota *q, uint32_t base, uint32_t count,
		     struct ioport_range **out)
{
	kerr_t e = range_valid(base, count);

	if (e != E_OK)
		return e;
	/* Checked at creation only: a reservation made later (the kernel's own drivers
	 * reserve at boot, before any range exists) does not take ports back. */
	irqflags_t f = spin_lock_irqsave(&reserved_lock);
	bool taken = overlaps_reservation(base, count);
	spin_unlock_irqrestore(&reserved_lock, f);
	if (taken)
		return E_EXISTS;
	struct ioport_range *r = kobj_alloc(q, sizeof(*r), OBJ_IOPORT);

	if (!r)
		return E_NO_MEMORY;
	r->base = base;
	r->count = count;
	*out = r;
	return E_OK;
}

/* ---- operations through capabilities ---- */

kerr_t ioport_check(struct cspace *cs, uint32_t slot, uint32_t port, unsigned width)
{
	struct cap c;
	kerr_t e = cap_lookup(cs, slot, OBJ_IOPORT, CAP_R_CONTROL, &c);

	if (e != E_OK)
		return e;
	/* The range never changes, so the reference is not needed past the check: an
	 * access made after it is ordered before any revocation that follows. */
	const struct ioport_range *r = container_of(c.obj, struct ioport_range, obj);
	if (width != 1 && width != 2 && width != 4)
		e = E_INVAL;
	else if (port < r->base || width > r->count || port - r->base > r->count - width)
		e = E_RANGE;
	kobj_put(c.obj);
	return e;
}

kerr_t ioport_in(struct cspace *cs, uint32_t slot, uint32_t port, unsigned width,
		 uint32_t *val)
{
	kerr_t e = ioport_check(cs, slot, port, width);

	if (e != E_OK)
		return e;
	/* ioport_check put port + width - 1 at or below 0xffff. */
	uint16_t p = (uint16_t)port;
	*val = width == 1 ? inb(p) : width == 2 ? inw(p) : inl(p);
	return E_OK;
}

kerr_t ioport_out(struct cspace *cs, uint32_t slot, uint32_t port, unsigned width,
		  uint32_t val)
{
	kerr_t e = ioport_check(cs, slot, port, width);

	if (e != E_OK)
		return e;
	uint16_t p = (uint16_t)port;
	if (width == 1)
		outb(p, (uint8_t)val);
	else if (width == 2)
		outw(p, (uint16_t)val);
	else
		outl(p, val);
	return E_OK;
}
