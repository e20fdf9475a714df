/*
 * Memory map clean-up (kernel/mm/memmap.c): whatever firmware reports — overlapping,
 * unsorted, zero-length, unaligned, contradictory, huge — the result is sorted,
 * disjoint, page-aligned, and never usable where anything else is claimed.
 */
#include <criterion/criterion.h>
#include <memmap.h>

#define U BOOT_MEM_USABLE
#define R BOOT_MEM_RESERVED
#define A BOOT_MEM_ACPI_RECLAIM
#define N BOOT_MEM_ACPI_NVS

static struct mem_range out[64];
static bool trunc;

static bool sound(const struct mem_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r[i].base >= r[i].end || r[i].base % 4096 || r[i].end % 4096)
			return false;
		if (i && r[i].base <= r[i - 1].end)
			return false;           /* sorted, disjoint, not even touching */
	}
	return true;
}

Test(memmap, typical_pc_map)
{
	const struct boot_mem_region m[] = {
		{ 0, 0x9fc00, U }, { 0x9fc00, 0x400, R }, { 0xf0000, 0x10000, R },
		{ 0x100000, 0x1fee0000, U }, { 0x1ffe0000, 0x20000, R },
		{ 0xfffc0000, 0x40000, R }, { 0x100000000, 0x40000000, U },
	};
	size_t n = memmap_usable(m, 7, out, 64, &trunc);

	cr_assert_eq(n, 3);
	cr_expect(sound(out, n));
	cr_expect_eq(out[0].base, 0);
	cr_expect_eq(out[0].end, 0x9f000);              /* shrunk inward to whole pages */
	cr_expect_eq(out[1].base, 0x100000);
	cr_expect_eq(out[1].end, 0x1ffe0000);
	cr_expect_eq(out[2].base, 0x100000000);         /* above 4 GiB kept */
	cr_expect_eq(out[2].end, 0x140000000);
	cr_expect(!trunc);
}

Test(memmap, unsorted_overlapping_and_zero_length)
{
	const struct boot_mem_region m[] = {
		{ 0x300000, 0x100000, U }, { 0x100000, 0x180000, U }, { 0x200000, 0x180000, U },
		{ 0x500000, 0, U }, { 0x600000, 0, R }, { 0x280000, 0x1000, U },
	};
	size_t n = memmap_usable(m, 6, out, 64, &trunc);

	cr_assert_eq(n, 1);
	cr_expect_eq(out[0].base, 0x100000);            /* merged into one */
	cr_expect_eq(out[0].end, 0x400000);
}

Test(memmap, reserved_wins_over_usable)
{
	const struct boot_mem_region m[] = {
		{ 0x100000, 0x400000, U },
		{ 0x200800, 0x100, R },         /* unaligned, inside: cuts a whole page */
		{ 0x0, 0x180000, A },           /* overlaps the front */
		{ 0x4ff000, 0x10000, N },       /* overlaps the back */
	};
	size_t n = memmap_usable(m, 4, out, 64, &trunc);

	cr_assert_eq(n, 2);
	cr_expect(sound(out, n));
	cr_expect_eq(out[0].base, 0x180000);
	cr_expect_eq(out[0].end, 0x200000);
	cr_expect_eq(out[1].base, 0x201000);
	cr_expect_eq(out[1].end, 0x4ff000);
}

Test(memmap, tiny_and_unaligned_regions_vanish)
{
	const struct boot_mem_region m[] = {
		{ 0x1001, 0xffe, U },           /* no whole page inside */
		{ 0x5000, 0x1800, U },          /* one whole page */
		{ 0x10000, 0x1000, BOOT_MEM_BAD },
		{ 0x10000, 0x1000, U },         /* bad memory wins */
	};
	size_t n = memmap_usable(m, 4, out, 64, &trunc);

	cr_assert_eq(n, 1);
	cr_expect_eq(out[0].base, 0x5000);
	cr_expect_eq(out[0].end, 0x6000);
}

Test(memmap, huge_and_wrapping_regions_are_clipped)
{
	const struct boot_mem_region m[] = {
		{ 0xfffffffffffff000ull, 0x2000, U },       /* wraps past 2^64 */
		{ 1ull << 53, 0x1000, U },                   /* beyond 52-bit physical */
		{ (1ull << 52) - 0x2000, 0x100000, U },      /* straddles the limit */
	};
	size_t n = memmap_usable(m, 3, out, 64, &trunc);

	cr_assert_eq(n, 1);
	cr_expect_eq(out[0].base, (1ull << 52) - 0x2000);
	cr_expect_eq(out[0].end, 1ull << 52);
}

Test(memmap, almost_no_memory)
{
	const struct boot_mem_region m[] = { { 0x100000, 0x1000, U }, { 0, 0x100000, R } };

	cr_expect_eq(memmap_usable(m, 2, out, 64, &trunc), 1);
	cr_expect_eq(memmap_usable(m, 0, out, 64, &trunc), 0);
	const struct boot_mem_region none[] = { { 0, 0x100000000, R } };
	cr_expect_eq(memmap_usable(none, 1, out, 64, &trunc), 0);
}

Test(memmap, ram_for_the_direct_map)
{
	const struct boot_mem_region m[] = {
		{ 0x100000, 0x100000, U }, { 0x200000, 0x800, A }, { 0x300100, 0x100, N },
		{ 0xfd000000, 0x1000000, R },
	};
	size_t n = memmap_ram(m, 4, out, 64, &trunc);

	cr_assert_eq(n, 2);
	cr_expect_eq(out[0].base, 0x100000);
	cr_expect_eq(out[0].end, 0x201000);     /* usable + ACPI, grown outward, merged */
	cr_expect_eq(out[1].base, 0x300000);
	cr_expect_eq(out[1].end, 0x301000);
}

Test(memmap, subtract_splits_and_reports_overflow)
{
	struct mem_range r[3] = { { 0x0, 0x10000 } };
	bool t = false;
	size_t n = memmap_subtract(r, 1, 3, 0x4000, 0x5000, &t);

	cr_assert_eq(n, 2);
	cr_expect_eq(r[0].end, 0x4000);
	cr_expect_eq(r[1].base, 0x5000);
	n = memmap_subtract(r, n, 3, 0x8000, 0x9000, &t);
	cr_assert_eq(n, 3);
	n = memmap_subtract(r, n, 3, 0xa000, 0xb000, &t);   /* needs a 4th slot */
	cr_expect(t);
	cr_expect_eq(n, 3);
	cr_expect_eq(r[2].end, 0xa000);         /* kept the lower part: never usable too much */
	n = memmap_subtract(r, n, 3, 0, 0x100000, &t);       /* everything */
	cr_expect_eq(n, 0);
}

/* Random maps against a page-by-page model over 64 MiB: a page is usable exactly when a
 * usable region covers it whole and no other region touches it. */
Test(memmap, random_maps_against_model)
{
	static struct boot_mem_region m[40];
	static bool model[16384];
	uint64_t s = 7;

	for (int iter = 0; iter < 3000; iter++) {
		size_t k = 1 + iter % 40;
		for (size_t i = 0; i < k; i++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			uint64_t base = (s >> 20) % (64ull << 20);
			uint64_t len = (s >> 44) % (8ull << 20);
			uint32_t type = (s >> 10) % 3 == 0 ? (uint32_t)(2 + (s >> 5) % 4) : U;
			m[i] = (struct boot_mem_region){ base, len, type };
		}
		for (size_t p = 0; p < 16384; p++) {
			uint64_t b = p * 4096, e = b + 4096;
			bool covered = false, other = false;
			for (size_t i = 0; i < k; i++) {
				uint64_t rb = m[i].base, re = m[i].base + m[i].length;
				if (m[i].length == 0)
					continue;
				if (m[i].type == U && rb <= b && re >= e)
					covered = true;
				if (m[i].type != U && rb < e && re > b)
					other = true;
			}
			model[p] = covered && !other;
		}
		size_t n = memmap_usable(m, k, out, 64, &trunc);
		cr_assert(sound(out, n));
		if (trunc)
			continue;
		size_t j = 0;
		for (size_t p = 0; p < 16384; p++) {
			uint64_t b = p * 4096;
			while (j < n && out[j].end <= b)
				j++;
			bool got = j < n && out[j].base <= b;
			cr_assert_eq(got, model[p], "iteration %d page %zu", iter, p);
		}
	}
}
