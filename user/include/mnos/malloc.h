/*
 * Dynamic memory (docs/USERSPACE.md, "The heap"). Two layers:
 * - struct mheap, the allocator itself (user/lib/malloc.c): pure logic over memory that a
 *   grow callback hands it, so the host tests run the same code under ASan;
 * - malloc/free/calloc/realloc (user/lib/heap.c): one mheap per process, growing by
 *   memory objects mapped at MNOS_HEAP_BASE.
 *
 * Blocks are 16-byte aligned. A free() or realloc() of a pointer that is not a live block
 * (freed already, never allocated, inside a block, outside the heap) is detected and
 * reported through the fail callback; for malloc() that is a message and abort().
 */
#ifndef MNOS_MALLOC_H
#define MNOS_MALLOC_H

#include <types.h>

#define MHEAP_ALIGN             16
#define MHEAP_BINS              48
#define MHEAP_MAX_ARENAS        16
#define MHEAP_MAX_REQUEST       (1ull << 40)    /* larger requests fail at once */

/* More memory: at least min bytes, 16-byte aligned; *got says how many (a multiple of
 * 16). NULL when there is none. Memory right after the end of what an earlier call gave
 * extends that arena; anywhere else starts a new one. */
typedef void *(*mheap_grow_t)(void *ctx, size_t min, size_t *got);
/* A misuse: what ("double free"), and the pointer. The operation is then ignored. */
typedef void (*mheap_fail_t)(void *ctx, const char *what, const void *ptr);

struct mheap_arena {
	uintptr_t start, end;           /* chunks, then a 16-byte end marker before end */
};

struct mheap {
	mheap_grow_t grow;
	mheap_fail_t fail;
	void *ctx;
	struct mheap_arena arenas[MHEAP_MAX_ARENAS];
	unsigned narenas;
	void *bins[MHEAP_BINS];         /* free chunks by size class (power of two) */
	size_t total;                   /* bytes the grow callback gave */
	size_t used;                    /* bytes in live blocks, headers included */
	size_t nblocks;                 /* live blocks */
};

void mheap_init(struct mheap *h, mheap_grow_t grow, mheap_fail_t fail, void *ctx);
void *mheap_alloc(struct mheap *h, size_t n);
void *mheap_calloc(struct mheap *h, size_t n, size_t size);
void *mheap_realloc(struct mheap *h, void *p, size_t n);
void mheap_free(struct mheap *h, void *p);
/* The bytes a live block can hold (at least what was asked); 0 for NULL or a bad one. */
size_t mheap_usable(struct mheap *h, const void *p);
/* Walk every chunk and check every link and size; the first problem goes to the fail
 * callback and false is returned. For tests. */
bool mheap_check(struct mheap *h);

/* ---- the process's heap (heap.c) ---- */

void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);

/* The process heap's figures, for tests and diagnostics. */
struct mnos_heap_stats {
	size_t total;                   /* bytes mapped for the heap */
	size_t used;                    /* bytes in live blocks, headers included */
	size_t nblocks;
	unsigned grows;                 /* memory objects it was grown by */
};
void mnos_heap_stats(struct mnos_heap_stats *st);

#endif
