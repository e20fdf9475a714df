/*
 * kmain(): the boot phases of DESIGN.md §4, entered from boot.S in the higher half with
 * the boot page tables still in use. Each phase logs one line with when it ended and how
 * long it took. docs/BOOT.md describes the whole path from GRUB to here.
 *
 *   1 early consoles (serial, debugcon) and the panic path; TSC calibration; banner
 *   2 boot information from Multiboot2; command line; framebuffer console
 *   3 memory: physical allocator, the kernel's own page tables (W^X), heap
 *   4 CPU and interrupts: GDT/TSS with IST stacks, IDT, ACPI, local APIC and timer,
 *     I/O APIC
 *   5 SMP and scheduler: FPU state, per-CPU run queues, the other CPUs started
 *   6 first user process                  -- init issue
 */
#include <types.h>
#include <bootinfo.h>
#include <cmdline.h>
#include <consoles.h>
#include <klib.h>
#include <kformat.h>
#include <ktest.h>
#include <kbench.h>
#include <log.h>
#include <panic.h>
#include <qemu.h>
#include <time.h>
#include <pmm.h>
#include <heap.h>
#include <initramfs.h>
#include <sched.h>
#include <notify.h>
#include <endpoint.h>
#include <taskcap.h>
#include <ioport.h>
#include <irq.h>
#include <memobj.h>
#include <serial_in.h>
#include <vmm.h>
#include <arch/cpu.h>
#include <arch/trap.h>
#include <arch/syscall.h>
#include <initproc.h>
#include <stackprot.h>
#include <arch/lapic.h>
#include <arch/platform.h>
#include <arch/smp.h>
#include <arch/fpu.h>
#include <arch/tsc.h>
#include <arch/hypervisor.h>
#include <spinlock.h>

void kmain(uint32_t magic, uint64_t info_phys);

struct boot_info boot_info;

static void phase_done(int n, const char *name, uint64_t start_ns, const char *fmt, ...)
	__printf(4, 5);

static void phase_done(int n, const char *name, uint64_t start_ns, const char *fmt, ...)
{
	char detail[256];
	va_list ap;
	uint64_t us = (clock_ns() - start_ns) / 1000;

	va_start(ap, fmt);
	kvsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	pr_info("boot: phase %d (%s) done in %llu.%03llu ms: %s", n, name,
		(unsigned long long)(us / 1000), (unsigned long long)(us % 1000), detail);
}

static void log_boot_error(const char *msg)
{
	pr_err("boot info: %s", msg);
}

/* Phase 2: copy the loader's information into boot_info and act on the command line. */
static void phase_boot_info(uint32_t magic, uint64_t info_phys)
{
	/* The boot page tables map the first 4 GiB, which is where GRUB puts the block. */
	const uint64_t mapped_top = 0x100000000ull;
	const void *info = NULL;
	size_t avail = 0;

	if (info_phys && info_phys % 8 == 0 && info_phys < mapped_top - 8) {
		info = phys_to_virt(pa(info_phys));
		avail = (size_t)MIN((uint64_t)MB2_INFO_MAX_SIZE, mapped_top - info_phys);
	}
	mb2_parse(magic, info, avail, &boot_info);
	if (info) {
		uint32_t total = *(const uint32_t *)info;
		boot_info.info_start = pa(info_phys);
		boot_info.info_end = pa(info_phys + MIN((uint64_t)total, (uint64_t)avail));
	}
	boot_info_describe_errors(boot_info.errors, log_boot_error);

	char val[16];
	if (cmdline_get(boot_info.cmdline, "loglevel", val, sizeof(val)) &&
	    val[0] >= '0' && val[0] <= '3' && !val[1])
		log_set_level((enum log_level)(val[0] - '0'));
	ktest_mode = cmdline_has(boot_info.cmdline, "ktest") ||
		     cmdline_has(boot_info.cmdline, "kbench");

	consoles_init_fb(&boot_info.fb);
}

/* Phase 3: physical memory, then the kernel's page tables, then the heap. */
static void phase_memory(void)
{
	pmm_init(&boot_info);
	vmm_init();
	void *fb = consoles_fb_map();
	vmm_switch_to_kernel_tables();
	consoles_fb_moved(fb);
	heap_init(KVA_HEAP_SLAB_BASE, KVA_REGION_SIZE, KVA_HEAP_LARGE_BASE, KVA_REGION_SIZE);
}

/* Phase 5: the boot code becomes a thread, the scheduler starts, the other CPUs come up
 * and enter their idle loops. */
static unsigned phase_smp(void)
{
	uint32_t ids[MAX_CPUS];
	unsigned n = platform_cpu_apic_ids(ids, MAX_CPUS);
	unsigned limit = MAX_CPUS;
	char val[8];

	if (cmdline_get(boot_info.cmdline, "maxcpus", val, sizeof(val)) && val[0] >= '1' &&
	    val[0] <= '9')
		limit = (unsigned)(val[0] - '0');
	fpu_init();
	vmm_init_shootdown();
	pmm_init_ipis();
	smp_init_ipis();
	sched_init();
	notify_init();
	endpoint_init();
	taskcap_init();
	irq_line_init();
	ioport_init();
	memobj_init();
	return smp_start_aps(ids, MIN(n, limit));
}

static uint64_t usable_bytes(const struct boot_info *bi)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < bi->mem_count; i++)
		if (bi->mem[i].type == BOOT_MEM_USABLE)
			sum += bi->mem[i].length;
	return sum;
}

__attribute__((no_stack_protector)) void kmain(uint32_t magic, uint64_t info_phys)
{
	/* The stack protector's guard before any protected function has run. */
	bool guard_hw = stackprot_init();
	/* Per-CPU data next: locks and the panic path ask which CPU they are on. */
	percpu_init(0);
	tsc_mark_boot();
	/* Before any lock is waited for: how spinning works here. */
	hypervisor_detect();

	/* Phase 1. Nothing may be printed before the banner, so consoles come up silently
	 * and report afterwards. */
	struct early_consoles con = consoles_init_early();
	uint64_t hz = tsc_calibrate();
	kprintf("MinimalOS %s (%s) x86_64 capability microkernel\n", MNOS_VERSION, MNOS_GIT_REV);
	if (!con.serial)
		pr_warn("serial: no 16550 UART at COM1 (port %#x); serial console off", 0x3f8);
	phase_done(1, "consoles", 0, "serial %s, debugcon %s, TSC %llu.%03llu MHz, "
		   "stack guard from %s, hypervisor %s (locks %s)",
		   con.serial ? "COM1 115200 8N1" : "absent", con.debugcon ? "on" : "absent",
		   (unsigned long long)(hz / 1000000), (unsigned long long)(hz / 1000 % 1000),
		   guard_hw ? "RDRAND" : "the TSC", hypervisor_name(),
		   spin_fifo ? "FIFO" : "first come");

	/* Phase 2. */
	uint64_t t = clock_ns();
	phase_boot_info(magic, info_phys);
	phase_done(2, "boot info", t,
		   "%s, %zu memory regions (%llu MiB usable), %zu modules, loader '%s', cmdline '%s'",
		   boot_info.firmware == BOOT_FW_UEFI ? "UEFI" : "BIOS", boot_info.mem_count,
		   (unsigned long long)(usable_bytes(&boot_info) >> 20), boot_info.module_count,
		   boot_info.loader, boot_info.cmdline);

	/* Phase 3. */
	t = clock_ns();
	phase_memory();
	struct pmm_stats ps = pmm_get_stats();
	uint64_t checked, wx = vmm_audit_wx(&kernel_as, &checked);
	phase_done(3, "memory", t,
		   "%llu MiB free of %llu MiB managed (%llu KiB reserved), %llu page-table pages, "
		   "W^X audit: %llu of %llu mappings writable+executable",
		   (unsigned long long)(ps.free >> 8), (unsigned long long)(ps.total >> 8),
		   (unsigned long long)(ps.reserved * 4), (unsigned long long)kernel_as.table_pages,
		   (unsigned long long)wx, (unsigned long long)checked);
	if (wx)
		pr_err("vmm: W^X violated by %llu kernel mappings", (unsigned long long)wx);

	/* Phase 4. */
	t = clock_ns();
	gdt_init_cpu(0);
	syscall_init_cpu();
	idt_init();
	char summary[200];
	platform_init_interrupts(summary, sizeof(summary));
	if (!serial_in_init())
		pr_warn("serial: input is not interrupt-driven");
	phase_done(4, "interrupts", t, "%s", summary);

	/* Phase 5. */
	t = clock_ns();
	unsigned cpus = phase_smp();
	phase_done(5, "smp and scheduler", t, "%u CPU%s online; FPU state %zu bytes (%s)",
		   cpus, cpus == 1 ? "" : "s", fpu_area_size(),
		   fpu_uses_xsave() ? "XSAVE" : "FXSAVE");

	/* The initramfs: checked, and a memory object made over it for init. */
	initramfs_init(&boot_info);
	syscall_init_options();

	char sel[BOOT_CMDLINE_MAX];
	if (cmdline_get(boot_info.cmdline, "ktest", sel, sizeof(sel))) {
		unsigned failed = ktest_run(sel[0] ? sel : "all");
		qemu_exit(failed ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
		pr_info("ktest: done; no isa-debug-exit device, halting");
		cpu_halt_forever();
	}
	if (cmdline_get(boot_info.cmdline, "kbench", sel, sizeof(sel))) {
		unsigned failed = kbench_run(sel[0] ? sel : "all");
		qemu_exit(failed ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
		cpu_halt_forever();
	}

	if (init_start() != E_OK)
		pr_warn("boot: no init; the kernel has nothing more to run");
	for (;;)
		sched_sleep_ns(1000000000ull * 3600);
}
