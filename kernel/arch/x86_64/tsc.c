/*
 * The TSC as the kernel's clock (time.h). Calibrated once at boot, against CPUID leaf
 * 0x15 (crystal clock and TSC ratio) where the CPU reports both, otherwise against
 * channel 2 of the 8254 PIT, whose 1.193182 MHz input is fixed on every PC.
 * Conversion to nanoseconds is a 64x64->128-bit multiply and a shift.
 */
#include <time.h>
#include <arch/tsc.h>
#include <arch/cpu.h>

#define PIT_HZ          1193182ull
#define PIT_CH2         0x42
#define PIT_CMD         0x43
#define PIT_GATE        0x61    /* bit 0: channel 2 gate, bit 1: speaker, bit 5: OUT2 */

static uint64_t boot_tsc;
static uint64_t freq_hz;
static uint64_t ns_mult;        /* ns = (ticks * ns_mult) >> 32 */

void tsc_mark_boot(void)
{
	boot_tsc = cpu_rdtsc();
}

static uint64_t calibrate_cpuid(void)
{
	if (cpu_cpuid_max() < 0x15)
		return 0;
	struct cpuid_regs r = cpu_cpuid(0x15, 0);
	/* eax: denominator, ebx: numerator, ecx: crystal Hz (0 = not reported). */
	if (!r.eax || !r.ebx || !r.ecx)
		return 0;
	return (uint64_t)r.ecx * r.ebx / r.eax;
}

/* Count TSC ticks over 10 ms of PIT channel 2 in one-shot mode. */
static uint64_t calibrate_pit(void)
{
	const uint16_t count = (uint16_t)(PIT_HZ / 100);
	uint8_t gate = inb(PIT_GATE);

	outb(PIT_GATE, (uint8_t)((gate & ~0x02) | 0x01));  /* gate on, speaker off */
	outb(PIT_CMD, 0xb0);            /* channel 2, lobyte/hibyte, mode 0, binary */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	/* Restart the count by toggling the gate, then time until OUT2 goes high. */
	gate = inb(PIT_GATE);
	outb(PIT_GATE, gate & ~0x01);
	outb(PIT_GATE, gate | 0x01);
	uint64_t start = cpu_rdtsc();
	uint64_t spins = 0;
	while (!(inb(PIT_GATE) & 0x20)) {
		if (++spins > 100000000)        /* no PIT: give up rather than hang */
			return 0;
	}
	uint64_t ticks = cpu_rdtsc() - start;
	outb(PIT_GATE, gate & ~0x01);
	return ticks * 100;
}

uint64_t tsc_calibrate(void)
{
	uint64_t hz = calibrate_cpuid();

	if (!hz)
		hz = calibrate_pit();
	if (!hz)
		hz = 1000000000;        /* no reference: assume 1 GHz so time still advances */
	freq_hz = hz;
	/* (10^9 << 32) / hz fits in 64 bits for any hz >= 1 Hz, since 10^9 < 2^30. */
	__atomic_store_n(&ns_mult, (1000000000ull << 32) / hz, __ATOMIC_RELEASE);
	return hz;
}

uint64_t tsc_hz(void)
{
	return freq_hz;
}

uint64_t clock_ns(void)
{
	uint64_t mult = __atomic_load_n(&ns_mult, __ATOMIC_ACQUIRE);

	if (!mult)
		return 0;
	uint64_t ticks = cpu_rdtsc() - boot_tsc;
	return (uint64_t)(((unsigned __int128)ticks * mult) >> 32);
}

void delay_us(uint64_t us)
{
	uint64_t end = clock_ns() + us * 1000;

	if (!ns_mult)
		return;
	while (clock_ns() < end)
		cpu_pause();
}
