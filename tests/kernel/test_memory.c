/*
 * In-guest tests of phase 3: the frame allocator on the real memory map, the kernel's
 * page tables (W^X, guard page, no identity map), and the VMM operations on the live
 * tables, including TLB invalidation and the freeing of empty page tables.
 */
#include <ktest.h>
#include "settle.h"
#include <thread.h>
#include <pmm.h>
#include <spinlock.h>
#include <vmm.h>
#include <klib.h>
#include <log.h>
#include <arch/cpu.h>
#include <arch/paging.h>

extern char __text_start[], __rodata_start[], __data_start[], boot_stack_guard[];
extern char boot_stack_bottom[], __ksyms_start[], __kernel_end[];

static bool mapped(const void *p, unsigned *flags)
{
	return vmm_translate(&kernel_as, va((uint64_t)(uintptr_t)p), NULL, flags);
}

KTEST(vmm, kernel_image_is_wx)
{
	unsigned f;

	KT_ASSERT(mapped(__text_start, &f));
	KT_EXPECT((f & VM_EXEC) && !(f & VM_WRITE));
	KT_ASSERT(mapped(__rodata_start, &f));
	KT_EXPECT(!(f & VM_EXEC) && !(f & VM_WRITE));
	KT_ASSERT(mapped(__data_start, &f));
	KT_EXPECT(!(f & VM_EXEC) && (f & VM_WRITE));
	KT_ASSERT(mapped(boot_stack_bottom, &f));
	KT_EXPECT(!(f & VM_EXEC) && (f & VM_WRITE));
	KT_ASSERT(mapped(__ksyms_start, &f));
	KT_EXPECT(!(f & VM_EXEC) && !(f & VM_WRITE));
	KT_EXPECT(f & VM_GLOBAL);
}

KTEST(vmm, wx_audit_is_clean)
{
	uint64_t checked = 0;

	KT_EXPECT_EQ(vmm_audit_wx(&kernel_as, &checked), 0);
	KT_EXPECT(checked > 100);
}

KTEST(vmm, boot_mappings_are_gone)
{
	unsigned f;

	KT_EXPECT(!mapped(boot_stack_guard, &f));       /* the boot stack's guard page */
	KT_EXPECT(!vmm_translate(&kernel_as, va(KERNEL_PHYS_BASE), NULL, NULL)); /* identity */
	KT_EXPECT(!vmm_translate(&kernel_as, va(0), NULL, NULL));
	KT_EXPECT_EQ(cpu_read_cr3(), kernel_as.root.raw);
	KT_EXPECT(cpu_read_cr4() & CR4_PGE);
}

KTEST(vmm, direct_map_covers_ram_and_is_nx)
{
	size_t n;
	const struct mem_range *r = pmm_usable_ranges(&n);
	paddr_t p;
	unsigned f;

	KT_ASSERT(n > 0);
	for (size_t i = 0; i < n; i++) {
		uint64_t probes[] = { r[i].base, (r[i].base + r[i].end) / 2 & ~0xfffull,
				      r[i].end - PAGE_SIZE };
		for (size_t k = 0; k < 3; k++) {
			KT_ASSERT(vmm_translate(&kernel_as, va(HHDM_BASE + probes[k]), &p, &f));
			KT_EXPECT_EQ(p.raw, probes[k]);
			KT_EXPECT((f & VM_WRITE) && !(f & VM_EXEC));
		}
	}
}

/* A fresh 1 GiB-aligned test slot, so its page tables are created and freed by us. */
#define SLOT (KVA_TEST_BASE + 0x40000000)

KTEST(vmm, map_translate_unmap_round_trip)
{
	uint64_t tables = kernel_as.table_pages;
	struct pmm_stats before = pmm_get_stats();
	paddr_t frame = pmm_alloc_zeroed(), p;
	unsigned f;

	KT_ASSERT(frame.raw);
	KT_ASSERT_EQ(vmm_map(&kernel_as, va(SLOT + 0x5000), frame, PAGE_SIZE, VM_WRITE), E_OK);
	KT_EXPECT_EQ(kernel_as.table_pages, tables + 2);        /* a PD and a page table */
	KT_ASSERT(vmm_translate(&kernel_as, va(SLOT + 0x5123), &p, &f));
	KT_EXPECT_EQ(p.raw, frame.raw + 0x123);
	KT_EXPECT((f & VM_WRITE) && !(f & VM_EXEC) && !(f & VM_USER));

	/* The mapping reaches the frame: write through it, read through the direct map. */
	*(volatile uint64_t *)(SLOT + 0x5008) = 0x1234567890abcdefull;
	KT_EXPECT_EQ(((uint64_t *)phys_to_virt(frame))[1], 0x1234567890abcdefull);

	KT_EXPECT_EQ(vmm_map(&kernel_as, va(SLOT + 0x5000), frame, PAGE_SIZE, 0), E_EXISTS);
	KT_EXPECT_EQ(vmm_map(&kernel_as, va(SLOT + 0x4000), frame, 2 * PAGE_SIZE, 0), E_EXISTS);
	KT_EXPECT(!vmm_translate(&kernel_as, va(SLOT + 0x4000), NULL, NULL)); /* untouched */
	KT_EXPECT_EQ(vmm_unmap(&kernel_as, va(SLOT), 0x10000), E_OK);     /* holes are fine */
	KT_EXPECT(!vmm_translate(&kernel_as, va(SLOT + 0x5000), NULL, NULL));
	KT_EXPECT_EQ(kernel_as.table_pages, tables);            /* empty tables freed */
	pmm_free(frame);
	KT_EXPECT_EQ(pmm_get_stats().free, before.free);
}

KTEST(vmm, rejects_bad_requests)
{
	paddr_t frame = pmm_alloc();

	KT_ASSERT(frame.raw);
	KT_EXPECT_EQ(vmm_map(&kernel_as, va(SLOT + 1), frame, PAGE_SIZE, 0), E_INVAL);
	KT_EXPECT_EQ(vmm_map(&kernel_as, va(SLOT), pa(frame.raw + 8), PAGE_SIZE, 0), E_INVAL);
	KT_EXPECT_EQ(vmm_map(&kernel_as, va(SLOT), frame, 100, 0), E_INVAL);
	KT_EXPECT_EQ(vmm_map(&kernel_as, va(SLOT), frame, 0, 0), E_INVAL);
	KT_EXPECT_EQ(vmm_map(&kernel_as, va(SLOT), frame, PAGE_SIZE, VM_WRITE | VM_EXEC), E_INVAL);
	KT_EXPECT_EQ(vmm_map(&kernel_as, va(SLOT), frame, PAGE_SIZE, VM_USER), E_INVAL);
	KT_EXPECT_EQ(vmm_map(&kernel_as, va(0x400000), frame, PAGE_SIZE, 0), E_RANGE);
	KT_EXPECT_EQ(vmm_map(&kernel_as, va(0x0000800000000000ull), frame, PAGE_SIZE, 0), E_RANGE);
	KT_EXPECT_EQ(vmm_map(&kernel_as, va(0xfffffffffffff000ull), frame, 2 * PAGE_SIZE, 0),
		     E_RANGE);                                  /* wraps */
	KT_EXPECT_EQ(vmm_protect(&kernel_as, va(SLOT), PAGE_SIZE, 0), E_NOT_FOUND);
	KT_EXPECT_EQ(vmm_unmap(&kernel_as, va(SLOT + 7), PAGE_SIZE), E_INVAL);
	KT_EXPECT(!vmm_translate(&kernel_as, va(SLOT), NULL, NULL));
	pmm_free(frame);
}

/* Scattered frames as one run: each page where its frame is, across a page-table
 * boundary; refused whole (bad frame, something in the way) leaving nothing. */
KTEST(vmm, map_frames_maps_each_page_to_its_frame)
{
	uint64_t tables = kernel_as.table_pages;
	struct pmm_stats before = pmm_get_stats();
	uint64_t at = SLOT + (2ull << 20) - 2 * PAGE_SIZE;      /* pages 3, 4 in the next PT */
	paddr_t fr[4], p;
	unsigned f;

	for (int i = 0; i < 4; i++)
		KT_ASSERT((fr[3 - i] = pmm_alloc()).raw);       /* in no particular order */
	KT_ASSERT_EQ(vmm_map_frames(&kernel_as, va(at), fr, 4, VM_WRITE), E_OK);
	for (int i = 0; i < 4; i++) {
		KT_ASSERT(vmm_translate(&kernel_as, va(at + i * PAGE_SIZE + 8), &p, &f));
		KT_EXPECT_EQ(p.raw, fr[i].raw + 8);
		KT_EXPECT((f & VM_WRITE) && !(f & VM_EXEC));
	}
	KT_EXPECT(!vmm_translate(&kernel_as, va(at - PAGE_SIZE), NULL, NULL));
	KT_EXPECT(!vmm_translate(&kernel_as, va(at + 4 * PAGE_SIZE), NULL, NULL));
	/* Over the last page: refused, and the page before it, free, stays so. */
	KT_EXPECT_EQ(vmm_map_frames(&kernel_as, va(at - PAGE_SIZE), fr, 2, 0), E_EXISTS);
	KT_EXPECT(!vmm_translate(&kernel_as, va(at - PAGE_SIZE), NULL, NULL));
	KT_EXPECT_EQ(vmm_unmap(&kernel_as, va(at), 4 * PAGE_SIZE), E_OK);
	/* Bad requests: an unaligned or impossible frame, none, too many, W+X, user. */
	paddr_t bad[2] = { fr[0], pa(fr[1].raw + 8) };
	KT_EXPECT_EQ(vmm_map_frames(&kernel_as, va(at), bad, 2, 0), E_INVAL);
	bad[1] = pa(0xfffffffffffff000ull);
	KT_EXPECT_EQ(vmm_map_frames(&kernel_as, va(at), bad, 2, 0), E_INVAL);
	KT_EXPECT_EQ(vmm_map_frames(&kernel_as, va(at), fr, 0, 0), E_INVAL);
	KT_EXPECT_EQ(vmm_map_frames(&kernel_as, va(at), fr, 1ull << 62, 0), E_INVAL);
	KT_EXPECT_EQ(vmm_map_frames(&kernel_as, va(at), fr, 4, VM_WRITE | VM_EXEC), E_INVAL);
	KT_EXPECT_EQ(vmm_map_frames(&kernel_as, va(at), fr, 4, VM_USER), E_INVAL);
	KT_EXPECT(!vmm_translate(&kernel_as, va(at), NULL, NULL));
	KT_EXPECT_EQ(kernel_as.table_pages, tables);
	for (int i = 0; i < 4; i++)
		pmm_free(fr[i]);
	KT_EXPECT_EQ(pmm_get_stats().free, before.free);
}

KTEST(vmm, protect_changes_flags)
{
	paddr_t frame = pmm_alloc();
	unsigned f;

	KT_ASSERT(frame.raw);
	KT_ASSERT_EQ(vmm_map(&kernel_as, va(SLOT), frame, PAGE_SIZE, VM_WRITE), E_OK);
	*(volatile uint32_t *)SLOT = 1;                 /* puts a writable entry in the TLB */
	KT_EXPECT_EQ(vmm_protect(&kernel_as, va(SLOT), PAGE_SIZE, VM_EXEC), E_OK);
	KT_ASSERT(vmm_translate(&kernel_as, va(SLOT), NULL, &f));
	KT_EXPECT((f & VM_EXEC) && !(f & VM_WRITE));
	KT_EXPECT_EQ(vmm_protect(&kernel_as, va(SLOT), PAGE_SIZE, VM_WRITE | VM_EXEC), E_INVAL);
	KT_EXPECT_EQ(vmm_protect(&kernel_as, va(SLOT), 2 * PAGE_SIZE, 0), E_NOT_FOUND);
	KT_EXPECT_EQ(vmm_protect(&kernel_as, va(SLOT), PAGE_SIZE, VM_WRITE | VM_UC), E_OK);
	KT_ASSERT(vmm_translate(&kernel_as, va(SLOT), NULL, &f));
	KT_EXPECT((f & VM_UC) && (f & VM_WRITE) && !(f & VM_EXEC));
	KT_EXPECT_EQ(vmm_protect(&kernel_as, va(SLOT), PAGE_SIZE, VM_WC), E_OK);
	KT_ASSERT(vmm_translate(&kernel_as, va(SLOT), NULL, &f));
	KT_EXPECT((f & VM_WC) && !(f & VM_UC));
	KT_EXPECT_EQ(vmm_unmap(&kernel_as, va(SLOT), PAGE_SIZE), E_OK);
	pmm_free(frame);
}

/* Remapping a virtual page to another frame must not read the old frame through a
 * stale TLB entry: the unmap invalidated exactly that page. */
KTEST(vmm, unmap_invalidates_the_tlb)
{
	paddr_t a = pmm_alloc_zeroed(), b = pmm_alloc_zeroed();
	volatile uint64_t *v = (volatile uint64_t *)SLOT;

	KT_ASSERT(a.raw && b.raw);
	*(uint64_t *)phys_to_virt(a) = 0xaaaa;
	*(uint64_t *)phys_to_virt(b) = 0xbbbb;
	/* A neighbour keeps the page table alive, so the unmap below invalidates just the
	 * one page instead of flushing everything when the table is freed. */
	KT_ASSERT_EQ(vmm_map(&kernel_as, va(SLOT + 0x10000), a, PAGE_SIZE, 0), E_OK);
	for (int round = 0; round < 4; round++) {
		paddr_t fr = round % 2 ? b : a;
		KT_ASSERT_EQ(vmm_map(&kernel_as, va(SLOT), fr, PAGE_SIZE, VM_WRITE), E_OK);
		KT_EXPECT_EQ(*v, round % 2 ? 0xbbbb : 0xaaaa);
		KT_ASSERT_EQ(vmm_unmap(&kernel_as, va(SLOT), PAGE_SIZE), E_OK);
	}
	KT_EXPECT_EQ(vmm_unmap(&kernel_as, va(SLOT + 0x10000), PAGE_SIZE), E_OK);
	pmm_free(a);
	pmm_free(b);
}

KTEST(vmm, large_pages)
{
	paddr_t run = pmm_alloc_contig(512, LARGE_PAGE_SIZE), p;
	unsigned f;
	uint64_t tables = kernel_as.table_pages;

	KT_ASSERT(run.raw);
	KT_EXPECT_EQ(run.raw % LARGE_PAGE_SIZE, 0);
	KT_EXPECT_EQ(vmm_map(&kernel_as, va(SLOT + 0x1000), run, LARGE_PAGE_SIZE,
			     VM_WRITE | VM_LARGE), E_INVAL);            /* misaligned */
	KT_ASSERT_EQ(vmm_map(&kernel_as, va(SLOT), run, LARGE_PAGE_SIZE, VM_WRITE | VM_LARGE),
		     E_OK);
	KT_EXPECT_EQ(kernel_as.table_pages, tables + 1);        /* a PD only, no page table */
	KT_ASSERT(vmm_translate(&kernel_as, va(SLOT + 0x1ff123), &p, &f));
	KT_EXPECT_EQ(p.raw, run.raw + 0x1ff123);
	KT_EXPECT(f & VM_LARGE);
	((volatile uint8_t *)SLOT)[0x1ff123] = 0x5a;
	KT_EXPECT_EQ(((uint8_t *)phys_to_virt(run))[0x1ff123], 0x5a);
	KT_EXPECT_EQ(vmm_map(&kernel_as, va(SLOT + 0x3000), run, PAGE_SIZE, 0), E_EXISTS);
	KT_EXPECT_EQ(vmm_unmap(&kernel_as, va(SLOT), PAGE_SIZE), E_INVAL);   /* only whole */
	KT_EXPECT_EQ(vmm_protect(&kernel_as, va(SLOT), LARGE_PAGE_SIZE, 0), E_OK);
	KT_ASSERT(vmm_translate(&kernel_as, va(SLOT + 0x1000), NULL, &f));
	KT_EXPECT(!(f & VM_WRITE) && (f & VM_LARGE));
	KT_EXPECT_EQ(vmm_unmap(&kernel_as, va(SLOT), LARGE_PAGE_SIZE), E_OK);
	KT_EXPECT(!vmm_translate(&kernel_as, va(SLOT), NULL, NULL));
	KT_EXPECT_EQ(kernel_as.table_pages, tables);
	/* A 4 KiB mapping's page table is in the way of a large page. */
	KT_ASSERT_EQ(vmm_map(&kernel_as, va(SLOT + 0x3000), run, PAGE_SIZE, 0), E_OK);
	KT_EXPECT_EQ(vmm_map(&kernel_as, va(SLOT), run, LARGE_PAGE_SIZE, VM_LARGE), E_EXISTS);
	KT_EXPECT_EQ(vmm_unmap(&kernel_as, va(SLOT), LARGE_PAGE_SIZE), E_OK);
	pmm_free_contig(run, 512);
}

KTEST(vmm, user_address_space_lifecycle)
{
	struct pmm_stats before = pmm_get_stats();
	struct addr_space as;
	paddr_t frame = pmm_alloc_zeroed(), p;
	unsigned f;

	KT_ASSERT(frame.raw);
	KT_ASSERT_EQ(as_create(&as), E_OK);
	KT_EXPECT_EQ(vmm_map(&as, va(0x1000), frame, PAGE_SIZE, VM_USER), E_RANGE);  /* page 0..4M */
	KT_EXPECT_EQ(vmm_map(&as, va(USER_TOP), frame, PAGE_SIZE, VM_USER), E_RANGE);
	KT_EXPECT_EQ(vmm_map(&as, va(0x400000), frame, PAGE_SIZE, 0), E_INVAL);      /* no USER */
	KT_EXPECT_EQ(vmm_map(&as, va(0x400000), frame, PAGE_SIZE, VM_USER | VM_GLOBAL), E_INVAL);
	KT_ASSERT_EQ(vmm_map(&as, va(0x400000), frame, PAGE_SIZE, VM_USER | VM_WRITE), E_OK);
	KT_ASSERT_EQ(vmm_map(&as, va(USER_TOP - PAGE_SIZE), frame, PAGE_SIZE, VM_USER), E_OK);
	KT_EXPECT_EQ(as.table_pages, 6);        /* two PDPT/PD/PT chains */
	KT_ASSERT(vmm_translate(&as, va(0x400010), &p, &f));
	KT_EXPECT_EQ(p.raw, frame.raw + 0x10);
	KT_EXPECT(f & VM_USER);
	/* The kernel half is shared: the kernel's text is visible through it. */
	KT_EXPECT(vmm_translate(&as, va((uint64_t)(uintptr_t)__text_start), NULL, &f));
	KT_EXPECT(!vmm_translate(&kernel_as, va(0x400000), NULL, NULL));
	/* Switch to it and back: the kernel keeps running on the shared half. */
	struct addr_space *mine = thread_current()->proc->as;
	irqflags_t fl = irq_save();             /* no switch to another thread meanwhile */
	as_switch(mine, &as, arch_cpu_id());
	KT_EXPECT_EQ(cpu_read_cr3(), as.root.raw);
	KT_EXPECT(as.active_cpus & (1ull << arch_cpu_id()));
	as_switch(&as, mine, arch_cpu_id());
	irq_restore(fl);
	KT_EXPECT_EQ(cpu_read_cr3(), mine->root.raw);
	/* The set is left lazily: the first flush finds this CPU elsewhere and takes it out. */
	KT_EXPECT(as.active_cpus & (1ull << arch_cpu_id()));
	KT_EXPECT_EQ(vmm_unmap(&as, va(USER_TOP - PAGE_SIZE), PAGE_SIZE), E_OK);
	KT_EXPECT_EQ(as.active_cpus, 0);
	KT_EXPECT_EQ(as.table_pages, 3);
	as_destroy(&as);                        /* frees the remaining tables */
	pmm_free(frame);
	KT_EXPECT_EQ(pmm_get_stats().free, before.free);
}

KTEST(vmm, map_phys_for_mmio)
{
	/* The first MiB is not in the direct map; map_phys reaches it (the BIOS area). */
	uint8_t *p = vmm_map_phys(pa(0xf0010), 0x20, VM_UC);
	unsigned f;
	paddr_t where;

	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ((uintptr_t)p & 0xfff, 0x010);
	KT_ASSERT(vmm_translate(&kernel_as, va((uint64_t)(uintptr_t)p), &where, &f));
	KT_EXPECT_EQ(where.raw, 0xf0010);
	KT_EXPECT((f & VM_UC) && !(f & VM_EXEC) && !(f & VM_WRITE));
	KT_EXPECT(vmm_map_phys(pa(0x1000), 16, VM_EXEC) == NULL);
	KT_EXPECT(vmm_map_phys(pa(0x1000), 0, 0) == NULL);
}

KTEST(pmm, every_free_frame_round_trip)
{
	/* No thread of an earlier test may free frames into a cache meanwhile. */
	settle_all_threads();
	struct pmm_stats before = pmm_get_stats();
	uint64_t n = 0;
	paddr_t first = PADDR_NULL, prev = PADDR_NULL, f;

	/* Take every free frame, chaining them through their first word, then give them
	 * all back: the statistics must return exactly. */
	while ((f = pmm_alloc()).raw) {
		*(uint64_t *)phys_to_virt(f) = prev.raw;
		prev = f;
		if (!first.raw)
			first = f;
		n++;
	}
	KT_EXPECT_EQ(n, before.free);
	KT_EXPECT_EQ(pmm_get_stats().free, 0);
	while (prev.raw) {
		paddr_t next = pa(*(uint64_t *)phys_to_virt(prev));
		pmm_free(prev);
		prev = next;
	}
	struct pmm_stats after = pmm_get_stats();
	KT_EXPECT_EQ(after.free, before.free);
	KT_EXPECT_EQ(after.total, before.total);
}

/* Running out, with the last frames in the cache of a CPU that spins with interrupts
 * off for a lock the allocating CPU holds: that CPU cannot take the drain IPI, and
 * gives its cache back from its spin loop (pmm_drain_poll), so every free frame is
 * still handed out, with no wait given up. Both ways of waiting for a lock
 * (spinlock.h) are tried. */
struct drain_race {
	struct spinlock lock;           /* the driver holds it; the spinner waits for it */
	volatile bool held;             /* the driver has it */
	volatile bool spinning;         /* the spinner, interrupts off, is at the lock */
	volatile uint64_t cached;       /* the spinner's cache, when it began to spin */
	uint64_t n, want, left, timeouts;
	bool queued;
};

#define DRIVER_CPU 0
#define SPINNER_CPU 1

static struct pmm_cache *cache_of(unsigned cpu)
{
	return cpu_locals[cpu].pmm_cache;
}

static void drain_spinner(void *arg)
{
	struct drain_race *d = arg;
	paddr_t f[20];

	while (!d->held)
		sched_sleep_ns(100000);
	/* Frames into this CPU's cache (taken, given back), then nothing but the spin. */
	irqflags_t fl = irq_save();
	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		f[i] = pmm_alloc();
	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		if (f[i].raw)
			pmm_free(f[i]);
	d->cached = cache_of(SPINNER_CPU)->count;
	d->spinning = true;
	spin_lock(&d->lock);
	spin_unlock(&d->lock);
	irq_restore(fl);
}

static void drain_driver(void *arg)
{
	struct drain_race *d = arg;
	paddr_t prev = PADDR_NULL, f;
	uint64_t end = clock_ns() + 2000000000ull;

	irqflags_t fl = irq_save();
	spin_lock(&d->lock);
	d->held = true;
	/* Until the spinner is at the lock, interrupts off; waiting in ticket order, until
	 * it holds a ticket (first come, a waiter leaves no trace in the lock). */
	while (!d->spinning && clock_ns() < end)
		arch_spin_relax();
	while (spin_fifo && __atomic_load_n(&d->lock.next, __ATOMIC_ACQUIRE) ==
	       d->lock.serving + 1 && clock_ns() < end)
		arch_spin_relax();
	d->queued = d->spinning && (!spin_fifo || __atomic_load_n(&d->lock.next,
							  __ATOMIC_ACQUIRE) == d->lock.serving + 2);
	d->timeouts = pmm_drain_timeouts();
	d->want = pmm_get_stats().free;
	while ((f = pmm_alloc()).raw) {
		*(uint64_t *)phys_to_virt(f) = prev.raw;
		prev = f;
		d->n++;
	}
	d->left = cache_of(SPINNER_CPU)->count;
	d->timeouts = pmm_drain_timeouts() - d->timeouts;
	while (prev.raw) {
		paddr_t next = pa(*(uint64_t *)phys_to_virt(prev));
		pmm_free(prev);
		prev = next;
	}
	spin_unlock(&d->lock);
	irq_restore(fl);
}

/* One race, with locks waited for in ticket order (fifo) or first come. Every lock
 * in the kernel meanwhile: the two ways mix safely. */
static void drain_race_waiting(bool fifo)
{
	static struct drain_race d;
	bool machine = spin_fifo;

	settle_all_threads();
	__atomic_store_n(&spin_fifo, fifo, __ATOMIC_SEQ_CST);
	memset(&d, 0, sizeof(d));
	spin_init(&d.lock, "drain-race");
	/* Both made before either runs: one alone would wait for the other for ever. */
	struct thread *t[2];
	bool made = make_pinned_pair(t, "spinner", drain_spinner, &d, SPINNER_CPU,
				     "driver", drain_driver, &d, DRIVER_CPU);
	if (made) {
		thread_launch(t[0]);
		thread_launch(t[1]);
		thread_join(t[1]);
		thread_join(t[0]);
	}
	__atomic_store_n(&spin_fifo, machine, __ATOMIC_SEQ_CST);
	KT_ASSERT(made);
	KT_EXPECT(d.queued);
	KT_EXPECT(d.cached > 0);                /* there was something to drain */
	KT_EXPECT_EQ(d.n, d.want);              /* every free frame, the cached ones too */
	KT_EXPECT_EQ(d.left, 0);
	KT_EXPECT_EQ(d.timeouts, 0);
	kprintf("# pmm: %s: %llu frames, %llu of them in the spinning CPU's cache\n",
		fifo ? "ticket order" : "first come", (unsigned long long)d.n,
		(unsigned long long)d.cached);
}

KTEST(pmm, exhaustion_drains_a_cpu_spinning_with_interrupts_off)
{
	if (sched_cpu_count() < 2) {
		ktest_skip("needs two CPUs");
		return;
	}
	drain_race_waiting(true);
	drain_race_waiting(false);
}

KTEST(pmm, zeroed_and_contiguous)
{
	paddr_t a = pmm_alloc();

	KT_ASSERT(a.raw);
	memset(phys_to_virt(a), 0xee, PAGE_SIZE);
	pmm_free(a);
	paddr_t z = pmm_alloc_zeroed();
	KT_EXPECT_EQ(z.raw, a.raw);                     /* lowest first: the same frame */
	uint8_t *p = phys_to_virt(z);
	bool zero = true;
	for (int i = 0; i < PAGE_SIZE; i++)
		zero &= p[i] == 0;
	KT_EXPECT(zero);
	pmm_free(z);

	paddr_t c = pmm_alloc_contig(16, 64 * 1024);
	KT_ASSERT(c.raw);
	KT_EXPECT_EQ(c.raw % (64 * 1024), 0);
	pmm_free_contig(c, 16);
	KT_EXPECT(pmm_alloc_contig(1, 3000).raw == 0);  /* alignment below a page */
}

KTEST(pmm, reserves_kernel_and_boot_data)
{
	struct pmm_stats s = pmm_get_stats();

	KT_EXPECT(s.reserved > 0);
	KT_EXPECT(s.total > s.reserved);
	/* Nothing handed out overlaps the kernel image or the first MiB. */
	paddr_t f = pmm_alloc();
	KT_ASSERT(f.raw);
	KT_EXPECT(f.raw >= 0x100000);
	KT_EXPECT(f.raw >= virt_to_phys(__kernel_end).raw);
	pmm_free(f);
}

KTEST_F(pmm, double_free_panics, KTEST_EXPLICIT)
{
	paddr_t f = pmm_alloc();

	pmm_free(f);
	pmm_free(f);                            /* DEBUG build: panics here */
	ktest_fail_at(__FILE__, __LINE__, "a double free did not panic");
}
