/*
 * Capability spaces, held capabilities and the derivation tree (cap.h).
 *
 * The tree is kept as links in the slots themselves: each slot points to its parent,
 * its first child and its two siblings, so deriving, deleting and moving are O(1) but
 * for the children whose parent pointer changes. Everything here runs under cap_lock
 * with interrupts off; the work that objects do when their last capability or last
 * reference goes (waking threads, unmapping, freeing) runs after the lock is released,
 * from a small list the locked part fills in.
 */
#include <failinj.h>
#include <cap.h>
#include <heap.h>
#include <klib.h>
#include <log.h>
#include <panic.h>
#include <spinlock.h>

/* cap.h: guards every slot of every space, the tree, and IPC objects' state. After a
 * mem_space lock, before the scheduler's locks, the heap's and the VMM's in the lock
 * order; held capabilities' hooks never run under it. */
struct spinlock cap_lock = SPINLOCK_INIT("cap");
struct cspace cspace_empty = { .slots = NULL, .nslots = 0 };
static const struct kobj_ops *type_ops[OBJ_TYPES];     /* [I] after registration */
static uint64_t ncaps;                  /* [cap_lock] */
static uint64_t nobjs;                  /* [a] */

/* The owner of every held capability: no slots, so no index names one; 'used' counts
 * them. hint 0 means slot_clear never has a lower slot to note. */
static struct cspace held_space;

/* ---- rights and quotas ---- */

uint32_t cap_type_rights(enum obj_type type)
{
	static const uint32_t rights[OBJ_TYPES] = {
		[OBJ_PROCESS] = MNOS_RIGHTS_PROCESS,
		[OBJ_THREAD] = MNOS_RIGHTS_THREAD,
		[OBJ_ENDPOINT] = MNOS_RIGHTS_ENDPOINT,
		[OBJ_REPLY] = MNOS_RIGHTS_REPLY,
		[OBJ_NOTIFICATION] = MNOS_RIGHTS_NOTIFICATION,
		[OBJ_MEMORY] = MNOS_RIGHTS_MEMORY,
		[OBJ_IRQ] = MNOS_RIGHTS_IRQ,
		[OBJ_IOPORT] = MNOS_RIGHTS_IOPORT,
		[OBJ_CSPACE_TEST] = CAP_R_DERIVE | CAP_R_GRANT | (7u << 8),
	};

	return (unsigned)type < OBJ_TYPES ? rights[type] : 0;
}

void quota_init(struct quota *q, uint64_t limit)
{
	q->limit = limit;
	q->used = 0;
	q->parent = NULL;
	q->carved = 0;
}

kerr_t quota_charge(struct quota *q, uint64_t bytes)
{
	if (!q)
		return E_OK;
	if (failinj(FAILINJ_QUOTA))
		return E_NO_MEMORY;
	uint64_t used = __atomic_load_n(&q->used, __ATOMIC_RELAXED);
	do {
		if (bytes > q->limit - used)
			return E_NO_MEMORY;
	} while (!__atomic_compare_exchange_n(&q->used, &used, used + bytes, true,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return E_OK;
}

void quota_credit(struct quota *q, uint64_t bytes)
{
	if (!q)
		return;
	uint64_t before = __atomic_fetch_sub(&q->used, bytes, __ATOMIC_ACQ_REL);
	if (before < bytes)
		panic("quota: credited more than was charged");
	/* A carved quota's owner holds one byte of it until quota_close: used reaches 0
	 * only once the owner and every charge are gone, and exactly once. */
	if (before == bytes && q->parent) {
		struct quota *parent = q->parent;
		uint64_t carved = q->carved;
		kfree(q);
		quota_credit(parent, carved);
	}
}

kerr_t quota_carve(struct quota *parent, uint64_t limit, uint64_t extra, struct quota **out)
{
	assert(parent);
	if (limit > UINT64_MAX - 1 - extra)
		return E_NO_MEMORY;
	if (quota_charge(parent, limit + extra) != E_OK)
		return E_NO_MEMORY;
	struct quota *q = kcalloc(1, sizeof(*q));
	if (!q) {
		quota_credit(parent, limit + extra);
		return E_NO_MEMORY;
	}
	q->limit = limit + 1;
	q->used = 1;                    /* the owner's hold */
	q->parent = parent;
	q->carved = limit + extra;
	*out = q;
	return E_OK;
}

void quota_close(struct quota *q)
{
	quota_credit(q, 1);
}

/* ---- objects ---- */

void kobj_register_type(enum obj_type type, const struct kobj_ops *ops)
{
	assert(type > OBJ_NONE && type < OBJ_TYPES);
	type_ops[type] = ops;
}

void kobj_init(struct kobj *o, enum obj_type type, struct quota *q, uint32_t charge)
{
	assert(type > OBJ_NONE && type < OBJ_TYPES);
	o->type = type;
	o->caps = 0;
	o->vital_caps = 0;
	o->refs = 1;
	o->charge = charge;
	o->quota = q;
	__atomic_fetch_add(&nobjs, 1, __ATOMIC_RELAXED);
}

void *kobj_alloc(struct quota *q, size_t size, enum obj_type type)
{
	if (quota_charge(q, size) != E_OK)
		return NULL;
	struct kobj *o = kcalloc(1, size);
	if (!o) {
		quota_credit(q, size);
		return NULL;
	}
	kobj_init(o, type, q, (uint32_t)size);
	return o;
}

void kobj_get(struct kobj *o)
{
	__atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED);
}

void kobj_put(struct kobj *o)
{
	uint32_t before = __atomic_fetch_sub(&o->refs, 1, __ATOMIC_ACQ_REL);

	if (before == 0)
		panic("kobj: reference count of a type-%u object went below zero", o->type);
	if (before > 1)
		return;
	const struct kobj_ops *ops = type_ops[o->type];
	struct quota *q = o->quota;
	uint32_t charge = o->charge;
	__atomic_fetch_sub(&nobjs, 1, __ATOMIC_RELAXED);
	if (ops && ops->destroy)
		ops->destroy(o);
	quota_credit(q, charge);
}

uint64_t kobj_count(void)
{
	return __atomic_load_n(&nobjs, __ATOMIC_RELAXED);
}

uint64_t cap_count(void)
{
	return __atomic_load_n(&ncaps, __ATOMIC_RELAXED);
}

uint64_t cap_held_count(void)
{
	return __atomic_load_n(&held_space.used, __ATOMIC_RELAXED);
}

/*
 * Objects that lost a capability under the lock: after it is released, a held
 * capability's revoked hook runs (held: the slot it was in), each object gets last_cap
 * (if that was its last capability), and then loses the capability's reference. The
 * hook may free the held slot: nothing here touches it afterwards.
 */
struct dropped {
	unsigned n;
	struct {
		struct kobj *obj;
		struct cap_held *held;
		bool last;
		bool last_vital;
	} e[CAP_REVOKE_BATCH];
};

static void drop_finish(struct dropped *d)
{
	for (unsigned i = 0; i < d->n; i++) {
		struct kobj *o = d->e[i].obj;
		const struct kobj_ops *ops = type_ops[o->type];
		if (d->e[i].held)
			d->e[i].held->revoked(d->e[i].held);
		if (d->e[i].last && ops && ops->last_cap)
			ops->last_cap(o);
		else if (d->e[i].last_vital && ops && ops->last_vital)
			ops->last_vital(o);
		kobj_put(o);
	}
	d->n = 0;
}

/* ---- slots and tree links (cap_lock held) ---- */

static struct cap_slot *slot_at(struct cspace *cs, uint32_t idx)
{
	return idx && idx < cs->nslots ? &cs->slots[idx] : NULL;
}

static bool is_held(const struct cap_slot *s)
{
	return s->owner == &held_space;
}

static uint32_t slot_index(const struct cap_slot *s)
{
	return is_held(s) ? 0 : (uint32_t)(s - s->owner->slots);
}

/* Link s as the first child of parent (NULL: a root, on no list). */
static void link_child(struct cap_slot *parent, struct cap_slot *s)
{
	s->parent = parent;
	s->prev = NULL;
	s->next = parent ? parent->first_child : NULL;
	if (s->next)
		s->next->prev = s;
	if (parent)
		parent->first_child = s;
}

static void unlink_sibling(struct cap_slot *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else if (s->parent)
		s->parent->first_child = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static uint32_t vital_right(const struct kobj *o)
{
	const struct kobj_ops *ops = type_ops[o->type];

	return ops ? ops->vital_right : 0;
}

/* Fill the empty d with a capability to o, a child of parent. */
static void slot_fill(struct cap_slot *d, struct cap_slot *parent, struct kobj *o,
		      uint32_t rights, uint64_t badge)
{
	d->obj = o;
	d->type = o->type;
	d->rights = rights & cap_type_rights(o->type);
	d->badge = badge;
	d->first_child = NULL;
	link_child(parent, d);
	o->caps++;
	if (d->rights & vital_right(o))
		o->vital_caps++;
	kobj_get(o);
	d->owner->used++;
	ncaps++;
}

/* Empty s; its children move up to its parent. The object goes on dropped, and a held
 * capability's slot with it (its hook then runs). */
static void slot_clear(struct cap_slot *s, struct dropped *d)
{
	struct cap_slot *parent = s->parent;

	unlink_sibling(s);
	for (struct cap_slot *c = s->first_child, *next; c; c = next) {
		next = c->next;
		link_child(parent, c);
	}
	struct kobj *o = s->obj;
	o->caps--;
	d->e[d->n].obj = o;
	d->e[d->n].held = is_held(s) ? container_of(s, struct cap_held, slot) : NULL;
	d->e[d->n].last = o->caps == 0;
	d->e[d->n].last_vital = (s->rights & vital_right(o)) && --o->vital_caps == 0;
	d->n++;
	s->obj = NULL;
	s->rights = 0;
	s->type = OBJ_NONE;
	s->badge = 0;
	s->parent = s->first_child = NULL;
	if (slot_index(s) < s->owner->hint)
		s->owner->hint = slot_index(s);
	s->owner->used--;
	ncaps--;
}

/* ---- capability spaces ---- */

kerr_t cspace_init(struct cspace *cs, uint32_t nslots, struct quota *q)
{
	if (nslots < 2 || nslots > CSPACE_MAX_SLOTS)
		return E_INVAL;
	uint64_t bytes = (uint64_t)nslots * sizeof(struct cap_slot);
	if (quota_charge(q, bytes) != E_OK)
		return E_NO_MEMORY;
	struct cap_slot *slots = kcalloc(nslots, sizeof(struct cap_slot));
	if (!slots) {
		quota_credit(q, bytes);
		return E_NO_MEMORY;
	}
	for (uint32_t i = 0; i < nslots; i++)
		slots[i].owner = cs;
	cs->slots = slots;
	cs->nslots = nslots;
	cs->used = 0;
	cs->hint = 1;
	cs->quota = q;
	return E_OK;
}

void cspace_destroy(struct cspace *cs)
{
	struct dropped d = { 0 };

	for (uint32_t i = 1; i < cs->nslots;) {
		irqflags_t f = spin_lock_irqsave(&cap_lock);
		/* Up to the last full slot: a process's space is mostly empty. */
		if (!cs->used)
			i = cs->nslots;
		for (; i < cs->nslots && d.n < CAP_REVOKE_BATCH && cs->used; i++)
			if (cs->slots[i].obj)
				slot_clear(&cs->slots[i], &d);
		spin_unlock_irqrestore(&cap_lock, f);
		drop_finish(&d);
	}
	assert(cs->used == 0);
	kfree(cs->slots);
	quota_credit(cs->quota, (uint64_t)cs->nslots * sizeof(struct cap_slot));
	cs->slots = NULL;
	cs->nslots = 0;
}

static uint32_t cspace_find_free_locked(struct cspace *cs)
{
	for (uint32_t i = MAX(cs->hint, 1u); i < cs->nslots; i++)
		if (!cs->slots[i].obj) {
			cs->hint = i;
			return i;
		}
	cs->hint = cs->nslots;
	return 0;
}

uint32_t cspace_find_free(struct cspace *cs)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	uint32_t i = cspace_find_free_locked(cs);

	spin_unlock_irqrestore(&cap_lock, f);
	return i;
}

/* ---- operations ---- */

static inline kerr_t slot_check(struct cspace *cs, uint32_t idx, enum obj_type type,
				uint32_t need, struct cap_slot **out)
{
	return cap_check_locked(cs, idx, type, need, out);
}

kerr_t cap_insert_root(struct cspace *cs, uint32_t slot, struct kobj *o, uint32_t rights,
		       uint64_t badge)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	struct cap_slot *s = slot_at(cs, slot);
	kerr_t e = E_OK;

	if (!s)
		e = E_RANGE;
	else if (s->obj)
		e = E_EXISTS;
	else
		slot_fill(s, NULL, o, rights, badge);
	spin_unlock_irqrestore(&cap_lock, f);
	return e;
}

kerr_t cap_lookup(struct cspace *cs, uint32_t slot, enum obj_type type, uint32_t need,
		  struct cap *out)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	struct cap_slot *s;
	kerr_t e = slot_check(cs, slot, type, need, &s);

	if (e == E_OK) {
		*out = (struct cap){ s->obj, s->rights, s->type, s->badge };
		kobj_get(s->obj);
	}
	spin_unlock_irqrestore(&cap_lock, f);
	return e;
}

/* The checks of an operation from one slot into another: both slots valid, the source
 * passing slot_check with need, the destination empty. */
static kerr_t pair_check(struct cspace *src, uint32_t sslot, struct cspace *dst,
			 uint32_t dslot, uint32_t need, struct cap_slot **s, struct cap_slot **d)
{
	*d = slot_at(dst, dslot);
	if (!*d)
		return E_RANGE;
	kerr_t e = slot_check(src, sslot, OBJ_NONE, need, s);
	if (e == E_OK && (*d)->obj)
		e = E_EXISTS;
	return e;
}

static kerr_t derive(struct cspace *src, uint32_t sslot, struct cspace *dst, uint32_t dslot,
		     uint32_t mask, bool mint, uint64_t badge)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	struct cap_slot *s, *d;
	kerr_t e = pair_check(src, sslot, dst, dslot, CAP_R_DERIVE, &s, &d);

	if (e == E_OK && mint &&
	    ((s->type != OBJ_ENDPOINT && s->type != OBJ_NOTIFICATION) || s->badge))
		e = E_INVAL;
	if (e == E_OK)
		slot_fill(d, s, s->obj, s->rights & mask, mint ? badge : s->badge);
	spin_unlock_irqrestore(&cap_lock, f);
	return e;
}

kerr_t cap_copy(struct cspace *src, uint32_t sslot, struct cspace *dst, uint32_t dslot,
		uint32_t mask)
{
	return derive(src, sslot, dst, dslot, mask, false, 0);
}

kerr_t cap_mint(struct cspace *src, uint32_t sslot, struct cspace *dst, uint32_t dslot,
		uint32_t mask, uint64_t badge)
{
	return derive(src, sslot, dst, dslot, mask, true, badge);
}

kerr_t cap_transfer_locked(struct cspace *src, uint32_t sslot, struct cspace *dst,
			   uint32_t mask, uint32_t *dslot)
{
	struct cap_slot *s;
	kerr_t e = slot_check(src, sslot, OBJ_NONE, CAP_R_GRANT, &s);

	spin_assert_held(&cap_lock);
	if (e != E_OK)
		return e;
	uint32_t i = cspace_find_free_locked(dst);
	if (!i)
		return E_NO_MEMORY;
	slot_fill(&dst->slots[i], s, s->obj, s->rights & mask, s->badge);
	*dslot = i;
	return E_OK;
}

kerr_t cap_transfer(struct cspace *src, uint32_t sslot, struct cspace *dst, uint32_t mask,
		    uint32_t *dslot)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	kerr_t e = cap_transfer_locked(src, sslot, dst, mask, dslot);

	spin_unlock_irqrestore(&cap_lock, f);
	return e;
}

kerr_t cap_move(struct cspace *src, uint32_t sslot, struct cspace *dst, uint32_t dslot)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	struct cap_slot *s, *d;
	kerr_t e = pair_check(src, sslot, dst, dslot, 0, &s, &d);

	if (e == E_OK) {
		d->obj = s->obj;
		d->type = s->type;
		d->rights = s->rights;
		d->badge = s->badge;
		d->parent = s->parent;
		d->first_child = s->first_child;
		d->prev = s->prev;
		d->next = s->next;
		if (d->prev)
			d->prev->next = d;
		else if (d->parent)
			d->parent->first_child = d;
		if (d->next)
			d->next->prev = d;
		for (struct cap_slot *c = d->first_child; c; c = c->next)
			c->parent = d;
		*s = (struct cap_slot){ .owner = src };
		if (sslot < src->hint)
			src->hint = sslot;
		src->used--;
		dst->used++;
	}
	spin_unlock_irqrestore(&cap_lock, f);
	return e;
}

kerr_t cap_delete(struct cspace *cs, uint32_t slot)
{
	struct dropped d = { 0 };
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	struct cap_slot *s;
	kerr_t e = slot_check(cs, slot, OBJ_NONE, 0, &s);

	if (e == E_OK)
		slot_clear(s, &d);
	spin_unlock_irqrestore(&cap_lock, f);
	drop_finish(&d);
	return e;
}

/*
 * In batches: each takes the lock, deletes up to CAP_REVOKE_BATCH leaves of the
 * subtree (the deepest first, so no child ever moves up), and lets interrupts and
 * preemption in before the next. The slot is looked up again for each batch; if it
 * was emptied or given another object meanwhile, the revoke is over.
 */
kerr_t cap_revoke(struct cspace *cs, uint32_t slot)
{
	struct dropped d = { 0 };
	struct kobj *obj = NULL;

	for (;;) {
		irqflags_t f = spin_lock_irqsave(&cap_lock);
		struct cap_slot *s = slot_at(cs, slot);
		if (!s || !s->obj || (obj && s->obj != obj)) {
			spin_unlock_irqrestore(&cap_lock, f);
			if (obj)
				break;
			return !s ? E_RANGE : E_NOT_FOUND;
		}
		obj = s->obj;
		while (s->first_child && d.n < CAP_REVOKE_BATCH) {
			struct cap_slot *leaf = s->first_child;
			while (leaf->first_child)
				leaf = leaf->first_child;
			slot_clear(leaf, &d);
		}
		bool done = !s->first_child;
		spin_unlock_irqrestore(&cap_lock, f);
		drop_finish(&d);
		if (done)
			break;
	}
	return E_OK;
}

/* ---- held capabilities ---- */

kerr_t cap_hold(struct cspace *cs, uint32_t slot, struct kobj *o, uint32_t rights,
		struct cap_held *h, void (*revoked)(struct cap_held *h))
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	struct cap_slot *s;
	kerr_t e = slot_check(cs, slot, OBJ_NONE, 0, &s);

	assert(!h->slot.obj);
	if (e == E_OK && s->obj != o)
		e = E_NOT_FOUND;        /* emptied and refilled since the caller looked */
	if (e == E_OK && (s->rights & rights) != rights)
		e = E_PERM;
	if (e == E_OK) {
		h->slot = (struct cap_slot){ .owner = &held_space };
		h->revoked = revoked;
		slot_fill(&h->slot, s, o, rights, s->badge);
	}
	spin_unlock_irqrestore(&cap_lock, f);
	return e;
}

void cap_hold_root(struct kobj *o, uint32_t rights, struct cap_held *h,
		   void (*revoked)(struct cap_held *h))
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);

	assert(!h->slot.obj);
	h->slot = (struct cap_slot){ .owner = &held_space };
	h->revoked = revoked;
	slot_fill(&h->slot, NULL, o, rights, 0);
	spin_unlock_irqrestore(&cap_lock, f);
}

bool cap_unhold(struct cap_held *h)
{
	struct dropped d = { 0 };
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	bool mine = h->slot.obj != NULL;

	if (mine) {
		assert(is_held(&h->slot) && !h->slot.first_child);
		slot_clear(&h->slot, &d);
		d.e[0].held = NULL;     /* the caller tears down, not the hook */
	}
	spin_unlock_irqrestore(&cap_lock, f);
	drop_finish(&d);
	return mine;
}

/* ---- checking (tests) ---- */

static bool bad(const struct cap_slot *s, const char *why)
{
	pr_err("cap: slot %u of space %p: %s", slot_index(s), (void *)s->owner, why);
	return false;
}

static bool check_slot(const struct cap_slot *s, struct cspace *cs)
{
	if (s->owner != cs)
		return bad(s, "wrong owner");
	if (!s->obj) {
		if (s->parent || s->first_child || s->next || s->prev || s->rights || s->badge ||
		    s->type != OBJ_NONE)
			return bad(s, "empty slot with links or contents");
		return true;
	}
	if (s->type != s->obj->type)
		return bad(s, "type differs from the object's");
	if (s->rights & ~cap_type_rights(s->type))
		return bad(s, "rights outside the type's");
	if (s->obj->caps == 0 || s->obj->refs < s->obj->caps)
		return bad(s, "object counts too low");
	if (s->next && s->next->prev != s)
		return bad(s, "next sibling does not point back");
	if (s->prev && s->prev->next != s)
		return bad(s, "previous sibling does not point forward");
	if (s->next && s->next->parent != s->parent)
		return bad(s, "sibling with another parent");
	if (!s->prev && s->parent && s->parent->first_child != s)
		return bad(s, "first sibling is not its parent's first child");
	if (!s->parent && (s->prev || s->next))
		return bad(s, "root with siblings");
	if (s->parent && !s->parent->obj)
		return bad(s, "parent slot is empty");
	if (s->first_child && s->first_child->parent != s)
		return bad(s, "first child has another parent");
	for (const struct cap_slot *c = s->first_child; c; c = c->next)
		if (is_held(c) && (c->first_child || c->parent != s || c->obj != s->obj ||
				   c->rights & ~s->rights))
			return bad(s, "held child not a leaf of it with its object and rights");
	for (const struct cap_slot *p = s->parent; p; p = p->parent)
		if (p == s)
			return bad(s, "cycle in the tree");
	return true;
}

/* Count capabilities per object with a small open-addressing table: an object may be
 * named by spaces not checked, so its own count may be higher, never lower. */
static bool check_counts(struct cspace *const *spaces, size_t n)
{
	size_t total = 0;

	for (size_t k = 0; k < n; k++)
		total += spaces[k]->used;
	size_t size = 16;
	while (size < 2 * total)
		size *= 2;
	struct { struct kobj *o; uint32_t n; } *tab = kcalloc(size, sizeof(*tab));
	if (!tab)
		return true;            /* cannot check: not a failure of the tree */
	for (size_t k = 0; k < n; k++)
		for (uint32_t i = 1; i < spaces[k]->nslots; i++) {
			struct kobj *o = spaces[k]->slots[i].obj;
			if (!o)
				continue;
			size_t h = ((uintptr_t)o >> 4) & (size - 1);
			while (tab[h].o && tab[h].o != o)
				h = (h + 1) & (size - 1);
			tab[h].o = o;
			tab[h].n++;
		}
	bool ok = true;
	for (size_t h = 0; h < size && ok; h++)
		if (tab[h].o && tab[h].o->caps < tab[h].n) {
			pr_err("cap: object %p counts %u capabilities, the spaces hold %u",
			       (void *)tab[h].o, tab[h].o->caps, tab[h].n);
			ok = false;
		}
	kfree(tab);
	return ok;
}

bool cap_tree_check(struct cspace *const *spaces, size_t n)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	bool ok = true;

	for (size_t k = 0; k < n && ok; k++) {
		uint32_t used = 0;
		for (uint32_t i = 0; i < spaces[k]->nslots && ok; i++) {
			const struct cap_slot *s = &spaces[k]->slots[i];
			used += s->obj != NULL;
			ok = check_slot(s, spaces[k]) && (i != 0 || !s->obj || bad(s, "slot 0 used"));
		}
		if (ok && used != spaces[k]->used) {
			pr_err("cap: space %p counts %u capabilities, holds %u",
			       (void *)spaces[k], spaces[k]->used, used);
			ok = false;
		}
	}
	if (ok)
		ok = check_counts(spaces, n);
	spin_unlock_irqrestore(&cap_lock, f);
	return ok;
}
