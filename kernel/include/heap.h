/*
 * The kernel heap: kmalloc() and its family, built on a small page-mapping backend.
 *
 * Two allocators share the work, each over its own virtual region given to
 * heap_init(), so kfree() tells them apart by the address alone and never trusts the
 * bytes of a block to decide who owns it:
 *
 * - kernel/mm/slab.c: size-class caches for blocks of up to HEAP_SLAB_MAX bytes, the
 *   kernel's common objects (a few dozen instructions a call);
 * - kernel/mm/heap.c: the front end below, and the large-block allocator (boundary
 *   tags, coalescing, growing and shrinking at the top of its region).
 *
 * Neither allocator ever calls kmalloc() for its own bookkeeping, and the backend must
 * not either, so there is no recursion.
 *
 * Misuse panics with a message saying what happened. Both builds catch double frees,
 * frees of pointers the heap never handed out (outside the regions, interior,
 * misaligned, into a header) and damaged block headers; MNOS_DEBUG=1 also poisons
 * freed memory and checks the poison when the memory is handed out again (writes after
 * kfree), and checks that a slab is mapped before reading its header (without that
 * check, a pointer into a slab already given back faults in kfree instead).
 */
#ifndef HEAP_H
#define HEAP_H

#include <types.h>

/* Blocks up to this size come from the size-class caches, larger ones from the
 * large-block allocator. */
#define HEAP_SLAB_MAX           2048u
#define HEAP_SLAB_CLASSES       8u      /* 16, 32, ... 2048 */

/* The slab region is used up to this size (it is split into one equal zone per size
 * class); the rest of a larger region stays unused. */
#define HEAP_SLAB_REGION_MAX    (1ull << 30)

/* kmalloc_aligned() accepts any power of two up to this. */
#define HEAP_ALIGN_MAX          (1u << 20)

/* Every block is at least this aligned. */
#define HEAP_MIN_ALIGN          16u

/*
 * Phase 3, after the page tables: hand the heap its two regions. slab_base must be
 * aligned to 64 KiB (the largest slab) and slab_size at least 512 KiB; large_base
 * must be page aligned. Nothing is mapped until the first allocation.
 */
void heap_init(uintptr_t slab_base, size_t slab_size, uintptr_t large_base,
	       size_t large_size);

/*
 * Allocation. Blocks are aligned to HEAP_MIN_ALIGN, and a block from a size class is
 * also aligned to its class size. All return NULL when memory runs out.
 *
 * kmalloc(0) returns a unique minimal (16-byte) block, like any other, to be given
 * to kfree(): NULL then always means "out of memory", never "you asked for nothing".
 */
void *kmalloc(size_t size);

/* align: a power of two up to HEAP_ALIGN_MAX; anything else returns NULL. */
void *kmalloc_aligned(size_t size, size_t align);

/* n * size zeroed bytes; NULL if n * size overflows. */
void *kcalloc(size_t n, size_t size);

/*
 * Resize p, keeping its contents up to the smaller of the two sizes. p == NULL is
 * kmalloc(size); size == 0 frees p and returns NULL. On failure it returns NULL and p
 * is untouched and still allocated. A block that moves keeps only HEAP_MIN_ALIGN
 * alignment (as with C realloc); one resized in place keeps its address.
 */
void *krealloc(void *p, size_t size);

/* NULL is a no-op. Anything the heap did not hand out, or already took back, panics. */
void kfree(void *p);

/* Usable size of a block: at least what was asked for, and all of it may be used. */
size_t ksize(const void *p);

/* Give back to the backend what the heap keeps only to avoid thrashing: each size
 * class's spare empty slab and the free pages at the top of the large region (for
 * memory pressure, and for tests that check that nothing leaked). */
void heap_trim(void);

struct heap_stats {
	size_t bytes_in_use;            /* ksize() of every live block, summed */
	size_t bytes_held;              /* mapped from the backend: slab + large */
	size_t slab_bytes_held;         /* pages of live slabs */
	size_t large_bytes_held;        /* pages of the large region's mapped part */
	size_t slabs;                   /* slabs held (partial, full and spare) */
	size_t large_free_bytes;        /* in free large blocks, tags included */
	size_t large_free_blocks;       /* free large blocks: 1 when all has coalesced */
	uint64_t allocs;                /* blocks handed out */
	uint64_t frees;                 /* blocks taken back */
	uint64_t failures;              /* allocations refused for lack of memory */
};

/* A snapshot: each allocator's figures are read under its own lock, one at a time, so
 * with other CPUs allocating the sums need not describe one single instant. */
struct heap_stats heap_get_stats(void);

/*
 * ---- The backend: implemented by the kernel (and by the host tests) ----
 *
 * heap_backend_map() backs [va, va + npages * PAGE_SIZE) with fresh writable frames
 * (their contents need not be zero); false means out of memory, with nothing left
 * mapped. heap_backend_unmap() unmaps such a range and frees its frames.
 *
 * Both are called with one heap lock held and interrupts off, from any context that
 * calls kmalloc() or kfree(). So the backend:
 * - must not call into the heap (the heap lock is held: a recursive-lock panic);
 * - takes only locks that come after the heap's in the lock order (kernel_as.lock,
 *   then the pmm lock);
 * - may wait for other CPUs only for work they do while spinning with interrupts off,
 *   as TLB shootdowns and frame-cache drains are (spinlock.h, arch_spin_relax): a CPU
 *   spinning on the heap lock, or on a lock that kfree()'s caller holds, cannot take
 *   an interrupt.
 * The heap itself waits for nothing else while it holds one of its locks.
 */
bool heap_backend_map(uintptr_t va, size_t npages);
void heap_backend_unmap(uintptr_t va, size_t npages);

/*
 * ---- Between heap.c and slab.c only ----
 */

/* [I] after heap_init: the slab region, split into one zone of 2^zone_shift bytes per
 * size class, class k at base + (k << zone_shift). */
struct heap_slab_region {
	uintptr_t base;
	uintptr_t span;                 /* HEAP_SLAB_CLASSES << zone_shift */
	unsigned zone_shift;
};
extern struct heap_slab_region heap_slab_region;

static inline bool heap_in_slab_region(const void *p)
{
	/* One compare: addresses below base wrap around to huge offsets. */
	return (uintptr_t)p - heap_slab_region.base < heap_slab_region.span;
}

/* MNOS_DEBUG: freed memory is filled with this; the offset of the first byte of
 * [p, p + n) that is not, or n. */
#define HEAP_POISON             0x6b
size_t heap_poison_find(const void *p, size_t n);

void slab_init(uintptr_t base, size_t size);
void *slab_alloc(size_t size);          /* 1 <= size <= HEAP_SLAB_MAX */
void slab_free(void *p);                /* p in the slab region */
size_t slab_ksize(const void *p);       /* p in the slab region */
void slab_trim(void);
void slab_add_stats(struct heap_stats *st);

#endif
