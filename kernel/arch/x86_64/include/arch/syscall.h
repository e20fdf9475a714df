/*
 * The SYSCALL instruction's side of the kernel (DESIGN.md §8).
 *
 * Entry (syscall_entry.S): SWAPGS, the thread's kernel stack from the per-CPU block, the
 * user registers saved as a struct syscall_frame, interrupts back on, then
 * syscall_dispatch(). Exit restores the registers C code may have changed from the
 * frame (the callee-saved ones the C convention kept), so nothing of the kernel's is
 * left in one, checks that the return address is canonical and returns with SYSRET.
 *
 * Convention: number in rax, arguments in rdi, rsi, rdx, r10, r8, r9; rax returns the
 * error code, other results come back in rdi..r9 as the ABI table says, and the
 * dispatch zeroes the ones that carry nothing. rbx, rbp, r12-r15 and rsp are
 * preserved; rcx and r11 are clobbered (SYSCALL puts the return address and RFLAGS
 * there).
 */
#ifndef ARCH_SYSCALL_H
#define ARCH_SYSCALL_H

#include <types.h>

/*
 * The user registers the SYSCALL entry saves on the thread's kernel stack: the ones C
 * code may change (the number, the arguments and results, and what SYSRET needs). The
 * callee-saved ones (rbx, rbp, r12-r15) are not saved: the C calling convention keeps
 * them for the entry, so they go back to user mode untouched, and the kernel's values
 * never reach them.
 */
struct syscall_frame {
	uint64_t rax, rdi, rsi, rdx, r10, r8, r9;     /* number and arguments in; results out */
	uint64_t rip, rflags, rsp;                    /* user rcx, r11, stack */
};

_Static_assert(sizeof(struct syscall_frame) == 10 * 8, "syscall_entry.S pushes 10 registers");

void syscall_dispatch(struct syscall_frame *f);
/* Boot: the system calls' command-line options (fuzz.planted_bug; kernel/syscall). */
void syscall_init_options(void);

/* Per CPU: EFER.SCE, STAR, LSTAR, FMASK; SMEP and SMAP where the CPU has them. */
void syscall_init_cpu(void);
bool cpu_has_smap(void);
/* Writes of CR4 that tried to clear a pinned bit (tests). */
uint64_t cr4_pin_violations(void);

/* Leave the kernel for user mode for the first time: at entry, with stack pointer
 * stack and arg in rdi, every other register zero, interrupts on. */
__noreturn void arch_enter_user(uint64_t entry, uint64_t stack, uint64_t arg);

/* SMAP: allow (stac) and forbid (clac) the kernel's access to user pages; only the
 * user-copy routines open the window. No-ops on CPUs without SMAP. */
void arch_user_access_begin(void);
void arch_user_access_end(void);

#endif
