/*
 * The frame bitmap with summary levels (pmm.h). Bit operations only; the caller gives
 * the storage. All entry points take p->lock.
 */
#include <pmm.h>
#include <klib.h>

static inline uint64_t bit(uint64_t i) { return 1ull << (i & 63); }

static size_t words(uint64_t bits) { return (size_t)((bits + 63) / 64); }

size_t pmm_core_storage_bytes(uint64_t nframes)
{
	size_t n0 = words(nframes), n1 = words(n0), n2 = words(n1);

	return (3 * n0 + n1 + n2) * sizeof(uint64_t);
}

void pmm_core_init(struct pmm *p, void *storage, uint64_t nframes)
{
	uint64_t *s = storage;

	memset(p, 0, sizeof(*p));
	spin_init(&p->lock, "pmm");
	p->nframes = nframes;
	p->n0 = words(nframes);
	p->n1 = words(p->n0);
	p->n2 = words(p->n1);
	p->free0 = s;
	p->managed = s + p->n0;
	p->cached = s + 2 * p->n0;
	p->free1 = s + 3 * p->n0;
	p->free2 = s + 3 * p->n0 + p->n1;
	memset(storage, 0, pmm_core_storage_bytes(nframes));
}

/* Mark frame free in all three levels. Caller holds the lock. */
static inline void set_free(struct pmm *p, uint64_t f)
{
	size_t i0 = f / 64, i1 = i0 / 64, i2 = i1 / 64;

	p->free0[i0] |= bit(f);
	p->free1[i1] |= bit(i0);
	p->free2[i2] |= bit(i1);
	if (i2 < p->hint2)
		p->hint2 = i2;
	p->free_count++;
}

/* Mark frame allocated, clearing summary bits whose word became empty. */
static inline void set_used(struct pmm *p, uint64_t f)
{
	size_t i0 = f / 64, i1 = i0 / 64, i2 = i1 / 64;

	p->free0[i0] &= ~bit(f);
	if (!p->free0[i0]) {
		p->free1[i1] &= ~bit(i0);
		if (!p->free1[i1])
			p->free2[i2] &= ~bit(i1);
	}
	p->free_count--;
}

static bool is_free(const struct pmm *p, uint64_t f)
{
	return p->free0[f / 64] & bit(f);
}

static bool is_cached(const struct pmm *p, uint64_t f)
{
	return __atomic_load_n(&p->cached[f / 64], __ATOMIC_SEQ_CST) & bit(f);
}

static bool is_managed(const struct pmm *p, uint64_t f)
{
	return f < p->nframes && (p->managed[f / 64] & bit(f));
}

bool pmm_core_is_free(const struct pmm *p, uint64_t frame)
{
	return frame < p->nframes && is_free(p, frame);
}

bool pmm_core_is_managed(const struct pmm *p, uint64_t frame)
{
	return frame < p->nframes && is_managed(p, frame);
}

void pmm_core_add(struct pmm *p, uint64_t first, uint64_t count)
{
	irqflags_t fl = spin_lock_irqsave(&p->lock);

	for (uint64_t f = first; f < first + count && f < p->nframes; f++) {
		if (is_managed(p, f))
			continue;
		p->managed[f / 64] |= bit(f);
		p->managed_count++;
		set_free(p, f);
	}
	spin_unlock_irqrestore(&p->lock, fl);
}

uint64_t pmm_core_alloc(struct pmm *p)
{
	irqflags_t fl = spin_lock_irqsave(&p->lock);
	uint64_t frame = PMM_NONE;

	for (size_t i2 = p->hint2; i2 < p->n2; i2++) {
		uint64_t w2 = p->free2[i2];
		if (!w2)
			continue;
		size_t i1 = i2 * 64 + (size_t)__builtin_ctzll(w2);
		size_t i0 = i1 * 64 + (size_t)__builtin_ctzll(p->free1[i1]);
		frame = i0 * 64 + (uint64_t)__builtin_ctzll(p->free0[i0]);
		p->hint2 = i2;
		set_used(p, frame);
		break;
	}
	if (frame == PMM_NONE)
		p->hint2 = p->n2;
	spin_unlock_irqrestore(&p->lock, fl);
	return frame;
}

enum pmm_free_result pmm_core_free(struct pmm *p, uint64_t frame)
{
	enum pmm_free_result r = PMM_FREED;
	irqflags_t fl = spin_lock_irqsave(&p->lock);

	if (!is_managed(p, frame))
		r = PMM_NOT_MANAGED;
	else if (is_free(p, frame) || is_cached(p, frame))
		r = PMM_NOT_ALLOCATED;
	else
		set_free(p, frame);
	spin_unlock_irqrestore(&p->lock, fl);
	return r;
}

/* First frame in [from, to) that is not free, or to. Skips whole full words and whole
 * empty level-1 words. Caller holds the lock. */
static uint64_t first_not_free(const struct pmm *p, uint64_t from, uint64_t to)
{
	uint64_t f = from;

	while (f < to) {
		uint64_t w = ~p->free0[f / 64] & (~0ull << (f & 63));
		if (w) {
			uint64_t hit = (f & ~63ull) + (uint64_t)__builtin_ctzll(w);
			return hit < to ? hit : to;
		}
		f = (f & ~63ull) + 64;
	}
	return to;
}

/* First free frame at or after from, or nframes. Level 1 skips 4096 frames at a time
 * through full memory. Caller holds the lock. */
static uint64_t next_free(const struct pmm *p, uint64_t from)
{
	if (from >= p->nframes)
		return p->nframes;
	size_t i0 = (size_t)(from / 64);
	uint64_t w = p->free0[i0] & (~0ull << (from & 63));
	if (w)
		return i0 * 64 + (uint64_t)__builtin_ctzll(w);
	for (size_t j = i0 + 1; j < p->n0;) {
		size_t i1 = j / 64;
		uint64_t s = p->free1[i1] & (~0ull << (j & 63));
		if (s) {
			size_t k = i1 * 64 + (size_t)__builtin_ctzll(s);
			return k * 64 + (uint64_t)__builtin_ctzll(p->free0[k]);
		}
		j = (i1 + 1) * 64;
	}
	return p->nframes;
}

uint64_t pmm_core_alloc_contig(struct pmm *p, uint64_t count, uint64_t align)
{
	if (count == 0 || align == 0 || (align & (align - 1)) || count > p->nframes)
		return PMM_NONE;

	irqflags_t fl = spin_lock_irqsave(&p->lock);
	uint64_t start = PMM_NONE;
	uint64_t f = 0;

	while (f + count <= p->nframes) {
		f = next_free(p, f);
		f = ALIGN_UP(f, align);
		if (f + count > p->nframes || f + count < f)
			break;
		uint64_t used = first_not_free(p, f, f + count);
		if (used == f + count) {
			start = f;
			break;
		}
		f = used + 1;
	}
	if (start != PMM_NONE)
		for (uint64_t i = 0; i < count; i++)
			set_used(p, start + i);
	spin_unlock_irqrestore(&p->lock, fl);
	return start;
}

enum pmm_free_result pmm_core_free_contig(struct pmm *p, uint64_t first, uint64_t count)
{
	enum pmm_free_result r = PMM_FREED;
	irqflags_t fl = spin_lock_irqsave(&p->lock);

	if (first + count < first)
		r = PMM_NOT_MANAGED;
	for (uint64_t f = first; r == PMM_FREED && f < first + count; f++) {
		if (!is_managed(p, f))
			r = PMM_NOT_MANAGED;
		else if (is_free(p, f) || is_cached(p, f))
			r = PMM_NOT_ALLOCATED;
	}
	if (r == PMM_FREED)
		for (uint64_t f = first; f < first + count; f++)
			set_free(p, f);
	spin_unlock_irqrestore(&p->lock, fl);
	return r;
}

/* ---- per-CPU caches ---- */

/* Refill an empty cache with up to PMM_BATCH frames, a bitmap word at a time. */
void pmm_core_cache_refill(struct pmm *p, struct pmm_cache *c)
{
	irqflags_t fl = spin_lock_irqsave(&p->lock);
	uint64_t taken = 0;

	for (size_t i2 = p->hint2; i2 < p->n2 && taken < PMM_BATCH;) {
		uint64_t w2 = p->free2[i2];
		if (!w2) {
			i2++;
			continue;
		}
		p->hint2 = i2;
		size_t i1 = i2 * 64 + (size_t)__builtin_ctzll(w2);
		size_t i0 = i1 * 64 + (size_t)__builtin_ctzll(p->free1[i1]);
		uint64_t w = p->free0[i0], mask = 0, before = taken;
		while (w && taken < PMM_BATCH) {
			uint64_t low = w & -w;
			mask |= low;
			w &= w - 1;
			c->frames[taken++] = i0 * 64 + (uint64_t)__builtin_ctzll(low);
		}
		p->free0[i0] = w;
		p->free_count -= taken - before;
		__atomic_fetch_or(&p->cached[i0], mask, __ATOMIC_SEQ_CST);
		if (!w) {
			p->free1[i1] &= ~bit(i0);
			if (!p->free1[i1])
				p->free2[i2] &= ~bit(i1);
		}
	}
	spin_unlock_irqrestore(&p->lock, fl);
	/* Reverse, so the lowest frame is on top and comes out first. */
	for (uint64_t i = 0; i < taken / 2; i++) {
		uint64_t t = c->frames[i];
		c->frames[i] = c->frames[taken - 1 - i];
		c->frames[taken - 1 - i] = t;
	}
	c->count = taken;
}

/* Move the n most recently freed frames of c back into the bitmap; p->lock is held. */
static void give_back_locked(struct pmm *p, struct pmm_cache *c, uint64_t n)
{
	for (uint64_t i = c->count - n; i < c->count; i++) {
		uint64_t f = c->frames[i];
		/* Free in the bitmap first, then out of the cache: a racing double free
		 * sees one or the other (pmm_core_cache_free). */
		set_free(p, f);
		__atomic_fetch_and(&p->cached[f / 64], ~bit(f), __ATOMIC_SEQ_CST);
	}
	c->count -= n;
}

void pmm_core_cache_give_back(struct pmm *p, struct pmm_cache *c, uint64_t n)
{
	irqflags_t fl = spin_lock_irqsave(&p->lock);

	give_back_locked(p, c, n);
	spin_unlock_irqrestore(&p->lock, fl);
}

void pmm_core_cache_drain(struct pmm *p, struct pmm_cache *c)
{
	if (c->count)
		pmm_core_cache_give_back(p, c, c->count);
}

bool pmm_core_cache_try_drain(struct pmm *p, struct pmm_cache *c)
{
	if (!c->count)
		return true;
	if (!spin_trylock(&p->lock))
		return false;
	give_back_locked(p, c, c->count);
	spin_unlock(&p->lock);
	return true;
}
