/*
 * kformat/ksnprintf against glibc's snprintf: every conversion, flag, width, precision
 * and length the kernel supports, a long randomized comparison, and truncation.
 * (%p is the one deliberate difference: always "0x" and 16 digits.)
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <kformat.h>
#include "host_rng.h"

/* Some cases below are malformed on purpose. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"

#define CHECK(fmt, ...)                                                              \
	do {                                                                         \
		char want[256], got[256];                                            \
		int wn = snprintf(want, sizeof(want), fmt, __VA_ARGS__);             \
		int gn = ksnprintf(got, sizeof(got), fmt, __VA_ARGS__);              \
		cr_expect_str_eq(got, want, "format \"%s\"", fmt);                   \
		cr_expect_eq(gn, wn, "format \"%s\": length %d, want %d", fmt, gn, wn); \
	} while (0)

Test(kprintf, integers)
{
	CHECK("%d %i %d %d", 0, 42, -42, INT_MIN);
	CHECK("%u %u", 0u, UINT_MAX);
	CHECK("%x %X %o", 0xdeadbeefu, 0xdeadbeefu, 0755u);
	CHECK("%ld %lu %lx", LONG_MIN, ULONG_MAX, 0x123456789abcdefUL);
	CHECK("%lld %llu %llX", LLONG_MIN, ULLONG_MAX, 0xfedcba9876543210ULL);
	CHECK("%zu %zd %zx", (size_t)SIZE_MAX, (ssize_t)-5, (size_t)0xabc);
	CHECK("%hd %hu %hhd %hhu %hx", (short)-3, (unsigned short)65535, (signed char)-1,
	      (unsigned char)200, (unsigned short)0xbeef);
	CHECK("%hd %hhu", 70000, 300);          /* promoted, then narrowed by h/hh */
	CHECK("%jd %td", (intmax_t)-9, (ptrdiff_t)77);
}

Test(kprintf, flags_width_precision)
{
	CHECK("[%5d] [%-5d] [%05d] [%+d] [% d] [%+5d] [%-+5d]", 42, 42, 42, 42, 42, 42, 42);
	CHECK("[%05d] [%-05d] [%5.3d] [%.0d] [%.0d] [%08.3d]", -42, -42, 7, 0, 1, 5);
	CHECK("[%#x] [%#X] [%#o] [%#x] [%#o] [%#10x] [%#010x]", 255u, 255u, 8u, 0u, 0u, 255u, 255u);
	CHECK("[%*d] [%-*d] [%*d] [%.*d]", 6, 1, 6, 1, -6, 1, 4, 3);
	CHECK("[%.*d]", -1, 12);                /* negative precision: as if omitted */
	CHECK("[%20llu] [%-20llx]", ULLONG_MAX, ULLONG_MAX);
}

Test(kprintf, strings_and_chars)
{
	CHECK("[%s] [%10s] [%-10s] [%.2s] [%10.2s] [%-10.2s]", "abc", "abc", "abc", "abc",
	      "abc", "abc");
	CHECK("[%.*s] [%.0s] [%s]", 3, "abcdef", "gone", "");
	CHECK("[%c] [%3c] [%-3c] [%%]", 'x', 'y', 'z');
	CHECK("plain text with no conversions%s", "");
}

Test(kprintf, pointer_and_null)
{
	char buf[64];

	ksnprintf(buf, sizeof(buf), "%p", (void *)0x1234);
	cr_expect_str_eq(buf, "0x0000000000001234");
	ksnprintf(buf, sizeof(buf), "[%-20p]", (void *)0xffffffff80000000ull);
	cr_expect_str_eq(buf, "[0xffffffff80000000  ]");
	ksnprintf(buf, sizeof(buf), "%s", (char *)NULL);
	cr_expect_str_eq(buf, "(null)");
}

Test(kprintf, unknown_and_truncated_conversions)
{
	char buf[64];

	cr_expect_eq(ksnprintf(buf, sizeof(buf), "a%qb"), 4);
	cr_expect_str_eq(buf, "a%qb");
	cr_expect_eq(ksnprintf(buf, sizeof(buf), "end%"), 4);
	cr_expect_str_eq(buf, "end%");
	cr_expect_eq(ksnprintf(buf, sizeof(buf), "%-08"), 4);
	cr_expect_str_eq(buf, "%-08");
}

Test(kprintf, truncation)
{
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	cr_expect_eq(ksnprintf(buf, 0, "%d", 123456), 6);
	cr_expect_eq(buf[0], 'Z');              /* size 0 writes nothing */
	cr_expect_eq(ksnprintf(buf, 1, "%d", 123456), 6);
	cr_expect_str_eq(buf, "");
	cr_expect_eq(ksnprintf(buf, sizeof(buf), "%d", 1234567), 7);
	cr_expect_str_eq(buf, "1234567");       /* exact fit */
	cr_expect_eq(ksnprintf(buf, sizeof(buf), "%s|%s", "abcdef", "ghij"), 11);
	cr_expect_str_eq(buf, "abcdef|");
	cr_expect_eq(buf[7], '\0');
}


/* 200,000 random specs: flags, width, precision, length and conversion, each value
 * drawn from edge cases and random bits; output and length must equal glibc's. */
Test(kprintf, randomized_against_libc)
{
	static const char *const flagsets[] = { "", "-", "0", "+", " ", "#", "-0", "+0",
						"-+", "# ", "0#", "-#+ 0" };
	static const char convs[] = "diuxXo";
	static const char *const lens[] = { "", "l", "ll", "h", "hh", "z" };
	static const int64_t edges[] = { 0, 1, -1, 7, 10, -10, 255, 256, INT32_MAX, INT32_MIN,
					 INT64_MAX, INT64_MIN, 0x7fff, -0x8000 };

	for (int i = 0; i < 200000; i++) {
		char fmt[32], want[128], got[128];
		int width = (int)(rng_next() % 25) - 2, prec = (int)(rng_next() % 25) - 2;
		char conv = convs[rng_next() % 6];
		const char *len = lens[rng_next() % 6];
		int64_t v = rng_next() % 3 ? edges[rng_next() % 14] : (int64_t)rng_next();

		snprintf(fmt, sizeof(fmt), "%%%s%s%s%s%s%c", flagsets[rng_next() % 12],
			 width >= 0 ? "*" : "", prec >= 0 ? "." : "", prec >= 0 ? "*" : "", len, conv);
		int wn, gn;
		/* Pass the argument with the type the length modifier reads. */
#define BOTH(arg)                                                                  \
		do {                                                               \
			if (width >= 0 && prec >= 0) {                             \
				wn = snprintf(want, sizeof(want), fmt, width, prec, arg); \
				gn = ksnprintf(got, sizeof(got), fmt, width, prec, arg);  \
			} else if (width >= 0) {                                   \
				wn = snprintf(want, sizeof(want), fmt, width, arg);  \
				gn = ksnprintf(got, sizeof(got), fmt, width, arg);   \
			} else if (prec >= 0) {                                    \
				wn = snprintf(want, sizeof(want), fmt, prec, arg);   \
				gn = ksnprintf(got, sizeof(got), fmt, prec, arg);    \
			} else {                                                   \
				wn = snprintf(want, sizeof(want), fmt, arg);         \
				gn = ksnprintf(got, sizeof(got), fmt, arg);          \
			}                                                          \
		} while (0)
		/* The '.*' and '*' appear in the order width, precision, so the spec above
		 * lists them that way. */
		if (len[0] == 'l' && len[1] == 'l')
			BOTH((long long)v);
		else if (len[0] == 'l' || len[0] == 'z')
			BOTH((long)v);
		else
			BOTH((int)v);
#undef BOTH
		cr_assert_str_eq(got, want, "format \"%s\" width %d prec %d value %lld", fmt,
				 width, prec, (long long)v);
		cr_assert_eq(gn, wn);
	}
}
