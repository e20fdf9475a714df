/*
 * Size-class caches (slabs) for the kernel heap's small blocks: every kmalloc() of at
 * most HEAP_SLAB_MAX bytes is served here. The front end, the large-block allocator
 * and the description of the whole heap are in kernel/mm/heap.c and heap.h.
 *
 * Layout. The slab region is cut into one zone per size class (16, 32, ... 2048), so
 * the class of any pointer is (address - base) >> zone_shift: no header is trusted to
 * say which cache a pointer belongs to. A zone is an array of slab slots of a fixed
 * size per class (4 KiB up to the 128-byte class, then 32 objects' worth, up to 64 KiB
 * for 2048), each aligned to its size, so a slab's header is found by masking the
 * address. The header (64 bytes at the slab's start) holds the class tag, the free
 * list, the in-use count and a bitmap with one bit per object, which makes a double
 * free an exact, cheap test. Objects sit at multiples of their size from the slab's
 * start, so every object is aligned to its class size and an object's index is a
 * shift, not a division. The header costs one object slot (1/32 of a slab) from the
 * 64-byte class up, 2 or 4 slots of the 32- and 16-byte classes.
 *
 * Slots are handed out by a bitmap per zone, with a summary bit per full bitmap word
 * and a hint, so finding a free slot reads a few words, never the whole map from 0.
 *
 * Each class keeps a circular list of its slabs that have free objects; allocation
 * takes from the head. A slab whose last object is freed is given back to the
 * backend, except that one empty slab per class is kept, as the list's tail, so that a
 * class allocating and freeing around a slab boundary does not map and unmap pages
 * each time. At the tail, allocation reaches it only once every partly used slab is
 * full, so objects gather in few slabs and the others can empty.
 *
 * Checks on kfree(), in both builds: the slab's tag (header overwritten, or not a slab),
 * the object's alignment (interior pointer) and its bit (double free, or a pointer into
 * the header, whose bits are never set). MNOS_DEBUG builds also check that the slab's
 * slot is mapped before touching it, so a pointer into a slab that was given back is
 * reported as such; without it, that access faults, and the kernel's page-fault report
 * names kfree. They also poison freed objects and check the poison, and each free-list
 * link, when an object is handed out again or its slab is given back.
 */
#include <heap.h>
#include <klib.h>
#include <panic.h>
#include <spinlock.h>

/* Class k holds (16 << k)-byte objects in slabs of 1 << slab_shift bytes. */
#define SLAB_CLASS_TABLE(X)                                                        \
	X(0, 12, "heap_slab16")   X(1, 12, "heap_slab32")                          \
	X(2, 12, "heap_slab64")   X(3, 12, "heap_slab128")                         \
	X(4, 13, "heap_slab256")  X(5, 14, "heap_slab512")                         \
	X(6, 15, "heap_slab1024") X(7, 16, "heap_slab2048")

#define SLAB_MAX_SHIFT  16              /* the largest slab: 64 KiB */
#define SLAB_TAG(cls)   (0x51ab0000u | (cls))
#define HDR_BYTES       64u

/* Bitmap storage for the largest zones allowed; smaller zones use a prefix. */
#define ZONE_MAX        (HEAP_SLAB_REGION_MAX / HEAP_SLAB_CLASSES)
#define ZONE_WORDS(sh)  ((size_t)(ZONE_MAX >> (sh)) / 64)
#define SUM_WORDS(k, sh, name) + ZONE_WORDS(sh)
#define SUMMARY_MAX     ((ZONE_WORDS(12) + 63) / 64)

struct free_obj {
	struct free_obj *next;
};

/* At the start of every slab. Guarded by its class's lock. */
struct slab {
	uint32_t tag;                   /* SLAB_TAG(class) while the slab is live */
	uint32_t inuse;                 /* objects handed out */
	struct free_obj *free;          /* free objects, NULL when the slab is full */
	struct slab *next, *prev;       /* the class's partial list (circular); stale
					 * while the slab is full */
	uint64_t allocated[4];          /* bit per object index: handed out */
};

_Static_assert(sizeof(struct slab) == HDR_BYTES, "the header is one 64-byte object slot");
#define CHECK_CLASS(k, sh, name) \
	_Static_assert((sh) - (k) - 4 <= 8, "allocated[] has a bit for each object"); \
	_Static_assert((sh) >= PAGE_SHIFT && (sh) <= SLAB_MAX_SHIFT, "slab size");
SLAB_CLASS_TABLE(CHECK_CLASS)
_Static_assert((16u << (HEAP_SLAB_CLASSES - 1)) == HEAP_SLAB_MAX, "class table and limit");

/*
 * One size class. The first cache line holds all that the fast paths touch.
 *
 * Lock order: each class lock is a leaf with respect to the rest of the heap (no two
 * heap locks are ever held at once), but it is held while heap_backend_map/unmap run,
 * which take kernel_as.lock and then the pmm lock: so it comes before those, and after
 * any user address-space lock a kmalloc() caller may hold.
 */
struct slab_class {
	struct spinlock lock;
	struct slab *partial;           /* [lock] head of the slabs with free objects; an
					 * empty slab, if any, is the tail */
	uint64_t allocs, frees;         /* [lock] */
	uintptr_t slab_mask;            /* [I] ~(slab size - 1) */
	uint32_t tag;                   /* [I] SLAB_TAG(class) */
	uint32_t size_mask;             /* [I] object size - 1 */
	uintptr_t zone_base;            /* [I] after slab_init */
	uint64_t *used;                 /* [I] the zone's slot bitmap, bit per slab slot:
					 * mapped (the bits are [lock]) */
	uint64_t *summary;              /* [I] bit per used[] word: all its slots taken
					 * (the bits are [lock]) */
	uint32_t nwords;                /* [I] words in used[] */
	uint32_t nsummary;              /* [I] words in summary[] */
	uint8_t slab_shift;             /* [I] log2 of the slab size */
	uint8_t first_idx;              /* [I] index of the first object after the header */
	size_t hint;                    /* [lock] no summary word below it has a free slot */
	size_t slabs;                   /* [lock] slabs mapped */
	uint64_t failures;              /* [lock] */
} __aligned(64);                        /* cache lines apart: CPUs using different
					 * classes do not contend for lines */

_Static_assert(offsetof(struct slab_class, zone_base) == 64, "hot fields in one line");
_Static_assert(sizeof(struct slab_class) == 128, "a shift indexes the class table");

#define CLASS_INIT(k, sh, name)                                                      \
	[k] = { .lock = SPINLOCK_INIT(name), .slab_shift = (sh),                      \
		.slab_mask = ~(((uintptr_t)1 << (sh)) - 1), .tag = SLAB_TAG(k),       \
		.size_mask = (16u << (k)) - 1,                                        \
		.first_idx = (HDR_BYTES + (16u << (k)) - 1) >> ((k) + 4) },

static struct slab_class classes[HEAP_SLAB_CLASSES] = { SLAB_CLASS_TABLE(CLASS_INIT) };
static uint64_t zone_words[0 SLAB_CLASS_TABLE(SUM_WORDS)];
static uint64_t zone_summary[HEAP_SLAB_CLASSES][SUMMARY_MAX];

struct heap_slab_region heap_slab_region;       /* [I] after slab_init */

/*
 * Size to class in O(1): the class is the position of the highest bit of size - 1,
 * counted from the 16-byte class (| 15 puts sizes 1..16 in class 0). 63 ^ clz is that
 * position, which x86 computes in one instruction (bsr).
 */
static inline unsigned size_class(size_t size)
{
	return (unsigned)((63 ^ __builtin_clzll((size - 1) | 15)) - 3);
}

/*
 * The class's address, hidden from the optimiser by an empty asm: otherwise GCC
 * addresses every field of classes[cls] as an absolute address of its own
 * (-mcmodel=kernel), and keeps several of them in registers or recomputes them. Through
 * one base register, kmalloc(64) + kfree() went from 140 instructions to 114.
 */
static inline struct slab_class *class_at(unsigned cls)
{
	struct slab_class *c = &classes[cls];

	__asm__("" : "+r"(c));
	return c;
}

static inline size_t class_size(unsigned cls)
{
	return (size_t)16 << cls;
}

static inline size_t slab_pages(const struct slab_class *c)
{
	return (size_t)1 << (c->slab_shift - PAGE_SHIFT);
}

/*
 * An object's bit in its slab's allocated[] map: its address >> log2(size), mod 256.
 * A slab holds at most 256 objects and is aligned to its size, so within one slab the
 * low bits of that number are the object's index and the rest are the same for all;
 * the bits are distinct, and no subtraction of the slab's address is needed.
 */
static inline unsigned obj_bit(uintptr_t a, unsigned cls)
{
	return (unsigned)(a >> (cls + 4)) & 255;
}

/* ---- reporting ---- */

__attribute__((cold, noinline, noreturn))
static void bad_pointer(const char *op, const void *p, unsigned cls, const char *why)
{
	panic("heap: %s(%p): %s (%zu-byte size class)", op, p, why, class_size(cls));
}

/* The object's bit is clear: tell a pointer into the header (whose bits are never
 * set) from an object that is free. */
__attribute__((cold, noinline, noreturn))
static void bad_free(const char *op, const void *p, unsigned cls, bool freeing)
{
	const struct slab_class *c = &classes[cls];

	if ((((uintptr_t)p & ~c->slab_mask) >> (cls + 4)) < c->first_idx)
		bad_pointer(op, p, cls, "points into a slab header");
	bad_pointer(op, p, cls, freeing ? "double free" : "object is free (use after free)");
}

/* ---- the class lock ---- */

/*
 * The fast paths take the class lock with spin_trylock(), which succeeds only when
 * nobody holds it or waits for it with a ticket, so the ticket order is kept (a
 * first-come waiter, on a hypervisor, holds no place to keep). When it fails they finish
 * in an out-of-line copy, reached by a tail call, that waits in spin_lock(): that wait
 * loop calls out (it answers TLB shootdowns while it spins), and a call anywhere in a
 * function makes the compiler save registers on every path through it, the fast one
 * included. Taking a lock this CPU already holds still panics: the trylock fails, and
 * spin_lock() checks.
 */
static inline irqflags_t class_lock(struct slab_class *c)
{
	irqflags_t f = irq_save();

	spin_lock(&c->lock);
	return f;
}

static inline void class_unlock(struct slab_class *c, irqflags_t f)
{
	spin_unlock_irqrestore(&c->lock, f);
}

/* ---- zone slots ---- */

static void zone_init(struct slab_class *c, unsigned k, uint64_t *words, uintptr_t base,
		      unsigned zone_shift)
{
	size_t nslots = (size_t)1 << (zone_shift - c->slab_shift);

	c->zone_base = base;
	c->used = words;
	c->summary = zone_summary[k];
	c->nwords = (uint32_t)((nslots + 63) / 64);
	c->nsummary = (c->nwords + 63) / 64;
	memset(words, 0, c->nwords * sizeof(uint64_t));
	memset(c->summary, 0, SUMMARY_MAX * sizeof(uint64_t));
	/* Slots and words past the end are marked taken, so the search needs no bounds
	 * test inside a word. */
	if (nslots % 64)
		words[c->nwords - 1] = ~0ull << (nslots % 64);
	if (c->nwords % 64)
		c->summary[c->nsummary - 1] = ~0ull << (c->nwords % 64);
	c->hint = 0;
}

/* A free slot, marked taken; -1 when the zone is full. */
static long zone_take(struct slab_class *c)
{
	for (size_t i = c->hint; i < c->nsummary; i++) {
		uint64_t open = ~c->summary[i];
		if (!open)
			continue;
		size_t w = i * 64 + (size_t)__builtin_ctzll(open);
		size_t b = (size_t)__builtin_ctzll(~c->used[w]);
		c->used[w] |= 1ull << b;
		if (c->used[w] == ~0ull)
			c->summary[i] |= 1ull << (w % 64);
		c->hint = i;
		return (long)(w * 64 + b);
	}
	c->hint = c->nsummary;
	return -1;
}

static void zone_give(struct slab_class *c, size_t slot)
{
	size_t w = slot / 64;

	c->used[w] &= ~(1ull << (slot % 64));
	c->summary[w / 64] &= ~(1ull << (w % 64));
	if (w / 64 < c->hint)
		c->hint = w / 64;
}

static inline bool zone_slot_live(const struct slab_class *c, uintptr_t a)
{
	size_t slot = (a - c->zone_base) >> c->slab_shift;

	return c->used[slot / 64] & (1ull << (slot % 64));
}

/* ---- the partial list: circular, so the tail is head->prev ---- */

static void partial_insert(struct slab_class *c, struct slab *s, bool at_head)
{
	struct slab *h = c->partial;

	if (!h) {
		s->next = s->prev = s;
		c->partial = s;
		return;
	}
	s->next = h;
	s->prev = h->prev;
	h->prev->next = s;
	h->prev = s;
	if (at_head)
		c->partial = s;
}

static void partial_remove(struct slab_class *c, struct slab *s)
{
	if (s->next == s) {
		c->partial = NULL;
		return;
	}
	s->prev->next = s->next;
	s->next->prev = s->prev;
	if (c->partial == s)
		c->partial = s->next;
}

/* The empty slab kept as a spare, or NULL. */
static struct slab *partial_spare(const struct slab_class *c)
{
	struct slab *tail = c->partial ? c->partial->prev : NULL;

	return tail && tail->inuse == 0 ? tail : NULL;
}

/* ---- debug checks ---- */

#if MNOS_DEBUG
/* A free object is poison after its link word; its link points to a free object of
 * the same slab, or is NULL. Anything else was written after kfree(). */
static void check_free_object(const struct slab_class *c, unsigned cls, const struct slab *s,
			      const struct free_obj *o)
{
	size_t size = class_size(cls);
	uintptr_t n = (uintptr_t)o->next, off = n - (uintptr_t)s;
	unsigned bit = obj_bit(n, cls);

	if (n && (off >= ((size_t)1 << c->slab_shift) || (off & (size - 1)) ||
		  (off >> (cls + 4)) < c->first_idx ||
		  (s->allocated[bit / 64] & (1ull << (bit % 64)))))
		panic("heap: use after free: the free-list link of %zu-byte object %p was "
		      "overwritten (it reads %p)", size, (const void *)o, (void *)n);
	size_t bad = heap_poison_find((const char *)o + sizeof(*o), size - sizeof(*o));
	if (bad < size - sizeof(*o))
		panic("heap: use after free: %zu-byte object %p was written after kfree "
		      "(byte %zu is %#x, not the poison %#x)", size, (const void *)o,
		      bad + sizeof(*o), ((const uint8_t *)o)[bad + sizeof(*o)], HEAP_POISON);
}
#endif

/* ---- slabs ---- */

/* Map a new slab, with every object free, as the only one on the partial list. */
static struct slab *slab_grow(struct slab_class *c, unsigned cls)
{
	if (!c->used)
		panic("heap: kmalloc before heap_init");
	long slot = zone_take(c);
	if (slot < 0)
		return NULL;
	uintptr_t va = c->zone_base + ((uintptr_t)slot << c->slab_shift);
	if (!heap_backend_map(va, slab_pages(c))) {
		zone_give(c, (size_t)slot);
		return NULL;
	}

	/* The backend's frames hold anything: every header field is written. */
	struct slab *s = (struct slab *)va;
	size_t size = class_size(cls), n = (size_t)1 << (c->slab_shift - cls - 4);
	s->tag = SLAB_TAG(cls);
	s->inuse = 0;
	memset(s->allocated, 0, sizeof(s->allocated));
	/* Link the objects in address order, so a fresh slab hands out neighbours. */
	struct free_obj *next = NULL;
	for (size_t i = n; i-- > c->first_idx;) {
		struct free_obj *o = (struct free_obj *)(va + i * size);
#if MNOS_DEBUG
		memset(o, HEAP_POISON, size);
#endif
		o->next = next;
		next = o;
	}
	s->free = next;
	c->slabs++;
	partial_insert(c, s, true);
	return s;
}

/* Give an empty slab, already off the partial list, back to the backend. */
static void slab_release(struct slab_class *c, unsigned cls, struct slab *s)
{
	uintptr_t va = (uintptr_t)s;

#if MNOS_DEBUG
	/* Last chance to see a write into one of its free objects. */
	for (struct free_obj *o = s->free; o; o = o->next)
		check_free_object(c, cls, s, o);
#endif
	s->tag = 0;
	heap_backend_unmap(va, slab_pages(c));
	zone_give(c, (va - c->zone_base) >> c->slab_shift);
	c->slabs--;
}

/* s just lost its last object: it becomes the spare, or goes if there is one. */
static void slab_emptied(struct slab_class *c, unsigned cls, struct slab *s)
{
	struct slab *spare = partial_spare(c);

	if (spare && spare != s) {
		partial_remove(c, s);
		slab_release(c, cls, s);
	} else if (c->partial == s) {
		c->partial = s->next;   /* in a circular list, the old head is the tail */
	} else if (!spare) {
		partial_remove(c, s);
		partial_insert(c, s, false);
	}
}

/*
 * The checks every pointer handed back passes before its object is touched: (in DEBUG
 * builds) the slot is mapped, so reading the header cannot fault; the header is a live
 * slab of this class; the pointer is an object's start. The caller holds the lock.
 */
static inline struct slab *slab_of(struct slab_class *c, unsigned cls, uintptr_t a,
				   const char *op)
{
#if MNOS_DEBUG
	if (unlikely(!zone_slot_live(c, a)))
		bad_pointer(op, (void *)a, cls, "no live slab there (freed twice after its "
			    "slab was given back, or a wild pointer)");
#endif
	struct slab *s = (struct slab *)(a & c->slab_mask);
	if (unlikely(s->tag != c->tag))
		bad_pointer(op, (void *)a, cls, "slab header overwritten");
	if (unlikely(a & c->size_mask))
		bad_pointer(op, (void *)a, cls, "not the start of an object (interior or "
			    "misaligned pointer)");
	return s;
}

/* Take the first free object of s, the head of the partial list. */
static inline void *slab_pop(struct slab_class *c, unsigned cls, struct slab *s)
{
	struct free_obj *o = s->free;

#if MNOS_DEBUG
	check_free_object(c, cls, s, o);
#endif
	s->free = o->next;
	s->inuse++;
	if (unlikely(!s->free))
		partial_remove(c, s);   /* full: back on the list when an object is freed */
	unsigned bit = obj_bit((uintptr_t)o, cls);
	s->allocated[bit / 64] |= 1ull << (bit % 64);
	c->allocs++;
	return o;
}

/* No slab with a free object: map one. Out of line, and reached by a tail call, so
 * the fast path calls nothing and saves no registers. Unlocks. */
__attribute__((noinline))
static void *slab_alloc_slow(struct slab_class *c, unsigned cls, irqflags_t f)
{
	struct slab *s = slab_grow(c, cls);
	void *o = NULL;

	if (s)
		o = slab_pop(c, cls, s);
	else
		c->failures++;
	class_unlock(c, f);
	return o;
}

/* s lost its last object: keep or release it, then unlock. Out of line, like
 * slab_alloc_slow(). */
__attribute__((noinline))
static void slab_free_emptied(struct slab_class *c, unsigned cls, struct slab *s,
			      irqflags_t f)
{
	slab_emptied(c, cls, s);
	class_unlock(c, f);
}

/* With the class lock held: allocate, unlock. */
__attribute__((always_inline))
static inline void *alloc_locked(struct slab_class *c, unsigned cls, irqflags_t f)
{
	struct slab *s = c->partial;

	if (unlikely(!s))
		return slab_alloc_slow(c, cls, f);
	void *o = slab_pop(c, cls, s);
	class_unlock(c, f);
	return o;
}

/* With the class lock held: check p, free it, unlock. */
__attribute__((always_inline))
static inline void free_locked(struct slab_class *c, unsigned cls, void *p, irqflags_t f)
{
	uintptr_t a = (uintptr_t)p;
	struct slab *s = slab_of(c, cls, a, "kfree");
	unsigned b = obj_bit(a, cls);
	uint64_t *word = &s->allocated[b / 64], bit = 1ull << (b % 64);

	if (unlikely(!(*word & bit)))
		bad_free("kfree", p, cls, true);
	*word &= ~bit;
#if MNOS_DEBUG
	memset(p, HEAP_POISON, class_size(cls));
#endif
	struct free_obj *o = p;
	o->next = s->free;
	if (unlikely(!s->free))
		partial_insert(c, s, true);     /* was full */
	s->free = o;
	c->frees++;
	/* Emptied, and not the class's only slab with free objects (which simply stays
	 * as the spare, being both head and tail): out of line. */
	if (unlikely(--s->inuse == 0) && s->next != s)
		return slab_free_emptied(c, cls, s, f);
	class_unlock(c, f);
}

/* The lock is contended: wait for it here, out of the fast paths' way. */
__attribute__((noinline))
static void *alloc_contended(struct slab_class *c, unsigned cls, irqflags_t f)
{
	spin_lock(&c->lock);
	return alloc_locked(c, cls, f);
}

__attribute__((noinline))
static void free_contended(struct slab_class *c, unsigned cls, void *p, irqflags_t f)
{
	spin_lock(&c->lock);
	free_locked(c, cls, p, f);
}

/* ---- the interface to heap.c ---- */

void slab_init(uintptr_t base, size_t size)
{
	size = MIN(size, (size_t)HEAP_SLAB_REGION_MAX);
	assert(!heap_slab_region.span);
	assert(IS_ALIGNED(base, (uintptr_t)1 << SLAB_MAX_SHIFT));
	assert(size / HEAP_SLAB_CLASSES >= ((size_t)1 << SLAB_MAX_SHIFT));
	assert(base + size > base);

	/* Zones are a power of two, so the class of an address is a shift. */
	unsigned zone_shift = 63 - (unsigned)__builtin_clzll(size / HEAP_SLAB_CLASSES);
	uint64_t *words = zone_words;
	for (unsigned k = 0; k < HEAP_SLAB_CLASSES; k++) {
		struct slab_class *c = &classes[k];
		zone_init(c, k, words, base + ((uintptr_t)k << zone_shift), zone_shift);
		words += ZONE_WORDS(c->slab_shift);
	}
	heap_slab_region = (struct heap_slab_region){
		.base = base,
		.span = (uintptr_t)HEAP_SLAB_CLASSES << zone_shift,
		.zone_shift = zone_shift,
	};
}

/* The fast path: lock, pop the head slab's first free object, mark it, unlock. */
void *slab_alloc(size_t size)
{
	unsigned cls = size_class(size);
	struct slab_class *c = class_at(cls);
	irqflags_t f = irq_save();

	if (unlikely(!spin_trylock(&c->lock)))
		return alloc_contended(c, cls, f);
	return alloc_locked(c, cls, f);
}

void slab_free(void *p)
{
	unsigned cls = (unsigned)(((uintptr_t)p - heap_slab_region.base) >>
				  heap_slab_region.zone_shift);
	struct slab_class *c = class_at(cls);
	irqflags_t f = irq_save();

	if (unlikely(!spin_trylock(&c->lock)))
		return free_contended(c, cls, p, f);
	free_locked(c, cls, p, f);
}

size_t slab_ksize(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	unsigned cls = (unsigned)((a - heap_slab_region.base) >> heap_slab_region.zone_shift);
	struct slab_class *c = &classes[cls];
	irqflags_t f = class_lock(c);
	struct slab *s = slab_of(c, cls, a, "ksize");
	unsigned b = obj_bit(a, cls);

	if (!(s->allocated[b / 64] & (1ull << (b % 64))))
		bad_free("ksize", p, cls, false);
	class_unlock(c, f);
	return class_size(cls);
}

void slab_trim(void)
{
	for (unsigned k = 0; k < HEAP_SLAB_CLASSES; k++) {
		struct slab_class *c = &classes[k];
		irqflags_t f = class_lock(c);
		struct slab *s = partial_spare(c);
		if (s) {
			partial_remove(c, s);
			slab_release(c, k, s);
		}
		class_unlock(c, f);
	}
}

void slab_add_stats(struct heap_stats *st)
{
	for (unsigned k = 0; k < HEAP_SLAB_CLASSES; k++) {
		struct slab_class *c = &classes[k];
		irqflags_t f = class_lock(c);
		st->bytes_in_use += (size_t)(c->allocs - c->frees) * class_size(k);
		st->slab_bytes_held += c->slabs << c->slab_shift;
		st->slabs += c->slabs;
		st->allocs += c->allocs;
		st->frees += c->frees;
		st->failures += c->failures;
		class_unlock(c, f);
	}
}
