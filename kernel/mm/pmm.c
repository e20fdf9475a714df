/*
 * The kernel's physical memory (pmm.h): built in phase 3 from the boot memory map.
 *
 * Usable RAM is what the map calls usable, minus everything else it lists, minus what
 * the kernel already occupies: the first MiB (BIOS data, real-mode trampolines later),
 * the kernel image, the boot loader's information block, the boot modules, and the
 * bitmap itself, which is carved out of the first usable range large enough below
 * 4 GiB (the boot page tables' direct map reaches no further).
 */
#include <pmm.h>
#include <memmap.h>
#include <klib.h>
#include <log.h>
#include <panic.h>
#include <arch/smp.h>

#define MAX_RANGES 512
#define BOOT_MAPPED_TOP 0x100000000ull

extern char __kernel_end[];

static struct pmm pmm;
static struct pmm_cache caches[MAX_CPUS];       /* [this CPU, interrupts off] */
static struct mem_range usable[MAX_RANGES];     /* [I] after pmm_init */
static size_t usable_count;
static uint64_t usable_frames;

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
	for (size_t i = 0; i < n; i++)
		pmm_core_add(&pmm, free_ranges[i].base / PAGE_SIZE,
			     (free_ranges[i].end - free_ranges[i].base) / PAGE_SIZE);
	usable_frames = 0;
	for (size_t i = 0; i < usable_count; i++)
		usable_frames += (usable[i].end - usable[i].base) / PAGE_SIZE;
}

paddr_t pmm_alloc(void)
{
	irqflags_t fl = irq_save();
	uint64_t f = pmm_core_cache_alloc(&pmm, &caches[arch_cpu_id()]);

	irq_restore(fl);
	return f == PMM_NONE ? PADDR_NULL : pa(f * PAGE_SIZE);
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

void pmm_free(paddr_t frame)
{
	enum pmm_free_result r = PMM_NOT_MANAGED;

	if (likely(IS_ALIGNED(frame.raw, (uint64_t)PAGE_SIZE))) {
		irqflags_t fl = irq_save();
		r = pmm_core_cache_free(&pmm, &caches[arch_cpu_id()], frame.raw / PAGE_SIZE);
		irq_restore(fl);
	}
	if (unlikely(r != PMM_FREED))
		report_bad_free(r, frame, 1);
}

paddr_t pmm_alloc_contig(size_t count, size_t align_bytes)
{
	if (align_bytes < PAGE_SIZE || (align_bytes & (align_bytes - 1)))
		return PADDR_NULL;
	uint64_t f = pmm_core_alloc_contig(&pmm, count, align_bytes / PAGE_SIZE);

	if (f == PMM_NONE) {
		/* The frames a run needs may sit in this CPU's cache: give them back, retry. */
		irqflags_t fl = irq_save();
		pmm_core_cache_drain(&pmm, &caches[arch_cpu_id()]);
		irq_restore(fl);
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

const struct mem_range *pmm_usable_ranges(size_t *count)
{
	*count = usable_count;
	return usable;
}
