/*
 * Memory objects and memory grants (DESIGN.md §5, §6; docs/CAPABILITIES.md, "Memory
 * objects and grants").
 *
 * A memory object is a run of pages, of one of three kinds:
 * - anonymous: zeroed frames from the PMM, charged with the object to its creator's
 *   quota (so no process can use up RAM), freed when the object is. A demand-zero
 *   (lazy) one is charged the same but takes each frame on the first touch of its page
 *   through any mapping (mem_fault): a stack of which a program uses one page costs one
 *   frame and one zeroing, not sixteen;
 * - device: a physical range outside RAM, for drivers; mapped uncached (registers) or
 *   write-combining (a framebuffer), never freed;
 * - read-only RAM: a physical range of RAM the PMM never hands out (a boot module: the
 *   initramfs), mapped write-back like any RAM but never writable, never freed.
 *
 * A memory grant maps an object, or a run of its pages, into a process's address space
 * through a capability, with rights no wider than the capability's; processes mapping
 * one object share its frames, with no copy. Each mapping is a capability the kernel holds (cap.h,
 * struct cap_held), a child in the derivation tree of the capability it was mapped
 * through: revoking that capability or any ancestor unmaps it, with a TLB shootdown to
 * every CPU that has the address space loaded. Deleting the capability itself moves the
 * mapping up to its parent, like any child, so an ancestor's revoke still reaches it.
 *
 * A mapping holds a reference on its object: frames are freed only after the last
 * mapping and the last capability are gone, so no process can reach a freed frame.
 */
#ifndef MEMOBJ_H
#define MEMOBJ_H

#include <cap.h>
#include <thread.h>

#define MEMOBJ_MAX_PAGES        (1ull << 20)    /* 4 GiB */

/* The rights a mapping can have. */
#define MEM_MAP_RIGHTS          (CAP_R_READ | CAP_R_WRITE | CAP_R_EXEC)

struct memobj {
	struct kobj obj;
	uint64_t npages;                /* [I] */
	bool device;                    /* [I] */
	bool wc;                        /* [I] device: mapped write-combining */
	bool ram_ro;                    /* [I] read-only RAM */
	bool lazy;                      /* [I] anonymous: frames taken on first touch */
	paddr_t base;                   /* [I] device, read-only RAM: the range's first byte */
	paddr_t frames[];               /* anonymous: one per page. [I] if eager; if lazy
					 * [a]: 0 until the page's first touch, then set once
					 * (compare-and-swap) and never changed */
};

/* A process's memory grants: its address space and the mappings made in it. */
struct mem_space;

/* Boot: register the type's operations. */
void memobj_init(void);

/*
 * An anonymous object of npages zeroed frames, charged to q (the object, its frame
 * list and the frames themselves), with one reference for the caller (who usually
 * gives it a first capability with cap_insert_root and then kobj_put()s it).
 * E_INVAL: npages is 0; E_RANGE: above MEMOBJ_MAX_PAGES; E_NO_MEMORY: the quota or the
 * PMM ran out (nothing is left allocated or charged).
 */
kerr_t memobj_create(struct quota *q, uint64_t npages, struct memobj **out);

/*
 * The same, demand-zero: charged as much, but no frame is taken until a page is first
 * touched through a mapping (a user access, or the kernel's user copies), when mem_fault
 * takes a zeroed one. Only E_NO_MEMORY for the quota or the heap: the frames are not
 * asked for yet, so running out of them shows at the touch, as a fault.
 */
kerr_t memobj_create_lazy(struct quota *q, uint64_t npages, struct memobj **out);

/*
 * A device object over the physical range [base, base + size). E_INVAL: base or size
 * not page aligned, or size 0, or above MEMOBJ_MAX_PAGES pages; E_RANGE: the range
 * wraps, passes the physical address limit, or overlaps RAM (anything the direct map
 * covers: frames the PMM hands out, the kernel, ACPI tables) — RAM is never a device's;
 * E_NO_MEMORY: the quota or the heap cannot pay for the object.
 */
kerr_t memobj_create_device(struct quota *q, paddr_t base, uint64_t size,
			    struct memobj **out);

/*
 * The same, mapped write-combining instead of uncached: for a framebuffer, which the
 * kernel's own console maps so too (one physical range must not be mapped with two
 * memory types). Errors as memobj_create_device's.
 */
kerr_t memobj_create_device_wc(struct quota *q, paddr_t base, uint64_t size,
			       struct memobj **out);

/*
 * A read-only object over the RAM [base, base + size), which the caller keeps out of the
 * PMM for good (pmm_init reserves the boot modules): its frames are never freed. Mapped
 * write-back like any RAM, and never writable: mem_map refuses WRITE with E_PERM
 * whatever the capability's rights, so a capability with every right still cannot
 * change it. EXEC is allowed through a capability that has it (W^X holds, as nothing
 * can write it): programs' text is mapped from the initramfs so. E_INVAL: base or size not page aligned, or size 0, or above
 * MEMOBJ_MAX_PAGES pages; E_RANGE: the range wraps or is not all RAM (the direct map);
 * E_NO_MEMORY: the quota or the heap cannot pay for the object.
 */
kerr_t memobj_create_ram_ro(struct quota *q, paddr_t base, uint64_t size,
			    struct memobj **out);

/*
 * Map the whole object that (cs, slot) names into p (the caller holds a reference on
 * p) at va, with rights (READ, and optionally WRITE or EXEC). Everything is checked
 * before anything changes:
 * E_INVAL: rights without READ, with WRITE and EXEC together (W^X), or with bits that
 *   are not mapping rights; va not page aligned; p is the kernel process;
 * E_RANGE, E_NOT_FOUND, E_TYPE: the capability (cap_lookup);
 * E_PERM: rights not all in the capability's, or WRITE on read-only RAM;
 * E_RANGE: [va, va + size) not inside user space [USER_BASE, USER_TOP), or wrapping;
 * E_EXISTS: something is mapped there already (a page, or another mapping's range: a
 *   demand-zero mapping's untouched pages are its own);
 * E_NO_MEMORY: cs's quota cannot pay for the mapping's record, or no memory for it or
 *   for page tables.
 * The mapping record is charged to cs's quota. Pages are user pages, writable only
 * with WRITE, executable only with EXEC, uncached (or write-combining) for a device
 * object. Of a demand-zero object only the pages some mapping has touched are mapped
 * now; mem_fault maps the others as they are touched.
 */
kerr_t mem_map(struct cspace *cs, uint32_t slot, struct process *p, vaddr_t va,
	       uint32_t rights);

/*
 * The same for pages [first, first + npages) of the object only: mapped at va, one
 * mapping that mem_unmap(va) removes, as one of the whole object. E_INVAL: npages is 0
 * (and mem_map's); E_RANGE: the pages are not all inside the object (and mem_map's).
 */
kerr_t mem_map_pages(struct cspace *cs, uint32_t slot, struct process *p, vaddr_t va,
		     uint32_t rights, uint64_t first, uint64_t npages);

/*
 * For the kernel's own use (the ELF loader): map the whole of mo, on which the caller
 * holds a reference (it keeps it), into p at va with rights, as mem_map does but through
 * no capability: the mapping's capability is a root held by the kernel, so it ends only
 * with mem_unmap or the process. The record is charged to q. Errors as mem_map's (but
 * those of the capability).
 */
kerr_t mem_map_object(struct process *p, struct memobj *mo, vaddr_t va, uint32_t rights,
		      struct quota *q);

/* Remove the mapping that starts at va. E_INVAL: va not page aligned; E_NOT_FOUND: no
 * mapping starts there (a revoke may just have removed it). */
kerr_t mem_unmap(struct process *p, vaddr_t va);

/*
 * A page fault at at in p, not-present, for access (MEM_FAULT_* bits): if at lies in a
 * mapping of a demand-zero object that allows the access, make the page present — the
 * object's frame for it, taken now (zeroed) if no mapping touched it before — and
 * return E_OK, so the faulting instruction is run again. E_NOT_FOUND: no such mapping,
 * or it does not allow the access (a user fault, as before); E_NO_MEMORY: no free frame,
 * or none for a page table (a user fault too; nothing is left allocated but what the
 * object owns). Called from the trap handler for user faults, and for kernel faults
 * inside a user copy (usercopy.h), with the mapping lock taken inside: the caller holds
 * no lock that comes after it.
 */
enum {
	MEM_FAULT_WRITE = 1u << 0,
	MEM_FAULT_EXEC  = 1u << 1,
};
kerr_t mem_fault(struct process *p, vaddr_t at, unsigned access);

/* A new zeroed page for p at the page va, outside every mapping (the IPC buffer),
 * charged to q, its frame in *frame. E_EXISTS, with nothing charged, inside a mapping,
 * even in a demand-zero one's untouched pages; or where a page is mapped. Checked and
 * mapped under the lock map_object lists mappings under. */
kerr_t mem_page_outside(struct process *p, vaddr_t va, struct quota *q, unsigned flags,
			paddr_t *frame);

/* For process_create and process_put: a process's (empty) grants over as, and their
 * end — every mapping removed — before the address space is destroyed. */
kerr_t mem_space_create(struct addr_space *as, struct mem_space **out);
void mem_space_destroy(struct mem_space *ms);

/* Mappings not yet freed, in all processes (leak checks). */
uint64_t mem_mapping_count(void);

#endif
