/*
 * Benchmarks of phase 3: the frame allocator, with memory empty and with 90% of it
 * allocated (the case a plain linear scan gets slow in).
 */
#include <kbench.h>
#include <pmm.h>

/* One alloc+free pair: the steady state of most callers. */
static uint64_t alloc_free_pairs(uint64_t iters)
{
	uint64_t t0 = kbench_now();
	for (uint64_t i = 0; i < iters; i++) {
		paddr_t f = pmm_alloc();
		pmm_free(f);
		kbench_use(f.raw);
	}
	return kbench_now() - t0;
}

/* 64 allocations then 64 frees: the search has to move on each time. */
static uint64_t alloc_free_batches(uint64_t iters)
{
	paddr_t f[64];
	uint64_t t0 = kbench_now();

	for (uint64_t i = 0; i < iters; i++) {
		for (int k = 0; k < 64; k++)
			f[k] = pmm_alloc();
		for (int k = 0; k < 64; k++)
			pmm_free(f[k]);
	}
	return kbench_now() - t0;
}

/* Fill memory to 90% (frames chained through their first word), run fn, release. */
static uint64_t at_90pct(uint64_t (*fn)(uint64_t), uint64_t iters)
{
	struct pmm_stats s = pmm_get_stats();
	uint64_t target = s.total - s.free + s.total * 9 / 10 - (s.total - s.free);
	paddr_t head = PADDR_NULL;

	for (uint64_t used = s.total - s.free; used < target; used++) {
		paddr_t f = pmm_alloc();
		if (!f.raw)
			break;
		*(uint64_t *)phys_to_virt(f) = head.raw;
		head = f;
	}
	uint64_t t = fn(iters);
	while (head.raw) {
		paddr_t next = pa(*(uint64_t *)phys_to_virt(head));
		pmm_free(head);
		head = next;
	}
	return t;
}

KBENCH(pmm_alloc_free, 20000)
{
	return alloc_free_pairs(iters);
}

KBENCH_N(pmm_alloc_free_batch, 300, 64)
{
	return alloc_free_batches(iters);
}

KBENCH(pmm_alloc_free_90pct, 20000)
{
	return at_90pct(alloc_free_pairs, iters);
}

KBENCH_N(pmm_alloc_free_batch_90pct, 300, 64)
{
	return at_90pct(alloc_free_batches, iters);
}
