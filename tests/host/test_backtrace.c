/* The frame-pointer walker (kernel/core/backtrace.c) on synthetic stacks, including
 * corrupted ones: it must stop, never read outside the stack, never loop. */
#include <criterion/criterion.h>
#include <string.h>
#include <backtrace.h>

struct seen {
	uint64_t ret[64];
	size_t n;
};

static void record(void *ctx, uint64_t ret)
{
	struct seen *s = ctx;
	s->ret[s->n++] = ret;
}

/* A stack of 64 words; frames at the given word indexes, chained upward. */
static uint64_t stack[64];

static uint64_t addr(int word)
{
	return (uint64_t)(uintptr_t)&stack[word];
}

static size_t walk(uint64_t rbp, size_t max, struct seen *s)
{
	return backtrace_walk(rbp, addr(0), addr(64), max, record, s);
}

Test(backtrace, follows_a_good_chain)
{
	struct seen s = { 0 };

	memset(stack, 0, sizeof(stack));
	stack[4] = addr(10); stack[5] = 0xaaa;
	stack[10] = addr(20); stack[11] = 0xbbb;
	stack[20] = 0; stack[21] = 0xccc;       /* outermost: next frame pointer 0 */
	cr_expect_eq(walk(addr(4), 32, &s), 3);
	cr_expect_eq(s.ret[0], 0xaaa);
	cr_expect_eq(s.ret[1], 0xbbb);
	cr_expect_eq(s.ret[2], 0xccc);
}

Test(backtrace, stops_on_loops_and_downward_links)
{
	struct seen s = { 0 };

	memset(stack, 0, sizeof(stack));
	stack[4] = addr(10); stack[5] = 1;
	stack[10] = addr(4); stack[11] = 2;     /* points back down: a loop */
	cr_expect_eq(walk(addr(4), 32, &s), 2);
	s.n = 0;
	stack[10] = addr(10);                   /* points to itself */
	cr_expect_eq(walk(addr(4), 32, &s), 2);
}

Test(backtrace, stays_inside_the_stack)
{
	struct seen s = { 0 };

	memset(stack, 0, sizeof(stack));
	stack[4] = addr(63); stack[5] = 1;      /* next frame would straddle the top */
	cr_expect_eq(walk(addr(4), 32, &s), 1);
	stack[4] = addr(64) + 64;               /* above the stack */
	s.n = 0;
	cr_expect_eq(walk(addr(4), 32, &s), 1);
	s.n = 0;
	cr_expect_eq(walk(addr(4) + 4, 32, &s), 0);     /* misaligned start */
	cr_expect_eq(walk(addr(0) - 16, 32, &s), 0);    /* below the stack */
	cr_expect_eq(walk(0, 32, &s), 0);
	stack[8] = addr(12); stack[9] = 0;      /* zero return address ends the walk */
	cr_expect_eq(walk(addr(8), 32, &s), 0);
}

Test(backtrace, honours_max_depth)
{
	struct seen s = { 0 };

	memset(stack, 0, sizeof(stack));
	for (int w = 0; w < 60; w += 2) {
		stack[w] = addr(w + 2);
		stack[w + 1] = 100 + (uint64_t)w;
	}
	cr_expect_eq(walk(addr(0), 5, &s), 5);
	cr_expect_eq(s.ret[4], 108);
}
