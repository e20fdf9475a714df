/*
 * The ELF corpus (tests/elf/, MANIFEST) embedded for the in-guest tests
 * (tests/kernel/test_elf.c). Written by tools/mk_elf_corpus.py: do not edit.
 *
 * struct elf_corpus_entry { const char *file; const uint8_t *data;
 *                          uint64_t size; const char *want; int64_t phdr; };
 */
	.section .rodata.elf_corpus, "a"
	.balign 16
elf_corpus_data_0:
	.incbin "tests/elf/hello.elf"
elf_corpus_end_0:
	.balign 16
elf_corpus_data_1:
	.incbin "tests/elf/ok_osabi_gnu.elf"
elf_corpus_end_1:
	.balign 16
elf_corpus_data_2:
	.incbin "tests/elf/ok_empty_load.elf"
elf_corpus_end_2:
	.balign 16
elf_corpus_data_3:
	.incbin "tests/elf/trunc_empty.elf"
elf_corpus_end_3:
	.balign 16
elf_corpus_data_4:
	.incbin "tests/elf/trunc_in_ident.elf"
elf_corpus_end_4:
	.balign 16
elf_corpus_data_5:
	.incbin "tests/elf/trunc_in_header.elf"
elf_corpus_end_5:
	.balign 16
elf_corpus_data_6:
	.incbin "tests/elf/trunc_in_phdrs.elf"
elf_corpus_end_6:
	.balign 16
elf_corpus_data_7:
	.incbin "tests/elf/trunc_in_text.elf"
elf_corpus_end_7:
	.balign 16
elf_corpus_data_8:
	.incbin "tests/elf/trunc_in_data.elf"
elf_corpus_end_8:
	.balign 16
elf_corpus_data_9:
	.incbin "tests/elf/bad_magic.elf"
elf_corpus_end_9:
	.balign 16
elf_corpus_data_10:
	.incbin "tests/elf/class32.elf"
elf_corpus_end_10:
	.balign 16
elf_corpus_data_11:
	.incbin "tests/elf/big_endian.elf"
elf_corpus_end_11:
	.balign 16
elf_corpus_data_12:
	.incbin "tests/elf/ident_version.elf"
elf_corpus_end_12:
	.balign 16
elf_corpus_data_13:
	.incbin "tests/elf/osabi_freebsd.elf"
elf_corpus_end_13:
	.balign 16
elf_corpus_data_14:
	.incbin "tests/elf/type_pie.elf"
elf_corpus_end_14:
	.balign 16
elf_corpus_data_15:
	.incbin "tests/elf/type_relocatable.elf"
elf_corpus_end_15:
	.balign 16
elf_corpus_data_16:
	.incbin "tests/elf/machine_i386.elf"
elf_corpus_end_16:
	.balign 16
elf_corpus_data_17:
	.incbin "tests/elf/version_none.elf"
elf_corpus_end_17:
	.balign 16
elf_corpus_data_18:
	.incbin "tests/elf/ehsize_32bit.elf"
elf_corpus_end_18:
	.balign 16
elf_corpus_data_19:
	.incbin "tests/elf/phentsize_32bit.elf"
elf_corpus_end_19:
	.balign 16
elf_corpus_data_20:
	.incbin "tests/elf/phnum_zero.elf"
elf_corpus_end_20:
	.balign 16
elf_corpus_data_21:
	.incbin "tests/elf/phnum_too_many.elf"
elf_corpus_end_21:
	.balign 16
elf_corpus_data_22:
	.incbin "tests/elf/phoff_past_end.elf"
elf_corpus_end_22:
	.balign 16
elf_corpus_data_23:
	.incbin "tests/elf/phoff_wraps.elf"
elf_corpus_end_23:
	.balign 16
elf_corpus_data_24:
	.incbin "tests/elf/interp.elf"
elf_corpus_end_24:
	.balign 16
elf_corpus_data_25:
	.incbin "tests/elf/dynamic.elf"
elf_corpus_end_25:
	.balign 16
elf_corpus_data_26:
	.incbin "tests/elf/tls.elf"
elf_corpus_end_26:
	.balign 16
elf_corpus_data_27:
	.incbin "tests/elf/shlib.elf"
elf_corpus_end_27:
	.balign 16
elf_corpus_data_28:
	.incbin "tests/elf/exec_stack.elf"
elf_corpus_end_28:
	.balign 16
elf_corpus_data_29:
	.incbin "tests/elf/seg_offset_past_end.elf"
elf_corpus_end_29:
	.balign 16
elf_corpus_data_30:
	.incbin "tests/elf/seg_offset_wraps.elf"
elf_corpus_end_30:
	.balign 16
elf_corpus_data_31:
	.incbin "tests/elf/seg_filesz_wraps.elf"
elf_corpus_end_31:
	.balign 16
elf_corpus_data_32:
	.incbin "tests/elf/seg_filesz_gt_memsz.elf"
elf_corpus_end_32:
	.balign 16
elf_corpus_data_33:
	.incbin "tests/elf/seg_align_not_pow2.elf"
elf_corpus_end_33:
	.balign 16
elf_corpus_data_34:
	.incbin "tests/elf/seg_align_below_page.elf"
elf_corpus_end_34:
	.balign 16
elf_corpus_data_35:
	.incbin "tests/elf/seg_not_congruent.elf"
elf_corpus_end_35:
	.balign 16
elf_corpus_data_36:
	.incbin "tests/elf/seg_wraps.elf"
elf_corpus_end_36:
	.balign 16
elf_corpus_data_37:
	.incbin "tests/elf/seg_below_user.elf"
elf_corpus_end_37:
	.balign 16
elf_corpus_data_38:
	.incbin "tests/elf/seg_in_kernel.elf"
elf_corpus_end_38:
	.balign 16
elf_corpus_data_39:
	.incbin "tests/elf/seg_in_stack_region.elf"
elf_corpus_end_39:
	.balign 16
elf_corpus_data_40:
	.incbin "tests/elf/seg_into_stack_region.elf"
elf_corpus_end_40:
	.balign 16
elf_corpus_data_41:
	.incbin "tests/elf/seg_wx.elf"
elf_corpus_end_41:
	.balign 16
elf_corpus_data_42:
	.incbin "tests/elf/seg_overlap_page.elf"
elf_corpus_end_42:
	.balign 16
elf_corpus_data_43:
	.incbin "tests/elf/too_many_loads.elf"
elf_corpus_end_43:
	.balign 16
elf_corpus_data_44:
	.incbin "tests/elf/no_load.elf"
elf_corpus_end_44:
	.balign 16
elf_corpus_data_45:
	.incbin "tests/elf/entry_unmapped.elf"
elf_corpus_end_45:
	.balign 16
elf_corpus_data_46:
	.incbin "tests/elf/entry_in_data.elf"
elf_corpus_end_46:
	.balign 16
elf_corpus_data_47:
	.incbin "tests/elf/entry_past_file_part.elf"
elf_corpus_end_47:
	.balign 16
elf_corpus_data_48:
	.incbin "tests/elf/entry_not_executable.elf"
elf_corpus_end_48:
elf_corpus_name_0:	.asciz "hello.elf"
elf_corpus_want_0:	.asciz "ok"
elf_corpus_name_1:	.asciz "ok_osabi_gnu.elf"
elf_corpus_want_1:	.asciz "ok"
elf_corpus_name_2:	.asciz "ok_empty_load.elf"
elf_corpus_want_2:	.asciz "ok"
elf_corpus_name_3:	.asciz "trunc_empty.elf"
elf_corpus_want_3:	.asciz "short"
elf_corpus_name_4:	.asciz "trunc_in_ident.elf"
elf_corpus_want_4:	.asciz "short"
elf_corpus_name_5:	.asciz "trunc_in_header.elf"
elf_corpus_want_5:	.asciz "short"
elf_corpus_name_6:	.asciz "trunc_in_phdrs.elf"
elf_corpus_want_6:	.asciz "phdrs_outside"
elf_corpus_name_7:	.asciz "trunc_in_text.elf"
elf_corpus_want_7:	.asciz "seg_outside_file"
elf_corpus_name_8:	.asciz "trunc_in_data.elf"
elf_corpus_want_8:	.asciz "seg_outside_file"
elf_corpus_name_9:	.asciz "bad_magic.elf"
elf_corpus_want_9:	.asciz "magic"
elf_corpus_name_10:	.asciz "class32.elf"
elf_corpus_want_10:	.asciz "class"
elf_corpus_name_11:	.asciz "big_endian.elf"
elf_corpus_want_11:	.asciz "data"
elf_corpus_name_12:	.asciz "ident_version.elf"
elf_corpus_want_12:	.asciz "ident_version"
elf_corpus_name_13:	.asciz "osabi_freebsd.elf"
elf_corpus_want_13:	.asciz "osabi"
elf_corpus_name_14:	.asciz "type_pie.elf"
elf_corpus_want_14:	.asciz "type"
elf_corpus_name_15:	.asciz "type_relocatable.elf"
elf_corpus_want_15:	.asciz "type"
elf_corpus_name_16:	.asciz "machine_i386.elf"
elf_corpus_want_16:	.asciz "machine"
elf_corpus_name_17:	.asciz "version_none.elf"
elf_corpus_want_17:	.asciz "version"
elf_corpus_name_18:	.asciz "ehsize_32bit.elf"
elf_corpus_want_18:	.asciz "ehsize"
elf_corpus_name_19:	.asciz "phentsize_32bit.elf"
elf_corpus_want_19:	.asciz "phentsize"
elf_corpus_name_20:	.asciz "phnum_zero.elf"
elf_corpus_want_20:	.asciz "phnum"
elf_corpus_name_21:	.asciz "phnum_too_many.elf"
elf_corpus_want_21:	.asciz "phnum"
elf_corpus_name_22:	.asciz "phoff_past_end.elf"
elf_corpus_want_22:	.asciz "phdrs_outside"
elf_corpus_name_23:	.asciz "phoff_wraps.elf"
elf_corpus_want_23:	.asciz "phdrs_outside"
elf_corpus_name_24:	.asciz "interp.elf"
elf_corpus_want_24:	.asciz "interp"
elf_corpus_name_25:	.asciz "dynamic.elf"
elf_corpus_want_25:	.asciz "dynamic"
elf_corpus_name_26:	.asciz "tls.elf"
elf_corpus_want_26:	.asciz "tls"
elf_corpus_name_27:	.asciz "shlib.elf"
elf_corpus_want_27:	.asciz "shlib"
elf_corpus_name_28:	.asciz "exec_stack.elf"
elf_corpus_want_28:	.asciz "exec_stack"
elf_corpus_name_29:	.asciz "seg_offset_past_end.elf"
elf_corpus_want_29:	.asciz "seg_outside_file"
elf_corpus_name_30:	.asciz "seg_offset_wraps.elf"
elf_corpus_want_30:	.asciz "seg_outside_file"
elf_corpus_name_31:	.asciz "seg_filesz_wraps.elf"
elf_corpus_want_31:	.asciz "seg_outside_file"
elf_corpus_name_32:	.asciz "seg_filesz_gt_memsz.elf"
elf_corpus_want_32:	.asciz "seg_filesz"
elf_corpus_name_33:	.asciz "seg_align_not_pow2.elf"
elf_corpus_want_33:	.asciz "seg_align"
elf_corpus_name_34:	.asciz "seg_align_below_page.elf"
elf_corpus_want_34:	.asciz "seg_align"
elf_corpus_name_35:	.asciz "seg_not_congruent.elf"
elf_corpus_want_35:	.asciz "seg_congruent"
elf_corpus_name_36:	.asciz "seg_wraps.elf"
elf_corpus_want_36:	.asciz "seg_wraps"
elf_corpus_name_37:	.asciz "seg_below_user.elf"
elf_corpus_want_37:	.asciz "seg_range"
elf_corpus_name_38:	.asciz "seg_in_kernel.elf"
elf_corpus_want_38:	.asciz "seg_range"
elf_corpus_name_39:	.asciz "seg_in_stack_region.elf"
elf_corpus_want_39:	.asciz "seg_range"
elf_corpus_name_40:	.asciz "seg_into_stack_region.elf"
elf_corpus_want_40:	.asciz "seg_range"
elf_corpus_name_41:	.asciz "seg_wx.elf"
elf_corpus_want_41:	.asciz "seg_wx"
elf_corpus_name_42:	.asciz "seg_overlap_page.elf"
elf_corpus_want_42:	.asciz "seg_overlap"
elf_corpus_name_43:	.asciz "too_many_loads.elf"
elf_corpus_want_43:	.asciz "too_many_loads"
elf_corpus_name_44:	.asciz "no_load.elf"
elf_corpus_want_44:	.asciz "no_load"
elf_corpus_name_45:	.asciz "entry_unmapped.elf"
elf_corpus_want_45:	.asciz "entry"
elf_corpus_name_46:	.asciz "entry_in_data.elf"
elf_corpus_want_46:	.asciz "entry"
elf_corpus_name_47:	.asciz "entry_past_file_part.elf"
elf_corpus_want_47:	.asciz "entry"
elf_corpus_name_48:	.asciz "entry_not_executable.elf"
elf_corpus_want_48:	.asciz "entry"
	.balign 8
	.global elf_corpus, elf_corpus_count
elf_corpus:
	.quad elf_corpus_name_0, elf_corpus_data_0, elf_corpus_end_0 - elf_corpus_data_0, elf_corpus_want_0, -1
	.quad elf_corpus_name_1, elf_corpus_data_1, elf_corpus_end_1 - elf_corpus_data_1, elf_corpus_want_1, -1
	.quad elf_corpus_name_2, elf_corpus_data_2, elf_corpus_end_2 - elf_corpus_data_2, elf_corpus_want_2, -1
	.quad elf_corpus_name_3, elf_corpus_data_3, elf_corpus_end_3 - elf_corpus_data_3, elf_corpus_want_3, -1
	.quad elf_corpus_name_4, elf_corpus_data_4, elf_corpus_end_4 - elf_corpus_data_4, elf_corpus_want_4, -1
	.quad elf_corpus_name_5, elf_corpus_data_5, elf_corpus_end_5 - elf_corpus_data_5, elf_corpus_want_5, -1
	.quad elf_corpus_name_6, elf_corpus_data_6, elf_corpus_end_6 - elf_corpus_data_6, elf_corpus_want_6, -1
	.quad elf_corpus_name_7, elf_corpus_data_7, elf_corpus_end_7 - elf_corpus_data_7, elf_corpus_want_7, 0
	.quad elf_corpus_name_8, elf_corpus_data_8, elf_corpus_end_8 - elf_corpus_data_8, elf_corpus_want_8, 1
	.quad elf_corpus_name_9, elf_corpus_data_9, elf_corpus_end_9 - elf_corpus_data_9, elf_corpus_want_9, -1
	.quad elf_corpus_name_10, elf_corpus_data_10, elf_corpus_end_10 - elf_corpus_data_10, elf_corpus_want_10, -1
	.quad elf_corpus_name_11, elf_corpus_data_11, elf_corpus_end_11 - elf_corpus_data_11, elf_corpus_want_11, -1
	.quad elf_corpus_name_12, elf_corpus_data_12, elf_corpus_end_12 - elf_corpus_data_12, elf_corpus_want_12, -1
	.quad elf_corpus_name_13, elf_corpus_data_13, elf_corpus_end_13 - elf_corpus_data_13, elf_corpus_want_13, -1
	.quad elf_corpus_name_14, elf_corpus_data_14, elf_corpus_end_14 - elf_corpus_data_14, elf_corpus_want_14, -1
	.quad elf_corpus_name_15, elf_corpus_data_15, elf_corpus_end_15 - elf_corpus_data_15, elf_corpus_want_15, -1
	.quad elf_corpus_name_16, elf_corpus_data_16, elf_corpus_end_16 - elf_corpus_data_16, elf_corpus_want_16, -1
	.quad elf_corpus_name_17, elf_corpus_data_17, elf_corpus_end_17 - elf_corpus_data_17, elf_corpus_want_17, -1
	.quad elf_corpus_name_18, elf_corpus_data_18, elf_corpus_end_18 - elf_corpus_data_18, elf_corpus_want_18, -1
	.quad elf_corpus_name_19, elf_corpus_data_19, elf_corpus_end_19 - elf_corpus_data_19, elf_corpus_want_19, -1
	.quad elf_corpus_name_20, elf_corpus_data_20, elf_corpus_end_20 - elf_corpus_data_20, elf_corpus_want_20, -1
	.quad elf_corpus_name_21, elf_corpus_data_21, elf_corpus_end_21 - elf_corpus_data_21, elf_corpus_want_21, -1
	.quad elf_corpus_name_22, elf_corpus_data_22, elf_corpus_end_22 - elf_corpus_data_22, elf_corpus_want_22, -1
	.quad elf_corpus_name_23, elf_corpus_data_23, elf_corpus_end_23 - elf_corpus_data_23, elf_corpus_want_23, -1
	.quad elf_corpus_name_24, elf_corpus_data_24, elf_corpus_end_24 - elf_corpus_data_24, elf_corpus_want_24, 2
	.quad elf_corpus_name_25, elf_corpus_data_25, elf_corpus_end_25 - elf_corpus_data_25, elf_corpus_want_25, 2
	.quad elf_corpus_name_26, elf_corpus_data_26, elf_corpus_end_26 - elf_corpus_data_26, elf_corpus_want_26, 2
	.quad elf_corpus_name_27, elf_corpus_data_27, elf_corpus_end_27 - elf_corpus_data_27, elf_corpus_want_27, 2
	.quad elf_corpus_name_28, elf_corpus_data_28, elf_corpus_end_28 - elf_corpus_data_28, elf_corpus_want_28, 2
	.quad elf_corpus_name_29, elf_corpus_data_29, elf_corpus_end_29 - elf_corpus_data_29, elf_corpus_want_29, 1
	.quad elf_corpus_name_30, elf_corpus_data_30, elf_corpus_end_30 - elf_corpus_data_30, elf_corpus_want_30, 1
	.quad elf_corpus_name_31, elf_corpus_data_31, elf_corpus_end_31 - elf_corpus_data_31, elf_corpus_want_31, 1
	.quad elf_corpus_name_32, elf_corpus_data_32, elf_corpus_end_32 - elf_corpus_data_32, elf_corpus_want_32, 0
	.quad elf_corpus_name_33, elf_corpus_data_33, elf_corpus_end_33 - elf_corpus_data_33, elf_corpus_want_33, 1
	.quad elf_corpus_name_34, elf_corpus_data_34, elf_corpus_end_34 - elf_corpus_data_34, elf_corpus_want_34, 1
	.quad elf_corpus_name_35, elf_corpus_data_35, elf_corpus_end_35 - elf_corpus_data_35, elf_corpus_want_35, 1
	.quad elf_corpus_name_36, elf_corpus_data_36, elf_corpus_end_36 - elf_corpus_data_36, elf_corpus_want_36, 1
	.quad elf_corpus_name_37, elf_corpus_data_37, elf_corpus_end_37 - elf_corpus_data_37, elf_corpus_want_37, 0
	.quad elf_corpus_name_38, elf_corpus_data_38, elf_corpus_end_38 - elf_corpus_data_38, elf_corpus_want_38, 1
	.quad elf_corpus_name_39, elf_corpus_data_39, elf_corpus_end_39 - elf_corpus_data_39, elf_corpus_want_39, 1
	.quad elf_corpus_name_40, elf_corpus_data_40, elf_corpus_end_40 - elf_corpus_data_40, elf_corpus_want_40, 1
	.quad elf_corpus_name_41, elf_corpus_data_41, elf_corpus_end_41 - elf_corpus_data_41, elf_corpus_want_41, 0
	.quad elf_corpus_name_42, elf_corpus_data_42, elf_corpus_end_42 - elf_corpus_data_42, elf_corpus_want_42, 1
	.quad elf_corpus_name_43, elf_corpus_data_43, elf_corpus_end_43 - elf_corpus_data_43, elf_corpus_want_43, 8
	.quad elf_corpus_name_44, elf_corpus_data_44, elf_corpus_end_44 - elf_corpus_data_44, elf_corpus_want_44, -1
	.quad elf_corpus_name_45, elf_corpus_data_45, elf_corpus_end_45 - elf_corpus_data_45, elf_corpus_want_45, -1
	.quad elf_corpus_name_46, elf_corpus_data_46, elf_corpus_end_46 - elf_corpus_data_46, elf_corpus_want_46, -1
	.quad elf_corpus_name_47, elf_corpus_data_47, elf_corpus_end_47 - elf_corpus_data_47, elf_corpus_want_47, -1
	.quad elf_corpus_name_48, elf_corpus_data_48, elf_corpus_end_48 - elf_corpus_data_48, elf_corpus_want_48, -1
elf_corpus_count:
	.quad 49
	.section .note.GNU-stack, "", @progbits
