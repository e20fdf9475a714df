/*
 * The benchmark runner (kbench.h), modelled on sel4bench: a warm-up run, then RUNS
 * measured runs; the loop overhead, measured with an empty body, is subtracted; the
 * median per operation is the figure, min and max show the spread.
 */
#include <kbench.h>
#include <cmdline.h>
#include <bootinfo.h>
#include <log.h>
#include <klib.h>
#include <spread.h>
#include <sched.h>

#define RUNS 5

extern const struct kbench __kbench_start[], __kbench_end[];

/* The empty loop every benchmark's loop resembles. */
static __noinline uint64_t empty_loop(uint64_t iters)
{
	uint64_t t0 = kbench_now();
	for (uint64_t i = 0; i < iters; i++)
		kbench_use(i);
	return kbench_now() - t0;
}

static bool matches(const char *sel, const char *name)
{
	for (const char *p = sel; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 3 && strncmp(p, "all", 3) == 0)
			return true;
		if (len && p[len - 1] == '*' && strncmp(name, p, len - 1) == 0)
			return true;
		if (strlen(name) == len && strncmp(name, p, len) == 0)
			return true;
		p += len + (end ? 1 : 0);
	}
	return false;
}

static uint64_t parse_u64(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

unsigned kbench_run(const char *sel)
{
	char val[24];
	uint64_t iters_override = 0;
	const char *unit = cmdline_has(boot_info.cmdline, "kbench.icount") ? "instructions"
									    : "tsc-ticks";
	unsigned total = 0, n = 0;

	if (cmdline_get(boot_info.cmdline, "kbench.iters", val, sizeof(val)))
		iters_override = parse_u64(val);
	for (const struct kbench *b = __kbench_start; b < __kbench_end; b++)
		total += matches(sel, b->name);
	kprintf("KTAP version 1\n1..%u\n", total);

	for (const struct kbench *b = __kbench_start; b < __kbench_end; b++) {
		if (!matches(sel, b->name))
			continue;
		if (b->cpus > sched_cpu_count()) {
			kprintf("ok %u bench.%s # SKIP needs %u CPUs\n", ++n, b->name, b->cpus);
			continue;
		}
		uint64_t iters = iters_override ? iters_override : b->iters;
		uint64_t per_op[RUNS];

		b->fn(iters / 10 + 1);                          /* warm-up */
		for (int r = 0; r < RUNS; r++) {
			uint64_t overhead = empty_loop(iters);
			uint64_t t = b->fn(iters);
			uint64_t net = t > overhead ? t - overhead : 0;
			per_op[r] = net / (iters * b->ops_per_iter);
		}
		struct spread sp = spread_of(per_op, RUNS);
		kprintf("BENCH %s %llu %s\n", b->name, (unsigned long long)sp.median, unit);
		kprintf("# %s: median %llu, min %llu, max %llu per operation, %d runs of %llu\n",
			b->name, (unsigned long long)sp.median, (unsigned long long)sp.min,
			(unsigned long long)sp.max, RUNS, (unsigned long long)iters);
		kprintf("ok %u bench.%s\n", ++n, b->name);
	}
	kprintf("# kbench: %u benchmarks\n", n);
	return 0;
}
