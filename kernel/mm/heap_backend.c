/*
 * The kernel's heap backend (heap.h): heap pages are ordinary frames mapped into the
 * heap's regions of the kernel virtual area, writable, non-executable and global.
 *
 * Unmapping sends TLB shootdowns and waits for them, and a frame allocation that finds
 * the bitmap empty asks the other CPUs for their frame caches and waits for them, while
 * a heap lock is held with interrupts off. That cannot deadlock: a CPU spinning on any
 * spinlock answers pending shootdowns and drains from its spin loop (arch_spin_relax),
 * and no CPU waits for anything else while holding a heap lock.
 */
#include <failinj.h>
#include <heap.h>
#include <pmm.h>
#include <vmm.h>

#define BATCH 64

bool heap_backend_map(uintptr_t base, size_t npages)
{
	bool ok = true;

	/* A refill of the heap is not an allocation of its own (failinj.h): the kmalloc
	 * that needed it was counted. */
	failinj_quiet_begin();
	for (size_t i = 0; i < npages && ok; i++) {
		paddr_t p = pmm_alloc();
		if (!p.raw ||
		    vmm_map(&kernel_as, va(base + i * PAGE_SIZE), p, PAGE_SIZE,
			    VM_WRITE | VM_GLOBAL) != E_OK) {
			if (p.raw)
				pmm_free(p);
			heap_backend_unmap(base, i);
			ok = false;
		}
	}
	failinj_quiet_end();
	return ok;
}

void heap_backend_unmap(uintptr_t base, size_t npages)
{
	paddr_t frames[BATCH];

	/* In batches: find the frames, unmap (one shootdown), then free them. */
	for (size_t done = 0; done < npages;) {
		size_t n = MIN((size_t)BATCH, npages - done);
		uintptr_t start = base + done * PAGE_SIZE;
		for (size_t i = 0; i < n; i++)
			if (!vmm_translate(&kernel_as, va(start + i * PAGE_SIZE), &frames[i], NULL))
				frames[i] = PADDR_NULL;
		vmm_unmap(&kernel_as, va(start), n * PAGE_SIZE);
		for (size_t i = 0; i < n; i++)
			if (frames[i].raw)
				pmm_free(frames[i]);
		done += n;
	}
}
