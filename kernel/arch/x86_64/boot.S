/*
 * Kernel entry from GRUB (Multiboot2), 32-bit protected mode, paging off.
 *
 * Builds temporary page tables that map the first 4 GiB three times — identity (for the
 * next few instructions), the direct map at HHDM_BASE and the kernel image window at
 * KERNEL_VMA — enables PAE, long mode and paging, and jumps to kmain() in the higher
 * half. kmain() then parses the boot information; the memory phase replaces these tables
 * with the kernel's own (kernel/arch/x86_64/paging.c).
 *
 * Register use in the 32-bit part: EDI holds the Multiboot2 magic and ESI the physical
 * address of the boot information from GRUB until they are passed to kmain().
 */
#include <arch/layout.h>

#define PHYS(x)         ((x) - KERNEL_VMA)

#define MB2_MAGIC       0xe85250d6
#define MB2_ARCH_I386   0

#define PTE_P           0x001
#define PTE_W           0x002
#define PTE_PS          0x080

#define COM1            0x3f8

/* --------------------------------------------------------------------------------- */
/* Multiboot2 header: must be 8-byte aligned within the first 32 KiB of the image.    */
/* --------------------------------------------------------------------------------- */
	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	/* Information request (optional: GRUB may omit what it lacks). */
	.balign 8
1:	.short 1, 1
	.long 2f - 1b
	.long 1         /* command line */
	.long 3         /* modules */
	.long 6         /* memory map */
	.long 8         /* framebuffer */
	.long 14        /* ACPI 1.0 RSDP */
	.long 15        /* ACPI 2.0 RSDP */
2:
	/* Ask for a 32-bpp linear framebuffer; optional, so text mode still boots. */
	.balign 8
1:	.short 5, 1
	.long 2f - 1b
	.long 1024, 768, 32
2:
	/* Page-align modules, so they can be handed out as memory objects. */
	.balign 8
1:	.short 6, 0
	.long 2f - 1b
2:
	/* End tag. */
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

/* --------------------------------------------------------------------------------- */
/* 32-bit entry                                                                        */
/* --------------------------------------------------------------------------------- */
	.section .boot.text, "ax"
	.code32
	.global _start
_start:
	cli
	cld
	movl %eax, %edi
	movl %ebx, %esi
	movl $PHYS(boot_stack_top), %esp

	/* CPUID present? (EFLAGS.ID can be toggled.) */
	pushfl
	popl %eax
	movl %eax, %ecx
	xorl $(1 << 21), %eax
	pushl %eax
	popfl
	pushfl
	popl %eax
	pushl %ecx
	popfl
	cmpl %eax, %ecx
	je .Lno_long_mode

	/* Long mode present? */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb .Lno_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $(1 << 29), %edx
	jz .Lno_long_mode
	movl %edx, %ebp                 /* bit 20: NX support, used below */

	/* The TSC at kernel entry (this is as early as the CPU is known to have one), for
	 * the boot-time figures: boot_to_init, boot_to_shell (docs/PERFORMANCE.md). */
	rdtsc
	movl %eax, PHYS(boot_entry_tsc)
	movl %edx, PHYS(boot_entry_tsc) + 4

	/* Zero the seven boot page-table pages (PML4, two PDPTs, four PDs). */
	movl $PHYS(boot_pml4), %edx
	pushl %edi
	movl %edx, %edi
	xorl %eax, %eax
	movl $(7 * 4096 / 4), %ecx
	rep stosl
	popl %edi

	/* Four page directories of 2 MiB pages: physical 0 .. 4 GiB. */
	movl $PHYS(boot_pd), %edx
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	movl %eax, (%edx, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 1b

	/* Low PDPT: entries 0..3 -> the four PDs. Used for identity and the direct map. */
	movl $PHYS(boot_pdpt_low), %edx
	movl $PHYS(boot_pd), %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, 0(%edx)
	addl $4096, %eax
	movl %eax, 8(%edx)
	addl $4096, %eax
	movl %eax, 16(%edx)
	addl $4096, %eax
	movl %eax, 24(%edx)

	/* High PDPT: entries 510, 511 (the top 2 GiB) -> physical 0 .. 2 GiB. */
	movl $PHYS(boot_pdpt_high), %edx
	movl $PHYS(boot_pd), %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, (510 * 8)(%edx)
	addl $4096, %eax
	movl %eax, (511 * 8)(%edx)

	/* PML4: 0 (identity) and 256 (direct map) share the low PDPT; 511 is the kernel. */
	movl $PHYS(boot_pml4), %edx
	movl $PHYS(boot_pdpt_low), %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, 0(%edx)
	movl %eax, (256 * 8)(%edx)
	movl $PHYS(boot_pdpt_high), %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, (511 * 8)(%edx)

	/* PAE on, CR3, then EFER.LME (and NXE where the CPU has it), then paging. */
	movl %cr4, %eax
	orl $(1 << 5), %eax
	movl %eax, %cr4
	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $(1 << 8), %eax
	testl $(1 << 20), %ebp
	jz 1f
	orl $(1 << 11), %eax
1:	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16) | 1), %eax  /* PG, WP, PE */
	movl %eax, %cr0

	lgdt boot_gdt_ptr32
	ljmp $0x08, $.Llong_mode

	/* Not an x86_64 CPU: say so on COM1 and stop. */
.Lno_long_mode:
	movl $PHYS(no_long_mode_msg), %esi
1:	movb (%esi), %al
	testb %al, %al
	jz 3f
	movl $100000, %ecx
	movw $(COM1 + 5), %dx
2:	inb %dx, %al                    /* wait (bounded) for an empty transmit register */
	testb $0x20, %al
	loopz 2b
	movb (%esi), %al
	movw $COM1, %dx
	outb %al, %dx
	incl %esi
	jmp 1b
3:	cli
	hlt
	jmp 3b

	.code64
.Llong_mode:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $higher_half, %rax
	jmp *%rax

/* --------------------------------------------------------------------------------- */
/* 64-bit, higher half                                                                 */
/* --------------------------------------------------------------------------------- */
	.section .text.entry, "ax"
	.type higher_half, @function
higher_half:
	/* Reload the GDT through its higher-half address, so it stays valid once the
	 * identity map is gone. */
	movabsq $boot_gdt_ptr64, %rax
	lgdt (%rax)
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp                 /* ends the frame-pointer chain for backtraces */
	movl %edi, %edi                 /* magic: zero-extend */
	movl %esi, %esi                 /* boot information (physical): zero-extend */
	call kmain
1:	cli
	hlt
	jmp 1b
	.size higher_half, . - higher_half

/* --------------------------------------------------------------------------------- */
/* Data                                                                                */
/* --------------------------------------------------------------------------------- */
	.section .rodata
	.balign 16
	.global boot_gdt
boot_gdt:
	.quad 0                         /* null */
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff        /* 0x10: data, DPL 0 */
boot_gdt_end:

	.balign 8
boot_gdt_ptr64:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

no_long_mode_msg:
	.asciz "MinimalOS: this CPU does not support x86_64 long mode; cannot boot.\r\n"

	/* Written before paging, through its physical address; in .data, not .bss, so
	 * that nothing clears it afterwards. */
	.data
	.balign 8
	.global boot_entry_tsc
boot_entry_tsc:
	.quad 0

	.section .boot.data, "a"
	.balign 8
boot_gdt_ptr32:
	.short boot_gdt_end - boot_gdt - 1
	.long PHYS(boot_gdt)

	.section .bss
	.balign 4096
	.global boot_pml4
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4 * 4096

	/* The boot stack, with a page below it that the memory phase leaves unmapped. */
	.global boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:
	.skip 4096
boot_stack_bottom:
	.skip 16384
boot_stack_top:
