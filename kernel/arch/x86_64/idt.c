/*
 * The IDT: every vector goes to its entry point in trap_entry.S. Interrupt gates (interrupts off on
 * entry), DPL 0, so user code cannot raise any vector with INT n; double fault, NMI and
 * machine check run on their IST stacks (gdt.c).
 */
#include <arch/trap.h>
#include <arch/cpu.h>

struct __packed idt_entry {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;           /* P | DPL | 0xe (64-bit interrupt gate) */
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};

_Static_assert(sizeof(struct idt_entry) == 16, "the hardware gate layout");

extern const uint64_t trap_entries[256];

static struct idt_entry idt[256] __aligned(16);

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = trap_entries[v];
		idt[v] = (struct idt_entry){
			.offset_lo = (uint16_t)a,
			.selector = SEL_KCODE,
			.ist = 0,
			.type = 0x8e,
			.offset_mid = (uint16_t)(a >> 16),
			.offset_hi = (uint32_t)(a >> 32),
		};
	}
	idt[8].ist = IST_DOUBLE_FAULT;
	idt[2].ist = IST_NMI;
	idt[18].ist = IST_MCE;
	idt_load();
}

void idt_load(void)
{
	struct __packed { uint16_t limit; uint64_t base; } p = {
		sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	__asm__ volatile("lidt %0" :: "m"(p) : "memory");
}
