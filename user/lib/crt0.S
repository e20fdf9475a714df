/*
 * A program's first instruction. The kernel's ELF loader enters here with the stack
 * pointer 16-byte aligned and the address of the start information
 * (struct mnos_start_info, <mnos/start.h>) in rdi; every other register is zero.
 */
	.section .text.start, "ax"
	.global _start
	.type _start, @function
_start:
	xorl %ebp, %ebp                 /* the outermost frame: backtraces stop here */
	andq $-16, %rsp
	call __mnos_start               /* never returns */
	ud2
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
