/*
 * A snapshot of the general and control registers, for panic reports. Exceptions will
 * fill the same report from their trap frame.
 */
#ifndef ARCH_REGS_H
#define ARCH_REGS_H

#include <types.h>

struct regs_snapshot {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
	uint64_t cr0, cr2, cr3, cr4, efer;
};

/* Capture the caller's registers (rip is the capture point). Always inlined, so the
 * values are the caller's own. */
static inline __attribute__((always_inline)) void regs_capture(struct regs_snapshot *r)
{
	__asm__ volatile(
		"movq %%rax, 0(%0)\n\tmovq %%rbx, 8(%0)\n\tmovq %%rcx, 16(%0)\n\t"
		"movq %%rdx, 24(%0)\n\tmovq %%rsi, 32(%0)\n\tmovq %%rdi, 40(%0)\n\t"
		"movq %%rbp, 48(%0)\n\tmovq %%rsp, 56(%0)\n\tmovq %%r8, 64(%0)\n\t"
		"movq %%r9, 72(%0)\n\tmovq %%r10, 80(%0)\n\tmovq %%r11, 88(%0)\n\t"
		"movq %%r12, 96(%0)\n\tmovq %%r13, 104(%0)\n\tmovq %%r14, 112(%0)\n\t"
		"movq %%r15, 120(%0)\n\t"
		"leaq 0(%%rip), %%rax\n\tmovq %%rax, 128(%0)\n\t"
		"pushfq\n\tpopq 136(%0)\n\t"
		:: "r"(r) : "rax", "memory");
}

/* Panic with the registers of another context (an exception's trap frame): the
 * backtrace starts at regs->rip and walks from regs->rbp. */
__noreturn void panic_regs(struct regs_snapshot *regs, const char *fmt, ...) __printf(2, 3);

/* Fill the control-register fields and print the whole snapshot. */
void regs_print(struct regs_snapshot *r);

/* Bounds of the kernel stack that contains sp; false if sp is on no known stack. */
bool arch_stack_bounds(uint64_t sp, uint64_t *lo, uint64_t *hi);

#endif
