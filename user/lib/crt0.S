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

/* A thread mnos_thread_start made starts here, with rsp 16-byte aligned as no call
 * left it and its start record in rdi: make it a call. */
	.global __mnos_thread_entry
	.type __mnos_thread_entry, @function
__mnos_thread_entry:
	xorl %ebp, %ebp
	call __mnos_thread_main         /* never returns */
	ud2
	.size __mnos_thread_entry, . - __mnos_thread_entry

	.section .note.GNU-stack, "", @progbits
