/*
 * Memory objects and memory grants (memobj.h).
 *
 * A mapping is a record (struct mapping) that embeds the capability the kernel holds
 * for it, and sits on its process's list (struct mem_space) while its pages are in the
 * address space. Two rules make a mapping's end happen exactly once, however an unmap,
 * a revoke on another CPU and the process's end interleave:
 *
 * - Whoever takes the record off the list, under the space's lock, unmaps its pages:
 *   mem_unmap, mem_space_destroy, or the revoked hook — whichever gets the lock first.
 *   A record is put on the list only after its pages are mapped, so the pages are
 *   in the address space exactly while the record is listed.
 * - Whoever empties the held capability under cap_lock frees the record: mem_unmap or
 *   mem_space_destroy when cap_unhold returns true, else the hook of the revoke that
 *   emptied it (cap.h).
 *
 * The hook may run after its process began to end, so a record keeps its mem_space
 * alive with a reference, never the process: mem_space_destroy takes every record off
 * the list, unmapping it, and leaves the records a revoke owns to their hooks, which
 * then find them off the list and only free them. Nothing ever waits for a hook — the
 * process may end in the scheduler, with interrupts off (thread_reap).
 *
 * Demand-zero objects: a mapping of one maps only the pages that have a frame already;
 * the others are left not-present, and mem_fault, under the space's lock, finds the
 * listed record that covers a faulting page and maps the object's frame for it — taking
 * and zeroing one first if no mapping has touched the page, installed with a
 * compare-and-swap since other address spaces (with other locks) may map the object
 * too. Since the page is mapped under the lock and only while the record is listed, the
 * first rule holds for these pages as for the others: the unlisting unmaps them. An
 * untouched page leaves no trace in the page tables, so that mappings never overlap is
 * checked against the list too, not only by the page tables' E_EXISTS.
 *
 * Locks: a space's lock comes before cap_lock (cap_unhold and cap_hold are called
 * under it) and before the address space's; the hook takes it after cap_lock is
 * released (docs/ARCHITECTURE.md). mem_fault takes it, then the address space's and the
 * PMM's.
 */
#include <memobj.h>
#include <heap.h>
#include <klib.h>
#include <log.h>
#include <memmap.h>
#include <pmm.h>
#include <panic.h>
#include <vmm.h>

struct mem_space {
	struct spinlock lock;           /* before cap_lock and the address space's lock */
	struct addr_space *as;          /* [I] */
	struct mapping *maps;           /* [lock] mapped: pages in as */
	uint32_t refs;                  /* [a] the process, plus one per record */
};

struct mapping {
	struct cap_held held;           /* its capability (rights: held.slot.rights) */
	struct mem_space *ms;           /* [I] a reference */
	struct memobj *mo;              /* [I] a reference */
	struct quota *quota;            /* [I] charged for the record */
	vaddr_t va;                     /* [I] */
	uint64_t first;                 /* [I] the object's page mapped at va */
	uint64_t npages;                /* [I] how many of the object's pages it maps */
	unsigned flags;                 /* [I] the pages' VM_* flags */
	bool listed;                    /* [ms->lock] on ms->maps, pages mapped */
	struct mapping *next, *prev;    /* [ms->lock] */
};

static uint64_t nmappings;              /* [a] records not yet freed */

uint64_t mem_mapping_count(void)
{
	return __atomic_load_n(&nmappings, __ATOMIC_RELAXED);
}

/* ---- objects ---- */

/* A device or read-only RAM object: one physical range, not frames of its own. */
static bool is_range(const struct memobj *mo)
{
	return mo->device || mo->ram_ro;
}

static uint64_t frames_charge(const struct memobj *mo)
{
	return is_range(mo) ? 0 : mo->npages * PAGE_SIZE;
}

static void memobj_destroy(struct kobj *o)
{
	struct memobj *mo = container_of(o, struct memobj, obj);

	if (!is_range(mo)) {
		/* A demand-zero object's untouched pages have no frame. */
		for (uint64_t i = 0; i < mo->npages; i++)
			if (mo->frames[i].raw)
				pmm_free(mo->frames[i]);
		/* kobj_put credits the object's own charge; the frames' is ours. */
		quota_credit(o->quota, frames_charge(mo));
	}
	kfree(mo);
}

static const struct kobj_ops memobj_ops = { .destroy = memobj_destroy };

void memobj_init(void)
{
	kobj_register_type(OBJ_MEMORY, &memobj_ops);
}

/* The object's header and heap block (with a frame list unless it is a physical range),
 * charged to q; frames_bytes more is charged with it (all or nothing). */
static kerr_t memobj_alloc(struct quota *q, uint64_t npages, bool range,
			   uint64_t frames_bytes, struct memobj **out)
{
	size_t bytes = sizeof(struct memobj) + (range ? 0 : npages * sizeof(paddr_t));

	if (quota_charge(q, bytes + frames_bytes) != E_OK)
		return E_NO_MEMORY;
	struct memobj *mo = kmalloc(bytes);
	if (!mo) {
		quota_credit(q, bytes + frames_bytes);
		return E_NO_MEMORY;
	}
	kobj_init(&mo->obj, OBJ_MEMORY, q, (uint32_t)bytes);
	mo->npages = npages;
	mo->device = false;
	mo->wc = false;
	mo->ram_ro = false;
	mo->lazy = false;
	mo->base = PADDR_NULL;
	*out = mo;
	return E_OK;
}

/* Undo memobj_alloc before the object was published. */
static void memobj_unalloc(struct memobj *mo, uint64_t frames_bytes)
{
	quota_credit(mo->obj.quota, frames_bytes);
	mo->npages = 0;                 /* no frames for destroy to free or credit */
	kobj_put(&mo->obj);
}

/* An anonymous object: every frame taken now, or (lazy) none until its page is touched.
 * Charged for every frame either way: the quota stays what bounds a process's memory,
 * and a touch can only fail if the machine runs out. */
static kerr_t anon_object(struct quota *q, uint64_t npages, bool lazy, struct memobj **out)
{
	if (npages == 0)
		return E_INVAL;
	if (npages > MEMOBJ_MAX_PAGES)
		return E_RANGE;
	struct memobj *mo;
	kerr_t e = memobj_alloc(q, npages, false, npages * PAGE_SIZE, &mo);
	if (e != E_OK)
		return e;
	mo->lazy = lazy;
	if (lazy)
		memset(mo->frames, 0, npages * sizeof(paddr_t));
	for (uint64_t i = 0; i < npages && !lazy; i++) {
		mo->frames[i] = pmm_alloc_zeroed();
		if (!mo->frames[i].raw) {
			while (i--)
				pmm_free(mo->frames[i]);
			memobj_unalloc(mo, npages * PAGE_SIZE);
			return E_NO_MEMORY;
		}
	}
	*out = mo;
	return E_OK;
}

kerr_t memobj_create(struct quota *q, uint64_t npages, struct memobj **out)
{
	return anon_object(q, npages, false, out);
}

kerr_t memobj_create_lazy(struct quota *q, uint64_t npages, struct memobj **out)
{
	return anon_object(q, npages, true, out);
}

/* What every physical range must be: page aligned, not empty, not too large. */
static bool range_shape_ok(paddr_t base, uint64_t size)
{
	return IS_ALIGNED(base.raw, PAGE_SIZE) && IS_ALIGNED(size, PAGE_SIZE) && size != 0 &&
	       size / PAGE_SIZE <= MEMOBJ_MAX_PAGES;
}

/* A device or read-only RAM object over a range the caller has checked. */
static kerr_t range_object(struct quota *q, paddr_t base, uint64_t size, bool device,
			   struct memobj **out)
{
	struct memobj *mo;
	kerr_t e = memobj_alloc(q, size / PAGE_SIZE, true, 0, &mo);

	if (e != E_OK)
		return e;
	mo->device = device;
	mo->ram_ro = !device;
	mo->base = base;
	*out = mo;
	return E_OK;
}

static kerr_t device_object(struct quota *q, paddr_t base, uint64_t size, bool wc,
			    struct memobj **out)
{
	if (!range_shape_ok(base, size))
		return E_INVAL;
	if (base.raw + size < base.raw || base.raw + size > MEMMAP_PHYS_LIMIT)
		return E_RANGE;
	/* Not only the frames the PMM hands out: the kernel image, its bitmaps and the
	 * ACPI tables are RAM too, and mapping RAM uncached beside the direct map's
	 * write-back alias would mix memory types. (The direct map covers the memory
	 * map's RAM types only, so a PCI BAR — a framebuffer at 0xfd000000 under SeaBIOS
	 * or 0xc0000000 under OVMF — is not in it.) */
	if (vmm_overlaps_direct_map(base, size))
		return E_RANGE;
	kerr_t e = range_object(q, base, size, true, out);
	if (e == E_OK)
		(*out)->wc = wc;
	return e;
}

kerr_t memobj_create_device(struct quota *q, paddr_t base, uint64_t size,
			    struct memobj **out)
{
	return device_object(q, base, size, false, out);
}

kerr_t memobj_create_device_wc(struct quota *q, paddr_t base, uint64_t size,
			       struct memobj **out)
{
	return device_object(q, base, size, true, out);
}

kerr_t memobj_create_ram_ro(struct quota *q, paddr_t base, uint64_t size,
			    struct memobj **out)
{
	if (!range_shape_ok(base, size))
		return E_INVAL;
	/* All of it RAM, so the write-back mapping matches the direct map's alias. */
	if (base.raw + size < base.raw || !vmm_in_direct_map(base, size))
		return E_RANGE;
	return range_object(q, base, size, false, out);
}

/* A demand-zero object's frame for page i: PADDR_NULL while untouched. Once set it
 * never changes, so a run of set entries may be read as a plain array. */
static paddr_t frame_at(const struct memobj *mo, uint64_t i)
{
	return pa(__atomic_load_n(&mo->frames[i].raw, __ATOMIC_ACQUIRE));
}

/* Map pages [first, first + npages) of mo at start: a physical range is contiguous,
 * frames are listed and mapped as one run; of a demand-zero object, each run of pages
 * that have a frame (the caller holds the space's lock, so no fault maps the others
 * meanwhile). On failure nothing this call mapped stays. */
static kerr_t map_pages(struct addr_space *as, vaddr_t start, const struct memobj *mo,
			uint64_t first, uint64_t npages, unsigned flags)
{
	if (is_range(mo))
		return vmm_map(as, start, pa(mo->base.raw + first * PAGE_SIZE),
			       npages * PAGE_SIZE, flags);
	if (!mo->lazy)
		return vmm_map_frames(as, start, &mo->frames[first], npages, flags);
	for (uint64_t i = 0; i < npages;) {
		uint64_t n = 0;
		while (i + n < npages && frame_at(mo, first + i + n).raw)
			n++;
		kerr_t e = n ? vmm_map_frames(as, va(start.raw + i * PAGE_SIZE),
					      &mo->frames[first + i], n, flags) : E_OK;
		if (e != E_OK) {
			if (i)
				vmm_unmap(as, start, i * PAGE_SIZE);
			return e;
		}
		i += n + 1;             /* and the untouched page after the run */
	}
	return E_OK;
}

/* ---- mappings ---- */

static void space_put(struct mem_space *ms)
{
	if (__atomic_sub_fetch(&ms->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(ms);
}

static uint64_t mapping_size(const struct mapping *m)
{
	return m->npages * PAGE_SIZE;
}

/* Take m off its space's list and its pages out of the address space (with the TLB
 * shootdown vmm_unmap does); the caller holds the space's lock. */
static void mapping_unlist(struct mapping *m)
{
	struct mem_space *ms = m->ms;

	spin_assert_held(&ms->lock);
	vmm_unmap(ms->as, m->va, mapping_size(m));
	if (m->prev)
		m->prev->next = m->next;
	else
		ms->maps = m->next;
	if (m->next)
		m->next->prev = m->prev;
	m->next = m->prev = NULL;
	m->listed = false;
}

/* The end of a record whose capability is gone and which is off the list. */
static void mapping_free(struct mapping *m)
{
	struct mem_space *ms = m->ms;
	struct quota *q = m->quota;

	kobj_put(&m->mo->obj);
	kfree(m);
	quota_credit(q, sizeof(struct mapping));
	__atomic_fetch_sub(&nmappings, 1, __ATOMIC_RELAXED);
	space_put(ms);
}

/* A revoke deleted the mapping's capability: it owns the record. */
static void mapping_revoked(struct cap_held *h)
{
	struct mapping *m = container_of(h, struct mapping, held);
	struct mem_space *ms = m->ms;
	irqflags_t f = spin_lock_irqsave(&ms->lock);

	if (m->listed)
		mapping_unlist(m);
	spin_unlock_irqrestore(&ms->lock, f);
	mapping_free(m);
}

/* A listed mapping of ms overlapping [va, va + size), if any (size > 0). */
static struct mapping *overlapping(struct mem_space *ms, uint64_t va, uint64_t size)
{
	spin_assert_held(&ms->lock);
	for (struct mapping *m = ms->maps; m; m = m->next)
		if (va < m->va.raw + mapping_size(m) && m->va.raw < va + size)
			return m;
	return NULL;
}

static unsigned vm_flags(uint32_t rights, const struct memobj *mo)
{
	return VM_USER | (rights & CAP_R_WRITE ? VM_WRITE : 0) |
	       (rights & CAP_R_EXEC ? VM_EXEC : 0) | (mo->device ? (mo->wc ? VM_WC : VM_UC) : 0);
}

static kerr_t check_map_args(struct process *p, vaddr_t va, uint32_t rights)
{
	if ((rights & ~MEM_MAP_RIGHTS) || !(rights & CAP_R_READ) ||
	    (rights & (CAP_R_WRITE | CAP_R_EXEC)) == (CAP_R_WRITE | CAP_R_EXEC))
		return E_INVAL;
	if (!IS_ALIGNED(va.raw, PAGE_SIZE) || !p->mem)
		return E_INVAL;
	return E_OK;
}

/* The pages of a mapping: npages from first, all inside the object. */
struct page_range {
	uint64_t first, npages;
};

/*
 * Map pages r of mo into p at va with rights, and publish the record: its capability
 * held as a child of (cs, slot), or as a root when cs is NULL. The record takes its own
 * reference on mo and is charged to q. The caller has checked the arguments
 * (check_map_args) and that r lies inside mo.
 */
static kerr_t map_object(struct process *p, struct memobj *mo, struct page_range r,
			 vaddr_t va, uint32_t rights, struct quota *q, struct cspace *cs,
			 uint32_t slot)
{
	uint64_t size = r.npages * PAGE_SIZE;
	struct mem_space *ms = p->mem;
	struct mapping *m = NULL;
	kerr_t e;

	/* Read-only RAM is never writable: every process that maps it reads the same
	 * bytes. It may be executable, through a capability with EXEC — the process
	 * service maps programs' text from the initramfs so, instead of copying it. */
	if (mo->ram_ro && (rights & CAP_R_WRITE))
		return E_PERM;
	if (va.raw < USER_BASE || va.raw > USER_TOP || size > USER_TOP - va.raw)
		return E_RANGE;
	if (quota_charge(q, sizeof(*m)) != E_OK)
		return E_NO_MEMORY;
	m = kcalloc(1, sizeof(*m));     /* zeroed: cap_hold wants an empty held slot */
	if (!m) {
		e = E_NO_MEMORY;
		goto out_uncharge;
	}
	kobj_get(&mo->obj);
	m->mo = mo;
	m->ms = ms;
	m->quota = q;
	m->va = va;
	m->first = r.first;
	m->npages = r.npages;
	m->flags = vm_flags(rights, mo);
	/* Publish: from cap_hold on a revoke can reach the record, and its hook will wait
	 * for this lock and find the record listed, pages mapped. The check against the
	 * list and the mapping are one step under the lock: a demand-zero mapping's
	 * untouched pages are in no page table, so until a new mapping is listed only the
	 * lock keeps faults (and IPC buffers, mem_page_outside) out of the range. A
	 * demand-zero object maps only its touched pages: the rest of its range must be
	 * empty, which the page tables would not check for them. */
	irqflags_t f = spin_lock_irqsave(&ms->lock);
	bool mapped = false;            /* pages of this record's are in the space */
	if (overlapping(ms, va.raw, size) || (mo->lazy && !vmm_range_empty(ms->as, va, size)))
		e = E_EXISTS;
	else
		mapped = (e = map_pages(ms->as, va, mo, r.first, r.npages, m->flags)) == E_OK;
	if (e == E_OK && cs)
		e = cap_hold(cs, slot, &mo->obj, rights, &m->held, mapping_revoked);
	else if (e == E_OK)
		cap_hold_root(&mo->obj, rights, &m->held, mapping_revoked);
	if (e == E_OK) {
		m->listed = true;
		m->next = ms->maps;
		if (m->next)
			m->next->prev = m;
		ms->maps = m;
		__atomic_fetch_add(&ms->refs, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&nmappings, 1, __ATOMIC_RELAXED);
	} else if (mapped) {
		vmm_unmap(ms->as, va, size);    /* while no fault can map into it */
	}
	spin_unlock_irqrestore(&ms->lock, f);
	if (e == E_OK)
		return E_OK;
	/* The capability went away (or lost the rights) since the lookup, or the range
	 * overlaps another mapping's, or no memory for a page table. */
	kobj_put(&mo->obj);
	kfree(m);
out_uncharge:
	quota_credit(q, sizeof(*m));
	return e;
}

/* Pages [first, first + npages) of the object in (cs, slot), or all of it if whole. */
static kerr_t map_through(struct cspace *cs, uint32_t slot, struct process *p, vaddr_t va,
			  uint32_t rights, uint64_t first, uint64_t npages, bool whole)
{
	kerr_t e = check_map_args(p, va, rights);
	if (e != E_OK)
		return e;
	if (!whole && npages == 0)
		return E_INVAL;
	struct cap c;
	e = cap_lookup(cs, slot, OBJ_MEMORY, rights, &c);
	if (e != E_OK)
		return e;
	struct memobj *mo = container_of(c.obj, struct memobj, obj);
	struct page_range r = { 0, mo->npages };
	if (!whole) {
		r = (struct page_range){ first, npages };
		/* Inside the object, without wrapping. */
		if (first >= mo->npages || npages > mo->npages - first)
			e = E_RANGE;
	}
	if (e == E_OK)
		e = map_object(p, mo, r, va, rights, cs->quota, cs, slot);
	kobj_put(c.obj);
	return e;
}

kerr_t mem_map(struct cspace *cs, uint32_t slot, struct process *p, vaddr_t va,
	       uint32_t rights)
{
	return map_through(cs, slot, p, va, rights, 0, 0, true);
}

kerr_t mem_map_pages(struct cspace *cs, uint32_t slot, struct process *p, vaddr_t va,
		     uint32_t rights, uint64_t first, uint64_t npages)
{
	return map_through(cs, slot, p, va, rights, first, npages, false);
}

kerr_t mem_map_object(struct process *p, struct memobj *mo, vaddr_t va, uint32_t rights,
		      struct quota *q)
{
	kerr_t e = check_map_args(p, va, rights);
	struct page_range r = { 0, mo->npages };

	return e != E_OK ? e : map_object(p, mo, r, va, rights, q, NULL, 0);
}

kerr_t mem_unmap(struct process *p, vaddr_t va)
{
	struct mem_space *ms = p->mem;

	if (!IS_ALIGNED(va.raw, PAGE_SIZE) || !ms)
		return E_INVAL;
	irqflags_t f = spin_lock_irqsave(&ms->lock);
	struct mapping *m = ms->maps;
	while (m && m->va.raw != va.raw)
		m = m->next;
	bool mine = false;
	if (m) {
		/* A revoke may have emptied the capability and be waiting for this lock;
		 * its hook will find the record off the list and only free it. */
		mine = cap_unhold(&m->held);
		mapping_unlist(m);
	}
	spin_unlock_irqrestore(&ms->lock, f);
	if (mine)
		mapping_free(m);
	return m ? E_OK : E_NOT_FOUND;
}

kerr_t mem_space_create(struct addr_space *as, struct mem_space **out)
{
	struct mem_space *ms = kcalloc(1, sizeof(*ms));

	if (!ms)
		return E_NO_MEMORY;
	spin_init(&ms->lock, "mem_space");
	ms->as = as;
	ms->refs = 1;
	*out = ms;
	return E_OK;
}

void mem_space_destroy(struct mem_space *ms)
{
	for (;;) {
		irqflags_t f = spin_lock_irqsave(&ms->lock);
		struct mapping *m = ms->maps;
		bool mine = false;
		if (m) {
			mine = cap_unhold(&m->held);
			mapping_unlist(m);
		}
		spin_unlock_irqrestore(&ms->lock, f);
		if (!m)
			break;
		if (mine)
			mapping_free(m);
	}
	space_put(ms);
}

/* ---- demand-zero pages ---- */

/*
 * The frame of mo's page i, taken now if no mapping has touched it: zeroed before it is
 * published, with a compare-and-swap, since another address space (another lock) may
 * be taking one for the same page; the loser gives its own back. PADDR_NULL: no frame.
 *
 * Once published the frame is the object's for good, even if mapping it then fails for
 * want of a page table: the object was charged for all its frames when it was made, and
 * frees them when it ends; the next touch maps this one rather than taking another. It
 * could not safely be taken back: from the compare-and-swap on, a fault in another
 * address space may have found it and mapped it.
 */
static paddr_t frame_for(struct memobj *mo, uint64_t i)
{
	paddr_t f = frame_at(mo, i);
	uint64_t none = 0;

	if (f.raw)
		return f;
	f = pmm_alloc_zeroed();
	if (!f.raw)
		return PADDR_NULL;
	if (__atomic_compare_exchange_n(&mo->frames[i].raw, &none, f.raw, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return f;
	pmm_free(f);
	return pa(none);                /* the winner's */
}

kerr_t mem_fault(struct process *p, vaddr_t at, unsigned access)
{
	struct mem_space *ms = p->mem;
	uint64_t page = ALIGN_DOWN(at.raw, PAGE_SIZE);
	kerr_t e = E_NOT_FOUND;

	if (!ms)
		return E_NOT_FOUND;
	irqflags_t f = spin_lock_irqsave(&ms->lock);
	struct mapping *m = overlapping(ms, page, 1);
	/* Only a demand-zero object's pages are ever missing from a mapping; a write to a
	 * read-only one, or a fetch from a non-executable one, stays a fault. */
	if (m && m->mo->lazy && (!(access & MEM_FAULT_WRITE) || (m->flags & VM_WRITE)) &&
	    (!(access & MEM_FAULT_EXEC) || (m->flags & VM_EXEC))) {
		paddr_t frame = frame_for(m->mo, m->first + (page - m->va.raw) / PAGE_SIZE);
		paddr_t now;
		e = frame.raw ? vmm_map(ms->as, va(page), frame, PAGE_SIZE, m->flags)
			      : E_NO_MEMORY;
		/* Not-present to present needs no invalidation. A page there already was
		 * mapped by another thread's fault on it (under this lock, so it is this
		 * object's frame — checked all the same). */
		if (e == E_EXISTS && vmm_translate(ms->as, va(page), &now, NULL) &&
		    now.raw == frame.raw)
			e = E_OK;
	}
	spin_unlock_irqrestore(&ms->lock, f);
	if (e == E_NO_MEMORY)
		pr_warn("mem: process %s: no memory for the page at %#llx, first touched",
			p->name, (unsigned long long)page);
	return e;
}

/* A zeroed frame charged to q, mapped at va (the caller's lock held, if any). */
static kerr_t new_page(struct addr_space *as, vaddr_t va, struct quota *q, unsigned flags,
		       paddr_t *out)
{
	if (quota_charge(q, PAGE_SIZE) != E_OK)
		return E_NO_MEMORY;
	paddr_t frame = pmm_alloc_zeroed();
	kerr_t e = frame.raw ? vmm_map(as, va, frame, PAGE_SIZE, flags) : E_NO_MEMORY;
	if (e != E_OK) {
		if (frame.raw)
			pmm_free(frame);
		quota_credit(q, PAGE_SIZE);
		return e;
	}
	*out = frame;
	return E_OK;
}

kerr_t mem_page_outside(struct process *p, vaddr_t va, struct quota *q, unsigned flags,
			paddr_t *frame)
{
	struct mem_space *ms = p->mem;

	if (!ms)
		return new_page(p->as, va, q, flags, frame);
	irqflags_t f = spin_lock_irqsave(&ms->lock);
	kerr_t e = overlapping(ms, va.raw, 1) ? E_EXISTS : new_page(p->as, va, q, flags, frame);
	spin_unlock_irqrestore(&ms->lock, f);
	return e;
}
