/*
 * For in-guest tests that create threads: thread_join() returns once the thread has
 * exited, but its stack and structure are freed by the CPU that switched away from it,
 * a moment later. Wait (up to a second) until the thread count is back to where it was,
 * before counting what leaked.
 */
#ifndef TESTS_SETTLE_H
#define TESTS_SETTLE_H

#include <sched.h>
#include <thread.h>
#include <time.h>

static inline void settle_threads(uint64_t threads_before)
{
	uint64_t end = clock_ns() + 1000000000ull;

	while (thread_count() > threads_before && clock_ns() < end)
		sched_sleep_ns(1000000);
}

/* Wait until only the kernel's resident threads are left (each CPU's idle thread and
 * the boot thread running the tests), so that what earlier tests left — threads exiting,
 * scheduler timers they armed — cannot disturb a test that measures or counts. */
static inline void settle_all_threads(void)
{
	settle_threads(sched_cpu_count() + 1);
}

/* Two threads, the first running fn0(arg0) only on CPU cpu0, the second fn1(arg1) only
 * on cpu1, made but not yet runnable, so that neither runs without the other: false,
 * and none, when out of memory. thread_launch() starts each. */
static inline bool make_pinned_pair(struct thread *t[2], const char *name0,
				    void (*fn0)(void *), void *arg0, unsigned cpu0,
				    const char *name1, void (*fn1)(void *), void *arg1,
				    unsigned cpu1)
{
	t[0] = thread_create_suspended(&kernel_process, name0, fn0, arg0, PRIO_DEFAULT,
				       1ull << cpu0);
	t[1] = thread_create_suspended(&kernel_process, name1, fn1, arg1, PRIO_DEFAULT,
				       1ull << cpu1);
	if (t[0] && t[1])
		return true;
	for (unsigned i = 0; i < 2; i++)
		if (t[i])
			thread_discard(t[i]);
	return false;
}

#endif
