/*
 * The context switch between kernel threads. Only the callee-saved registers need
 * saving: the switch is a function call as far as the compiler is concerned, so every
 * other register is already dead or saved by the caller. The stack pointer is the whole
 * of a switched-out thread's context (struct thread.saved_rsp, offset 0).
 *
 *   void arch_switch(uint64_t *save_rsp, uint64_t next_rsp)
 *
 * A new thread's stack is prepared (kernel/sched/thread.c) to look as if it had
 * called arch_switch itself, with thread_start as the return address and its entry
 * function and argument in r12 and r13.
 */
#include <arch/calleesaved.h>

	.section .text
	.global arch_switch
	.type arch_switch, @function
arch_switch:
	PUSH_CALLEE_SAVED
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	POP_CALLEE_SAVED
	ret
	.size arch_switch, . - arch_switch

/* arch_load(rsp): resume a context saved by arch_switch (or made like one), leaving
 * nothing behind: the running thread's own context was kept another way. */
	.global arch_load
	.type arch_load, @function
arch_load:
	movq %rdi, %rsp
	POP_CALLEE_SAVED
	ret
	.size arch_load, . - arch_load

	.global thread_start
	.type thread_start, @function
thread_start:
	/* First run of a thread: finish the switch that brought us here (the run queue
	 * lock is still held), then call entry(arg) with a clean frame chain. */
	call sched_first_run
	xorl %ebp, %ebp
	movq %r13, %rdi
	call *%r12
	call thread_exit
	ud2
	.size thread_start, . - thread_start
