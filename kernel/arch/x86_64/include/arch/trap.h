/*
 * The trap frame and interrupt plumbing. trap_entry.S saves every general register into a
 * struct trap_frame on the current stack and calls trap_dispatch(); the layout below is
 * what trap_entry.S pushes, checked by _Static_assert.
 */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include <types.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error;         /* the CPU's error code, or 0 */
	uint64_t rip, cs, rflags, rsp, ss;      /* pushed by the CPU */
};

_Static_assert(offsetof(struct trap_frame, rax) == 14 * 8, "trap_entry.S pushes 15 registers");
_Static_assert(offsetof(struct trap_frame, vector) == 15 * 8, "trap_entry.S: vector");
_Static_assert(offsetof(struct trap_frame, rip) == 17 * 8, "trap_entry.S: CPU frame");
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "keeps the stack 16-byte aligned");

/* Segment selectors (gdt.c). The order is what SYSRET needs: user data at STAR+8,
 * user code at STAR+16. */
#define SEL_KCODE       0x08
#define SEL_KDATA       0x10
#define SEL_UDATA       (0x18 | 3)
#define SEL_UCODE       (0x20 | 3)
#define SEL_TSS         0x28

/* IST slots (1-based, as in the IDT). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MCE          3

/* Vectors. 0-31 exceptions; 32-47 the remapped (and masked) 8259s; device interrupts
 * from VEC_DEVICE_FIRST; the LAPIC's own at the top. */
#define VEC_PIC_BASE            32
#define VEC_DEVICE_FIRST        48
#define VEC_DEVICE_LAST         223
#define VEC_LAPIC_TIMER         0xef
#define VEC_RESCHED             0xf0
#define VEC_TLB_SHOOTDOWN       0xf1
#define VEC_STOP                0xf2
#define VEC_PMM_DRAIN           0xf3
#define VEC_LAPIC_ERROR         0xfe
#define VEC_SPURIOUS            0xff

static inline bool trap_from_user(const struct trap_frame *f)
{
	return (f->cs & 3) != 0;
}

typedef void (*irq_handler_t)(struct trap_frame *f, void *arg);

/* Install a handler for an interrupt vector (>= 32). The dispatcher sends the EOI after
 * it returns. Returns false if the vector is taken. */
bool irq_set_handler(unsigned vector, irq_handler_t h, void *arg);
/* Remove a vector's handler and free the vector; returns once no CPU runs the handler
 * any more, so its argument may be freed then. Not from the handler itself. An
 * interrupt still pending for the vector finds no handler and is only counted as
 * unexpected (or, once the vector is reused, reaches the new handler: device handlers
 * tolerate a spurious call). */
void irq_clear_handler(unsigned vector);

/* Take a free device vector and install h on it, in one step; returns the vector, or 0
 * when none is free. Freed with irq_clear_handler. */
unsigned irq_alloc_handler(irq_handler_t h, void *arg);

void trap_dispatch(struct trap_frame *f);

/* An exception in user mode. The default panics; the thread code replaces it. */
void trap_user_exception(struct trap_frame *f);

/* End of interrupt at the local APIC (lapic.c). */
void lapic_eoi(void);

/* Spurious interrupts seen (APIC vector 0xff, or the masked 8259s'). */
uint64_t irq_spurious_count(void);
/* NMIs taken so far (tests). */
uint64_t trap_nmi_count(void);
void gdt_init_cpu(unsigned cpu);
void pic_disable(void);
uint64_t tss_ist_top(unsigned cpu, int ist);
void idt_init(void);
void idt_load(void);

/*
 * Catching kernel faults on purpose (tests now, user-memory copies later): like setjmp,
 * fault_catch_begin() returns 0, and returns 1 a second time if a fault in kernel mode
 * happens before fault_catch_end(); the fault's vector, error code and CR2 are then in
 * the struct. Locals changed in between must be volatile.
 */
struct fault_catch {
	uint64_t rip, rsp, rbp, rbx, r12, r13, r14, r15;        /* resume point */
	uint64_t vector, error, cr2, fault_rip;                  /* what happened */
	bool no_memory;                 /* a demand-zero page found no frame (memobj.h) */
	struct fault_catch *prev;
};

_Static_assert(offsetof(struct fault_catch, r15) == 7 * 8, "trap_entry.S saves the resume point");

int fault_catch_begin(struct fault_catch *c) __attribute__((returns_twice));
void fault_catch_end(struct fault_catch *c);

/* The exception name of a vector ("page fault"), and its mnemonic ("#PF"). */
const char *exception_name(unsigned vector);
const char *exception_mnemonic(unsigned vector);

/* A #PF error code in words: "not-present page, write, supervisor, data access". */
void page_fault_describe(uint64_t error, char *buf, size_t size);

#endif
