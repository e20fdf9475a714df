/*
 * Virtual memory: address spaces and their page mappings (implemented for x86_64 in
 * kernel/arch/x86_64/paging.c).
 *
 * Every address space shares the kernel half: its top-level entries point to page
 * tables created once at boot and never freed, so a kernel mapping made in one address
 * space is seen in all. The user half belongs to each address space alone; its
 * page-table pages are freed as soon as they become empty.
 *
 * Changes to mappings that may be cached in a TLB are followed by the invalidation of
 * exactly those pages (or one full flush when that is cheaper).
 */
#ifndef VMM_H
#define VMM_H

#include <types.h>
#include <kerr.h>
#include <spinlock.h>

/* Mapping flags. Readable is implied; no VM_EXEC means the NX bit is set. */
enum {
	VM_WRITE  = 1u << 0,
	VM_EXEC   = 1u << 1,
	VM_USER   = 1u << 2,
	VM_GLOBAL = 1u << 3,    /* kernel mappings: survive CR3 switches in the TLB */
	VM_WC     = 1u << 4,    /* write-combining (framebuffers) */
	VM_UC     = 1u << 5,    /* uncached (MMIO registers) */
	VM_LARGE  = 1u << 6,    /* 2 MiB pages: addresses and size 2 MiB aligned */
};

struct addr_space {
	paddr_t root;                   /* [I] top-level table */
	struct spinlock lock;           /* guards every page table of the user half; the
					 * kernel half's tables are guarded by kernel_as.lock.
					 * Order: before the pmm lock. */
	bool kernel;                    /* [I] the kernel's own address space */
	uint64_t active_cpus;           /* [a] CPUs that have it loaded, and perhaps some
					 * that had: shootdown targets (as_switch) */
	uint64_t table_pages;           /* [lock] page-table pages owned */
};

extern struct addr_space kernel_as;

/* Map [va, va+size) to [pa, pa+size). Nothing may be mapped there yet (E_EXISTS), and
 * addresses and size must be page aligned (E_INVAL). On E_NO_MEMORY nothing is left
 * mapped and no page table leaks. */
kerr_t vmm_map(struct addr_space *as, vaddr_t va, paddr_t pa, size_t size, unsigned flags);

/* The same for n 4 KiB pages scattered in memory: page i at frames[i] (each page
 * aligned, below the physical limit: E_INVAL). One check, one lock and one
 * invalidation for the whole run, as for a contiguous one: how a memory object of
 * frames from the allocator is mapped. */
kerr_t vmm_map_frames(struct addr_space *as, vaddr_t va, const paddr_t *frames, size_t n,
		      unsigned flags);

/* Remove the mappings in [va, va+size) (holes are fine), free page tables that become
 * empty, and invalidate the TLB. A 2 MiB page must be unmapped whole (E_INVAL). */
kerr_t vmm_unmap(struct addr_space *as, vaddr_t va, size_t size);

/* Change the flags of every page in [va, va+size); all must be mapped (E_NOT_FOUND).
 * VM_LARGE is ignored: each mapping keeps its size. */
kerr_t vmm_protect(struct addr_space *as, vaddr_t va, size_t size, unsigned flags);

/* The physical address va maps to, and the mapping's flags; false when unmapped. */
bool vmm_translate(struct addr_space *as, vaddr_t va, paddr_t *pa, unsigned *flags);
/* Does nothing map any page of [va, va + size) (user half, size > 0)? Absent tables
 * are skipped whole. */
bool vmm_range_empty(struct addr_space *as, vaddr_t va, size_t size);

/* Map a physical range (MMIO, firmware tables) into the kernel virtual area; returns
 * the address that corresponds to pa (pa need not be page aligned), or NULL. */
void *vmm_map_phys(paddr_t pa, size_t size, unsigned flags);

/* Is [p, p+len) inside the direct map (RAM, ACPI tables)? Does any of it overlap it? */
bool vmm_in_direct_map(paddr_t p, size_t len);
bool vmm_overlaps_direct_map(paddr_t p, size_t len);

/* Count leaf mappings that are both writable and executable (the W^X audit); also
 * returns the number of leaf mappings checked. */
uint64_t vmm_audit_wx(struct addr_space *as, uint64_t *checked);

/* Set up the TLB shootdown IPI (phase 5, before other CPUs start); shootdowns sent so
 * far, for tests. */
void vmm_init_shootdown(void);
uint64_t vmm_shootdown_count(void);

/* User address spaces. */
kerr_t as_create(struct addr_space *as);
void as_destroy(struct addr_space *as);

#ifndef MNOS_HOST_TEST
/*
 * Switch this CPU (number cpu) from the address space it has loaded, from, to to: join
 * to's CPU set before loading it, so a shootdown never misses a CPU that may hold its
 * entries. Leaving from's set is lazy: loading CR3 dropped from's entries (no PCID), so
 * the CPU's bit there only costs a needless flush, and the first shootdown that finds it
 * elsewhere clears it (paging.c). Only this CPU changes its own bit, so a bit it reads
 * as set stays set, and the common switch between two processes that ping-pong makes no
 * locked write at all. Inline: every switch between processes runs it.
 */
static inline void as_switch(struct addr_space *from, struct addr_space *to, unsigned cpu)
{
	uint64_t bit = 1ull << cpu;

	if (!((__atomic_load_n(&to->active_cpus, __ATOMIC_RELAXED) >> cpu) & 1))
		__atomic_fetch_or(&to->active_cpus, bit, __ATOMIC_ACQ_REL);
	__asm__ volatile("movq %0, %%gs:%c1" : : "r"(to), "i"(offsetof(struct cpu_local, loaded_as))
			 : "memory");
	cpu_write_cr3(to->root.raw);
}
#endif

/* Phase 3: build the kernel's page tables (direct map of RAM, W^X kernel image, boot
 * stack guard, no identity map); vmm_switch_to_kernel_tables() then loads them. Anything
 * reached through a boot mapping that is not in the new tables (the framebuffer) must be
 * mapped again in between. */
void vmm_init(void);
void vmm_switch_to_kernel_tables(void);

#endif
