/*
 * The system-call fuzzer (user/sfuzz) in the guest: two instances at once, each making
 * random system calls with arguments drawn from its own pool of capabilities, numbers
 * and pointers. The kernel survives them, and once they are gone every object,
 * capability, thread, mapping, frame and heap byte they caused is back. sfuzz.calls=N
 * and sfuzz.seed=N on the command line change the run (make fuzz runs it longer).
 *
 * As init hands a driver its hardware, this test hands both fuzzers start capabilities
 * for what a process cannot make itself, chosen so that nothing the fuzzing does with
 * them reaches a device:
 *   irq     ISA IRQ 5: nothing raises it in QEMU's q35 (the firmware routes PCI INTx
 *           to 10 and 11, and the I/O APIC's 16-23; no ISA card sits on 5);
 *   ioport  COM4's eight ports, 0x2e8: no UART there in any boot of the matrix (one
 *           -serial at most, COM1), not the PIC, PIT, CMOS, PS/2, PCI configuration or
 *           isa-debug-exit ports (the kernel refuses its own reservations anyway);
 *   ro      the initramfs, read-only RAM, with every right: no mapping of it may be
 *           writable whatever the capability says — its checksum must not change;
 *   device  two pages of physical address space from device_hole (objects.h): at
 *           0xa0000000, above the RAM of these boots (512 MiB at most below 4 GiB) and
 *           below q35's PCIe configuration window at 0xb0000000, where neither SeaBIOS
 *           nor OVMF puts anything.
 */
#include <ktest.h>
#include "settle.h"
#include "uprog.h"
#include "sysenv.h"
#include "objects.h"
#include "../fnv1a.h"
#include <cmdline.h>
#include <bootinfo.h>
#include <initramfs.h>
#include <ioport.h>
#include <irq.h>
#include <kformat.h>
#include <memobj.h>
#include <time.h>
#include <log.h>
#include <sched.h>

#define SFUZZ_IRQ       5
#define SFUZZ_PORTS     0x2e8
#define SFUZZ_NPORTS    8
#define SFUZZ_DEV_PAGES 2

static uint64_t strtou64(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

extern const char uprog_sfuzz_start[], uprog_sfuzz_end[];

/* The objects both fuzzers get (one of each, shared: they race on them); what could
 * not be made is left out, said why. */
static unsigned make_hardware(struct uprog_cap *caps)
{
	struct irq_line *l;
	struct ioport_range *r;
	struct memobj *dev;
	unsigned n = 0;
	kerr_t e;

	if ((e = irq_line_create_isa(NULL, SFUZZ_IRQ, &l)) == E_OK)
		caps[n++] = (struct uprog_cap){ "irq", &l->obj, CAP_R_ALL };
	else
		ktest_fail_at(__FILE__, __LINE__, "IRQ %u: %s", SFUZZ_IRQ, kerr_name(e));
	if ((e = ioport_create(NULL, SFUZZ_PORTS, SFUZZ_NPORTS, &r)) == E_OK)
		caps[n++] = (struct uprog_cap){ "ioport", &r->obj, CAP_R_ALL };
	else
		ktest_fail_at(__FILE__, __LINE__, "ports %#x: %s", SFUZZ_PORTS, kerr_name(e));
	if (initramfs_memobj()) {
		kobj_get(&initramfs_memobj()->obj);
		caps[n++] = (struct uprog_cap){ "ro", &initramfs_memobj()->obj, CAP_R_ALL };
	}
	/* Only where nothing decodes: the other candidates are real devices (the
	 * framebuffer, PCI configuration), which random writes must not reach. */
	paddr_t hole = device_hole();
	e = hole.raw == DEVICE_HOLE_QUIET ?
		memobj_create_device(NULL, hole, SFUZZ_DEV_PAGES * PAGE_SIZE, &dev) :
		E_NOT_FOUND;
	if (e == E_OK)
		caps[n++] = (struct uprog_cap){ "device", &dev->obj, CAP_R_ALL };
	else
		pr_info("sfuzz: no device object at %#llx (%s)", (unsigned long long)hole.raw,
			kerr_name(e));
	return n;
}

static uint64_t initramfs_sum(void)
{
	size_t size = 0;
	const void *a = initramfs_archive(&size);

	return a ? fnv1a64(a, size) : 0;
}

KTEST(sfuzz, random_syscalls_from_two_processes_leave_nothing)
{
	static struct uprog u[2];
	static struct uprog_cap hw[4];
	char calls[24] = "20000", seed[24] = "1", seed2[24], ports[32], cpu0[16], cpu1[16];
	static const struct quota none;                 /* the fuzzers' quotas: their own */
	struct counts before = counts_of(&none);
	uint64_t ro_sum = initramfs_sum();

	cmdline_get(boot_info.cmdline, "sfuzz.calls", calls, sizeof(calls));
	cmdline_get(boot_info.cmdline, "sfuzz.seed", seed, sizeof(seed));
	ksnprintf(seed2, sizeof(seed2), "%s7", seed);
	ksnprintf(ports, sizeof(ports), "ports=%u:%u", SFUZZ_PORTS, SFUZZ_NPORTS);
	/* sfuzz.plant: also use the planted bug's arguments (the sfuzz-planted boot). */
	const char *plant = cmdline_has(boot_info.cmdline, "sfuzz.plant") ? "plant" : "-";
	/* Each on a CPU of its own where there are several, off the one this test sleeps
	 * on (sfuzz says why it keeps its threads together): its first thread pinned
	 * here, the others by itself. */
	unsigned cpus[2] = { 1 % sched_cpu_count(), 2 % sched_cpu_count() };
	ksnprintf(cpu0, sizeof(cpu0), "cpu=%u", cpus[0]);
	ksnprintf(cpu1, sizeof(cpu1), "cpu=%u", cpus[1]);
	const char *argv0[] = { "sfuzz", calls, seed, ports, cpu0, plant };
	const char *argv1[] = { "sfuzz", calls, seed2, ports, cpu1, plant };
	size_t size = (size_t)(uprog_sfuzz_end - uprog_sfuzz_start);
	unsigned nhw = make_hardware(hw);

	for (unsigned i = 0; i < 2; i++) {
		u[i].extra = hw;
		u[i].nextra = nhw;
		u[i].affinity = 1ull << cpus[i];
	}
	uint64_t t0 = clock_ns();
	KT_ASSERT_EQ(uprog_start(&u[0], "sfuzz", uprog_sfuzz_start, size, argv0, 6, 256,
				 8ull << 20), E_OK);
	KT_ASSERT_EQ(uprog_start(&u[1], "sfuzz", uprog_sfuzz_start, size, argv1, 6, 256,
				 8ull << 20), E_OK);
	/* Each ran to its end (bit 0) and says how many calls it made (the rest). */
	uint64_t r0 = uprog_finish(&u[0]), r1 = uprog_finish(&u[1]);
	uint64_t ms = (clock_ns() - t0) / 1000000 + 1, made = (r0 >> 1) + (r1 >> 1);
	KT_EXPECT_EQ(r0 & 1, 1);
	KT_EXPECT_EQ(r1 & 1, 1);
	KT_EXPECT_EQ(r0 >> 1, strtou64(calls));
	KT_EXPECT_EQ(r1 >> 1, strtou64(calls));
	kprintf("# sfuzz: %llu + %llu calls made in %llu ms: about %llu calls a second\n",
		(unsigned long long)(r0 >> 1), (unsigned long long)(r1 >> 1),
		(unsigned long long)ms, (unsigned long long)(made * 1000 / ms));
	for (unsigned i = 0; i < nhw; i++)
		kobj_put(hw[i].obj);
	settle_threads(before.threads);
	KT_EXPECT_EQ(initramfs_sum(), ro_sum);
	KT_EXPECT_EQ(u[0].q.used, 0);
	KT_EXPECT_EQ(u[1].q.used, 0);
	/* Threads, processes, objects, capabilities, mappings, frames, and the heap too:
	 * the fuzzers' kernel objects, capability slots, mappings' records and threads are
	 * all heap blocks, and nothing of theirs may be kept. */
	expect_counts(before, counts_of(&none), "the fuzzers");
}
