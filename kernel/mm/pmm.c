/*
 * The kernel's physical memory (pmm.h): built in phase 3 from the boot memory map.
 *
 * Usable RAM is what the map calls usable, minus everything else it lists, minus what
 * the kernel already occupies: the first MiB (BIOS data, real-mode trampolines later),
 * the kernel image, the boot loader's information block, the boot modules, and the
 * bitmap itself, which is carved out of the first usable range large enough below
 * 4 GiB (the boot page tables' direct map reaches no further).
 */
#include <failinj.h>
#include <pmm.h>
#include <memmap.h>
#include <klib.h>
#include <log.h>
#include <panic.h>
#include <time.h>
#include <arch/smp.h>
#include <arch/lapic.h>
#include <arch/trap.h>

#define MAX_RANGES 512
#define BOOT_MAPPED_TOP 0x100000000ull

extern char __kernel_end[];

static struct pmm pmm;
static struct pmm_cache caches[MAX_CPUS];       /* [this CPU, interrupts off] */
static struct mem_range usable[MAX_RANGES];     /* [I] after pmm_init */
static size_t usable_count;
static uint64_t usable_frames;

/* This CPU's cache, through GS: one load. Interrupts must be off while it is used. */
static inline struct pmm_cache *this_cache(void)
{
	struct pmm_cache *c;

	__asm__("movq %%gs:%c1, %0" : "=r"(c) : "i"(offsetof(struct cpu_local, pmm_cache)));
	return c;
}

static size_t reserve(struct mem_range *r, size_t n, uint64_t base, uint64_t end,
		      bool *truncated)
{
	return memmap_subtract(r, n, MAX_RANGES, ALIGN_DOWN(base, (uint64_t)PAGE_SIZE),
			       ALIGN_UP(end, (uint64_t)PAGE_SIZE), truncated);
}

void pmm_init(const struct boot_info *bi)
{
	static struct mem_range free_ranges[MAX_RANGES];
	bool truncated = false;

	usable_count = memmap_usable(bi->mem, bi->mem_count, usable, MAX_RANGES, &truncated);
	if (truncated)
		pr_warn("pmm: memory map too fragmented; some RAM is left unused");
	if (usable_count == 0)
		panic("pmm: the boot memory map lists no usable RAM");

	memcpy(free_ranges, usable, usable_count * sizeof(usable[0]));
	size_t n = usable_count;
	n = reserve(free_ranges, n, 0, 0x100000, &truncated);
	n = reserve(free_ranges, n, KERNEL_PHYS_BASE, virt_to_phys(__kernel_end).raw, &truncated);
	n = reserve(free_ranges, n, bi->info_start.raw, bi->info_end.raw, &truncated);
	for (size_t i = 0; i < bi->module_count; i++)
		n = reserve(free_ranges, n, bi->modules[i].start.raw, bi->modules[i].end.raw,
			    &truncated);

	uint64_t top = usable[usable_count - 1].end;
	uint64_t nframes = top / PAGE_SIZE;
	size_t bytes = ALIGN_UP(pmm_core_storage_bytes(nframes), (size_t)PAGE_SIZE);
	uint64_t where = 0;
	for (size_t i = 0; i < n && !where; i++) {
		uint64_t b = free_ranges[i].base;
		if (free_ranges[i].end - b >= bytes && b + bytes <= BOOT_MAPPED_TOP)
			where = b;
	}
	if (!where)
		panic("pmm: no room below 4 GiB for the %zu KiB frame bitmap", bytes / 1024);
	n = reserve(free_ranges, n, where, where + bytes, &truncated);

	pmm_core_init(&pmm, phys_to_virt(pa(where)), nframes);
	for (unsigned c = 0; c < MAX_CPUS; c++)
		cpu_locals[c].pmm_cache = &caches[c];
	for (size_t i = 0; i < n; i++)
		pmm_core_add(&pmm, free_ranges[i].base / PAGE_SIZE,
			     (free_ranges[i].end - free_ranges[i].base) / PAGE_SIZE);
	usable_frames = 0;
	for (size_t i = 0; i < usable_count; i++)
		usable_frames += (usable[i].end - usable[i].base) / PAGE_SIZE;
}

/* ---- reclaiming other CPUs' caches ---- */

/*
 * When the bitmap runs dry, the frames left may sit in other CPUs' caches, which only
 * their owners touch (with interrupts off). The allocator asks them by IPI to give
 * their caches back, and waits until every one has answered. A CPU that cannot take
 * the IPI because it spins with interrupts off — perhaps for a lock the asking CPU
 * holds, or for the asker's own drain — answers from its spin loop (arch_spin_relax
 * calls pmm_drain_poll), so the wait cannot become a deadlock. What is left is a CPU
 * that answers late: one running a long stretch with interrupts off, or, under
 * emulation, a virtual CPU the host does not schedule for a while (TCG on a loaded
 * host: tens of milliseconds, once more than the 20 ms this used to wait, and a test
 * that took every frame found 31 still cached). The wait is bounded all the same, at a
 * second, with a warning: the allocation then fails as it would have without those
 * caches, and the late CPU answers when it can.
 *
 * The IPI's handler runs only where interrupts are on, so never inside a cache
 * operation of its own CPU; the poll may (spinning for the bitmap's lock inside a
 * refill or give-back), so it only takes the lock if it is free at once
 * (pmm_core_cache_try_drain), which it never is while this CPU waits in its queue.
 */
#define DRAIN_WAIT_NS 1000000000ull     /* 1 s: no answer by then is worth a warning */

uint64_t pmm_drain_pending;             /* [a] CPUs asked to drain and yet to answer */
static uint64_t drain_timeouts;         /* [a] waits that gave up: statistics */

static void drain_ipi(struct trap_frame *f, void *arg)
{
	pmm_core_cache_drain(&pmm, this_cache());
	__atomic_fetch_and(&pmm_drain_pending, ~(1ull << arch_cpu_id()), __ATOMIC_RELEASE);
}

void pmm_drain_poll(void)
{
	irqflags_t fl = irq_save();
	uint64_t me = 1ull << arch_cpu_id();

	if ((__atomic_load_n(&pmm_drain_pending, __ATOMIC_ACQUIRE) & me) &&
	    pmm_core_cache_try_drain(&pmm, this_cache()))
		__atomic_fetch_and(&pmm_drain_pending, ~me, __ATOMIC_RELEASE);
	irq_restore(fl);
}

void pmm_init_ipis(void)
{
	if (!irq_set_handler(VEC_PMM_DRAIN, drain_ipi, NULL))
		panic("pmm: the cache-drain vector is taken");
}

uint64_t pmm_drain_timeouts(void)
{
	return __atomic_load_n(&drain_timeouts, __ATOMIC_RELAXED);
}

/* Drain this CPU's cache and ask the others to drain theirs; true if some frames may
 * have come back. One request at a time: a CPU that finds one under way waits for it
 * (answering it too, if it is one of those asked). */
static bool drain_all_caches(void)
{
	irqflags_t fl = irq_save();
	uint64_t me = 1ull << arch_cpu_id(), expected = 0;
	bool had = this_cache()->count != 0;

	pmm_core_cache_drain(&pmm, this_cache());
	irq_restore(fl);
	uint64_t others = smp_online_mask() & ~me;
	if (!others)
		return had;
	if (__atomic_compare_exchange_n(&pmm_drain_pending, &expected, others, false,
					__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		for (unsigned c = 0; c < MAX_CPUS; c++)
			if (others & (1ull << c))
				lapic_send_ipi(cpu_locals[c].apic_id, VEC_PMM_DRAIN);
	uint64_t start = clock_ns(), late;
	while ((late = __atomic_load_n(&pmm_drain_pending, __ATOMIC_ACQUIRE)) &&
	       clock_ns() - start < DRAIN_WAIT_NS)
		arch_spin_relax();
	if (late) {
		__atomic_fetch_add(&drain_timeouts, 1, __ATOMIC_RELAXED);
		pr_warn("pmm: CPUs %#llx did not give their frame caches back within %llu ms",
			(unsigned long long)late, DRAIN_WAIT_NS / 1000000);
	}
	return true;
}

/*
 * The fast paths below touch only this CPU's cache and the frame's bits; everything else
 * is out of line and reached by a tail call, so the fast paths save no registers for it.
 */
__attribute__((noinline))
static paddr_t alloc_slow(irqflags_t fl)
{
	struct pmm_cache *c = this_cache();
	uint64_t f = pmm_core_cache_alloc(&pmm, c);

	irq_restore(fl);
	if (f == PMM_NONE && drain_all_caches()) {
		fl = irq_save();
		f = pmm_core_cache_alloc(&pmm, this_cache());
		irq_restore(fl);
	}
	return f == PMM_NONE ? PADDR_NULL : pa(f * PAGE_SIZE);
}

paddr_t pmm_alloc(void)
{
	if (failinj(FAILINJ_FRAME))
		return PADDR_NULL;
	irqflags_t fl = irq_save();
	struct pmm_cache *c = this_cache();

	if (unlikely(c->count == 0))
		return alloc_slow(fl);
	uint64_t f = pmm_core_cache_pop(&pmm, c);
	irq_restore(fl);
	return pa(f * PAGE_SIZE);
}

paddr_t pmm_alloc_zeroed(void)
{
	paddr_t p = pmm_alloc();

	if (p.raw)
		memset(phys_to_virt(p), 0, PAGE_SIZE);
	return p;
}

static void report_bad_free(enum pmm_free_result r, paddr_t p, size_t count)
{
	const char *why = r == PMM_NOT_MANAGED ? "is not allocatable RAM"
					       : "is not allocated (double free?)";
#if MNOS_DEBUG
	panic("pmm: freeing %zu frame(s) at %#llx: %s", count, (unsigned long long)p.raw, why);
#else
	pr_err("pmm: freeing %zu frame(s) at %#llx: %s; ignored", count,
	       (unsigned long long)p.raw, why);
#endif
}

__attribute__((noinline))
static void free_slow(paddr_t frame, irqflags_t fl)
{
	enum pmm_free_result r = PMM_NOT_MANAGED;

	if (IS_ALIGNED(frame.raw, (uint64_t)PAGE_SIZE))
		r = pmm_core_cache_free(&pmm, this_cache(), frame.raw / PAGE_SIZE);
	irq_restore(fl);
	if (r != PMM_FREED)
		report_bad_free(r, frame, 1);
}

void pmm_free(paddr_t frame)
{
	irqflags_t fl = irq_save();
	struct pmm_cache *c = this_cache();

	/* A full cache or a bad frame: the slow path finds out which. */
	if (unlikely(!IS_ALIGNED(frame.raw, (uint64_t)PAGE_SIZE) ||
		     c->count == PMM_CACHE_SIZE ||
		     pmm_core_cache_push(&pmm, c, frame.raw / PAGE_SIZE) != PMM_FREED))
		return free_slow(frame, fl);
	irq_restore(fl);
}

paddr_t pmm_alloc_contig(size_t count, size_t align_bytes)
{
	if (align_bytes < PAGE_SIZE || (align_bytes & (align_bytes - 1)))
		return PADDR_NULL;
	if (failinj(FAILINJ_FRAME))
		return PADDR_NULL;
	uint64_t f = pmm_core_alloc_contig(&pmm, count, align_bytes / PAGE_SIZE);

	if (f == PMM_NONE) {
		/* The frames a run needs may sit in CPU caches: give them back, retry. */
		if (drain_all_caches())
			f = pmm_core_alloc_contig(&pmm, count, align_bytes / PAGE_SIZE);
	}
	return f == PMM_NONE ? PADDR_NULL : pa(f * PAGE_SIZE);
}

void pmm_free_contig(paddr_t first, size_t count)
{
	enum pmm_free_result r = IS_ALIGNED(first.raw, (uint64_t)PAGE_SIZE)
				 ? pmm_core_free_contig(&pmm, first.raw / PAGE_SIZE, count)
				 : PMM_NOT_MANAGED;

	if (r != PMM_FREED)
		report_bad_free(r, first, count);
}

struct pmm_stats pmm_get_stats(void)
{
	irqflags_t f = spin_lock_irqsave(&pmm.lock);
	struct pmm_stats s = {
		.total = pmm.managed_count,
		.free = pmm.free_count,
		.reserved = usable_frames - pmm.managed_count,
	};
	spin_unlock_irqrestore(&pmm.lock, f);
	/* Cached frames are free too. Other CPUs' counts may be mid-change: the sum is a
	 * snapshot, exact when they are idle. */
	for (size_t i = 0; i < MAX_CPUS; i++)
		s.free += __atomic_load_n(&caches[i].count, __ATOMIC_RELAXED);
	return s;
}

bool pmm_is_managed(paddr_t frame)
{
	/* The managed bitmap is written only by pmm_init: no lock needed to read it. */
	return pmm_core_is_managed(&pmm, frame.raw / PAGE_SIZE);
}

const struct mem_range *pmm_usable_ranges(size_t *count)
{
	*count = usable_count;
	return usable;
}
