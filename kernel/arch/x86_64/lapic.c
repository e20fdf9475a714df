/*
 * Local APIC driver (arch/lapic.h). Register offsets from the Intel SDM vol. 3A ch. 11.
 * Registers are 32-bit, 16-byte aligned, and must be accessed as whole dwords through
 * an uncached mapping: hence the volatile accessors.
 *
 * The timer runs in one-shot mode with divide-by-16. Its rate is measured once against
 * the TSC (itself calibrated against the PIT, or CPUID 0x15). A deadline beyond the
 * counter's reach is armed in steps: on each expiry before the deadline the handler
 * simply arms the rest.
 */
#include <arch/lapic.h>
#include <arch/cpu.h>
#include <arch/smp.h>
#include <arch/trap.h>
#include <arch/tsc.h>
#include <vmm.h>
#include <time.h>
#include <log.h>
#include <panic.h>

enum {
	LAPIC_ID = 0x020,
	LAPIC_VERSION = 0x030,
	LAPIC_TPR = 0x080,
	LAPIC_EOI = 0x0b0,
	LAPIC_SVR = 0x0f0,
	LAPIC_ESR = 0x280,
	LAPIC_ICR_LO = 0x300,
	LAPIC_ICR_HI = 0x310,
	LAPIC_LVT_TIMER = 0x320,
	LAPIC_LVT_LINT0 = 0x350,
	LAPIC_LVT_LINT1 = 0x360,
	LAPIC_LVT_ERROR = 0x370,
	LAPIC_TIMER_INIT = 0x380,
	LAPIC_TIMER_CUR = 0x390,
	LAPIC_TIMER_DIV = 0x3e0,
};

#define SVR_ENABLE      (1u << 8)
#define LVT_MASKED      (1u << 16)
#define TIMER_DIV_16    0x3
#define APIC_BASE_ENABLE (1ull << 11)

static volatile uint32_t *regs;         /* [I] after lapic_init */
static uint64_t timer_hz;               /* [I] ticks per second at divide 16 */
static uint64_t ticks_per_ns_32;        /* [I] timer_hz / 1e9, as a 32.32 fixed point */
static uint64_t errors;                 /* [a] */
static lapic_timer_fn timer_handler;    /* [I] set once at boot */
static uint64_t deadlines[MAX_CPUS];    /* [this CPU, IRQs off] 0 = none armed */
static uint32_t lint_nmi[2];            /* [I] LINT0/1 LVT values for NMI, 0 = masked */

static inline uint32_t rd(unsigned reg)
{
	return regs[reg / 4];
}

static inline void wr(unsigned reg, uint32_t v)
{
	regs[reg / 4] = v;
}

void lapic_eoi(void)
{
	if (regs)
		wr(LAPIC_EOI, 0);
}

uint32_t lapic_id(void)
{
	return rd(LAPIC_ID) >> 24;
}

uint64_t lapic_timer_hz(void)
{
	return timer_hz;
}

uint64_t lapic_error_count(void)
{
	return __atomic_load_n(&errors, __ATOMIC_RELAXED);
}

static void error_irq(struct trap_frame *f, void *arg)
{
	/* ESR latches on a write; the value read afterwards describes the errors. */
	wr(LAPIC_ESR, 0);
	uint32_t esr = rd(LAPIC_ESR);
	__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
	pr_err("lapic: APIC error on CPU %u: ESR %#x", arch_cpu_id(), esr);
}

/* Program the counter for up to the deadline (or as far as 32 bits reach). */
static void program(uint64_t deadline_ns)
{
	uint64_t now = clock_ns();
	uint64_t ns = deadline_ns > now ? deadline_ns - now : 0;
	/* ticks = ns * hz / 1e9, as a multiply and a shift (no 128-bit division). */
	unsigned __int128 t = ((unsigned __int128)ns * ticks_per_ns_32) >> 32;
	uint64_t ticks = t > 0xffffffffu ? 0xffffffffu : (uint64_t)t;

	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffffu)
		ticks = 0xffffffffu;
	wr(LAPIC_LVT_TIMER, VEC_LAPIC_TIMER);           /* one-shot, unmasked */
	wr(LAPIC_TIMER_INIT, (uint32_t)ticks);
}

static void timer_irq(struct trap_frame *f, void *arg)
{
	unsigned cpu = arch_cpu_id();
	uint64_t d = deadlines[cpu];

	if (!d)
		return;                 /* cancelled while in flight */
	if (clock_ns() < d) {
		program(d);             /* a long deadline: the next step */
		return;
	}
	deadlines[cpu] = 0;
	if (timer_handler)
		timer_handler();
}

void lapic_timer_arm(uint64_t deadline_ns)
{
	irqflags_t f = irq_save();

	deadlines[arch_cpu_id()] = deadline_ns ? deadline_ns : 1;
	program(deadline_ns);
	irq_restore(f);
}

void lapic_timer_cancel(void)
{
	irqflags_t f = irq_save();

	deadlines[arch_cpu_id()] = 0;
	wr(LAPIC_TIMER_INIT, 0);                        /* stops a one-shot count */
	irq_restore(f);
}

lapic_timer_fn lapic_timer_set_handler(lapic_timer_fn fn)
{
	return __atomic_exchange_n(&timer_handler, fn, __ATOMIC_SEQ_CST);
}

/* Count timer ticks over 10 ms of TSC time, with the timer free-running from the top. */
static uint64_t calibrate(void)
{
	uint64_t tsc_per_10ms = tsc_hz() / 100;

	wr(LAPIC_TIMER_DIV, TIMER_DIV_16);
	wr(LAPIC_LVT_TIMER, LVT_MASKED | VEC_LAPIC_TIMER);
	wr(LAPIC_TIMER_INIT, 0xffffffffu);
	uint64_t t0 = cpu_rdtsc();
	while (cpu_rdtsc() - t0 < tsc_per_10ms)
		cpu_pause();
	uint32_t left = rd(LAPIC_TIMER_CUR);
	wr(LAPIC_TIMER_INIT, 0);
	return (uint64_t)(0xffffffffu - left) * 100;
}

static void enable_local(void)
{
	wr(LAPIC_TPR, 0);
	wr(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	wr(LAPIC_LVT_ERROR, VEC_LAPIC_ERROR);
	/* LINT0/1 carry the 8259's ExtINT and NMI on old systems: masked until the MADT
	 * says which is NMI (ioapic.c programs that). */
	wr(LAPIC_LVT_LINT0, lint_nmi[0] ? lint_nmi[0] : LVT_MASKED);
	wr(LAPIC_LVT_LINT1, lint_nmi[1] ? lint_nmi[1] : LVT_MASKED);
	wr(LAPIC_TIMER_DIV, TIMER_DIV_16);
	wr(LAPIC_LVT_TIMER, LVT_MASKED | VEC_LAPIC_TIMER);
	wr(LAPIC_ESR, 0);
	wr(LAPIC_ESR, 0);                               /* clear stale errors */
	lapic_eoi();                                    /* in case one was pending */
}

void lapic_init(uint64_t phys)
{
	uint64_t msr = cpu_rdmsr(MSR_APIC_BASE);

	if (!phys)
		phys = msr & 0x000ffffffffff000ull;
	if (!(msr & APIC_BASE_ENABLE))
		cpu_wrmsr(MSR_APIC_BASE, msr | APIC_BASE_ENABLE);
	regs = vmm_map_phys(pa(phys), PAGE_SIZE, VM_WRITE | VM_UC);
	if (!regs)
		panic("lapic: cannot map the local APIC at %#llx", (unsigned long long)phys);
	if (!irq_set_handler(VEC_LAPIC_TIMER, timer_irq, NULL) ||
	    !irq_set_handler(VEC_LAPIC_ERROR, error_irq, NULL))
		panic("lapic: vectors taken");
	enable_local();
	timer_hz = calibrate();
	if (timer_hz == 0 || timer_hz >= (1ull << 32))
		panic("lapic: implausible timer rate %llu Hz", (unsigned long long)timer_hz);
	ticks_per_ns_32 = (timer_hz << 32) / 1000000000u;
}

/* The MADT says local input lint carries NMI: unmask it with NMI delivery. On CPUs
 * started later, enable_local() programs the same from the saved setting. */

void lapic_set_nmi_lint(unsigned lint, bool active_low, bool level)
{
	if (lint > 1)
		return;
	lint_nmi[lint] = (4u << 8) | (active_low ? 1u << 13 : 0) | (level ? 1u << 15 : 0);
	wr(lint ? LAPIC_LVT_LINT1 : LAPIC_LVT_LINT0, lint_nmi[lint]);
}

void lapic_init_ap(void)
{
	uint64_t msr = cpu_rdmsr(MSR_APIC_BASE);

	if (!(msr & APIC_BASE_ENABLE))
		cpu_wrmsr(MSR_APIC_BASE, msr | APIC_BASE_ENABLE);
	enable_local();
}

/* ---- IPIs ---- */

#define ICR_PENDING     (1u << 12)
#define ICR_ASSERT      (1u << 14)
#define ICR_LEVEL       (1u << 15)
#define ICR_NMI         (4u << 8)
#define ICR_INIT        (5u << 8)
#define ICR_STARTUP     (6u << 8)

static void icr_send(uint32_t apic_id, uint32_t lo)
{
	irqflags_t f = irq_save();

	wr(LAPIC_ICR_HI, apic_id << 24);
	wr(LAPIC_ICR_LO, lo);
	for (int i = 0; i < 1000000 && (rd(LAPIC_ICR_LO) & ICR_PENDING); i++)
		cpu_pause();
	irq_restore(f);
}

void lapic_send_ipi(uint32_t apic_id, unsigned vector)
{
	icr_send(apic_id, vector | ICR_ASSERT);
}

void lapic_send_nmi(uint32_t apic_id)
{
	icr_send(apic_id, ICR_NMI | ICR_ASSERT);
}

void lapic_send_init(uint32_t apic_id)
{
	icr_send(apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
}

void lapic_send_startup(uint32_t apic_id, unsigned page)
{
	icr_send(apic_id, ICR_STARTUP | ICR_ASSERT | (page & 0xff));
}
