/* User threads (usermode.h). */
#include <usermode.h>
#include <cap.h>
#include <heap.h>
#include <kformat.h>
#include <log.h>
#include <memobj.h>
#include <pmm.h>
#include <sched.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/layout.h>
#include <arch/syscall.h>
#include <arch/trap.h>

static uint64_t user_faults;            /* [a] */

/* The thread whose first entry to ring 3 is stamped, and the stamp: written once, by
 * that thread, the TSC last (release), so a reader that sees it sees all. */
static struct thread *stamp_thread;     /* [a] */
static struct user_stamp stamp;         /* tsc [a] */
static struct spinlock fault_lock = SPINLOCK_INIT("fault_notify");     /* leaf-ish: before
					 * cap_lock (a signal is sent under it) */

/* The new thread's first kernel code: leave for user mode. */
static void user_start(void *unused)
{
	struct thread *t = thread_current();

	(void)unused;
	if (unlikely(__atomic_load_n(&stamp_thread, __ATOMIC_ACQUIRE) == t)) {
		stamp.halted = sched_halted_ticks();
		__atomic_store_n(&stamp.tsc, cpu_rdtsc(), __ATOMIC_RELEASE);
		__atomic_store_n(&stamp_thread, NULL, __ATOMIC_RELAXED);
	}
	arch_enter_user(t->user_entry, t->user_sp, t->user_arg);
}

void user_stamp_first_entry(struct thread *t)
{
	__atomic_store_n(&stamp_thread, t, __ATOMIC_RELEASE);
}

struct user_stamp user_first_entry(void)
{
	uint64_t tsc = __atomic_load_n(&stamp.tsc, __ATOMIC_ACQUIRE);

	return (struct user_stamp){ tsc, tsc ? stamp.halted : 0 };
}

kerr_t user_thread_create(struct process *p, uint64_t entry, uint64_t stack_top, uint64_t arg,
			  struct thread **out)
{
	if (p == &kernel_process)
		return E_INVAL;
	if (entry < USER_BASE || entry >= USER_TOP || stack_top <= USER_BASE ||
	    stack_top > USER_TOP)
		return E_RANGE;
	if (stack_top & 15)
		return E_INVAL;
	if (__atomic_load_n(&p->killed, __ATOMIC_RELAXED))
		return E_DELETED;
	struct thread *t = thread_create_suspended(p, p->name, user_start, NULL, PRIO_DEFAULT,
						   AFFINITY_ALL);
	if (!t)
		return E_NO_MEMORY;
	/* Its FPU area now: user code uses SSE, and a first FPU instruction that found the
	 * heap exhausted could only end the thread or the kernel. */
	t->fpu_spare = fpu_area_alloc();
	if (!t->fpu_spare) {
		thread_discard(t);
		return E_NO_MEMORY;
	}
	t->user_entry = entry;
	t->user_sp = stack_top;
	t->user_arg = arg;
	*out = t;
	return E_OK;
}

__noreturn void user_thread_exit(void)
{
	thread_exit();
}

/* ---- IPC buffers ---- */

kerr_t ipc_buffer_attach(struct thread *t, uint64_t uva)
{
	struct process *p = t->proc;
	struct quota *q = p->cspace->quota;

	if (p == &kernel_process || (uva & (PAGE_SIZE - 1)))
		return E_INVAL;
	if (uva < USER_BASE || uva > USER_TOP - PAGE_SIZE)
		return E_RANGE;
	if (t->ipc_buf)
		return E_EXISTS;
	/* Not inside a mapping: a demand-zero one's untouched pages are not in the page
	 * tables, which would not refuse it, and its end would take the page away. */
	paddr_t frame;
	kerr_t e = mem_page_outside(p, va(uva), q, VM_USER | VM_WRITE, &frame);
	if (e != E_OK)
		return e;
	t->ipc_buf_va = uva;
	t->ipc_buf_quota = q;
	t->ipc_buf = phys_to_virt(frame);
	return E_OK;
}

void ipc_buffer_release(struct thread *t)
{
	if (!t->ipc_buf_va)
		return;
	vmm_unmap(t->proc->as, va(t->ipc_buf_va), PAGE_SIZE);
	pmm_free(virt_to_phys(t->ipc_buf));
	quota_credit(t->ipc_buf_quota, PAGE_SIZE);
	t->ipc_buf = NULL;
	t->ipc_buf_va = 0;
}

/* ---- faults ---- */

void process_set_fault_notification(struct process *p, struct notification *n,
				    uint64_t badge)
{
	irqflags_t f = spin_lock_irqsave(&fault_lock);
	struct notification *old = p->fault_notify;

	if (n)
		kobj_get(&n->obj);
	p->fault_notify = n;
	p->fault_badge = badge;
	spin_unlock_irqrestore(&fault_lock, f);
	if (old)
		kobj_put(&old->obj);
}

uint64_t user_fault_count(void)
{
	return __atomic_load_n(&user_faults, __ATOMIC_RELAXED);
}

/* trap.c: an exception in user mode ends the thread that caused it. */
void trap_user_exception(struct trap_frame *f)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	char detail[96] = "";

	__atomic_fetch_add(&user_faults, 1, __ATOMIC_RELAXED);
	if (f->vector == 14) {
		char pf[64];
		page_fault_describe(f->error, pf, sizeof(pf));
		ksnprintf(detail, sizeof(detail), ": %s at %#llx", pf,
			  (unsigned long long)cpu_read_cr2());
	}
	pr_warn("process %s thread %llu: %s (%s) at %#llx%s; thread ended",
		p->name, (unsigned long long)t->id, exception_name((unsigned)f->vector),
		exception_mnemonic((unsigned)f->vector), (unsigned long long)f->rip, detail);
	irq_enable();
	process_notify_supervisor(p, PROCESS_NOTE_FAULT);
	user_thread_exit();
}

void process_notify_supervisor(struct process *p, uint64_t bits)
{
	irqflags_t f = spin_lock_irqsave(&fault_lock);
	struct notification *n = p->fault_notify;
	unsigned shift = p->fault_badge ? (unsigned)__builtin_ctzll(p->fault_badge) : 0;

	if (n && shift < 63)
		notification_signal(n, bits << shift);
	spin_unlock_irqrestore(&fault_lock, f);
}

