/*
 * Fault injection (failinj.h) through every system call: each call that allocates is
 * made again and again, from a kernel thread of the fixture process (sysenv.h), with
 * its 1st, 2nd, 3rd ... allocation failed — heap blocks, frames, kernel stacks and
 * quota charges alike — until it makes fewer allocations than the one armed and
 * succeeds. After each failure the call must have returned its documented error for
 * running out (E_NO_MEMORY) and left nothing behind: frames, heap bytes, quota,
 * capabilities, objects, threads, processes and mappings all back where they were.
 * The success is then undone and must leave nothing either. Calls that must not
 * allocate at all (capability operations, IPC with capability transfer, notifications)
 * are made once armed at the first allocation, which must not come.
 *
 * Every system call of the ABI is in one table or the other, so a new one fails here
 * until someone says whether it allocates.
 */
#define SYSCALL_DESCS
#include <syscall_table.h>
#include <ktest.h>
#include "settle.h"
#include "sysenv.h"
#include "uproc.h"
#include "objects.h"
#include <elf.h>
#include <endpoint.h>
#include <failinj.h>
#include <heap.h>
#include <kformat.h>
#include <ksyms.h>
#include <klib.h>
#include <log.h>
#include <memobj.h>
#include <pmm.h>
#include <sched.h>
#include <time.h>
#include <usercopy.h>
#include <usermode.h>
#include <vmm.h>

#define MAX_ALLOCS      64      /* more than any call makes: a bound on the loop */

/* A call with valid arguments, what undoes its success, and whether it allocates. */
struct fi_case {
	const char *what;
	uint64_t nr;
	uint64_t a[6];
	bool allocates;
	kerr_t want;                    /* a call that does not allocate: its result */
	void (*undo)(struct env *v);    /* after a success: give back what it made */
	void (*prepare)(struct env *v); /* before the first try, uncounted; NULL: nothing */
	void (*finish)(struct env *v);  /* after the last, undoing prepare */
	/* Around each try, uncounted: a fresh start (a demand-zero page untouched again),
	 * and its end, after which everything must be as before the setup. */
	void (*setup)(struct env *v);
	void (*teardown)(struct env *v);
	/* Frames a try may leave that are not leaks: the object's and the address space's,
	 * given back by the teardown. NULL: none. */
	uint64_t (*held)(struct env *v);
};

static void delete_free_slot(struct env *v)
{
	KT_EXPECT_EQ(cap_delete(&v->cs, S_FREE), E_OK);
}

static void unmap_own(struct env *v)
{
	KT_EXPECT_EQ(mem_unmap(v->p, va(MAP_VA)), E_OK);
}

static void unmap_other(struct env *v)
{
	KT_EXPECT_EQ(mem_unmap(v->other, va(MAP_VA)), E_OK);
}

static void delete_copy_in_other(struct env *v)
{
	KT_EXPECT_EQ(cap_delete(v->other->cspace, 1), E_OK);
}

/* A thread made by thread_create: its capability goes, and it ends on its own (the
 * hello blob returns at once; in the other process its code is not mapped, so it
 * faults at once). Wait until it has been reaped and its charge paid back. */
static uint64_t threads_before_case;

static void thread_gone(struct env *v)
{
	KT_EXPECT_EQ(cap_delete(&v->cs, S_FREE), E_OK);
	settle_threads(threads_before_case);
}

static void drop_ipc_buffer(struct env *v)
{
	ipc_buffer_release(thread_current());
}

static void unbind_irq(struct env *v)
{
	KT_EXPECT_EQ(irq_line_unbind(&v->cs, S_IRQ), E_OK);
}

static void clear_fault_notification(struct env *v)
{
	process_set_fault_notification(v->other, NULL, 0);
}

static void move_back(struct env *v)
{
	KT_EXPECT_EQ(cap_move(&v->cs, S_FREE, &v->cs, S_BADGED), E_OK);
}

/* A two-page object in S_SPARE, for a mapping that straddles a page-table boundary:
 * its second page needs a table its first does not. */
#define STRADDLE_VA     (MAP_VA + (2ull << 20) - PAGE_SIZE)

static void make_two_pages(struct env *v)
{
	struct memobj *mo;

	KT_EXPECT(memobj_create(&v->q, 2, &mo) == E_OK &&
		  cap_insert_root(&v->cs, S_SPARE, &mo->obj, CAP_R_ALL, 0) == E_OK);
	kobj_put(&mo->obj);
}

static void delete_spare(struct env *v)
{
	KT_EXPECT_EQ(cap_delete(&v->cs, S_SPARE), E_OK);
}

static void unmap_straddle(struct env *v)
{
	KT_EXPECT_EQ(mem_unmap(v->other, va(STRADDLE_VA)), E_OK);
}

/* ---- other kinds of memory object ---- */

/*
 * A demand-zero object (MNOS_MEM_LAZY) of four pages in S_SPARE. Mapped, it maps only
 * the pages that have a frame, a run at a time (memobj.c map_pages), so a mapping can
 * fail in its second run with the first run's pages and tables to undo; a user copy into
 * an untouched page takes its frame, and perhaps page tables, on the way (mem_fault).
 */
#define LAZY_PAGES      4
#define TOUCH_VA        0x30000000ull           /* where make_lazy_touched touches it */
/* Pages 0 and 1 below a page-table boundary, 2 and 3 above it. */
#define LAZY_STRADDLE_VA (MAP_VA + (2ull << 20) - 2 * PAGE_SIZE)
/* In the fixture process, a gigabyte of its own: its first touch needs a page directory
 * and a page table as well as the frame. */
#define LAZY_VA         0x40000000ull

static struct memobj *lazy_mo;

static void make_lazy(struct env *v)
{
	lazy_mo = NULL;
	if (memobj_create_lazy(&v->q, LAZY_PAGES, &lazy_mo) != E_OK ||
	    !give_cap(&v->cs, S_SPARE, &lazy_mo->obj))
		ktest_fail_at(__FILE__, __LINE__, "no demand-zero object for the case");
}

/* Frames the demand-zero object has taken. */
static uint64_t lazy_frames(void)
{
	return lazy_mo ? memobj_frames_taken(lazy_mo) : 0;
}

/* With pages 0, 2 and 3 touched (through a mapping in this process, gone again), so a
 * mapping of it has runs to map. */
static void make_lazy_touched(struct env *v)
{
	static const unsigned touch[] = { 0, 2, 3 };
	uint64_t word = 0x5eed;

	make_lazy(v);
	KT_EXPECT_EQ(mem_map(&v->cs, S_SPARE, v->p, va(TOUCH_VA), CAP_R_READ | CAP_R_WRITE),
		     E_OK);
	for (size_t i = 0; i < ARRAY_SIZE(touch); i++)
		KT_EXPECT_EQ(copy_to_user(TOUCH_VA + touch[i] * PAGE_SIZE, &word, sizeof(word)),
			     E_OK);
	KT_EXPECT_EQ(mem_unmap(v->p, va(TOUCH_VA)), E_OK);
	KT_EXPECT_EQ(lazy_frames(), ARRAY_SIZE(touch));
}

static void unmap_lazy_straddle(struct env *v)
{
	KT_EXPECT_EQ(mem_unmap(v->other, va(LAZY_STRADDLE_VA)), E_OK);
}

/* Per try: the object, untouched, mapped read-write at LAZY_VA in the fixture process. */
static void map_lazy_buffer(struct env *v)
{
	make_lazy(v);
	KT_EXPECT_EQ(mem_map(&v->cs, S_SPARE, v->p, va(LAZY_VA), CAP_R_READ | CAP_R_WRITE),
		     E_OK);
}

/* After a try: each page is untouched, or mapped to the object's own frame for it —
 * never another frame, never a page the object has no frame for. Then the mapping and
 * the object go, and with them the frames and page tables the try left. */
static void unmap_lazy_buffer(struct env *v)
{
	for (uint64_t i = 0; lazy_mo && i < LAZY_PAGES; i++) {
		paddr_t phys;
		if (vmm_translate(v->p->as, va(LAZY_VA + i * PAGE_SIZE), &phys, NULL) &&
		    phys.raw != lazy_mo->frames[i].raw)
			ktest_fail_at(__FILE__, __LINE__, "page %llu of the demand-zero mapping "
				      "maps %#llx, not the object's frame %#llx",
				      (unsigned long long)i, (unsigned long long)phys.raw,
				      (unsigned long long)lazy_mo->frames[i].raw);
	}
	KT_EXPECT_EQ(mem_unmap(v->p, va(LAZY_VA)), E_OK);
	delete_spare(v);
	lazy_mo = NULL;
}

/* A touch that found memory for the frame but not for a page table leaves the frame in
 * the object (mem_fault): it is the object's — charged with it, freed with it — and the
 * next touch uses it. Pages that were mapped keep their tables until the unmap. */
static uint64_t lazy_buffer_held(struct env *v)
{
	return lazy_frames() + v->p->as->table_pages;
}

/* Two pages of read-only RAM in S_SPARE, as the process service maps programs' text
 * from the initramfs. */
static paddr_t ro_frames;

static void make_ram_ro(struct env *v)
{
	struct memobj *mo;

	ro_frames = pmm_alloc_contig(2, PAGE_SIZE);
	if (!ro_frames.raw || memobj_create_ram_ro(&v->q, ro_frames, 2 * PAGE_SIZE, &mo) != E_OK ||
	    !give_cap(&v->cs, S_SPARE, &mo->obj))
		ktest_fail_at(__FILE__, __LINE__, "no read-only RAM object for the case");
}

static void delete_ram_ro(struct env *v)
{
	delete_spare(v);                /* the object's end frees nothing of the range */
	if (ro_frames.raw)
		pmm_free_contig(ro_frames, 2);
	ro_frames = PADDR_NULL;
}

/* Three pages of a device (not RAM) in S_SPARE, as a driver gets a framebuffer. */
static void make_device(struct env *v)
{
	struct memobj *mo;
	paddr_t hole = device_hole();

	if (!hole.raw || memobj_create_device(&v->q, hole, 3 * PAGE_SIZE, &mo) != E_OK ||
	    !give_cap(&v->cs, S_SPARE, &mo->obj))
		ktest_fail_at(__FILE__, __LINE__, "no device object for the case");
}

/* A call that allocates, what undoes its success, and its arguments. */
#define ALLOCS(what_, nr_, undo_, ...) \
	{ .what = what_, .nr = nr_, .a = { __VA_ARGS__ }, .allocates = true, .undo = undo_ }
/* The same, with an object made before the first try and gone after the last. */
#define ALLOCS_ON(what_, nr_, undo_, prepare_, finish_, ...)                       \
	{ .what = what_, .nr = nr_, .a = { __VA_ARGS__ }, .allocates = true, .undo = undo_, \
	  .prepare = prepare_, .finish = finish_ }
/* A call that must not allocate, its result, what undoes it, and its arguments. */
#define NO_ALLOC(what_, nr_, want_, undo_, ...) \
	{ .what = what_, .nr = nr_, .a = { __VA_ARGS__ }, .want = want_, .undo = undo_ }
/* A call whose user buffer lies in an untouched demand-zero mapping (LAZY_VA), made
 * afresh for each try: the user copy takes the frame and page tables. */
#define LAZY_BUFFER(what_, nr_, ...)                                            \
	{ .what = what_, .nr = nr_, .a = { __VA_ARGS__ }, .allocates = true,    \
	  .want = E_OK, .setup = map_lazy_buffer, .teardown = unmap_lazy_buffer, \
	  .held = lazy_buffer_held }

static const struct fi_case cases[] = {
	/* objects of every type a process can create */
	ALLOCS("obj_create endpoint", SYS_OBJ_CREATE, delete_free_slot,
	       MNOS_OBJ_ENDPOINT, S_FREE),
	ALLOCS("obj_create reply", SYS_OBJ_CREATE, delete_free_slot, MNOS_OBJ_REPLY, S_FREE),
	ALLOCS("obj_create notification", SYS_OBJ_CREATE, delete_free_slot,
	       MNOS_OBJ_NOTIFICATION, S_FREE),
	ALLOCS("obj_create memory (1 page)", SYS_OBJ_CREATE, delete_free_slot,
	       MNOS_OBJ_MEMORY, S_FREE, 1),
	ALLOCS("obj_create memory (5 pages)", SYS_OBJ_CREATE, delete_free_slot,
	       MNOS_OBJ_MEMORY, S_FREE, 5),
	ALLOCS("obj_create process", SYS_OBJ_CREATE, delete_free_slot,
	       MNOS_OBJ_PROCESS, S_FREE, 16, 1 << 16),
	ALLOCS("obj_create process (slots from the large-block heap)", SYS_OBJ_CREATE,
	       delete_free_slot, MNOS_OBJ_PROCESS, S_FREE, 512, 1 << 16),
	/* mappings: the record, its charge, and page tables (in this process a page
	 * table; in the other, whose address space is empty, three levels) */
	ALLOCS("mem_map", SYS_MEM_MAP, unmap_own, S_MEM, 0, MAP_VA, CAP_R_READ | CAP_R_WRITE),
	ALLOCS("mem_map into another process", SYS_MEM_MAP, unmap_other,
	       S_MEM, S_PROC, MAP_VA, CAP_R_READ),
	ALLOCS_ON("mem_map across a page-table boundary", SYS_MEM_MAP, unmap_straddle,
		  make_two_pages, delete_spare, S_SPARE, S_PROC, STRADDLE_VA, CAP_R_READ),
	ALLOCS("mem_map_pages", SYS_MEM_MAP_PAGES, unmap_own,
	       S_MEM, 0, MAP_VA, CAP_R_READ | CAP_R_WRITE, 0, 1),
	ALLOCS_ON("mem_map_pages: the second of two pages, into another process",
		  SYS_MEM_MAP_PAGES, unmap_straddle, make_two_pages, delete_spare,
		  S_SPARE, S_PROC, STRADDLE_VA, CAP_R_READ, 1, 1),
	/* demand-zero objects: created with no frame; mapped a run of touched pages at a
	 * time, so a page table refused in a later run undoes the earlier runs */
	ALLOCS("obj_create memory (demand-zero, 5 pages)", SYS_OBJ_CREATE, delete_free_slot,
	       MNOS_OBJ_MEMORY, S_FREE, 5, MNOS_MEM_LAZY),
	ALLOCS_ON("mem_map of an untouched demand-zero object", SYS_MEM_MAP, unmap_own,
		  make_lazy, delete_spare, S_SPARE, 0, MAP_VA, CAP_R_READ | CAP_R_WRITE),
	ALLOCS_ON("mem_map of a demand-zero object with pages 0, 2, 3 touched, into another "
		  "process across a page-table boundary", SYS_MEM_MAP, unmap_lazy_straddle,
		  make_lazy_touched, delete_spare, S_SPARE, S_PROC, LAZY_STRADDLE_VA, CAP_R_READ),
	ALLOCS_ON("mem_map_pages 1-3 of that object (a hole, then a run across the boundary)",
		  SYS_MEM_MAP_PAGES, unmap_lazy_straddle, make_lazy_touched, delete_spare,
		  S_SPARE, S_PROC, LAZY_STRADDLE_VA, CAP_R_READ, 1, 3),
	/* physical ranges: read-only RAM (what spawn maps from the initramfs) and a device */
	ALLOCS_ON("mem_map of read-only RAM, executable, into another process across a "
		  "page-table boundary", SYS_MEM_MAP, unmap_straddle, make_ram_ro, delete_ram_ro,
		  S_SPARE, S_PROC, STRADDLE_VA, CAP_R_READ | CAP_R_EXEC),
	ALLOCS_ON("mem_map_pages: the second page of read-only RAM, into another process",
		  SYS_MEM_MAP_PAGES, unmap_straddle, make_ram_ro, delete_ram_ro,
		  S_SPARE, S_PROC, STRADDLE_VA, CAP_R_READ, 1, 1),
	ALLOCS_ON("mem_map of a device object", SYS_MEM_MAP, unmap_own, make_device,
		  delete_spare, S_SPARE, 0, MAP_VA, CAP_R_READ | CAP_R_WRITE),
	ALLOCS_ON("mem_map_pages 1-2 of a device object, into another process across a "
		  "page-table boundary", SYS_MEM_MAP_PAGES, unmap_straddle, make_device,
		  delete_spare, S_SPARE, S_PROC, STRADDLE_VA, CAP_R_READ | CAP_R_WRITE, 1, 2),
	/* user copies into untouched demand-zero pages: the frame, a page directory and a
	 * page table (system_info's buffer spans two pages: a second frame) */
	LAZY_BUFFER("debug_print from an untouched demand-zero page", SYS_DEBUG_PRINT,
		    LAZY_VA + 64, 32),
	LAZY_BUFFER("system_info into two untouched demand-zero pages", SYS_SYSTEM_INFO,
		    LAZY_VA + PAGE_SIZE - 16, MNOS_SYSINFO_MIN_SIZE),
	/* threads: the charge, the thread, its stack, its capability object */
	ALLOCS("thread_create", SYS_THREAD_CREATE, thread_gone,
	       0, S_FREE, CODE_VA, DATA_VA + PAGE_SIZE, DATA_VA),
	ALLOCS("thread_create in another process", SYS_THREAD_CREATE, thread_gone,
	       S_PROC, S_FREE, CODE_VA, DATA_VA, 0),
	ALLOCS("ipc_buffer_set", SYS_IPC_BUFFER_SET, drop_ipc_buffer, BUF_VA),

	/* nothing to allocate: slots, tree links and wait queues are all made already */
	NO_ALLOC("cap_copy", SYS_CAP_COPY, E_OK, delete_free_slot, S_EP, 0, S_FREE, CAP_R_ALL),
	NO_ALLOC("cap_copy into another process", SYS_CAP_COPY, E_OK, delete_copy_in_other,
		 S_NOTIF, S_PROC, 1, CAP_R_ALL),
	NO_ALLOC("cap_mint", SYS_CAP_MINT, E_OK, delete_free_slot, S_EP, S_FREE, CAP_R_ALL, 9),
	NO_ALLOC("cap_move", SYS_CAP_MOVE, E_OK, move_back, S_BADGED, S_FREE),
	NO_ALLOC("cap_delete", SYS_CAP_DELETE, E_NOT_FOUND, NULL, S_SPARE),
	NO_ALLOC("cap_revoke", SYS_CAP_REVOKE, E_OK, NULL, S_NOTIF),
	NO_ALLOC("debug_print", SYS_DEBUG_PRINT, E_OK, NULL, DATA_VA, 0),
	NO_ALLOC("yield", SYS_YIELD, E_OK, NULL, 0),
	NO_ALLOC("clock", SYS_CLOCK, E_OK, NULL, 0),
	NO_ALLOC("sleep", SYS_SLEEP, E_OK, NULL, 1000),
	NO_ALLOC("ep_nbsend", SYS_EP_NBSEND, E_WOULD_BLOCK, NULL, S_EP),
	NO_ALLOC("ep_recv", SYS_EP_RECV, E_WOULD_BLOCK, NULL, S_EP, S_REPLY, IPC_POLL),
	NO_ALLOC("ep_reply", SYS_EP_REPLY, E_NOT_FOUND, NULL, S_REPLY),
	NO_ALLOC("notify_signal", SYS_NOTIFY_SIGNAL, E_OK, NULL, S_NOTIF, 1),
	NO_ALLOC("notify_wait", SYS_NOTIFY_WAIT, E_OK, NULL, S_NOTIF),  /* the bit above */
	NO_ALLOC("notify_poll", SYS_NOTIFY_POLL, E_OK, NULL, S_NOTIF),
	NO_ALLOC("mem_unmap", SYS_MEM_UNMAP, E_NOT_FOUND, NULL, 0, MAP_VA),
	NO_ALLOC("thread_cancel_ipc", SYS_THREAD_CANCEL_IPC, E_NOT_FOUND, NULL, S_THREAD),
	NO_ALLOC("thread_set_affinity", SYS_THREAD_SET_AFFINITY, E_OK, NULL, S_THREAD, ~0ull),
	NO_ALLOC("irq_bind", SYS_IRQ_BIND, E_OK, unbind_irq, S_IRQ, S_NOTIF, 1),
	NO_ALLOC("irq_ack", SYS_IRQ_ACK, E_OK, NULL, S_IRQ),
	NO_ALLOC("irq_unbind", SYS_IRQ_UNBIND, E_OK, NULL, S_IRQ),
	NO_ALLOC("ioport_in", SYS_IOPORT_IN, E_OK, NULL, S_PORTS, 0x70, 1),
	NO_ALLOC("ioport_out", SYS_IOPORT_OUT, E_OK, NULL, S_PORTS, 0x70, 1, 0x0a),
	NO_ALLOC("proc_set_fault", SYS_PROC_SET_FAULT, E_OK, clear_fault_notification,
		 S_PROC, S_NOTIF),
	NO_ALLOC("proc_kill", SYS_PROC_KILL, E_OK, NULL, S_PROC),
	NO_ALLOC("cap_identify", SYS_CAP_IDENTIFY, E_OK, NULL, S_BADGED),
	NO_ALLOC("system_info", SYS_SYSTEM_INFO, E_OK, NULL, DATA_VA, MNOS_SYSINFO_MIN_SIZE),
	/* IPC copies nothing from user memory — messages travel in registers and the IPC
	 * buffer, a page the kernel owns — and that page cannot be put in a demand-zero
	 * mapping: refused before anything is taken. */
	{ .what = "ipc_buffer_set inside an untouched demand-zero mapping",
	  .nr = SYS_IPC_BUFFER_SET, .a = { LAZY_VA + PAGE_SIZE }, .want = E_EXISTS,
	  .setup = map_lazy_buffer, .teardown = unmap_lazy_buffer, .held = lazy_buffer_held },
};

/* Calls made elsewhere: those that wait for a partner, by ipc_transfers_allocate_nothing
 * below with capabilities in both directions (ep_recv and ep_reply there too); and
 * thread_exit, which ends the thread that makes it (what it frees, the reaping frees,
 * which the thread_create rows above count). */
static const uint64_t made_elsewhere[] = {
	SYS_EP_SEND, SYS_EP_CALL, SYS_EP_REPLY_RECV, SYS_THREAD_EXIT,
};

/* "kind, at caller+off <- caller+off ..." for a failure message. */
static void describe(const struct failinj_result *r, char *buf, size_t size)
{
	size_t n = (size_t)ksnprintf(buf, size, "%s allocation", failinj_kind_name(r->kind));

	for (unsigned i = 0; i < FAILINJ_TRACE && r->trace[i] && n < size; i++) {
		uint64_t off = 0;
		const char *name = ksym_lookup(r->trace[i], &off);
		n += (size_t)ksnprintf(buf + n, size - n, "%s %s+%#llx", i ? " <-" : " in",
				       name ? name : "?", (unsigned long long)off);
	}
}

/* The counts, less what a try of c may hold that is not a leak. */
static struct counts counts_for(struct env *v, const struct fi_case *c)
{
	struct counts k = counts_now(v);

	if (c->held)
		k.frames -= c->held(v);
	return k;
}

/* The nth allocation of c failed: the documented error, and nothing left behind. */
static void check_failure(struct env *v, const struct fi_case *c, uint32_t n, kerr_t e,
			  const struct failinj_result *r, struct counts before)
{
	char where[160], what[224];

	describe(r, where, sizeof(where));
	settle_threads(threads_before_case);
	ksnprintf(what, sizeof(what), "%s with allocation %u failed (%s)", c->what, n, where);
	if (e != E_NO_MEMORY)
		ktest_fail_at(__FILE__, __LINE__, "%s: returned %s, not E_NO_MEMORY", what,
			      kerr_name(e));
	expect_counts(before, counts_for(v, c), what);
}

/* Fail the 1st, 2nd, ... allocation of c until it succeeds; or, for a call that must
 * not allocate, make sure it does not. */
static void sweep_case(struct env *v, const struct fi_case *c)
{
	uint32_t n;

	if (c->prepare)
		c->prepare(v);
	threads_before_case = thread_count();
	for (n = 1; n <= MAX_ALLOCS; n++) {
		struct counts start = counts_now(v);
		if (c->setup)
			c->setup(v);
		struct counts before = counts_for(v, c);
		failinj_arm(n, FAILINJ_ALL);
		kerr_t e = sysenv_call(c->nr, c->a, NULL);
		struct failinj_result r = failinj_disarm();
		bool done = !(r.failed && c->allocates);

		if (!done) {
			check_failure(v, c, n, e, &r, before);
		} else {
			if (r.failed) {
				char where[160];
				describe(&r, where, sizeof(where));
				ktest_fail_at(__FILE__, __LINE__, "%s allocates (%s), and should "
					      "not", c->what, where);
			}
			kerr_t want = c->allocates ? E_OK : c->want;
			if (e != want)
				ktest_fail_at(__FILE__, __LINE__, "%s: %s, want %s", c->what,
					      kerr_name(e), kerr_name(want));
			if (e == E_OK && c->undo)
				c->undo(v);
			expect_counts(before, counts_for(v, c), c->what);
		}
		if (c->teardown) {
			c->teardown(v);
			expect_counts(start, counts_now(v), c->what);
		}
		if (done)
			break;
	}
	if (c->finish)
		c->finish(v);
	if (n > MAX_ALLOCS)
		ktest_fail_at(__FILE__, __LINE__, "%s: still failing after %u allocations",
			      c->what, MAX_ALLOCS);
	else if (c->allocates && n == 1)
		/* A row that no longer reaches its allocations would sweep nothing. */
		ktest_fail_at(__FILE__, __LINE__, "%s: said to allocate, made no allocation",
			      c->what);
	else if (c->allocates)
		kprintf("# failinj: %s: %u allocations, each failed in turn\n", c->what, n - 1);
}

static void sweep(void *arg)
{
	struct env *v = arg;

	KT_ASSERT(thread_cap_self(v, S_THREAD));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		sweep_case(v, &cases[i]);
	cap_delete(&v->cs, S_THREAD);
}

KTEST(failinj, every_allocation_of_every_syscall_fails_cleanly)
{
	/* Every call of the ABI has its row. */
	for (unsigned nr = 0; nr < SYS_COUNT; nr++) {
		bool found = false;
		for (size_t i = 0; i < ARRAY_SIZE(cases) && !found; i++)
			found = cases[i].nr == nr;
		for (size_t i = 0; i < ARRAY_SIZE(made_elsewhere) && !found; i++)
			found = made_elsewhere[i] == nr;
		if (!found)
			ktest_fail_at(__FILE__, __LINE__, "system call %s has no row in "
				      "test_failinj.c: say whether it allocates",
				      syscall_descs[nr].name);
	}
	sysenv_run(sweep, NULL, "the fault-injection sweep");
}

/* ---- IPC with capability transfer ---- */

struct ipc_fi {
	struct env *v;
	struct failinj_result srv[4];
	kerr_t srv_e[4];
	uint32_t got_cap[3];            /* where the server found the client's capabilities */
	uint64_t got_w5[3];
	volatile bool waiting;
};

/* A message labelled label of 8 words (4 of them in the IPC buffer) carrying cap with
 * every right. */
static struct ipc_msg msg_with_cap(uint64_t label, uint32_t cap)
{
	struct ipc_buffer *b = thread_current()->ipc_buf;

	b->caps[0] = cap;
	b->cap_mask[0] = CAP_R_ALL;
	for (unsigned i = IPC_REG_WORDS; i < 8; i++)
		b->w[i] = label * 100 + i;
	return (struct ipc_msg){ .info = ipc_info(label, 8, 1), .w = { label, 1, 2, 3 } };
}

/* Each IPC operation armed at its first allocation. */
#define ARMED(res, err, op)                             \
	do {                                            \
		failinj_arm(1, FAILINJ_ALL);            \
		(err) = (op);                           \
		(res) = failinj_disarm();               \
	} while (0)

/* Receive a call; answer it and receive the next (reply_recv); answer that (reply);
 * receive a send. Every message in both directions carries a capability. */
static void ipc_server(void *arg)
{
	struct ipc_fi *c = arg;
	struct ipc_msg m = { 0 };
	uint64_t badge = 0;

	KT_ASSERT_EQ(ipc_buffer_attach(thread_current(), BUF_VA + PAGE_SIZE), E_OK);
	struct ipc_buffer *b = thread_current()->ipc_buf;
	c->waiting = true;
	ARMED(c->srv[0], c->srv_e[0], ep_recv(S_EP, S_REPLY, &m, &badge, IPC_FOREVER));
	c->got_cap[0] = b->caps[0];
	c->got_w5[0] = b->w[5];
	m = msg_with_cap(20, S_MEM);
	ARMED(c->srv[1], c->srv_e[1], ep_reply_recv(S_EP, S_REPLY, &m, &badge));
	c->got_cap[1] = b->caps[0];
	c->got_w5[1] = b->w[5];
	m = msg_with_cap(21, S_CODE);
	ARMED(c->srv[2], c->srv_e[2], ep_reply(S_REPLY, &m));
	ARMED(c->srv[3], c->srv_e[3], ep_recv(S_EP, S_REPLY, &m, &badge, IPC_FOREVER));
	c->got_cap[2] = b->caps[0];
	c->got_w5[2] = b->w[5];
}

static void ipc_client(void *arg)
{
	struct ipc_fi *c = arg;
	struct env *v = c->v;
	struct failinj_result r;
	kerr_t e;

	KT_ASSERT_EQ(ipc_buffer_attach(thread_current(), BUF_VA), E_OK);
	struct ipc_buffer *b = thread_current()->ipc_buf;
	struct counts before = counts_now(v);
	struct thread *s = thread_create(v->p, "fi-server", ipc_server, c, PRIO_DEFAULT,
					 AFFINITY_ALL);
	KT_ASSERT(s != NULL);
	/* The server waits first, so the first call completes its receive (the call's
	 * thread transfers the capability); the server's reply_recv finds the second call
	 * waiting, or waits for it; the send finds the server waiting, or waits. */
	uint64_t end = clock_ns() + 1000000000ull;
	while (!c->waiting && clock_ns() < end)
		sched_sleep_ns(100000);
	sched_sleep_ns(2000000);
	for (int i = 0; i < 2; i++) {
		struct ipc_msg m = msg_with_cap(10 + i, S_NOTIF);
		ARMED(r, e, ep_call(S_EP, &m));
		KT_EXPECT_EQ(e, E_OK);
		KT_EXPECT(!r.failed && r.seen == 0);
		KT_EXPECT_EQ(ipc_label(m.info), 20 + i);
		KT_EXPECT_EQ(ipc_ncaps(m.info), 1);
		KT_EXPECT(b->caps[0] != 0);             /* the server's capability came */
		KT_EXPECT_EQ(b->w[5], (20 + i) * 100 + 5);
		if (b->caps[0])
			KT_EXPECT_EQ(cap_delete(&v->cs, b->caps[0]), E_OK);
	}
	struct ipc_msg m = msg_with_cap(12, S_NOTIF);
	ARMED(r, e, ep_send(S_EP, &m, IPC_FOREVER));
	KT_EXPECT_EQ(e, E_OK);
	KT_EXPECT(!r.failed && r.seen == 0);
	thread_join(s);
	for (int i = 0; i < 4; i++) {
		KT_EXPECT_EQ(c->srv_e[i], E_OK);
		KT_EXPECT(!c->srv[i].failed && c->srv[i].seen == 0);
	}
	for (int i = 0; i < 3; i++) {
		KT_EXPECT(c->got_cap[i] != 0);
		KT_EXPECT_EQ(c->got_w5[i], (10 + i) * 100 + 5);
		if (c->got_cap[i])
			KT_EXPECT_EQ(cap_delete(&v->cs, c->got_cap[i]), E_OK);
	}
	settle_threads(threads_before_case);
	/* The server's IPC buffer went with it. */
	expect_counts(before, counts_now(v), "IPC with capability transfer");
}

KTEST(failinj, ipc_transfers_allocate_nothing)
{
	static struct ipc_fi c;

	memset(&c, 0, sizeof(c));
	c.v = &sysenv;
	threads_before_case = thread_count() + 1;       /* the client's */
	sysenv_run(ipc_client, &c, "IPC with capability transfer");
}

/* The facility itself: the count is the armed thread's alone, the n-th fails once, and
 * disarming reports it. */
KTEST(failinj, counts_only_the_armed_thread)
{
	failinj_arm(2, FAILINJ_HEAP);
	void *a = kmalloc(32), *b = kmalloc(32), *c = kmalloc(32);
	struct failinj_result r = failinj_disarm();

	KT_EXPECT(a != NULL);
	KT_EXPECT(b == NULL);
	KT_EXPECT(c != NULL);
	KT_EXPECT(r.failed);
	KT_EXPECT_EQ(r.seen, 2);
	KT_EXPECT_EQ(r.kind, FAILINJ_HEAP);
	/* Where: in kmalloc, called from here. */
	uint64_t off;
	const char *in = ksym_lookup(r.trace[0], &off), *from = ksym_lookup(r.trace[1], &off);
	KT_EXPECT(in && strcmp(in, "kmalloc") == 0);
	KT_EXPECT(from && strcmp(from, "ktest_fn_failinj_counts_only_the_armed_thread") == 0);
	kfree(a);
	kfree(c);
	/* Kinds not chosen do not count. */
	failinj_arm(1, FAILINJ_FRAME);
	a = kmalloc(64);
	paddr_t f = pmm_alloc();
	r = failinj_disarm();
	KT_EXPECT(a != NULL);
	KT_EXPECT(!f.raw);
	KT_EXPECT(r.failed && r.kind == FAILINJ_FRAME && r.seen == 1);
	kfree(a);
	/* Disarmed: nothing fails, nothing is counted. */
	a = kmalloc(64);
	KT_EXPECT(a != NULL);
	kfree(a);
	KT_EXPECT_EQ(failinj_threads, 0);
}

/* ---- loading a program (how init and the kernel's tests start processes) ---- */

struct elf_corpus_entry {               /* tests/kernel/elf_corpus.S */
	const char *file;
	const uint8_t *data;
	uint64_t size;
	const char *want;
	int64_t phdr;
};
extern const struct elf_corpus_entry elf_corpus[];
extern const uint64_t elf_corpus_count;

/* elf_load with each of its allocations failed in turn, into a fresh process each time:
 * E_NO_MEMORY and nothing left of the image, then a load that works. */
KTEST(failinj, elf_load_fails_cleanly_at_every_allocation)
{
	static const char *const argv[] = { "failinj", "an argument" };
	static const struct elf_start_cap caps[] = { { 1, OBJ_NOTIFICATION, "n" } };
	static const struct elf_args args = {
		.argv = argv, .argc = 2, .caps = caps, .ncaps = 1, .ipc_buffer = 0x800000,
	};
	static struct cspace cs;
	const struct elf_corpus_entry *hello = NULL;
	struct quota q;
	uint32_t n;

	for (uint64_t i = 0; i < elf_corpus_count && !hello; i++)
		if (strcmp(elf_corpus[i].file, "hello.elf") == 0)
			hello = &elf_corpus[i];
	KT_ASSERT(hello != NULL);
	for (n = 1; n <= MAX_ALLOCS; n++) {
		struct process *p;
		struct elf_image img;
		quota_init(&q, 1 << 20);
		KT_ASSERT_EQ(cspace_init(&cs, 8, &q), E_OK);
		KT_ASSERT(make_notification(&cs, 1, &q));
		KT_ASSERT_EQ(process_create("failinj", &p), E_OK);
		p->cspace = &cs;
		struct counts before = counts_of(&q);
		failinj_arm(n, FAILINJ_ALL);
		kerr_t e = elf_load(p, hello->data, hello->size, &args, &img);
		struct failinj_result r = failinj_disarm();
		if (r.failed) {
			char where[160], what[200];
			describe(&r, where, sizeof(where));
			ksnprintf(what, sizeof(what), "elf_load with allocation %u failed (%s)", n,
				  where);
			if (e != E_NO_MEMORY)
				ktest_fail_at(__FILE__, __LINE__, "%s: %s, not E_NO_MEMORY", what,
					      kerr_name(e));
			expect_counts(before, counts_of(&q), what);
		} else {
			KT_EXPECT_EQ(e, E_OK);
			KT_EXPECT(mem_mapping_count() > before.maps);
		}
		p->cspace = &cspace_empty;
		process_put(p);
		cspace_destroy(&cs);
		KT_EXPECT_EQ(q.used, 0);
		if (!r.failed)
			break;
	}
	KT_EXPECT(n > 3 && n <= MAX_ALLOCS);
	kprintf("# failinj: elf_load: %u allocations, each failed in turn\n", n - 1);
}

/* ---- a user thread's first FPU instruction ---- */

/* It allocates nothing: the thread's FPU area was set aside when it was made
 * (user_thread_create), so the #NM of its first FPU instruction cannot find memory gone
 * — when it could, the kernel had only a panic left. */
KTEST(failinj, first_fpu_use_allocates_nothing)
{
	static struct uproc u;
	struct thread *t;

	KT_ASSERT(uproc_init(&u, ublob_fpu_start, ublob_fpu_end));
	u.data[0] = 0;
	KT_ASSERT_EQ(user_thread_create(u.p, CODE_VA, DATA_VA + PAGE_SIZE, DATA_VA, &t), E_OK);
	thread_get(t);                          /* to read its count once it has ended */
	failinj_arm_thread(t, 1, FAILINJ_ALL);
	thread_launch(t);
	thread_join(t);
	struct failinj_result r = failinj_disarm_thread(t);
	thread_put(t);
	KT_EXPECT(!r.failed);
	KT_EXPECT_EQ(r.seen, 0);
	KT_EXPECT_EQ(u.data[0], 10);            /* 21 / 2, computed */
	uproc_fini(&u);
}
