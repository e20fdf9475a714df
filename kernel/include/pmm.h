/*
 * Physical memory manager: 4 KiB frames.
 *
 * A bitmap with two summary levels (docs/MEMORY.md): level 0 has one bit per frame
 * (1 = free), level 1 one bit per level-0 word (1 = that word has a free frame), level 2
 * one bit per level-1 word. Finding a free frame is three count-trailing-zeros steps
 * after a short scan of level 2 (one word per 64 GiB of RAM) from a hint, so allocation
 * stays O(1) however full memory is. Frames are handed out lowest address first.
 *
 * A second bitmap says which frames are managed (usable RAM not reserved at boot), so
 * freeing a frame that is not RAM, is reserved, or is already free is caught: a panic in
 * DEBUG builds, a logged error otherwise — never a corrupted bitmap.
 *
 * In front of the bitmap each CPU keeps a small cache of free frames (a magazine, like
 * Linux's per-CPU page lists): alloc pops and free pushes with interrupts off and no
 * lock, and the bitmap's lock is taken once per PMM_BATCH frames to refill or drain.
 * A third bitmap marks frames sitting in a cache, so a double free is still caught
 * exactly: with an atomic test-and-set, even when two CPUs race to free one frame.
 *
 * The core (struct pmm, pmm_core_*) is pure logic, unit-tested on the host; pmm_init()
 * and the pmm_alloc() family wrap the kernel's single instance.
 */
#ifndef PMM_H
#define PMM_H

#include <types.h>
#include <spinlock.h>
#include <bootinfo.h>
#include <memmap.h>

#define PMM_NONE UINT64_MAX

#define PMM_CACHE_SIZE  32      /* frames a CPU may hold */
#define PMM_BATCH       16      /* frames moved between a cache and the bitmap at once */

struct pmm {
	uint64_t *free0;        /* [lock] bit per frame: free */
	uint64_t *cached;       /* [a] bit per frame: in a CPU's cache */
	uint64_t *free1;        /* [lock] bit per free0 word: has a free frame */
	uint64_t *free2;        /* [lock] bit per free1 word: nonzero */
	uint64_t *managed;      /* [lock] bit per frame: allocatable RAM */
	uint64_t nframes;       /* [I] frames covered, from frame 0 */
	size_t n0, n1, n2;      /* [I] words in each level */
	size_t hint2;           /* [lock] no free2 word below this is nonzero */
	uint64_t managed_count; /* [lock] */
	uint64_t free_count;    /* [lock] */
	struct spinlock lock;   /* a leaf lock */
};

enum pmm_free_result {
	PMM_FREED = 0,
	PMM_NOT_MANAGED,        /* not RAM, reserved at boot, or beyond the map */
	PMM_NOT_ALLOCATED,      /* already free: a double free */
};

/* Bytes of storage the core needs for nframes frames (a multiple of 8). */
size_t pmm_core_storage_bytes(uint64_t nframes);

/* Set up over zeroed-or-not storage of pmm_core_storage_bytes(nframes): no frame is
 * managed or free until added. */
void pmm_core_init(struct pmm *p, void *storage, uint64_t nframes);

/* Frames [first, first+count) become managed and free. Frames beyond nframes are ignored. */
void pmm_core_add(struct pmm *p, uint64_t first, uint64_t count);

uint64_t pmm_core_alloc(struct pmm *p);
enum pmm_free_result pmm_core_free(struct pmm *p, uint64_t frame);

/* count frames starting at a multiple of align (a power of two, in frames). */
uint64_t pmm_core_alloc_contig(struct pmm *p, uint64_t count, uint64_t align);
/* Checks every frame first; frees all or nothing. */
enum pmm_free_result pmm_core_free_contig(struct pmm *p, uint64_t first, uint64_t count);

bool pmm_core_is_free(const struct pmm *p, uint64_t frame);
/* Allocatable RAM: the frame was added and not reserved. */
bool pmm_core_is_managed(const struct pmm *p, uint64_t frame);

/* A per-CPU cache of free frames. The caller keeps it private: the kernel disables
 * interrupts and uses the current CPU's. */
struct pmm_cache {
	uint64_t count;
	uint64_t frames[PMM_CACHE_SIZE];
};

/* Slow paths of the two below: refill an empty cache, drain a full one. */
void pmm_core_cache_refill(struct pmm *p, struct pmm_cache *c);
void pmm_core_cache_give_back(struct pmm *p, struct pmm_cache *c, uint64_t n);
/* Return every frame in c to the bitmap. */
void pmm_core_cache_drain(struct pmm *p, struct pmm_cache *c);
/* The same if the bitmap's lock is free now, without waiting for it: false if it was
 * not (c is untouched). For a CPU that answers a drain request from a spin loop
 * (pmm_drain_poll), perhaps one waiting in the queue of that very lock, with a cache
 * operation of its own under way. Interrupts off, as for every cache operation. */
bool pmm_core_cache_try_drain(struct pmm *p, struct pmm_cache *c);

/* The fast paths are inline: they are most of the cost of every page allocation. */

/* Take the frame on top of c, which is not empty. */
static inline uint64_t pmm_core_cache_pop(struct pmm *p, struct pmm_cache *c)
{
	uint64_t f = c->frames[--c->count];

	__atomic_fetch_and(&p->cached[f / 64], ~(1ull << (f & 63)), __ATOMIC_SEQ_CST);
	return f;
}

/* Check frame and put it on c, which is not full. */
static inline enum pmm_free_result pmm_core_cache_push(struct pmm *p, struct pmm_cache *c,
						       uint64_t frame)
{
	uint64_t w = frame / 64, b = 1ull << (frame & 63);

	if (unlikely(frame >= p->nframes || !(p->managed[w] & b)))
		return PMM_NOT_MANAGED;
	/* Claim the frame for this cache with an atomic test-and-set, then make sure it is
	 * not free in the bitmap. Cache drains free a frame in the bitmap before clearing
	 * its cached bit, so a double free racing with a drain fails one test or the other. */
	if (unlikely(__atomic_fetch_or(&p->cached[w], b, __ATOMIC_SEQ_CST) & b))
		return PMM_NOT_ALLOCATED;
	if (unlikely(__atomic_load_n(&p->free0[w], __ATOMIC_SEQ_CST) & b)) {
		__atomic_fetch_and(&p->cached[w], ~b, __ATOMIC_SEQ_CST);
		return PMM_NOT_ALLOCATED;
	}
	c->frames[c->count++] = frame;
	return PMM_FREED;
}

static inline uint64_t pmm_core_cache_alloc(struct pmm *p, struct pmm_cache *c)
{
	if (unlikely(c->count == 0)) {
		pmm_core_cache_refill(p, c);
		if (c->count == 0)
			return PMM_NONE;
	}
	return pmm_core_cache_pop(p, c);
}

static inline enum pmm_free_result pmm_core_cache_free(struct pmm *p, struct pmm_cache *c,
						       uint64_t frame)
{
	if (unlikely(c->count == PMM_CACHE_SIZE))
		pmm_core_cache_give_back(p, c, PMM_BATCH);
	return pmm_core_cache_push(p, c, frame);
}

/* ---- the kernel's physical memory ---- */

struct pmm_stats {
	uint64_t total;         /* managed frames */
	uint64_t free;          /* in the bitmap and in CPU caches */
	uint64_t reserved;      /* usable RAM kept back at boot: kernel, modules, tables */
};

/* Phase 3: build the allocator from the boot memory map. Panics only if there is no
 * usable memory at all. */
void pmm_init(const struct boot_info *bi);
/* Phase 5, before the other CPUs start: the IPI that asks a CPU to give its frame cache
 * back when the others run out. */
void pmm_init_ipis(void);
/* A spin loop's part of a drain request (arch_spin_relax; arch/smp.h declares it with
 * the request's bits, pmm_drain_pending): give this CPU's cache back if it is asked to
 * and the bitmap's lock is free. */
void pmm_drain_poll(void);
/* Drain requests that some CPU did not answer within the wait's bound (pmm.c). */
uint64_t pmm_drain_timeouts(void);

/* One frame, or PADDR_NULL (frame 0 is never handed out) when memory is exhausted:
 * when the bitmap and this CPU's cache are empty, the other CPUs are asked for their
 * caches first, and answer even while they spin with interrupts off (pmm.c). */
paddr_t pmm_alloc(void);
paddr_t pmm_alloc_zeroed(void);
void pmm_free(paddr_t frame);

/* count contiguous frames aligned to align_bytes (a power of two >= 4096). */
paddr_t pmm_alloc_contig(size_t count, size_t align_bytes);
void pmm_free_contig(paddr_t first, size_t count);

struct pmm_stats pmm_get_stats(void);

/* Could the allocator ever hand out this frame? False for everything reserved at boot
 * (the kernel, the boot modules, the bitmap) and for what is not RAM. Set in phase 3,
 * unchanged after. */
bool pmm_is_managed(paddr_t frame);

/* The usable ranges found at boot, for the direct map and diagnostics. */
const struct mem_range *pmm_usable_ranges(size_t *count);

#endif
