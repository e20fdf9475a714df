/*
 * Memory map clean-up (memmap.h). Everything here works on copies with fixed capacity:
 * it runs before any allocator exists.
 */
#include <memmap.h>

/* [base, base+len) clipped to the physical limit; false if nothing is left. */
static bool clip(uint64_t base, uint64_t len, uint64_t *b, uint64_t *e)
{
	if (len == 0 || base >= MEMMAP_PHYS_LIMIT)
		return false;
	uint64_t end = len > MEMMAP_PHYS_LIMIT - base ? MEMMAP_PHYS_LIMIT : base + len;
	*b = base;
	*e = end;
	return true;
}

static void sort_ranges(struct mem_range *r, size_t n)
{
	/* Insertion sort: n is at most a few hundred and usually already sorted. */
	for (size_t i = 1; i < n; i++) {
		struct mem_range x = r[i];
		size_t j = i;
		while (j > 0 && r[j - 1].base > x.base) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = x;
	}
}

/* Sort and merge overlapping or touching ranges in place; returns the new count. */
static size_t normalize(struct mem_range *r, size_t n)
{
	size_t k = 0;

	sort_ranges(r, n);
	for (size_t i = 0; i < n; i++) {
		if (r[i].base >= r[i].end)
			continue;
		if (k > 0 && r[i].base <= r[k - 1].end) {
			if (r[i].end > r[k - 1].end)
				r[k - 1].end = r[i].end;
		} else {
			r[k++] = r[i];
		}
	}
	return k;
}

size_t memmap_subtract(struct mem_range *r, size_t n, size_t max, uint64_t base,
		       uint64_t end, bool *truncated)
{
	if (base >= end)
		return n;
	for (size_t i = 0; i < n; i++) {
		if (end <= r[i].base || base >= r[i].end)
			continue;
		if (base <= r[i].base && end >= r[i].end) {
			/* Covers the range: remove it. */
			for (size_t j = i; j + 1 < n; j++)
				r[j] = r[j + 1];
			n--;
			i--;
		} else if (base <= r[i].base) {
			r[i].base = end;                /* cuts the front */
		} else if (end >= r[i].end) {
			r[i].end = base;                /* cuts the back */
		} else {
			/* Inside: split in two. */
			if (n == max) {
				*truncated = true;
				r[i].end = base;        /* keep the lower part only */
				continue;
			}
			for (size_t j = n; j > i + 1; j--)
				r[j] = r[j - 1];
			r[i + 1] = (struct mem_range){ end, r[i].end };
			r[i].end = base;
			n++;
			i++;
		}
	}
	return n;
}

static size_t collect(const struct boot_mem_region *in, size_t n, uint32_t type_mask,
		      bool inward, struct mem_range *out, size_t max, bool *truncated)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t b, e;
		if (!(type_mask & (1u << in[i].type)) || !clip(in[i].base, in[i].length, &b, &e))
			continue;
		if (inward) {
			b = ALIGN_UP(b, (uint64_t)PAGE_SIZE);
			e = ALIGN_DOWN(e, (uint64_t)PAGE_SIZE);
		} else {
			b = ALIGN_DOWN(b, (uint64_t)PAGE_SIZE);
			e = ALIGN_UP(e, (uint64_t)PAGE_SIZE);
		}
		if (b >= e)
			continue;
		if (k == max) {
			/* Full: merge what we have to make room, then try again. */
			k = normalize(out, k);
			if (k == max) {
				*truncated = true;
				break;
			}
		}
		out[k++] = (struct mem_range){ b, e };
	}
	return normalize(out, k);
}

size_t memmap_usable(const struct boot_mem_region *in, size_t n, struct mem_range *out,
		     size_t max, bool *truncated)
{
	*truncated = false;
	size_t k = collect(in, n, 1u << BOOT_MEM_USABLE, true, out, max, truncated);

	for (size_t i = 0; i < n; i++) {
		uint64_t b, e;
		if (in[i].type == BOOT_MEM_USABLE || !clip(in[i].base, in[i].length, &b, &e))
			continue;
		k = memmap_subtract(out, k, max, ALIGN_DOWN(b, (uint64_t)PAGE_SIZE),
				    ALIGN_UP(e, (uint64_t)PAGE_SIZE), truncated);
	}
	return k;
}

size_t memmap_ram(const struct boot_mem_region *in, size_t n, struct mem_range *out,
		  size_t max, bool *truncated)
{
	*truncated = false;
	uint32_t mask = 1u << BOOT_MEM_USABLE | 1u << BOOT_MEM_ACPI_RECLAIM |
			1u << BOOT_MEM_ACPI_NVS;
	return collect(in, n, mask, false, out, max, truncated);
}
