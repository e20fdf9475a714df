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
	.section .text
	.global arch_switch
	.type arch_switch, @function
arch_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size arch_switch, . - arch_switch

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
