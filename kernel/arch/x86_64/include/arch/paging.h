/*
 * x86_64 4-level paging: entry bits (Intel SDM vol. 3A §4.5) and the PAT layout the
 * kernel programs. Only paging.c and the W^X audit look inside entries.
 */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include <types.h>

#define PTE_P           (1ull << 0)
#define PTE_W           (1ull << 1)
#define PTE_U           (1ull << 2)
#define PTE_PWT         (1ull << 3)
#define PTE_PCD         (1ull << 4)
#define PTE_A           (1ull << 5)
#define PTE_D           (1ull << 6)
#define PTE_PS          (1ull << 7)         /* in a PD or PDPT entry: a large page */
#define PTE_G           (1ull << 8)
#define PTE_NX          (1ull << 63)
#define PTE_ADDR        0x000ffffffffff000ull
#define PTE_ADDR_2M     0x000fffffffe00000ull
/* Software bits of an entry that points to a table (bits 62:52 are ignored there —
 * protection keys apply to leaves only): how many entries of that table are present,
 * 0..512, kept by paging.c so that it knows when a table empties without a scan. */
#define PTE_COUNT_SHIFT 52
#define PTE_COUNT       (0x3ffull << PTE_COUNT_SHIFT)
_Static_assert((PTE_COUNT & (PTE_ADDR | PTE_NX)) == 0, "the count is in ignored bits");
_Static_assert((PTE_COUNT >> PTE_COUNT_SHIFT) >= 512, "the count holds a whole table");

#define PT_ENTRIES      512

/*
 * PAT: entry 0 WB, 1 WC, 2 UC-, 3 UC, and the same again for 4..7. With the PAT bit
 * never set, PWT alone selects write-combining and PCD|PWT uncached, in 4 KiB and 2 MiB
 * entries alike.
 */
#define PAT_VALUE       0x0007010600070106ull
#define PTE_CACHE_WC    PTE_PWT
#define PTE_CACHE_UC    (PTE_PCD | PTE_PWT)

/* Index of va in the table at level lvl (4 = PML4 ... 1 = page table). */
static inline unsigned pt_index(uint64_t va, int lvl)
{
	return (unsigned)(va >> (12 + 9 * (lvl - 1))) & 511;
}

/* Bytes one entry at level lvl covers. */
static inline uint64_t pt_span(int lvl)
{
	return 1ull << (12 + 9 * (lvl - 1));
}

static inline void tlb_flush_all_nonglobal(void)
{
	uint64_t cr3;
	__asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) :: "memory");
}

#endif
