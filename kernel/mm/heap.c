/*
 * The kernel heap's front end (kmalloc and its family, statistics) and its large-block
 * allocator. Blocks of up to HEAP_SLAB_MAX bytes go to the size-class caches in
 * kernel/mm/slab.c; the interface and the backend's contract are in heap.h.
 *
 * Large blocks live in their own region, whose low part [base, top) is mapped and
 * holds a row of blocks with boundary tags: a 16-byte header and an identical 16-byte
 * footer, each holding the block's size with an in-use bit, and a check word that
 * mixes a magic number with the block's address and size. The check catches a header
 * overwritten by an overrun from the block below (kfree of the damaged block, or of a
 * neighbour that would merge with it, panics), a footer overwritten by the block's
 * own overrun, and pointers that are not a block's start. The row starts with a
 * prologue (a one-tag block marked in use) and ends with an epilogue (an in-use header
 * of size 0), so merging never needs to test for the ends.
 *
 * Policy: segregated free lists, one per power-of-two range of block sizes, plus a
 * bitmap of the non-empty ones. A request walks its own range first-fit, then takes
 * the head of the next non-empty larger range, which is sure to fit: a good fit with
 * the list chosen in O(1), where one first-fit list would walk past every small
 * fragment left at the front of the heap. Freeing is O(1): the tags find the two
 * neighbours, free ones are merged, so no two free blocks are ever adjacent.
 *
 * When nothing fits, the region grows at the top (at least 64 KiB at a time, merged
 * with a free block that ends there). When the free block at the top passes 128 KiB
 * it is cut back to 64 KiB and the rest unmapped: the gap between the two keeps a
 * block that is allocated and freed again and again from mapping and unmapping pages
 * each time. kmalloc_aligned() takes a block large enough to place an aligned start
 * inside it and splits the front fragment off as a free block.
 *
 * Free blocks' list links are checked (each neighbour on the list must point back)
 * whenever a block leaves its list. MNOS_DEBUG builds poison everything in a free
 * block but its tags and links, and check the poison of what is handed out again.
 */
#include <failinj.h>
#include <heap.h>
#include <klib.h>
#include <panic.h>
#include <spinlock.h>

#define LB_TAG          16u             /* a header or footer */
#define LB_MIN          48u             /* header, free-list links, footer */
#define LB_USED         1ull
#define LB_MAGIC        0x6c62a7c35e19d04bull
#define LB_GROW_MIN     (64u * 1024)
#define LB_KEEP         (64u * 1024)
#define LB_BINS         48u             /* ranges [2^(k+5), 2^(k+6)); the last open */

struct lb_tag {
	uint64_t size_used;             /* block size (a multiple of 16) | LB_USED */
	uint64_t check;                 /* lb_check(block address, size_used) */
};

/* The start of a free block. */
struct lb_free {
	struct lb_tag tag;
	struct lb_free *next, *prev;
};

_Static_assert(sizeof(struct lb_tag) == LB_TAG, "tags keep payloads 16-byte aligned");
_Static_assert(sizeof(struct lb_free) + LB_TAG == LB_MIN, "a free block's minimum");

/*
 * Lock order: a leaf with respect to the rest of the heap (no two heap locks are ever
 * held at once), held while heap_backend_map/unmap run, which take kernel_as.lock and
 * then the pmm lock: so it comes before those, and after any user address-space lock a
 * kmalloc() caller may hold.
 */
static struct {
	struct spinlock lock;
	uintptr_t base, limit;          /* [I] after heap_init: the region */
	uintptr_t top;                  /* [lock] end of the mapped part; base = none */
	struct lb_free *bins[LB_BINS];  /* [lock] free blocks by size range */
	uint64_t nonempty;              /* [lock] bit k: bins[k] has a block */
	size_t pages;                   /* [lock] mapped */
	size_t in_use;                  /* [lock] usable bytes of blocks in use */
	size_t free_bytes, free_blocks; /* [lock] */
	uint64_t allocs, frees, failures; /* [lock] */
} large = { .lock = SPINLOCK_INIT("heap_large") };

typedef uint64_t __attribute__((may_alias)) word_t;

/* (heap.h) Used by both allocators' MNOS_DEBUG checks. Compares a word at a time. */
size_t heap_poison_find(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i = 0;

	while (i < n && ((uintptr_t)(b + i) & 7)) {
		if (b[i] != HEAP_POISON)
			return i;
		i++;
	}
	for (; i + 8 <= n; i += 8)
		if (*(const word_t *)(b + i) != HEAP_POISON * 0x0101010101010101ull)
			break;
	for (; i < n; i++)
		if (b[i] != HEAP_POISON)
			return i;
	return n;
}

/* ---- tags ---- */

static inline uint64_t lb_check(uintptr_t h, uint64_t size_used)
{
	return LB_MAGIC ^ h ^ (size_used * 0x9e3779b97f4a7c15ull);
}

static inline struct lb_tag *lb_hdr(uintptr_t h)
{
	return (struct lb_tag *)h;
}

static inline size_t lb_size(const struct lb_tag *t)
{
	return t->size_used & ~(uint64_t)15;
}

static inline bool lb_tag_ok(uintptr_t h, const struct lb_tag *t)
{
	return t->check == lb_check(h, t->size_used);
}

/* Tag block h at address a (its header, or its footer). */
static inline void lb_put(uintptr_t a, uintptr_t h, uint64_t size_used)
{
	*(struct lb_tag *)a = (struct lb_tag){ size_used, lb_check(h, size_used) };
}

static void lb_write(uintptr_t h, size_t size, bool used)
{
	uint64_t su = size | (used ? LB_USED : 0);

	lb_put(h, h, su);
	lb_put(h + size - LB_TAG, h, su);
}

static void poison(uintptr_t from, uintptr_t to)
{
#if MNOS_DEBUG
	if (from < to)
		memset((void *)from, HEAP_POISON, to - from);
#endif
}

/* MNOS_DEBUG: [from, to) belonged to a free block and must still be poison. */
static void check_poison(uintptr_t from, uintptr_t to, uintptr_t block)
{
#if MNOS_DEBUG
	if (from >= to)
		return;
	size_t bad = heap_poison_find((const void *)from, to - from);
	if (bad < to - from)
		panic("heap: use after free: freed large-block memory at %p was written (byte "
		      "%#x, not the poison %#x), found handing out the block at %p",
		      (void *)(from + bad), ((const uint8_t *)from)[bad], HEAP_POISON,
		      (void *)(block + LB_TAG));
#endif
}

/* ---- free lists ---- */

static inline unsigned lb_bin(size_t size)
{
	unsigned b = 58 - (unsigned)__builtin_clzll(size);     /* log2(size) - 5 */

	return b < LB_BINS ? b : LB_BINS - 1;
}

static inline bool lb_link_ok(const struct lb_free *f)
{
	uintptr_t a = (uintptr_t)f;

	return !f || (a - large.base < large.top - large.base && !(a & 15));
}

__attribute__((cold, noinline, noreturn))
static void lb_links_damaged(const struct lb_free *f)
{
	panic("heap: use after free: the free-list links of the free large block at %p were "
	      "overwritten", (const void *)((uintptr_t)f + LB_TAG));
}

/* Tag [h, h + size) free and put it on its list. */
static void lb_link(uintptr_t h, size_t size)
{
	struct lb_free *f = (struct lb_free *)h;
	unsigned b = lb_bin(size);

	lb_write(h, size, false);
	f->prev = NULL;
	f->next = large.bins[b];
	if (f->next)
		f->next->prev = f;
	large.bins[b] = f;
	large.nonempty |= 1ull << b;
	large.free_bytes += size;
	large.free_blocks++;
}

/* Take a free block off its list, checking that its neighbours on the list point back
 * (links overwritten after kfree would otherwise send the allocator anywhere). */
static void lb_unlink(uintptr_t h, size_t size)
{
	struct lb_free *f = (struct lb_free *)h;
	unsigned b = lb_bin(size);

	if (!lb_link_ok(f->next) || !lb_link_ok(f->prev) || (f->next && f->next->prev != f) ||
	    (f->prev ? f->prev->next != f : large.bins[b] != f))
		lb_links_damaged(f);
	if (f->next)
		f->next->prev = f->prev;
	if (f->prev)
		f->prev->next = f->next;
	else
		large.bins[b] = f->next;
	if (!large.bins[b])
		large.nonempty &= ~(1ull << b);
	large.free_bytes -= size;
	large.free_blocks--;
}

/* Size of the free block at h, checking its header. */
static size_t lb_free_size(uintptr_t h)
{
	const struct lb_tag *t = lb_hdr(h);

	if (!lb_tag_ok(h, t) || (t->size_used & LB_USED))
		panic("heap: the header of the free large block at %p was overwritten (written "
		      "after kfree, or past the end of the block below)", (void *)(h + LB_TAG));
	return lb_size(t);
}

/* A free block of at least need bytes, still on its list; 0 if none. */
static uintptr_t lb_find(size_t need)
{
	unsigned b = lb_bin(need);

	for (struct lb_free *f = large.bins[b]; f; f = f->next) {
		if (!lb_link_ok(f->next))
			lb_links_damaged(f);
		if (f->tag.size_used >= need)
			return (uintptr_t)f;
	}
	uint64_t larger = b + 1 < LB_BINS ? large.nonempty & (~0ull << (b + 1)) : 0;
	return larger ? (uintptr_t)large.bins[__builtin_ctzll(larger)] : 0;
}

/* ---- the top of the region ---- */

/*
 * Map more of the region so that the free block at the top holds at least need bytes;
 * returns that block (on its list), or 0 with nothing changed.
 */
static uintptr_t lb_grow(size_t need)
{
	uintptr_t top = large.top;
	bool first = top == large.base;
	size_t have = 0;

	if (!first) {
		/* The footer of the last block; the prologue when there is none. */
		const struct lb_tag *last = (const struct lb_tag *)(top - 2 * LB_TAG);
		if (!(last->size_used & LB_USED))
			have = lb_free_size(top - LB_TAG - lb_size(last));
	}
	size_t want = (need > have ? need - have : 0) + (first ? 2 * LB_TAG : 0);
	size_t room = large.limit - top;
	if (want > room)
		return 0;
	size_t n = ALIGN_UP(MAX(want, (size_t)LB_GROW_MIN), (size_t)PAGE_SIZE);
	if (n > room)
		n = ALIGN_UP(want, (size_t)PAGE_SIZE);  /* near the end: only what is needed */
	if (n > room || !heap_backend_map(top, n / PAGE_SIZE))
		return 0;
	large.pages += n / PAGE_SIZE;
	large.top = top + n;

	/* The new block replaces the old epilogue, or follows the prologue. */
	uintptr_t h = first ? top + LB_TAG : top - LB_TAG;
	size_t size = first ? n - 2 * LB_TAG : n;
	if (first)
		lb_put(top, top, LB_TAG | LB_USED);
	lb_put(large.top - LB_TAG, large.top - LB_TAG, LB_USED);
	poison(h + LB_TAG, h + size - LB_TAG);
	if (have) {
		uintptr_t last = h - have;
		lb_unlink(last, have);
		poison(h - LB_TAG, h + LB_TAG);         /* its footer, the old epilogue */
		h = last;
		size += have;
	}
	lb_link(h, size);
	return h;
}

/*
 * The free block [h, h + size), off the lists, ends at the epilogue: unmap all of it
 * but keep bytes (at least a minimal block; keep == 0 and nothing else in the region
 * unmaps the region entirely). Returns the block's new size, 0 if it is gone.
 */
static size_t lb_cut_top(uintptr_t h, size_t size, size_t keep)
{
	uintptr_t new_top;

	if (keep == 0 && h == large.base + LB_TAG)
		new_top = large.base;
	else
		new_top = ALIGN_UP(h + MAX(keep, (size_t)LB_MIN) + LB_TAG, (uintptr_t)PAGE_SIZE);
	if (new_top >= large.top)
		return size;
	heap_backend_unmap(new_top, (large.top - new_top) / PAGE_SIZE);
	large.pages -= (large.top - new_top) / PAGE_SIZE;
	large.top = new_top;
	if (new_top == large.base)
		return 0;
	lb_put(new_top - LB_TAG, new_top - LB_TAG, LB_USED);
	return new_top - LB_TAG - h;
}

/* ---- checking a pointer handed back ---- */

__attribute__((cold, noinline, noreturn))
static void lb_diagnose(uintptr_t a, const char *op)
{
	uintptr_t end = large.top - LB_TAG;

	/* The header before a is not a valid tag. Walk the row from the start to tell an
	 * interior pointer, a pointer into free memory and a damaged header apart. */
	for (uintptr_t h = large.base + LB_TAG; h < end;) {
		const struct lb_tag *t = lb_hdr(h);
		size_t size = lb_size(t);
		if (!lb_tag_ok(h, t) || size < LB_MIN || size > end - h) {
			if (h == a - LB_TAG)
				panic("heap: %s(%p): the header of this large block was overwritten "
				      "(the block below it was written past its end?)", op, (void *)a);
			panic("heap: %s(%p): not the start of a block, and the heap is corrupted: "
			      "the header of the large block at %p was overwritten", op, (void *)a,
			      (void *)(h + LB_TAG));
		}
		if (a < h + size) {
			if (t->size_used & LB_USED)
				panic("heap: %s(%p): interior pointer into the large block at %p "
				      "(%zu usable bytes)", op, (void *)a, (void *)(h + LB_TAG),
				      size - 2 * LB_TAG);
			panic("heap: %s(%p): points into free memory (a double free of a block "
			      "that has since merged with a free neighbour?)", op, (void *)a);
		}
		h += size;
	}
	panic("heap: %s(%p): not the start of a large block", op, (void *)a);
}

/*
 * Check that p is a large block in use and return its header; *size gets the block's
 * size. Panics, saying what is wrong, otherwise. The caller holds the lock.
 */
static uintptr_t lb_lookup(const void *p, const char *op, bool freeing, size_t *size)
{
	uintptr_t a = (uintptr_t)p;

	if (a - large.base >= large.limit - large.base)
		panic("heap: %s(%p): not a heap pointer (outside both heap regions)", op, p);
	if (a >= large.top)
		panic("heap: %s(%p): that part of the large-block region is not mapped (the "
		      "block was freed and its pages given back: a double free? or a wild "
		      "pointer)", op, p);
	if (a < large.base + 2 * LB_TAG || (a & 15))
		panic("heap: %s(%p): not the start of a large block (interior or misaligned "
		      "pointer)", op, p);
	uintptr_t h = a - LB_TAG;
	const struct lb_tag *t = lb_hdr(h);
	if (!lb_tag_ok(h, t))
		lb_diagnose(a, op);
	if (!(t->size_used & LB_USED))
		panic("heap: %s(%p): the large block is free (%s)", op, p,
		      freeing ? "double free" : "use after free");
	size_t s = lb_size(t);
	if (s < LB_MIN || s > large.top - LB_TAG - h)
		panic("heap: %s(%p): the header of this large block was overwritten", op, p);
	const struct lb_tag *ft = (const struct lb_tag *)(h + s - LB_TAG);
	if (ft->size_used != t->size_used || ft->check != t->check)
		panic("heap: %s(%p): the footer of this large block (%zu usable bytes) was "
		      "overwritten: it was written past its end", op, p, s - 2 * LB_TAG);
	*size = s;
	return h;
}

/* ---- allocating and freeing ---- */

/* Hand out [h, h + need) of the free block [h, h + size), which is off the lists. */
static void lb_take(uintptr_t h, size_t size, size_t need)
{
	size_t final = size - need >= LB_MIN ? need : size;

	check_poison(h + sizeof(struct lb_free), h + final - LB_TAG, h);
	/* The rest stays free. Its right neighbour is in use, as that of any free block. */
	if (final < size)
		lb_link(h + final, size - final);
	lb_write(h, final, true);
	large.in_use += final - 2 * LB_TAG;
	large.allocs++;
}

/*
 * [h, h + size) has just become free (its inside poisoned in DEBUG builds) and is on no
 * list: merge it with free neighbours, cut the region back if the result ends it and
 * is large, and list what remains.
 */
static void lb_release(uintptr_t h, size_t size)
{
	uintptr_t r = h + size;
	const struct lb_tag *rt = lb_hdr(r);

	/* Tag it free first: if it merges into the block below, its header stays behind
	 * inside the merged block (poisoned only in DEBUG builds), and a second kfree()
	 * must find "free" there, not a stale "in use". */
	lb_write(h, size, false);
	if (!lb_tag_ok(r, rt))
		panic("heap: the header of the large block at %p was overwritten (found freeing "
		      "the block below it, at %p, which may have run past its end)",
		      (void *)(r + LB_TAG), (void *)(h + LB_TAG));
	if (!(rt->size_used & LB_USED)) {
		size_t rs = lb_size(rt);
		lb_unlink(r, rs);
		poison(r - LB_TAG, r + sizeof(struct lb_free));
		size += rs;
	}

	const struct lb_tag *lt = (const struct lb_tag *)(h - LB_TAG);
	size_t ls = lb_size(lt);
	if (ls > h - large.base || !lb_tag_ok(h - ls, lt))
		panic("heap: the footer of the large block below %p was overwritten (written "
		      "past its end)", (void *)(h + LB_TAG));
	if (!(lt->size_used & LB_USED)) {
		lb_unlink(h - ls, ls);
		poison(h - LB_TAG, h + sizeof(struct lb_free));
		h -= ls;
		size += ls;
	}

	if (h + size == large.top - LB_TAG && size > 2 * LB_KEEP)
		size = lb_cut_top(h, size, LB_KEEP);
	lb_link(h, size);
}

static void *large_alloc(size_t size, size_t align)
{
	if (size > large.limit - large.base || align > large.limit - large.base) {
		irqflags_t f = spin_lock_irqsave(&large.lock);
		large.failures++;
		spin_unlock_irqrestore(&large.lock, f);
		return NULL;
	}
	size_t need = MAX(ALIGN_UP(size, (size_t)16) + 2 * LB_TAG, (size_t)LB_MIN);
	/* With an alignment: room to move the start to an aligned address, leaving a
	 * front fragment that is either empty or a whole free block. */
	size_t search = align > HEAP_MIN_ALIGN ? need + align + LB_MIN : need;
	irqflags_t f = spin_lock_irqsave(&large.lock);
	uintptr_t h = lb_find(search);

	if (!h && !(h = lb_grow(search))) {
		large.failures++;
		spin_unlock_irqrestore(&large.lock, f);
		return NULL;
	}
	size_t bsize = lb_free_size(h);
	lb_unlink(h, bsize);
	if (align > HEAP_MIN_ALIGN) {
		uintptr_t p = ALIGN_UP(h + LB_TAG, (uintptr_t)align);
		if (p - LB_TAG - h != 0 && p - LB_TAG - h < LB_MIN)
			p += align;
		size_t front = p - LB_TAG - h;
		if (front) {
			lb_link(h, front);      /* its left neighbour is in use */
			h += front;
			bsize -= front;
		}
	}
	lb_take(h, bsize, need);
	spin_unlock_irqrestore(&large.lock, f);
	return (void *)(h + LB_TAG);
}

static void large_free(void *p)
{
	irqflags_t f = spin_lock_irqsave(&large.lock);
	size_t size;
	uintptr_t h = lb_lookup(p, "kfree", true, &size);

	large.in_use -= size - 2 * LB_TAG;
	large.frees++;
	poison(h + LB_TAG, h + size - LB_TAG);
	lb_release(h, size);
	spin_unlock_irqrestore(&large.lock, f);
}

static size_t large_ksize(const void *p)
{
	irqflags_t f = spin_lock_irqsave(&large.lock);
	size_t size;

	lb_lookup(p, "ksize", false, &size);
	spin_unlock_irqrestore(&large.lock, f);
	return size - 2 * LB_TAG;
}

/*
 * Resize the large block p in place to hold size bytes: shrink by splitting off the
 * tail, grow into a free right neighbour, or by growing the region when the block
 * ends it. Returns false, with nothing changed, if it cannot. *usable gets the block's
 * usable size before the call.
 */
static bool large_resize(void *p, size_t size, size_t *usable)
{
	irqflags_t f = spin_lock_irqsave(&large.lock);
	size_t cur;
	uintptr_t h = lb_lookup(p, "krealloc", false, &cur);
	size_t need = MAX(ALIGN_UP(size, (size_t)16) + 2 * LB_TAG, (size_t)LB_MIN);
	bool done = true;

	*usable = cur - 2 * LB_TAG;
	if (size > large.limit - large.base) {
		done = false;                   /* and need would have wrapped around */
	} else if (need <= cur) {
		if (cur - need >= LB_MIN) {
			uintptr_t t = h + need;
			lb_write(h, need, true);
			large.in_use -= cur - need;
			poison(t + LB_TAG, h + cur - LB_TAG);
			lb_release(t, cur - need);      /* its left neighbour (h) is in use */
		}
	} else {
		uintptr_t r = h + cur;
		const struct lb_tag *rt = lb_hdr(r);
		if (!lb_tag_ok(r, rt))
			panic("heap: krealloc(%p): the header of the next large block was "
			      "overwritten (this block was written past its end?)", p);
		size_t avail = (rt->size_used & LB_USED) ? 0 : lb_size(rt);
		/* Last in the region (but for free space): grow the region under it. */
		if (cur + avail < need && r + avail == large.top - LB_TAG && lb_grow(need - cur))
			avail = lb_size(lb_hdr(r));
		if (cur + avail >= need) {
			size_t total = cur + avail;
			size_t final = total - need >= LB_MIN ? need : total;
			lb_unlink(r, avail);
			check_poison(r + sizeof(struct lb_free), h + final - LB_TAG, r);
			if (final < total)
				lb_link(h + final, total - final);
			lb_write(h, final, true);
			large.in_use += final - cur;
		} else {
			done = false;
		}
	}
	spin_unlock_irqrestore(&large.lock, f);
	return done;
}

/* ---- the interface ---- */

void heap_init(uintptr_t slab_base, size_t slab_size, uintptr_t large_base,
	       size_t large_size)
{
	size_t slab_used = MIN(slab_size, (size_t)HEAP_SLAB_REGION_MAX);

	assert(!large.limit);
	assert(IS_ALIGNED(large_base, (uintptr_t)PAGE_SIZE));
	assert(large_size >= 2 * PAGE_SIZE && large_base + large_size > large_base);
	assert(large_base >= slab_base + slab_used || slab_base >= large_base + large_size);
	slab_init(slab_base, slab_size);
	large.base = large_base;
	large.limit = large_base + ALIGN_DOWN(large_size, (size_t)PAGE_SIZE);
	large.top = large_base;
}

void *kmalloc(size_t size)
{
	if (failinj(FAILINJ_HEAP))
		return NULL;
	/* One compare for the common case: size 0 wraps around to a huge value. */
	if (likely(size - 1 < HEAP_SLAB_MAX))
		return slab_alloc(size);
	if (size == 0)
		return slab_alloc(1);
	return large_alloc(size, HEAP_MIN_ALIGN);
}

void *kmalloc_aligned(size_t size, size_t align)
{
	if (align == 0 || (align & (align - 1)) || align > HEAP_ALIGN_MAX)
		return NULL;
	if (align <= HEAP_MIN_ALIGN)
		return kmalloc(size);
	if (failinj(FAILINJ_HEAP))
		return NULL;
	/* Slab objects are aligned to their class size: the class of max(size, align). */
	if (size <= HEAP_SLAB_MAX && align <= HEAP_SLAB_MAX)
		return slab_alloc(MAX(size, align));
	return large_alloc(size, align);
}

void *kcalloc(size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total))
		return NULL;
	void *p = kmalloc(total);
	if (p)
		memset(p, 0, total);
	return p;
}

void kfree(void *p)
{
	if (likely(heap_in_slab_region(p))) {
		slab_free(p);
		return;
	}
	if (!p)
		return;
	large_free(p);
}

size_t ksize(const void *p)
{
	if (!p)
		return 0;
	if (heap_in_slab_region(p))
		return slab_ksize(p);
	return large_ksize(p);
}

void *krealloc(void *p, size_t size)
{
	size_t cur;

	if (!p)
		return kmalloc(size);
	if (size == 0) {
		kfree(p);
		return NULL;
	}
	if (heap_in_slab_region(p)) {
		cur = slab_ksize(p);
		/* Still the same class: nothing to do. */
		if (size <= cur && (cur == 16 || size > cur / 2))
			return p;
	} else if (size > HEAP_SLAB_MAX) {
		if (large_resize(p, size, &cur))
			return p;
	} else {
		cur = large_ksize(p);   /* small now: better moved to a slab */
	}

	void *n = kmalloc(size);
	if (!n) {
		/* A shrink cannot fail: keep the block where it is. */
		if (size <= cur && !heap_in_slab_region(p))
			large_resize(p, size, &cur);
		return size <= cur ? p : NULL;
	}
	memcpy(n, p, MIN(cur, size));
	kfree(p);
	return n;
}

void heap_trim(void)
{
	slab_trim();

	irqflags_t f = spin_lock_irqsave(&large.lock);
	if (large.top != large.base) {
		const struct lb_tag *last = (const struct lb_tag *)(large.top - 2 * LB_TAG);
		if (!(last->size_used & LB_USED)) {
			uintptr_t h = large.top - LB_TAG - lb_size(last);
			size_t size = lb_free_size(h);
			lb_unlink(h, size);
			size = lb_cut_top(h, size, 0);
			if (size)
				lb_link(h, size);
		}
	}
	spin_unlock_irqrestore(&large.lock, f);
}

struct heap_stats heap_get_stats(void)
{
	struct heap_stats st = { 0 };

	slab_add_stats(&st);
	irqflags_t f = spin_lock_irqsave(&large.lock);
	st.bytes_in_use += large.in_use;
	st.large_bytes_held = large.pages * PAGE_SIZE;
	st.large_free_bytes = large.free_bytes;
	st.large_free_blocks = large.free_blocks;
	st.allocs += large.allocs;
	st.frees += large.frees;
	st.failures += large.failures;
	spin_unlock_irqrestore(&large.lock, f);
	st.bytes_held = st.slab_bytes_held + st.large_bytes_held;
	return st;
}
