#ifndef ARCH_CALLEESAVED_H
#define ARCH_CALLEESAVED_H

/*
 * For assembly: the registers the C calling convention preserves, pushed and popped in
 * one order everywhere — arch_switch's saved contexts (switch.S) and the fast paths'
 * saved user registers (syscall_entry.S) have the same layout, so a context made for
 * one can be resumed by the other's code (CALLEE_SAVED_BYTES of them).
 */
#define CALLEE_SAVED_BYTES 48

.macro PUSH_CALLEE_SAVED
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro POP_CALLEE_SAVED
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
.endm

#endif
