/*
 * Per-CPU GDT and TSS (arch/trap.h for the selectors). The TSS holds RSP0, the stack the
 * CPU switches to on a trap from user mode (set per thread by the scheduler), and three
 * IST stacks — double fault, NMI, machine check — each a kernel stack with an unmapped
 * guard page below it, so those handlers run on a known-good stack even when the
 * interrupted one is exhausted.
 */
#include <arch/trap.h>
#include <arch/cpu.h>
#include <arch/smp.h>
#include <kstack.h>
#include <panic.h>

#define IST_STACK_SIZE (16 * 1024)

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

_Static_assert(sizeof(struct tss) == 104, "the hardware TSS layout");

struct cpu_desc {
	uint64_t gdt[7];        /* null, kcode, kdata, udata, ucode, TSS (two slots) */
	struct tss tss;
} __aligned(16);

static struct cpu_desc cpu_desc[MAX_CPUS];

struct __packed gdt_ptr {
	uint16_t limit;
	uint64_t base;
};

/* Descriptor bits: P, DPL, S (code/data), type; L for 64-bit code. */
#define DESC_KCODE 0x00209a0000000000ull        /* P, DPL0, code exec/read, L */
#define DESC_KDATA 0x0000920000000000ull        /* P, DPL0, data read/write */
#define DESC_UDATA 0x0000f20000000000ull        /* P, DPL3, data read/write */
#define DESC_UCODE 0x0020fa0000000000ull        /* P, DPL3, code exec/read, L */

void gdt_init_cpu(unsigned cpu)
{
	struct cpu_desc *d = &cpu_desc[cpu];
	uint64_t base = (uint64_t)(uintptr_t)&d->tss;
	uint64_t limit = sizeof(d->tss) - 1;

	d->gdt[0] = 0;
	d->gdt[1] = DESC_KCODE;
	d->gdt[2] = DESC_KDATA;
	d->gdt[3] = DESC_UDATA;
	d->gdt[4] = DESC_UCODE;
	/* A 64-bit TSS descriptor takes two slots: type 0x9 (available), P. */
	d->gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	d->gdt[6] = base >> 32;

	d->tss.iomap_base = sizeof(d->tss);     /* no I/O permission bitmap */
	cpu_locals[cpu].tss_rsp0 = (char *)&d->tss + offsetof(struct tss, rsp);
	for (int i = IST_DOUBLE_FAULT; i <= IST_MCE; i++) {
		void *top = kstack_alloc(IST_STACK_SIZE);
		if (!top)
			panic("gdt: no memory for CPU %u's IST stacks", cpu);
		d->tss.ist[i - 1] = (uint64_t)(uintptr_t)top;
	}

	struct gdt_ptr p = { sizeof(d->gdt) - 1, (uint64_t)(uintptr_t)d->gdt };
	__asm__ volatile(
		"lgdt %0\n\t"
		/* Reload CS with a far return, then the data segments. */
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movw %w2, %%ax\n\t"
		"movw %%ax, %%ds\n\t"
		"movw %%ax, %%es\n\t"
		"movw %%ax, %%ss\n\t"
		"ltr %w3\n\t"
		:: "m"(p), "i"(SEL_KCODE), "r"(SEL_KDATA), "r"(SEL_TSS) : "rax", "memory");
}

uint64_t tss_ist_top(unsigned cpu, int ist)
{
	return cpu_desc[cpu].tss.ist[ist - 1];
}
