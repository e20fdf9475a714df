/*
 * For in-guest leak checks: frames neither free nor held by the heap — what leaking a
 * frame raises. The heap keeps pages it may reuse, so it is trimmed first and its pages
 * counted out.
 */
#ifndef TESTS_FRAMES_H
#define TESTS_FRAMES_H

#include <heap.h>
#include <pmm.h>

static inline uint64_t frames_used(void)
{
	heap_trim();
	struct pmm_stats s = pmm_get_stats();
	return s.total - s.free - heap_get_stats().bytes_held / PAGE_SIZE;
}

#endif
