/*
 * The x86_64 virtual memory map (docs/ARCHITECTURE.md, DESIGN.md §3) and the physical
 * load address of the kernel image. Included from C and from assembly, so it holds only
 * preprocessor constants outside the __ASSEMBLY__ block.
 */
#ifndef ARCH_LAYOUT_H
#define ARCH_LAYOUT_H

/* The kernel image is loaded at 1 MiB physical and linked at -2 GiB + that. */
#define KERNEL_PHYS_BASE    0x100000
#define KERNEL_VMA          0xffffffff80000000

/* Direct map of all physical RAM. */
#define HHDM_BASE           0xffff800000000000

/* Kernel virtual area: heap growth, kernel stacks, MMIO mappings; 64 GiB each. */
#define KVA_BASE            0xffffc00000000000
#define KVA_HEAP_SLAB_BASE  0xffffc00000000000
#define KVA_HEAP_LARGE_BASE 0xffffc01000000000
#define KVA_STACKS_BASE     0xffffc02000000000
#define KVA_MMIO_BASE       0xffffc03000000000
#define KVA_MMIO_END        0xffffc04000000000
#define KVA_TEST_BASE       0xffffc04000000000  /* scratch space for in-guest tests */
#define KVA_REGION_SIZE     0x0000001000000000
#define KVA_END             0xffffff8000000000

/* The kernel half starts here: PML4 entries 256..511, shared by every address space. */
#define KERNEL_HALF_BASE    0xffff800000000000

/* User space: page 0 up to 4 MiB is never mapped; the last page below the canonical
 * hole is never mappable, because SYSRET to a non-canonical RIP faults in ring 0. */
#define USER_BASE           0x0000000000400000
#define USER_TOP            0x00007ffffffff000

/* The initial user stack (docs/ELF.md): the ELF loader maps it just below
 * USER_STACK_TOP, with an unmapped guard page below it, inside a region kept for it
 * alone: no ELF segment may lie in [USER_STACK_REGION_BASE, USER_STACK_TOP). What is
 * above the top (up to USER_TOP) is left for the process's own mappings. */
#define USER_STACK_TOP          0x00007fff00000000
#define USER_STACK_REGION_SIZE  0x0000000040000000      /* 1 GiB */
#define USER_STACK_REGION_BASE  (USER_STACK_TOP - USER_STACK_REGION_SIZE)

#define PAGE_SIZE           4096
#define PAGE_SHIFT          12
#define LARGE_PAGE_SIZE     0x200000

#ifndef __ASSEMBLY__
#include <stdint.h>
#include <stdbool.h>

static inline bool is_canonical(uint64_t va)
{
	/* Bits 63..47 must all equal bit 47 (4-level paging). */
	return ((int64_t)(va << 16) >> 16) == (int64_t)va;
}
#endif

#endif
