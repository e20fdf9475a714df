/*
 * The panic path (panic.h). It must work in the worst state: interrupts go off first,
 * the console lock is bypassed, and a panic inside a panic only says so on the serial
 * port and stops.
 */
#include <panic.h>
#include <backtrace.h>
#include <ksyms.h>
#include <log.h>
#include <console.h>
#include <qemu.h>
#include <uart.h>
#include <klib.h>
#include <spinlock.h>
#include <arch/cpu.h>
#include <arch/regs.h>
#include <arch/smp.h>

bool ktest_mode;
static int panicking;

/* Consecutive identical frames (deep recursion) are printed once, with a count. */
struct bt_state {
	uint64_t last;
	uint64_t repeats;
};

static void print_one(uint64_t ret)
{
	uint64_t off = 0;
	/* ret points after the call; ret - 1 is inside the calling function even when the
	 * call was its last instruction. */
	const char *name = ksym_lookup(ret - 1, &off);

	if (name)
		kprintf("  [<%016llx>] %s+0x%llx\n", (unsigned long long)ret, name,
			(unsigned long long)(off + 1));
	else
		kprintf("  [<%016llx>] ?\n", (unsigned long long)ret);
}

static void flush_repeats(struct bt_state *st)
{
	if (st->repeats)
		kprintf("  ... the same frame %llu more times\n", (unsigned long long)st->repeats);
	st->repeats = 0;
}

static void print_frame(void *ctx, uint64_t ret)
{
	struct bt_state *st = ctx;

	if (st && ret == st->last) {
		st->repeats++;
		return;
	}
	if (st) {
		flush_repeats(st);
		st->last = ret;
	}
	print_one(ret);
}

void backtrace_print(uint64_t rbp)
{
	uint64_t lo, hi;

	kprintf("Backtrace:\n");
	if (!arch_stack_bounds(rbp, &lo, &hi)) {
		kprintf("  (frame pointer %016llx is on no known stack)\n",
			(unsigned long long)rbp);
		return;
	}
	struct bt_state st = { 0, 0 };
	if (backtrace_walk(rbp, lo, hi, BACKTRACE_MAX_DEPTH, print_frame, &st) == 0)
		kprintf("  (no frames)\n");
	flush_repeats(&st);
}

static __noreturn void vpanic(struct regs_snapshot *regs, bool show_rip, const char *fmt,
			      va_list ap)
{
	irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL)) {
		static const char msg[] = "\n*** nested panic: halting\n";
		uart_write(COM1_PORT, msg, sizeof(msg) - 1);
		if (ktest_mode)
			qemu_exit(QEMU_EXIT_PANIC);
		cpu_halt_forever();
	}
	console_panic_mode();
	smp_stop_others();

	kprintf("\n*** KERNEL PANIC on CPU %u: ", arch_cpu_id());
	kvprintf(fmt, ap);
	kprintf("\n");
	regs_print(regs);
	if (show_rip) {
		/* The faulting instruction itself, then its callers. */
		kprintf("Backtrace:\n");
		print_one(regs->rip + 1);
		uint64_t lo, hi;
		struct bt_state st = { 0, 0 };
		if (arch_stack_bounds(regs->rbp, &lo, &hi)) {
			backtrace_walk(regs->rbp, lo, hi, 256, print_frame, &st);
			flush_repeats(&st);
		} else
			kprintf("  (frame pointer %016llx is on no known stack)\n",
				(unsigned long long)regs->rbp);
	} else {
		backtrace_print(regs->rbp);
	}
	if (ktest_mode) {
		kprintf("*** test mode: ending QEMU\n");
		qemu_exit(QEMU_EXIT_PANIC);
	}
	kprintf("*** system halted\n");
	cpu_halt_forever();
}

__noreturn void panic(const char *fmt, ...)
{
	struct regs_snapshot regs;
	va_list ap;

	regs_capture(&regs);
	/* Start the backtrace at panic's own frame: its first entry is our caller. */
	regs.rbp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
	va_start(ap, fmt);
	vpanic(&regs, false, fmt, ap);
}

__noreturn void panic_regs(struct regs_snapshot *regs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(regs, true, fmt, ap);
}

void spin_lock_recursion_panic(struct spinlock *l)
{
	panic("recursive lock: CPU %u already holds spinlock '%s'", arch_cpu_id(), l->name);
}

void spin_not_held_panic(struct spinlock *l, const char *file, int line)
{
	panic("spinlock '%s' not held by CPU %u at %s:%d", l->name, arch_cpu_id(), file, line);
}
