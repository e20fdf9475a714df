/*
 * The allocator (mnos/malloc.h): boundary-tagged chunks in arenas that a grow callback
 * supplies, free chunks on segregated lists by power-of-two size class, first fit within
 * a class, split on allocation and coalesced with both neighbours on free. Pure logic:
 * the host tests (tests/host/test_libmnos.c) run it under ASan and UBSan; heap.c gives
 * it the process's memory.
 *
 * A chunk is a 16-byte header and its payload:
 *
 *     prev_size   the size of the chunk just before it (0 for an arena's first)
 *     head        magic << 48 | size (a multiple of 16, header included)
 *     payload     16-byte aligned; a free chunk keeps its list links here
 *
 * The magic says whether the chunk is in use or free, which is how a double free is
 * caught; with the neighbours' sizes agreeing with prev_size, a pointer that is not a
 * block's start is caught too. Every arena ends with a header of size 0 (the end marker)
 * whose prev_size is the last chunk's size, so the last chunk has a next like any.
 */
#include <mnos/malloc.h>
#include <klib.h>

#define HDR             16u
#define MIN_CHUNK       32u             /* header and the two links of a free chunk */
#define MAGIC_USED      0xa11cull
#define MAGIC_FREE      0xf3eeull
#define MAGIC_END       0xe4d0ull
#define SIZE_MASK       ((1ull << 48) - 1)

struct chunk {
	uint64_t prev_size;
	uint64_t head;
	struct chunk *next, *prev;      /* free chunks only */
};

_Static_assert(sizeof(struct chunk) == MIN_CHUNK, "chunk layout");

static inline uint64_t csize(const struct chunk *c)
{
	return c->head & SIZE_MASK;
}

static inline uint64_t cmagic(const struct chunk *c)
{
	return c->head >> 48;
}

static inline void set_head(struct chunk *c, uint64_t magic, uint64_t size)
{
	c->head = magic << 48 | size;
}

static inline struct chunk *next_chunk(struct chunk *c)
{
	return (struct chunk *)((uintptr_t)c + csize(c));
}

static inline struct chunk *prev_chunk(struct chunk *c)
{
	return (struct chunk *)((uintptr_t)c - c->prev_size);
}

static inline void *payload(struct chunk *c)
{
	return (uint8_t *)c + HDR;
}

static unsigned bin_of(uint64_t size)
{
	unsigned b = 63 - (unsigned)__builtin_clzll(size) - 5;  /* 32..63 → 0 */

	return b < MHEAP_BINS ? b : MHEAP_BINS - 1;
}

static void bin_insert(struct mheap *h, struct chunk *c)
{
	unsigned b = bin_of(csize(c));
	struct chunk *first = h->bins[b];

	c->prev = NULL;
	c->next = first;
	if (first)
		first->prev = c;
	h->bins[b] = c;
}

static void bin_remove(struct mheap *h, struct chunk *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		h->bins[bin_of(csize(c))] = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

void mheap_init(struct mheap *h, mheap_grow_t grow, mheap_fail_t fail, void *ctx)
{
	memset(h, 0, sizeof(*h));
	h->grow = grow;
	h->fail = fail;
	h->ctx = ctx;
}

static void report(struct mheap *h, const char *what, const void *p)
{
	if (h->fail)
		h->fail(h->ctx, what, p);
}

/* Free chunk c: merge it with free neighbours in arena a and put it on its list. */
static void release(struct mheap *h, const struct mheap_arena *a, struct chunk *c)
{
	struct chunk *n = next_chunk(c);
	uint64_t size = csize(c);

	if (cmagic(n) == MAGIC_FREE) {
		bin_remove(h, n);
		size += csize(n);
	}
	if ((uintptr_t)c != a->start && cmagic(prev_chunk(c)) == MAGIC_FREE) {
		/* c's header stays behind marked free: freeing it again is a double free. */
		set_head(c, MAGIC_FREE, csize(c));
		c = prev_chunk(c);
		bin_remove(h, c);
		size += csize(c);
	}
	set_head(c, MAGIC_FREE, size);
	next_chunk(c)->prev_size = size;
	bin_insert(h, c);
}

/* Take the grown region [p, p + n) into the heap. */
static bool add_region(struct mheap *h, void *p, size_t n)
{
	uintptr_t start = (uintptr_t)p;

	if (!p || n < 2 * MIN_CHUNK || start % MHEAP_ALIGN || n % MHEAP_ALIGN ||
	    start + n < start)
		return false;
	for (unsigned i = 0; i < h->narenas; i++) {
		struct mheap_arena *a = &h->arenas[i];
		if (a->end != start)
			continue;
		/* Contiguous: the end marker becomes the header of the new free space. */
		struct chunk *c = (struct chunk *)(a->end - HDR);
		set_head(c, MAGIC_USED, n);
		a->end += n;
		struct chunk *end = next_chunk(c);
		end->prev_size = n;
		set_head(end, MAGIC_END, 0);
		h->total += n;
		release(h, a, c);
		return true;
	}
	if (h->narenas == MHEAP_MAX_ARENAS)
		return false;
	struct mheap_arena *a = &h->arenas[h->narenas++];
	a->start = start;
	a->end = start + n;
	struct chunk *c = p, *end = (struct chunk *)(a->end - HDR);
	c->prev_size = 0;
	set_head(c, MAGIC_USED, n - HDR);
	end->prev_size = n - HDR;
	set_head(end, MAGIC_END, 0);
	h->total += n;
	release(h, a, c);
	return true;
}

/* A free chunk of at least size bytes, taken off its list; NULL if none. */
static struct chunk *find_free(struct mheap *h, uint64_t size)
{
	unsigned b = bin_of(size);

	for (struct chunk *c = h->bins[b]; c; c = c->next)
		if (csize(c) >= size) {
			bin_remove(h, c);
			return c;
		}
	/* Every chunk of a larger class is large enough. */
	for (b++; b < MHEAP_BINS; b++)
		if (h->bins[b]) {
			struct chunk *c = h->bins[b];
			bin_remove(h, c);
			return c;
		}
	return NULL;
}

static struct mheap_arena *arena_of(struct mheap *h, uintptr_t p)
{
	for (unsigned i = 0; i < h->narenas; i++)
		if (p >= h->arenas[i].start && p < h->arenas[i].end)
			return &h->arenas[i];
	return NULL;
}

/* Give chunk c (in use, not on a list) the size want, freeing what is left over if it
 * can be a chunk of its own. */
static void trim(struct mheap *h, const struct mheap_arena *a, struct chunk *c, uint64_t want)
{
	uint64_t size = csize(c);

	if (size - want < MIN_CHUNK)
		return;
	set_head(c, MAGIC_USED, want);
	struct chunk *rest = next_chunk(c);
	rest->prev_size = want;
	set_head(rest, MAGIC_USED, size - want);
	next_chunk(rest)->prev_size = size - want;
	release(h, a, rest);
}

/* The chunk size for a request of n bytes, or 0 if it is too large. */
static uint64_t chunk_size(size_t n)
{
	if (n > MHEAP_MAX_REQUEST)
		return 0;
	uint64_t size = ALIGN_UP((uint64_t)n + HDR, (uint64_t)MHEAP_ALIGN);
	return size < MIN_CHUNK ? MIN_CHUNK : size;
}

void *mheap_alloc(struct mheap *h, size_t n)
{
	uint64_t size = chunk_size(n);

	if (!size)
		return NULL;
	struct chunk *c = find_free(h, size);
	if (!c) {
		size_t got = 0;
		/* Room for the chunk and, in a new arena, the end marker. */
		void *p = h->grow ? h->grow(h->ctx, size + HDR, &got) : NULL;
		if (!p || got < size + HDR || !add_region(h, p, got))
			return NULL;
		c = find_free(h, size);
		if (!c)
			return NULL;
	}
	set_head(c, MAGIC_USED, csize(c));
	trim(h, arena_of(h, (uintptr_t)c), c, size);
	h->used += csize(c);
	h->nblocks++;
	return payload(c);
}

/* The chunk of a live block p, or NULL after reporting why p is not one. */
/* What is wrong with a pointer given to free or to realloc. */
enum misuse { OUTSIDE, FREED, NOT_A_BLOCK };

static const char *const misuse_free[] = {
	[OUTSIDE] = "free of a pointer outside the heap",
	[FREED] = "double free",
	[NOT_A_BLOCK] = "free of a pointer that is not a block (or a corrupt heap)",
};

static const char *const misuse_realloc[] = {
	[OUTSIDE] = "realloc of a pointer outside the heap",
	[FREED] = "realloc of a freed block",
	[NOT_A_BLOCK] = "realloc of a pointer that is not a block (or a corrupt heap)",
};

static struct chunk *block_of(struct mheap *h, const void *p, const char *const *why,
			      struct mheap_arena **ap)
{
	uintptr_t x = (uintptr_t)p;
	struct mheap_arena *a = arena_of(h, x);

	if (!a || x % MHEAP_ALIGN || x < a->start + HDR || x >= a->end - HDR) {
		report(h, why[OUTSIDE], p);
		return NULL;
	}
	struct chunk *c = (struct chunk *)(x - HDR);
	if (cmagic(c) == MAGIC_FREE) {
		report(h, why[FREED], p);
		return NULL;
	}
	uint64_t size = csize(c);
	if (cmagic(c) != MAGIC_USED || size < MIN_CHUNK || size % MHEAP_ALIGN ||
	    size > a->end - HDR - (uintptr_t)c || next_chunk(c)->prev_size != size ||
	    ((uintptr_t)c != a->start &&
	     (c->prev_size > (uintptr_t)c - a->start || c->prev_size % MHEAP_ALIGN ||
	      csize(prev_chunk(c)) != c->prev_size))) {
		report(h, why[NOT_A_BLOCK], p);
		return NULL;
	}
	*ap = a;
	return c;
}

void mheap_free(struct mheap *h, void *p)
{
	struct mheap_arena *a;
	struct chunk *c;

	if (!p || !(c = block_of(h, p, misuse_free, &a)))
		return;
	h->used -= csize(c);
	h->nblocks--;
	release(h, a, c);
}

void *mheap_calloc(struct mheap *h, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	void *p = mheap_alloc(h, n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *mheap_realloc(struct mheap *h, void *p, size_t n)
{
	struct mheap_arena *a;
	struct chunk *c;

	if (!p)
		return mheap_alloc(h, n);
	if (!(c = block_of(h, p, misuse_realloc, &a)))
		return NULL;
	if (n == 0) {
		mheap_free(h, p);
		return NULL;
	}
	uint64_t want = chunk_size(n), size = csize(c);
	if (!want)
		return NULL;
	h->used -= size;
	if (want > size) {
		/* Grow in place into a free neighbour if it makes enough. */
		struct chunk *nx = next_chunk(c);
		if (cmagic(nx) != MAGIC_FREE || size + csize(nx) < want) {
			h->used += size;
			void *q = mheap_alloc(h, n);
			if (q) {
				memcpy(q, p, size - HDR);
				mheap_free(h, p);
			}
			return q;
		}
		bin_remove(h, nx);
		size += csize(nx);
		set_head(c, MAGIC_USED, size);
		next_chunk(c)->prev_size = size;
	}
	trim(h, a, c, want);
	h->used += csize(c);
	return p;
}

size_t mheap_usable(struct mheap *h, const void *p)
{
	uintptr_t x = (uintptr_t)p;
	struct mheap_arena *a = p ? arena_of(h, x) : NULL;

	if (!a || x % MHEAP_ALIGN || x < a->start + HDR || x >= a->end - HDR)
		return 0;
	const struct chunk *c = (const struct chunk *)(x - HDR);
	return cmagic(c) == MAGIC_USED ? csize(c) - HDR : 0;
}

bool mheap_check(struct mheap *h)
{
	size_t used = 0, nblocks = 0, nfree = 0, listed = 0;

	for (unsigned i = 0; i < h->narenas; i++) {
		const struct mheap_arena *a = &h->arenas[i];
		uint64_t prev = 0;
		bool prev_free = false;
		struct chunk *c = (struct chunk *)a->start;
		for (;;) {
			if ((uintptr_t)c > a->end - HDR || c->prev_size != prev) {
				report(h, "heap check: broken chunk chain", c);
				return false;
			}
			if (cmagic(c) == MAGIC_END) {
				if ((uintptr_t)c != a->end - HDR || csize(c)) {
					report(h, "heap check: misplaced end marker", c);
					return false;
				}
				break;
			}
			uint64_t size = csize(c);
			bool is_free = cmagic(c) == MAGIC_FREE;
			if ((!is_free && cmagic(c) != MAGIC_USED) || size < MIN_CHUNK ||
			    size % MHEAP_ALIGN || (is_free && prev_free)) {
				report(h, "heap check: bad chunk (or two free chunks in a row)", c);
				return false;
			}
			if (is_free) {
				nfree++;
			} else {
				used += size;
				nblocks++;
			}
			prev = size;
			prev_free = is_free;
			c = next_chunk(c);
		}
	}
	for (unsigned b = 0; b < MHEAP_BINS; b++)
		for (struct chunk *c = h->bins[b], *p = NULL; c; p = c, c = c->next) {
			if (cmagic(c) != MAGIC_FREE || bin_of(csize(c)) != b || c->prev != p) {
				report(h, "heap check: bad free list", c);
				return false;
			}
			if (++listed > nfree)
				break;
		}
	if (listed != nfree || used != h->used || nblocks != h->nblocks) {
		report(h, "heap check: counts disagree", NULL);
		return false;
	}
	return true;
}
