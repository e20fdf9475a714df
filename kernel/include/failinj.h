/*
 * Fault injection: make the N-th kernel allocation of one thread fail, so a test can
 * prove that every error path of a system call gives back what it took (Linux's
 * fail_page_alloc and failslab, armed per task as its fail-nth is).
 *
 * A thread arms it for itself — failinj_arm(n, kinds) — around exactly one operation.
 * From then on each allocation that thread makes, of the kinds chosen, is counted, and
 * the n-th fails as if memory had run out; the others succeed. failinj_disarm() stops
 * counting and tells what happened: how many allocations were counted, and whether
 * (and where) one was failed. Other threads, and so other CPUs, never consume the
 * count; neither do interrupt handlers, which allocate nothing.
 *
 * What counts as one allocation (kernel/mm/failinj.c hooks each in its allocator):
 *   FAILINJ_HEAP    kmalloc, kmalloc_aligned, kcalloc, krealloc when it must move
 *   FAILINJ_FRAME   pmm_alloc, pmm_alloc_zeroed, pmm_alloc_contig (user page tables too)
 *   FAILINJ_KSTACK  kstack_alloc: a thread's kernel stack, as one
 *   FAILINJ_QUOTA   quota_charge and quota_carve on a process's quota: the kernel
 *                   memory a process is allowed, refused as when it runs out
 * The allocators' own refills — a slab or the large-block region growing, the pages and
 * page tables of a kernel stack — are not counted: whether they happen depends on what
 * the heap holds, not on the operation, and counting them would make the n-th
 * allocation a different one from run to run. Their failure surfaces as the failure of
 * the allocation that needed them, which is counted.
 *
 * Disarmed, each allocator pays one load of a global and a branch predicted not taken.
 */
#ifndef FAILINJ_H
#define FAILINJ_H

#include <types.h>

enum failinj_kind {
	FAILINJ_HEAP    = 1u << 0,
	FAILINJ_FRAME   = 1u << 1,
	FAILINJ_KSTACK  = 1u << 2,
	FAILINJ_QUOTA   = 1u << 3,
	FAILINJ_ALL     = 0xfu,
};

#define FAILINJ_TRACE   4       /* return addresses kept of the failed allocation */

/* Per thread, in struct thread; touched only by the thread itself. */
struct failinj_state {
	uint32_t countdown;             /* counted allocations until the one to fail;
					 * 0: none (disarmed, or already failed) */
	uint32_t seen;                  /* allocations counted since armed */
	uint16_t kinds;                 /* enum failinj_kind bits that count */
	uint16_t quiet;                 /* > 0: inside an allocator's own refill */
	bool armed;
	bool failed;                    /* the countdown ran out: one was failed */
	uint16_t failed_kind;
	uint64_t trace[FAILINJ_TRACE];  /* where it was: a return address in the allocator,
					 * then its callers' */
};

/* What failinj_disarm reports. */
struct failinj_result {
	uint32_t seen;                  /* allocations counted, the failed one included */
	bool failed;                    /* one was failed */
	unsigned kind;                  /* its kind */
	uint64_t trace[FAILINJ_TRACE];  /* where: the allocator, then its callers */
};

#ifdef MNOS_HOST_TEST
static inline bool failinj(unsigned kind) { (void)kind; return false; }
static inline void failinj_quiet_begin(void) {}
static inline void failinj_quiet_end(void) {}
#else
/* [a] threads armed now: the one thing an allocator reads when no test is running. */
extern uint32_t failinj_threads;

bool failinj_should_fail(unsigned kind);

/* In each allocator, first: true means fail this allocation now. */
static inline bool failinj(unsigned kind)
{
	return unlikely(__atomic_load_n(&failinj_threads, __ATOMIC_RELAXED) != 0) &&
	       failinj_should_fail(kind);
}

/* Around an allocator's own refills (see above): allocations inside do not count. */
void failinj_quiet_begin(void);
void failinj_quiet_end(void);
#endif

/* The calling thread: fail its nth (from 1) counted allocation of kinds. */
void failinj_arm(uint32_t nth, unsigned kinds);
/* Stop counting for the calling thread; what happened since failinj_arm. */
struct failinj_result failinj_disarm(void);

struct thread;
/* The same for t, a thread that has not started (armed) or has ended (disarmed; the
 * caller holds a reference): what the thread does from its first instruction on. */
void failinj_arm_thread(struct thread *t, uint32_t nth, unsigned kinds);
struct failinj_result failinj_disarm_thread(struct thread *t);
/* The kind's name, for messages. */
const char *failinj_kind_name(unsigned kind);

#endif
