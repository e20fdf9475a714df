/*
 * Capability spaces, the derivation tree, objects and quotas (kernel/cap/cap.c), tested
 * against the contract written in kernel/include/cap.h.
 *
 * The heap is malloc here: cap.c allocates its slot arrays with kcalloc()/kfree(), so
 * this file defines the kmalloc family (the host shim does not), counts the blocks that
 * are live, and can refuse allocations.
 *
 * Test objects are malloc'd 'struct tobj's. Every object type gets the same kobj_ops,
 * whose callbacks record, per object (by a serial number that outlives the object):
 * how many times last_cap and destroy ran and in which order. last_cap checks it runs
 * with no capability left and the object still referenced, and calls
 * cspace_find_free() on a probe space: that takes cap_lock, so a last_cap called with
 * cap_lock held panics (recursive lock). destroy checks it runs once, with no
 * capability and no reference left, then poisons and frees the object.
 *
 * Tests:
 * - rights per type, quotas, cspace_init's argument and quota checks;
 * - every error code of every operation (slot 0, out of range, empty, wrong type,
 *   missing right, occupied destination), and that a failed operation changes nothing;
 * - rights only shrink (copy, mint, transfer, insert), copy needs DERIVE, transfer GRANT;
 * - mint badges only unbadged endpoints and notifications, copy and transfer keep badges;
 * - delete moves children up, revoke deletes exactly the descendants in every space,
 *   move keeps the tree position, last_cap and destroy run once and in order, lookup
 *   and kobj_get references delay destroy;
 * - cspace_destroy deletes everything and leaves counters, quota and heap as before;
 * - revokes and deletes of trees far larger than CAP_REVOKE_BATCH (wide and deep);
 * - held capabilities: cap_hold's errors, their place in the tree outside every space,
 *   root held capabilities (cap_hold_root) that no revoke reaches,
 *   cap_unhold against a revoke (the hook runs once, after cap_lock, only for a revoke,
 *   and may free the record), delete/move/destroy of the parent, many per revoke;
 * - long random sequences of every operation over four spaces against a model, with
 *   the whole state (every slot, every parent link, every object's counts and
 *   callbacks) compared after every operation.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cap.h>
#include <heap.h>

/* ---------------------------------------------------------------------------------------
 * The heap, on malloc
 * ------------------------------------------------------------------------------------- */

static struct {
	long live;              /* blocks handed out and not freed */
	bool fail;              /* refuse every allocation */
} heap;

void *kmalloc(size_t size)
{
	if (heap.fail)
		return NULL;
	void *p = malloc(size ? size : 1);
	if (p)
		heap.live++;
	return p;
}

void *kcalloc(size_t n, size_t size)
{
	if (heap.fail || (size && n > SIZE_MAX / size))
		return NULL;
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p)
		heap.live++;
	return p;
}

void *krealloc(void *p, size_t size)
{
	if (!p)
		return kmalloc(size);
	if (size == 0) {
		kfree(p);
		return NULL;
	}
	if (heap.fail)
		return NULL;
	return realloc(p, size);
}

void kfree(void *p)
{
	if (!p)
		return;
	heap.live--;
	free(p);
}

/* ---------------------------------------------------------------------------------------
 * Test objects and their callbacks
 * ------------------------------------------------------------------------------------- */

struct tobj {
	struct kobj hdr;
	uint32_t serial;        /* index into ost[] */
};

/* Per object, kept after the object is freed. The m_* fields belong to the random
 * test's model. */
struct ostat {
	struct tobj *p;         /* the object (dangling once destroyed) */
	uint32_t type;
	uint32_t last_cap;      /* calls of last_cap */
	uint32_t destroy;       /* calls of destroy */
	uint64_t last_cap_seq;  /* event number of the latest last_cap */
	uint64_t destroy_seq;   /* event number of destroy */
	/* model (random test) */
	bool m_alive;
	bool m_held;            /* the test holds the creator's reference */
	uint32_t m_caps;
	uint32_t m_last_caps;   /* last_cap calls expected so far */
};

static struct ostat *ost;
static uint32_t nost, ost_cap;
static uint64_t event_seq;
static struct cspace probe;     /* find_free() on it from last_cap: cap_lock not held */
static struct quota probe_q;
static bool probe_ready;

static void dump_log(void);

static void t_last_cap(struct kobj *o)
{
	struct tobj *t = (struct tobj *)o;
	struct ostat *s = &ost[t->serial];

	if (s->destroy || o->caps != 0 || o->refs == 0)
		dump_log();
	cr_assert_eq(s->destroy, 0, "object %u: last_cap after destroy", t->serial);
	cr_assert_eq(o->caps, 0, "object %u: last_cap with %u capabilities left", t->serial,
		     o->caps);
	cr_assert_gt(o->refs, 0, "object %u: last_cap on an object with no reference",
		     t->serial);
	s->last_cap++;
	s->last_cap_seq = ++event_seq;
	/* Takes cap_lock: a recursive-lock panic (abort) if last_cap runs under it. */
	if (probe_ready)
		(void)cspace_find_free(&probe);
}

static void t_destroy(struct kobj *o)
{
	struct tobj *t = (struct tobj *)o;
	struct ostat *s = &ost[t->serial];

	if (s->destroy || o->caps != 0 || o->refs != 0)
		dump_log();
	cr_assert_eq(s->destroy, 0, "object %u: destroyed twice", t->serial);
	cr_assert_eq(o->caps, 0, "object %u: destroyed with %u capabilities", t->serial,
		     o->caps);
	cr_assert_eq(o->refs, 0, "object %u: destroyed with %u references", t->serial,
		     o->refs);
	s->destroy++;
	s->destroy_seq = ++event_seq;
	memset(t, 0x5a, sizeof(*t));
	free(t);
}

static const struct kobj_ops test_ops = { .last_cap = t_last_cap, .destroy = t_destroy };

static struct tobj *new_obj_q(enum obj_type type, struct quota *q, uint32_t charge)
{
	if (!ost) {
		ost_cap = 1u << 16;     /* fixed, so pointers into it stay valid */
		ost = calloc(ost_cap, sizeof(*ost));
		cr_assert(ost);
	}
	cr_assert_lt(nost, ost_cap, "too many test objects");
	struct tobj *t = malloc(sizeof(*t));
	cr_assert(t);
	memset(t, 0xa5, sizeof(*t));    /* kobj_init must set every field */
	t->serial = nost++;
	ost[t->serial] = (struct ostat){ .p = t, .type = type };
	kobj_init(&t->hdr, type, q, charge);
	return t;
}

static struct tobj *new_obj(enum obj_type type)
{
	return new_obj_q(type, NULL, 0);
}

/* An object's record; take it while the object lives (destroy frees the object). */
static struct ostat *st(struct tobj *t)
{
	return &ost[t->serial];
}

/* The kernel registers the real operations only in its own build: here every type
 * gets the recording ones (endpoints and notifications are needed for mint). */
static void setup(void)
{
	for (int t = OBJ_NONE + 1; t < OBJ_TYPES; t++)
		kobj_register_type((enum obj_type)t, &test_ops);
	quota_init(&probe_q, 1u << 20);
	cr_assert_eq(cspace_init(&probe, 4, &probe_q), E_OK);
	probe_ready = true;
}

static void teardown(void)
{
	if (probe_ready) {
		probe_ready = false;
		cspace_destroy(&probe);
	}
}

TestSuite(cap, .init = setup, .fini = teardown);
TestSuite(cap_random, .init = setup, .fini = teardown);

/* ---------------------------------------------------------------------------------------
 * Helpers for the fixed tests
 * ------------------------------------------------------------------------------------- */

static struct quota big_q;      /* pays for the fixed tests' spaces */

static struct cspace *space(uint32_t nslots)
{
	struct cspace *cs = malloc(sizeof(*cs));

	if (big_q.limit == 0)
		quota_init(&big_q, 1ull << 40);
	cr_assert(cs);
	cr_assert_eq(cspace_init(cs, nslots, &big_q), E_OK);
	return cs;
}

static void space_free(struct cspace *cs)
{
	cspace_destroy(cs);
	free(cs);
}

#define SL(cs, i)       (&(cs)->slots[(i)])
#define OBJ(t)          (&(t)->hdr)

/* Check the tree over these spaces (cap_tree_check logs what is broken). */
#define TREE_OK(...) do { \
		struct cspace *const sp_[] = { __VA_ARGS__ }; \
		cr_assert(cap_tree_check(sp_, sizeof(sp_) / sizeof(sp_[0])), \
			  "cap_tree_check failed (line %d)", __LINE__); \
	} while (0)

/* The slot holds a capability to o with these rights, badge and parent. */
static void expect_cap(struct cspace *cs, uint32_t i, struct tobj *o, uint32_t rights,
		       uint64_t badge, struct cap_slot *parent, int line)
{
	struct cap_slot *s = SL(cs, i);

	cr_assert_eq(s->obj, OBJ(o), "line %d: slot %u holds %p, not object %u", line, i,
		     (void *)s->obj, o->serial);
	cr_expect_eq(s->rights, rights, "line %d: slot %u rights %#x, expected %#x", line, i,
		     s->rights, rights);
	cr_expect_eq(s->type, o->hdr.type, "line %d: slot %u type %u", line, i, s->type);
	cr_expect_eq(s->badge, badge, "line %d: slot %u badge %#lx, expected %#lx", line, i,
		     (unsigned long)s->badge, (unsigned long)badge);
	cr_expect_eq(s->parent, parent, "line %d: slot %u parent %p, expected %p", line, i,
		     (void *)s->parent, (void *)parent);
	cr_expect_eq(s->owner, cs, "line %d: slot %u owner", line, i);
}
#define EXPECT_CAP(cs, i, o, r, b, par) expect_cap(cs, i, o, r, b, par, __LINE__)
#define EXPECT_EMPTY(cs, i) \
	cr_expect_null(SL(cs, i)->obj, "line %d: slot %u not empty", __LINE__, (unsigned)(i))

#define DR      (CAP_R_DERIVE | CAP_R_GRANT)

/* ---------------------------------------------------------------------------------------
 * Rights per type, quotas, cspace_init
 * ------------------------------------------------------------------------------------- */

Test(cap, type_rights)
{
	for (int t = OBJ_NONE + 1; t < OBJ_TYPES; t++) {
		uint32_t r = cap_type_rights((enum obj_type)t);
		/* cap.h: DERIVE and GRANT are rights of "every type". cap.c makes reply
		 * capabilities one-shot (SEND only), an exception cap.h does not state. */
		if (t != OBJ_REPLY)
			cr_expect_eq(r & DR, DR, "type %d lacks DERIVE/GRANT: %#x", t, r);
		cr_expect_eq(r & (1u << 31), 0, "type %d has meaningless bit 31: %#x", t, r);
	}
	cr_expect_eq(cap_type_rights(OBJ_ENDPOINT) & (CAP_R_SEND | CAP_R_RECV),
		     CAP_R_SEND | CAP_R_RECV);
	cr_expect_eq(cap_type_rights(OBJ_ENDPOINT) & CAP_R_EXEC, 0);
	cr_expect_eq(cap_type_rights(OBJ_NOTIFICATION) & (CAP_R_SIGNAL | CAP_R_WAIT),
		     CAP_R_SIGNAL | CAP_R_WAIT);
	cr_expect_eq(cap_type_rights(OBJ_NOTIFICATION) & CAP_R_EXEC, 0);
	cr_expect_eq(cap_type_rights(OBJ_MEMORY) & (CAP_R_READ | CAP_R_WRITE | CAP_R_EXEC),
		     CAP_R_READ | CAP_R_WRITE | CAP_R_EXEC);
	cr_expect(cap_type_rights(OBJ_PROCESS) & CAP_R_CONTROL);
	cr_expect(cap_type_rights(OBJ_THREAD) & CAP_R_CONTROL);
	cr_expect(cap_type_rights(OBJ_IRQ) & CAP_R_CONTROL);
	cr_expect(cap_type_rights(OBJ_IOPORT) & CAP_R_CONTROL);

	/* A root capability gets exactly its type's rights out of CAP_R_ALL. */
	struct cspace *cs = space(16);
	for (int t = OBJ_NONE + 1; t < OBJ_TYPES; t++) {
		struct tobj *o = new_obj((enum obj_type)t);
		cr_assert_eq(cap_insert_root(cs, (uint32_t)t, OBJ(o), CAP_R_ALL, 0), E_OK);
		EXPECT_CAP(cs, (uint32_t)t, o, cap_type_rights((enum obj_type)t), 0, NULL);
		kobj_put(OBJ(o));
	}
	/* Bits that mean nothing for an endpoint are dropped. */
	struct tobj *ep = new_obj(OBJ_ENDPOINT);
	cr_assert_eq(cap_insert_root(cs, 15, OBJ(ep), CAP_R_SEND | CAP_R_EXEC | (1u << 31), 0),
		     E_OK);
	EXPECT_CAP(cs, 15, ep, CAP_R_SEND, 0, NULL);
	kobj_put(OBJ(ep));
	TREE_OK(cs);
	space_free(cs);
	cr_expect_eq(kobj_count(), 0);
}

Test(cap, quota_charge_and_credit)
{
	struct quota q;

	quota_init(&q, 100);
	cr_expect_eq(q.limit, 100);
	cr_expect_eq(q.used, 0);
	cr_expect_eq(quota_charge(&q, 60), E_OK);
	cr_expect_eq(q.used, 60);
	cr_expect_eq(quota_charge(&q, 41), E_NO_MEMORY);
	cr_expect_eq(q.used, 60, "a refused charge must charge nothing");
	cr_expect_eq(quota_charge(&q, UINT64_MAX), E_NO_MEMORY);       /* no wrap-around */
	cr_expect_eq(q.used, 60);
	cr_expect_eq(quota_charge(&q, 40), E_OK);                       /* exactly the limit */
	cr_expect_eq(q.used, 100);
	cr_expect_eq(quota_charge(&q, 1), E_NO_MEMORY);
	quota_credit(&q, 100);
	cr_expect_eq(q.used, 0);
}

Test(cap, cspace_init_rejects_bad_sizes)
{
	struct quota q;
	struct cspace cs;
	long live = heap.live;

	quota_init(&q, 1ull << 40);
	cr_expect_eq(cspace_init(&cs, 0, &q), E_INVAL);
	cr_expect_eq(cspace_init(&cs, 1, &q), E_INVAL);
	cr_expect_eq(cspace_init(&cs, CSPACE_MAX_SLOTS + 1, &q), E_INVAL);
	cr_expect_eq(cspace_init(&cs, UINT32_MAX, &q), E_INVAL);
	cr_expect_eq(q.used, 0, "a refused cspace_init charged %lu", (unsigned long)q.used);
	cr_expect_eq(heap.live, live, "a refused cspace_init kept memory");

	/* The smallest: one usable slot. */
	struct tobj *o = new_obj(OBJ_CSPACE_TEST);
	struct ostat *so = st(o);
	cr_assert_eq(cspace_init(&cs, 2, &q), E_OK);
	cr_expect_eq(cs.nslots, 2);
	cr_expect_eq(cs.used, 0);
	cr_expect_eq(cspace_find_free(&cs), 1);
	cr_expect_eq(cap_insert_root(&cs, 2, OBJ(o), DR, 0), E_RANGE);
	cr_expect_eq(cap_insert_root(&cs, 1, OBJ(o), DR, 0), E_OK);
	cr_expect_eq(cspace_find_free(&cs), 0, "a full space has no free slot");
	cspace_destroy(&cs);
	cr_expect_eq(q.used, 0);

	/* The largest. */
	cr_assert_eq(cspace_init(&cs, CSPACE_MAX_SLOTS, &q), E_OK);
	cr_expect_eq(cap_insert_root(&cs, CSPACE_MAX_SLOTS - 1, OBJ(o), DR, 0), E_OK);
	cr_expect_eq(cap_insert_root(&cs, CSPACE_MAX_SLOTS, OBJ(o), DR, 0), E_RANGE);
	cr_expect_eq(cspace_find_free(&cs), 1);
	cspace_destroy(&cs);
	cr_expect_eq(q.used, 0);
	cr_expect_eq(so->last_cap, 2);
	kobj_put(OBJ(o));
	cr_expect_eq(heap.live, live);
}

Test(cap, cspace_quota_charged_and_credited)
{
	struct quota q;
	struct cspace a, b;
	const uint32_t n = 64;

	/* What 64 slots cost. */
	quota_init(&q, 1ull << 40);
	cr_assert_eq(cspace_init(&a, n, &q), E_OK);
	uint64_t cost = q.used;
	cr_expect_geq(cost, (uint64_t)(n - 1) * sizeof(struct cap_slot),
		      "64 slots charged only %lu bytes", (unsigned long)cost);
	cspace_destroy(&a);
	cr_expect_eq(q.used, 0, "cspace_destroy left %lu bytes charged", (unsigned long)q.used);

	/* Too small a quota: E_NO_MEMORY, nothing charged, nothing allocated. */
	long live = heap.live;
	quota_init(&q, 0);
	cr_expect_eq(cspace_init(&a, n, &q), E_NO_MEMORY);
	cr_expect_eq(q.used, 0);
	quota_init(&q, cost - 1);
	cr_expect_eq(cspace_init(&a, n, &q), E_NO_MEMORY);
	cr_expect_eq(q.used, 0);
	cr_expect_eq(heap.live, live);

	/* Exactly enough. */
	quota_init(&q, cost);
	cr_assert_eq(cspace_init(&a, n, &q), E_OK);
	cr_expect_eq(q.used, cost);
	cr_expect_eq(cspace_init(&b, n, &q), E_NO_MEMORY);
	cr_expect_eq(q.used, cost);
	cspace_destroy(&a);
	cr_expect_eq(q.used, 0);

	/* A quota already in use: charged on top, credited back to where it was. */
	quota_init(&q, 1000 + 2 * cost);
	cr_assert_eq(quota_charge(&q, 1000), E_OK);
	cr_assert_eq(cspace_init(&a, n, &q), E_OK);
	cr_assert_eq(cspace_init(&b, n, &q), E_OK);
	cr_expect_eq(q.used, 1000 + 2 * cost);
	cspace_destroy(&b);
	cr_expect_eq(q.used, 1000 + cost);
	cspace_destroy(&a);
	cr_expect_eq(q.used, 1000);

	/* The heap refuses: E_NO_MEMORY and the quota unchanged. */
	quota_init(&q, 1ull << 40);
	heap.fail = true;
	cr_expect_eq(cspace_init(&a, n, &q), E_NO_MEMORY);
	heap.fail = false;
	cr_expect_eq(q.used, 0, "a failed allocation left %lu bytes charged",
		     (unsigned long)q.used);
	cr_expect_eq(heap.live, live);
}

Test(cap, object_header_and_quota)
{
	struct quota q;
	uint64_t objs = kobj_count();

	quota_init(&q, 1000);
	cr_assert_eq(quota_charge(&q, 300), E_OK);
	struct tobj *o = new_obj_q(OBJ_MEMORY, &q, 300);
	struct ostat *so = st(o);
	cr_expect_eq(o->hdr.type, OBJ_MEMORY);
	cr_expect_eq(o->hdr.caps, 0);
	cr_expect_eq(o->hdr.refs, 1);
	cr_expect_eq(o->hdr.charge, 300);
	cr_expect_eq(o->hdr.quota, &q);
	cr_expect_eq(kobj_count(), objs + 1);
	kobj_get(OBJ(o));
	cr_expect_eq(o->hdr.refs, 2);
	kobj_put(OBJ(o));
	cr_expect_eq(so->destroy, 0);
	/* The last reference: freed, and its charge returned ("when the last reference
	 * goes, the object is freed and its quota charge returned"). No capability ever
	 * named it, so last_cap never runs. */
	kobj_put(OBJ(o));
	cr_expect_eq(so->destroy, 1);
	cr_expect_eq(so->last_cap, 0);
	cr_expect_eq(kobj_count(), objs);
	cr_expect_eq(q.used, 0, "the object's charge was not credited: %lu bytes still used",
		     (unsigned long)q.used);
}

/* ---------------------------------------------------------------------------------------
 * Error codes, and failures that change nothing
 * ------------------------------------------------------------------------------------- */

Test(cap, slot_errors)
{
	struct cspace *a = space(16), *b = space(16);
	struct tobj *o = new_obj(OBJ_CSPACE_TEST);
	struct tobj *ep = new_obj(OBJ_ENDPOINT);
	struct ostat *so = st(o), *sep = st(ep);
	struct cap c;
	uint32_t d = 12345;
	const uint32_t bad[] = { 0, 16, 17, UINT32_MAX };

	/* insert_root: slot 0 and out of range, then occupied. */
	for (size_t k = 0; k < 4; k++)
		cr_expect_eq(cap_insert_root(a, bad[k], OBJ(o), DR, 0), E_RANGE, "slot %u",
			     bad[k]);
	cr_expect_eq(o->hdr.caps, 0);
	cr_expect_eq(o->hdr.refs, 1, "a refused insert took a reference");
	cr_assert_eq(cap_insert_root(a, 1, OBJ(o), DR, 0), E_OK);
	cr_expect_eq(o->hdr.caps, 1);
	cr_expect_eq(o->hdr.refs, 2, "a capability holds one reference");
	cr_assert_eq(cap_insert_root(a, 2, OBJ(ep), CAP_R_ALL, 0), E_OK);
	cr_assert_eq(cap_insert_root(a, 3, OBJ(o), CAP_R_GRANT, 0), E_OK);   /* no DERIVE */
	cr_expect_eq(cap_insert_root(a, 1, OBJ(ep), DR, 0), E_EXISTS);
	EXPECT_CAP(a, 1, o, DR, 0, NULL);
	uint64_t caps = cap_count();
	cr_expect_eq(a->used, 3);

	/* lookup: every error, in order of the checks. */
	for (size_t k = 0; k < 4; k++)
		cr_expect_eq(cap_lookup(a, bad[k], OBJ_NONE, 0, &c), E_RANGE, "slot %u", bad[k]);
	cr_expect_eq(cap_lookup(a, 5, OBJ_NONE, 0, &c), E_NOT_FOUND);
	cr_expect_eq(cap_lookup(a, 1, OBJ_ENDPOINT, 0, &c), E_TYPE);
	cr_expect_eq(cap_lookup(a, 3, OBJ_CSPACE_TEST, CAP_R_DERIVE, &c), E_PERM);
	cr_expect_eq(cap_lookup(a, 3, OBJ_CSPACE_TEST, CAP_R_GRANT | CAP_R_DERIVE, &c), E_PERM);
	cr_expect_eq(cap_lookup(a, 2, OBJ_ENDPOINT, CAP_R_SEND | CAP_R_RECV, &c), E_OK);
	cr_expect_eq(c.obj, OBJ(ep));
	cr_expect_eq(c.type, OBJ_ENDPOINT);
	cr_expect_eq(c.rights, cap_type_rights(OBJ_ENDPOINT));
	cr_expect_eq(c.badge, 0);
	cr_expect_eq(ep->hdr.refs, 3, "lookup must return a reference");
	kobj_put(c.obj);
	cr_expect_eq(cap_lookup(a, 1, OBJ_NONE, 0, &c), E_OK, "OBJ_NONE matches any type");
	cr_expect_eq(c.obj, OBJ(o));
	kobj_put(c.obj);
	cr_expect_eq(o->hdr.refs, 3, "a refused lookup took a reference");
	cr_expect_eq(ep->hdr.refs, 2);

	/* copy and mint: bad source, bad destination, empty source, occupied destination,
	 * no DERIVE. */
	for (size_t k = 0; k < 4; k++) {
		cr_expect_eq(cap_copy(a, bad[k], b, 1, CAP_R_ALL), E_RANGE);
		cr_expect_eq(cap_copy(a, 1, b, bad[k], CAP_R_ALL), E_RANGE);
		cr_expect_eq(cap_mint(a, bad[k], b, 1, CAP_R_ALL, 7), E_RANGE);
		cr_expect_eq(cap_mint(a, 2, b, bad[k], CAP_R_ALL, 7), E_RANGE);
		cr_expect_eq(cap_move(a, bad[k], b, 1), E_RANGE);
		cr_expect_eq(cap_move(a, 1, b, bad[k]), E_RANGE);
		cr_expect_eq(cap_delete(a, bad[k]), E_RANGE);
		cr_expect_eq(cap_revoke(a, bad[k]), E_RANGE);
		cr_expect_eq(cap_transfer(a, bad[k], b, CAP_R_ALL, &d), E_RANGE);
	}
	cr_expect_eq(cap_copy(a, 5, b, 1, CAP_R_ALL), E_NOT_FOUND);
	cr_expect_eq(cap_mint(a, 5, b, 1, CAP_R_ALL, 7), E_NOT_FOUND);
	cr_expect_eq(cap_move(a, 5, b, 1), E_NOT_FOUND);
	cr_expect_eq(cap_delete(a, 5), E_NOT_FOUND);
	cr_expect_eq(cap_revoke(a, 5), E_NOT_FOUND);
	cr_expect_eq(cap_transfer(a, 5, b, CAP_R_ALL, &d), E_NOT_FOUND);
	cr_expect_eq(cap_copy(a, 1, a, 2, CAP_R_ALL), E_EXISTS);
	cr_expect_eq(cap_copy(a, 1, a, 1, CAP_R_ALL), E_EXISTS);        /* onto itself */
	cr_expect_eq(cap_mint(a, 2, a, 1, CAP_R_ALL, 7), E_EXISTS);
	cr_expect_eq(cap_move(a, 1, a, 2), E_EXISTS);
	cr_expect_eq(cap_copy(a, 3, b, 1, CAP_R_ALL), E_PERM);
	cr_expect_eq(cap_transfer(a, 1, b, CAP_R_ALL, &d), E_OK);       /* has GRANT */
	cr_expect_eq(cap_delete(b, d), E_OK);

	/* Nothing changed. */
	cr_expect_eq(cap_count(), caps);
	cr_expect_eq(a->used, 3);
	cr_expect_eq(b->used, 0);
	for (uint32_t i = 1; i < 16; i++)
		EXPECT_EMPTY(b, i);
	EXPECT_CAP(a, 1, o, DR, 0, NULL);
	EXPECT_CAP(a, 2, ep, cap_type_rights(OBJ_ENDPOINT), 0, NULL);
	EXPECT_CAP(a, 3, o, CAP_R_GRANT, 0, NULL);
	cr_expect_eq(o->hdr.caps, 2);
	cr_expect_eq(o->hdr.refs, 3);
	cr_expect_eq(ep->hdr.caps, 1);
	cr_expect_eq(ep->hdr.refs, 2);
	cr_expect_eq(so->last_cap + sep->last_cap, 0);
	TREE_OK(a, b);

	kobj_put(OBJ(o));
	kobj_put(OBJ(ep));
	space_free(a);
	space_free(b);
	cr_expect_eq(so->last_cap, 1);
	cr_expect_eq(so->destroy, 1);
	cr_expect_eq(sep->destroy, 1);
	cr_expect_eq(cap_count(), 0);
	cr_expect_eq(kobj_count(), 0);
}

/* ---------------------------------------------------------------------------------------
 * Rights only shrink
 * ------------------------------------------------------------------------------------- */

Test(cap, rights_only_shrink)
{
	struct cspace *a = space(32), *b = space(32);
	struct tobj *ep = new_obj(OBJ_ENDPOINT);
	struct ostat *sep = st(ep);
	const uint32_t r0 = CAP_R_SEND | DR;
	uint32_t d;

	cr_assert_eq(cap_insert_root(a, 1, OBJ(ep), r0, 0), E_OK);
	EXPECT_CAP(a, 1, ep, r0, 0, NULL);

	/* An all-ones mask keeps the source's rights: RECV is not added. */
	cr_assert_eq(cap_copy(a, 1, b, 1, CAP_R_ALL), E_OK);
	EXPECT_CAP(b, 1, ep, r0, 0, SL(a, 1));
	/* The mask drops rights, and cannot add RECV. */
	cr_assert_eq(cap_copy(a, 1, b, 2, CAP_R_SEND | CAP_R_RECV), E_OK);
	EXPECT_CAP(b, 2, ep, CAP_R_SEND, 0, SL(a, 1));
	/* Without DERIVE nothing derives from it; without GRANT it cannot be transferred. */
	cr_expect_eq(cap_copy(b, 2, b, 3, CAP_R_ALL), E_PERM);
	cr_expect_eq(cap_mint(b, 2, b, 3, CAP_R_ALL, 9), E_PERM);
	cr_expect_eq(cap_transfer(b, 2, a, CAP_R_ALL, &d), E_PERM);
	EXPECT_EMPTY(b, 3);
	/* Down a chain, rights never come back. */
	cr_assert_eq(cap_copy(b, 1, b, 3, CAP_R_DERIVE | CAP_R_RECV), E_OK);
	EXPECT_CAP(b, 3, ep, CAP_R_DERIVE, 0, SL(b, 1));
	cr_assert_eq(cap_copy(b, 3, a, 2, CAP_R_ALL), E_OK);
	EXPECT_CAP(a, 2, ep, CAP_R_DERIVE, 0, SL(b, 3));
	cr_expect_eq(cap_transfer(a, 2, b, CAP_R_ALL, &d), E_PERM);    /* no GRANT */
	/* Mint masks as copy does. */
	cr_assert_eq(cap_mint(a, 1, a, 3, CAP_R_ALL, 0x77), E_OK);
	EXPECT_CAP(a, 3, ep, r0, 0x77, SL(a, 1));
	cr_assert_eq(cap_mint(a, 1, a, 4, CAP_R_GRANT | CAP_R_RECV, 0x78), E_OK);
	EXPECT_CAP(a, 4, ep, CAP_R_GRANT, 0x78, SL(a, 1));
	/* Transfer masks too, and lands in a free slot of the destination. */
	cr_assert_eq(cap_transfer(a, 1, b, CAP_R_SEND | CAP_R_GRANT | CAP_R_RECV, &d), E_OK);
	cr_assert(d >= 1 && d < 32, "transfer slot %u", d);
	EXPECT_CAP(b, d, ep, CAP_R_SEND | CAP_R_GRANT, 0, SL(a, 1));
	uint32_t d2;
	cr_assert_eq(cap_transfer(b, d, a, CAP_R_ALL, &d2), E_OK);     /* GRANT, no DERIVE */
	cr_assert(d2 >= 1 && d2 < 32 && SL(a, d2) != SL(a, 1));
	EXPECT_CAP(a, d2, ep, CAP_R_SEND | CAP_R_GRANT, 0, SL(b, d));
	cr_assert_eq(cap_transfer(b, d, b, 0, &d2), E_OK);              /* mask 0: no rights */
	EXPECT_CAP(b, d2, ep, 0, 0, SL(b, d));
	cr_expect_eq(cap_lookup(b, d2, OBJ_ENDPOINT, CAP_R_SEND, &(struct cap){ 0 }), E_PERM);

	TREE_OK(a, b);
	kobj_put(OBJ(ep));
	space_free(a);
	space_free(b);
	cr_expect_eq(sep->last_cap, 1);
	cr_expect_eq(sep->destroy, 1);
}

/* ---------------------------------------------------------------------------------------
 * Badges
 * ------------------------------------------------------------------------------------- */

Test(cap, mint_badges)
{
	struct cspace *a = space(32);
	struct tobj *ep = new_obj(OBJ_ENDPOINT);
	struct tobj *nt = new_obj(OBJ_NOTIFICATION);
	struct tobj *to = new_obj(OBJ_CSPACE_TEST);
	struct tobj *mem = new_obj(OBJ_MEMORY);
	const uint32_t epr = cap_type_rights(OBJ_ENDPOINT);
	const uint32_t ntr = cap_type_rights(OBJ_NOTIFICATION);
	uint32_t d;

	cr_assert_eq(cap_insert_root(a, 1, OBJ(ep), CAP_R_ALL, 0), E_OK);
	cr_assert_eq(cap_insert_root(a, 2, OBJ(nt), CAP_R_ALL, 0), E_OK);
	cr_assert_eq(cap_insert_root(a, 3, OBJ(to), CAP_R_ALL, 0), E_OK);
	cr_assert_eq(cap_insert_root(a, 4, OBJ(mem), CAP_R_ALL, 0), E_OK);
	cr_assert_eq(cap_insert_root(a, 5, OBJ(ep), CAP_R_ALL, 0xb0), E_OK);   /* born badged */

	/* Unbadged endpoint and notification: the child carries the badge. */
	cr_assert_eq(cap_mint(a, 1, a, 10, CAP_R_ALL, 0x1234), E_OK);
	EXPECT_CAP(a, 10, ep, epr, 0x1234, SL(a, 1));
	cr_assert_eq(cap_mint(a, 2, a, 11, CAP_R_ALL, UINT64_MAX), E_OK);
	EXPECT_CAP(a, 11, nt, ntr, UINT64_MAX, SL(a, 2));
	EXPECT_CAP(a, 1, ep, epr, 0, NULL);     /* the source keeps no badge */

	/* Already badged, or a type without badges: E_INVAL, nothing made. */
	cr_expect_eq(cap_mint(a, 10, a, 12, CAP_R_ALL, 0x99), E_INVAL);
	cr_expect_eq(cap_mint(a, 11, a, 12, CAP_R_ALL, 0x99), E_INVAL);
	cr_expect_eq(cap_mint(a, 5, a, 12, CAP_R_ALL, 0x99), E_INVAL);
	cr_expect_eq(cap_mint(a, 3, a, 12, CAP_R_ALL, 0x99), E_INVAL);
	cr_expect_eq(cap_mint(a, 4, a, 12, CAP_R_ALL, 0x99), E_INVAL);
	EXPECT_EMPTY(a, 12);

	/* Copy and transfer keep the badge (or its absence). */
	cr_assert_eq(cap_copy(a, 10, a, 12, CAP_R_ALL), E_OK);
	EXPECT_CAP(a, 12, ep, epr, 0x1234, SL(a, 10));
	cr_assert_eq(cap_copy(a, 12, a, 13, CAP_R_SEND | CAP_R_DERIVE), E_OK);
	EXPECT_CAP(a, 13, ep, CAP_R_SEND | CAP_R_DERIVE, 0x1234, SL(a, 12));
	cr_assert_eq(cap_copy(a, 1, a, 14, CAP_R_ALL), E_OK);
	EXPECT_CAP(a, 14, ep, epr, 0, SL(a, 1));
	cr_assert_eq(cap_copy(a, 5, a, 15, CAP_R_ALL), E_OK);
	EXPECT_CAP(a, 15, ep, epr, 0xb0, SL(a, 5));
	cr_assert_eq(cap_transfer(a, 11, a, CAP_R_ALL, &d), E_OK);
	EXPECT_CAP(a, d, nt, ntr, UINT64_MAX, SL(a, 11));
	/* A copy of an unbadged capability can still be minted. */
	cr_assert_eq(cap_mint(a, 14, a, 20, CAP_R_SEND, 5), E_OK);
	EXPECT_CAP(a, 20, ep, CAP_R_SEND, 5, SL(a, 14));
	/* Mint needs DERIVE like copy. */
	cr_assert_eq(cap_copy(a, 1, a, 21, CAP_R_SEND), E_OK);
	cr_expect_eq(cap_mint(a, 21, a, 22, CAP_R_ALL, 6), E_PERM);
	EXPECT_EMPTY(a, 22);

	/* A moved capability keeps its badge. */
	cr_assert_eq(cap_move(a, 10, a, 30), E_OK);
	EXPECT_CAP(a, 30, ep, epr, 0x1234, SL(a, 1));
	EXPECT_CAP(a, 12, ep, epr, 0x1234, SL(a, 30));

	TREE_OK(a);
	kobj_put(OBJ(ep));
	kobj_put(OBJ(nt));
	kobj_put(OBJ(to));
	kobj_put(OBJ(mem));
	space_free(a);
	cr_expect_eq(kobj_count(), 0);
	cr_expect_eq(cap_count(), 0);
}

/* ---------------------------------------------------------------------------------------
 * The derivation tree: delete, revoke, move
 * ------------------------------------------------------------------------------------- */

Test(cap, delete_moves_children_up)
{
	struct cspace *a = space(16), *b = space(16);
	struct tobj *o = new_obj(OBJ_CSPACE_TEST);
	struct ostat *so = st(o);

	/* a1 -> b1 -> { a2, b2 -> a3 } */
	cr_assert_eq(cap_insert_root(a, 1, OBJ(o), DR, 0), E_OK);
	cr_assert_eq(cap_copy(a, 1, b, 1, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(b, 1, a, 2, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(b, 1, b, 2, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(b, 2, a, 3, CAP_R_ALL), E_OK);
	TREE_OK(a, b);
	cr_expect_eq(o->hdr.caps, 5);

	cr_assert_eq(cap_delete(b, 1), E_OK);
	EXPECT_EMPTY(b, 1);
	EXPECT_CAP(a, 2, o, DR, 0, SL(a, 1));
	EXPECT_CAP(b, 2, o, DR, 0, SL(a, 1));
	EXPECT_CAP(a, 3, o, DR, 0, SL(b, 2));
	cr_expect_eq(o->hdr.caps, 4);
	cr_expect_eq(o->hdr.refs, 5);
	TREE_OK(a, b);

	/* A later revoke of the ancestor still reaches them. */
	cr_assert_eq(cap_revoke(a, 1), E_OK);
	EXPECT_CAP(a, 1, o, DR, 0, NULL);
	EXPECT_EMPTY(a, 2);
	EXPECT_EMPTY(b, 2);
	EXPECT_EMPTY(a, 3);
	cr_expect_eq(o->hdr.caps, 1);
	cr_expect_eq(a->used + b->used, 1);
	TREE_OK(a, b);

	/* Deleting a root makes its children roots. */
	cr_assert_eq(cap_copy(a, 1, b, 5, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(a, 1, b, 6, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(b, 6, b, 7, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_delete(a, 1), E_OK);
	EXPECT_CAP(b, 5, o, DR, 0, NULL);
	EXPECT_CAP(b, 6, o, DR, 0, NULL);
	EXPECT_CAP(b, 7, o, DR, 0, SL(b, 6));
	TREE_OK(a, b);
	cr_expect_eq(so->last_cap, 0, "last_cap with capabilities left");

	/* A leaf's delete touches nobody else. */
	cr_assert_eq(cap_delete(b, 7), E_OK);
	EXPECT_CAP(b, 6, o, DR, 0, NULL);
	cr_assert_eq(cap_delete(b, 6), E_OK);
	cr_assert_eq(cap_delete(b, 5), E_OK);
	cr_expect_eq(so->last_cap, 1);
	cr_expect_eq(so->destroy, 0, "destroyed while the creator holds a reference");
	cr_expect_eq(cap_count(), 0);
	TREE_OK(a, b);
	kobj_put(OBJ(o));
	cr_expect_eq(so->destroy, 1);
	space_free(a);
	space_free(b);
}

Test(cap, revoke_exactly_descendants_across_spaces)
{
	struct cspace *s0 = space(16), *s1 = space(16), *s2 = space(16);
	struct tobj *x = new_obj(OBJ_CSPACE_TEST), *y = new_obj(OBJ_ENDPOINT);
	struct ostat *sx = st(x), *sy = st(y);
	const uint32_t yr = cap_type_rights(OBJ_ENDPOINT);

	/*
	 * x: s0:1 -> { s1:1 -> { s0:2 -> s2:3, s2:2 }, s2:1 -> s1:2 }
	 *    s2:10 -> s0:10          (a second root of the same object)
	 * y: s0:5 -> s1:5            (unrelated)
	 */
	cr_assert_eq(cap_insert_root(s0, 1, OBJ(x), DR, 0), E_OK);
	cr_assert_eq(cap_copy(s0, 1, s1, 1, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(s0, 1, s2, 1, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(s1, 1, s0, 2, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(s1, 1, s2, 2, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(s2, 1, s1, 2, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(s0, 2, s2, 3, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_insert_root(s2, 10, OBJ(x), DR, 0), E_OK);
	cr_assert_eq(cap_copy(s2, 10, s0, 10, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_insert_root(s0, 5, OBJ(y), CAP_R_ALL, 0), E_OK);
	cr_assert_eq(cap_mint(s0, 5, s1, 5, CAP_R_ALL, 3), E_OK);
	TREE_OK(s0, s1, s2);
	cr_expect_eq(cap_count(), 11);
	cr_expect_eq(x->hdr.caps, 9);

	/* A leaf: nothing to revoke. */
	cr_expect_eq(cap_revoke(s2, 3), E_OK);
	cr_expect_eq(cap_count(), 11);

	cr_assert_eq(cap_revoke(s1, 1), E_OK);
	EXPECT_CAP(s1, 1, x, DR, 0, SL(s0, 1));        /* the capability itself stays */
	EXPECT_EMPTY(s0, 2);
	EXPECT_EMPTY(s2, 2);
	EXPECT_EMPTY(s2, 3);
	EXPECT_CAP(s2, 1, x, DR, 0, SL(s0, 1));        /* its sibling and nephew stay */
	EXPECT_CAP(s1, 2, x, DR, 0, SL(s2, 1));
	EXPECT_CAP(s2, 10, x, DR, 0, NULL);
	EXPECT_CAP(s0, 10, x, DR, 0, SL(s2, 10));
	EXPECT_CAP(s0, 5, y, yr, 0, NULL);
	EXPECT_CAP(s1, 5, y, yr, 3, SL(s0, 5));
	cr_expect_eq(cap_count(), 8);
	cr_expect_eq(x->hdr.caps, 6);
	cr_expect_eq(x->hdr.refs, 7);
	TREE_OK(s0, s1, s2);

	cr_assert_eq(cap_revoke(s0, 1), E_OK);
	EXPECT_CAP(s0, 1, x, DR, 0, NULL);
	EXPECT_EMPTY(s1, 1);
	EXPECT_EMPTY(s2, 1);
	EXPECT_EMPTY(s1, 2);
	cr_expect_eq(cap_count(), 5);
	cr_expect_eq(sx->last_cap, 0, "x still has capabilities");
	TREE_OK(s0, s1, s2);

	cr_assert_eq(cap_revoke(s2, 10), E_OK);
	EXPECT_EMPTY(s0, 10);
	EXPECT_CAP(s2, 10, x, DR, 0, NULL);
	cr_assert_eq(cap_delete(s2, 10), E_OK);
	cr_expect_eq(sx->last_cap, 0);
	cr_assert_eq(cap_delete(s0, 1), E_OK);
	cr_expect_eq(sx->last_cap, 1, "x's last capability is gone");
	cr_expect_eq(sx->destroy, 0);
	cr_expect_eq(s0->used + s1->used + s2->used, 2);
	EXPECT_CAP(s1, 5, y, yr, 3, SL(s0, 5));
	TREE_OK(s0, s1, s2);
	kobj_put(OBJ(x));
	cr_expect_eq(sx->destroy, 1);
	cr_expect_lt(sx->last_cap_seq, sx->destroy_seq);

	/* Revoking y's root leaves y with one capability: no last_cap. */
	kobj_put(OBJ(y));
	cr_assert_eq(cap_revoke(s0, 5), E_OK);
	cr_expect_eq(sy->last_cap, 0);
	cr_assert_eq(cap_delete(s0, 5), E_OK);
	cr_expect_eq(sy->last_cap, 1);
	cr_expect_eq(sy->destroy, 1, "no reference left: destroyed");
	cr_expect_lt(sy->last_cap_seq, sy->destroy_seq);
	cr_expect_eq(cap_count(), 0);
	cr_expect_eq(kobj_count(), 0);
	space_free(s0);
	space_free(s1);
	space_free(s2);
}

/* A revoke of a big binary tree of one object: the descendants' references go, the
 * object stays (the revoked capability still names it), no last_cap. */
Test(cap, revoke_drops_references_not_the_object)
{
	struct cspace *a = space(128);
	struct tobj *o = new_obj(OBJ_CSPACE_TEST);
	struct ostat *so = st(o);

	cr_assert_eq(cap_insert_root(a, 1, OBJ(o), DR, 0), E_OK);
	kobj_put(OBJ(o));                       /* only capabilities hold it now */
	for (uint32_t i = 2; i < 128; i++)
		cr_assert_eq(cap_copy(a, i / 2, a, i, CAP_R_ALL), E_OK);   /* a binary tree */
	TREE_OK(a);
	cr_expect_eq(o->hdr.caps, 127);
	cr_expect_eq(o->hdr.refs, 127);
	cr_assert_eq(cap_revoke(a, 1), E_OK);
	cr_expect_eq(o->hdr.caps, 1);
	cr_expect_eq(o->hdr.refs, 1);
	cr_expect_eq(so->last_cap, 0);
	cr_expect_eq(so->destroy, 0);
	cr_expect_eq(a->used, 1);
	TREE_OK(a);
	cr_assert_eq(cap_delete(a, 1), E_OK);
	cr_expect_eq(so->last_cap, 1);
	cr_expect_eq(so->destroy, 1);
	cr_expect_lt(so->last_cap_seq, so->destroy_seq);
	space_free(a);
}

Test(cap, last_cap_and_destroy_order)
{
	struct cspace *a = space(16);
	struct tobj *o = new_obj(OBJ_CSPACE_TEST);
	struct ostat *so = st(o);
	uint64_t objs = kobj_count();

	cr_assert_eq(cap_insert_root(a, 1, OBJ(o), DR, 0), E_OK);
	cr_assert_eq(cap_copy(a, 1, a, 2, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(a, 1, a, 3, CAP_R_ALL), E_OK);
	cr_expect_eq(o->hdr.refs, 4);
	kobj_put(OBJ(o));                       /* the creator's reference */
	cr_expect_eq(o->hdr.refs, 3);
	kobj_get(OBJ(o));                       /* a kernel reference */
	cr_expect_eq(o->hdr.refs, 4);
	cr_assert_eq(cap_delete(a, 1), E_OK);
	cr_assert_eq(cap_delete(a, 3), E_OK);
	cr_expect_eq(so->last_cap, 0);
	cr_expect_eq(o->hdr.caps, 1);
	cr_expect_eq(o->hdr.refs, 2);
	cr_assert_eq(cap_delete(a, 2), E_OK);
	cr_expect_eq(so->last_cap, 1);
	cr_expect_eq(so->destroy, 0, "destroyed while a reference is held");
	cr_expect_eq(o->hdr.caps, 0);
	cr_expect_eq(o->hdr.refs, 1);
	cr_expect_eq(kobj_count(), objs);
	kobj_put(OBJ(o));
	cr_expect_eq(so->destroy, 1);
	cr_expect_eq(so->last_cap, 1);
	cr_expect_lt(so->last_cap_seq, so->destroy_seq);
	cr_expect_eq(kobj_count(), objs - 1);

	/* A new capability after the last one went: last_cap runs again when it goes. */
	struct tobj *p = new_obj(OBJ_CSPACE_TEST);
	struct ostat *sp = st(p);
	cr_assert_eq(cap_insert_root(a, 1, OBJ(p), DR, 0), E_OK);
	cr_assert_eq(cap_delete(a, 1), E_OK);
	cr_expect_eq(sp->last_cap, 1);
	cr_assert_eq(cap_insert_root(a, 5, OBJ(p), DR, 0), E_OK);
	cr_assert_eq(cap_move(a, 5, a, 6), E_OK);
	cr_expect_eq(sp->last_cap, 1, "a move is not a last capability going");
	cr_assert_eq(cap_delete(a, 6), E_OK);
	cr_expect_eq(sp->last_cap, 2);
	cr_expect_eq(sp->destroy, 0);
	kobj_put(OBJ(p));
	cr_expect_eq(sp->destroy, 1);
	space_free(a);
	cr_expect_eq(kobj_count(), 0);
}

Test(cap, lookup_holds_a_reference)
{
	struct cspace *a = space(16);
	struct tobj *o = new_obj(OBJ_NOTIFICATION);
	struct ostat *so = st(o);
	struct cap c = { 0 };

	cr_assert_eq(cap_insert_root(a, 3, OBJ(o), CAP_R_SIGNAL | CAP_R_DERIVE, 42), E_OK);
	kobj_put(OBJ(o));
	cr_expect_eq(o->hdr.refs, 1);
	cr_assert_eq(cap_lookup(a, 3, OBJ_NOTIFICATION, CAP_R_SIGNAL, &c), E_OK);
	cr_expect_eq(c.obj, OBJ(o));
	cr_expect_eq(c.type, OBJ_NOTIFICATION);
	cr_expect_eq(c.rights, CAP_R_SIGNAL | CAP_R_DERIVE);
	cr_expect_eq(c.badge, 42);
	cr_expect_eq(o->hdr.refs, 2);
	cr_assert_eq(cap_delete(a, 3), E_OK);
	cr_expect_eq(so->last_cap, 1);
	cr_expect_eq(so->destroy, 0, "destroyed under a lookup's reference");
	cr_expect_eq(o->hdr.refs, 1);
	kobj_put(c.obj);
	cr_expect_eq(so->destroy, 1);
	cr_expect_eq(kobj_count(), 0);
	space_free(a);
}

Test(cap, move_keeps_tree_position)
{
	struct cspace *a = space(16), *b = space(16);
	struct tobj *o = new_obj(OBJ_ENDPOINT);
	struct ostat *so = st(o);
	const uint32_t r = CAP_R_SEND | DR;

	/* a1 -> a2 -> a3; move a2 to b7: parent a1, child a3 (now b7's). */
	cr_assert_eq(cap_insert_root(a, 1, OBJ(o), r, 0), E_OK);
	cr_assert_eq(cap_mint(a, 1, a, 2, CAP_R_ALL, 0x55), E_OK);
	cr_assert_eq(cap_copy(a, 2, a, 3, CAP_R_ALL), E_OK);
	uint32_t caps = o->hdr.caps, refs = o->hdr.refs;
	cr_assert_eq(cap_move(a, 2, b, 7), E_OK);
	EXPECT_EMPTY(a, 2);
	EXPECT_CAP(b, 7, o, r, 0x55, SL(a, 1));
	EXPECT_CAP(a, 3, o, r, 0x55, SL(b, 7));
	cr_expect_eq(o->hdr.caps, caps);
	cr_expect_eq(o->hdr.refs, refs);
	cr_expect_eq(a->used, 2);
	cr_expect_eq(b->used, 1);
	cr_expect_eq(cap_count(), 3);
	TREE_OK(a, b);
	/* Revoking the original parent still removes the moved child and its child. */
	cr_assert_eq(cap_revoke(a, 1), E_OK);
	EXPECT_EMPTY(b, 7);
	EXPECT_EMPTY(a, 3);
	EXPECT_CAP(a, 1, o, r, 0, NULL);
	TREE_OK(a, b);

	/* a1 -> a2 -> a4; move a2 to b3; revoking b3 removes a4 only. */
	cr_assert_eq(cap_copy(a, 1, a, 2, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(a, 2, a, 4, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(a, 1, a, 5, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_move(a, 2, b, 3), E_OK);
	cr_assert_eq(cap_revoke(b, 3), E_OK);
	EXPECT_EMPTY(a, 4);
	EXPECT_CAP(b, 3, o, r, 0, SL(a, 1));
	EXPECT_CAP(a, 5, o, r, 0, SL(a, 1));
	EXPECT_CAP(a, 1, o, r, 0, NULL);
	TREE_OK(a, b);

	/* A root with children moves as a root; its children follow it. */
	cr_assert_eq(cap_move(a, 1, b, 1), E_OK);
	EXPECT_EMPTY(a, 1);
	EXPECT_CAP(b, 1, o, r, 0, NULL);
	EXPECT_CAP(b, 3, o, r, 0, SL(b, 1));
	EXPECT_CAP(a, 5, o, r, 0, SL(b, 1));
	TREE_OK(a, b);
	/* And back into the same space, to the slot it left. */
	cr_assert_eq(cap_move(b, 1, a, 1), E_OK);
	EXPECT_CAP(a, 1, o, r, 0, NULL);
	EXPECT_CAP(b, 3, o, r, 0, SL(a, 1));
	TREE_OK(a, b);
	/* Move needs no right. */
	cr_assert_eq(cap_copy(a, 1, a, 9, 0), E_OK);
	cr_assert_eq(cap_move(a, 9, b, 9), E_OK);
	EXPECT_CAP(b, 9, o, 0, 0, SL(a, 1));
	/* Errors change nothing. */
	cr_expect_eq(cap_move(a, 2, b, 10), E_NOT_FOUND);
	cr_expect_eq(cap_move(a, 1, b, 3), E_EXISTS);
	EXPECT_CAP(a, 1, o, r, 0, NULL);
	cr_expect_eq(cap_revoke(a, 1), E_OK);
	cr_expect_eq(cap_count(), 1);
	cr_expect_eq(so->last_cap, 0);
	TREE_OK(a, b);

	kobj_put(OBJ(o));
	space_free(a);
	space_free(b);
	cr_expect_eq(so->destroy, 1);
}

/* ---------------------------------------------------------------------------------------
 * cspace_destroy, find_free, large trees
 * ------------------------------------------------------------------------------------- */

Test(cap, cspace_destroy_deletes_everything)
{
	struct quota q;
	uint64_t caps0 = cap_count(), objs0 = kobj_count();
	long live = heap.live;
	struct cspace a, b;

	quota_init(&q, 1u << 20);
	cr_assert_eq(cspace_init(&a, 32, &q), E_OK);
	cr_assert_eq(cspace_init(&b, 32, &q), E_OK);
	struct tobj *x = new_obj(OBJ_CSPACE_TEST);      /* named in a and b */
	struct tobj *y = new_obj(OBJ_ENDPOINT);         /* named in a only */
	struct ostat *sx = st(x), *sy = st(y);

	/* x: a1 -> { b1 -> a2 -> b2, a3 }; b5 (root) -> a6 -> b6 */
	cr_assert_eq(cap_insert_root(&a, 1, OBJ(x), DR, 0), E_OK);
	cr_assert_eq(cap_copy(&a, 1, &b, 1, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(&b, 1, &a, 2, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(&a, 2, &b, 2, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(&a, 1, &a, 3, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_insert_root(&b, 5, OBJ(x), DR, 0), E_OK);
	cr_assert_eq(cap_copy(&b, 5, &a, 6, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(&a, 6, &b, 6, CAP_R_ALL), E_OK);
	/* y: a10 -> a11, a12 */
	cr_assert_eq(cap_insert_root(&a, 10, OBJ(y), CAP_R_ALL, 0), E_OK);
	cr_assert_eq(cap_copy(&a, 10, &a, 11, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_mint(&a, 10, &a, 12, CAP_R_ALL, 1), E_OK);
	kobj_put(OBJ(y));
	TREE_OK(&a, &b);
	cr_expect_eq(cap_count(), caps0 + 11);

	cspace_destroy(&a);
	/* b's capabilities whose ancestors were in a move up to the nearest survivor. */
	EXPECT_CAP(&b, 1, x, DR, 0, NULL);
	EXPECT_CAP(&b, 2, x, DR, 0, SL(&b, 1));
	EXPECT_CAP(&b, 5, x, DR, 0, NULL);
	EXPECT_CAP(&b, 6, x, DR, 0, SL(&b, 5));
	cr_expect_eq(b.used, 4);
	cr_expect_eq(cap_count(), caps0 + 4);
	cr_expect_eq(x->hdr.caps, 4);
	cr_expect_eq(sx->last_cap, 0);
	cr_expect_eq(sy->last_cap, 1);
	cr_expect_eq(sy->destroy, 1);
	cr_expect_lt(sy->last_cap_seq, sy->destroy_seq);
	TREE_OK(&b);

	cspace_destroy(&b);
	cr_expect_eq(sx->last_cap, 1);
	cr_expect_eq(sx->destroy, 0);
	kobj_put(OBJ(x));
	cr_expect_eq(sx->destroy, 1);
	cr_expect_eq(cap_count(), caps0);
	cr_expect_eq(kobj_count(), objs0);
	cr_expect_eq(q.used, 0);
	cr_expect_eq(heap.live, live);
}

Test(cap, find_free_lowest_first)
{
	struct cspace *a = space(8), *b = space(8);
	struct tobj *o = new_obj(OBJ_CSPACE_TEST);
	struct ostat *so = st(o);
	uint32_t d;

	cr_expect_eq(cspace_find_free(a), 1);
	cr_assert_eq(cap_insert_root(a, 1, OBJ(o), DR, 0), E_OK);
	cr_assert_eq(cap_insert_root(a, 3, OBJ(o), DR, 0), E_OK);
	cr_expect_eq(cspace_find_free(a), 2);
	cr_assert_eq(cap_insert_root(a, 2, OBJ(o), DR, 0), E_OK);
	cr_expect_eq(cspace_find_free(a), 4);
	for (uint32_t i = 4; i < 8; i++)
		cr_assert_eq(cap_insert_root(a, i, OBJ(o), DR, 0), E_OK);
	cr_expect_eq(cspace_find_free(a), 0);
	cr_assert_eq(cap_delete(a, 5), E_OK);
	cr_expect_eq(cspace_find_free(a), 5);
	cr_assert_eq(cap_delete(a, 2), E_OK);
	cr_expect_eq(cspace_find_free(a), 2);

	/* Transfer into a full space fails and changes nothing. */
	for (uint32_t i = 1; i < 8; i++)
		cr_assert_eq(cap_insert_root(b, i, OBJ(o), DR, 0), E_OK);
	uint64_t caps = cap_count();
	cr_expect_eq(cap_transfer(a, 1, b, CAP_R_ALL, &d), E_NO_MEMORY);
	cr_expect_eq(cap_count(), caps);
	cr_expect_eq(b->used, 7);
	/* Into a space with one free slot: that one. */
	cr_assert_eq(cap_delete(b, 4), E_OK);
	cr_assert_eq(cap_transfer(a, 1, b, CAP_R_ALL, &d), E_OK);
	cr_expect_eq(d, 4);
	EXPECT_CAP(b, 4, o, DR, 0, SL(a, 1));
	TREE_OK(a, b);
	kobj_put(OBJ(o));
	space_free(a);
	space_free(b);
	cr_expect_eq(so->destroy, 1);
}

/* cap_tree_check catches a broken link or count (else the random test proves little),
 * and a check of some of the spaces does not fail for objects also named in others
 * (cap.h: "no object counts fewer capabilities than these spaces hold"). */
Test(cap, tree_check)
{
	struct cspace *a = space(16), *b = space(16);
	struct tobj *o = new_obj(OBJ_CSPACE_TEST);

	cr_assert_eq(cap_insert_root(a, 1, OBJ(o), DR, 0), E_OK);
	cr_assert_eq(cap_copy(a, 1, a, 2, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(a, 1, a, 3, CAP_R_ALL), E_OK);
	TREE_OK(a, b);

	/* Broken links and counts are caught. */
	struct cap_slot saved = *SL(a, 2);
	SL(a, 2)->parent = SL(a, 3);
	cr_expect_not(cap_tree_check((struct cspace *const[]){ a }, 1), "wrong parent");
	*SL(a, 2) = saved;
	SL(a, 3)->rights |= 1u << 20;
	cr_expect_not(cap_tree_check((struct cspace *const[]){ a }, 1), "rights outside type");
	SL(a, 3)->rights &= ~(1u << 20);
	/* An object counting fewer capabilities than the spaces hold (more may be
	 * named by spaces not checked). */
	o->hdr.caps--;
	cr_expect_not(cap_tree_check((struct cspace *const[]){ a }, 1), "object count");
	o->hdr.caps++;
	a->used++;
	cr_expect_not(cap_tree_check((struct cspace *const[]){ a }, 1), "space count");
	a->used--;
	TREE_OK(a, b);

	/* o is named in a and b: checking b alone (or a alone) is still a success. */
	cr_assert_eq(cap_copy(a, 1, b, 1, CAP_R_ALL), E_OK);
	TREE_OK(a, b);
	cr_expect(cap_tree_check((struct cspace *const[]){ b }, 1),
		  "cap_tree_check(b) fails although b is sound (o is also named in a)");
	cr_expect(cap_tree_check((struct cspace *const[]){ a }, 1),
		  "cap_tree_check(a) fails although a is sound (o is also named in b)");

	kobj_put(OBJ(o));
	space_free(a);
	space_free(b);
}

/* Trees many times CAP_REVOKE_BATCH: wide, deep, and deep across two spaces. */
Test(cap, large_trees)
{
	const uint32_t n = 4096;
	struct cspace *a = space(n), *b = space(n);
	struct tobj *o = new_obj(OBJ_CSPACE_TEST);
	struct ostat *so = st(o);

	/* Wide: 1 -> 2..2000. */
	cr_assert_eq(cap_insert_root(a, 1, OBJ(o), DR, 0), E_OK);
	for (uint32_t i = 2; i <= 2000; i++)
		cr_assert_eq(cap_copy(a, 1, a, i, CAP_R_ALL), E_OK);
	/* Deep: 2001 -> 2002 -> ... -> 4095. */
	cr_assert_eq(cap_insert_root(a, 2001, OBJ(o), DR, 0), E_OK);
	for (uint32_t i = 2002; i < n; i++)
		cr_assert_eq(cap_copy(a, i - 1, a, i, CAP_R_ALL), E_OK);
	TREE_OK(a, b);
	cr_expect_eq(cap_count(), n - 1);
	cr_assert_eq(cap_revoke(a, 1), E_OK);
	cr_expect_eq(a->used, 1 + (n - 2001));
	cr_assert_eq(cap_revoke(a, 2001), E_OK);
	cr_expect_eq(a->used, 2);
	cr_expect_eq(o->hdr.caps, 2);
	cr_expect_eq(o->hdr.refs, 3);
	cr_expect_eq(so->last_cap, 0);
	TREE_OK(a, b);
	cr_assert_eq(cap_delete(a, 2001), E_OK);

	/* Deep across two spaces: a1 -> b1 -> a2 -> b2 -> ... */
	for (uint32_t i = 1; i < n - 1; i++) {
		cr_assert_eq(cap_copy(a, i, b, i, CAP_R_ALL), E_OK);
		cr_assert_eq(cap_copy(b, i, a, i + 1, CAP_R_ALL), E_OK);
	}
	TREE_OK(a, b);
	/* Deleting from the middle: the child moves up. */
	cr_assert_eq(cap_delete(b, 100), E_OK);
	EXPECT_CAP(a, 101, o, DR, 0, SL(a, 100));
	TREE_OK(a, b);
	/* Revoke from a point deep in the chain. */
	cr_assert_eq(cap_revoke(a, 2000), E_OK);
	cr_expect_eq(cap_count(), 2000 + 1999 - 1);
	TREE_OK(a, b);
	/* Destroying a deep space: b's caps all go, a's chain closes up. */
	space_free(b);
	cr_expect_eq(cap_count(), 2000);
	for (uint32_t i = 2; i <= 2000; i++)
		cr_assert_eq(SL(a, i)->parent, SL(a, i - 1), "slot %u", i);
	TREE_OK(a);
	cr_expect_eq(so->last_cap, 0);
	kobj_put(OBJ(o));
	cr_assert_eq(cap_revoke(a, 1), E_OK);
	cr_expect_eq(cap_count(), 1);
	space_free(a);
	cr_expect_eq(so->last_cap, 1);
	cr_expect_eq(so->destroy, 1);
	cr_expect_eq(cap_count(), 0);
	cr_expect_eq(kobj_count(), 0);
}

/* ---------------------------------------------------------------------------------------
 * Capabilities the kernel holds (cap_hold, cap_unhold, the revoked hook)
 * ------------------------------------------------------------------------------------- */

/* A held capability as a mapping record would embed it. The hook records what it saw
 * and, when asked to, frees the record: cap.c must not touch it afterwards (ASan). */
struct hrec {
	struct cap_held h;
	uint32_t revoked;               /* hook calls */
	uint64_t seq;                   /* event number of the hook */
	bool empty_in_hook;             /* the slot was already empty when the hook ran */
	bool free_in_hook;
	uint32_t *freed_count;          /* with free_in_hook: counts hooks of freed records */
};

static void h_revoked(struct cap_held *h)
{
	struct hrec *r = (struct hrec *)h;

	r->revoked++;
	r->seq = ++event_seq;
	r->empty_in_hook = h->slot.obj == NULL && h->slot.parent == NULL;
	(void)cspace_find_free(&probe);         /* takes cap_lock: it must not be held */
	if (r->free_in_hook) {
		(*r->freed_count)++;
		memset(r, 0x6b, sizeof(*r));
		free(r);
	}
}

static struct hrec *hrec_new(void)
{
	struct hrec *r = calloc(1, sizeof(*r));

	cr_assert(r);
	return r;
}

#define HOLD(cs, i, o, rights, r) cap_hold(cs, i, OBJ(o), rights, &(r)->h, h_revoked)

Test(cap, hold_errors_change_nothing)
{
	struct cspace *a = space(16);
	struct tobj *o = new_obj(OBJ_MEMORY), *other = new_obj(OBJ_MEMORY);
	struct hrec *r = hrec_new();
	const uint32_t rw = CAP_R_READ | CAP_R_WRITE;

	cr_assert_eq(cap_insert_root(a, 1, OBJ(o), rw, 0), E_OK);
	cr_assert_eq(cap_insert_root(a, 2, OBJ(other), CAP_R_ALL, 0), E_OK);
	uint64_t caps = cap_count();
	uint32_t orefs = o->hdr.refs;
	cr_expect_eq(HOLD(a, 0, o, CAP_R_READ, r), E_RANGE);
	cr_expect_eq(HOLD(a, 16, o, CAP_R_READ, r), E_RANGE);
	cr_expect_eq(HOLD(a, UINT32_MAX, o, CAP_R_READ, r), E_RANGE);
	cr_expect_eq(HOLD(a, 3, o, CAP_R_READ, r), E_NOT_FOUND);
	/* The slot now names another object than the caller checked. */
	cr_expect_eq(HOLD(a, 2, o, CAP_R_READ, r), E_NOT_FOUND);
	cr_expect_eq(HOLD(a, 1, o, CAP_R_READ | CAP_R_EXEC, r), E_PERM);
	cr_expect_eq(HOLD(a, 1, o, CAP_R_DERIVE, r), E_PERM);
	cr_expect_null(r->h.slot.obj);
	cr_expect_eq(cap_count(), caps);
	cr_expect_eq(cap_held_count(), 0);
	cr_expect_eq(o->hdr.caps, 1);
	cr_expect_eq(o->hdr.refs, orefs);
	cr_expect_eq(r->revoked, 0);
	TREE_OK(a);
	cr_expect_not(cap_unhold(&r->h), "unhold of a capability never held");

	kobj_put(OBJ(o));
	kobj_put(OBJ(other));
	space_free(a);
	free(r);
	cr_expect_eq(kobj_count(), 0);
}

Test(cap, hold_is_a_child_outside_every_space)
{
	struct cspace *a = space(16);
	struct tobj *n = new_obj(OBJ_NOTIFICATION);
	struct ostat *sn = st(n);
	struct hrec *r = hrec_new();

	/* No DERIVE on the source: holding is using, not giving away. */
	cr_assert_eq(cap_insert_root(a, 1, OBJ(n), CAP_R_ALL, 0), E_OK);
	cr_assert_eq(cap_mint(a, 1, a, 2, CAP_R_SIGNAL | CAP_R_WAIT, 0x77), E_OK);
	kobj_put(OBJ(n));
	uint64_t caps = cap_count();
	uint32_t used = a->used;
	cr_assert_eq(HOLD(a, 2, n, CAP_R_SIGNAL, r), E_OK);
	cr_expect_eq(r->h.slot.obj, OBJ(n));
	cr_expect_eq(r->h.slot.rights, CAP_R_SIGNAL, "exactly the rights asked for");
	cr_expect_eq(r->h.slot.type, OBJ_NOTIFICATION);
	cr_expect_eq(r->h.slot.badge, 0x77, "the badge is kept");
	cr_expect_eq(r->h.slot.parent, SL(a, 2));
	cr_expect_eq(SL(a, 2)->first_child, &r->h.slot);
	cr_expect_neq(r->h.slot.owner, a);
	cr_expect_eq(a->used, used, "a held capability takes no slot of a space");
	cr_expect_eq(cap_count(), caps + 1);
	cr_expect_eq(cap_held_count(), 1);
	cr_expect_eq(n->hdr.caps, 3);
	cr_expect_eq(n->hdr.refs, 3);
	cr_expect_eq(cspace_find_free(a), 3);
	TREE_OK(a);
	/* Nothing can be derived from it: no space names it; a copy of its parent is a
	 * sibling. */
	cr_assert_eq(cap_copy(a, 1, a, 3, CAP_R_ALL), E_OK);
	TREE_OK(a);

	/* Let go: the caller's teardown, not the hook; a second time finds nothing. */
	cr_expect(cap_unhold(&r->h));
	cr_expect_eq(r->revoked, 0, "the hook ran for a capability its holder let go");
	cr_expect_null(r->h.slot.obj);
	cr_expect_eq(cap_held_count(), 0);
	cr_expect_eq(cap_count(), caps + 1);    /* slot 3's copy */
	cr_expect_eq(n->hdr.caps, 3);
	cr_expect_not(cap_unhold(&r->h));
	TREE_OK(a);
	/* The record can be used again. */
	cr_assert_eq(HOLD(a, 1, n, CAP_R_WAIT, r), E_OK);
	cr_expect_eq(r->h.slot.parent, SL(a, 1));
	TREE_OK(a);
	cr_expect(cap_unhold(&r->h));
	cr_expect_eq(sn->last_cap, 0);
	space_free(a);
	cr_expect_eq(sn->destroy, 1);
	free(r);
}

/* A root held capability (what the ELF loader holds for a program's segments): no
 * parent, so no revoke or delete anywhere reaches it; only cap_unhold ends it, and the
 * object lives until then. */
Test(cap, hold_root_is_reached_by_no_revoke)
{
	struct cspace *a = space(16);
	struct tobj *o = new_obj(OBJ_MEMORY);
	struct ostat *so = st(o);
	struct hrec *r = hrec_new();
	uint64_t caps = cap_count();

	cr_assert_eq(cap_insert_root(a, 1, OBJ(o), CAP_R_ALL, 0), E_OK);
	cap_hold_root(OBJ(o), CAP_R_READ | CAP_R_EXEC | (1u << 30), &r->h, h_revoked);
	cr_expect_eq(r->h.slot.obj, OBJ(o));
	cr_expect_eq(r->h.slot.rights, CAP_R_READ | CAP_R_EXEC, "masked to the type's");
	cr_expect_null(r->h.slot.parent);
	cr_expect_null(SL(a, 1)->first_child);
	cr_expect_eq(cap_held_count(), 1);
	cr_expect_eq(cap_count(), caps + 2);
	cr_expect_eq(o->hdr.caps, 2);
	TREE_OK(a);
	cr_expect_eq(cap_revoke(a, 1), E_OK);
	cr_expect_eq(cap_delete(a, 1), E_OK);
	kobj_put(OBJ(o));
	cr_expect_eq(r->revoked, 0);
	cr_expect_eq(r->h.slot.obj, OBJ(o));
	cr_expect_eq(so->last_cap, 0);
	cr_expect_eq(so->destroy, 0, "the held capability keeps the object");
	cr_expect(cap_unhold(&r->h));
	cr_expect_eq(r->revoked, 0);
	cr_expect_eq(cap_held_count(), 0);
	cr_expect_eq(cap_count(), caps);
	cr_expect_eq(so->last_cap, 1);
	cr_expect_eq(so->destroy, 1);
	space_free(a);
	free(r);
}

Test(cap, revoke_runs_each_held_hook_once_after_the_lock)
{
	struct cspace *a = space(16), *b = space(16);
	struct tobj *o = new_obj(OBJ_MEMORY);
	struct ostat *so = st(o);
	struct hrec *r1 = hrec_new(), *r2 = hrec_new(), *r3 = hrec_new();
	uint32_t freed = 0;

	/* a1 -> b1 -> r1 (freed by its hook), a1 -> r2, b1 -> b2 -> r3 */
	cr_assert_eq(cap_insert_root(a, 1, OBJ(o), CAP_R_ALL, 0), E_OK);
	cr_assert_eq(cap_copy(a, 1, b, 1, CAP_R_ALL), E_OK);
	cr_assert_eq(cap_copy(b, 1, b, 2, CAP_R_ALL), E_OK);
	cr_assert_eq(HOLD(b, 1, o, CAP_R_READ, r1), E_OK);
	cr_assert_eq(HOLD(a, 1, o, CAP_R_READ | CAP_R_WRITE, r2), E_OK);
	cr_assert_eq(HOLD(b, 2, o, CAP_R_EXEC, r3), E_OK);
	kobj_put(OBJ(o));
	r1->free_in_hook = true;
	r1->freed_count = &freed;
	cr_expect_eq(cap_held_count(), 3);
	TREE_OK(a, b);

	/* Revoking b1 reaches r1 and, through b2, r3; not r2. */
	cr_assert_eq(cap_revoke(b, 1), E_OK);
	cr_expect_eq(freed, 1);
	cr_expect_eq(r3->revoked, 1);
	cr_expect(r3->empty_in_hook);
	cr_expect_eq(r2->revoked, 0);
	cr_expect_not_null(r2->h.slot.obj);
	cr_expect_eq(cap_held_count(), 1);
	cr_expect_not(cap_unhold(&r3->h), "a revoked capability was let go again");
	cr_expect_eq(r3->revoked, 1);
	TREE_OK(a, b);

	/* Revoking the root reaches the rest; the object lives on in a1. */
	cr_assert_eq(cap_revoke(a, 1), E_OK);
	cr_expect_eq(r2->revoked, 1);
	cr_expect(r2->empty_in_hook);
	cr_expect_eq(cap_held_count(), 0);
	cr_expect_eq(so->last_cap, 0);
	cr_expect_eq(o->hdr.caps, 1);
	cr_expect_eq(o->hdr.refs, 1);
	cr_expect_eq(cap_count(), 1);
	TREE_OK(a, b);
	space_free(a);
	space_free(b);
	cr_expect_eq(so->destroy, 1);
	cr_expect_lt(r2->seq, so->last_cap_seq);
	free(r2);
	free(r3);
}

/* cap_delete, cap_move and cspace_destroy treat a held child like any other child. */
Test(cap, held_children_move_up_and_follow_moves)
{
	struct cspace *a = space(16), *b = space(16);
	struct tobj *o = new_obj(OBJ_MEMORY);
	struct ostat *so = st(o);
	struct hrec *r = hrec_new(), *r2 = hrec_new();

	cr_assert_eq(cap_insert_root(a, 1, OBJ(o), CAP_R_ALL, 0), E_OK);
	cr_assert_eq(cap_copy(a, 1, b, 1, CAP_R_ALL), E_OK);
	cr_assert_eq(HOLD(b, 1, o, CAP_R_READ, r), E_OK);
	kobj_put(OBJ(o));

	cr_assert_eq(cap_move(b, 1, b, 5), E_OK);
	cr_expect_eq(r->h.slot.parent, SL(b, 5));
	TREE_OK(a, b);
	cr_assert_eq(cap_delete(b, 5), E_OK);
	cr_expect_eq(r->revoked, 0, "a delete of its parent is no revoke");
	cr_expect_eq(r->h.slot.parent, SL(a, 1), "the held child moved up");
	TREE_OK(a, b);
	cr_assert_eq(cap_revoke(a, 1), E_OK);
	cr_expect_eq(r->revoked, 1, "a revoke of the new parent reaches it");

	/* Destroying the parent's space moves the held child up too. */
	r->revoked = 0;
	cr_assert_eq(cap_copy(a, 1, b, 2, CAP_R_ALL), E_OK);
	cr_assert_eq(HOLD(b, 2, o, CAP_R_READ, r), E_OK);
	space_free(b);
	cr_expect_eq(r->h.slot.parent, SL(a, 1));
	TREE_OK(a);

	/* Deleting the root leaves the held capability a root, which only its holder can
	 * let go of; if it was the last capability, last_cap runs then. */
	cr_assert_eq(HOLD(a, 1, o, CAP_R_WRITE, r2), E_OK);
	cr_assert_eq(cap_delete(a, 1), E_OK);
	cr_expect_null(r->h.slot.parent);
	cr_expect_null(r2->h.slot.parent);
	cr_expect_eq(o->hdr.caps, 2);
	cr_expect_eq(cap_held_count(), 2);
	cr_expect_eq(so->last_cap, 0);
	TREE_OK(a);
	cr_expect(cap_unhold(&r->h));
	cr_expect_eq(so->last_cap, 0);
	cr_expect(cap_unhold(&r2->h));
	cr_expect_eq(so->last_cap, 1);
	cr_expect_eq(so->destroy, 1);
	cr_expect_eq(r->revoked + r2->revoked, 0);
	cr_expect_eq(cap_count(), 0);
	space_free(a);
	free(r);
	free(r2);
}

/* Far more held capabilities than one revoke batch, in a wide and a deep tree. */
Test(cap, revoke_many_held)
{
	const uint32_t n = 1000;
	struct cspace *a = space(512);
	struct tobj *o = new_obj(OBJ_MEMORY);
	struct ostat *so = st(o);
	uint32_t freed = 0;

	cr_assert_eq(cap_insert_root(a, 1, OBJ(o), CAP_R_ALL, 0), E_OK);
	for (uint32_t i = 2; i < 512; i++)
		cr_assert_eq(cap_copy(a, i - 1, a, i, CAP_R_ALL), E_OK);       /* deep */
	for (uint32_t i = 0; i < n; i++) {
		struct hrec *r = hrec_new();
		r->free_in_hook = true;
		r->freed_count = &freed;
		cr_assert_eq(HOLD(a, 1 + i % 511, o, CAP_R_READ, r), E_OK);
	}
	cr_expect_eq(cap_held_count(), n);
	TREE_OK(a);
	cr_assert_eq(cap_revoke(a, 1), E_OK);
	cr_expect_eq(freed, n);
	cr_expect_eq(cap_held_count(), 0);
	cr_expect_eq(cap_count(), 1);
	cr_expect_eq(o->hdr.refs, 2);
	TREE_OK(a);
	kobj_put(OBJ(o));
	space_free(a);
	cr_expect_eq(so->destroy, 1);
}

Test(cap, tree_check_sees_held_children)
{
	struct cspace *a = space(16);
	struct tobj *o = new_obj(OBJ_MEMORY);
	struct hrec *r = hrec_new();

	cr_assert_eq(cap_insert_root(a, 1, OBJ(o), CAP_R_READ | CAP_R_WRITE, 0), E_OK);
	cr_assert_eq(cap_insert_root(a, 2, OBJ(o), CAP_R_READ, 0), E_OK);
	cr_assert_eq(HOLD(a, 1, o, CAP_R_READ, r), E_OK);
	TREE_OK(a);
	r->h.slot.rights |= CAP_R_EXEC;
	cr_expect_not(cap_tree_check((struct cspace *const[]){ a }, 1),
		      "held child with rights its parent lacks");
	r->h.slot.rights &= ~CAP_R_EXEC;
	r->h.slot.first_child = SL(a, 2);
	cr_expect_not(cap_tree_check((struct cspace *const[]){ a }, 1), "held child with a child");
	r->h.slot.first_child = NULL;
	TREE_OK(a);
	cr_expect(cap_unhold(&r->h));
	kobj_put(OBJ(o));
	space_free(a);
	free(r);
}

/* ---------------------------------------------------------------------------------------
 * Random operations against a model
 *
 * Four spaces; up to RO live objects (test, endpoint and notification types). The model
 * keeps, per slot, whether it is occupied, the object's serial, rights, badge and the
 * parent's slot id (space * nslots + slot, or -1), and per object its capability count,
 * whether the test holds its creator reference, and how many last_cap calls it must
 * have had. Every operation's result must be one the model allows (when several errors
 * apply at once cap.h does not say which wins, so any of them), and after every
 * operation every slot, parent link, counter and callback count is compared.
 * ------------------------------------------------------------------------------------- */

#define RS      4
#define RO      20
#define NONE    UINT32_MAX

struct mslot {
	bool occ;
	uint32_t serial, rights, type;
	uint64_t badge;
	int parent;             /* slot id, or -1 */
};

static struct {
	struct cspace cs[RS];
	struct cspace *ptr[RS];
	bool gone[RS];          /* destroyed (at the end) */
	uint32_t n;             /* slots per space */
	struct mslot *m;        /* RS * n */
	uint32_t entry[RO];     /* live objects' serials, or NONE */
	uint32_t dead[RO * 4];  /* serials destroyed by the current operation */
	uint32_t ndead;
	uint64_t rng;
	uint64_t op;
	uint64_t ok[10];        /* successful operations per kind */
	uint64_t revoked, max_revoked;  /* descendants revoked: in all, at once */
	uint64_t caps0, objs0;
	struct quota q;
	char log[32][200];      /* the latest operations, for failure reports */
} R;

static void dump_log(void)
{
	if (!R.n)
		return;
	fprintf(stderr, "cap random test: last operations before op %lu:\n",
		(unsigned long)R.op);
	for (uint64_t k = R.op > 31 ? R.op - 31 : 0; k <= R.op; k++)
		fprintf(stderr, "  %s\n", R.log[k % 32]);
}

#define LOG(...) snprintf(R.log[R.op % 32], sizeof(R.log[0]), __VA_ARGS__)
#define CHECK(cond, ...) do { \
		if (!(cond)) { \
			dump_log(); \
			cr_assert_fail(__VA_ARGS__); \
		} \
	} while (0)

static uint64_t rnd(void)
{
	/* xorshift64* */
	R.rng ^= R.rng >> 12;
	R.rng ^= R.rng << 25;
	R.rng ^= R.rng >> 27;
	return R.rng * 0x2545f4914f6cdd1dull;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static int gid(uint32_t s, uint32_t i)
{
	return (int)(s * R.n + i);
}

static bool in_range(uint32_t i)
{
	return i >= 1 && i < R.n;
}

static struct mslot *ms(uint32_t s, uint32_t i)
{
	return &R.m[gid(s, i)];
}

static struct cap_slot *real_slot(int g)
{
	return &R.cs[g / R.n].slots[g % R.n];
}

/* Rights or a mask: usually with DERIVE and GRANT, sometimes random. */
static uint32_t rnd_rights(void)
{
	uint32_t r = (uint32_t)rnd();

	if (below(8))
		r |= CAP_R_DERIVE | CAP_R_GRANT;
	return r;
}

/* A slot: sometimes 0 or out of range (in a random space), mostly one that is
 * (want_occ) or is not occupied, picked among all spaces, when there is one. */
static uint32_t rnd_slot(uint32_t *s, bool want_occ)
{
	uint32_t r = below(100);

	*s = below(RS);
	if (r < 2)
		return 0;
	if (r < 3)
		return R.n;
	if (r < 4)
		return below(2) ? UINT32_MAX : R.n + below(1000);
	if (r < 90) {
		uint32_t total = RS * (R.n - 1), start = below(total);
		for (uint32_t k = 0; k < total; k++) {
			uint32_t x = (start + k) % total;
			uint32_t sp = x / (R.n - 1), i = 1 + x % (R.n - 1);
			if (ms(sp, i)->occ == want_occ) {
				*s = sp;
				return i;
			}
		}
	}
	return 1 + below(R.n - 1);
}

/* An object's capability goes, in the model. */
static void model_cap_gone(uint32_t serial)
{
	struct ostat *o = &ost[serial];

	o->m_caps--;
	if (o->m_caps == 0) {
		o->m_last_caps++;
		if (!o->m_held)
			o->m_alive = false;
	}
}

/* Delete slot g in the model: its children move up to its parent. */
static void model_delete(int g)
{
	struct mslot *d = &R.m[g];

	for (uint32_t h = 0; h < RS * R.n; h++)
		if (R.m[h].occ && R.m[h].parent == g)
			R.m[h].parent = d->parent;
	d->occ = false;
	model_cap_gone(d->serial);
}

/* mark[h] = 1 for every descendant h of g (g itself excluded). */
static void model_descendants(int g, uint8_t *mark)
{
	/* 0 unknown, 1 descendant, 2 not */
	uint32_t total = RS * R.n;

	memset(mark, 0, total);
	mark[g] = 2;
	for (uint32_t h = 0; h < total; h++) {
		if (!R.m[h].occ || mark[h])
			continue;
		/* Walk up to g, a root or a known node, then fill the path in. */
		int x = (int)h;
		uint8_t verdict;
		for (;;) {
			int p = R.m[x].parent;
			if (p < 0) {
				verdict = 2;
				break;
			}
			if (p == g) {
				verdict = 1;
				break;
			}
			if (mark[p]) {
				verdict = mark[p];
				break;
			}
			x = p;
		}
		for (x = (int)h; x != g && x >= 0 && !mark[x]; x = R.m[x].parent)
			mark[x] = verdict;
	}
	mark[g] = 0;
	for (uint32_t h = 0; h < total; h++)
		if (mark[h] != 1)
			mark[h] = 0;
}

/* The object of an entry's death is expected now: check it happened. */
static void note_deaths(void)
{
	for (uint32_t k = 0; k < RO; k++) {
		uint32_t sn = R.entry[k];
		if (sn != NONE && !ost[sn].m_alive) {
			R.dead[R.ndead++] = sn;
			R.entry[k] = NONE;
		}
	}
}

#define E(x)    (1u << (x))

static void expect_rc(const char *what, kerr_t rc, uint32_t errs)
{
	if (errs == 0)
		CHECK(rc == E_OK, "op %lu %s: %s, expected ok", (unsigned long)R.op, what,
		      kerr_name(rc));
	else
		CHECK(rc != E_OK && (errs & E(rc)), "op %lu %s: %s, expected one of %#x",
		      (unsigned long)R.op, what, kerr_name(rc), errs);
}

/* Compare everything with the model. */
static void check_all(void)
{
	uint64_t total = 0;
	uint32_t alive = 0;

	for (uint32_t s = 0; s < RS; s++) {
		if (R.gone[s])
			continue;
		struct cspace *cs = &R.cs[s];
		uint32_t used = 0;
		CHECK(cs->slots[0].obj == NULL, "op %lu: slot 0 of space %u occupied",
		      (unsigned long)R.op, s);
		for (uint32_t i = 1; i < R.n; i++) {
			struct mslot *m = ms(s, i);
			struct cap_slot *r = &cs->slots[i];
			if (!m->occ) {
				CHECK(r->obj == NULL, "op %lu: %u:%u should be empty, holds %p",
				      (unsigned long)R.op, s, i, (void *)r->obj);
				continue;
			}
			used++;
			CHECK(r->obj == &ost[m->serial].p->hdr,
			      "op %lu: %u:%u holds %p, expected object %u", (unsigned long)R.op,
			      s, i, (void *)r->obj, m->serial);
			CHECK(r->rights == m->rights && r->type == m->type && r->badge == m->badge,
			      "op %lu: %u:%u rights %#x type %u badge %#lx, expected %#x %u %#lx",
			      (unsigned long)R.op, s, i, r->rights, r->type,
			      (unsigned long)r->badge, m->rights, m->type,
			      (unsigned long)m->badge);
			struct cap_slot *want = m->parent < 0 ? NULL : real_slot(m->parent);
			CHECK(r->parent == want, "op %lu: %u:%u parent %p, expected %d:%d",
			      (unsigned long)R.op, s, i, (void *)r->parent,
			      m->parent < 0 ? -1 : m->parent / (int)R.n,
			      m->parent < 0 ? -1 : m->parent % (int)R.n);
			CHECK(r->owner == cs, "op %lu: %u:%u owner", (unsigned long)R.op, s, i);
		}
		CHECK(cs->used == used, "op %lu: space %u used %u, expected %u",
		      (unsigned long)R.op, s, cs->used, used);
		for (uint32_t i = 1; i < cs->hint && i < R.n; i++)
			CHECK(ms(s, i)->occ, "op %lu: space %u hint %u but slot %u is empty",
			      (unsigned long)R.op, s, cs->hint, i);
		total += used;
	}
	/* The spaces not yet destroyed are contiguous at the end of R.ptr. */
	uint32_t first = 0;
	while (first < RS && R.gone[first])
		first++;
	CHECK(cap_tree_check(R.ptr + first, RS - first), "op %lu: cap_tree_check failed",
	      (unsigned long)R.op);

	for (uint32_t k = 0; k < RO; k++) {
		uint32_t sn = R.entry[k];
		if (sn == NONE)
			continue;
		struct ostat *o = &ost[sn];
		alive++;
		CHECK(o->destroy == 0, "op %lu: object %u destroyed early", (unsigned long)R.op,
		      sn);
		CHECK(o->p->hdr.caps == o->m_caps, "op %lu: object %u caps %u, expected %u",
		      (unsigned long)R.op, sn, o->p->hdr.caps, o->m_caps);
		CHECK(o->p->hdr.refs == o->m_caps + o->m_held,
		      "op %lu: object %u refs %u, expected %u", (unsigned long)R.op, sn,
		      o->p->hdr.refs, o->m_caps + o->m_held);
		CHECK(o->last_cap == o->m_last_caps,
		      "op %lu: object %u had %u last_cap calls, expected %u",
		      (unsigned long)R.op, sn, o->last_cap, o->m_last_caps);
	}
	for (uint32_t k = 0; k < R.ndead; k++) {
		struct ostat *o = &ost[R.dead[k]];
		CHECK(o->destroy == 1, "op %lu: object %u destroyed %u times, expected once",
		      (unsigned long)R.op, R.dead[k], o->destroy);
		CHECK(o->last_cap == o->m_last_caps,
		      "op %lu: dead object %u had %u last_cap calls, expected %u",
		      (unsigned long)R.op, R.dead[k], o->last_cap, o->m_last_caps);
		CHECK(o->m_last_caps == 0 || o->last_cap_seq < o->destroy_seq,
		      "op %lu: object %u destroyed before its last_cap", (unsigned long)R.op,
		      R.dead[k]);
	}
	R.ndead = 0;
	CHECK(cap_count() == R.caps0 + total, "op %lu: cap_count %lu, expected %lu",
	      (unsigned long)R.op, (unsigned long)cap_count(),
	      (unsigned long)(R.caps0 + total));
	CHECK(kobj_count() == R.objs0 + alive, "op %lu: kobj_count %lu, expected %lu",
	      (unsigned long)R.op, (unsigned long)kobj_count(),
	      (unsigned long)(R.objs0 + alive));

	/* find_free on one space: the lowest empty slot. */
	uint32_t s = below(RS);
	if (!R.gone[s]) {
		uint32_t want = 0;
		for (uint32_t i = 1; i < R.n && !want; i++)
			if (!ms(s, i)->occ)
				want = i;
		uint32_t got = cspace_find_free(&R.cs[s]);
		CHECK(got == want, "op %lu: find_free(space %u) = %u, expected %u",
		      (unsigned long)R.op, s, got, want);
	}
}

static const enum obj_type rtypes[3] = { OBJ_CSPACE_TEST, OBJ_ENDPOINT, OBJ_NOTIFICATION };

static bool badgeable(uint32_t type)
{
	return type == OBJ_ENDPOINT || type == OBJ_NOTIFICATION;
}

static void op_insert(void)
{
	uint32_t k = below(RO);

	if (R.entry[k] == NONE) {
		struct tobj *t = new_obj(rtypes[k % 3]);
		ost[t->serial].m_alive = true;
		ost[t->serial].m_held = true;
		R.entry[k] = t->serial;
	}
	struct ostat *o = &ost[R.entry[k]];
	uint32_t s, i = rnd_slot(&s, false);
	uint32_t rights = rnd_rights();
	uint64_t badge = badgeable(o->type) && below(3) == 0 ? (rnd() | 1) : 0;
	uint32_t errs = !in_range(i) ? E(E_RANGE) : ms(s, i)->occ ? E(E_EXISTS) : 0;

	LOG("op %lu: insert_root(%u:%u, obj %u type %u, rights %#x, badge %#lx)",
	    (unsigned long)R.op, s, i, o->p->serial, o->type, rights, (unsigned long)badge);
	kerr_t rc = cap_insert_root(&R.cs[s], i, &o->p->hdr, rights, badge);
	expect_rc("insert_root", rc, errs);
	if (rc != E_OK)
		return;
	*ms(s, i) = (struct mslot){ .occ = true, .serial = o->p->serial,
				    .rights = rights & cap_type_rights(o->type),
				    .type = o->type, .badge = badge, .parent = -1 };
	o->m_caps++;
	/* Sometimes leave the object to its capabilities alone. */
	if (o->m_held && below(3) == 0) {
		o->m_held = false;
		kobj_put(&o->p->hdr);
	}
}

/* Drop the creator's reference: an object without capabilities is destroyed. */
static void op_drop(void)
{
	uint32_t k = below(RO);

	if (R.entry[k] == NONE || !ost[R.entry[k]].m_held) {
		LOG("op %lu: (nothing to drop)", (unsigned long)R.op);
		return;
	}
	struct ostat *o = &ost[R.entry[k]];
	LOG("op %lu: kobj_put(obj %u) caps %u", (unsigned long)R.op, o->p->serial, o->m_caps);
	o->m_held = false;
	if (o->m_caps == 0)
		o->m_alive = false;
	kobj_put(&o->p->hdr);
}

/* copy (badge 0, !mint) or mint. */
static void op_derive(bool mint)
{
	uint32_t s1, i1 = rnd_slot(&s1, true);
	uint32_t s2, i2 = rnd_slot(&s2, false);
	uint32_t mask = rnd_rights();
	uint64_t badge = rnd() | 1;
	uint32_t errs = 0;
	struct mslot *src = in_range(i1) ? ms(s1, i1) : NULL;

	if (!in_range(i1) || !in_range(i2))
		errs |= E(E_RANGE);
	if (src && !src->occ)
		errs |= E(E_NOT_FOUND);
	if (src && src->occ && !(src->rights & CAP_R_DERIVE))
		errs |= E(E_PERM);
	if (src && src->occ && mint && (!badgeable(src->type) || src->badge != 0))
		errs |= E(E_INVAL);
	if (in_range(i2) && ms(s2, i2)->occ)
		errs |= E(E_EXISTS);

	kerr_t rc;
	if (mint) {
		LOG("op %lu: mint(%u:%u -> %u:%u, mask %#x, badge %#lx)", (unsigned long)R.op,
		    s1, i1, s2, i2, mask, (unsigned long)badge);
		rc = cap_mint(&R.cs[s1], i1, &R.cs[s2], i2, mask, badge);
	} else {
		LOG("op %lu: copy(%u:%u -> %u:%u, mask %#x)", (unsigned long)R.op, s1, i1, s2,
		    i2, mask);
		rc = cap_copy(&R.cs[s1], i1, &R.cs[s2], i2, mask);
	}
	expect_rc(mint ? "mint" : "copy", rc, errs);
	if (rc != E_OK)
		return;
	*ms(s2, i2) = (struct mslot){ .occ = true, .serial = src->serial,
				      .rights = src->rights & mask, .type = src->type,
				      .badge = mint ? badge : src->badge,
				      .parent = gid(s1, i1) };
	ost[src->serial].m_caps++;
}

static void op_transfer(void)
{
	uint32_t s1, i1 = rnd_slot(&s1, true), s2 = below(RS);
	uint32_t mask = rnd_rights();
	uint32_t errs = 0, d = 0;
	struct mslot *src = in_range(i1) ? ms(s1, i1) : NULL;
	bool full = true;

	for (uint32_t i = 1; i < R.n; i++)
		if (!ms(s2, i)->occ)
			full = false;
	if (!in_range(i1))
		errs |= E(E_RANGE);
	if (src && !src->occ)
		errs |= E(E_NOT_FOUND);
	if (src && src->occ && !(src->rights & CAP_R_GRANT))
		errs |= E(E_PERM);
	if (full)
		errs |= E(E_NO_MEMORY); /* dst has no free slot */

	LOG("op %lu: transfer(%u:%u -> space %u, mask %#x)%s", (unsigned long)R.op, s1, i1,
	    s2, mask, full ? " (full)" : "");
	kerr_t rc = cap_transfer(&R.cs[s1], i1, &R.cs[s2], mask, &d);
	expect_rc("transfer", rc, errs);
	if (rc != E_OK)
		return;
	CHECK(in_range(d) && !ms(s2, d)->occ, "op %lu: transfer into %u:%u, not a free slot",
	      (unsigned long)R.op, s2, d);
	*ms(s2, d) = (struct mslot){ .occ = true, .serial = src->serial,
				     .rights = src->rights & mask, .type = src->type,
				     .badge = src->badge, .parent = gid(s1, i1) };
	ost[src->serial].m_caps++;
}

static void op_move(void)
{
	uint32_t s1, i1 = rnd_slot(&s1, true);
	uint32_t s2, i2 = rnd_slot(&s2, false);
	uint32_t errs = 0;

	if (s1 == s2 && i1 == i2 && in_range(i1)) {
		/* Onto itself: left out (the header says only "to an empty slot"). */
		LOG("op %lu: (move onto itself skipped)", (unsigned long)R.op);
		return;
	}
	if (!in_range(i1) || !in_range(i2))
		errs |= E(E_RANGE);
	if (in_range(i1) && !ms(s1, i1)->occ)
		errs |= E(E_NOT_FOUND);
	if (in_range(i2) && ms(s2, i2)->occ)
		errs |= E(E_EXISTS);
	LOG("op %lu: move(%u:%u -> %u:%u)", (unsigned long)R.op, s1, i1, s2, i2);
	kerr_t rc = cap_move(&R.cs[s1], i1, &R.cs[s2], i2);
	expect_rc("move", rc, errs);
	if (rc != E_OK)
		return;
	int from = gid(s1, i1), to = gid(s2, i2);
	R.m[to] = R.m[from];
	R.m[from].occ = false;
	for (uint32_t h = 0; h < RS * R.n; h++)
		if (R.m[h].occ && R.m[h].parent == from)
			R.m[h].parent = to;
}

static void op_delete(void)
{
	uint32_t s, i = rnd_slot(&s, true);
	uint32_t errs = !in_range(i) ? E(E_RANGE) : !ms(s, i)->occ ? E(E_NOT_FOUND) : 0;

	LOG("op %lu: delete(%u:%u)", (unsigned long)R.op, s, i);
	kerr_t rc = cap_delete(&R.cs[s], i);
	expect_rc("delete", rc, errs);
	if (rc == E_OK)
		model_delete(gid(s, i));
}

static void op_revoke(void)
{
	static uint8_t mark[RS * 65536];
	uint32_t s, i = rnd_slot(&s, true);
	uint32_t errs = !in_range(i) ? E(E_RANGE) : !ms(s, i)->occ ? E(E_NOT_FOUND) : 0;
	uint32_t count = 0;

	if (!errs) {
		model_descendants(gid(s, i), mark);
		for (uint32_t h = 0; h < RS * R.n; h++)
			count += mark[h];
	}
	LOG("op %lu: revoke(%u:%u) (%u descendants)", (unsigned long)R.op, s, i, count);
	kerr_t rc = cap_revoke(&R.cs[s], i);
	expect_rc("revoke", rc, errs);
	if (rc != E_OK)
		return;
	R.revoked += count;
	if (count > R.max_revoked)
		R.max_revoked = count;
	for (uint32_t h = 0; h < RS * R.n; h++) {
		if (mark[h]) {
			R.m[h].occ = false;
			model_cap_gone(R.m[h].serial);
		}
	}
}

static void op_lookup(void)
{
	uint32_t s, i = rnd_slot(&s, true);
	uint32_t type = below(4) == 0 ? OBJ_NONE : rtypes[below(3)];
	uint32_t need = (uint32_t)rnd() & (uint32_t)rnd() & 0x7ff;
	uint32_t errs = 0;
	struct cap c;

	if (!in_range(i)) {
		errs = E(E_RANGE);
	} else if (!ms(s, i)->occ) {
		errs = E(E_NOT_FOUND);
	} else {
		if (type != OBJ_NONE && type != ms(s, i)->type)
			errs |= E(E_TYPE);
		if ((ms(s, i)->rights & need) != need)
			errs |= E(E_PERM);
	}
	LOG("op %lu: lookup(%u:%u, type %u, need %#x)", (unsigned long)R.op, s, i, type, need);
	kerr_t rc = cap_lookup(&R.cs[s], i, (enum obj_type)type, need, &c);
	expect_rc("lookup", rc, errs);
	if (rc != E_OK)
		return;
	struct mslot *m = ms(s, i);
	struct ostat *o = &ost[m->serial];
	CHECK(c.obj == &o->p->hdr && c.rights == m->rights && c.type == m->type &&
	      c.badge == m->badge, "op %lu: lookup returned the wrong capability",
	      (unsigned long)R.op);
	CHECK(o->p->hdr.refs == o->m_caps + o->m_held + 1,
	      "op %lu: lookup did not take a reference", (unsigned long)R.op);
	kobj_put(c.obj);
}

static void random_run(uint64_t seed, uint32_t nslots, uint64_t nops)
{
	memset(&R, 0, sizeof(R));
	R.rng = seed * 0x9e3779b97f4a7c15ull + 1;
	R.n = nslots;
	R.caps0 = cap_count();
	R.objs0 = kobj_count();
	long live = heap.live;
	quota_init(&R.q, 1ull << 30);
	for (uint32_t s = 0; s < RS; s++) {
		cr_assert_eq(cspace_init(&R.cs[s], nslots, &R.q), E_OK);
		R.ptr[s] = &R.cs[s];
	}
	R.m = calloc(RS * nslots, sizeof(*R.m));
	cr_assert(R.m);
	for (uint32_t k = 0; k < RO; k++)
		R.entry[k] = NONE;

	uint64_t counts[10] = { 0 };
	uint64_t phase_end = 0;
	bool grow = false;
	for (R.op = 0; R.op < nops; R.op++) {
		if (R.op == phase_end) {
			grow = !grow;
			phase_end = R.op + 500 + below(5000);
		}
		/* Per kind, in percent: insert copy mint move delete revoke transfer
		 * lookup drop. Growing phases fill the spaces (full destinations, big
		 * trees), shrinking ones empty them (revokes of many descendants). */
		static const uint8_t weights[2][9] = {
			{ 4, 8, 4, 10, 30, 15, 4, 15, 10 },     /* shrink */
			{ 8, 30, 10, 10, 3, 2, 17, 15, 5 },     /* grow */
		};
		uint32_t r = below(100), kind = 0;
		while (kind < 8 && r >= weights[grow][kind])
			r -= weights[grow][kind++];
		uint64_t before = cap_count();
		switch (kind) {
		case 0: op_insert(); break;
		case 1: op_derive(false); break;
		case 2: op_derive(true); break;
		case 3: op_move(); break;
		case 4: op_delete(); break;
		case 5: op_revoke(); break;
		case 6: op_transfer(); break;
		case 7: op_lookup(); break;
		default: op_drop(); break;
		}
		counts[kind]++;
		if (R.ndead || cap_count() != before)
			R.ok[kind]++;   /* approximate: changed something */
		note_deaths();
		check_all();
	}

	/* Destroy the spaces one by one: children in the others move up. */
	for (uint32_t s = 0; s < RS; s++) {
		LOG("op %lu: cspace_destroy(space %u)", (unsigned long)R.op, s);
		cspace_destroy(&R.cs[s]);
		R.gone[s] = true;
		for (uint32_t i = 1; i < R.n; i++)
			if (ms(s, i)->occ)
				model_delete(gid(s, i));
		note_deaths();
		check_all();
		R.op++;
	}
	/* Drop the references the test holds: every object is gone. */
	for (uint32_t k = 0; k < RO; k++) {
		uint32_t sn = R.entry[k];
		if (sn == NONE)
			continue;
		cr_assert_eq(ost[sn].m_caps, 0);
		cr_assert(ost[sn].m_held);
		ost[sn].m_held = false;
		ost[sn].m_alive = false;
		kobj_put(&ost[sn].p->hdr);
	}
	note_deaths();
	check_all();
	for (uint32_t sn = 0; sn < nost; sn++) {
		cr_expect_eq(ost[sn].destroy, 1, "object %u destroyed %u times", sn,
			     ost[sn].destroy);
		cr_expect_eq(ost[sn].last_cap, ost[sn].m_last_caps,
			     "object %u: %u last_cap calls, expected %u", sn, ost[sn].last_cap,
			     ost[sn].m_last_caps);
	}
	cr_expect_eq(kobj_count(), R.objs0);
	cr_expect_eq(cap_count(), R.caps0);
	cr_expect_eq(R.q.used, 0, "quota still charged %lu bytes", (unsigned long)R.q.used);
	cr_expect_eq(heap.live, live, "%ld heap blocks leaked", heap.live - live);
	cr_log_info("seed %lu: %u objects; insert %lu (%lu changed something) copy %lu (%lu) "
		    "mint %lu (%lu) move %lu delete %lu (%lu) revoke %lu (%lu) transfer %lu "
		    "(%lu) lookup %lu drop %lu; %lu revoked, at most %lu at once",
		    (unsigned long)seed, nost,
		    (unsigned long)counts[0], (unsigned long)R.ok[0],
		    (unsigned long)counts[1], (unsigned long)R.ok[1],
		    (unsigned long)counts[2], (unsigned long)R.ok[2],
		    (unsigned long)counts[3], (unsigned long)counts[4],
		    (unsigned long)R.ok[4], (unsigned long)counts[5],
		    (unsigned long)R.ok[5], (unsigned long)counts[6],
		    (unsigned long)R.ok[6], (unsigned long)counts[7],
		    (unsigned long)counts[8], (unsigned long)R.revoked,
		    (unsigned long)R.max_revoked);
	free(R.m);
	R.n = 0;
}

Test(cap_random, seed1_64_slots, .timeout = 110)
{
	random_run(1, 64, 200000);
}

Test(cap_random, seed2_64_slots, .timeout = 110)
{
	random_run(2, 64, 200000);
}

/* Small spaces: full destinations (transfer with no free slot) are common. */
Test(cap_random, seed3_8_slots, .timeout = 110)
{
	random_run(3, 8, 100000);
}
