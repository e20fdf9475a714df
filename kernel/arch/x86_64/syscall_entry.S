/*
 * SYSCALL entry and exit (arch/syscall.h), and the first entry to user mode.
 *
 * On SYSCALL the CPU has put the user RIP in rcx and RFLAGS in r11, cleared the flags
 * in FMASK (interrupts are off) and changed nothing else: the stack is still the
 * user's. So: SWAPGS to reach the per-CPU block, park the user stack pointer there,
 * switch to this thread's kernel stack, and push the frame.
 */
#include <arch/layout.h>

#define USER_RFLAGS_MASK 0x240cd5       /* CF PF AF ZF SF DF OF AC ID: the user's own */
#define RFLAGS_IF_RESERVED 0x202

	.section .text
	.balign 16
	.global syscall_entry
	.type syscall_entry, @function
syscall_entry:
	swapgs
	movq %rsp, %gs:24               /* cpu_local.user_rsp */
	movq %gs:16, %rsp               /* cpu_local.kernel_rsp: this thread's stack top */
	pushq %gs:24                    /* rsp */
	pushq %r11                      /* rflags */
	pushq %rcx                      /* rip */
	pushq %r15
	pushq %r14
	pushq %r13
	pushq %r12
	pushq %rbp
	pushq %rbx
	pushq %r9
	pushq %r8
	pushq %r10
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rax
	movq %rsp, %rdi
	xorl %ebp, %ebp                 /* backtraces stop here */
	sti
	call syscall_handle
	cli
	popq %rax
	popq %rdi
	popq %rsi
	popq %rdx
	popq %r10
	popq %r8
	popq %r9
	popq %rbx
	popq %rbp
	popq %r12
	popq %r13
	popq %r14
	popq %r15
	popq %rcx                       /* rip: a user address (syscall_handle checked) */
	popq %r11
	andq $USER_RFLAGS_MASK, %r11    /* nothing privileged comes back with the flags */
	orq $RFLAGS_IF_RESERVED, %r11
	popq %rsp
	swapgs
	sysretq
	.size syscall_entry, . - syscall_entry

/* __noreturn void arch_enter_user(uint64_t entry, uint64_t stack, uint64_t arg) */
	.global arch_enter_user
	.type arch_enter_user, @function
arch_enter_user:
	cli
	pushq $(0x18 | 3)               /* SS: user data */
	pushq %rsi                      /* RSP */
	pushq $RFLAGS_IF_RESERVED       /* RFLAGS: interrupts on */
	pushq $(0x20 | 3)               /* CS: user code */
	pushq %rdi                      /* RIP */
	movq %rdx, %rdi
	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %ebp, %ebp
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	xorl %r12d, %r12d
	xorl %r13d, %r13d
	xorl %r14d, %r14d
	xorl %r15d, %r15d
	swapgs
	iretq
	.size arch_enter_user, . - arch_enter_user
