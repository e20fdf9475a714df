/*
 * The local APIC timer: one-shot deadlines fire, never early, and a cancelled one never
 * fires. Only lower bounds are checked strictly; the upper bound is generous, because
 * wall time on a shared, emulated machine is not something a test can promise.
 */
#include <ktest.h>
#include <time.h>
#include <arch/cpu.h>
#include <arch/lapic.h>
#include "settle.h"

static volatile uint64_t fired_at;
static volatile unsigned fired_count;

static void on_timer(void)
{
	fired_at = clock_ns();
	fired_count++;
}

/* Wait with interrupts on until the timer fires or limit_ns passes. */
static bool wait_fired(unsigned count, uint64_t limit_ns)
{
	uint64_t end = clock_ns() + limit_ns;

	while (fired_count < count && clock_ns() < end) {
		irq_enable();
		cpu_pause();
	}
	return fired_count >= count;
}

/* The tests below take the timer from the scheduler. First let a slice end it may
 * have left armed (at most a slice away) fire, so that it neither lands in a test's
 * handler nor is lost to the scheduler when a test re-arms the timer. */
static lapic_timer_fn take_timer(void)
{
	settle_all_threads();
	sched_sleep_ns(2 * SCHED_SLICE_NS);
	return lapic_timer_set_handler(on_timer);
}

/* Give it back, and fire it once at once: the scheduler's handler then forgets what it
 * thought was armed and arms what its sleepers and slices need. */
static void give_back_timer(lapic_timer_fn sched_handler)
{
	lapic_timer_set_handler(sched_handler);
	lapic_timer_arm(clock_ns());
}

KTEST(timer, oneshot_fires_at_deadline)
{
	lapic_timer_fn sched_handler = take_timer();
	fired_count = 0;
	for (uint64_t ms = 1; ms <= 20; ms *= 4) {
		unsigned before = fired_count;
		uint64_t deadline = clock_ns() + ms * 1000000;
		lapic_timer_arm(deadline);
		KT_ASSERT(wait_fired(before + 1, 2000000000ull));
		KT_EXPECT(fired_at >= deadline);                /* never early */
		KT_EXPECT(fired_at - deadline < 500000000ull);  /* and not lost */
		KT_EXPECT_EQ(fired_count, before + 1);          /* exactly once */
	}
	give_back_timer(sched_handler);
}

KTEST(timer, past_deadline_fires_at_once)
{
	lapic_timer_fn sched_handler = take_timer();
	fired_count = 0;
	lapic_timer_arm(clock_ns() - 1000);
	KT_EXPECT(wait_fired(1, 1000000000ull));
	give_back_timer(sched_handler);
}

KTEST(timer, cancel_prevents_firing)
{
	lapic_timer_fn sched_handler = take_timer();
	fired_count = 0;
	/* 100 ms ahead: far enough that even a loaded machine running the sanitizer build
	 * cancels before the deadline (3 ms was not always). */
	lapic_timer_arm(clock_ns() + 100000000);
	lapic_timer_cancel();
	KT_EXPECT(!wait_fired(1, 300000000));           /* 300 ms: well past the deadline */
	give_back_timer(sched_handler);
}

KTEST(timer, calibrated_and_monotonic)
{
	uint64_t prev = clock_ns();

	KT_EXPECT(lapic_timer_hz() > 1000000);          /* at least 1 MHz at divide 16 */
	for (int i = 0; i < 1000; i++) {
		uint64_t now = clock_ns();
		KT_ASSERT(now >= prev);
		prev = now;
	}
	KT_EXPECT_EQ(lapic_error_count(), 0);
}
