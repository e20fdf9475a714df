/*
 * libmnos's pure parts on the host under ASan and UBSan (docs/USERSPACE.md): the
 * allocator (user/lib/malloc.c) against a model through random alloc/free/realloc
 * sequences, with every chunk checked after every step; its misuse detection and
 * exhaustion; the string and conversion functions (user/lib/string.c) and snprintf
 * (user/lib/format.c) against the C library's.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include "libmnos_names.h"              /* libmnos's functions as mnos_host_<name> */
#include <mnos/malloc.h>
#include <mnos/string.h>
#include <mnos/stdio.h>
#define LIBMNOS_UNNAME
#include "libmnos_names.h"              /* plain names: the C library's again */
#include "host_rng.h"

/* Truncation is what some cases below test. */
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#pragma GCC diagnostic ignored "-Wformat-truncation"

static void rng_seed(uint64_t s)
{
	rng = 0x9e3779b97f4a7c15ull ^ (s * 0x2545f4914f6cdd1dull);
}

static unsigned rng_below(unsigned n)
{
	return (unsigned)(rng_next() % n);
}

/* ---- the allocator ---- */

/* Memory the grow callback hands out: slices of one buffer (contiguous, one arena), or
 * separate regions (every grow a new arena), up to a limit. */
struct pool {
	uint8_t *mem;
	size_t size, used, step;
	bool scattered;
	uint8_t *regions[MHEAP_MAX_ARENAS + 4];
	unsigned nregions;
};

struct fails {
	unsigned n;
	const char *what;
	const void *ptr;
};

static struct fails fails;

static void on_fail(void *ctx, const char *what, const void *ptr)
{
	fails.n++;
	fails.what = what;
	fails.ptr = ptr;
}

static void *grow(void *ctx, size_t min, size_t *got)
{
	struct pool *p = ctx;
	size_t n = min > p->step ? (min + 15) / 16 * 16 : p->step;

	if (p->used + n > p->size)
		return NULL;
	p->used += n;
	*got = n;
	if (p->scattered) {
		if (p->nregions == sizeof(p->regions) / sizeof(p->regions[0]))
			return NULL;
		uint8_t *r = aligned_alloc(16, n);
		p->regions[p->nregions++] = r;
		return r;
	}
	return p->mem + p->used - n;
}

static void pool_init(struct pool *p, struct mheap *h, size_t size, size_t step, bool scattered)
{
	memset(p, 0, sizeof(*p));
	p->size = size;
	p->step = step;
	p->scattered = scattered;
	if (!scattered)
		p->mem = aligned_alloc(16, size);
	mheap_init(h, grow, on_fail, p);
	memset(&fails, 0, sizeof(fails));
}

static void pool_fini(struct pool *p)
{
	free(p->mem);
	for (unsigned i = 0; i < p->nregions; i++)
		free(p->regions[i]);
}

/* The fixture of the small tests: a 1 MiB pool grown 64 KiB at a time. */
static struct mheap small;
static struct pool small_pool;

static void small_init(void)
{
	pool_init(&small_pool, &small, 1u << 20, 65536, false);
}

static void small_fini(void)
{
	pool_fini(&small_pool);
}

struct blk {
	uint8_t *p;
	size_t n;
	uint8_t fill;
};

static bool intact(const struct blk *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->p[i] != (uint8_t)(b->fill + i))
			return false;
	return true;
}

static void paint(struct blk *b, uint8_t fill)
{
	b->fill = fill;
	for (size_t i = 0; i < b->n; i++)
		b->p[i] = (uint8_t)(fill + i);
}

static size_t rand_size(void)
{
	switch (rng_below(8)) {
	case 0:
		return 0;
	case 1:
		return rng_below(4096) + 1;
	case 2:
		return rng_below(40000) + 1;
	default:
		return rng_below(200) + 1;
	}
}

/* Random operations against a model: every live block keeps its bytes (no overlap, no
 * corruption), is aligned and large enough, and the heap's structure checks out. */
static void random_ops(bool scattered, size_t pool_size, size_t step, unsigned steps)
{
	enum { LIVE = 400 };
	static struct blk live[LIVE];
	struct mheap h;
	struct pool p;
	unsigned nlive = 0, nulls = 0;

	pool_init(&p, &h, pool_size, step, scattered);
	for (unsigned s = 0; s < steps; s++) {
		unsigned op = rng_below(10);
		if (nlive < LIVE && (op < 5 || nlive == 0)) {
			struct blk b = { .n = rand_size() };
			b.p = rng_below(4) ? mheap_alloc(&h, b.n) : mheap_calloc(&h, 1, b.n);
			if (!b.p) {
				nulls++;
				continue;
			}
			cr_assert_eq((uintptr_t)b.p % 16, 0);
			cr_assert_geq(mheap_usable(&h, b.p), b.n);
			paint(&b, (uint8_t)rng_below(256));
			live[nlive++] = b;
		} else if (op < 8) {
			unsigned i = rng_below(nlive);
			cr_assert(intact(&live[i]), "block %u corrupted", i);
			mheap_free(&h, live[i].p);
			live[i] = live[--nlive];
		} else {
			unsigned i = rng_below(nlive);
			size_t n = rand_size();
			if (n == 0)
				n = 1;
			uint8_t *q = mheap_realloc(&h, live[i].p, n);
			if (!q) {
				nulls++;
				cr_assert(intact(&live[i]), "failed realloc changed the block");
				continue;
			}
			cr_assert_eq((uintptr_t)q % 16, 0);
			size_t keep = n < live[i].n ? n : live[i].n;
			for (size_t k = 0; k < keep; k++)
				cr_assert_eq(q[k], (uint8_t)(live[i].fill + k), "realloc lost byte %zu", k);
			live[i].p = q;
			live[i].n = n;
			paint(&live[i], (uint8_t)rng_below(256));
		}
		if (s % 16 == 0)
			cr_assert(mheap_check(&h), "heap check: %s", fails.what);
	}
	for (unsigned i = 0; i < nlive; i++) {
		cr_assert(intact(&live[i]));
		mheap_free(&h, live[i].p);
	}
	cr_assert(mheap_check(&h));
	cr_assert_eq(h.used, 0);
	cr_assert_eq(h.nblocks, 0);
	cr_assert_eq(fails.n, 0, "unexpected failure report: %s", fails.what);
	/* Everything freed coalesces back: one free chunk per arena. */
	unsigned free_chunks = 0;
	for (unsigned b = 0; b < MHEAP_BINS; b++)
		for (void **c = h.bins[b]; c; c = (void **)c[2])
			free_chunks++;
	cr_assert_eq(free_chunks, h.narenas);
	if (pool_size < (64u << 20))
		cr_assert_gt(nulls, 0, "the small pool never ran out");
	pool_fini(&p);
}

Test(malloc, random_sequences_one_arena)
{
	rng_seed(1);
	random_ops(false, 64u << 20, 64 * 1024, 40000);
}

Test(malloc, random_sequences_many_arenas)
{
	rng_seed(2);
	random_ops(true, 64u << 20, 256 * 1024, 20000);
}

Test(malloc, random_sequences_until_exhausted)
{
	rng_seed(3);
	random_ops(false, 1u << 20, 16 * 1024, 30000);
}

Test(malloc, exhaustion_returns_null_and_recovers)
{
	struct mheap h;
	struct pool p;
	void *blocks[4096];
	unsigned n = 0;

	pool_init(&p, &h, 256 * 1024, 4096, false);
	while (n < 4096 && (blocks[n] = mheap_alloc(&h, 1000)))
		n++;
	cr_assert(n > 200 && n < 4096);
	cr_assert_null(mheap_alloc(&h, 1000));
	cr_assert_null(mheap_alloc(&h, 1u << 30));
	cr_assert_null(mheap_alloc(&h, SIZE_MAX));
	cr_assert_null(mheap_alloc(&h, MHEAP_MAX_REQUEST + 1));
	cr_assert_null(mheap_calloc(&h, SIZE_MAX / 2, 3));           /* overflows */
	cr_assert_null(mheap_realloc(&h, blocks[0], 1u << 30));
	cr_assert(mheap_check(&h));
	mheap_free(&h, blocks[--n]);
	cr_assert_not_null(blocks[n] = mheap_alloc(&h, 1000));      /* reused */
	n++;
	while (n)
		mheap_free(&h, blocks[--n]);
	cr_assert(mheap_check(&h));
	cr_assert_not_null(mheap_alloc(&h, 200 * 1024));            /* all coalesced */
	cr_assert_eq(fails.n, 0);
	pool_fini(&p);
}

Test(malloc, zero_size_and_alignment, .init = small_init, .fini = small_fini)
{
	struct mheap *h = &small;

	void *a = mheap_alloc(h, 0), *b = mheap_alloc(h, 0);
	cr_assert(a && b && a != b);
	for (size_t n = 1; n < 300; n++) {
		uint8_t *q = mheap_alloc(h, n);
		cr_assert_eq((uintptr_t)q % 16, 0);
		memset(q, 0xaa, n);
	}
	cr_assert(mheap_check(h));
}

Test(malloc, realloc_in_place_and_moving, .init = small_init, .fini = small_fini)
{
	struct mheap *h = &small;

	uint8_t *a = mheap_alloc(h, 100);
	memset(a, 7, 100);
	/* The rest of the arena is free after it: growing stays in place. */
	uint8_t *b = mheap_realloc(h, a, 5000);
	cr_assert_eq(a, b);
	cr_assert_eq(b[99], 7);
	/* Shrinking stays in place and frees the tail for others. */
	cr_assert_eq(mheap_realloc(h, b, 50), b);
	uint8_t *c = mheap_alloc(h, 1000);
	cr_assert(c > b && c < b + 5000);
	/* Growing past a live neighbour moves, keeping the bytes. */
	uint8_t *d = mheap_realloc(h, b, 3000);
	cr_assert_neq(d, b);
	for (int i = 0; i < 50; i++)
		cr_assert_eq(d[i], 7);
	cr_assert_null(mheap_realloc(h, d, 0));        /* frees */
	cr_assert_not_null(b = mheap_realloc(h, NULL, 10));
	cr_assert(mheap_check(h));
	cr_assert_eq(h->nblocks, 2);
	cr_assert_eq(fails.n, 0);
}

Test(malloc, misuse_is_detected_and_ignored, .init = small_init, .fini = small_fini)
{
	struct mheap *h = &small;
	static uint8_t outside[64] __attribute__((aligned(16)));

	uint8_t *a = mheap_alloc(h, 64), *b = mheap_alloc(h, 64), *c = mheap_alloc(h, 64);
	mheap_free(h, b);
	mheap_free(h, b);
	cr_assert_eq(fails.n, 1);
	cr_assert_str_eq(fails.what, "double free");
	cr_assert_eq(fails.ptr, b);
	/* Freed and merged into its free neighbour: still a double free. */
	mheap_free(h, c);
	mheap_free(h, c);
	cr_assert_str_eq(fails.what, "double free");
	mheap_free(h, a + 16);
	cr_assert_eq(fails.n, 3);
	cr_assert_str_eq(fails.what, "free of a pointer that is not a block (or a corrupt heap)");
	mheap_free(h, a + 1);
	cr_assert_str_eq(fails.what, "free of a pointer outside the heap");
	mheap_free(h, outside + 16);
	cr_assert_eq(fails.n, 5);
	cr_assert_str_eq(fails.what, "free of a pointer outside the heap");
	cr_assert_null(mheap_realloc(h, b, 10));
	cr_assert_str_eq(fails.what, "realloc of a freed block");
	cr_assert_eq(mheap_usable(h, b), 0);
	cr_assert_eq(mheap_usable(h, outside), 0);
	cr_assert_geq(mheap_usable(h, a), 64);
	/* None of that changed the heap. */
	cr_assert_eq(h->nblocks, 1);
	cr_assert(mheap_check(h));
	mheap_free(h, a);
	cr_assert(mheap_check(h));
	cr_assert_eq(fails.n, 6);
}

Test(malloc, corruption_is_found_by_the_check, .init = small_init, .fini = small_fini)
{
	struct mheap *h = &small;

	uint64_t *a = mheap_alloc(h, 32);
	mheap_alloc(h, 32);
	a[4] = 12345;                   /* overruns into the next chunk's header */
	cr_assert_not(mheap_check(h));
	cr_assert_eq(fails.n, 1);
}

/* ---- strings ---- */

static void random_string(char *s, size_t n, const char *alphabet)
{
	size_t k = strlen(alphabet);

	for (size_t i = 0; i < n; i++)
		s[i] = alphabet[rng_below(k)];
	s[n] = '\0';
}

Test(string, searches_match_libc)
{
	char s[64], set[8], needle[6];

	rng_seed(4);
	for (int it = 0; it < 20000; it++) {
		random_string(s, rng_below(40), "abcde");
		random_string(set, rng_below(4), "abcdef");
		random_string(needle, rng_below(4), "abc");
		int c = "abcdef\0"[rng_below(7)];
		size_t n = strlen(s);
		cr_assert_eq(mnos_host_strspn(s, set), strspn(s, set));
		cr_assert_eq(mnos_host_strcspn(s, set), strcspn(s, set));
		cr_assert_eq(mnos_host_strpbrk(s, set), strpbrk(s, set));
		cr_assert_eq(mnos_host_strstr(s, needle), strstr(s, needle), "%s in %s", needle, s);
		cr_assert_eq(mnos_host_strrchr(s, c), strrchr(s, c));
		cr_assert_eq(mnos_host_memchr(s, c, n), memchr(s, c, n));
	}
}

Test(string, copies_and_concatenation)
{
	char a[16], b[16];

	memset(a, 'x', sizeof(a));
	memset(b, 'x', sizeof(b));
	cr_assert_eq(mnos_host_strncpy(a, "abc", 8), a);
	strncpy(b, "abc", 8);
	cr_assert_arr_eq(a, b, sizeof(a));              /* padded with NULs to 8 */
	mnos_host_strncpy(a, "abcdefghij", 4);
	strncpy(b, "abcdefghij", 4);
	cr_assert_arr_eq(a, b, sizeof(a));              /* not terminated */
	mnos_host_strcpy(a, "one");
	mnos_host_strcat(a, "two");
	cr_assert_str_eq(a, "onetwo");
	mnos_host_strncat(a, "threefour", 5);
	cr_assert_str_eq(a, "onetwothree");
	cr_assert_eq(mnos_host_strlcat(a, "12345", sizeof(a)), 16);
	cr_assert_str_eq(a, "onetwothree1234");
	cr_assert_eq(mnos_host_strlcat(a, "z", 4), 4 + 1);     /* no NUL in the first 4 */
	char *d = mnos_host_strdup("hello");
	cr_assert_str_eq(d, "hello");
	free(d);
	d = mnos_host_strndup("hello", 3);
	cr_assert_str_eq(d, "hel");
	free(d);
}

/* memcpy, memset and memmove (kernel/lib/string.c, which this binary links in place of
 * the C library's) move whole words and then the last bytes: every length and alignment
 * across a few words, with the bytes around the destination left as they were. Built
 * byte by byte here, not with the functions under test. */
Test(string, word_copies_every_length_and_alignment)
{
	uint8_t src[96], dst[96], want[96];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 1);
	for (size_t so = 0; so < 8; so++)
		for (size_t doff = 0; doff < 8; doff++)
			for (size_t n = 0; n <= 64 + 9; n++) {
				for (size_t i = 0; i < sizeof(dst); i++)
					dst[i] = want[i] = 0xee;
				for (size_t i = 0; i < n; i++)
					want[doff + 8 + i] = src[so + i];
				cr_assert_eq(memcpy(dst + doff + 8, src + so, n), dst + doff + 8);
				cr_assert_arr_eq(dst, want, sizeof(dst), "memcpy %zu at %zu/%zu", n,
						 doff, so);
				for (size_t i = 0; i < n; i++)
					want[doff + 8 + i] = (uint8_t)(0xa5 ^ so);
				cr_assert_eq(memset(dst + doff + 8, (int)(0xa5 ^ so) - 256, n),
					     dst + doff + 8);     /* only the low byte counts */
				cr_assert_arr_eq(dst, want, sizeof(dst), "memset %zu at %zu", n, doff);
			}
	/* memmove in both directions over itself. */
	for (size_t i = 0; i < sizeof(dst); i++)
		dst[i] = want[i] = (uint8_t)i;
	memmove(dst + 3, dst, 40);
	for (size_t i = 0; i < 40; i++)
		want[3 + i] = (uint8_t)i;
	cr_assert_arr_eq(dst, want, sizeof(dst));
	memmove(dst, dst + 11, 50);
	for (size_t i = 0; i < 50; i++)
		want[i] = want[11 + i];
	cr_assert_arr_eq(dst, want, sizeof(dst));
}

/* Against strtok (C17 has no strtok_r): the same tokens at the same places. */
Test(string, strtok_r_matches_libc)
{
	char s1[64], s2[64], delim[4];

	rng_seed(5);
	for (int it = 0; it < 5000; it++) {
		random_string(s1, rng_below(40), "ab ,;");
		random_string(delim, rng_below(3) + 1, " ,;");
		strcpy(s2, s1);
		char *save1 = NULL;
		char *t1 = mnos_host_strtok_r(s1, delim, &save1);
		char *t2 = strtok(s2, delim);
		for (;;) {
			cr_assert_eq(t1 ? t1 - s1 : -1, t2 ? t2 - s2 : -1);
			if (!t1 || !t2)
				break;
			cr_assert_str_eq(t1, t2);
			t1 = mnos_host_strtok_r(NULL, delim, &save1);
			t2 = strtok(NULL, delim);
		}
	}
}

Test(string, ctype_matches_libc)
{
	for (int c = -1; c < 256; c++) {
		cr_assert_eq(!!mnos_host_isdigit(c), !!isdigit(c), "%d", c);
		cr_assert_eq(!!mnos_host_isxdigit(c), !!isxdigit(c), "%d", c);
		cr_assert_eq(!!mnos_host_isspace(c), !!isspace(c), "%d", c);
		cr_assert_eq(!!mnos_host_isalpha(c), !!isalpha(c), "%d", c);
		cr_assert_eq(!!mnos_host_isalnum(c), !!isalnum(c), "%d", c);
		cr_assert_eq(!!mnos_host_isupper(c), !!isupper(c), "%d", c);
		cr_assert_eq(!!mnos_host_islower(c), !!islower(c), "%d", c);
		cr_assert_eq(!!mnos_host_isprint(c), !!isprint(c), "%d", c);
		cr_assert_eq(!!mnos_host_isgraph(c), !!isgraph(c), "%d", c);
		cr_assert_eq(!!mnos_host_ispunct(c), !!ispunct(c), "%d", c);
		cr_assert_eq(!!mnos_host_iscntrl(c), !!iscntrl(c), "%d", c);
		cr_assert_eq(mnos_host_toupper(c), toupper(c), "%d", c);
		cr_assert_eq(mnos_host_tolower(c), tolower(c), "%d", c);
	}
}

static void check_conversions(const char *s, int base)
{
	char *e1, *e2;

	cr_assert_eq(mnos_host_strtoul(s, &e1, base), strtoul(s, &e2, base), "strtoul(\"%s\", %d)", s, base);
	cr_assert_eq(e1, e2, "strtoul(\"%s\", %d) end", s, base);
	cr_assert_eq(mnos_host_strtol(s, &e1, base), strtol(s, &e2, base), "strtol(\"%s\", %d)", s, base);
	cr_assert_eq(e1, e2, "strtol(\"%s\", %d) end", s, base);
	cr_assert_eq(mnos_host_strtoll(s, &e1, base), strtoll(s, &e2, base), "strtoll(\"%s\", %d)", s, base);
	cr_assert_eq(e1, e2);
	cr_assert_eq(mnos_host_strtoull(s, &e1, base), strtoull(s, &e2, base), "strtoull(\"%s\", %d)", s, base);
	cr_assert_eq(e1, e2);
	if (base == 10) {
		long v = strtol(s, NULL, 10);
		if (v >= INT_MIN && v <= INT_MAX)
			cr_assert_eq(mnos_host_atoi(s), atoi(s), "atoi(\"%s\")", s);
		cr_assert_eq(mnos_host_atol(s), atol(s));
	}
}

Test(string, conversions_match_libc)
{
	static const char *const cases[] = {
		"", " ", "0", "-0", "+0", "42", "  -42xyz", "+-1", "-+1", "0x", "0x1f", "0X1F",
		"0xg", "0x 1", "077", "08", "0b101", "z", "Zz", "\t\n 123", "-",
		"18446744073709551615", "18446744073709551616", "-18446744073709551615",
		"-18446744073709551616", "9223372036854775807", "9223372036854775808",
		"-9223372036854775808", "-9223372036854775809", "99999999999999999999999",
		"0xffffffffffffffff", "0x10000000000000000", "-0x1", "1e5", "2147483648",
		"-2147483649", "zzzzzzzzzzzzzz", "7fffffffffffffff",
	};
	static const int bases[] = { 0, 2, 8, 10, 16, 36 };
	char s[40];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
			check_conversions(cases[i], bases[b]);
	rng_seed(6);
	for (int it = 0; it < 20000; it++) {
		random_string(s, rng_below(24), " +-0123456789abcdefxXzZ");
		check_conversions(s, (int)"\0\2\10\12\20\44"[rng_below(6)]);
	}
	/* An invalid base converts nothing. */
	char *end;
	cr_assert_eq(mnos_host_strtoul("12", &end, 1), 0);
	cr_assert_str_eq(end, "12");
	cr_assert_eq(mnos_host_strtol("12", &end, 37), 0);
	cr_assert_str_eq(end, "12");
}

/* ---- snprintf (kformat underneath: tests/host/test_kprintf.c covers the conversions) */

Test(format, snprintf_truncates_and_counts)
{
	char got[8], want[8];

	for (size_t size = 0; size <= sizeof(got); size++) {
		memset(got, 'x', sizeof(got));
		memset(want, 'x', sizeof(want));
		int g = mnos_host_snprintf(got, size, "%s-%d", "abc", -123);
		int w = snprintf(want, size, "%s-%d", "abc", -123);
		cr_assert_eq(g, w);
		cr_assert_arr_eq(got, want, sizeof(got), "size %zu", size);
	}
	cr_assert_eq(mnos_host_snprintf(NULL, 0, "%08x|%-4s|%c", 0xbeefu, "ab", 'z'), 15);
	char buf[32];
	mnos_host_snprintf(buf, sizeof(buf), "%08x|%-4s|%c", 0xbeefu, "ab", 'z');
	cr_assert_str_eq(buf, "0000beef|ab  |z");
}
