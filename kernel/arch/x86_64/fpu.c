/*
 * FPU state management (arch/fpu.h). Areas come from the heap, 64-byte aligned as XSAVE
 * requires. The initial state of a new area is the architectural reset state: XSAVE's
 * header is zero (every component in its init state) with MXCSR and the x87 control
 * word set to their defaults, which XRSTOR loads as-is.
 */
#include <arch/fpu.h>
#include <arch/cpu.h>
#include <arch/smp.h>
#include <heap.h>
#include <klib.h>
#include <log.h>
#include <panic.h>

#define XCR0_X87        (1ull << 0)
#define XCR0_SSE        (1ull << 1)
#define XCR0_AVX        (1ull << 2)

static bool use_xsave;          /* [I] */
static uint64_t xcr0;           /* [I] components saved and restored */
static size_t area_size;        /* [I] */
static bool ts_set[MAX_CPUS];       /* [this CPU] mirrors CR0.TS, to skip needless writes */

static inline void xsetbv(uint32_t idx, uint64_t v)
{
	__asm__ volatile("xsetbv" :: "c"(idx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static void enable_on_this_cpu(void)
{
	uint64_t cr0 = cpu_read_cr0();

	/* MP: WAIT honours TS. EM off: no x87 emulation. NE: native x87 error reporting. */
	cr0 = (cr0 | CR0_MP | (1ull << 5)) & ~CR0_EM;
	cpu_write_cr0(cr0 | CR0_TS);
	uint64_t cr4 = cpu_read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (use_xsave)
		cr4 |= CR4_OSXSAVE;
	cpu_write_cr4(cr4);
	if (use_xsave)
		xsetbv(0, xcr0);
}

void fpu_init(void)
{
	struct cpuid_regs r1 = cpu_cpuid(1, 0);

	if (!(r1.edx & (1u << 25)) || !(r1.edx & (1u << 24)))
		panic("fpu: this CPU lacks SSE or FXSAVE, which x86_64 guarantees");
	use_xsave = (r1.ecx & (1u << 26)) && cpu_cpuid_max() >= 0xd;
	if (use_xsave) {
		struct cpuid_regs d = cpu_cpuid(0xd, 0);
		uint64_t supported = d.eax | ((uint64_t)d.edx << 32);
		xcr0 = XCR0_X87 | XCR0_SSE;
		if ((supported & XCR0_AVX) && (r1.ecx & (1u << 28)))
			xcr0 |= XCR0_AVX;
	}
	enable_on_this_cpu();
	if (use_xsave) {
		/* EBX: the size XSAVE needs for the components now enabled in XCR0. */
		area_size = cpu_cpuid(0xd, 0).ebx;
	} else {
		area_size = 512;
	}
	if (area_size > FPU_AREA_MAX)
		panic("fpu: XSAVE wants %zu bytes for x87, SSE and AVX; %u expected",
		      area_size, FPU_AREA_MAX);
	ts_set[0] = true;
}

void fpu_init_ap(void)
{
	enable_on_this_cpu();
	ts_set[arch_cpu_id()] = true;
}

size_t fpu_area_size(void)
{
	return area_size;
}

bool fpu_uses_xsave(void)
{
	return use_xsave;
}

uint64_t fpu_xcr0(void)
{
	return xcr0;
}

void *fpu_area_alloc(void)
{
	uint8_t *a = kmalloc_aligned(area_size, 64);

	if (!a)
		return NULL;
	memset(a, 0, area_size);
	/* Legacy region: x87 control word 0x37f (all exceptions masked, extended
	 * precision), MXCSR 0x1f80 (all SSE exceptions masked, round to nearest). */
	a[0] = 0x7f;
	a[1] = 0x03;
	a[24] = 0x80;
	a[25] = 0x1f;
	if (use_xsave) {
		/* XSTATE_BV: x87 and SSE come from the area (so the control words above
		 * apply); AVX and the rest start in their init state (zeroed registers). */
		a[512] = (uint8_t)(XCR0_X87 | XCR0_SSE);
	}
	return a;
}

void fpu_area_free(void *area)
{
	kfree(area);
}

void fpu_save(void *area)
{
	if (use_xsave)
		__asm__ volatile("xsave64 (%0)" :: "r"(area), "a"((uint32_t)xcr0),
				 "d"((uint32_t)(xcr0 >> 32)) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" :: "r"(area) : "memory");
}

void fpu_restore(const void *area)
{
	if (use_xsave)
		__asm__ volatile("xrstor64 (%0)" :: "r"(area), "a"((uint32_t)xcr0),
				 "d"((uint32_t)(xcr0 >> 32)) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" :: "r"(area) : "memory");
}

void fpu_trap_on_use(bool trap)
{
	unsigned cpu = arch_cpu_id();

	if (ts_set[cpu] == trap)
		return;
	ts_set[cpu] = trap;
	if (trap)
		cpu_write_cr0(cpu_read_cr0() | CR0_TS);
	else
		__asm__ volatile("clts" ::: "memory");
}
