/*
 * The user programs the in-guest tests run (build/user/*.elf, from user/), embedded in
 * the kernel image as they are: the ELF loader reads them like any file.
 */
	.section .rodata.user_progs, "a"

	.balign 16
	.global uprog_utest_start, uprog_utest_end
uprog_utest_start:
	.incbin "utest.elf"
uprog_utest_end:

	.balign 16
	.global uprog_sfuzz_start, uprog_sfuzz_end
uprog_sfuzz_start:
	.incbin "sfuzz.elf"
uprog_sfuzz_end:

	.section .note.GNU-stack, "", @progbits
