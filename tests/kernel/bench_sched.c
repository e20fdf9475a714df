/*
 * Benchmarks of the scheduler: sched_yield() handing the CPU to a kernel thread of
 * another process, address-space switch included, and to a thread of the same one
 * (the yield_cross_as, with the system calls, is in bench_syscall.c).
 *
 * Two threads pinned to the boot CPU yield to each other iters times each. They are
 * made less urgent than the benchmark's own thread, so they wait until it blocks in
 * thread_join(); the clock runs from there until both have finished, which adds two
 * thread exits to 2 * iters switches.
 */
#include <kbench.h>
#include <panic.h>
#include <sched.h>
#include <thread.h>

static void yielder(void *arg)
{
	uint64_t n = *(const uint64_t *)arg;

	for (uint64_t i = 0; i < n; i++)
		sched_yield();
}

static uint64_t ping_pong(struct process *a, struct process *b, uint64_t iters)
{
	static uint64_t n;
	n = iters;
	struct thread *x = thread_create(a, "yield-a", yielder, &n, PRIO_DEFAULT - 1, 1);
	struct thread *y = thread_create(b, "yield-b", yielder, &n, PRIO_DEFAULT - 1, 1);

	if (!x || !y)
		panic("kbench: out of memory creating the yield threads");
	uint64_t t0 = kbench_now();
	thread_join(x);
	thread_join(y);
	return kbench_now() - t0;
}

KBENCH_N(yield_cross_as_kthreads, 5000, 2)
{
	struct process *a, *b;

	if (process_create("bench-a", &a) != E_OK || process_create("bench-b", &b) != E_OK)
		panic("kbench: out of memory creating the processes");
	uint64_t t = ping_pong(a, b, iters);
	process_put(a);
	process_put(b);
	return t;
}

KBENCH_N(yield_same_as, 5000, 2)
{
	return ping_pong(&kernel_process, &kernel_process, iters);
}
