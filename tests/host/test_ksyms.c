/* Symbol lookup for backtraces (kernel/core/ksyms.c) over a synthetic table. */
#include <criterion/criterion.h>
#include <ksyms.h>

/* ksyms.c refers to the kernel's table; the host build gives it an empty one. */
const uint64_t ksym_count = 0;
const struct ksym ksym_table[1];
const char ksym_names[] = "";

static const char names[] = "alpha\0beta\0gamma\0";
static const struct ksym table[] = {
	{ 0x1000, 0x20, 0 },    /* alpha: 0x1000..0x101f */
	{ 0x1040, 0, 6 },       /* beta: size unknown, runs to the next symbol */
	{ 0x2000, 0x10, 11 },   /* gamma */
};

Test(ksyms, lookup)
{
	uint64_t off = 99;

	cr_expect_null(ksym_lookup_in(table, 3, names, 0xfff, &off));
	cr_expect_str_eq(ksym_lookup_in(table, 3, names, 0x1000, &off), "alpha");
	cr_expect_eq(off, 0);
	cr_expect_str_eq(ksym_lookup_in(table, 3, names, 0x101f, &off), "alpha");
	cr_expect_eq(off, 0x1f);
	cr_expect_null(ksym_lookup_in(table, 3, names, 0x1020, &off));  /* past alpha */
	cr_expect_str_eq(ksym_lookup_in(table, 3, names, 0x1fff, &off), "beta");
	cr_expect_eq(off, 0x1fff - 0x1040);
	cr_expect_str_eq(ksym_lookup_in(table, 3, names, 0x200f, &off), "gamma");
	cr_expect_null(ksym_lookup_in(table, 3, names, 0x2010, &off));
	cr_expect_null(ksym_lookup_in(table, 0, names, 0x1000, &off));
	cr_expect_null(ksym_lookup(0x1000, &off));      /* the empty kernel table */
}

Test(ksyms, every_address_in_a_large_table)
{
	static struct ksym big[1000];
	static char blob[1000 * 8];

	for (int i = 0; i < 1000; i++) {
		big[i] = (struct ksym){ 0x10000 + (uint64_t)i * 64, 48, (uint32_t)(i * 8) };
		snprintf(blob + i * 8, 8, "f%u", (unsigned)i % 1000);
	}
	for (uint64_t a = 0x10000; a < 0x10000 + 1000 * 64; a += 4) {
		uint64_t off;
		const char *n = ksym_lookup_in(big, 1000, blob, a, &off);
		uint64_t i = (a - 0x10000) / 64;
		if (a - 0x10000 - i * 64 < 48) {
			char want[8];
			snprintf(want, sizeof(want), "f%u", (unsigned)i % 1000);
			cr_assert_str_eq(n, want);
			cr_assert_eq(off, a - 0x10000 - i * 64);
		} else {
			cr_assert_null(n);
		}
	}
}
