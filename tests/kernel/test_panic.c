/*
 * The panic path. panic.backtrace runs only when named: it panics on purpose three
 * calls deep, and the harness (tests/guest_configs.py) checks that the report shows the
 * registers and each of these functions by name, in order.
 */
#include <ktest.h>
#include <backtrace.h>
#include <ksyms.h>
#include <klib.h>
#include <panic.h>
#include <arch/regs.h>
#include <kubsan.h>

/* noinline and a volatile side effect keep each frame real. */
static volatile int depth;

static __noinline void panic_selftest_level3(void)
{
	depth = 3;
	panic("panic self-test at depth %d", depth);
}

static __noinline void panic_selftest_level2(void)
{
	depth = 2;
	panic_selftest_level3();
	depth = 0;
}

static __noinline void panic_selftest_level1(void)
{
	depth = 1;
	panic_selftest_level2();
	depth = 0;
}

KTEST_F(panic, backtrace, KTEST_EXPLICIT)
{
	panic_selftest_level1();
}

KTEST(ksyms, names_kernel_functions)
{
	uint64_t off = 1;
	const char *name = ksym_lookup((uint64_t)(uintptr_t)ksym_lookup, &off);

	KT_ASSERT(name != NULL);
	KT_EXPECT_STREQ(name, "ksym_lookup");
	KT_EXPECT_EQ(off, 0);
	name = ksym_lookup((uint64_t)(uintptr_t)panic + 3, &off);
	KT_ASSERT(name != NULL);
	KT_EXPECT_STREQ(name, "panic");
	KT_EXPECT_EQ(off, 3);
	KT_EXPECT(ksym_lookup(0x1000, &off) == NULL);
}

struct frames {
	const char *names[BACKTRACE_MAX_DEPTH];
	size_t n;
};

static void collect(void *ctx, uint64_t ret)
{
	struct frames *f = ctx;
	uint64_t off;

	f->names[f->n++] = ksym_lookup(ret - 1, &off);
}

static __noinline size_t walk_here(struct frames *f)
{
	uint64_t lo, hi, rbp = (uint64_t)(uintptr_t)__builtin_frame_address(0);

	if (!arch_stack_bounds(rbp, &lo, &hi))
		return 0;
	return backtrace_walk(rbp, lo, hi, BACKTRACE_MAX_DEPTH, collect, f);
}

KTEST(backtrace, walks_to_kmain)
{
	struct frames f = { 0 };
	bool runner = false, kmain = false;

	KT_ASSERT(walk_here(&f) >= 3);
	/* The first frame is this test, then the runner, ..., kmain. */
	KT_EXPECT(f.names[0] && strcmp(f.names[0], "ktest_fn_backtrace_walks_to_kmain") == 0);
	for (size_t i = 0; i < f.n; i++) {
		runner |= f.names[i] && strcmp(f.names[i], "ktest_run") == 0;
		kmain |= f.names[i] && strcmp(f.names[i], "kmain") == 0;
	}
	KT_EXPECT(runner);
	KT_EXPECT(kmain);
}

/* The stack protector: a function that writes past its buffer over its canary panics
 * when it returns, rather than returning through what the overflow wrote. */
static __noinline char overflow(size_t n)
{
	char buf[16];
	char *p = buf;

	__asm__ volatile("" : "+r"(p));         /* the compiler cannot see the bounds */
	for (size_t i = 0; i < n; i++)
		p[i] = (char)0x41;              /* past buf: the canary, then the frame */
	return buf[0];
}

static volatile size_t overflow_by = 40;        /* buf, padding, the canary */

KTEST_F(panic, stack_canary_overwritten, KTEST_EXPLICIT)
{
	overflow(overflow_by);
	ktest_fail_at(__FILE__, __LINE__, "returned through an overwritten canary");
}

/* The sanitizer's runtime fires (make UBSAN=1): signed overflow, a misaligned access,
 * an out-of-bounds shift and array index are each reported with a location. */
static volatile int big = 0x7fffffff, shift_by = 40, index_at = 5;

KTEST(ubsan, reports_each_kind_of_undefined_behaviour)
{
#if MNOS_UBSAN
	static const char *const want[] = {
		"signed addition overflow", "misaligned access", "shift out of bounds",
		"array index out of bounds",
	};
	uint64_t before = ubsan_reports(NULL);
	const char *kind;
	uint8_t buf[16] __aligned(8) = { 0 };
	struct { int a[4]; int more[4]; } s = { { 0 }, { 0 } };  /* a[5] is in the object */
	volatile int sink;

	ubsan_expect(true);
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		switch (i) {
		case 0: sink = big + 1; break;
		case 1: sink = (int)*(volatile uint32_t *)(buf + 1); break;
		case 2: sink = 1 << shift_by; break;
		case 3: sink = s.a[index_at & 7]; break;
		}
		KT_EXPECT_EQ(ubsan_reports(&kind), before + i + 1);
		KT_EXPECT(kind && strcmp(kind, want[i]) == 0);
	}
	ubsan_expect(false);
	(void)sink;
#else
	ktest_skip("built without UBSAN=1");
#endif
}

/* Outside the self-test a report is a panic that names the kind and the place; the
 * ubsan-bios-panic boot expects it, and the harness must recognize it as a report
 * (tests/run.py fails any other boot that shows one). */
KTEST_F(ubsan, report_panics, KTEST_EXPLICIT)
{
#if MNOS_UBSAN
	volatile int sink = big + 1;

	(void)sink;
	ktest_fail_at(__FILE__, __LINE__, "undefined behaviour did not panic");
#else
	ktest_skip("built without UBSAN=1");
#endif
}
