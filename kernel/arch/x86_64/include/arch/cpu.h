/*
 * Every privileged x86_64 instruction the kernel uses, as a static inline wrapper (xv6
 * x86.h, seL4 machine.h). Nothing else in the kernel writes inline assembly for these.
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <types.h>

/* Control register bits. */
#define CR0_PE          (1ull << 0)
#define CR0_MP          (1ull << 1)
#define CR0_EM          (1ull << 2)
#define CR0_TS          (1ull << 3)
#define CR0_WP          (1ull << 16)
#define CR0_PG          (1ull << 31)
#define CR4_PAE         (1ull << 5)
#define CR4_PGE         (1ull << 7)
#define CR4_OSFXSR      (1ull << 9)
#define CR4_OSXMMEXCPT  (1ull << 10)
#define CR4_FSGSBASE    (1ull << 16)
#define CR4_PCIDE       (1ull << 17)
#define CR4_OSXSAVE     (1ull << 18)
#define CR4_SMEP        (1ull << 20)
#define CR4_SMAP        (1ull << 21)

#define RFLAGS_IF       (1ull << 9)

/* Model-specific registers. */
#define MSR_EFER            0xc0000080
#define EFER_SCE            (1ull << 0)
#define EFER_LME            (1ull << 8)
#define EFER_NXE            (1ull << 11)
#define MSR_STAR            0xc0000081
#define MSR_LSTAR           0xc0000082
#define MSR_FMASK           0xc0000084
#define MSR_FS_BASE         0xc0000100
#define MSR_GS_BASE         0xc0000101
#define MSR_KERNEL_GS_BASE  0xc0000102
#define MSR_APIC_BASE       0x0000001b
#define MSR_PAT             0x00000277
#define MSR_TSC_DEADLINE    0x000006e0

static inline void cpu_hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void cpu_pause(void) { __asm__ volatile("pause" ::: "memory"); }

#ifdef MNOS_HOST_TEST
/* Host unit tests run kernel code (spinlocks, allocators) in a Linux process, where
 * cli/sti would fault: interrupt masking is a no-op there. */
static inline void irq_disable(void) { }
static inline void irq_enable(void) { }
static inline uint64_t cpu_read_rflags(void) { return 0; }
#else
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }

static inline uint64_t cpu_read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f) :: "memory");
	return f;
}
#endif

/* Saved interrupt state for the IRQ-safe lock helpers. */
typedef uint64_t irqflags_t;

static inline irqflags_t irq_save(void)
{
	irqflags_t f = cpu_read_rflags();
	irq_disable();
	return f;
}

static inline void irq_restore(irqflags_t f)
{
	if (f & RFLAGS_IF)
		irq_enable();
}

static inline bool irq_enabled(void) { return cpu_read_rflags() & RFLAGS_IF; }

#define DEFINE_CR_ACCESSORS(n)                                              \
	static inline uint64_t cpu_read_cr##n(void)                         \
	{                                                                   \
		uint64_t v;                                                 \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v) :: "memory"); \
		return v;                                                   \
	}                                                                   \
	static inline void cpu_write_cr##n##_raw(uint64_t v)                \
	{                                                                   \
		__asm__ volatile("mov %0, %%cr" #n :: "r"(v) : "memory");   \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline void cpu_write_cr0(uint64_t v) { cpu_write_cr0_raw(v); }
static inline void cpu_write_cr2(uint64_t v) { cpu_write_cr2_raw(v); }
static inline void cpu_write_cr3(uint64_t v) { cpu_write_cr3_raw(v); }

/*
 * CR4 pinning (syscall.c): once SMEP and SMAP are on, a write of CR4 that would clear
 * one of them on a CPU that has it sets it again, and the attempt is logged and counted
 * — a stray or malicious write cannot quietly turn the protections off.
 */
extern uint64_t cr4_pinned;                     /* [a] bits that stay set */
void cr4_pin_violation(uint64_t attempted);
static inline void cpu_write_cr4(uint64_t v)
{
	uint64_t pinned = __atomic_load_n(&cr4_pinned, __ATOMIC_RELAXED);

	if (__builtin_expect((cpu_read_cr4() & pinned & ~v) != 0, 0)) {
		cr4_pin_violation(v);
		v |= pinned;
	}
	cpu_write_cr4_raw(v);
}

static inline void cpu_invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" :: "r"(va) : "memory");
}

static inline uint64_t cpu_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t cpu_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

struct cpuid_regs { uint32_t eax, ebx, ecx, edx; };

static inline struct cpuid_regs cpu_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint32_t cpu_cpuid_max(void) { return cpu_cpuid(0, 0).eax; }
static inline uint32_t cpu_cpuid_ext_max(void) { return cpu_cpuid(0x80000000, 0).eax; }

/* Port I/O. */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port) : "memory");
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port) : "memory");
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port) : "memory");
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

/* A write to an unused port takes about a microsecond: the classic delay between
 * accesses to slow legacy devices (8259, PIT). */
static inline void io_wait(void) { outb(0x80, 0); }

static inline __noreturn void cpu_halt_forever(void)
{
	for (;;) {
		irq_disable();
		cpu_hlt();
	}
}

#endif
