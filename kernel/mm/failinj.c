/*
 * Fault injection (failinj.h): the per-thread countdown the allocators consult while
 * some thread is armed. The hooks themselves are in heap.c (kmalloc), pmm.c (frames),
 * kstack.c (kernel stacks) and cap.c (quotas); heap_backend.c and kstack.c keep their
 * own refills quiet.
 */
#include <failinj.h>
#include <backtrace.h>
#include <klib.h>
#include <arch/regs.h>
#include <thread.h>

uint32_t failinj_threads;

/* Walking the frames: the first is failinj_should_fail's own, in the allocator's inline
 * hook, so it is skipped and the trace starts at the allocator. */
struct trace_ctx {
	uint64_t *out;
	size_t n;
};

static void trace_one(void *ctx, uint64_t ret)
{
	struct trace_ctx *c = ctx;

	if (c->n > 0)
		c->out[c->n - 1] = ret;
	c->n++;
}

static __noinline void record_trace(struct failinj_state *s)
{
	uint64_t rbp = (uint64_t)(uintptr_t)__builtin_frame_address(0), lo, hi;
	struct trace_ctx c = { s->trace, 0 };

	memset(s->trace, 0, sizeof(s->trace));
	if (arch_stack_bounds(rbp, &lo, &hi))
		backtrace_walk(rbp, lo, hi, FAILINJ_TRACE + 1, trace_one, &c);
}

bool failinj_should_fail(unsigned kind)
{
	struct thread *t = thread_current();

	/* Armed threads are few and the test is the only one that arms: every other
	 * thread gets here only while a test runs, and goes at the first check. */
	if (!t || !t->fi.armed || !t->fi.countdown || t->fi.quiet || !(t->fi.kinds & kind))
		return false;
	t->fi.seen++;
	if (--t->fi.countdown)
		return false;
	t->fi.failed = true;
	t->fi.failed_kind = (uint16_t)kind;
	record_trace(&t->fi);
	return true;
}

void failinj_quiet_begin(void)
{
	struct thread *t = thread_current();

	if (t)
		t->fi.quiet++;
}

void failinj_quiet_end(void)
{
	struct thread *t = thread_current();

	if (t)
		t->fi.quiet--;
}

void failinj_arm(uint32_t nth, unsigned kinds)
{
	failinj_arm_thread(thread_current(), nth, kinds);
}

struct failinj_result failinj_disarm(void)
{
	return failinj_disarm_thread(thread_current());
}

void failinj_arm_thread(struct thread *t, uint32_t nth, unsigned kinds)
{
	if (!t->fi.armed)
		__atomic_fetch_add(&failinj_threads, 1, __ATOMIC_RELAXED);
	t->fi = (struct failinj_state){
		.countdown = nth, .kinds = (uint16_t)(kinds & FAILINJ_ALL), .armed = true,
	};
}

struct failinj_result failinj_disarm_thread(struct thread *t)
{
	struct failinj_result r = {
		.seen = t->fi.seen, .failed = t->fi.failed, .kind = t->fi.failed_kind,
	};

	memcpy(r.trace, t->fi.trace, sizeof(r.trace));
	if (t->fi.armed)
		__atomic_fetch_sub(&failinj_threads, 1, __ATOMIC_RELAXED);
	t->fi = (struct failinj_state){ 0 };
	return r;
}

const char *failinj_kind_name(unsigned kind)
{
	switch (kind) {
	case FAILINJ_HEAP: return "heap";
	case FAILINJ_FRAME: return "frame";
	case FAILINJ_KSTACK: return "kernel stack";
	case FAILINJ_QUOTA: return "quota";
	default: return "?";
	}
}
