/*
 * Application processor start-up code. smp.c copies the bytes between ap_tramp_start and
 * ap_tramp_end to physical AP_TRAMP_ADDR (a page below 1 MiB, since a STARTUP IPI can
 * only name such a page), fills in the parameter block at its end, and sends
 * INIT-SIPI-SIPI. The AP starts here in 16-bit real mode with CS:IP = AP_TRAMP_ADDR:0,
 * goes through 32-bit protected mode into long mode on a temporary PML4 that maps the
 * trampoline page identically and shares the kernel half, and jumps to ap_main() in
 * the higher half on its own kernel stack.
 */
#include <arch/smp_boot.h>

#define T(x) (AP_TRAMP_ADDR + ((x) - ap_tramp_start))

	.section .rodata
	.balign 16
	.global ap_tramp_start, ap_tramp_end
	.code16
ap_tramp_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl (ap_gdt_ptr - ap_tramp_start)
	movl %cr0, %eax
	orl $1, %eax                            /* PE */
	movl %eax, %cr0
	ljmpl $0x08, $T(ap_pm32)

	.code32
ap_pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $((1 << 5) | (1 << 7)), %eax        /* PAE, PGE */
	movl %eax, %cr4
	movl T(ap_param_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx                  /* EFER: LME, and NXE when the BSP has it */
	rdmsr
	orl T(ap_param_efer), %eax
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16)), %eax      /* PG, WP */
	movl %eax, %cr0
	ljmpl $0x18, $T(ap_lm64)

	.code64
ap_lm64:
	xorl %eax, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq T(ap_param_stack), %rsp
	movl T(ap_param_cpu), %edi
	xorl %ebp, %ebp
	movq T(ap_param_entry), %rax
	jmp *%rax

	.balign 8
ap_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff                /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff                /* 0x10: data */
	.quad 0x00af9a000000ffff                /* 0x18: 64-bit code */
ap_gdt_end:
ap_gdt_ptr:
	.short ap_gdt_end - ap_gdt - 1
	.long T(ap_gdt)

	/* Parameter block, filled by smp.c for each AP (offsets in arch/smp_boot.h). */
	.balign 8
ap_params:
ap_param_cr3:   .long 0
ap_param_efer:  .long 0
ap_param_stack: .quad 0
ap_param_entry: .quad 0
ap_param_cpu:   .long 0
		.long 0
ap_tramp_end:

	.global ap_tramp_params
	.set ap_tramp_params, ap_params - ap_tramp_start
