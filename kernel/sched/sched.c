/*
 * The scheduler (sched.h): per-CPU run queues, tickless time slices, sleeping, wait
 * queues, preemption and work stealing.
 *
 * A run queue holds the runnable threads of one CPU that are not running: one FIFO per
 * priority level and a bitmap of the non-empty levels. The running thread is in no
 * queue. A CPU's run-queue lock is held across a context switch: the outgoing thread
 * takes it and the incoming one releases it (sched_finish), so a waker on another CPU
 * cannot touch a thread that is still switching out. Two run-queue locks are taken
 * together only by work stealing, lower CPU id first.
 */
#include <sched.h>
#include <thread.h>
#include <time.h>
#include <log.h>
#include <kformat.h>
#include <panic.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/lapic.h>
#include <arch/smp.h>
#include <arch/trap.h>

struct rq {
	uint32_t bitmap;                        /* [lock, read racily] non-empty priority
						 * levels; first: sched_queued_levels() */
	struct spinlock lock;
	struct thread *head[PRIO_LEVELS];       /* [lock] */
	struct thread *tail[PRIO_LEVELS];       /* [lock] */
	unsigned nr;                            /* [lock, read racily] queued threads */
	struct thread *sleepers;                /* [lock] sorted by wake_at */
	struct thread *idle;                    /* [I] */
	struct thread *dead;                    /* [lock] switched away for good: reap */
	struct thread *migrate;                 /* [lock] left this CPU: place elsewhere */
	uint64_t armed;                         /* [lock] timer deadline armed, 0 none */
	bool armed_slice;                       /* [lock] armed for a slice's end */
	bool need_resched;                      /* [a] */
	bool direct;                            /* [lock] a direct switch under this
						 * lock is under way (switch_direct) */
	bool online;                            /* [I] after sched_init_cpu */
	uint32_t irq_depth;                     /* [this CPU] nested interrupt handlers */
	uint64_t switches, steals, preemptions, timer_arms, idle_halts;  /* [lock] */
};

/* Time each CPU spent halted, for the boot-time figures (sched_halted_ticks): the TSC
 * when its idle loop last halted, 0 when it is not halted, and the ticks so far. Apart
 * from struct rq, whose size the hot paths' indexing depends on. */
static struct {
	uint64_t halt_since;                    /* [this CPU] */
	uint64_t halted;                        /* [this CPU, read racily] */
} halts[MAX_CPUS];

static struct rq rqs[MAX_CPUS];

_Static_assert(offsetof(struct rq, bitmap) == 0, "sched_queued_levels() reads it first");
static unsigned cpus_online;                    /* [a] */



static inline struct rq *this_rq(void)
{
	return &rqs[arch_cpu_id()];
}

static inline struct thread *current(void)
{
	return this_cpu()->current;
}

/* ---- run queue ---- */

static void enqueue(struct rq *rq, struct thread *t)
{
	int p = t->priority;

	t->rq_next = NULL;
	t->rq_prev = rq->tail[p];
	if (rq->tail[p])
		rq->tail[p]->rq_next = t;
	else
		rq->head[p] = t;
	rq->tail[p] = t;
	rq->bitmap |= 1u << p;
	rq->nr++;
	t->on_rq = true;
}

static void dequeue(struct rq *rq, struct thread *t)
{
	int p = t->priority;

	if (t->rq_prev)
		t->rq_prev->rq_next = t->rq_next;
	else
		rq->head[p] = t->rq_next;
	if (t->rq_next)
		t->rq_next->rq_prev = t->rq_prev;
	else
		rq->tail[p] = t->rq_prev;
	t->rq_next = t->rq_prev = NULL;
	if (!rq->head[p])
		rq->bitmap &= ~(1u << p);
	rq->nr--;
	t->on_rq = false;
}

static inline int top_level(const struct rq *rq)
{
	return rq->bitmap ? 31 - __builtin_clz(rq->bitmap) : -1;
}

static struct thread *pick(struct rq *rq)
{
	int p = top_level(rq);

	if (p < 0)
		return NULL;
	struct thread *t = rq->head[p];
	dequeue(rq, t);
	return t;
}

/* ---- the timer ---- */

/* Arm this CPU's timer for the earliest thing that needs it, or disarm it. A deadline
 * already armed earlier than needed is left: it fires early and is re-armed then. */
static void arm_timer(struct rq *rq)
{
	struct thread *cur = current();
	uint64_t d = UINT64_MAX;

	if (rq->sleepers)
		d = rq->sleepers->wake_at;
	if (cur != rq->idle && top_level(rq) >= cur->priority && cur->slice_end < d)
		d = cur->slice_end;
	if (d == UINT64_MAX) {
		/* A slice end left armed is at most a slice away: letting it fire once
		 * costs less than cancelling and re-arming it at every switch between
		 * threads that take turns. A sleeper's deadline may be far off: cancel. */
		if (rq->armed && !rq->armed_slice) {
			lapic_timer_cancel();
			rq->armed = 0;
		}
		return;
	}
	if (!rq->armed || d < rq->armed) {
		lapic_timer_arm(d);
		rq->armed = d;
		rq->armed_slice = d == cur->slice_end;
		rq->timer_arms++;
	}
}

/* Sleep list (rq->lock held): insert in deadline order; take out. */
static void sleeper_add(struct rq *rq, struct thread *t, uint64_t deadline_ns)
{
	struct thread **pp = &rq->sleepers;

	t->wake_at = deadline_ns;
	while (*pp && (*pp)->wake_at <= deadline_ns)
		pp = &(*pp)->rq_next;
	t->rq_next = *pp;
	*pp = t;
}

static void sleeper_remove(struct rq *rq, struct thread *t)
{
	struct thread **pp = &rq->sleepers;

	while (*pp && *pp != t)
		pp = &(*pp)->rq_next;
	if (*pp)
		*pp = t->rq_next;
	t->wake_at = 0;
}

static void wake_sleepers(struct rq *rq, uint64_t now)
{
	while (rq->sleepers && rq->sleepers->wake_at <= now) {
		struct thread *t = rq->sleepers;
		rq->sleepers = t->rq_next;
		t->wake_at = 0;
		t->state = THREAD_RUNNABLE;
		enqueue(rq, t);
		if (t->priority > current()->priority || current() == rq->idle)
			__atomic_store_n(&rq->need_resched, true, __ATOMIC_RELAXED);
	}
}

/* The timer interrupt: wake sleepers, end the slice, re-arm. */
static void on_timer(void)
{
	struct rq *rq = this_rq();
	uint64_t now = clock_ns();

	spin_lock(&rq->lock);
	rq->armed = 0;
	wake_sleepers(rq, now);
	struct thread *cur = current();
	if (cur != rq->idle && now >= cur->slice_end && top_level(rq) >= cur->priority)
		__atomic_store_n(&rq->need_resched, true, __ATOMIC_RELAXED);
	arm_timer(rq);
	spin_unlock(&rq->lock);
}

/* ---- switching ---- */

/* Switch from prev (already given its new state) to next, which is in no queue;
 * rq->lock held, interrupts off. */
static void run(struct rq *rq, struct thread *prev, struct thread *next, uint64_t now)
{
	__atomic_store_n(&rq->need_resched, false, __ATOMIC_RELAXED);
	next->state = THREAD_RUNNING;
	next->cpu = arch_cpu_id();
	next->run_start = now;
	if (next == prev) {
		if (now >= prev->slice_end)
			prev->slice_end = now + SCHED_SLICE_NS;
		return;
	}
	next->slice_end = now + SCHED_SLICE_NS;
	next->switches++;
	rq->switches++;
	if (prev->state == THREAD_DEAD)
		rq->dead = prev;
	sched_switch_to(this_cpu(), prev, next);
}

/*
 * Pick the next thread and switch to it. Called with this CPU's run-queue lock held and
 * interrupts off; returns (perhaps much later, perhaps on another CPU) with the lock of
 * the CPU it then runs on held. The caller finishes with sched_finish().
 */
static void schedule_locked(struct rq *rq)
{
	struct thread *prev = current();
	uint64_t now = clock_ns();

	prev->run_ns += now - prev->run_start;
	if (prev->state == THREAD_RUNNING) {
		prev->state = THREAD_RUNNABLE;
		if (prev != rq->idle) {
			if (prev->affinity & (1ull << arch_cpu_id()))
				enqueue(rq, prev);
			else
				rq->migrate = prev;     /* placed elsewhere after the switch */
		}
	}
	struct thread *next = pick(rq);
	run(rq, prev, next ? next : rq->idle, now);
}

static void place(struct thread *t);

/* The second half of every switch, in the thread that now runs: arm the timer, release
 * the run-queue lock the previous thread took, then deal with a thread that died or
 * must move. Interrupts stay off; the caller restores them. */
static __always_inline void sched_finish(void)
{
	sched_resume();
}

__noinline void sched_finish_slow(void)
{
	struct rq *rq = this_rq();

	if (rq->direct) {
		/* A direct switch changed no queue. One to a less urgent thread may leave
		 * that thread's equals queued with no slice timer armed (none was needed
		 * above them): arm it. */
		struct thread *cur = current();
		rq->direct = false;
		if (unlikely(top_level(rq) >= cur->priority) &&
		    (!rq->armed || rq->armed > cur->slice_end))
			arm_timer(rq);
		spin_unlock(&rq->lock);
		return;
	}
	struct thread *dead = rq->dead, *mig = rq->migrate;

	rq->dead = rq->migrate = NULL;
	arm_timer(rq);
	spin_unlock(&rq->lock);
	if (mig)
		place(mig);
	if (dead)
		thread_reap(dead);
}

void sched_first_run(void);

void sched_first_run(void)
{
	sched_finish();
	irq_enable();
}

static void reschedule(void)
{
	irqflags_t f = irq_save();
	struct rq *rq = this_rq();

	spin_lock(&rq->lock);
	schedule_locked(rq);
	sched_finish();
	irq_restore(f);
}

void sched_yield(void)
{
	reschedule();
}

void sched_preempt_point(void)
{
	struct rq *rq = this_rq();

	if (!__atomic_load_n(&rq->need_resched, __ATOMIC_RELAXED) || !rq->online)
		return;
	if (current() != rq->idle)
		rq->preemptions++;
	reschedule();
}

/* An interrupt ends the halt the idle loop began: counted here, on the way in, as the
 * handler may switch to a woken thread before the idle loop runs again. */
static inline void halt_end(void)
{
	unsigned c = arch_cpu_id();

	if (unlikely(halts[c].halt_since)) {
		__atomic_store_n(&halts[c].halted,
				 halts[c].halted + (cpu_rdtsc() - halts[c].halt_since),
				 __ATOMIC_RELAXED);
		halts[c].halt_since = 0;
	}
}

void sched_irq_enter(void)
{
	this_rq()->irq_depth++;
	halt_end();
}

void sched_irq_exit(void)
{
	struct rq *rq = this_rq();

	/* Preempt only when leaving the outermost handler: the interrupted context had
	 * interrupts on, so it holds no spinlock. */
	if (--rq->irq_depth == 0)
		sched_preempt_point();
}

/*
 * Sent by place() on another CPU. Either need_resched is set, and the preemption
 * happens on the way out of the interrupt, or a thread of the running one's priority
 * joined the queue: the running thread's slice now has to end, and only this CPU can
 * arm its own timer for that. sched_set_affinity sends it too, when the running
 * thread may no longer run here.
 */
static void resched_ipi(struct trap_frame *f, void *arg)
{
	struct rq *rq = this_rq();

	spin_lock(&rq->lock);
	/* sched_set_affinity took this CPU from the running thread: move it off. */
	if (!(current()->affinity & (1ull << arch_cpu_id())))
		__atomic_store_n(&rq->need_resched, true, __ATOMIC_RELAXED);
	arm_timer(rq);
	spin_unlock(&rq->lock);
}

/* ---- waking and placement ---- */

static unsigned choose_cpu(struct thread *t)
{
	if ((t->affinity & (1ull << t->cpu)) && rqs[t->cpu].online)
		return t->cpu;
	for (unsigned c = 0; c < MAX_CPUS; c++)
		if ((t->affinity & (1ull << c)) && rqs[c].online)
			return c;
	return t->cpu;          /* no allowed CPU online: stay put */
}

/* What place_locked() leaves to do once the run-queue lock is released. */
enum { PLACE_KICK = 1, PLACE_SLICE_IPI = 2 };

/* Queue the runnable t on cpu's run queue (its lock held) and work out how to get it
 * run: more urgent than what runs there, that CPU must reschedule; as urgent, the
 * running thread's slice must end, and its timer may not be armed for that (tickless:
 * nothing else was waiting) — this CPU arms its own, another CPU is asked by IPI. */
static unsigned place_locked(struct rq *rq, struct thread *t, unsigned cpu)
{
	struct thread *running = cpu_locals[cpu].current;
	bool kick = !running || running == rq->idle || t->priority > running->priority;
	bool slice = !kick && t->priority == running->priority &&
		     (!rq->armed || rq->armed > running->slice_end);

	t->cpu = cpu;
	enqueue(rq, t);
	if (kick) {
		__atomic_store_n(&rq->need_resched, true, __ATOMIC_RELAXED);
		return PLACE_KICK;
	}
	if (slice && cpu == arch_cpu_id()) {
		arm_timer(rq);
		return 0;
	}
	return slice ? PLACE_SLICE_IPI : 0;
}

/* The rest of a placement on cpu, with no lock held. */
static void place_finish(unsigned cpu, unsigned todo)
{
	if (!todo)
		return;
	if (cpu != arch_cpu_id()) {
		lapic_send_ipi(cpu_locals[cpu].apic_id, VEC_RESCHED);
	} else if ((todo & PLACE_KICK) && this_rq()->irq_depth == 0) {
		/* In an interrupt handler, the preemption happens on its way out. With
		 * interrupts off (a waker under cap_lock), a reschedule IPI to this CPU
		 * waits for them to come back on and preempts then. */
		if (irq_enabled())
			sched_preempt_point();
		else
			lapic_send_ipi(cpu_locals[cpu].apic_id, VEC_RESCHED);
	}
}

/* Queue a runnable thread that is in no queue, and preempt where it is more urgent. */
static void place(struct thread *t)
{
	unsigned cpu = choose_cpu(t);
	struct rq *rq = &rqs[cpu];
	irqflags_t f = spin_lock_irqsave(&rq->lock);
	unsigned todo = place_locked(rq, t, cpu);

	spin_unlock_irqrestore(&rq->lock, f);
	place_finish(cpu, todo);
}

void sched_wake(struct thread *t)
{
	unsigned home = __atomic_load_n(&t->cpu, __ATOMIC_RELAXED);
	struct rq *rq = &rqs[home];
	irqflags_t f = spin_lock_irqsave(&rq->lock);

	/*
	 * A thread blocked on home stays there while its lock is held. But t may have
	 * been woken by someone else since home was read, moved (its new cpu is written
	 * under the new run queue's lock) and blocked again there: cpu is read again
	 * after the state, and then t is left alone. That block is not the one this wake
	 * is for — its waker holds the lock guarding the wait (the queue's, or cap_lock),
	 * which t needs to start a new one — and waking it would end an unrelated wait.
	 */
	if (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != THREAD_BLOCKED ||
	    __atomic_load_n(&t->cpu, __ATOMIC_RELAXED) != home) {
		spin_unlock_irqrestore(&rq->lock, f);
		return;                 /* already woken, or never slept */
	}
	if (t->wake_at)
		sleeper_remove(rq, t);
	t->state = THREAD_RUNNABLE;
	if (choose_cpu(t) == home) {
		/* The usual case: back on the CPU it slept on, under the lock already held. */
		unsigned todo = place_locked(rq, t, home);
		spin_unlock_irqrestore(&rq->lock, f);
		place_finish(home, todo);
		return;
	}
	spin_unlock_irqrestore(&rq->lock, f);
	place(t);
}

/* Lock the run queue t belongs to: t->cpu changes only under that lock, so lock, then
 * check it still holds. */
static struct rq *lock_rq_of(struct thread *t, unsigned *cpu, irqflags_t *f)
{
	for (;;) {
		unsigned c = __atomic_load_n(&t->cpu, __ATOMIC_RELAXED);
		struct rq *rq = &rqs[c];
		*f = spin_lock_irqsave(&rq->lock);
		if (t->cpu == c) {
			*cpu = c;
			return rq;
		}
		spin_unlock_irqrestore(&rq->lock, *f);
	}
}

void sched_kick(struct thread *t)
{
	unsigned cpu;
	irqflags_t f;
	struct rq *rq = lock_rq_of(t, &cpu, &f);
	/* A plain sleep (on no wait queue; waiting_on is read without its queue's lock,
	 * so a thread just joining one may be missed: it ends when that wait does). */
	bool sleeper = t->state == THREAD_BLOCKED && t->wake_at &&
		       !__atomic_load_n(&t->waiting_on, __ATOMIC_RELAXED);
	bool remote = t->state == THREAD_RUNNING && cpu != arch_cpu_id() &&
		      cpu_locals[cpu].current == t;
	spin_unlock_irqrestore(&rq->lock, f);
	if (sleeper)
		sched_wake(t);          /* rechecks under the lock */
	else if (remote)
		lapic_send_ipi(cpu_locals[cpu].apic_id, VEC_RESCHED);
}

void sched_sleep_until(uint64_t deadline_ns)
{
	irqflags_t f = irq_save();
	struct rq *rq = this_rq();
	struct thread *t = current();

	spin_lock(&rq->lock);
	if (deadline_ns <= clock_ns()) {
		spin_unlock(&rq->lock);
		irq_restore(f);
		return;
	}
	t->state = THREAD_BLOCKED;
	sleeper_add(rq, t, deadline_ns);
	schedule_locked(rq);
	sched_finish();
	irq_restore(f);
}

void sched_sleep_ns(uint64_t ns)
{
	sched_sleep_until(clock_ns() + ns);
}

void sched_set_affinity(struct thread *t, uint64_t mask)
{
	if (!mask)
		return;
	unsigned cpu;
	irqflags_t f;
	struct rq *rq = lock_rq_of(t, &cpu, &f);
	bool requeue = false, kick = false;

	t->affinity = mask;
	/* A thread queued there is moved now; one running on another CPU that it may no
	 * longer use is asked to leave it (the reschedule IPI sees its mask and preempts
	 * it, and the switch places it elsewhere). One runnable but on its way into a
	 * queue (being woken, migrating) is placed with the new mask anyway. */
	if (!(mask & (1ull << cpu))) {
		if (t->on_rq) {
			dequeue(rq, t);
			requeue = true;
		} else if (cpu_locals[cpu].current == t && cpu != arch_cpu_id()) {
			kick = true;
		}
	}
	spin_unlock_irqrestore(&rq->lock, f);
	if (requeue)
		place(t);
	else if (kick)
		lapic_send_ipi(cpu_locals[cpu].apic_id, VEC_RESCHED);
	else if (t == current() && !(mask & (1ull << arch_cpu_id())))
		sched_yield();          /* schedule_locked moves it */
}

/* ---- wait queues ---- */

void waitq_init(struct waitq *q, const char *name)
{
	spin_init(&q->lock, name);
	q->guard = NULL;
	q->head = q->tail = NULL;
}

void waitq_init_guarded(struct waitq *q, struct spinlock *guard)
{
	waitq_init(q, "unused");
	q->guard = guard;
}

void waitq_block(struct waitq *q, irqflags_t f)
{
	sched_block(q, NULL, 0, f);
}

/*
 * The IPC fast path's switch: from the current thread t, just blocked, to next, blocked
 * on this CPU and at least as urgent as anything queued here (rq->lock held). No queue
 * is touched, and no clock read: next runs on t's time slice, and the CPU time since t
 * was switched in is counted to next when it is switched out (the seL4 MCS idea of a
 * scheduling context lent along a call chain). So a client and server calling each
 * other back and forth share one slice, and cannot starve threads of their priority.
 */
static __always_inline void switch_direct(struct rq *rq, struct thread *t,
					  struct thread *next)
{
	next->state = THREAD_RUNNING;
	next->run_start = t->run_start;
	next->slice_end = t->slice_end;
	next->switches++;
	rq->switches++;
	this_cpu()->sched_handoffs++;
	rq->direct = true;
	sched_switch_to(this_cpu(), t, next);
}

void sched_block(struct waitq *q, struct thread *next, uint64_t deadline_ns, irqflags_t f)
{
	struct thread *t = current();
	struct rq *rq = this_rq();
	unsigned me = arch_cpu_id();

	waitq_add(q, t);
	spin_lock(&rq->lock);
	t->state = THREAD_BLOCKED;
	spin_unlock(waitq_lock(q));
	/* Only a thread blocked on this CPU can be run from here: its state is guarded
	 * by this run-queue lock. Anything else woke already or was woken by the caller. */
	if (next && next->cpu == me && next->state == THREAD_BLOCKED) {
		if (next->wake_at)
			sleeper_remove(rq, next);
		if (likely(!deadline_ns && (next->affinity & (1ull << me)) &&
			   next->priority >= top_level(rq))) {
			switch_direct(rq, t, next);
			sched_finish();
			irq_restore(f);
			return;
		}
		next->state = THREAD_RUNNABLE;
		if (next->affinity & (1ull << me))
			enqueue(rq, next);
		else
			rq->migrate = next;     /* the current thread blocks: the slot is free */
	}
	if (deadline_ns)
		sleeper_add(rq, t, deadline_ns);
	schedule_locked(rq);
	sched_finish();
	irq_restore(f);
}

bool waitq_remove(struct waitq *q, struct thread *t)
{
	struct thread **pp = &q->head, *prev = NULL;

	spin_assert_held(waitq_lock(q));
	if (t->waiting_on != q)
		return false;
	while (*pp && *pp != t) {
		prev = *pp;
		pp = &(*pp)->wq_next;
	}
	if (!*pp)
		return false;
	*pp = t->wq_next;
	if (q->tail == t)
		q->tail = prev;
	t->wq_next = NULL;
	t->waiting_on = NULL;
	return true;
}

unsigned waitq_wake_one(struct waitq *q)
{
	struct thread *t = q->head;

	spin_assert_held(waitq_lock(q));
	if (!t)
		return 0;
	q->head = t->wq_next;
	if (!q->head)
		q->tail = NULL;
	t->wq_next = NULL;
	t->waiting_on = NULL;
	sched_wake(t);
	return 1;
}

unsigned waitq_wake_all(struct waitq *q)
{
	unsigned n = 0;

	while (waitq_wake_one(q))
		n++;
	return n;
}

__noreturn void sched_exit_locked(struct waitq *q, irqflags_t f)
{
	struct rq *rq = this_rq();

	spin_lock(&rq->lock);
	__atomic_store_n(&current()->state, THREAD_DEAD, __ATOMIC_RELEASE);
	spin_unlock(waitq_lock(q));
	schedule_locked(rq);
	(void)f;
	panic("sched: a dead thread was scheduled again");
}

/* ---- idle and stealing ---- */

/* Move one runnable thread from the busiest other CPU to this one. */
static bool try_steal(void)
{
	unsigned me = arch_cpu_id(), victim = me, most = 0;

	for (unsigned c = 0; c < MAX_CPUS; c++) {
		unsigned n = __atomic_load_n(&rqs[c].nr, __ATOMIC_RELAXED);
		if (c != me && rqs[c].online && n > most) {
			most = n;
			victim = c;
		}
	}
	if (victim == me)
		return false;

	struct rq *a = &rqs[MIN(me, victim)], *b = &rqs[MAX(me, victim)];
	struct rq *from = &rqs[victim], *to = &rqs[me];
	bool stolen = false;

	spin_lock(&a->lock);
	spin_lock(&b->lock);
	/* The most urgent thread that may run here, from the back of its level (the one
	 * that would wait longest). */
	for (int p = PRIO_MAX; p >= 0 && !stolen; p--) {
		for (struct thread *t = from->tail[p]; t; t = t->rq_prev) {
			if (t->affinity & (1ull << me)) {
				dequeue(from, t);
				t->cpu = me;
				enqueue(to, t);
				to->steals++;
				stolen = true;
				break;
			}
		}
	}
	spin_unlock(&b->lock);
	spin_unlock(&a->lock);
	return stolen;
}

static __noreturn void idle_loop(void)
{
	struct rq *rq = this_rq();

	for (;;) {
		irq_disable();
		if (!__atomic_load_n(&rq->nr, __ATOMIC_RELAXED))
			try_steal();
		if (__atomic_load_n(&rq->nr, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&rq->need_resched, __ATOMIC_RELAXED)) {
			spin_lock(&rq->lock);
			schedule_locked(rq);
			sched_finish();
			continue;
		}
		rq->idle_halts++;
		halts[arch_cpu_id()].halt_since = cpu_rdtsc();
		/* STI takes effect after the next instruction, so no interrupt can slip in
		 * between the checks above and the halt and be slept through. */
		__asm__ volatile("sti; hlt" ::: "memory");
		irq_disable();
		halt_end();                     /* if something other than an interrupt woke it */
	}
}

static void idle_entry(void *arg)
{
	idle_loop();
}

/* ---- set-up ---- */

void sched_init_cpu(unsigned cpu)
{
	struct rq *rq = &rqs[cpu];
	char name[16];

	spin_init(&rq->lock, "rq");
	cpu_locals[cpu].sched = rq;
	ksnprintf(name, sizeof(name), "idle/%u", cpu);
	rq->idle = thread_create_idle(name, idle_entry, cpu);
	if (!rq->idle)
		panic("sched: no memory for CPU %u's idle thread", cpu);
}

void sched_init(void)
{
	struct thread *boot = thread_adopt_boot("boot/0");

	if (!boot)
		panic("sched: no memory for the boot thread");
	sched_init_cpu(0);
	this_cpu()->current = boot;
	boot->state = THREAD_RUNNING;
	boot->run_start = clock_ns();
	boot->slice_end = boot->run_start + SCHED_SLICE_NS;
	lapic_timer_set_handler(on_timer);
	if (!irq_set_handler(VEC_RESCHED, resched_ipi, NULL))
		panic("sched: reschedule vector taken");
	rqs[0].online = true;
	cpus_online = 1;
}

__noreturn void sched_ap_enter(void)
{
	struct rq *rq = this_rq();
	struct thread *idle = rq->idle;
	uint64_t abandoned;

	irq_disable();
	__atomic_store_n(&rq->online, true, __ATOMIC_RELEASE);
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_RELAXED);
	/* Switch from the AP's boot stack into its idle thread as if from another thread:
	 * with the run-queue lock held, which the idle thread's first run releases. */
	spin_lock(&rq->lock);
	this_cpu()->current = idle;
	idle->state = THREAD_RUNNING;
	idle->run_start = clock_ns();
	arch_switch(&abandoned, idle->saved_rsp);
	panic("sched: returned to an AP's boot stack");
}

uint64_t sched_halted_ticks(void)
{
	uint64_t sum = 0;

	for (unsigned c = 0; c < MAX_CPUS; c++)
		sum += __atomic_load_n(&halts[c].halted, __ATOMIC_RELAXED);
	return sum;
}

unsigned sched_cpu_count(void)
{
	return __atomic_load_n(&cpus_online, __ATOMIC_RELAXED);
}

struct sched_stats sched_get_stats(unsigned cpu)
{
	struct rq *rq = &rqs[cpu];
	irqflags_t f = spin_lock_irqsave(&rq->lock);
	struct sched_stats s = {
		.switches = rq->switches, .steals = rq->steals, .preemptions = rq->preemptions,
		.timer_arms = rq->timer_arms, .idle_halts = rq->idle_halts, .nr_running = rq->nr,
		.timer_armed = rq->armed != 0,
		.handoffs = __atomic_load_n(&cpu_locals[cpu].sched_handoffs, __ATOMIC_RELAXED),
	};
	spin_unlock_irqrestore(&rq->lock, f);
	return s;
}
