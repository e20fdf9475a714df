/*
 * Benchmarks of the kernel heap: the common small-object pair (the bound is
 * 150 instructions for 64 bytes), and a large block for comparison.
 */
#include <kbench.h>
#include <heap.h>

static uint64_t pairs(size_t size, uint64_t iters)
{
	uint64_t t0 = kbench_now();

	for (uint64_t i = 0; i < iters; i++) {
		void *p = kmalloc(size);
		kbench_use((uint64_t)(uintptr_t)p);
		kfree(p);
	}
	return kbench_now() - t0;
}

KBENCH(kmalloc_free_64, 20000)
{
	return pairs(64, iters);
}

KBENCH(kmalloc_free_8k, 5000)
{
	return pairs(8192, iters);
}
