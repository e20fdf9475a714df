/*
 * x86_64 page tables: the VMM interface of vmm.h, and phase 3's kernel page tables.
 *
 * Page-table pages come from the PMM and are reached through the direct map. The kernel
 * half (PML4 entries 256..511) points to 256 PDPTs allocated at boot and never freed,
 * which every address space copies. Below them, tables are created on demand and freed
 * when an unmap leaves them empty. Each entry that points to a table keeps, in bits the
 * MMU ignores (PTE_COUNT), how many entries of that table are present, so emptiness is
 * known without scanning 512 entries — a scan that made up a quarter of a spawn's cost
 * (docs/PERFORMANCE.md). The kernel half's PML4 entries keep no count: their PDPTs are
 * never freed, and the entries never change after boot.
 *
 * W^X holds at this level: no call can create or change a mapping to be both writable and
 * executable (E_INVAL). vmm_audit_wx() checks that the tables agree.
 *
 * Locking: an address space's lock guards its user-half tables; kernel_as.lock guards
 * the kernel half's, whatever address space the call names. Order: a user address
 * space's lock, then kernel_as.lock, then the PMM lock (inside pmm_alloc/pmm_free).
 */
#include <vmm.h>
#include <pmm.h>
#include <memmap.h>
#include <bootinfo.h>
#include <klib.h>
#include <log.h>
#include <panic.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <arch/lapic.h>
#include <arch/smp.h>
#include <arch/trap.h>

struct addr_space kernel_as = {
	.lock = SPINLOCK_INIT("kernel_as"),
	.kernel = true,
};

static bool nx_supported;                       /* [I] after vmm_init */

static uint64_t mmio_next = KVA_MMIO_BASE;      /* [kernel_as.lock] bump pointer */

static inline uint64_t *table_at(uint64_t entry)
{
	return phys_to_virt(pa(entry & PTE_ADDR));
}

static inline bool in_kernel_half(uint64_t va)
{
	return va >= KERNEL_HALF_BASE;
}

static inline uint64_t *root_of(struct addr_space *as)
{
	return phys_to_virt(as->root);
}

/* The count of present entries in the table that entry up points to (NULL: the root, or
 * a permanent kernel PDPT, which keep none). */
static inline unsigned table_count(const uint64_t *up)
{
	return (unsigned)((*up & PTE_COUNT) >> PTE_COUNT_SHIFT);
}

static inline void count_inc(uint64_t *up)
{
	if (up)
		*up += 1ull << PTE_COUNT_SHIFT;
}

static inline void count_dec(uint64_t *up)
{
	if (up) {
		assert(table_count(up) > 0);
		*up -= 1ull << PTE_COUNT_SHIFT;
	}
}

/* The entry that counts for the table e points to at level lvl (the one below): e itself,
 * but for the kernel half's permanent PDPTs. */
static inline uint64_t *count_holder(uint64_t *e, int lvl, uint64_t va)
{
	return lvl == 4 && in_kernel_half(va) ? NULL : e;
}

static uint64_t leaf_bits(unsigned flags)
{
	uint64_t e = PTE_P;

	if (flags & VM_WRITE)
		e |= PTE_W;
	if (flags & VM_USER)
		e |= PTE_U;
	if (flags & VM_GLOBAL)
		e |= PTE_G;
	if (!(flags & VM_EXEC) && nx_supported)
		e |= PTE_NX;
	if (flags & VM_UC)
		e |= PTE_CACHE_UC;
	else if (flags & VM_WC)
		e |= PTE_CACHE_WC;
	return e;
}

static unsigned flags_of(uint64_t e, bool large)
{
	unsigned f = 0;

	if (e & PTE_W)
		f |= VM_WRITE;
	if (e & PTE_U)
		f |= VM_USER;
	if (e & PTE_G)
		f |= VM_GLOBAL;
	if (!(e & PTE_NX))
		f |= VM_EXEC;
	if ((e & PTE_CACHE_UC) == PTE_CACHE_UC)
		f |= VM_UC;
	else if (e & PTE_CACHE_WC)
		f |= VM_WC;
	if (large)
		f |= VM_LARGE;
	return f;
}

/* The lock that guards the tables for va in as. */
static struct spinlock *lock_for(struct addr_space *as, uint64_t va)
{
	return in_kernel_half(va) ? &kernel_as.lock : &as->lock;
}

/*
 * Check a request before touching anything: alignment, size, the half of the address
 * space it lies in, and flags (W^X; user bits only in user address spaces).
 */
static kerr_t check_range(struct addr_space *as, uint64_t va, size_t size, unsigned flags,
			  bool for_map)
{
	uint64_t align = (flags & VM_LARGE) ? LARGE_PAGE_SIZE : PAGE_SIZE;

	if (size == 0 || !IS_ALIGNED(va, align) || !IS_ALIGNED((uint64_t)size, align))
		return E_INVAL;
	if (va + size - 1 < va || !is_canonical(va) || !is_canonical(va + size - 1))
		return E_RANGE;
	if (in_kernel_half(va) != in_kernel_half(va + size - 1))
		return E_RANGE;
	if (as->kernel) {
		if (!in_kernel_half(va))
			return E_RANGE;
		if (for_map && (flags & VM_USER))
			return E_INVAL;
	} else {
		if (va < USER_BASE || va + size > USER_TOP)
			return E_RANGE;
		if (for_map && (!(flags & VM_USER) || (flags & VM_GLOBAL)))
			return E_INVAL;
	}
	if (for_map && (flags & VM_WRITE) && (flags & VM_EXEC))
		return E_INVAL;                 /* W^X */
	return E_OK;
}

/* ---- TLB invalidation ---- */

#define FLUSH_MAX_SINGLE 32

/*
 * What a change needs invalidated, gathered under the page-table lock and carried out
 * after it is released (flush_finish): on this CPU, and by IPI on every other CPU that
 * may hold the entries. Page-table pages the change emptied are only freed after that,
 * chained through their first word, so no CPU can still walk them when they are reused.
 */
struct flush {
	uint64_t va[FLUSH_MAX_SINGLE];
	size_t n;
	bool all;
	bool global;
	uint64_t freed_tables;          /* physical address of the first, 0 = none */
};

static void flush_add(struct flush *fl, uint64_t va, uint64_t bytes, bool global)
{
	fl->global |= global;
	if (fl->all)
		return;
	for (uint64_t off = 0; off < bytes; off += PAGE_SIZE) {
		if (fl->n == FLUSH_MAX_SINGLE) {
			fl->all = true;         /* a full flush is cheaper than many INVLPGs */
			return;
		}
		fl->va[fl->n++] = va + off;
	}
}

static void free_table_later(struct flush *fl, paddr_t table)
{
	*(uint64_t *)phys_to_virt(table) = fl->freed_tables;
	fl->freed_tables = table.raw;
	fl->all = true;                 /* paging-structure caches may hold it */
}

/* Invalidate on this CPU. Also the IPI handler's work on the others. */
static void flush_local(const struct flush *fl)
{
	if (!fl->all) {
		for (size_t i = 0; i < fl->n; i++)
			cpu_invlpg(fl->va[i]);
	} else if (fl->global) {
		/* Toggling CR4.PGE drops global entries too. Only PGE changes, from the
		 * value just read, so the pinning check (a CR4 read each) is not needed. */
		uint64_t cr4 = cpu_read_cr4();
		cpu_write_cr4_raw(cr4 & ~CR4_PGE);
		cpu_write_cr4_raw(cr4);
	} else {
		tlb_flush_all_nonglobal();
	}
}

/* Shootdown: one request at a time; each target clears its bit when done. */
static struct spinlock shootdown_lock = SPINLOCK_INIT("shootdown");     /* leaf */
static struct flush shootdown_req;              /* [shootdown_lock] */
static struct addr_space *shootdown_as;         /* [shootdown_lock] its space */
uint64_t tlb_shootdown_pending;                 /* [a] CPUs yet to flush */
static uint64_t shootdowns_sent;                /* [a] statistics */

/* This CPU is in as's set but has another space loaded (as_switch leaves sets lazily):
 * leave it, and say whether it did. Interrupts off, so no switch runs meanwhile. */
static bool leave_if_stale(struct addr_space *as, uint64_t me)
{
	if (!as || as->kernel || this_cpu()->loaded_as == as)
		return false;
	__atomic_fetch_and(&as->active_cpus, ~me, __ATOMIC_RELEASE);
	return true;
}

/* Do this CPU's part of a pending shootdown, if any. Safe with interrupts off: the
 * initiator and anyone waiting for the shootdown lock call it while they spin, so two
 * CPUs shooting at once cannot wait for each other forever. The initiator keeps the
 * space alive until every target is done. */
void tlb_shootdown_poll(void)
{
	uint64_t me = 1ull << arch_cpu_id();

	if (__atomic_load_n(&tlb_shootdown_pending, __ATOMIC_ACQUIRE) & me) {
		if (!leave_if_stale(shootdown_as, me))
			flush_local(&shootdown_req);
		__atomic_fetch_and(&tlb_shootdown_pending, ~me, __ATOMIC_RELEASE);
	}
}

static void shootdown_ipi(struct trap_frame *f, void *arg)
{
	tlb_shootdown_poll();
}

static void flush_finish(struct addr_space *as, struct flush *fl)
{
	/* The page-table stores must be visible before active_cpus is read: a CPU that
	 * loads this space sets its bit (a locked RMW) and then walks the tables, so either
	 * it sees the new entries or this side sees its bit. x86 lets a load pass earlier
	 * stores (the lock's release is only a store), hence the full fence. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	irqflags_t f = irq_save();      /* on this CPU, and no switch meanwhile */
	uint64_t me = 1ull << arch_cpu_id();
	bool active = as->kernel || fl->global ||
		      (__atomic_load_n(&as->active_cpus, __ATOMIC_ACQUIRE) & me);

	if (fl->n || fl->all) {
		if (active && (fl->global || !leave_if_stale(as, me)))
			flush_local(fl);
		uint64_t targets = (as->kernel || fl->global) ? smp_online_mask()
				   : __atomic_load_n(&as->active_cpus, __ATOMIC_ACQUIRE);
		targets &= ~me;
		if (targets) {
			while (!spin_trylock(&shootdown_lock)) {
				tlb_shootdown_poll();
				cpu_pause();
			}
			shootdown_req = *fl;
			shootdown_as = fl->global ? NULL : as;
			__atomic_store_n(&tlb_shootdown_pending, targets, __ATOMIC_RELEASE);
			for (unsigned c = 0; c < MAX_CPUS; c++)
				if (targets & (1ull << c))
					lapic_send_ipi(cpu_locals[c].apic_id, VEC_TLB_SHOOTDOWN);
			while (__atomic_load_n(&tlb_shootdown_pending, __ATOMIC_ACQUIRE))
				cpu_pause();
			__atomic_fetch_add(&shootdowns_sent, 1, __ATOMIC_RELAXED);
			spin_unlock(&shootdown_lock);
		}
	}
	irq_restore(f);
	for (uint64_t p = fl->freed_tables; p;) {
		uint64_t next = *(uint64_t *)phys_to_virt(pa(p));
		pmm_free(pa(p));
		p = next;
	}
	fl->freed_tables = 0;
}

uint64_t vmm_shootdown_count(void)
{
	return __atomic_load_n(&shootdowns_sent, __ATOMIC_RELAXED);
}

void vmm_init_shootdown(void)
{
	if (!irq_set_handler(VEC_TLB_SHOOTDOWN, shootdown_ipi, NULL))
		panic("vmm: TLB shootdown vector taken");
}

/* ---- walking ---- */

/* The leaf entry mapping va, or NULL; *level says at which level it was found. */
static uint64_t *find_leaf(struct addr_space *as, uint64_t va, int *level)
{
	uint64_t *t = root_of(as);

	for (int lvl = 4; lvl >= 1; lvl--) {
		uint64_t *e = &t[pt_index(va, lvl)];
		if (!(*e & PTE_P))
			return NULL;
		if (lvl == 1 || (*e & PTE_PS)) {
			*level = lvl;
			return e;
		}
		t = table_at(*e);
	}
	return NULL;
}

bool vmm_translate(struct addr_space *as, vaddr_t va, paddr_t *pa_out, unsigned *flags)
{
	if (!is_canonical(va.raw))
		return false;
	struct spinlock *l = lock_for(as, va.raw);
	irqflags_t f = spin_lock_irqsave(l);
	int lvl = 0;
	uint64_t *e = find_leaf(as, va.raw, &lvl);
	bool found = e != NULL;

	if (found) {
		uint64_t span = pt_span(lvl);
		uint64_t base = *e & PTE_ADDR & ~(span - 1);
		if (pa_out)
			*pa_out = pa(base + (va.raw & (span - 1)));
		if (flags)
			*flags = flags_of(*e, lvl > 1);
	}
	spin_unlock_irqrestore(l, f);
	return found;
}

/* Is nothing mapped in [va, last] (inclusive) below the table t at level lvl? */
static bool empty_walk(const uint64_t *t, int lvl, uint64_t va, uint64_t last)
{
	for (uint64_t v = va;;) {
		uint64_t sub_last = MIN(v | (pt_span(lvl) - 1), last);
		uint64_t e = t[pt_index(v, lvl)];

		if ((e & PTE_P) && (lvl == 1 || (e & PTE_PS) ||
				    !empty_walk(table_at(e), lvl - 1, v, sub_last)))
			return false;
		if (sub_last == last)
			return true;
		v = sub_last + 1;
	}
}

bool vmm_range_empty(struct addr_space *as, vaddr_t va, size_t size)
{
	assert(size && !in_kernel_half(va.raw) && !in_kernel_half(va.raw + size - 1));
	irqflags_t f = spin_lock_irqsave(&as->lock);
	bool empty = empty_walk(root_of(as), 4, va.raw, va.raw + size - 1);
	spin_unlock_irqrestore(&as->lock, f);
	return empty;
}

#if MNOS_DEBUG
/* What the counts stand for: debug builds check them against the table itself. */
static bool table_empty(const uint64_t *t)
{
	for (int i = 0; i < PT_ENTRIES; i++)
		if (t[i])
			return false;
	return true;
}
#endif

/* Map one page (4 KiB, or 2 MiB when large), creating tables on the way. */
static kerr_t map_one(struct addr_space *as, uint64_t va, uint64_t phys, uint64_t bits,
		      bool large)
{
	uint64_t *t = root_of(as), *up = NULL;     /* up: the entry counting t's */
	int leaf_level = large ? 2 : 1;
	uint64_t table_bits = PTE_P | PTE_W | (in_kernel_half(va) ? 0 : PTE_U);

	for (int lvl = 4; lvl > leaf_level; lvl--) {
		uint64_t *e = &t[pt_index(va, lvl)];
		if (!(*e & PTE_P)) {
			paddr_t n = pmm_alloc_zeroed();
			if (!n.raw)
				return E_NO_MEMORY;
			as->table_pages++;
			*e = n.raw | table_bits;        /* its count: 0 */
			count_inc(up);
		} else if (*e & PTE_PS) {
			return E_EXISTS;
		}
		up = count_holder(e, lvl, va);
		t = table_at(*e);
	}
	uint64_t *leaf = &t[pt_index(va, leaf_level)];
	if (*leaf & PTE_P)
		return E_EXISTS;
	*leaf = phys | bits | (large ? PTE_PS : 0);
	count_inc(up);
	return E_OK;
}

/*
 * Clear the mappings in [va, last] (inclusive, so the top of the address space needs no
 * overflow care) below the table t at level lvl, whose count entry up keeps (NULL for
 * none), freeing tables that become empty.
 */
static void unmap_walk(struct addr_space *as, uint64_t *t, int lvl, uint64_t va,
		       uint64_t last, struct flush *fl, uint64_t *up)
{
	for (uint64_t v = va;;) {
		uint64_t entry_last = v | (pt_span(lvl) - 1);
		uint64_t sub_last = MIN(entry_last, last);
		uint64_t *e = &t[pt_index(v, lvl)];

		if (*e & PTE_P) {
			if (lvl == 1 || (*e & PTE_PS)) {
				flush_add(fl, v & ~(pt_span(lvl) - 1), pt_span(lvl), *e & PTE_G);
				*e = 0;
				count_dec(up);
			} else {
				uint64_t *child = table_at(*e);
				/* The kernel half's PDPTs are permanent: every address space
				 * shares them through its copy of the PML4. They keep no
				 * count. */
				uint64_t *holder = count_holder(e, lvl, v);
				unmap_walk(as, child, lvl - 1, v, sub_last, fl, holder);
				if (holder && table_count(holder) == 0) {
#if MNOS_DEBUG
					assert(table_empty(child));
#endif
					paddr_t p = pa(*e & PTE_ADDR);
					*e = 0;
					count_dec(up);
					as->table_pages--;
					free_table_later(fl, p);
				}
			}
		}
		if (sub_last == last)
			return;
		v = sub_last + 1;
	}
}

/* Large pages partly inside [va, last] cannot be unmapped in part. */
static bool splits_large_page(struct addr_space *as, uint64_t va, uint64_t last)
{
	int lvl;
	uint64_t *e = find_leaf(as, va, &lvl);

	if (e && lvl > 1 && !IS_ALIGNED(va, pt_span(lvl)))
		return true;
	e = find_leaf(as, last, &lvl);
	return e && lvl > 1 && ((last + 1) & (pt_span(lvl) - 1)) != 0;
}

kerr_t vmm_unmap(struct addr_space *as, vaddr_t va, size_t size)
{
	kerr_t err = check_range(as, va.raw, size, 0, false);
	if (err)
		return err;

	struct flush fl = { .n = 0 };
	uint64_t last = va.raw + size - 1;
	struct spinlock *l = lock_for(as, va.raw);
	irqflags_t f = spin_lock_irqsave(l);
	if (splits_large_page(as, va.raw, last))
		err = E_INVAL;
	else
		unmap_walk(as, root_of(as), 4, va.raw, last, &fl, NULL);
	spin_unlock_irqrestore(l, f);
	flush_finish(as, &fl);
	return err;
}

/* The entry for va at level lvl, if every table above it exists; NULL otherwise (or
 * when a large page sits above it). Creates nothing. */
static uint64_t *entry_at(struct addr_space *as, uint64_t va, int lvl)
{
	uint64_t *t = root_of(as);

	for (int k = 4; k > lvl; k--) {
		uint64_t e = t[pt_index(va, k)];
		if (!(e & PTE_P) || (e & PTE_PS))
			return NULL;
		t = table_at(e);
	}
	return &t[pt_index(va, lvl)];
}

/*
 * Map size bytes at va, checked (check_range), in pages of step bytes: page i at
 * frames[i], or at pa_ + i * step when frames is NULL.
 */
static kerr_t map_range(struct addr_space *as, vaddr_t va, paddr_t pa_, const paddr_t *frames,
			size_t size, unsigned flags)
{
	kerr_t err = E_OK;
	bool large = flags & VM_LARGE;
	uint64_t step = large ? LARGE_PAGE_SIZE : PAGE_SIZE;
	uint64_t bits = leaf_bits(flags);
	struct spinlock *l = lock_for(as, va.raw);
	irqflags_t f = spin_lock_irqsave(l);

	/* Check that the whole range is free before mapping any of it. A large page also
	 * needs its slot in the page directory empty: not even an empty table there. */
	for (uint64_t off = 0; off < size && !err; off += step) {
		int lvl;
		uint64_t *slot = large ? entry_at(as, va.raw + off, 2) : NULL;
		if (find_leaf(as, va.raw + off, &lvl) || (slot && (*slot & PTE_P)))
			err = E_EXISTS;
	}
	if (err) {
		spin_unlock_irqrestore(l, f);
		return err;
	}
	for (uint64_t done = 0, i = 0; !err && done < size; done += step, i++)
		err = map_one(as, va.raw + done, frames ? frames[i].raw : pa_.raw + done, bits,
			      large);
	struct flush fl = { .n = 0 };
	if (err) {
		/* Out of memory half-way. The range held nothing before, so unmapping all
		 * of it undoes exactly this call, page tables included. */
		unmap_walk(as, root_of(as), 4, va.raw, va.raw + size - 1, &fl, NULL);
	}
	spin_unlock_irqrestore(l, f);
	flush_finish(as, &fl);
	return err;
}

kerr_t vmm_map(struct addr_space *as, vaddr_t va, paddr_t pa_, size_t size, unsigned flags)
{
	kerr_t err = check_range(as, va.raw, size, flags, true);
	uint64_t step = flags & VM_LARGE ? LARGE_PAGE_SIZE : PAGE_SIZE;

	if (err)
		return err;
	if (!IS_ALIGNED(pa_.raw, step) || pa_.raw + size < pa_.raw ||
	    pa_.raw + size > MEMMAP_PHYS_LIMIT)
		return E_INVAL;
	return map_range(as, va, pa_, NULL, size, flags);
}

kerr_t vmm_map_frames(struct addr_space *as, vaddr_t va, const paddr_t *frames, size_t n,
		      unsigned flags)
{
	if (flags & VM_LARGE || n == 0 || n > (1ull << 52) / PAGE_SIZE)
		return E_INVAL;
	kerr_t err = check_range(as, va.raw, n * PAGE_SIZE, flags, true);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++)
		if (!IS_ALIGNED(frames[i].raw, PAGE_SIZE) ||
		    frames[i].raw > MEMMAP_PHYS_LIMIT - PAGE_SIZE)
			return E_INVAL;
	return map_range(as, va, PADDR_NULL, frames, n * PAGE_SIZE, flags);
}

kerr_t vmm_protect(struct addr_space *as, vaddr_t va, size_t size, unsigned flags)
{
	kerr_t err = check_range(as, va.raw, size, flags & ~VM_LARGE, true);
	if (err)
		return err;

	struct flush fl = { .n = 0 };
	uint64_t bits = leaf_bits(flags);
	struct spinlock *l = lock_for(as, va.raw);
	irqflags_t f = spin_lock_irqsave(l);

	for (uint64_t off = 0; off < size && !err; off += PAGE_SIZE) {
		int lvl;
		if (!find_leaf(as, va.raw + off, &lvl))
			err = E_NOT_FOUND;
	}
	if (!err && splits_large_page(as, va.raw, va.raw + size - 1))
		err = E_INVAL;
	for (uint64_t off = 0; !err && off < size;) {
		int lvl;
		uint64_t *e = find_leaf(as, va.raw + off, &lvl);
		uint64_t keep = *e & (PTE_ADDR | PTE_PS | PTE_A | PTE_D);
		*e = keep | bits;
		flush_add(&fl, va.raw + off, pt_span(lvl), true);
		off += pt_span(lvl);
	}
	spin_unlock_irqrestore(l, f);
	if (!err)
		flush_finish(as, &fl);
	return err;
}

void *vmm_map_phys(paddr_t p, size_t size, unsigned flags)
{
	uint64_t base = ALIGN_DOWN(p.raw, (uint64_t)PAGE_SIZE);
	uint64_t end = ALIGN_UP(p.raw + size, (uint64_t)PAGE_SIZE);

	if (size == 0 || p.raw + size < p.raw || (flags & (VM_EXEC | VM_USER)))
		return NULL;
	irqflags_t f = spin_lock_irqsave(&kernel_as.lock);
	uint64_t where = mmio_next;
	if (end - base > KVA_MMIO_END - where) {
		spin_unlock_irqrestore(&kernel_as.lock, f);
		return NULL;
	}
	/* Leave an unmapped page after each mapping, so overruns fault. */
	mmio_next += end - base + PAGE_SIZE;
	spin_unlock_irqrestore(&kernel_as.lock, f);

	if (vmm_map(&kernel_as, va(where), pa(base), end - base, flags | VM_GLOBAL) != E_OK)
		return NULL;
	return (void *)(uintptr_t)(where + (p.raw - base));
}

/* ---- audit ---- */

static void audit_walk(const uint64_t *t, int lvl, uint64_t *bad, uint64_t *checked)
{
	for (int i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = t[i];
		if (!(e & PTE_P))
			continue;
		if (lvl == 1 || (e & PTE_PS)) {
			(*checked)++;
			if ((e & PTE_W) && !(e & PTE_NX))
				(*bad)++;
		} else {
			audit_walk(table_at(e), lvl - 1, bad, checked);
		}
	}
}

uint64_t vmm_audit_wx(struct addr_space *as, uint64_t *checked)
{
	uint64_t bad = 0, n = 0;

	/* Two address-space locks: the user one first, then the kernel's. */
	irqflags_t f = spin_lock_irqsave(&as->lock);
	if (as != &kernel_as)
		spin_lock(&kernel_as.lock);
	audit_walk(root_of(as), 4, &bad, &n);
	if (as != &kernel_as)
		spin_unlock(&kernel_as.lock);
	spin_unlock_irqrestore(&as->lock, f);
	if (checked)
		*checked = n;
	/* Without NX every page is executable, so nothing writable is W^X-clean. */
	return bad;
}

/* ---- user address spaces ---- */

kerr_t as_create(struct addr_space *as)
{
	paddr_t root = pmm_alloc();

	if (!root.raw)
		return E_NO_MEMORY;
	memset(as, 0, sizeof(*as));
	spin_init(&as->lock, "addr_space");
	as->root = root;
	/* An empty user half, and the kernel half shared: its PML4 entries never change
	 * after boot. Each half written once, not zeroed first. */
	uint64_t *t = phys_to_virt(root);
	memset(t, 0, 256 * sizeof(uint64_t));
	memcpy(t + 256, root_of(&kernel_as) + 256, 256 * sizeof(uint64_t));
	return E_OK;
}

/* Free the tables below t, a table at level lvl with n entries present (its count). */
static void free_tables(uint64_t *t, int lvl, unsigned n, uint64_t *count)
{
	for (int i = 0; i < PT_ENTRIES && n; i++) {
		uint64_t e = t[i];
		if (!(e & PTE_P))
			continue;
		n--;
		if (lvl == 1 || (e & PTE_PS))
			continue;
		free_tables(table_at(e), lvl - 1, table_count(&t[i]), count);
		pmm_free(pa(e & PTE_ADDR));
		(*count)++;
	}
}

void as_destroy(struct addr_space *as)
{
	uint64_t *root = root_of(as);
	uint64_t freed = 0;

	assert(!as->kernel);
	assert(cpu_read_cr3() != as->root.raw);
	/* Only the user half: entries 0..255. The frames mapped there belong to whoever
	 * mapped them; only the tables are the address space's. The root keeps no count,
	 * but table_pages says when every table is found: usually at once, since a
	 * process's mappings are all removed first (mem_space_destroy), freeing the tables
	 * as they empty — a scan of 256 entries saved at each process's end. A DEBUG build
	 * scans them all, so the check below still catches a count that is wrong. */
	for (int i = 0; i < 256 && (MNOS_DEBUG || freed < as->table_pages); i++) {
		if (!(root[i] & PTE_P))
			continue;
		free_tables(table_at(root[i]), 3, table_count(&root[i]), &freed);
		pmm_free(pa(root[i] & PTE_ADDR));
		freed++;
	}
	assert(freed == as->table_pages);
	pmm_free(as->root);
	as->root = PADDR_NULL;
}

/* ---- phase 3: the kernel's page tables ---- */

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[], __ksyms_start[], __ksyms_end[];
extern char boot_stack_guard[];

static void map_or_panic(uint64_t virt, uint64_t phys, uint64_t size, unsigned flags,
			 const char *what)
{
	kerr_t e = vmm_map(&kernel_as, va(virt), pa(phys), size, flags);

	if (e != E_OK)
		panic("vmm: cannot map %s (%#llx..%#llx): %s", what, (unsigned long long)virt,
		      (unsigned long long)(virt + size), kerr_name(e));
}

/* The direct map of [base, end): 2 MiB pages where a whole one fits, 4 KiB elsewhere. */
static void map_direct(uint64_t base, uint64_t end)
{
	const unsigned fl = VM_WRITE | VM_GLOBAL;
	uint64_t b2 = ALIGN_UP(base, (uint64_t)LARGE_PAGE_SIZE);
	uint64_t e2 = ALIGN_DOWN(end, (uint64_t)LARGE_PAGE_SIZE);

	if (b2 >= e2) {
		map_or_panic(HHDM_BASE + base, base, end - base, fl, "direct map");
		return;
	}
	if (base < b2)
		map_or_panic(HHDM_BASE + base, base, b2 - base, fl, "direct map");
	map_or_panic(HHDM_BASE + b2, b2, e2 - b2, fl | VM_LARGE, "direct map");
	if (e2 < end)
		map_or_panic(HHDM_BASE + e2, e2, end - e2, fl, "direct map");
}

static struct mem_range ram[512];              /* [I] what the direct map covers */
static size_t ram_count;

bool vmm_in_direct_map(paddr_t p, size_t len)
{
	if (p.raw + len < p.raw)
		return false;
	for (size_t i = 0; i < ram_count; i++)
		if (p.raw >= ram[i].base && p.raw + len <= ram[i].end)
			return true;
	return false;
}

bool vmm_overlaps_direct_map(paddr_t p, size_t len)
{
	if (p.raw + len < p.raw)
		return true;
	for (size_t i = 0; i < ram_count; i++)
		if (p.raw < ram[i].end && p.raw + len > ram[i].base)
			return true;
	return false;
}

static void map_image(const char *start, const char *end, unsigned flags, const char *what)
{
	uint64_t s = (uint64_t)(uintptr_t)start, e = (uint64_t)(uintptr_t)end;

	if (e > s)
		map_or_panic(s, s - KERNEL_VMA, e - s, flags | VM_GLOBAL, what);
}

void vmm_init(void)
{
	struct cpuid_regs ext = cpu_cpuid(0x80000001, 0), std = cpu_cpuid(1, 0);

	nx_supported = ext.edx & (1u << 20);
	if (!nx_supported)
		pr_warn("vmm: this CPU has no NX bit: data pages stay executable");
	if (std.edx & (1u << 16))
		cpu_wrmsr(MSR_PAT, PAT_VALUE);
	else
		pr_warn("vmm: no PAT: the framebuffer will be mapped uncached, not write-combining");
	if (std.edx & (1u << 13))
		cpu_write_cr4(cpu_read_cr4() | CR4_PGE);

	kernel_as.root = pmm_alloc_zeroed();
	if (!kernel_as.root.raw)
		panic("vmm: no memory for the kernel page tables");
	uint64_t *root = root_of(&kernel_as);
	for (int i = 256; i < PT_ENTRIES; i++) {
		paddr_t pdpt = pmm_alloc_zeroed();
		if (!pdpt.raw)
			panic("vmm: no memory for the kernel page tables");
		root[i] = pdpt.raw | PTE_P | PTE_W;
		kernel_as.table_pages++;
	}

	bool truncated;
	ram_count = memmap_ram(boot_info.mem, boot_info.mem_count, ram, ARRAY_SIZE(ram),
			       &truncated);
	for (size_t i = 0; i < ram_count; i++)
		map_direct(ram[i].base, ram[i].end);

	/* The kernel image, W^X: text R+X, rodata R, data and bss R+W, the symbol table R.
	 * The page under the boot stack stays unmapped, so an overflow faults. */
	map_image(__text_start, __text_end, VM_EXEC, "kernel text");
	map_image(__rodata_start, __rodata_end, 0, "kernel rodata");
	map_image(__data_start, boot_stack_guard, VM_WRITE, "kernel data");
	map_image(boot_stack_guard + PAGE_SIZE, __data_end, VM_WRITE, "kernel bss");
	map_image(__ksyms_start, __ksyms_end, 0, "kernel symbols");
}

void vmm_switch_to_kernel_tables(void)
{
	/* The boot tables' identity map and their writable, executable image mapping end
	 * here; from now on only the tables built above are in use. */
	cpu_write_cr3(kernel_as.root.raw);
}
