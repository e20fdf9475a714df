/*
 * Programs and images the library tests spawn (tests_lib.c): build/user/hello.elf, and
 * a few of the ELF loader's malformed files (tests/elf/, docs/ELF.md), as data.
 */
	.section .rodata.progs, "a"

	.macro image name, file
	.balign 16
	.global \name\()_start, \name\()_end
\name\()_start:
	.incbin "\file"
\name\()_end:
	.endm

	image prog_hello, "hello.elf"
	image elf_bad_magic, "tests/elf/bad_magic.elf"
	image elf_trunc_in_phdrs, "tests/elf/trunc_in_phdrs.elf"
	image elf_seg_wx, "tests/elf/seg_wx.elf"
	image elf_trunc_in_text, "tests/elf/trunc_in_text.elf"

	.section .note.GNU-stack, "", @progbits
