/*
 * The process's heap (mnos/malloc.h): one mheap (malloc.c) under a lock, grown by
 * anonymous memory objects mapped one after another from MNOS_HEAP_BASE, so the heap is
 * one arena. Each object's capability is deleted once it is mapped: the mapping (held by
 * the kernel) keeps it until the process ends, and no slot is spent on it. Memory freed
 * is reused by later allocations; it is not given back to the kernel.
 */
#include <mnos.h>

#define GROW_MIN        (64 * 1024)

static struct mheap heap;                       /* [L] */
static struct mnos_lock lock;
static uint64_t heap_end = MNOS_HEAP_BASE;      /* [L] */
static unsigned grows;                          /* [L] */
static bool ready;                              /* [L] */

/* One memory object of pages pages at heap_end; false if it cannot be had. */
static bool map_more(uint64_t pages)
{
	uint32_t slot = mnos_slot_alloc();
	bool ok;

	if (!slot)
		return false;
	ok = mnos_obj_create(MNOS_OBJ_MEMORY, slot, pages, 0) == E_OK &&
	     mnos_mem_map(slot, 0, heap_end, CAP_R_READ | CAP_R_WRITE) == E_OK;
	mnos_slot_free(slot);           /* the mapping keeps the object */
	return ok;
}

static void *grow(void *ctx, size_t min, size_t *got)
{
	uint64_t need = ALIGN_UP((uint64_t)min, MNOS_PAGE_SIZE);
	/* Double the heap each time (fewer, larger objects), at least GROW_MIN... */
	uint64_t want = MAX(MAX(need, (uint64_t)GROW_MIN), heap_end - MNOS_HEAP_BASE);
	uint64_t room = MNOS_HEAP_END - heap_end;

	if (need > room)
		return NULL;
	want = MIN(MIN(want, room), MNOS_MEMOBJ_MAX_PAGES * MNOS_PAGE_SIZE);
	/* ...but when the quota cannot pay for that, just what is needed. */
	if (!map_more(want / MNOS_PAGE_SIZE)) {
		if (want == need || !map_more(need / MNOS_PAGE_SIZE))
			return NULL;
		want = need;
	}
	void *p = (void *)(uintptr_t)heap_end;
	heap_end += want;
	grows++;
	*got = want;
	return p;
}

static void fail(void *ctx, const char *what, const void *p)
{
	mnos_unlock(&lock);
	printf("malloc: %s (%p)\n", what, p);
	abort();
}

static void take(void)
{
	mnos_lock(&lock);
	if (!ready) {
		mheap_init(&heap, grow, fail, NULL);
		ready = true;
	}
}

void *malloc(size_t n)
{
	take();
	void *p = mheap_alloc(&heap, n);
	mnos_unlock(&lock);
	return p;
}

void *calloc(size_t n, size_t size)
{
	take();
	void *p = mheap_calloc(&heap, n, size);
	mnos_unlock(&lock);
	return p;
}

void *realloc(void *p, size_t n)
{
	take();
	void *q = mheap_realloc(&heap, p, n);
	mnos_unlock(&lock);
	return q;
}

void free(void *p)
{
	if (!p)
		return;
	take();
	mheap_free(&heap, p);
	mnos_unlock(&lock);
}

void mnos_heap_stats(struct mnos_heap_stats *st)
{
	take();
	st->total = heap.total;
	st->used = heap.used;
	st->nblocks = heap.nblocks;
	st->grows = grows;
	mnos_unlock(&lock);
}
