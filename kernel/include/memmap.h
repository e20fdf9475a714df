/*
 * Turning the boot loader's memory map into clean physical ranges. Firmware maps can be
 * unsorted, overlapping, unaligned, zero-length or contradictory; these functions give
 * sorted, disjoint, page-aligned half-open ranges. Pure logic (tests/host/test_memmap.c).
 */
#ifndef MEMMAP_H
#define MEMMAP_H

#include <types.h>
#include <bootinfo.h>

/* Physical addresses above this are ignored (x86_64 allows at most 52 bits). */
#define MEMMAP_PHYS_LIMIT (1ull << 52)

struct mem_range {
	uint64_t base;
	uint64_t end;           /* exclusive */
};

/*
 * Usable RAM: regions of type BOOT_MEM_USABLE shrunk inward to whole pages, with every
 * other region (grown outward to whole pages) cut out of them — where firmware claims a
 * page is both usable and reserved, reserved wins. Returns the number of ranges written
 * (at most max); *truncated is set when more would have been needed.
 */
size_t memmap_usable(const struct boot_mem_region *in, size_t n, struct mem_range *out,
		     size_t max, bool *truncated);

/* RAM the kernel should reach through the direct map: usable, ACPI reclaimable and ACPI
 * NVS regions, grown outward to whole pages, merged. */
size_t memmap_ram(const struct boot_mem_region *in, size_t n, struct mem_range *out,
		  size_t max, bool *truncated);

/* Remove [base, end) from a sorted, disjoint list of n ranges (capacity max); returns
 * the new count. A range split in two needs one more slot; without it, *truncated. */
size_t memmap_subtract(struct mem_range *r, size_t n, size_t max, uint64_t base,
		       uint64_t end, bool *truncated);

#endif
