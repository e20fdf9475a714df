/*
 * Threads and processes (thread.h): creation, exit, join, and reclaiming what a dead
 * thread or process held. Scheduling itself is in sched.c.
 */
#include <thread.h>
#include <usermode.h>
#include <cap.h>
#include <sched.h>
#include <heap.h>
#include <kstack.h>
#include <klib.h>
#include <kformat.h>
#include <memobj.h>
#include <endpoint.h>
#include <mnos/abi.h>
#include <log.h>
#include <panic.h>
#include <arch/fpu.h>
#include <arch/smp.h>

#define THREAD_STACK_SIZE (16 * 1024)

struct process kernel_process = {
	.as = &kernel_as,
	.id = 0,
	.name = "kernel",
	.refs = 1,                      /* never freed */
	.cspace = &cspace_empty,
	.threads_lock = SPINLOCK_INIT("process_threads"),
};

static uint64_t next_thread_id = 1;     /* [a] */
static uint64_t next_process_id = 1;    /* [a] */
static uint64_t threads_alive;          /* [a] */
static uint64_t processes_alive;        /* [a] */

/* A thread object plus its exit wait queue, allocated together. */
struct thread_box {
	struct thread t;
	struct waitq exit_wq;
};

/* A user thread's kernel memory, which the thread_create system call charges: its
 * stack, the thread, and its FPU area (at most FPU_AREA_MAX, in a 64-byte aligned heap
 * block of at most twice that). */
_Static_assert(THREAD_STACK_SIZE + sizeof(struct thread_box) + 2 * FPU_AREA_MAX <=
	       MNOS_THREAD_CHARGE, "the ABI's THREAD_CHARGE covers a thread");

uint64_t thread_count(void)
{
	return __atomic_load_n(&threads_alive, __ATOMIC_RELAXED);
}

uint64_t process_count(void)
{
	return __atomic_load_n(&processes_alive, __ATOMIC_RELAXED);
}

kerr_t process_create(const char *name, struct process **out)
{
	struct process *p = kcalloc(1, sizeof(*p));

	if (!p)
		return E_NO_MEMORY;
	spin_init(&p->threads_lock, "process_threads");
	kerr_t e = as_create(&p->own_as);
	if (e) {
		kfree(p);
		return e;
	}
	e = mem_space_create(&p->own_as, &p->mem);
	if (e) {
		as_destroy(&p->own_as);
		kfree(p);
		return e;
	}
	p->as = &p->own_as;
	p->cspace = &cspace_empty;
	p->id = __atomic_fetch_add(&next_process_id, 1, __ATOMIC_RELAXED);
	strlcpy(p->name, name, sizeof(p->name));
	p->refs = 1;
	__atomic_fetch_add(&processes_alive, 1, __ATOMIC_RELAXED);
	*out = p;
	return E_OK;
}

void process_get(struct process *p)
{
	if (p != &kernel_process)
		__atomic_fetch_add(&p->refs, 1, __ATOMIC_RELAXED);
}

/* What a process costs its creator beyond the quota it is given (the ABI's figure):
 * the process, its quota record and the top page table. */
#define PROCESS_OVERHEAD MNOS_PROCESS_OVERHEAD
_Static_assert(sizeof(struct process) + sizeof(struct cspace) + sizeof(struct quota) +
	       PAGE_SIZE <= PROCESS_OVERHEAD, "the ABI's PROCESS_OVERHEAD covers a process");

kerr_t process_create_user(const char *name, struct quota *parent, uint32_t nslots,
			   uint64_t limit, struct process **out)
{
	struct quota *q;
	struct process *p;

	if (nslots < 2 || nslots > CSPACE_MAX_SLOTS)
		return E_INVAL;
	kerr_t e = quota_carve(parent, limit, PROCESS_OVERHEAD, &q);
	if (e != E_OK)
		return e;
	struct cspace *cs = kcalloc(1, sizeof(*cs));
	if (!cs) {
		e = E_NO_MEMORY;
		goto out_close;
	}
	e = cspace_init(cs, nslots, q);
	if (e != E_OK)
		goto out_free_cs;
	e = process_create(name, &p);
	if (e != E_OK)
		goto out_destroy_cs;
	p->cspace = p->own_cs = cs;
	p->own_quota = q;
	*out = p;
	return E_OK;
out_destroy_cs:
	cspace_destroy(cs);
out_free_cs:
	kfree(cs);
out_close:
	quota_close(q);
	return e;
}

void process_put(struct process *p)
{
	if (p == &kernel_process)
		return;
	if (__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	mem_space_destroy(p->mem);      /* unmaps every grant, while the tables exist */
	process_set_fault_notification(p, NULL, 0);
	struct cspace *cs = p->own_cs;
	struct quota *q = p->own_quota;
	as_destroy(&p->own_as);
	kfree(p);
	__atomic_fetch_sub(&processes_alive, 1, __ATOMIC_RELAXED);
	if (cs) {
		/* Its capabilities go; objects they kept alive are destroyed, and their
		 * charges (to this quota or others) paid back. */
		cspace_destroy(cs);
		kfree(cs);
	}
	if (q)
		quota_close(q);
}

void thread_get(struct thread *t)
{
	__atomic_fetch_add(&t->refs, 1, __ATOMIC_RELAXED);
}

void thread_put(struct thread *t)
{
	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	kfree(container_of(t, struct thread_box, t));
	__atomic_fetch_sub(&threads_alive, 1, __ATOMIC_RELAXED);
}

void thread_start(void);

static struct thread *thread_alloc(struct process *p, const char *name, int prio,
				   uint64_t affinity)
{
	struct thread_box *b = kcalloc(1, sizeof(*b));

	if (!b)
		return NULL;
	struct thread *t = &b->t;
	t->proc = p;
	t->as = p->as;
	t->id = __atomic_fetch_add(&next_thread_id, 1, __ATOMIC_RELAXED);
	strlcpy(t->name, name, sizeof(t->name));
	t->priority = prio;
	t->affinity = affinity;
	t->cpu = arch_cpu_id();
	t->refs = 2;
	waitq_init(&b->exit_wq, "thread_exit");
	t->exit_wq = &b->exit_wq;
	__atomic_fetch_add(&threads_alive, 1, __ATOMIC_RELAXED);
	return t;
}

/* Lay out a fresh stack so that arch_switch() "returns" into thread_start with entry and
 * arg in r12 and r13 (see switch.S). */
static bool give_stack(struct thread *t, void (*entry)(void *), void *arg)
{
	uint64_t *top = kstack_alloc(THREAD_STACK_SIZE);

	if (!top)
		return false;
	t->kstack_top = top;
	t->entry = entry;
	t->arg = arg;
	uint64_t *sp = top - 2;                 /* keeps thread_start 16-byte aligned */
	*--sp = (uint64_t)(uintptr_t)thread_start;
	*--sp = 0;                              /* rbp */
	*--sp = 0;                              /* rbx */
	*--sp = (uint64_t)(uintptr_t)entry;     /* r12 */
	*--sp = (uint64_t)(uintptr_t)arg;       /* r13 */
	*--sp = 0;                              /* r14 */
	*--sp = 0;                              /* r15 */
	t->saved_rsp = (uint64_t)(uintptr_t)sp;
	return true;
}

struct thread *thread_create_suspended(struct process *p, const char *name,
				       void (*entry)(void *), void *arg, int prio,
				       uint64_t affinity)
{
	if (prio < PRIO_MIN || prio > PRIO_MAX || !affinity)
		return NULL;
	struct thread *t = thread_alloc(p, name, prio, affinity);
	if (!t)
		return NULL;
	if (!give_stack(t, entry, arg)) {
		t->refs = 1;
		thread_put(t);
		return NULL;
	}
	__atomic_fetch_add(&p->refs, 1, __ATOMIC_RELAXED);
	t->state = THREAD_BLOCKED;
	return t;
}

void thread_launch(struct thread *t)
{
	struct process *p = t->proc;
	irqflags_t f = spin_lock_irqsave(&p->threads_lock);

	t->proc_next = p->threads;
	t->proc_prev = NULL;
	if (p->threads)
		p->threads->proc_prev = t;
	p->threads = t;
	t->on_proc_list = true;
	p->live_threads++;
	if (p->killed)
		__atomic_store_n(&t->killed, true, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&p->threads_lock, f);
	sched_wake(t);
}

/* Off its process's list (reaping); NULL-safe for threads never launched. */
static void proc_list_remove(struct thread *t)
{
	struct process *p = t->proc;
	irqflags_t f = spin_lock_irqsave(&p->threads_lock);

	if (t->on_proc_list) {
		if (t->proc_prev)
			t->proc_prev->proc_next = t->proc_next;
		else
			p->threads = t->proc_next;
		if (t->proc_next)
			t->proc_next->proc_prev = t->proc_prev;
		t->on_proc_list = false;
	}
	spin_unlock_irqrestore(&p->threads_lock, f);
}

/*
 * A thread that was in the kernel, on its way into an IPC wait, when it was marked
 * would block after the cancel above had found nothing to cancel, and wait for ever:
 * follow it (letting it run) until it has ended, waits (and then cancel that wait), or
 * a bound passes. Not the calling thread: it ends on its own way out.
 */
static void settle_killed(struct thread *t)
{
	if (t == thread_current())
		return;
	for (int i = 0; i < 1000; i++) {
		enum thread_state st = __atomic_load_n(&t->state, __ATOMIC_ACQUIRE);
		if (__atomic_load_n(&t->exited, __ATOMIC_ACQUIRE) || st == THREAD_DEAD)
			return;
		if (st == THREAD_BLOCKED) {
			if (!ipc_cancel(t))
				sched_kick(t);  /* or asleep; any other wait ends by itself */
			return;
		}
		sched_sleep_ns(100000);         /* runnable or running: let it get there */
	}
}

void process_kill(struct process *p)
{
	irqflags_t f = spin_lock_irqsave(&p->threads_lock);

	p->killed = true;
	for (struct thread *t = p->threads; t; t = t->proc_next)
		__atomic_store_n(&t->killed, true, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&p->threads_lock, f);

	/* Wake each one, outside threads_lock (a leaf: waking takes cap_lock and run-queue
	 * locks), holding a reference across the unlock. A thread launched meanwhile was
	 * marked killed by thread_launch; one already kicked is skipped. */
	for (;;) {
		struct thread *t;

		f = spin_lock_irqsave(&p->threads_lock);
		for (t = p->threads; t && t->kill_kicked; t = t->proc_next)
			;
		if (t) {
			t->kill_kicked = true;
			thread_get(t);
		}
		spin_unlock_irqrestore(&p->threads_lock, f);
		if (!t)
			return;
		ipc_cancel(t);                  /* an IPC or notification wait: E_CANCELED */
		sched_kick(t);                  /* asleep, or running on another CPU */
		settle_killed(t);
		thread_put(t);
	}
}

void thread_discard(struct thread *t)
{
	thread_reap(t);         /* drops the thread's own reference */
	thread_put(t);          /* and the creator's */
}

struct thread *thread_create(struct process *p, const char *name, void (*entry)(void *),
			     void *arg, int prio, uint64_t affinity)
{
	struct thread *t = thread_create_suspended(p, name, entry, arg, prio, affinity);

	if (t)
		thread_launch(t);
	return t;
}

/* The idle thread of a CPU: never queued, never exits. */
struct thread *thread_create_idle(const char *name, void (*entry)(void *), unsigned cpu)
{
	struct thread *t = thread_alloc(&kernel_process, name, PRIO_MIN, 1ull << cpu);

	if (!t)
		return NULL;
	if (!give_stack(t, entry, NULL)) {
		t->refs = 1;
		thread_put(t);
		return NULL;
	}
	t->cpu = cpu;
	t->state = THREAD_RUNNABLE;
	return t;
}

/* The boot CPU's first thread is the code already running kmain on the boot stack. */
struct thread *thread_adopt_boot(const char *name)
{
	struct thread *t = thread_alloc(&kernel_process, name, PRIO_DEFAULT, AFFINITY_ALL);

	if (t)
		t->kstack_top = NULL;           /* the boot stack is not a kstack */
	return t;
}

__noreturn void thread_exit(void)
{
	struct thread *t = thread_current();
	struct waitq *q = t->exit_wq;
	struct process *p = t->proc;

	if (t->on_proc_list) {
		irqflags_t f = spin_lock_irqsave(&p->threads_lock);
		bool last = !t->exited && --p->live_threads == 0;
		t->exited = true;
		spin_unlock_irqrestore(&p->threads_lock, f);
		if (last)
			process_notify_supervisor(p, PROCESS_NOTE_EXITED);
	}

	/* Joiners wait for the reaping, which the CPU that switches away from this
	 * thread does (thread_reap). */
	irqflags_t f = spin_lock_irqsave(&q->lock);
	sched_exit_locked(q, f);
}

void thread_join(struct thread *t)
{
	struct waitq *q = t->exit_wq;
	irqflags_t f = spin_lock_irqsave(&q->lock);

	while (!t->reaped) {
		waitq_block(q, f);
		f = spin_lock_irqsave(&q->lock);
	}
	spin_unlock_irqrestore(&q->lock, f);
	thread_put(t);
}

void thread_detach(struct thread *t)
{
	thread_put(t);
}

void thread_reap(struct thread *t)
{
	if (t->kstack_top)
		kstack_free(t->kstack_top);
	if (t->fpu)
		fpu_area_free(t->fpu);
	if (t->fpu_spare)
		fpu_area_free(t->fpu_spare);
	t->kstack_top = NULL;
	t->fpu = NULL;
	t->fpu_spare = NULL;
	ipc_buffer_release(t);
	proc_list_remove(t);
	process_put(t->proc);
	if (t->charged)
		quota_credit(t->charged, t->charge);

	struct waitq *q = t->exit_wq;
	irqflags_t f = spin_lock_irqsave(&q->lock);
	t->reaped = true;
	waitq_wake_all(q);
	spin_unlock_irqrestore(&q->lock, f);
	thread_put(t);
}

void thread_fpu_first_use(void)
{
	struct thread *t = thread_current();

	if (!t)
		panic("fpu: FPU used before threads exist");
	if (t->fpu) {
		/* TS was left set by mistake: restoring is always correct. */
		fpu_trap_on_use(false);
		fpu_restore(t->fpu);
		return;
	}
	/* A user thread's area was reserved when it was made; a kernel thread, built
	 * with -mgeneral-regs-only, never gets here. */
	void *area = t->fpu_spare ? t->fpu_spare : fpu_area_alloc();
	if (!area)
		panic("fpu: no memory for thread %s's FPU state", t->name);
	t->fpu_spare = NULL;
	irqflags_t f = irq_save();
	t->fpu = area;
	fpu_trap_on_use(false);
	fpu_restore(area);
	irq_restore(f);
}
