/*
 * Capabilities: capability spaces, the derivation tree, kernel objects and quotas
 * (DESIGN.md §5).
 *
 * A capability space (struct cspace) is a fixed array of slots; a capability handle is
 * a slot index, and slot 0 is never valid. A slot holds an object pointer, the object's
 * type, a rights mask and a badge, and its place in the derivation tree, which links
 * slots across every capability space: a capability's children were derived from it
 * (copy or mint), and revoking a capability deletes all its descendants wherever they
 * are. Deleting a capability that has children moves them up to its parent, so a later
 * revoke of an ancestor still reaches them.
 *
 * The kernel itself holds some capabilities outside every space (struct cap_held): a
 * mapping of a memory object is one, a child of the capability it was mapped through,
 * so revoking that capability or an ancestor unmaps it like any other descendant.
 *
 * Objects count their capabilities and their references. When the last capability to
 * an object goes, its type's last_cap operation runs (an endpoint wakes its waiters);
 * when the last reference goes, the object is freed and its quota charge returned. A capability holds one reference; kernel code
 * holding an object across a lock release takes its own (kobj_get / kobj_put).
 *
 * Rights only ever shrink: every derivation and every transfer masks them.
 *
 * Locking: one lock, cap_lock, guards every slot and the derivation tree, and the
 * state of the IPC objects — endpoints, reply objects, notifications — with the queues
 * of threads waiting on them (seL4 runs its whole kernel under one lock). An IPC
 * operation therefore takes one lock for its lookups, its rendezvous and any
 * capabilities its message carries, and needs no reference counting on the way.
 * Revoke does its work in batches of CAP_REVOKE_BATCH deletions, releasing the lock and
 * letting interrupts in between, so revoking a capability with a million descendants
 * never holds interrupts off for long (docs/CAPABILITIES.md). The last_cap and destroy
 * operations run outside cap_lock (they may take it). Lock order: cap_lock comes after
 * a process's mem_space lock (memobj.c holds and lets go of capabilities under it) and
 * an IRQ line's lock, and before the scheduler's, the VMM's and the heap's locks;
 * no operation allocates under it (only the test-only cap_tree_check does).
 */
#ifndef CAP_H
#define CAP_H

#include <types.h>
#include <kerr.h>
#include <spinlock.h>
#include <mnos/abi.h>

/* ---- object types ---- */

/* The ABI's types (mnos/abi.h, MNOS_OBJ_*), and one more that only tests make. */
enum obj_type {
	OBJ_NONE = MNOS_OBJ_NONE,
	OBJ_PROCESS = MNOS_OBJ_PROCESS,
	OBJ_THREAD = MNOS_OBJ_THREAD,
	OBJ_ENDPOINT = MNOS_OBJ_ENDPOINT,
	OBJ_REPLY = MNOS_OBJ_REPLY,
	OBJ_NOTIFICATION = MNOS_OBJ_NOTIFICATION,
	OBJ_MEMORY = MNOS_OBJ_MEMORY,
	OBJ_IRQ = MNOS_OBJ_IRQ,
	OBJ_IOPORT = MNOS_OBJ_IOPORT,
	OBJ_CSPACE_TEST,        /* host and in-guest tests only: no behaviour */
	OBJ_TYPES
};

_Static_assert(OBJ_CSPACE_TEST == MNOS_OBJ_TYPES, "every ABI type has its kernel name");

/* ---- rights ---- */

/*
 * The rights bits are the ABI's (mnos/abi.h, CAP_R_*): DERIVE and GRANT for every type
 * but replies (one-shot: neither derived nor passed on); per type from bit 8 — SEND and
 * RECV on endpoints, SIGNAL and WAIT on notifications, READ, WRITE and EXEC on memory
 * objects, CONTROL (start, stop, acknowledge, use) on processes, threads, IRQ lines and
 * I/O ports. CAP_R_ALL asks for every right a type has.
 */

/* The rights that mean something for a type; anything else is dropped on creation. */
uint32_t cap_type_rights(enum obj_type type);

/* ---- quotas ---- */

/*
 * Kernel memory a process may cause the kernel to allocate: objects and capability
 * slots are charged to it when created and credited back when freed. Running out is an
 * E_NO_MEMORY for that process, never a kernel failure.
 */
struct quota {
	uint64_t limit;         /* [I] bytes */
	uint64_t used;          /* [a] bytes */
	struct quota *parent;   /* [I] carved from it (quota_carve), or NULL */
	uint64_t carved;        /* [I] what parent pays for it */
};

void quota_init(struct quota *q, uint64_t limit);
/* Charge bytes, or E_NO_MEMORY (nothing charged) if that would pass the limit. */
kerr_t quota_charge(struct quota *q, uint64_t bytes);
void quota_credit(struct quota *q, uint64_t bytes);

/*
 * A new quota of limit bytes carved from parent (not NULL), which pays
 * limit + extra for it — E_NO_MEMORY, nothing charged, if it cannot. Objects charged
 * to the new quota may outlive whoever owns it (a capability passed on in a message),
 * so its owner does not free it: quota_close gives it up, and the quota frees itself
 * and pays the parent back when its owner has closed it and the last byte charged to
 * it is credited.
 */
kerr_t quota_carve(struct quota *parent, uint64_t limit, uint64_t extra, struct quota **out);
void quota_close(struct quota *q);

/* ---- objects ---- */

struct kobj;

struct kobj_ops {
	/* The last capability is gone (cap_lock not held): wake waiters. */
	void (*last_cap)(struct kobj *o);
	/* A right the object is useless without on the other side (an endpoint's RECV: with
	 * no capability left that can receive, a sender would wait for ever); when the last
	 * capability holding it goes, last_vital runs (cap_lock not held), unless last_cap
	 * does. 0: none. */
	uint32_t vital_right;
	void (*last_vital)(struct kobj *o);
	/* The last reference is gone: free the object (it was allocated with its charge). */
	void (*destroy)(struct kobj *o);
};

/* At the start of every kernel object. */
struct kobj {
	uint32_t type;                  /* [I] enum obj_type */
	uint32_t caps;                  /* [cap_lock] capabilities naming it */
	uint32_t vital_caps;            /* [cap_lock] of them, those with the vital right */
	uint32_t refs;                  /* [a] capabilities + kernel references */
	uint32_t charge;                /* [I] bytes charged to quota for it */
	struct quota *quota;            /* [I] charged, or NULL */
};

/* Register a type's operations (at boot; tests register their own). */
void kobj_register_type(enum obj_type type, const struct kobj_ops *ops);

/* A new object's header: no capabilities, one reference (the creator's). */
void kobj_init(struct kobj *o, enum obj_type type, struct quota *q, uint32_t charge);
/* A zeroed object of size bytes (its struct kobj first) charged to q, initialised with
 * kobj_init: NULL if q cannot pay or the heap is out of memory (nothing charged). It is
 * freed with kfree by the type's destroy. */
void *kobj_alloc(struct quota *q, size_t size, enum obj_type type);
void kobj_get(struct kobj *o);
void kobj_put(struct kobj *o);

/* ---- capability spaces ---- */

struct cap_slot {
	struct kobj *obj;               /* NULL: the slot is empty */
	uint32_t rights;
	uint32_t type;                  /* the object's, copied for one-line checks */
	uint64_t badge;
	/* The derivation tree; all [cap_lock]. */
	struct cap_slot *parent;
	struct cap_slot *first_child;
	struct cap_slot *next, *prev;   /* siblings */
	struct cspace *owner;           /* [I] its space; for a held capability, a space
					 * with no slots that counts them (cap.c) */
};

struct cspace {
	struct cap_slot *slots;         /* [I] */
	uint32_t nslots;                /* [I] */
	uint32_t used;                  /* [cap_lock] occupied slots */
	uint32_t hint;                  /* [cap_lock] no empty slot below it (but 0) */
	struct quota *quota;            /* [I] pays for the slots */
};

#define CSPACE_MAX_SLOTS        65536u
_Static_assert(CSPACE_MAX_SLOTS == MNOS_CSPACE_MAX_SLOTS, "the ABI's limit");
#define CAP_REVOKE_BATCH        64u

/* What a lookup returns: a copy of the slot, and a reference to the object that the
 * caller must kobj_put(). */
struct cap {
	struct kobj *obj;
	uint32_t rights;
	uint32_t type;
	uint64_t badge;
};

extern struct spinlock cap_lock;

/* A space with no slots (every lookup is E_RANGE): what a process has until it is
 * given its own, so that a thread's process always has one. Never destroyed. */
extern struct cspace cspace_empty;

/*
 * With cap_lock held: the checks every operation makes on a capability it uses, in this
 * order — the slot exists (E_RANGE), it is full (E_NOT_FOUND), it names an object of
 * type (OBJ_NONE: any; E_TYPE), it holds every right in need (E_PERM). *out gets the
 * slot when all pass; the object stays alive while cap_lock is held.
 */
static inline kerr_t cap_check_locked(struct cspace *cs, uint32_t idx, enum obj_type type,
				      uint32_t need, struct cap_slot **out)
{
	if (!idx || idx >= cs->nslots)
		return E_RANGE;
	struct cap_slot *s = &cs->slots[idx];
	if (!s->obj)
		return E_NOT_FOUND;
	if (type != OBJ_NONE && s->type != type)
		return E_TYPE;
	if ((s->rights & need) != need)
		return E_PERM;
	*out = s;
	return E_OK;
}

/*
 * The IPC fast paths' lookup (cap_lock held): the slot idx, any 64-bit value, holding a
 * capability of type (never OBJ_NONE) with every right in need; NULL if not, and the
 * caller's general path then says which check failed. Two compares fewer than
 * cap_check_locked: an empty slot has type OBJ_NONE and no rights (slot_clear,
 * cspace_init; cap_tree_check checks it), and slot 0 is never filled, so the type
 * check answers for both; and a value past 32 bits fails the bounds check.
 */
static __always_inline struct cap_slot *cap_lookup_fast(struct cspace *cs, uint64_t idx,
							enum obj_type type, uint32_t need)
{
	if (unlikely(idx >= cs->nslots))
		return NULL;
	struct cap_slot *s = &cs->slots[idx];
	if (unlikely(s->type != type || (s->rights & need) != need))
		return NULL;
	return s;
}

/* Slots 1 .. nslots - 1 are usable. Charged to q: E_NO_MEMORY if it cannot pay,
 * E_INVAL for nslots < 2 or > CSPACE_MAX_SLOTS. */
kerr_t cspace_init(struct cspace *cs, uint32_t nslots, struct quota *q);
/* Delete every capability (revoking nothing: children move up), free the slots. */
void cspace_destroy(struct cspace *cs);

/*
 * Place a new capability to o in slot, as a root of the derivation tree: how an
 * object's first capability is made. Takes a reference to o (the caller keeps its
 * own). rights are masked to the type's. E_RANGE: bad slot; E_EXISTS: occupied.
 */
kerr_t cap_insert_root(struct cspace *cs, uint32_t slot, struct kobj *o, uint32_t rights,
		       uint64_t badge);

/*
 * Check slot holds a capability of type (OBJ_NONE: any) with all of need, and return
 * it with a reference. E_RANGE: slot out of range (or 0); E_NOT_FOUND: empty;
 * E_TYPE: wrong type; E_PERM: a right is missing.
 */
kerr_t cap_lookup(struct cspace *cs, uint32_t slot, enum obj_type type, uint32_t need,
		  struct cap *out);

/*
 * Derive a child of (src, sslot) into the empty (dst, dslot), with rights & mask.
 * The source needs CAP_R_DERIVE. Mint sets a badge: only on an unbadged endpoint or
 * notification capability (E_INVAL otherwise); copy keeps the source's badge.
 */
kerr_t cap_copy(struct cspace *src, uint32_t sslot, struct cspace *dst, uint32_t dslot,
		uint32_t mask);
kerr_t cap_mint(struct cspace *src, uint32_t sslot, struct cspace *dst, uint32_t dslot,
		uint32_t mask, uint64_t badge);

/* Move a capability, its place in the tree included, to an empty slot. */
kerr_t cap_move(struct cspace *src, uint32_t sslot, struct cspace *dst, uint32_t dslot);

/* Delete one capability; its children move up to its parent. */
kerr_t cap_delete(struct cspace *cs, uint32_t slot);

/* Delete every descendant of the capability, in every space; the capability stays. */
kerr_t cap_revoke(struct cspace *cs, uint32_t slot);

/* A free slot (lowest first), or 0 when full. */
uint32_t cspace_find_free(struct cspace *cs);

/*
 * For IPC transfers: derive (src, sslot) into a free slot of dst with rights & mask;
 * the source needs CAP_R_GRANT (not CAP_R_DERIVE: giving a capability away is what
 * grant allows). *dslot gets the slot; E_NO_MEMORY when dst has no free slot.
 */
kerr_t cap_transfer(struct cspace *src, uint32_t sslot, struct cspace *dst, uint32_t mask,
		    uint32_t *dslot);

/* cap_transfer with cap_lock held (IPC). */
kerr_t cap_transfer_locked(struct cspace *src, uint32_t sslot, struct cspace *dst,
			   uint32_t mask, uint32_t *dslot);

/* ---- capabilities the kernel holds ---- */

/*
 * A capability held by the kernel outside every capability space: a memory mapping is
 * one (memobj.h). It is derived from a capability in a space, as its child in the
 * derivation tree, so a revoke of that capability or of any ancestor deletes it like
 * any other descendant; after cap_lock is released, the revoked hook then runs and
 * undoes whatever the held capability stands for (it may free h). cap_delete of its
 * parent moves it up, as it moves every child. A held capability is always a leaf:
 * no space names it, so nothing is ever derived from it.
 *
 * Whoever empties the slot under cap_lock owns the teardown: a revoke (and then the
 * hook) or the holder (cap_unhold returning true), never both. So a holder letting go
 * on one CPU while a revoke runs on another tears down exactly once.
 */
struct cap_held {
	struct cap_slot slot;
	void (*revoked)(struct cap_held *h);    /* [cap_lock] set by cap_hold */
};

/*
 * Derive a held child of (cs, slot) into h, with exactly rights (masked to the type's),
 * keeping the badge. h must hold nothing (zeroed, or given up by cap_unhold). The slot
 * must still name o (a caller checks the object before it commits to holding it) and
 * hold all of rights; no right is needed beyond those: using a capability is not
 * giving it away. Takes a reference to o for the held capability.
 * E_RANGE: bad slot; E_NOT_FOUND: empty, or it now names another object; E_PERM.
 */
kerr_t cap_hold(struct cspace *cs, uint32_t slot, struct kobj *o, uint32_t rights,
		struct cap_held *h, void (*revoked)(struct cap_held *h));

/* A held capability with no parent: how the kernel holds what it made for a process
 * itself (the segments of a loaded program, elf.h), so no capability of anyone's can
 * revoke it; only cap_unhold ends it. Same contract as cap_hold otherwise. */
void cap_hold_root(struct kobj *o, uint32_t rights, struct cap_held *h,
		   void (*revoked)(struct cap_held *h));

/* Delete h's capability unless a revoke already has: true if this call deleted it (the
 * caller owns the teardown; the hook will not run), false if a revoke did (its hook
 * runs, or has run, on the CPU that revoked). */
bool cap_unhold(struct cap_held *h);

/* Statistics for leak checks. */
uint64_t cap_count(void);               /* capabilities in all spaces, and held */
uint64_t cap_held_count(void);          /* capabilities the kernel holds */
uint64_t kobj_count(void);              /* objects not yet destroyed */

/* Tests: check every slot of these spaces and every tree link from them (parents,
 * children, siblings, owners, held children being leaves, and that no object counts
 * fewer capabilities than these spaces hold); false, with a log line, if anything is
 * broken. */
bool cap_tree_check(struct cspace *const *spaces, size_t n);

#endif
