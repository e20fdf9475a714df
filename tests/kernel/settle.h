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

#endif
