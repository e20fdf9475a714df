/*
 * The scheduler: per-CPU run queues with PRIO_LEVELS priority levels, a bitmap of the
 * non-empty ones for O(1) selection, and round robin with time slices inside a level.
 * Tickless: the local APIC timer is armed only for the end of a slice when another
 * thread of the same priority waits, or for the earliest sleeper; an idle CPU halts with
 * nothing armed. Idle CPUs steal runnable threads from the busiest CPU, within each
 * thread's affinity. A thread woken at a higher priority than the one running preempts
 * it (at once on this CPU, by IPI on another).
 *
 * Lock order: a wait queue's lock, then run queue locks (two at once only in CPU id
 * order), then everything below them (heap, VMM, PMM) — but the scheduler never takes
 * those while holding a run queue lock.
 */
#ifndef SCHED_H
#define SCHED_H

#include <types.h>
#include <thread.h>
#ifndef MNOS_HOST_TEST
#include <arch/fpu.h>
#include <arch/smp.h>
#endif

#define SCHED_SLICE_NS  10000000ull     /* 10 ms */

/* Phase 5 on the boot CPU: the boot thread becomes this CPU's first thread. */
void sched_init(void);
/* On every CPU: its idle thread and per-CPU state; APs then enter the idle loop. */
void sched_init_cpu(unsigned cpu);
__noreturn void sched_ap_enter(void);

/* Make t runnable (on its CPU, or another its affinity allows) and preempt if it is
 * more urgent than what runs there. */
void sched_wake(struct thread *t);
void sched_yield(void);
void sched_sleep_until(uint64_t deadline_ns);
void sched_sleep_ns(uint64_t ns);
void sched_set_affinity(struct thread *t, uint64_t mask);
/* Get t back into the kernel soon (process_kill): wake it from a plain sleep, or
 * interrupt the CPU it runs on. A thread waiting on a queue is left to its waker. */
void sched_kick(struct thread *t);

/* Run the scheduler if this CPU was asked to (called on the way out of interrupts). */
void sched_preempt_point(void);

/* Wait queues: block until woken, with the lock that guards the condition held on
 * entry and released atomically with blocking (no lost wake-ups). That lock is the wait
 * queue's own, or one it was given (waitq_init_guarded) when a bigger lock guards the
 * condition and the queue together — the capability lock guards IPC objects' queues. */
struct waitq {
	struct spinlock lock;
	struct spinlock *guard;         /* [I] the lock to use instead of lock, or NULL */
	struct thread *head, *tail;     /* [the waitq's lock] */
};

#define WAITQ_INIT(n) { .lock = SPINLOCK_INIT(n), .guard = NULL, .head = NULL, .tail = NULL }

void waitq_init(struct waitq *q, const char *name);
void waitq_init_guarded(struct waitq *q, struct spinlock *guard);

static inline struct spinlock *waitq_lock(struct waitq *q)
{
	return q->guard ? q->guard : &q->lock;
}

/* Caller holds the queue's lock (taken with spin_lock_irqsave, flags f); returns with
 * it released and interrupts restored to f. */
void waitq_block(struct waitq *q, irqflags_t f);

/*
 * The general form of waitq_block. With a deadline (clock_ns time, 0 for none) the
 * thread is woken then if nobody woke it before, still on q: it must take the queue's
 * lock and waitq_remove() itself (false: a waker dequeued it first, so it was woken,
 * not timed out).
 *
 * next, if not NULL, is a blocked thread the caller has dequeued and wants to run: if
 * it is blocked on this CPU and nothing more urgent is queued here, this CPU switches
 * to it directly (the IPC fast path); otherwise it is made runnable. A next blocked on
 * another CPU must be woken with sched_wake() by the caller instead.
 */
void sched_block(struct waitq *q, struct thread *next, uint64_t deadline_ns, irqflags_t f);

/* Queue t, which is on no wait queue, at the end of q (its lock held): how a thread
 * joins a queue (sched_block), or moves from one to another while blocked (a caller
 * from an endpoint to a reply object). */
static inline void waitq_add(struct waitq *q, struct thread *t)
{
	spin_assert_held(waitq_lock(q));
	t->wq_next = NULL;
	t->waiting_on = q;
	/* Most queues hold one thread at a time (an IPC partner, a joiner): laid out for
	 * the empty one. */
	if (likely(!q->tail))
		q->head = t;
	else
		q->tail->wq_next = t;
	q->tail = t;
}

/* Take the first thread off q, which is not empty (its lock held). */
static inline struct thread *waitq_pop(struct waitq *q)
{
	struct thread *t = q->head;

	q->head = t->wq_next;
	if (likely(!q->head))
		q->tail = NULL;
	t->wq_next = NULL;
	t->waiting_on = NULL;
	return t;
}

#ifndef MNOS_HOST_TEST
/* This CPU's non-empty priority levels (a racy read: a thread queued here meanwhile by
 * another CPU makes that CPU send a reschedule IPI if it is more urgent). */
static inline uint32_t sched_queued_levels(void)
{
	return __atomic_load_n((uint32_t *)arch_cpu_sched(), __ATOMIC_RELAXED);
}

/* ---- the switch itself, inline for the IPC fast path ---- */

void arch_switch(uint64_t *save_rsp, uint64_t next_rsp);

/* Resume a context arch_switch saved (or one made like it) without saving the running
 * one's (switch.S). */
__noreturn void arch_load(uint64_t rsp);

/* Everything of a switch of this CPU (cl) from prev to next but the change of stacks:
 * FPU registers, address space, kernel stack, current thread. */
static __always_inline void sched_switch_state(struct cpu_local *cl, struct thread *prev,
					       struct thread *next)
{
	/* Eager FPU switching: the outgoing thread's registers are saved now, and the
	 * incoming thread either gets its own back or traps on first use. Between two
	 * threads without FPU state there is nothing to do: CR0.TS is set already. */
	if (unlikely(((uintptr_t)prev->fpu | (uintptr_t)next->fpu) != 0)) {
		if (prev->fpu)
			fpu_save(prev->fpu);
		if (next->fpu) {
			fpu_trap_on_use(false);
			fpu_restore(next->fpu);
		} else {
			fpu_trap_on_use(true);
		}
	}
	if (next->as != prev->as)
		as_switch(prev->as, next->as, cl->id);
	if (next->kstack_top)
		arch_set_kernel_stack(cl, (uint64_t)(uintptr_t)next->kstack_top);
	cl->current = next;
}

/* Switch this CPU (cl) from prev, given its new state, to next. */
static __always_inline void sched_switch_to(struct cpu_local *cl, struct thread *prev,
					    struct thread *next)
{
	sched_switch_state(cl, prev, next);
	arch_switch(&prev->saved_rsp, next->saved_rsp);
}

/* The second half of every switch, in the thread that now runs (sched.c). */
void sched_finish_slow(void);

static __always_inline void sched_resume(void)
{
	struct cpu_local *cl = this_cpu();
	struct spinlock *l = cl->sched_release;

	if (likely(l)) {
		/* After sched_switch_ipc: release the IPC lock held across the switch;
		 * no queue changed, nothing to reap or place. */
		cl->sched_release = NULL;
		spin_unlock(l);
		return;
	}
	sched_finish_slow();
}

/* The bookkeeping of an IPC handoff from t, which blocks, to next (sched_switch_ipc,
 * and the entry's fast paths, which switch by themselves). */
static __always_inline void sched_handoff(struct cpu_local *cl, struct thread *t,
					  struct thread *next)
{
	t->state = THREAD_BLOCKED;
	next->state = THREAD_RUNNING;
	next->run_start = t->run_start;
	next->slice_end = t->slice_end;
	next->switches++;
	cl->sched_handoffs++;
}

/*
 * The IPC fast path's switch, with no run-queue lock: the current thread t, already on a
 * wait queue guarded by held (taken with flags f), blocks and next runs. held must also
 * have guarded the queue next was taken off, and every waker of a thread on such a
 * queue must hold it; it is released by the thread that runs next, after the switch.
 * Only when sched_can_switch_ipc() says so. next runs on the blocking thread's slice.
 */
static __always_inline void sched_switch_ipc(struct thread *t, struct thread *next,
					     struct spinlock *held, irqflags_t f)
{
	struct cpu_local *cl = this_cpu();

	sched_handoff(cl, t, next);
	cl->sched_release = held;
	sched_switch_to(cl, t, next);
	sched_resume();
	irq_restore(f);
}

/*
 * May the running thread me switch to next with sched_switch_ipc? next must be blocked
 * on this CPU with no deadline (so only holders of the IPC lock can wake it), allowed
 * here, of me's priority (so other CPUs deciding whether to preempt this one decide
 * the same whether they see me or next running, and next can run on me's slice), and
 * nothing more urgent may be queued here.
 */
static __always_inline bool sched_can_switch_ipc(struct thread *me, struct thread *next)
{
	unsigned cpu = me->cpu;

	return next->cpu == cpu && next->state == THREAD_BLOCKED && !next->wake_at &&
	       next->priority == me->priority && ((next->affinity >> cpu) & 1) &&
	       (sched_queued_levels() >> me->priority) <= 1;
}
#endif

/* Take t off q if it is still there (its lock held). */
bool waitq_remove(struct waitq *q, struct thread *t);

/* Wake one or all waiters; caller holds the queue's lock. Returns how many. */
unsigned waitq_wake_one(struct waitq *q);
unsigned waitq_wake_all(struct waitq *q);

/* thread_exit's end: with q->lock held (flags f), become DEAD and switch away. */
__noreturn void sched_exit_locked(struct waitq *q, irqflags_t f);

/* Interrupt entry and exit (trap.c): preemption happens on the way out of the
 * outermost handler. */
void sched_irq_enter(void);
void sched_irq_exit(void);

/* Statistics, for tests. */
struct sched_stats {
	uint64_t switches;              /* under the run-queue lock; the lock-free direct
					 * switches count only in handoffs */
	uint64_t steals;
	uint64_t preemptions;
	uint64_t timer_arms;
	uint64_t idle_halts;
	uint64_t handoffs;              /* direct switches to a woken thread (IPC) */
	unsigned nr_running;            /* runnable, queued on this CPU */
	bool timer_armed;
};
struct sched_stats sched_get_stats(unsigned cpu);
unsigned sched_cpu_count(void);

/* TSC ticks the CPUs have spent halted in their idle loops since boot, summed over
 * them (system_info). With one CPU, the TSC ticks since boot less these are the ticks
 * it ran; under QEMU's -icount, its instructions (docs/PERFORMANCE.md). */
uint64_t sched_halted_ticks(void);

#endif
