/*
 * Threads and the scheduler, on however many CPUs the machine has (the harness boots
 * this with 1, 2 and 4): exact counters under contention, fairness, preemption by a
 * more urgent thread, sleep deadlines, work stealing, affinity, tickless idle, and
 * creating and reaping 1,000 threads without losing memory.
 */
#include <ktest.h>
#include "settle.h"
#include <sched.h>
#include <thread.h>
#include <heap.h>
#include <kstack.h>
#include <pmm.h>
#include <spinlock.h>
#include <time.h>
#include <arch/cpu.h>
#include <arch/smp.h>

/* Wait (yielding) until dead threads have been reaped, or a second passes. */
/* ---- counters ---- */

#define COUNTER_THREADS 8
#define COUNTER_ROUNDS 20000

static struct spinlock counter_lock = SPINLOCK_INIT("test_counter");
static uint64_t shared_counter;
static uint64_t atomic_counter;

struct counter_arg {
	uint64_t private_count;
	uint64_t cpus_seen;
};

static void counter_thread(void *p)
{
	struct counter_arg *a = p;

	for (int i = 0; i < COUNTER_ROUNDS; i++) {
		irqflags_t f = spin_lock_irqsave(&counter_lock);
		shared_counter++;
		spin_unlock_irqrestore(&counter_lock, f);
		__atomic_fetch_add(&atomic_counter, 1, __ATOMIC_RELAXED);
		a->private_count++;
		a->cpus_seen |= 1ull << arch_cpu_id();
		if (i % 1000 == 0)
			sched_yield();
	}
}

KTEST(sched, counters_are_exact)
{
	static struct counter_arg args[COUNTER_THREADS];
	struct thread *t[COUNTER_THREADS];

	shared_counter = atomic_counter = 0;
	for (int i = 0; i < COUNTER_THREADS; i++) {
		args[i] = (struct counter_arg){ 0, 0 };
		t[i] = thread_create(&kernel_process, "counter", counter_thread, &args[i],
				     PRIO_DEFAULT, AFFINITY_ALL);
		KT_ASSERT(t[i] != NULL);
	}
	for (int i = 0; i < COUNTER_THREADS; i++)
		thread_join(t[i]);
	KT_EXPECT_EQ(shared_counter, (uint64_t)COUNTER_THREADS * COUNTER_ROUNDS);
	KT_EXPECT_EQ(atomic_counter, (uint64_t)COUNTER_THREADS * COUNTER_ROUNDS);
	uint64_t cpus = 0;
	for (int i = 0; i < COUNTER_THREADS; i++) {
		KT_EXPECT_EQ(args[i].private_count, COUNTER_ROUNDS);
		cpus |= args[i].cpus_seen;
	}
	/* With more than one CPU, the work spread (stealing or placement). */
	if (sched_cpu_count() > 1)
		KT_EXPECT(popcount64(cpus) > 1);
}

/* ---- fairness and preemption ---- */

static volatile bool stop_spinning;

static void spinner(void *p)
{
	volatile uint64_t *n = p;

	while (!__atomic_load_n(&stop_spinning, __ATOMIC_ACQUIRE))
		(*n)++;
}

KTEST(sched, equal_priorities_share_a_cpu)
{
	enum { K = 3 };
	static volatile uint64_t work[K];
	struct thread *t[K];
	uint64_t cpu1 = 1ull << (sched_cpu_count() - 1);

	stop_spinning = false;
	for (int i = 0; i < K; i++) {
		work[i] = 0;
		t[i] = thread_create(&kernel_process, "fair", spinner, (void *)&work[i],
				     PRIO_DEFAULT - 1, cpu1);
		KT_ASSERT(t[i] != NULL);
	}
	sched_sleep_ns(300000000);              /* 300 ms: about 30 slices */
	__atomic_store_n(&stop_spinning, true, __ATOMIC_RELEASE);
	uint64_t total = 0, least = UINT64_MAX, ns[K];
	for (int i = 0; i < K; i++) {
		ns[i] = t[i]->run_ns;
		total += ns[i];
		least = MIN(least, ns[i]);
	}
	for (int i = 0; i < K; i++)
		thread_join(t[i]);
	/* Round robin: each got a fair share, at least a third of an equal split. */
	KT_EXPECT(total > 0);
	KT_EXPECT(least * K * 3 >= total);
	for (int i = 0; i < K; i++)
		KT_EXPECT(work[i] > 0);
}

static volatile uint64_t urgent_ran_at;

static void urgent(void *p)
{
	sched_sleep_ns(20000000);               /* wake while the spinner runs */
	urgent_ran_at = clock_ns();
}

static void low_spinner(void *p)
{
	volatile uint64_t *done_at = p;
	uint64_t end = clock_ns() + 500000000ull;

	while (clock_ns() < end && !urgent_ran_at)
		cpu_pause();
	*done_at = clock_ns();
}

KTEST(sched, higher_priority_preempts)
{
	static volatile uint64_t low_done;
	uint64_t cpu = 1ull << (sched_cpu_count() - 1);

	urgent_ran_at = 0;
	low_done = 0;
	struct thread *lo = thread_create(&kernel_process, "low", low_spinner, (void *)&low_done,
					  PRIO_DEFAULT - 2, cpu);
	struct thread *hi = thread_create(&kernel_process, "urgent", urgent, NULL,
					  PRIO_DEFAULT + 2, cpu);
	KT_ASSERT(lo && hi);
	thread_join(hi);
	thread_join(lo);
	/* The urgent thread ran while the low one was still spinning on the same CPU:
	 * it was preempted, not waited for. */
	KT_EXPECT(urgent_ran_at != 0);
	KT_EXPECT(low_done >= urgent_ran_at);
	KT_EXPECT(low_done - urgent_ran_at < 400000000ull);
}

/* ---- sleeping and tickless idle ---- */

KTEST(sched, sleep_meets_deadlines)
{
	for (uint64_t ms = 1; ms <= 27; ms *= 3) {
		uint64_t start = clock_ns();
		sched_sleep_ns(ms * 1000000);
		uint64_t slept = clock_ns() - start;
		KT_EXPECT(slept >= ms * 1000000);               /* never early */
		KT_EXPECT(slept < ms * 1000000 + 500000000ull); /* generous: not lost */
	}
}

KTEST(sched, idle_cpus_arm_no_timer)
{
	/* Let every other CPU go idle with nothing to wake for. */
	sched_sleep_ns(20000000);
	for (unsigned c = 1; c < sched_cpu_count(); c++) {
		struct sched_stats s = sched_get_stats(c);
		KT_EXPECT(!s.timer_armed);
		KT_EXPECT_EQ(s.nr_running, 0);
		KT_EXPECT(s.idle_halts > 0);
	}
}

/* ---- placement ---- */

static void record_cpu(void *p)
{
	uint64_t *seen = p;

	for (int i = 0; i < 50; i++) {
		*seen |= 1ull << arch_cpu_id();
		sched_yield();
	}
}

KTEST(sched, affinity_is_respected)
{
	unsigned n = sched_cpu_count();
	static uint64_t seen[MAX_CPUS];
	struct thread *t[MAX_CPUS];

	for (unsigned c = 0; c < n; c++) {
		seen[c] = 0;
		t[c] = thread_create(&kernel_process, "pinned", record_cpu, &seen[c],
				     PRIO_DEFAULT, 1ull << c);
		KT_ASSERT(t[c] != NULL);
	}
	for (unsigned c = 0; c < n; c++) {
		thread_join(t[c]);
		KT_EXPECT_EQ(seen[c], 1ull << c);
	}
}

/* A thread that runs without ever yielding or blocking, until it finds itself on a CPU
 * its affinity allows that it did not start on. */
struct mover {
	volatile unsigned started_on, ended_on;
	volatile bool started;
};

static void spin_until_moved(void *p)
{
	struct mover *m = p;
	uint64_t end = clock_ns() + 2000000000ull;

	m->started_on = arch_cpu_id();
	m->started = true;
	while (arch_cpu_id() == m->started_on && clock_ns() < end)
		cpu_pause();
	m->ended_on = arch_cpu_id();
}

/* Taking a running thread's CPU out of its affinity moves it off that CPU at once,
 * even if it never yields (the other CPU is told by IPI). */
KTEST(sched, affinity_change_moves_a_running_thread)
{
	static struct mover m;
	unsigned n = sched_cpu_count(), me = arch_cpu_id();

	if (n < 2) {
		ktest_skip("one CPU: nowhere to move");
		return;
	}
	unsigned from = (me + 1) % n;
	m = (struct mover){ 0 };
	struct thread *t = thread_create(&kernel_process, "mover", spin_until_moved, &m,
					 PRIO_DEFAULT, 1ull << from);
	KT_ASSERT(t != NULL);
	while (!m.started)
		sched_sleep_ns(100000);
	KT_EXPECT_EQ(m.started_on, from);
	sched_set_affinity(t, 1ull << me);      /* only the CPU running this test */
	thread_join(t);
	KT_EXPECT_EQ(m.ended_on, me);
}

static void busy_for(void *p)
{
	uint64_t *seen = p;
	uint64_t end = clock_ns() + 30000000;

	while (clock_ns() < end)
		*seen |= 1ull << arch_cpu_id();
}

KTEST(sched, idle_cpus_steal_work)
{
	enum { N = 8 };
	static uint64_t seen[N];
	struct thread *t[N];
	uint64_t steals = 0;

	if (sched_cpu_count() < 2) {
		ktest_skip("one CPU: nothing to steal");
		return;
	}
	for (unsigned c = 0; c < sched_cpu_count(); c++)
		steals += sched_get_stats(c).steals;
	/* Created here, so queued on this CPU: the others must take them. */
	for (int i = 0; i < N; i++) {
		seen[i] = 0;
		t[i] = thread_create(&kernel_process, "stealme", busy_for, &seen[i],
				     PRIO_DEFAULT, AFFINITY_ALL);
		KT_ASSERT(t[i] != NULL);
	}
	uint64_t cpus = 0;
	for (int i = 0; i < N; i++) {
		thread_join(t[i]);
		cpus |= seen[i];
	}
	uint64_t after = 0;
	for (unsigned c = 0; c < sched_cpu_count(); c++)
		after += sched_get_stats(c).steals;
	KT_EXPECT(after > steals);
	KT_EXPECT(popcount64(cpus) > 1);
}

/* ---- lifetime ---- */

static void nothing(void *p)
{
	(*(volatile int *)p)++;
}

KTEST(sched, thousand_threads_leave_nothing_behind)
{
	static volatile int ran;
	uint64_t threads = thread_count(), stacks = kstack_count();
	struct pmm_stats pm = pmm_get_stats();
	struct heap_stats hs = heap_get_stats();

	ran = 0;
	for (int i = 0; i < 1000; i++) {
		struct thread *t = thread_create(&kernel_process, "short", nothing, (void *)&ran,
						 PRIO_DEFAULT, AFFINITY_ALL);
		KT_ASSERT(t != NULL);
		if (i % 2)
			thread_join(t);
		else
			thread_detach(t);
	}
	settle_threads(threads);
	KT_EXPECT_EQ(ran, 1000);
	KT_EXPECT_EQ(thread_count(), threads);
	KT_EXPECT_EQ(kstack_count(), stacks);
	KT_EXPECT_EQ(heap_get_stats().bytes_in_use, hs.bytes_in_use);
	/* Frames may sit in other CPUs' caches or back the heap's spare pages; within a
	 * few pages of where we started. */
	struct pmm_stats now = pmm_get_stats();
	KT_EXPECT(now.free + 64 >= pm.free);
}

/* ---- stress ---- */

static void churn(void *p)
{
	uint64_t end = clock_ns() + 200000000ull;
	uint64_t *n = p;

	while (clock_ns() < end) {
		(*n)++;
		if (*n % 3 == 0)
			sched_yield();
		else if (*n % 7 == 0)
			sched_sleep_ns(10000);
	}
}

KTEST(sched, stress_all_cpus_switching)
{
	enum { N = 16 };
	static uint64_t rounds[N];
	struct thread *t[N];
	uint64_t threads = thread_count();

	for (int i = 0; i < N; i++) {
		rounds[i] = 0;
		t[i] = thread_create(&kernel_process, "churn", churn, &rounds[i],
				     PRIO_DEFAULT - (i % 3), AFFINITY_ALL);
		KT_ASSERT(t[i] != NULL);
	}
	for (int i = 0; i < N; i++) {
		thread_join(t[i]);
		KT_EXPECT(rounds[i] > 0);
	}
	KT_EXPECT_EQ(thread_count(), threads);
}
