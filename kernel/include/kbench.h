/*
 * In-kernel micro-benchmarks, counted in TSC ticks. Under QEMU with -icount shift=0 one
 * tick is exactly one guest instruction (DESIGN.md §11), so `make bench` gets exact,
 * repeatable instruction counts on a noisy machine.
 *
 * A benchmark runs its operation 'iters' times between two kbench_now() reads and
 * returns the ticks. The runner (kernel/test/kbench.c) warms it up, runs it several
 * times, subtracts the cost of an empty loop of the same shape, and prints the median
 * per operation as "BENCH <name> <value> <unit>", plus a KTAP result per benchmark so
 * the test suite's smoke run can check that each one ran.
 *
 * Selected like tests: kbench=all or kbench=pmm_*,kmalloc_free_64 on the command line;
 * kbench.iters=N overrides the iteration count (the smoke run uses a small one);
 * kbench.icount says the ticks are instructions. A benchmark that needs more CPUs than
 * the machine has (KBENCH_CPUS) is reported as skipped, with no figure: make bench runs
 * those in a boot of its own with several CPUs.
 */
#ifndef KBENCH_H
#define KBENCH_H

#include <types.h>
#include <arch/cpu.h>

struct kbench {
	const char *name;
	uint64_t (*fn)(uint64_t iters);
	uint64_t iters;                 /* default iteration count */
	uint64_t ops_per_iter;          /* operations one iteration counts as (batches) */
	unsigned cpus;                  /* CPUs the machine must have, or it is skipped */
};

#define KBENCH_CPUS(bname, n, ops, ncpus)                                          \
	static uint64_t kbench_fn_##bname(uint64_t iters);                         \
	static const struct kbench kbench_desc_##bname                             \
		__used __section(".kbench." #bname) __aligned(8) = {               \
		.name = #bname, .fn = kbench_fn_##bname, .iters = (n),             \
		.ops_per_iter = (ops), .cpus = (ncpus)                             \
	};                                                                         \
	static uint64_t kbench_fn_##bname(uint64_t iters)

#define KBENCH_N(bname, n, ops) KBENCH_CPUS(bname, n, ops, 1)
#define KBENCH(bname, n) KBENCH_N(bname, n, 1)

/* Serialising TSC read: rdtscp waits for earlier instructions to finish. */
static inline uint64_t kbench_now(void)
{
	uint32_t lo, hi, aux;
	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Keeps the compiler from optimising a measured value away. */
#define kbench_use(x) __asm__ volatile("" :: "r"(x) : "memory")

/* Runs the selected benchmarks; returns the number that failed to run. */
unsigned kbench_run(const char *selection);

#endif
