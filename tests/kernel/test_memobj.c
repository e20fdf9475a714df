/*
 * Memory objects and memory grants in the running kernel (memobj.h): kernel threads of
 * different processes, each running on its process's page tables, use the internal API
 * the syscalls will call. Kernel code touches the user pages directly, which works while
 * SMAP is off. The held capabilities a mapping is made of are tested on the host
 * (tests/host/test_cap.c).
 */
#include <ktest.h>
#include "frames.h"
#include "objects.h"
#include "../fnv1a.h"
#include "settle.h"
#include "uproc.h"
#include <arch/syscall.h>
#include <bootinfo.h>
#include <cap.h>
#include <heap.h>
#include <klib.h>
#include <log.h>
#include <memobj.h>
#include <notify.h>
#include <pmm.h>
#include <sched.h>
#include <thread.h>
#include <time.h>
#include <vmm.h>
#include <failinj.h>
#include <usercopy.h>
#include <usermode.h>
#include <arch/cpu.h>
#include <arch/smp.h>
#include <arch/trap.h>

#define SLOTS   16
#define VA_A    0x10000000ull
#define VA_B    0x20000000ull
#define R       CAP_R_READ
#define W       CAP_R_WRITE
#define X       CAP_R_EXEC
#define RW      (R | W)

/* An anonymous object of npages (made by create) with one capability, all rights, in
 * (cs, slot). */
static kerr_t make_anon(kerr_t (*create)(struct quota *, uint64_t, struct memobj **),
			struct cspace *cs, uint32_t slot, struct quota *q, uint64_t npages,
			struct memobj **out)
{
	struct memobj *mo;
	kerr_t e = create(q, npages, &mo);

	if (e != E_OK)
		return e;
	e = cap_insert_root(cs, slot, &mo->obj, CAP_R_ALL, 0);
	if (out)
		*out = mo;
	kobj_put(&mo->obj);
	return e;
}

static kerr_t make_memobj(struct cspace *cs, uint32_t slot, struct quota *q, uint64_t npages,
			  struct memobj **out)
{
	return make_anon(memobj_create, cs, slot, q, npages, out);
}

static bool mapped(struct process *p, uint64_t at, paddr_t *phys, unsigned *flags)
{
	paddr_t pa_;
	unsigned fl;

	return vmm_translate(p->as, va(at), phys ? phys : &pa_, flags ? flags : &fl);
}

/* Run fn(arg) in a thread of p, on the CPUs in affinity, and wait for it. */
static bool run_in(struct process *p, void (*fn)(void *), void *arg, uint64_t affinity)
{
	struct thread *t = thread_create(p, "memobj", fn, arg, PRIO_DEFAULT, affinity);

	if (!t)
		return false;
	thread_join(t);
	return true;
}

/* A CPU other than the one running the test, when there is one. */
static uint64_t other_cpu(void)
{
	unsigned n = sched_cpu_count();

	return 1ull << ((arch_cpu_id() + 1) % n);
}

/* ---- objects ---- */

KTEST(memobj, anonymous_frames_are_zeroed_charged_and_freed)
{
	struct quota q, q0;
	struct memobj *mo, *keep;
	uint64_t objs = kobj_count();

	quota_init(&q, 1 << 20);
	quota_init(&q0, 1 << 20);
	/* One of the same size kept meanwhile, so the heap's slab for the header and its
	 * page table (which the heap does not count as its own) exist throughout. */
	KT_ASSERT_EQ(memobj_create(&q0, 8, &keep), E_OK);
	uint64_t used = frames_used();
	KT_ASSERT_EQ(memobj_create(&q, 8, &mo), E_OK);
	KT_EXPECT_EQ(kobj_count(), objs + 2);
	KT_EXPECT_EQ(mo->npages, 8);
	KT_EXPECT(!mo->device);
	KT_EXPECT_EQ(q.used, 8 * PAGE_SIZE + sizeof(*mo) + 8 * sizeof(paddr_t));
	KT_EXPECT_EQ(frames_used(), used + 8);
	for (int i = 0; i < 8; i++) {
		const uint64_t *words = phys_to_virt(mo->frames[i]);
		uint64_t any = 0;
		for (size_t k = 0; k < PAGE_SIZE / 8; k++)
			any |= words[k];
		KT_EXPECT_EQ(any, 0);
		for (int j = 0; j < i; j++)
			KT_EXPECT(mo->frames[i].raw != mo->frames[j].raw);
	}
	kobj_put(&mo->obj);
	KT_EXPECT_EQ(frames_used(), used);
	KT_EXPECT_EQ(kobj_count(), objs + 1);
	KT_EXPECT_EQ(q.used, 0);
	kobj_put(&keep->obj);
	KT_EXPECT_EQ(q0.used, 0);
}

KTEST(memobj, creation_errors)
{
	struct quota q;
	struct memobj *mo = NULL;
	uint64_t objs = kobj_count(), used = frames_used();
	paddr_t hole = device_hole();

	quota_init(&q, 1 << 20);
	KT_EXPECT_EQ(memobj_create(&q, 0, &mo), E_INVAL);
	KT_EXPECT_EQ(memobj_create(&q, MEMOBJ_MAX_PAGES + 1, &mo), E_RANGE);
	KT_EXPECT_EQ(memobj_create(&q, UINT64_MAX, &mo), E_RANGE);
	/* The quota pays for the frames too: 1 MiB is not 256 pages and their list. */
	KT_EXPECT_EQ(memobj_create(&q, 256, &mo), E_NO_MEMORY);

	KT_ASSERT(hole.raw != 0);
	KT_EXPECT_EQ(memobj_create_device(&q, pa(hole.raw + 1), PAGE_SIZE, &mo), E_INVAL);
	KT_EXPECT_EQ(memobj_create_device(&q, hole, PAGE_SIZE + 1, &mo), E_INVAL);
	KT_EXPECT_EQ(memobj_create_device(&q, hole, 0, &mo), E_INVAL);
	KT_EXPECT_EQ(memobj_create_device(&q, hole, (MEMOBJ_MAX_PAGES + 1) * PAGE_SIZE, &mo),
		     E_INVAL);
	KT_EXPECT_EQ(memobj_create_device(&q, pa(0xfffffffffffff000ull), 2 * PAGE_SIZE, &mo),
		     E_RANGE);                                  /* wraps */
	KT_EXPECT_EQ(memobj_create_device(&q, pa(1ull << 52), PAGE_SIZE, &mo), E_RANGE);
	/* RAM is never a device's: the kernel image, a managed frame, a range that ends
	 * in RAM. */
	KT_EXPECT_EQ(memobj_create_device(&q, pa(KERNEL_PHYS_BASE), PAGE_SIZE, &mo), E_RANGE);
	paddr_t frame = pmm_alloc();
	KT_ASSERT(frame.raw != 0);
	KT_EXPECT_EQ(memobj_create_device(&q, frame, PAGE_SIZE, &mo), E_RANGE);
	pmm_free(frame);
	size_t nranges;
	const struct mem_range *ram = pmm_usable_ranges(&nranges);
	KT_EXPECT_EQ(memobj_create_device(&q, pa(ram[nranges - 1].end - PAGE_SIZE),
					  2 * PAGE_SIZE, &mo), E_RANGE);
	KT_EXPECT_EQ(q.used, 0);
	KT_EXPECT_EQ(kobj_count(), objs);
	KT_EXPECT_EQ(frames_used(), used);

	/* A good range; its frames are never given to the PMM (a DEBUG build panics on a
	 * free of a frame it does not manage). */
	KT_ASSERT_EQ(memobj_create_device(&q, hole, 16 * PAGE_SIZE, &mo), E_OK);
	KT_EXPECT(mo->device);
	KT_EXPECT_EQ(mo->npages, 16);
	KT_EXPECT_EQ(mo->base.raw, hole.raw);
	KT_EXPECT(q.used > 0 && q.used < PAGE_SIZE);
	kobj_put(&mo->obj);
	KT_EXPECT_EQ(q.used, 0);
	KT_EXPECT_EQ(kobj_count(), objs);
}

/* ---- mapping: every check ---- */

struct env {
	struct quota q;
	struct cspace cs;
	struct process *p;
	struct memobj *mo;
};

static bool env_init(struct env *v, uint64_t npages)
{
	quota_init(&v->q, 1 << 20);
	if (cspace_init(&v->cs, SLOTS, &v->q) != E_OK)
		return false;
	if (process_create("memobj", &v->p) != E_OK)
		return false;
	return make_memobj(&v->cs, 1, &v->q, npages, &v->mo) == E_OK;
}

static void env_fini(struct env *v)
{
	process_put(v->p);
	cspace_destroy(&v->cs);
}

/* A refused mem_map changed nothing: no page, no capability, no charge. */
#define EXPECT_REFUSED(v, call, err) do {                                         \
		uint64_t held_ = cap_held_count(), q_ = (v)->q.used;               \
		KT_EXPECT_EQ(call, err);                                           \
		KT_EXPECT_EQ(cap_held_count(), held_);                             \
		KT_EXPECT_EQ((v)->q.used, q_);                                     \
	} while (0)

KTEST(memobj, rights_matrix)
{
	static struct env v;
	struct notification *n;
	unsigned flags;

	KT_ASSERT(env_init(&v, 2));
	/* Slot 1: every right. 2: R. 3: RW. 4: RX. 5: W alone. 6: derive and grant only.
	 * 7: a notification. */
	KT_ASSERT_EQ(cap_copy(&v.cs, 1, &v.cs, 2, R), E_OK);
	KT_ASSERT_EQ(cap_copy(&v.cs, 1, &v.cs, 3, RW), E_OK);
	KT_ASSERT_EQ(cap_copy(&v.cs, 1, &v.cs, 4, R | X), E_OK);
	KT_ASSERT_EQ(cap_copy(&v.cs, 1, &v.cs, 5, W), E_OK);
	KT_ASSERT_EQ(cap_copy(&v.cs, 1, &v.cs, 6, CAP_R_DERIVE | CAP_R_GRANT), E_OK);
	KT_ASSERT_EQ(notification_create(&v.q, &n), E_OK);
	KT_ASSERT_EQ(cap_insert_root(&v.cs, 7, &n->obj, CAP_R_ALL, 0), E_OK);
	kobj_put(&n->obj);

	/* What the request may be, whatever the capability. */
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, v.p, va(VA_A), R | W | X), E_INVAL);  /* W^X */
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, v.p, va(VA_A), W), E_INVAL);     /* no READ */
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, v.p, va(VA_A), X), E_INVAL);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, v.p, va(VA_A), 0), E_INVAL);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, v.p, va(VA_A), R | CAP_R_DERIVE), E_INVAL);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, v.p, va(VA_A), R | (1u << 20)), E_INVAL);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, &kernel_process, va(VA_A), R), E_INVAL);

	/* Each right present and missing: {slot, rights asked, result}. */
	static const struct { uint32_t slot, rights; kerr_t e; } m[] = {
		{ 1, R, E_OK }, { 1, RW, E_OK }, { 1, R | X, E_OK },
		{ 2, R, E_OK }, { 2, RW, E_PERM }, { 2, R | X, E_PERM },
		{ 3, R, E_OK }, { 3, RW, E_OK }, { 3, R | X, E_PERM },
		{ 4, R, E_OK }, { 4, R | X, E_OK }, { 4, RW, E_PERM },
		{ 5, R, E_PERM }, { 5, RW, E_PERM },
		{ 6, R, E_PERM },
		{ 0, R, E_RANGE }, { SLOTS, R, E_RANGE }, { 0xffffffffu, R, E_RANGE },
		{ 8, R, E_NOT_FOUND }, { 7, R, E_TYPE },
	};
	for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
		if (m[i].e != E_OK) {
			EXPECT_REFUSED(&v, mem_map(&v.cs, m[i].slot, v.p, va(VA_A), m[i].rights),
				       m[i].e);
			KT_EXPECT(!mapped(v.p, VA_A, NULL, NULL));
			continue;
		}
		uint64_t held = cap_held_count();
		KT_EXPECT_EQ(mem_map(&v.cs, m[i].slot, v.p, va(VA_A), m[i].rights), E_OK);
		KT_EXPECT_EQ(cap_held_count(), held + 1);
		for (uint64_t off = 0; off < 2 * PAGE_SIZE; off += PAGE_SIZE) {
			paddr_t phys;
			KT_EXPECT(mapped(v.p, VA_A + off, &phys, &flags));
			KT_EXPECT_EQ(phys.raw, v.mo->frames[off / PAGE_SIZE].raw);
			KT_EXPECT(flags & VM_USER);
			KT_EXPECT_EQ(!!(flags & VM_WRITE), !!(m[i].rights & W));
			KT_EXPECT_EQ(!!(flags & VM_EXEC), !!(m[i].rights & X));
			KT_EXPECT(!(flags & VM_UC));
		}
		KT_EXPECT_EQ(mem_unmap(v.p, va(VA_A)), E_OK);
		KT_EXPECT(!mapped(v.p, VA_A, NULL, NULL));
		KT_EXPECT(!mapped(v.p, VA_A + PAGE_SIZE, NULL, NULL));
		KT_EXPECT_EQ(cap_held_count(), held);
	}

	/* Addresses: unaligned, below user space, in the kernel half, past the top, so
	 * high the end wraps; the highest and lowest that fit. */
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, v.p, va(VA_A + 8), R), E_INVAL);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, v.p, va(0), R), E_RANGE);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, v.p, va(USER_BASE - PAGE_SIZE), R), E_RANGE);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, v.p, va(KERNEL_HALF_BASE), R), E_RANGE);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, v.p, va(USER_TOP - PAGE_SIZE), R), E_RANGE);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, v.p, va(USER_TOP), R), E_RANGE);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, v.p, va(0xffffffffffffe000ull), R), E_RANGE);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, v.p, va(0x0000800000000000ull), R), E_RANGE);
	KT_EXPECT_EQ(mem_map(&v.cs, 1, v.p, va(USER_TOP - 2 * PAGE_SIZE), R), E_OK);
	KT_EXPECT_EQ(mem_map(&v.cs, 1, v.p, va(USER_BASE), R), E_OK);

	/* Over a mapping, whole or in part: refused, and the first mapping is intact. */
	KT_ASSERT_EQ(mem_map(&v.cs, 1, v.p, va(VA_A), RW), E_OK);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, v.p, va(VA_A), R), E_EXISTS);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 2, v.p, va(VA_A + PAGE_SIZE), R), E_EXISTS);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 2, v.p, va(VA_A - PAGE_SIZE), R), E_EXISTS);
	KT_EXPECT(!mapped(v.p, VA_A - PAGE_SIZE, NULL, NULL));  /* the undone first page */
	KT_EXPECT(mapped(v.p, VA_A + PAGE_SIZE, NULL, &flags));
	KT_EXPECT(flags & VM_WRITE);

	/* Unmapping: only where a mapping starts, once. */
	KT_EXPECT_EQ(mem_unmap(v.p, va(VA_A + 8)), E_INVAL);
	KT_EXPECT_EQ(mem_unmap(v.p, va(VA_A + PAGE_SIZE)), E_NOT_FOUND);
	KT_EXPECT_EQ(mem_unmap(v.p, va(VA_B)), E_NOT_FOUND);
	KT_EXPECT_EQ(mem_unmap(&kernel_process, va(VA_A)), E_INVAL);
	KT_EXPECT_EQ(mem_unmap(v.p, va(VA_A)), E_OK);
	KT_EXPECT_EQ(mem_unmap(v.p, va(VA_A)), E_NOT_FOUND);
	KT_EXPECT_EQ(mem_unmap(v.p, va(USER_BASE)), E_OK);
	KT_EXPECT_EQ(mem_unmap(v.p, va(USER_TOP - 2 * PAGE_SIZE)), E_OK);
	KT_EXPECT_EQ(mem_mapping_count(), 0);
	env_fini(&v);
	KT_EXPECT_EQ(v.q.used, 0);
}

/* ---- a run of an object's pages ---- */

KTEST(memobj, map_pages_maps_a_run_and_checks_it)
{
	static struct env v;
	unsigned flags;

	uint64_t objs0 = kobj_count();
	KT_ASSERT(env_init(&v, 4));
	KT_ASSERT_EQ(cap_copy(&v.cs, 1, &v.cs, 2, R), E_OK);
	uint64_t objs = kobj_count();

	/* Every check of mem_map, then the run: empty, starting past the end, running
	 * past it, wrapping. */
	EXPECT_REFUSED(&v, mem_map_pages(&v.cs, 1, v.p, va(VA_A), R | W | X, 1, 2), E_INVAL);
	EXPECT_REFUSED(&v, mem_map_pages(&v.cs, 1, v.p, va(VA_A + 8), R, 1, 2), E_INVAL);
	EXPECT_REFUSED(&v, mem_map_pages(&v.cs, 2, v.p, va(VA_A), RW, 1, 2), E_PERM);
	EXPECT_REFUSED(&v, mem_map_pages(&v.cs, 9, v.p, va(VA_A), R, 1, 2), E_NOT_FOUND);
	EXPECT_REFUSED(&v, mem_map_pages(&v.cs, 1, v.p, va(VA_A), R, 1, 0), E_INVAL);
	EXPECT_REFUSED(&v, mem_map_pages(&v.cs, 1, v.p, va(VA_A), R, 4, 1), E_RANGE);
	EXPECT_REFUSED(&v, mem_map_pages(&v.cs, 1, v.p, va(VA_A), R, 3, 2), E_RANGE);
	EXPECT_REFUSED(&v, mem_map_pages(&v.cs, 1, v.p, va(VA_A), R, 2, UINT64_MAX), E_RANGE);
	EXPECT_REFUSED(&v, mem_map_pages(&v.cs, 1, v.p, va(VA_A), R, UINT64_MAX, 2), E_RANGE);
	EXPECT_REFUSED(&v, mem_map_pages(&v.cs, 1, v.p, va(USER_TOP - PAGE_SIZE), R, 1, 2),
		       E_RANGE);
	KT_EXPECT(!mapped(v.p, VA_A, NULL, NULL));

	/* Pages 1 and 2 at VA_A, page 3 alone at VA_B: exactly those frames, with the
	 * rights asked for; nothing around them. */
	KT_ASSERT_EQ(mem_map_pages(&v.cs, 1, v.p, va(VA_A), RW, 1, 2), E_OK);
	KT_ASSERT_EQ(mem_map_pages(&v.cs, 2, v.p, va(VA_B), R, 3, 1), E_OK);
	KT_EXPECT_EQ(mem_mapping_count(), 2);
	for (uint64_t i = 0; i < 2; i++) {
		paddr_t phys;
		KT_EXPECT(mapped(v.p, VA_A + i * PAGE_SIZE, &phys, &flags));
		KT_EXPECT_EQ(phys.raw, v.mo->frames[1 + i].raw);
		KT_EXPECT(flags & VM_WRITE);
	}
	KT_EXPECT(!mapped(v.p, VA_A - PAGE_SIZE, NULL, NULL));
	KT_EXPECT(!mapped(v.p, VA_A + 2 * PAGE_SIZE, NULL, NULL));
	paddr_t phys;
	KT_EXPECT(mapped(v.p, VA_B, &phys, &flags));
	KT_EXPECT_EQ(phys.raw, v.mo->frames[3].raw);
	KT_EXPECT(!(flags & VM_WRITE));
	KT_EXPECT(!mapped(v.p, VA_B + PAGE_SIZE, NULL, NULL));
	/* Over what is mapped: refused, the first mapping intact. */
	EXPECT_REFUSED(&v, mem_map_pages(&v.cs, 1, v.p, va(VA_A + PAGE_SIZE), R, 0, 1),
		       E_EXISTS);
	KT_EXPECT(mapped(v.p, VA_A + PAGE_SIZE, NULL, NULL));

	/* Unmapped as a whole from where it starts; a revoke of the capability it was
	 * mapped through takes the other. */
	KT_EXPECT_EQ(mem_unmap(v.p, va(VA_A + PAGE_SIZE)), E_NOT_FOUND);
	KT_EXPECT_EQ(mem_unmap(v.p, va(VA_A)), E_OK);
	KT_EXPECT(!mapped(v.p, VA_A, NULL, NULL));
	KT_EXPECT(!mapped(v.p, VA_A + PAGE_SIZE, NULL, NULL));
	KT_EXPECT_EQ(cap_revoke(&v.cs, 2), E_OK);
	KT_EXPECT(!mapped(v.p, VA_B, NULL, NULL));
	KT_EXPECT_EQ(mem_mapping_count(), 0);
	/* A mapping left in place goes with the process; the object with it. */
	KT_ASSERT_EQ(mem_map_pages(&v.cs, 1, v.p, va(VA_A), R, 0, 4), E_OK);
	KT_EXPECT_EQ(cap_delete(&v.cs, 2), E_OK);
	KT_EXPECT_EQ(cap_delete(&v.cs, 1), E_OK);
	KT_EXPECT_EQ(kobj_count(), objs);               /* the mapping keeps the object */
	env_fini(&v);
	KT_EXPECT_EQ(mem_mapping_count(), 0);
	KT_EXPECT_EQ(kobj_count(), objs0);
	KT_EXPECT_EQ(v.q.used, 0);
}

/* ---- sharing ---- */

#define ROUNDS 2000

struct pingpong {
	volatile uint64_t *word;        /* in the shared page, at each side's address */
	uint64_t parity;                /* 0: moves even to odd; 1: odd to even */
	uint64_t seen_pattern;
	bool ok;
};

/* Kernel threads here touch user pages directly: with SMAP on, only inside a short
 * user-access window, never across a yield. */
static uint64_t uload(const volatile uint64_t *p)
{
	arch_user_access_begin();
	uint64_t v = __atomic_load_n(p, __ATOMIC_ACQUIRE);
	arch_user_access_end();
	return v;
}

static void ustore(volatile uint64_t *p, uint64_t v)
{
	arch_user_access_begin();
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
	arch_user_access_end();
}

static void pingpong(void *arg)
{
	struct pingpong *pp = arg;
	uint64_t spins = 0;

	for (uint64_t i = 0; i < ROUNDS; i++) {
		uint64_t want = 2 * i + pp->parity;
		while (uload(pp->word) != want) {
			if (++spins % 64 == 0)
				sched_yield();
		}
		ustore(pp->word, want + 1);
	}
	pp->seen_pattern = uload(&pp->word[1]);
	pp->ok = true;
}

static void write_pattern(void *arg)
{
	volatile uint64_t *w = (volatile uint64_t *)VA_A;

	ustore(&w[1], 0x5a5a0001);
	ustore(&w[PAGE_SIZE / 8 + 7], 0x5a5a0002);     /* in the second page */
	(void)arg;
}

struct probe {
	uint64_t at;
	uint64_t value;
	bool write;
	bool faulted;
	uint64_t cr2, error;
};

/* Read (or write) one word of the current process's memory, catching a fault. */
static void probe(void *arg)
{
	struct probe *pr = arg;
	struct fault_catch c;

	pr->faulted = false;
	if (fault_catch_begin(&c) == 0) {
		if (pr->write)
			ustore((volatile uint64_t *)pr->at, pr->value);
		else
			pr->value = uload((volatile uint64_t *)pr->at);
		fault_catch_end(&c);
	} else {
		pr->faulted = c.vector == 14;
		pr->cr2 = c.cr2;
		pr->error = c.error;
	}
}

/* Two processes map one object at different addresses: the same frames, each side sees
 * the other's writes at once, and a read-only mapping cannot be written. */
KTEST(memobj, shared_grant_seen_by_both_sides)
{
	static struct env a;
	static struct cspace csb;
	static struct pingpong pa_, pb_;
	static struct probe pr;
	struct process *pb;
	uint32_t slot = 0;

	KT_ASSERT(env_init(&a, 2));
	KT_ASSERT_EQ(cspace_init(&csb, SLOTS, &a.q), E_OK);
	KT_ASSERT_EQ(process_create("memobj-b", &pb), E_OK);
	/* B gets read-write (no exec, no derive), as an IPC transfer would give it. */
	KT_ASSERT_EQ(cap_transfer(&a.cs, 1, &csb, RW, &slot), E_OK);
	KT_ASSERT_EQ(mem_map(&a.cs, 1, a.p, va(VA_A), RW), E_OK);
	KT_ASSERT_EQ(mem_map(&csb, slot, pb, va(VA_B), RW), E_OK);
	EXPECT_REFUSED(&a, mem_map(&csb, slot, pb, va(VA_B + 0x100000), R | X), E_PERM);
	for (uint64_t off = 0; off < 2 * PAGE_SIZE; off += PAGE_SIZE) {
		paddr_t x, y;
		KT_EXPECT(mapped(a.p, VA_A + off, &x, NULL));
		KT_EXPECT(mapped(pb, VA_B + off, &y, NULL));
		KT_EXPECT_EQ(x.raw, y.raw);
		KT_EXPECT_EQ(x.raw, a.mo->frames[off / PAGE_SIZE].raw);
	}

	/* A writes; B reads it at its own address. */
	KT_ASSERT(run_in(a.p, write_pattern, NULL, AFFINITY_ALL));
	pr = (struct probe){ .at = VA_B + PAGE_SIZE + 7 * 8 };
	KT_ASSERT(run_in(pb, probe, &pr, other_cpu()));
	KT_EXPECT(!pr.faulted);
	KT_EXPECT_EQ(pr.value, 0x5a5a0002);

	/* Both at once, on different CPUs when there are several: a word passed back and
	 * forth through the shared page. */
	pa_ = (struct pingpong){ .word = (volatile uint64_t *)VA_A, .parity = 0 };
	pb_ = (struct pingpong){ .word = (volatile uint64_t *)VA_B, .parity = 1 };
	struct thread *ta = thread_create(a.p, "ping", pingpong, &pa_, PRIO_DEFAULT,
					  1ull << arch_cpu_id());
	struct thread *tb = thread_create(pb, "pong", pingpong, &pb_, PRIO_DEFAULT, other_cpu());
	KT_ASSERT(ta && tb);
	thread_join(ta);
	thread_join(tb);
	KT_EXPECT(pa_.ok && pb_.ok);
	KT_EXPECT_EQ(*(volatile uint64_t *)phys_to_virt(a.mo->frames[0]), 2 * ROUNDS);
	KT_EXPECT_EQ(pb_.seen_pattern, 0x5a5a0001);

	/* A read-only mapping in B: reads work, a write faults and changes nothing. */
	KT_ASSERT_EQ(cap_copy(&a.cs, 1, &csb, 9, R), E_OK);
	KT_ASSERT_EQ(mem_map(&csb, 9, pb, va(VA_B + 0x100000), R), E_OK);
	pr = (struct probe){ .at = VA_B + 0x100000 + 8, .write = true, .value = 0xbad };
	KT_ASSERT(run_in(pb, probe, &pr, AFFINITY_ALL));
	KT_EXPECT(pr.faulted);
	KT_EXPECT_EQ(pr.cr2, VA_B + 0x100000 + 8);
	KT_EXPECT(pr.error & 2);                                /* a write */
	KT_EXPECT_EQ(((uint64_t *)phys_to_virt(a.mo->frames[0]))[1], 0x5a5a0001);

	process_put(pb);
	/* A's capability and mapping (a held capability and the record), B's two
	 * capabilities; nothing of B's mappings. */
	KT_EXPECT_EQ(a.mo->obj.refs, 5);
	env_fini(&a);
	cspace_destroy(&csb);
	KT_EXPECT_EQ(a.q.used, 0);
	KT_EXPECT_EQ(mem_mapping_count(), 0);
}

/* ---- revocation ---- */

struct reader {
	uint64_t at;
	volatile uint64_t reads;
	volatile bool stop, faulted;
	uint64_t cr2;
};

/* Read a word of this process's memory until it faults (or told to stop). */
static void read_until_fault(void *arg)
{
	struct reader *r = arg;
	struct fault_catch c;

	if (fault_catch_begin(&c) == 0) {
		while (!r->stop) {
			(void)uload((volatile uint64_t *)r->at);
			if (++r->reads % 4096 == 0)
				sched_yield();
		}
		fault_catch_end(&c);
	} else {
		r->cr2 = c.cr2;
		r->faulted = c.vector == 14;
	}
}

/*
 * A gives B a copy from an intermediate capability (slot 2) and keeps its own mapping
 * through slot 1. B maps through its copy, and a thread of B reads the page on another
 * CPU. Revoking slot 2 deletes B's copy and B's mapping — unmapped, shot down on the
 * CPU B runs on, the next read faults — and leaves A's mapping alone. Revoking slot 1
 * then takes A's own.
 */
KTEST(memobj, revoke_unmaps_every_mapping_made_through_it)
{
	static struct env a;
	static struct cspace csb;
	static struct reader rd;
	struct process *pb;
	uint64_t held = cap_held_count();

	/* This thread stays on its CPU and B's reader on another: the revoke must then
	 * shoot down B's address space there. */
	sched_set_affinity(thread_current(), 1ull << arch_cpu_id());
	KT_ASSERT(env_init(&a, 4));
	KT_ASSERT_EQ(cspace_init(&csb, SLOTS, &a.q), E_OK);
	KT_ASSERT_EQ(process_create("memobj-b", &pb), E_OK);
	KT_ASSERT_EQ(cap_copy(&a.cs, 1, &a.cs, 2, CAP_R_ALL), E_OK);
	KT_ASSERT_EQ(cap_copy(&a.cs, 2, &csb, 1, RW | CAP_R_DERIVE), E_OK);
	KT_ASSERT_EQ(cap_copy(&csb, 1, &csb, 2, R), E_OK);      /* B's own copy, deeper */
	KT_ASSERT_EQ(mem_map(&a.cs, 1, a.p, va(VA_A), RW), E_OK);
	KT_ASSERT_EQ(mem_map(&csb, 1, pb, va(VA_B), RW), E_OK);
	KT_ASSERT_EQ(mem_map(&csb, 2, pb, va(VA_B + 0x100000), R), E_OK);
	KT_EXPECT_EQ(cap_held_count(), held + 3);
	((uint64_t *)phys_to_virt(a.mo->frames[3]))[0] = 0x77;

	rd = (struct reader){ .at = VA_B + 3 * PAGE_SIZE };
	struct thread *t = thread_create(pb, "reader", read_until_fault, &rd, PRIO_DEFAULT,
					 other_cpu());
	KT_ASSERT(t != NULL);
	while (rd.reads == 0 && !rd.faulted)
		sched_yield();
	KT_EXPECT(!rd.faulted);

	uint64_t shootdowns = vmm_shootdown_count();
	KT_EXPECT_EQ(cap_revoke(&a.cs, 2), E_OK);
	for (uint64_t off = 0; off < 4 * PAGE_SIZE; off += PAGE_SIZE) {
		KT_EXPECT(!mapped(pb, VA_B + off, NULL, NULL));
		KT_EXPECT(!mapped(pb, VA_B + 0x100000 + off, NULL, NULL));
		KT_EXPECT(mapped(a.p, VA_A + off, NULL, NULL));
	}
	uint64_t end = clock_ns() + 1000000000ull;
	while (!rd.faulted && clock_ns() < end)
		sched_sleep_ns(1000000);
	rd.stop = true;
	thread_join(t);
	KT_EXPECT(rd.faulted);
	KT_EXPECT_EQ(rd.cr2, VA_B + 3 * PAGE_SIZE);
	if (sched_cpu_count() > 1)
		KT_EXPECT(vmm_shootdown_count() > shootdowns);
	KT_EXPECT_EQ(cap_lookup(&csb, 1, OBJ_NONE, 0, &(struct cap){ 0 }), E_NOT_FOUND);
	KT_EXPECT_EQ(cap_held_count(), held + 1);
	KT_EXPECT_EQ(mem_mapping_count(), 1);
	KT_EXPECT_EQ(mem_unmap(pb, va(VA_B)), E_NOT_FOUND);
	/* The address is free again for B. */
	KT_ASSERT_EQ(cap_copy(&a.cs, 1, &csb, 3, R), E_OK);
	KT_EXPECT_EQ(mem_map(&csb, 3, pb, va(VA_B), R), E_OK);

	/* Revoking the root takes every mapping, A's own and B's new one. */
	KT_EXPECT_EQ(cap_revoke(&a.cs, 1), E_OK);
	KT_EXPECT(!mapped(a.p, VA_A, NULL, NULL));
	KT_EXPECT(!mapped(pb, VA_B, NULL, NULL));
	KT_EXPECT_EQ(cap_held_count(), held);
	KT_EXPECT_EQ(mem_mapping_count(), 0);
	KT_EXPECT_EQ(a.mo->obj.refs, 1);                /* only slot 1 is left */
	process_put(pb);
	env_fini(&a);
	cspace_destroy(&csb);
	KT_EXPECT_EQ(a.q.used, 0);
	sched_set_affinity(thread_current(), AFFINITY_ALL);
}

/* Deleting the capability a mapping was made through moves the mapping up, as any
 * child: it stays until an ancestor is revoked. */
KTEST(memobj, delete_leaves_the_mapping_to_an_ancestors_revoke)
{
	static struct env a;
	struct process *pb;

	KT_ASSERT(env_init(&a, 1));
	KT_ASSERT_EQ(process_create("memobj-b", &pb), E_OK);
	KT_ASSERT_EQ(cap_copy(&a.cs, 1, &a.cs, 2, CAP_R_ALL), E_OK);
	KT_ASSERT_EQ(cap_copy(&a.cs, 2, &a.cs, 3, RW), E_OK);
	KT_ASSERT_EQ(mem_map(&a.cs, 3, pb, va(VA_B), RW), E_OK);
	KT_EXPECT_EQ(cap_delete(&a.cs, 3), E_OK);
	KT_EXPECT(mapped(pb, VA_B, NULL, NULL));
	KT_EXPECT_EQ(cap_delete(&a.cs, 2), E_OK);
	KT_EXPECT(mapped(pb, VA_B, NULL, NULL));
	struct cspace *spaces[] = { &a.cs };
	KT_EXPECT(cap_tree_check(spaces, 1));
	KT_EXPECT_EQ(cap_revoke(&a.cs, 1), E_OK);
	KT_EXPECT(!mapped(pb, VA_B, NULL, NULL));
	KT_EXPECT_EQ(mem_mapping_count(), 0);
	process_put(pb);
	env_fini(&a);
	KT_EXPECT_EQ(a.q.used, 0);
}

/* ---- the end of a process ---- */

KTEST(memobj, process_end_removes_its_mappings)
{
	static struct env a;
	struct process *pb;
	struct memobj *mo2;

	uint64_t used = frames_used(), held = cap_held_count();
	KT_ASSERT(env_init(&a, 3));
	KT_ASSERT_EQ(make_memobj(&a.cs, 2, &a.q, 5, &mo2), E_OK);
	KT_ASSERT_EQ(process_create("memobj-b", &pb), E_OK);
	KT_ASSERT_EQ(mem_map(&a.cs, 1, pb, va(VA_B), RW), E_OK);
	KT_ASSERT_EQ(mem_map(&a.cs, 2, pb, va(VA_B + 0x100000), R), E_OK);
	KT_ASSERT_EQ(mem_map(&a.cs, 2, a.p, va(VA_A), R), E_OK);
	uint64_t charged = a.q.used;
	/* The second object loses its last capability: its mappings keep it, and its
	 * frames, alive. */
	KT_EXPECT_EQ(cap_delete(&a.cs, 2), E_OK);
	KT_EXPECT(mapped(pb, VA_B + 0x100000, NULL, NULL));
	KT_EXPECT_EQ(mo2->obj.refs, 4);         /* two held capabilities, two records */
	KT_EXPECT_EQ(cap_held_count(), held + 3);

	process_put(pb);
	KT_EXPECT_EQ(cap_held_count(), held + 1);
	KT_EXPECT_EQ(mem_mapping_count(), 1);
	KT_EXPECT_EQ(a.mo->obj.refs, 1);
	KT_EXPECT(a.q.used < charged);          /* B's two records credited */
	KT_EXPECT_EQ(mo2->obj.refs, 2);
	process_put(a.p);                       /* the last mapping of the second object */
	KT_EXPECT_EQ(mem_mapping_count(), 0);
	KT_EXPECT_EQ(cap_held_count(), held);
	cspace_destroy(&a.cs);
	KT_EXPECT_EQ(a.q.used, 0);
	KT_EXPECT_EQ(frames_used(), used);      /* every frame, every page table */
}

/* ---- races ---- */

#define RACES 150

struct racer {
	volatile int *go, *ready;
	int what;                       /* 0 unmap, 1 revoke, 2 end the process */
	uint64_t delay_ns;              /* after the start: varies who is first, by how much */
	struct process *p;
	struct cspace *cs;
	kerr_t result;
};

static void race(void *arg)
{
	struct racer *r = arg;

	__atomic_fetch_add(r->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(r->go, __ATOMIC_ACQUIRE)) {
		if (sched_cpu_count() == 1)
			sched_yield();
		cpu_pause();
	}
	uint64_t start = clock_ns();
	while (clock_ns() - start < r->delay_ns)
		cpu_pause();
	if (r->what == 0)
		r->result = mem_unmap(r->p, va(VA_B));
	else if (r->what == 1)
		r->result = cap_revoke(r->cs, 2);
	else
		process_put(r->p);
}

/*
 * An unmap (or the end of the process) on one CPU against a revoke on another, many
 * times: each mapping is unmapped and freed exactly once (a double free of a frame or
 * a record panics; a lost one shows in the counts), whoever wins.
 *
 * The mapping the unmap aims at is made first and others after it, so the revoke
 * empties its capability last in its batch and runs its hook after all the others':
 * that widens the window in which the unmap finds the record still listed but its
 * capability gone (the unmap then unlists, the hook frees).
 */
#define RACE_EXTRA 24
KTEST(memobj, unmap_and_process_end_race_revoke)
{
	static struct env a;
	static struct racer r[2];
	static volatile int go, ready;
	uint64_t held, used;
	unsigned unmapped = 0;
	unsigned n = sched_cpu_count();

	KT_ASSERT(env_init(&a, 4));
	held = cap_held_count();
	used = frames_used();
	for (int i = 0; i < RACES; i++) {
		struct process *pb;
		bool end = i % 3 == 2;
		KT_ASSERT_EQ(process_create("memobj-race", &pb), E_OK);
		KT_ASSERT_EQ(cap_copy(&a.cs, 1, &a.cs, 2, CAP_R_ALL), E_OK);
		KT_ASSERT_EQ(cap_copy(&a.cs, 2, &a.cs, 3, RW), E_OK);
		KT_ASSERT_EQ(mem_map(&a.cs, 3, pb, va(VA_B), RW), E_OK);
		for (uint64_t k = 1; k <= RACE_EXTRA; k++)
			KT_ASSERT_EQ(mem_map(&a.cs, 3, pb, va(VA_B + k * 0x100000), R), E_OK);
		go = ready = 0;
		r[0] = (struct racer){ &go, &ready, end ? 2 : 0, (uint64_t)(i % 5) * 40000, pb,
				       &a.cs, E_INVAL };
		r[1] = (struct racer){ &go, &ready, 1, (uint64_t)(i / 5 % 5) * 40000, pb, &a.cs,
				       E_INVAL };
		struct thread *t0 = thread_create(&kernel_process, "race", race, &r[0],
						  PRIO_DEFAULT, 1ull << (i % n));
		struct thread *t1 = thread_create(&kernel_process, "race", race, &r[1],
						  PRIO_DEFAULT, 1ull << ((i + 1) % n));
		KT_ASSERT(t0 && t1);
		while (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) < 2)
			sched_yield();
		__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
		thread_join(t0);
		thread_join(t1);
		KT_EXPECT_EQ(r[1].result, E_OK);
		if (!end) {
			KT_EXPECT(r[0].result == E_OK || r[0].result == E_NOT_FOUND);
			unmapped += r[0].result == E_OK;
			KT_EXPECT(!mapped(pb, VA_B, NULL, NULL));
			KT_EXPECT_EQ(mem_unmap(pb, va(VA_B)), E_NOT_FOUND);
			process_put(pb);
		}
		KT_EXPECT_EQ(cap_lookup(&a.cs, 3, OBJ_NONE, 0, &(struct cap){ 0 }), E_NOT_FOUND);
		KT_EXPECT_EQ(cap_delete(&a.cs, 2), E_OK);       /* the revoke kept it */
		KT_EXPECT_EQ(cap_held_count(), held);
		KT_EXPECT_EQ(mem_mapping_count(), 0);
		KT_EXPECT_EQ(a.mo->obj.refs, 1);
		if (ktest_failed())
			break;
	}
	KT_EXPECT_EQ(frames_used(), used);
	pr_info("memobj race: the unmap won %u of %u", unmapped, RACES - RACES / 3);
	env_fini(&a);
	KT_EXPECT_EQ(a.q.used, 0);
}

/* ---- quotas and running out ---- */

KTEST(memobj, quota_exhaustion_is_an_error_and_leaks_nothing)
{
	struct quota q;
	struct cspace cs;
	struct process *p;
	uint64_t objs = kobj_count(), caps = cap_count();

	uint64_t used = frames_used();
	KT_ASSERT_EQ(process_create("memobj-q", &p), E_OK);
	/* Room for the space and 16 pages (with their headers): a 17th page is refused. */
	quota_init(&q, SLOTS * sizeof(struct cap_slot) + 16 * PAGE_SIZE + 1024);
	KT_ASSERT_EQ(cspace_init(&cs, SLOTS, &q), E_OK);
	KT_EXPECT_EQ(make_memobj(&cs, 1, &q, 17, NULL), E_NO_MEMORY);
	KT_EXPECT_EQ(kobj_count(), objs);
	KT_EXPECT_EQ(q.used, SLOTS * sizeof(struct cap_slot));
	KT_ASSERT_EQ(make_memobj(&cs, 1, &q, 8, NULL), E_OK);
	KT_ASSERT_EQ(make_memobj(&cs, 2, &q, 8, NULL), E_OK);
	KT_EXPECT_EQ(make_memobj(&cs, 3, &q, 1, NULL), E_NO_MEMORY);

	/* Mapping records are charged too: map until the quota runs out. */
	int maps = 0;
	for (; maps < 64; maps++) {
		uint64_t held = cap_held_count();
		kerr_t e = mem_map(&cs, 2, p, va(VA_A + (uint64_t)maps * 0x100000), R);
		if (e != E_OK) {
			KT_EXPECT_EQ(e, E_NO_MEMORY);
			KT_EXPECT_EQ(cap_held_count(), held);
			KT_EXPECT(!mapped(p, VA_A + (uint64_t)maps * 0x100000, NULL, NULL));
			break;
		}
	}
	KT_EXPECT(maps > 0 && maps < 64);
	cspace_destroy(&cs);            /* the objects live on in their mappings */
	KT_EXPECT(q.used > 0);
	process_put(p);
	KT_EXPECT_EQ(q.used, 0);
	KT_EXPECT_EQ(kobj_count(), objs);
	KT_EXPECT_EQ(cap_count(), caps);
	KT_EXPECT_EQ(mem_mapping_count(), 0);
	KT_EXPECT_EQ(frames_used(), used);     /* the frames, and p's page tables */
}

/* The PMM runs out half-way through an object: every frame taken so far goes back. */
KTEST(memobj, running_out_of_frames_half_way_leaks_nothing)
{
	struct quota q;
	struct memobj *mo;
	uint64_t objs = kobj_count();

	quota_init(&q, UINT64_MAX);
	uint64_t used = frames_used();
	uint64_t want = pmm_get_stats().free + 64;
	KT_ASSERT(want <= MEMOBJ_MAX_PAGES);
	KT_EXPECT_EQ(memobj_create(&q, want, &mo), E_NO_MEMORY);
	KT_EXPECT_EQ(frames_used(), used);
	KT_EXPECT_EQ(kobj_count(), objs);
	KT_EXPECT_EQ(q.used, 0);
}

/* ---- device memory ---- */

KTEST(memobj, device_range_is_mapped_uncached_at_its_address)
{
	struct quota q;
	struct cspace cs;
	struct process *p;
	struct memobj *mo;
	paddr_t hole = device_hole();
	uint64_t used = frames_used();

	KT_ASSERT(hole.raw != 0);
	quota_init(&q, 1 << 20);
	KT_ASSERT_EQ(cspace_init(&cs, SLOTS, &q), E_OK);
	KT_ASSERT_EQ(process_create("memobj-dev", &p), E_OK);
	KT_ASSERT_EQ(memobj_create_device(&q, hole, 4 * PAGE_SIZE, &mo), E_OK);
	KT_ASSERT_EQ(cap_insert_root(&cs, 1, &mo->obj, R | W | CAP_R_DERIVE, 0), E_OK);
	kobj_put(&mo->obj);
	KT_EXPECT_EQ(mem_map(&cs, 1, p, va(VA_A), R | X), E_PERM);
	KT_ASSERT_EQ(mem_map(&cs, 1, p, va(VA_A), RW), E_OK);
	for (uint64_t off = 0; off < 4 * PAGE_SIZE; off += PAGE_SIZE) {
		paddr_t phys;
		unsigned flags;
		KT_EXPECT(mapped(p, VA_A + off, &phys, &flags));
		KT_EXPECT_EQ(phys.raw, hole.raw + off);
		KT_EXPECT(flags & VM_UC);
		KT_EXPECT(flags & VM_WRITE);
		KT_EXPECT(flags & VM_USER);
	}
	process_put(p);
	cspace_destroy(&cs);
	KT_EXPECT_EQ(q.used, 0);
	KT_EXPECT_EQ(frames_used(), used);
}

/* The framebuffer the boot loader set up is a PCI BAR, not RAM, on BIOS and on UEFI: a
 * device object over it is allowed, and it is mapped write-combining, as the kernel's
 * own mapping of it is (kernel/core/initproc.c gives it to init as "fb"). */
KTEST(memobj, framebuffer_is_a_write_combining_device)
{
	const struct boot_fb *fb = &boot_info.fb;
	struct quota q;
	struct cspace cs;
	struct process *p;
	struct memobj *mo;

	if (fb->kind != BOOT_FB_RGB) {
		ktest_skip("no framebuffer");
		return;
	}
	uint64_t base = ALIGN_DOWN(fb->addr.raw, (uint64_t)PAGE_SIZE);
	uint64_t end = ALIGN_UP(fb->addr.raw + (uint64_t)fb->pitch * fb->height,
				(uint64_t)PAGE_SIZE);
	quota_init(&q, 1 << 20);
	KT_ASSERT_EQ(cspace_init(&cs, SLOTS, &q), E_OK);
	KT_ASSERT_EQ(process_create("memobj-fb", &p), E_OK);
	KT_ASSERT_EQ(memobj_create_device_wc(&q, pa(base), end - base, &mo), E_OK);
	KT_EXPECT(mo->device && mo->wc);
	KT_ASSERT_EQ(cap_insert_root(&cs, 1, &mo->obj, RW, 0), E_OK);
	kobj_put(&mo->obj);
	KT_ASSERT_EQ(mem_map(&cs, 1, p, va(VA_A), RW), E_OK);
	paddr_t phys;
	unsigned flags = 0;
	KT_EXPECT(mapped(p, VA_A + (end - base) - PAGE_SIZE, &phys, &flags));
	KT_EXPECT_EQ(phys.raw, end - PAGE_SIZE);
	KT_EXPECT(flags & VM_WC);
	KT_EXPECT(!(flags & VM_UC));
	process_put(p);
	cspace_destroy(&cs);
	KT_EXPECT_EQ(q.used, 0);
}

/* ---- read-only RAM (the initramfs's kind) ---- */

KTEST(memobj, read_only_ram_is_checked_write_back_and_never_writable)
{
	struct quota q;
	struct cspace cs;
	struct process *p;
	struct memobj *mo = NULL;
	paddr_t hole = device_hole();
	uint64_t objs = kobj_count();

	quota_init(&q, 1 << 20);
	/* A frame the test owns stands for reserved RAM; it is freed only at the end. */
	paddr_t frame = pmm_alloc_contig(2, PAGE_SIZE);
	KT_ASSERT(frame.raw != 0);
	KT_EXPECT_EQ(memobj_create_ram_ro(&q, pa(frame.raw + 8), PAGE_SIZE, &mo), E_INVAL);
	KT_EXPECT_EQ(memobj_create_ram_ro(&q, frame, PAGE_SIZE + 1, &mo), E_INVAL);
	KT_EXPECT_EQ(memobj_create_ram_ro(&q, frame, 0, &mo), E_INVAL);
	KT_EXPECT_EQ(memobj_create_ram_ro(&q, frame, (MEMOBJ_MAX_PAGES + 1) * PAGE_SIZE, &mo),
		     E_INVAL);
	KT_EXPECT_EQ(memobj_create_ram_ro(&q, pa(0xfffffffffffff000ull), 2 * PAGE_SIZE, &mo),
		     E_RANGE);
	KT_ASSERT(hole.raw != 0);
	KT_EXPECT_EQ(memobj_create_ram_ro(&q, hole, PAGE_SIZE, &mo), E_RANGE);  /* not RAM */
	size_t nranges;
	const struct mem_range *ram = pmm_usable_ranges(&nranges);
	KT_EXPECT_EQ(memobj_create_ram_ro(&q, pa(ram[nranges - 1].end - PAGE_SIZE),
					  2 * PAGE_SIZE, &mo), E_RANGE);     /* past RAM */
	KT_EXPECT_EQ(q.used, 0);
	KT_EXPECT_EQ(kobj_count(), objs);

	memset(phys_to_virt(frame), 0x5a, 2 * PAGE_SIZE);
	KT_ASSERT_EQ(memobj_create_ram_ro(&q, frame, 2 * PAGE_SIZE, &mo), E_OK);
	KT_EXPECT(mo->ram_ro && !mo->device);
	KT_EXPECT_EQ(mo->npages, 2);
	KT_EXPECT(q.used > 0 && q.used < PAGE_SIZE);            /* the header only */
	KT_ASSERT_EQ(cspace_init(&cs, SLOTS, &q), E_OK);
	KT_ASSERT_EQ(process_create("memobj-ro", &p), E_OK);
	KT_ASSERT_EQ(cap_insert_root(&cs, 1, &mo->obj, CAP_R_ALL, 0), E_OK);
	kobj_put(&mo->obj);
	/* Every right in the capability, yet never WRITE, whole or in part: refused,
	 * nothing charged or held. EXEC only through a capability that has it. */
	KT_ASSERT_EQ(cap_copy(&cs, 1, &cs, 2, R), E_OK);
	uint64_t held = cap_held_count(), charged = q.used;
	KT_EXPECT_EQ(mem_map(&cs, 1, p, va(VA_A), RW), E_PERM);
	KT_EXPECT_EQ(mem_map_pages(&cs, 1, p, va(VA_A), RW, 1, 1), E_PERM);
	KT_EXPECT_EQ(mem_map(&cs, 2, p, va(VA_A), R | X), E_PERM);
	KT_EXPECT_EQ(cap_held_count(), held);
	KT_EXPECT_EQ(q.used, charged);
	KT_EXPECT(!mapped(p, VA_A, NULL, NULL));
	/* Its second page, executable: the process service maps programs' text so. */
	paddr_t phys;
	unsigned flags;
	KT_ASSERT_EQ(mem_map_pages(&cs, 1, p, va(VA_B), R | X, 1, 1), E_OK);
	KT_EXPECT(mapped(p, VA_B, &phys, &flags));
	KT_EXPECT_EQ(phys.raw, frame.raw + PAGE_SIZE);
	KT_EXPECT((flags & VM_EXEC) && !(flags & VM_WRITE));
	KT_EXPECT(!mapped(p, VA_B + PAGE_SIZE, NULL, NULL));
	KT_EXPECT_EQ(mem_unmap(p, va(VA_B)), E_OK);
	KT_ASSERT_EQ(mem_map(&cs, 1, p, va(VA_A), R), E_OK);
	for (uint64_t off = 0; off < 2 * PAGE_SIZE; off += PAGE_SIZE) {
		KT_EXPECT(mapped(p, VA_A + off, &phys, &flags));
		KT_EXPECT_EQ(phys.raw, frame.raw + off);
		KT_EXPECT(flags & VM_USER);
		KT_EXPECT(!(flags & (VM_WRITE | VM_EXEC | VM_UC)));
	}
	process_put(p);
	cspace_destroy(&cs);
	KT_EXPECT_EQ(kobj_count(), objs);
	KT_EXPECT_EQ(q.used, 0);
	/* The object's end freed nothing: the bytes are still there, the frames still the
	 * test's (a DEBUG build panics on freeing a free frame). */
	KT_EXPECT_EQ(*(const uint8_t *)phys_to_virt(pa(frame.raw + PAGE_SIZE)), 0x5a);
	pmm_free_contig(frame, 2);
}

/* ---- demand-zero objects ---- */

#define VA_LAZY 0x800000ull

/* A demand-zero object of npages in (cs, slot), all rights. */
static kerr_t make_lazy(struct cspace *cs, uint32_t slot, struct quota *q, uint64_t npages,
			struct memobj **out)
{
	return make_anon(memobj_create_lazy, cs, slot, q, npages, out);
}

/* Leave free frames full of garbage, so a frame handed out unzeroed would show. */
static void dirty_free_frames(void)
{
	paddr_t f[64];
	size_t n = 0;

	while (n < ARRAY_SIZE(f) && (f[n] = pmm_alloc()).raw) {
		memset(phys_to_virt(f[n]), 0xa5, PAGE_SIZE);
		n++;
	}
	while (n)
		pmm_free(f[--n]);
}

/* The FNV-1a hash of n zero bytes (n <= 64), as the blobs compute it. */
static uint64_t fnv_zeros(uint64_t n)
{
	static const uint8_t zeros[64];

	return fnv1a64(zeros, n);
}

/* One copy to or from the current process's memory (the kernel's user copies). */
struct ucopy {
	uint64_t at;
	uint64_t value;
	bool write;
	uint32_t fail_nth;              /* its n-th allocation fails; 0: none */
	kerr_t e;
	struct failinj_result r;
};

static void ucopy(void *arg)
{
	struct ucopy *c = arg;

	if (c->fail_nth)
		failinj_arm(c->fail_nth, FAILINJ_ALL);
	c->e = c->write ? copy_to_user(c->at, &c->value, sizeof(c->value))
			: copy_from_user(&c->value, c->at, sizeof(c->value));
	if (c->fail_nth)
		c->r = failinj_disarm();
}

static kerr_t ucopy_in(struct process *p, uint64_t at, bool write, uint64_t *value)
{
	struct ucopy c = { .at = at, .value = *value, .write = write, .e = E_INVAL };

	if (!run_in(p, ucopy, &c, AFFINITY_ALL))
		return E_NO_MEMORY;
	*value = c.value;
	return c.e;
}

KTEST(memobj, lazy_object_is_charged_whole_and_takes_no_frame)
{
	struct quota q;
	struct memobj *mo, *keep;
	uint64_t objs = kobj_count();

	quota_init(&q, 1 << 20);
	KT_ASSERT_EQ(memobj_create(&q, 8, &keep), E_OK);        /* the heap's slab */
	uint64_t used = frames_used(), charged = q.used;
	KT_ASSERT_EQ(memobj_create_lazy(&q, 8, &mo), E_OK);
	KT_EXPECT(mo->lazy);
	KT_EXPECT_EQ(q.used - charged, 8 * PAGE_SIZE + sizeof(*mo) + 8 * sizeof(paddr_t));
	KT_EXPECT_EQ(frames_used(), used);
	KT_EXPECT_EQ(memobj_frames_taken(mo), 0);
	kobj_put(&mo->obj);
	KT_EXPECT_EQ(q.used, charged);
	KT_EXPECT_EQ(memobj_create_lazy(&q, 0, &mo), E_INVAL);
	KT_EXPECT_EQ(memobj_create_lazy(&q, MEMOBJ_MAX_PAGES + 1, &mo), E_RANGE);
	KT_EXPECT_EQ(memobj_create_lazy(&q, 256, &mo), E_NO_MEMORY);    /* the quota */
	kobj_put(&keep->obj);
	KT_EXPECT_EQ(q.used, 0);
	KT_EXPECT_EQ(kobj_count(), objs);
}

/* A user thread's first touch of a page takes one zeroed frame and maps it; a write is
 * seen through a second mapping in another process, which maps the touched page at once
 * and takes the others on its own touches; a read-only mapping's write stays a fault. */
KTEST(memobj, lazy_first_touch_maps_one_zeroed_frame)
{
	static struct uproc u;
	static struct cspace cs2;
	struct process *p2;
	struct memobj *mo;
	paddr_t phys;
	unsigned flags;
	uint64_t v;

	KT_ASSERT(uproc_init(&u, ublob_fnv_start, ublob_fnv_end));
	KT_ASSERT_EQ(make_lazy(&u.cs, 3, &u.q, 4, &mo), E_OK);
	KT_ASSERT_EQ(mem_map(&u.cs, 3, u.p, va(VA_LAZY), RW), E_OK);
	KT_EXPECT(!mapped(u.p, VA_LAZY, NULL, NULL));
	KT_EXPECT(!mapped(u.p, VA_LAZY + PAGE_SIZE, NULL, NULL));

	dirty_free_frames();
	uint64_t faults = user_fault_count();
	u.data[0] = VA_LAZY + PAGE_SIZE + 8;    /* page 1: read 64 bytes, then write one */
	u.data[1] = 64;
	u.data[3] = 0;
	KT_ASSERT_EQ(uproc_run(&u), E_OK);
	KT_EXPECT_EQ(u.data[2], fnv_zeros(64));
	KT_EXPECT_EQ(u.data[3], 0xbad);                 /* the write went through */
	KT_EXPECT_EQ(user_fault_count(), faults);
	KT_EXPECT_EQ(memobj_frames_taken(mo), 1);
	KT_ASSERT(mo->frames[1].raw != 0);
	KT_EXPECT(mapped(u.p, VA_LAZY + PAGE_SIZE, &phys, &flags));
	KT_EXPECT_EQ(phys.raw, mo->frames[1].raw);
	KT_EXPECT_EQ(flags, VM_USER | VM_WRITE);
	KT_EXPECT_EQ(((uint8_t *)phys_to_virt(mo->frames[1]))[8], 1);
	KT_EXPECT(!mapped(u.p, VA_LAZY, NULL, NULL));

	/* Another process maps pages 1..3 read-only: the touched page is mapped at once. */
	KT_ASSERT_EQ(cspace_init(&cs2, SLOTS, &u.q), E_OK);
	KT_ASSERT_EQ(process_create("lazy2", &p2), E_OK);
	KT_ASSERT_EQ(cap_copy(&u.cs, 3, &cs2, 1, R), E_OK);
	KT_ASSERT_EQ(mem_map_pages(&cs2, 1, p2, va(VA_B), R, 1, 3), E_OK);
	KT_EXPECT(mapped(p2, VA_B, &phys, &flags));
	KT_EXPECT_EQ(phys.raw, mo->frames[1].raw);
	KT_EXPECT_EQ(flags, VM_USER);
	KT_EXPECT(!mapped(p2, VA_B + PAGE_SIZE, NULL, NULL));
	v = 0;
	KT_EXPECT_EQ(ucopy_in(p2, VA_B + 8, false, &v), E_OK);
	KT_EXPECT_EQ(v & 0xff, 1);                      /* the user thread's write */
	/* Its read-only mapping: a write to an untouched page is refused, takes nothing. */
	v = 7;
	KT_EXPECT_EQ(ucopy_in(p2, VA_B + PAGE_SIZE, true, &v), E_FAULT);
	KT_EXPECT_EQ(memobj_frames_taken(mo), 1);
	/* A read of it takes the object's page 2, which the first process then shares. */
	KT_EXPECT_EQ(ucopy_in(p2, VA_B + PAGE_SIZE, false, &v), E_OK);
	KT_EXPECT_EQ(v, 0);
	KT_EXPECT_EQ(memobj_frames_taken(mo), 2);
	KT_ASSERT(mo->frames[2].raw != 0);
	v = 0x1234;
	KT_EXPECT_EQ(ucopy_in(u.p, VA_LAZY + 2 * PAGE_SIZE, true, &v), E_OK);
	KT_EXPECT(mapped(u.p, VA_LAZY + 2 * PAGE_SIZE, &phys, NULL));
	KT_EXPECT_EQ(phys.raw, mo->frames[2].raw);
	v = 0;
	KT_EXPECT_EQ(ucopy_in(p2, VA_B + PAGE_SIZE, false, &v), E_OK);
	KT_EXPECT_EQ(v, 0x1234);

	/* The user thread through a read-only mapping: the read is served, the write is
	 * the fault it always was. */
	KT_ASSERT_EQ(mem_unmap(u.p, va(VA_LAZY)), E_OK);
	KT_ASSERT_EQ(mem_map(&u.cs, 3, u.p, va(VA_LAZY), R), E_OK);
	u.data[0] = VA_LAZY + 3 * PAGE_SIZE;
	u.data[1] = 16;
	u.data[2] = u.data[3] = 0;
	KT_ASSERT_EQ(uproc_run(&u), E_OK);
	KT_EXPECT_EQ(u.data[2], fnv_zeros(16));
	KT_EXPECT_EQ(u.data[3], 0);                     /* it never got past the write */
	KT_EXPECT_EQ(user_fault_count(), faults + 1);
	KT_EXPECT_EQ(memobj_frames_taken(mo), 3);

	process_put(p2);
	cspace_destroy(&cs2);
	uproc_fini(&u);
	KT_EXPECT_EQ(u.q.used, 0);
}

/* Untouched pages are not in the page tables, but still the mapping's: nothing else may
 * be mapped over them (nor an IPC buffer put there: user/utest). */
KTEST(memobj, lazy_mapping_holes_are_not_free_space)
{
	static struct env v;
	struct memobj *mo;

	KT_ASSERT(env_init(&v, 2));
	KT_ASSERT_EQ(make_lazy(&v.cs, 2, &v.q, 4, &mo), E_OK);
	KT_ASSERT_EQ(mem_map(&v.cs, 2, v.p, va(VA_A), RW), E_OK);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 1, v.p, va(VA_A + 2 * PAGE_SIZE), R), E_EXISTS);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 2, v.p, va(VA_A - PAGE_SIZE), R), E_EXISTS);
	EXPECT_REFUSED(&v, mem_map_pages(&v.cs, 2, v.p, va(VA_A + 3 * PAGE_SIZE), R, 0, 1),
		       E_EXISTS);
	KT_ASSERT_EQ(mem_map(&v.cs, 1, v.p, va(VA_B), R), E_OK);
	EXPECT_REFUSED(&v, mem_map(&v.cs, 2, v.p, va(VA_B - 3 * PAGE_SIZE), R), E_EXISTS);
	KT_EXPECT(!mapped(v.p, VA_B - 3 * PAGE_SIZE, NULL, NULL));
	KT_EXPECT(mapped(v.p, VA_B, NULL, NULL));
	KT_EXPECT_EQ(memobj_frames_taken(mo), 0);
	env_fini(&v);
	KT_EXPECT_EQ(v.q.used, 0);
}

struct toucher {
	struct process *p;
	uint64_t base;                  /* where the object is mapped in p */
	unsigned idx;                   /* which word of each page it writes */
	uint32_t *ready;
	uint32_t nthreads;
	kerr_t e;
};

/* Wait for every toucher, then write a word of each page: first touches, racing. */
static void toucher(void *arg)
{
	struct toucher *t = arg;

	__atomic_add_fetch(t->ready, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(t->ready, __ATOMIC_ACQUIRE) < t->nthreads)
		cpu_pause();
	t->e = E_OK;
	for (uint64_t pg = 0; pg < 8 && t->e == E_OK; pg++) {
		uint64_t val = 0x100 * pg + t->idx + 1;
		t->e = copy_to_user(t->base + pg * PAGE_SIZE + t->idx * 8, &val, sizeof(val));
	}
}

/* Two threads in each of two processes touch the same pages of one object at once:
 * each page ends with one frame, holding every thread's word, mapped in both, and no
 * frame a loser took is left behind. */
KTEST(memobj, lazy_racing_first_touches_take_one_frame)
{
	static struct env v;
	static struct cspace cs2;
	static struct toucher tt[4];
	struct thread *th[4];
	struct process *p2;
	struct memobj *mo;
	uint32_t ready;
	unsigned ncpu = sched_cpu_count();

	KT_ASSERT(env_init(&v, 1));
	KT_ASSERT_EQ(cspace_init(&cs2, SLOTS, &v.q), E_OK);
	KT_ASSERT_EQ(process_create("lazy2", &p2), E_OK);
	uint64_t used = frames_used();
	for (int round = 0; round < 8; round++) {
		KT_ASSERT_EQ(make_lazy(&v.cs, 2, &v.q, 8, &mo), E_OK);
		KT_ASSERT_EQ(cap_copy(&v.cs, 2, &cs2, 1, RW), E_OK);
		KT_ASSERT_EQ(mem_map(&v.cs, 2, v.p, va(VA_A), RW), E_OK);
		KT_ASSERT_EQ(mem_map(&cs2, 1, p2, va(VA_B), RW), E_OK);
		ready = 0;
		for (unsigned i = 0; i < 4; i++) {
			tt[i] = (struct toucher){ i < 2 ? v.p : p2, i < 2 ? VA_A : VA_B, i,
						  &ready, 4, E_INVAL };
			th[i] = thread_create(tt[i].p, "toucher", toucher, &tt[i], PRIO_DEFAULT,
					      1ull << (i % ncpu));
			KT_ASSERT(th[i] != NULL);
		}
		for (unsigned i = 0; i < 4; i++) {
			thread_join(th[i]);
			KT_EXPECT_EQ(tt[i].e, E_OK);
		}
		KT_EXPECT_EQ(memobj_frames_taken(mo), 8);
		for (uint64_t pg = 0; pg < 8; pg++) {
			const uint64_t *w = phys_to_virt(mo->frames[pg]);
			paddr_t a, b;
			for (unsigned i = 0; i < 4; i++)
				KT_EXPECT_EQ(w[i], 0x100 * pg + i + 1);
			KT_EXPECT(mapped(v.p, VA_A + pg * PAGE_SIZE, &a, NULL));
			KT_EXPECT(mapped(p2, VA_B + pg * PAGE_SIZE, &b, NULL));
			KT_EXPECT_EQ(a.raw, mo->frames[pg].raw);
			KT_EXPECT_EQ(b.raw, mo->frames[pg].raw);
		}
		KT_ASSERT_EQ(mem_unmap(v.p, va(VA_A)), E_OK);
		KT_ASSERT_EQ(mem_unmap(p2, va(VA_B)), E_OK);
		KT_ASSERT_EQ(cap_delete(&cs2, 1), E_OK);
		KT_ASSERT_EQ(cap_delete(&v.cs, 2), E_OK);       /* the object goes */
		KT_EXPECT_EQ(frames_used(), used);
	}
	process_put(p2);
	cspace_destroy(&cs2);
	env_fini(&v);
	KT_EXPECT_EQ(v.q.used, 0);
}

/* The end of an object with holes frees the frames it took, and only those. */
KTEST(memobj, lazy_destroy_with_holes_frees_what_was_taken)
{
	static struct env v;
	struct memobj *mo;
	uint64_t val = 0x77;

	KT_ASSERT(env_init(&v, 1));
	/* Page tables for the region made first, so they do not count below. */
	KT_ASSERT_EQ(mem_map(&v.cs, 1, v.p, va(VA_A + 16 * PAGE_SIZE), R), E_OK);
	uint64_t used = frames_used();
	KT_ASSERT_EQ(make_lazy(&v.cs, 2, &v.q, 16, &mo), E_OK);
	KT_ASSERT_EQ(mem_map(&v.cs, 2, v.p, va(VA_A), RW), E_OK);
	KT_EXPECT_EQ(frames_used(), used);
	KT_EXPECT_EQ(ucopy_in(v.p, VA_A + 3 * PAGE_SIZE, true, &val), E_OK);
	KT_EXPECT_EQ(ucopy_in(v.p, VA_A + 9 * PAGE_SIZE + 100, false, &val), E_OK);
	KT_EXPECT_EQ(val, 0);
	KT_EXPECT_EQ(memobj_frames_taken(mo), 2);
	KT_EXPECT_EQ(frames_used(), used + 2);
	KT_ASSERT_EQ(mem_unmap(v.p, va(VA_A)), E_OK);
	KT_EXPECT_EQ(frames_used(), used + 2);          /* the object still has them */
	KT_ASSERT_EQ(cap_delete(&v.cs, 2), E_OK);
	KT_EXPECT_EQ(frames_used(), used);
	env_fini(&v);
	KT_EXPECT_EQ(v.q.used, 0);
}

/* Where a first touch needs a page directory and a page table as well as the frame: a
 * gigabyte of the process that nothing else maps. */
#define VA_FAR 0x40000000ull

/* A first touch of page 0 of a demand-zero object mapped at VA_FAR, with its n-th
 * allocation failed: by a user thread (the fnv blob: a read, then a write), false if it
 * died of the fault; or by a kernel copy for a system call (a write of 5), its result
 * in *e. False: no thread to touch with. */
static bool touch_far(struct uproc *u, bool user, uint32_t n, kerr_t *e,
		      struct failinj_result *r)
{
	struct thread *t;

	if (!user) {
		struct ucopy c = { .at = VA_FAR, .value = 5, .write = true, .fail_nth = n };
		if (!run_in(u->p, ucopy, &c, AFFINITY_ALL))
			return false;
		*e = c.e;
		*r = c.r;
		return true;
	}
	uint64_t faults = user_fault_count();
	u->data[0] = VA_FAR;
	u->data[1] = 8;
	u->data[2] = u->data[3] = 0;
	if (user_thread_create(u->p, CODE_VA, DATA_VA + PAGE_SIZE, DATA_VA, &t) != E_OK)
		return false;
	thread_get(t);                          /* to read its count once it has ended */
	failinj_arm_thread(t, n, FAILINJ_ALL);
	thread_launch(t);
	thread_join(t);
	*r = failinj_disarm_thread(t);
	thread_put(t);
	*e = user_fault_count() == faults ? E_OK : E_FAULT;
	return true;
}

/*
 * A first touch that needs a frame, a page directory and a page table, by a user thread
 * and by a kernel copy, with each of its allocations failed in turn until it works. A
 * failure is a fault of the user thread, E_NO_MEMORY from the copy; nothing is mapped,
 * no page table is left, and no frame but one the object took before a table was
 * refused. That frame is the object's (charged with it, freed with it: it may not be
 * taken back, since another address space may have mapped it meanwhile), and the next
 * touch maps it rather than taking another.
 */
KTEST(memobj, lazy_first_touch_fails_cleanly_at_every_allocation)
{
	static struct uproc u;
	struct memobj *mo;
	paddr_t phys;

	KT_ASSERT(uproc_init(&u, ublob_fnv_start, ublob_fnv_end));
	uint64_t quota = u.q.used, threads = thread_count();
	for (int user = 0; user < 2; user++) {
		uint32_t n;
		for (n = 1; n <= 16; n++) {
			uint64_t used0 = frames_used();
			struct failinj_result r;
			kerr_t e;
			KT_ASSERT_EQ(make_lazy(&u.cs, 3, &u.q, 2, &mo), E_OK);
			KT_ASSERT_EQ(mem_map(&u.cs, 3, u.p, va(VA_FAR), RW), E_OK);
			uint64_t used = frames_used(), tables = u.p->as->table_pages;
			KT_ASSERT(touch_far(&u, user, n, &e, &r));
			settle_threads(threads);
			if (!r.failed) {
				KT_EXPECT_EQ(e, E_OK);
				KT_EXPECT_EQ(memobj_frames_taken(mo), 1);
				KT_EXPECT(mapped(u.p, VA_FAR, &phys, NULL));
				KT_EXPECT_EQ(phys.raw, mo->frames[0].raw);
				if (user)
					KT_EXPECT(u.data[2] == fnv_zeros(8) && u.data[3] == 0xbad);
			} else {
				KT_EXPECT_EQ(e, user ? E_FAULT : E_NO_MEMORY);
				KT_EXPECT(!mapped(u.p, VA_FAR, NULL, NULL));
				KT_EXPECT_EQ(u.p->as->table_pages, tables);
				KT_EXPECT(memobj_frames_taken(mo) <= 1);
				KT_EXPECT_EQ(frames_used(), used + memobj_frames_taken(mo));
				if (user)
					KT_EXPECT_EQ(u.data[2], 0);     /* never got past the read */
				/* With memory, the touch works, with the frame already taken. */
				paddr_t kept = mo->frames[0];
				uint64_t v = 7;
				KT_EXPECT_EQ(ucopy_in(u.p, VA_FAR, true, &v), E_OK);
				KT_EXPECT_EQ(memobj_frames_taken(mo), 1);
				KT_EXPECT(!kept.raw || kept.raw == mo->frames[0].raw);
				KT_EXPECT(mapped(u.p, VA_FAR, &phys, NULL));
				KT_EXPECT_EQ(phys.raw, mo->frames[0].raw);
				KT_EXPECT_EQ(*(uint64_t *)phys_to_virt(phys), 7);
			}
			/* The mapping and the object go, and with them what the touch took. */
			KT_EXPECT_EQ(mem_unmap(u.p, va(VA_FAR)), E_OK);
			KT_EXPECT_EQ(cap_delete(&u.cs, 3), E_OK);
			KT_EXPECT_EQ(frames_used(), used0);
			KT_EXPECT_EQ(u.q.used, quota);
			if (!r.failed)
				break;
		}
		/* At least the frame and a page table were each refused once. */
		KT_EXPECT(n > 2 && n <= 16);
		kprintf("# memobj: first touch by a %s: %u allocations, each failed in turn\n",
			user ? "user thread" : "kernel copy", n - 1);
	}
	uproc_fini(&u);
	KT_EXPECT_EQ(u.q.used, 0);
}
