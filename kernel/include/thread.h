/*
 * Threads and processes.
 *
 * A process owns an address space (from the capabilities issue on, also a capability
 * space); the kernel process uses the kernel's own. A thread has a kernel stack in its
 * own slot with guard pages below (kstack.h), a saved stack pointer while switched out,
 * a state, a priority, a CPU affinity mask, and an FPU area once it has used the FPU.
 *
 * Lifetime: a thread holds a reference on its process; a thread object has two
 * references at creation, one for running (dropped when it is reaped after exit) and
 * one for its creator (dropped by thread_join or thread_detach). Everything a dead
 * thread held — stack, FPU area — is freed when it is reaped, right after it last
 * switched away; the object itself when the last reference goes.
 */
#ifndef THREAD_H
#define THREAD_H

#include <types.h>
#include <kerr.h>
#include <failinj.h>
#include <spinlock.h>
#include <vmm.h>
#include <arch/smp.h>

#define PRIO_LEVELS     32
#define PRIO_MAX        31      /* most urgent */
#define PRIO_DEFAULT    16
#define PRIO_MIN        0

#define AFFINITY_ALL    (~0ull)

enum thread_state {
	THREAD_RUNNABLE,        /* on a run queue */
	THREAD_RUNNING,         /* on a CPU */
	THREAD_BLOCKED,         /* waiting: on a wait queue or the sleep list */
	THREAD_DEAD,            /* exited, not yet reaped */
};

struct mem_space;

struct process {
	struct addr_space *as;          /* [I] &own_as, or &kernel_as */
	struct addr_space own_as;       /* [I] */
	struct mem_space *mem;          /* [I] its memory grants (memobj.h); NULL for the
					 * kernel's, which has none */
	uint64_t id;                    /* [I] */
	char name[16];                  /* [I] */
	uint32_t refs;                  /* [a] threads plus holders */
	struct cspace *cspace;          /* [I once its threads run] capabilities:
					 * &cspace_empty unless given its own */
	struct cspace *own_cs;          /* [I] process_create_user's, freed with it */
	struct quota *own_quota;        /* [I] process_create_user's, closed with it */
	struct notification *fault_notify;      /* [usermode.c fault_lock] the supervisor's:
						 * bit 0 when a thread dies of a user fault,
						 * bit 1 when the last thread has ended */
	uint64_t fault_badge;           /* [usermode.c fault_lock] shifts its bits */
	struct spinlock threads_lock;   /* leaf */
	struct thread *threads;         /* [threads_lock] launched, not yet reaped */
	uint32_t live_threads;          /* [threads_lock] launched, not yet exited */
	bool killed;                    /* [threads_lock] process_kill: no new threads */
};

struct waitq;
struct fault_catch;
struct cspace;
struct ipc_msg;
struct ipc_buffer;
struct reply;
struct notification;
struct quota;

/* What a thread waits to do in IPC (ipc_op). */
enum ipc_op { IPC_NONE, IPC_SEND, IPC_CALL, IPC_RECV, IPC_REPLY_WAIT, IPC_NOTIFY_WAIT };

struct thread {
	uint64_t saved_rsp;             /* [rq] switched-out stack pointer; offset 0 */
	void *kstack_top;               /* [I] */
	struct process *proc;           /* [I] */
	struct addr_space *as;          /* [I] proc->as, one load nearer for the switch */
	uint64_t id;                    /* [I] */
	char name[16];                  /* [I] */

	enum thread_state state;        /* [rq of cpu] */
	int priority;                   /* [rq of cpu] */
	uint64_t affinity;              /* [rq of cpu] CPUs it may run on */
	unsigned cpu;                   /* [rq of cpu] run queue it belongs to */
	bool on_rq;                     /* [rq of cpu] in a run queue */
	struct thread *rq_next;         /* [rq of cpu] run queue, sleep list links */
	struct thread *rq_prev;
	uint64_t wake_at;               /* [rq of cpu] sleep deadline, 0 if not sleeping */
	uint64_t slice_end;             /* [this CPU while running] */
	uint64_t run_start;             /* [this CPU while running] */
	uint64_t run_ns;                /* [rq of cpu] CPU time used */
	uint64_t switches;              /* [rq of cpu] times switched in */

	struct thread *wq_next;         /* [waitq lock] */
	struct waitq *waiting_on;       /* [waitq lock] */

	/* IPC (endpoint.h), while blocked guarded by the lock of what it waits on. */
	struct ipc_msg *ipc_msg;        /* its message: to send, or where one goes */
	struct ipc_buffer *ipc_buf;     /* [this thread] words past the registers, caps */
	uint64_t ipc_buf_va;            /* [this thread] where a user thread sees it, or 0 */
	uint64_t user_entry, user_sp, user_arg; /* [I] a user thread's first user state */
	struct quota *ipc_buf_quota;    /* [this thread] charged for it */
	struct reply *ipc_reply;        /* receiving: reply object for a caller */
	uint64_t ipc_badge;             /* sending: its badge; received: the sender's */
	uint8_t ipc_op;                 /* enum ipc_op: what it waits to do */
	int8_t ipc_result;              /* kerr_t its waker leaves */
	uint8_t fast_op;                /* [IPC lock while blocked] blocked in a system-call
					 * fast path: resumed through its frame (IPC_FAST_*
					 * in endpoint.c), or 0 */

	struct quota *charged;          /* [I] paid charge bytes for it (a thread the
					 * thread_create system call made), credited when
					 * it is reaped; or NULL */
	uint64_t charge;                /* [I] */

	struct thread *proc_next;       /* [proc->threads_lock] its process's threads */
	struct thread *proc_prev;
	bool on_proc_list;              /* [proc->threads_lock] */
	bool exited;                    /* [proc->threads_lock] counted out of live_threads */
	bool killed;                    /* [a] end it at its next return to user mode */
	bool kill_kicked;               /* [proc->threads_lock] process_kill woke it */

	void *fpu;                      /* [this thread] FPU area or NULL */
	void *fpu_spare;                /* [this thread] a user thread's area, reserved when
					 * it is made, so its first FPU instruction cannot
					 * run out of memory; taken by thread_fpu_first_use */
	struct fault_catch *catches;    /* [this thread] armed fault catches (arch/trap.h) */
	struct failinj_state fi;        /* [this thread] fault injection (failinj.h) */
	uint32_t refs;                  /* [a] */
	struct waitq *exit_wq;          /* [I] woken when it has been reaped */
	bool reaped;                    /* [exit_wq lock] its stack, FPU area and process
					 * reference are given back */
	void (*entry)(void *);          /* [I] */
	void *arg;                      /* [I] */
};

_Static_assert(offsetof(struct thread, saved_rsp) == 0, "switch.S");

/* The kernel's process: its threads run in the kernel address space. */
extern struct process kernel_process;

/* A process with a fresh address space (sharing the kernel half). */
kerr_t process_create(const char *name, struct process **out);

/*
 * A process for user code (the obj_create system call): a fresh address space, and
 * its own capability space of nslots slots paid from its own quota of limit bytes,
 * which is carved from parent (quota_carve) with PROCESS_OVERHEAD more for the
 * process itself. All of it goes when the last reference does; the quota once
 * everything charged to it is paid back. E_INVAL: nslots outside 2..CSPACE_MAX_SLOTS;
 * E_NO_MEMORY: parent, the new quota or the kernel cannot pay (nothing is left
 * allocated or charged).
 */
kerr_t process_create_user(const char *name, struct quota *parent, uint32_t nslots,
			   uint64_t limit, struct process **out);
void process_get(struct process *p);
void process_put(struct process *p);

/* A new thread in p, runnable at once: entry(arg) runs at priority prio on one of the
 * CPUs in affinity. NULL when out of memory (nothing is left allocated). */
struct thread *thread_create(struct process *p, const char *name, void (*entry)(void *),
			     void *arg, int prio, uint64_t affinity);

/* The same, but not yet runnable: thread_launch() starts it; thread_discard() frees a
 * thread that never started (with the creator's reference), undoing everything. Lets
 * a caller make every other allocation an operation needs before anything runs. */
struct thread *thread_create_suspended(struct process *p, const char *name,
				       void (*entry)(void *), void *arg, int prio,
				       uint64_t affinity);
void thread_launch(struct thread *t);
void thread_discard(struct thread *t);

/*
 * End every thread of p and refuse new ones (E_DELETED from user_thread_create). A
 * thread waiting in IPC or asleep is woken; one running in user mode on another CPU is
 * interrupted; each ends at its next return towards user mode (system-call exit or
 * interrupt return). The supervisor's notification gets bit 1 when the last is gone.
 */
void process_kill(struct process *p);

__noreturn void thread_exit(void);

/* Wait for t to exit and be reaped (everything it held given back, so counts of
 * threads, stacks and memory are exact on return), then drop the creator's reference. */
void thread_join(struct thread *t);
/* Drop the creator's reference without waiting. */
void thread_detach(struct thread *t);

/* More references, for holders such as thread capabilities (taskcap.h). */
void thread_get(struct thread *t);
void thread_put(struct thread *t);

#ifndef MNOS_HOST_TEST
static inline struct thread *thread_current(void)
{
	return arch_cpu_current();
}
#endif

/* Threads and processes alive (created, not yet freed), for leak checks. */
uint64_t thread_count(void);
uint64_t process_count(void);

/* For the scheduler: reap a dead thread once it is off its stack; make the idle thread
 * of a CPU; adopt the code running kmain as the boot CPU's first thread. */
void thread_reap(struct thread *t);
struct thread *thread_create_idle(const char *name, void (*entry)(void *), unsigned cpu);
struct thread *thread_adopt_boot(const char *name);

/* The #NM handler: give the current thread an FPU area and let it use the FPU. */
void thread_fpu_first_use(void);

#endif
