/*
 * Interrupt and exception entry. One entry point per vector pushes a zero error code where the
 * CPU pushes none, then the vector number, and jumps to trap_common, which saves the
 * general registers as a struct trap_frame (arch/trap.h), calls trap_dispatch(frame) and
 * returns with IRETQ. SWAPGS runs when the trap came from user mode, so the kernel
 * always runs with its own GS base.
 *
 * Except in two windows, both with interrupts off: between SYSCALL and the entry's
 * SWAPGS, and between the exit's SWAPGS and SYSRET, the CPU is in kernel mode with the
 * user's GS base. Only the vectors that interrupts being off does not hold back reach
 * them — NMI, machine check, and a double fault — so those (on their IST stacks) ask the
 * GS base MSR itself, as Linux's paranoid entry does: a kernel GS base is a kernel-half
 * address, which no user GS base can be. If they had to swap, they swap back on the way
 * out (r12, callee-saved, remembers).
 *
 * Also here: fault_catch_begin(), the setjmp half of catching kernel faults; the
 * longjmp half is done by the trap handler rewriting the frame it returns through.
 */
#include <arch/layout.h>

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
		      (v) == 29 || (v) == 30)

	.section .text
	.balign 16
	/* The general registers, as struct trap_frame lays them out. */
	.macro save_regs
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	.endm

trap_common:
	testb $3, 24(%rsp)              /* CS of the interrupted code: user? */
	jz 1f
	swapgs
1:	save_regs
	xorl %r12d, %r12d               /* GS is to stay as it is on the way out */
trap_body:
	cld
	/* No user access in a handler, whatever the interrupted code had open (SMAP's
	 * RFLAGS.AC; IRETQ gives it back). POPF rather than CLAC: it works without SMAP. */
	pushfq
	andq $~0x40000, (%rsp)
	popfq
	movq %rsp, %rdi
	call trap_dispatch
	testl %r12d, %r12d
	jz 3f
	swapgs                          /* give back the user's GS base (paranoid) */
3:	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	testb $3, 24(%rsp)
	jz 2f
	swapgs
2:	addq $16, %rsp                  /* vector and error code */
	iretq
	.size trap_common, . - trap_common

/* NMI, double fault, machine check: from kernel mode, ask the GS base itself. */
trap_paranoid:
	testb $3, 24(%rsp)
	jnz trap_common                 /* from user mode: the ordinary path */
	save_regs
	xorl %r12d, %r12d
	movl $0xc0000101, %ecx          /* MSR_GS_BASE */
	rdmsr
	testl %edx, %edx
	js trap_body                    /* a kernel-half address: the kernel's */
	swapgs
	movl $1, %r12d
	jmp trap_body

/* The 256 entry points; their addresses go in a table, so they need no fixed size. */
	.altmacro
	.macro trap_entry v
	.balign 16
trap_entry_\v:
	.if HAS_ERROR(\v)
	.else
	pushq $0
	.endif
	pushq $\v
	.if (\v == 2) || (\v == 8) || (\v == 18)
	jmp trap_paranoid
	.else
	jmp trap_common
	.endif
	.endm

	.set vec, 0
	.rept 256
	trap_entry %vec
	.set vec, vec + 1
	.endr

	.macro entry_addr v
	.quad trap_entry_\v
	.endm

	.section .rodata
	.balign 8
	.global trap_entries
trap_entries:
	.set vec, 0
	.rept 256
	entry_addr %vec
	.set vec, vec + 1
	.endr

/* int fault_catch_begin(struct fault_catch *c): save the resume point, return 0. */
	.section .text
	.global fault_catch_begin
	.type fault_catch_begin, @function
fault_catch_begin:
	movq (%rsp), %rax               /* return address: where a caught fault resumes */
	movq %rax, 0(%rdi)
	leaq 8(%rsp), %rax              /* the stack pointer after this call returns */
	movq %rax, 8(%rdi)
	movq %rbp, 16(%rdi)
	movq %rbx, 24(%rdi)
	movq %r12, 32(%rdi)
	movq %r13, 40(%rdi)
	movq %r14, 48(%rdi)
	movq %r15, 56(%rdi)
	pushq %rbp
	movq %rsp, %rbp
	call fault_catch_arm            /* C: link it into this CPU's list */
	popq %rbp
	xorl %eax, %eax
	ret
	.size fault_catch_begin, . - fault_catch_begin
