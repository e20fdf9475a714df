/*
 * User threads (ring 3): creating one in a process, ending one, its IPC buffer, and
 * what happens when one faults.
 *
 * A user thread is a kernel thread that leaves for user mode at once: its kernel
 * stack is where it enters on every system call, interrupt and exception. A fault in
 * user mode (page fault, #GP, #UD, divide error...) ends that thread, with a log line
 * and, if its process has a fault notification, a signal on it for a supervisor; the
 * kernel and every other thread go on.
 */
#ifndef USERMODE_H
#define USERMODE_H

#include <thread.h>
#include <notify.h>
#include <arch/cpu.h>

/*
 * A new thread in p that will start in user mode at entry with stack pointer stack_top
 * and arg in rdi. entry must lie in the user half, stack_top in it or at its top and
 * 16-byte aligned (E_RANGE, E_INVAL); E_NO_MEMORY if the thread cannot be made. *out
 * gets it, not yet started, with the creator's reference: thread_launch() starts it
 * (thread_join/thread_detach later drop the reference), thread_discard() undoes it.
 */
kerr_t user_thread_create(struct process *p, uint64_t entry, uint64_t stack_top, uint64_t arg,
			  struct thread **out);

/* End the current user thread (from a system call or a fault). */
__noreturn void user_thread_exit(void);

/*
 * The boot-time figures (docs/PERFORMANCE.md): the moment t, made but not launched,
 * first leaves for ring 3 is stamped — the TSC then, and the TSC ticks the CPUs had
 * spent halted by then. The kernel stamps init's first thread; system_info reports it.
 */
struct user_stamp {
	uint64_t tsc;                   /* 0: not (yet) stamped */
	uint64_t halted;
};
void user_stamp_first_entry(struct thread *t);
struct user_stamp user_first_entry(void);

/*
 * Give t an IPC buffer at user address va: a zeroed page the kernel allocates, charged
 * to the process's quota, and maps there writable for the thread (the kernel reaches it
 * through the direct map, so a message never touches user mappings). va must be page
 * aligned in the user half with nothing mapped there (E_INVAL, E_RANGE, E_EXISTS);
 * E_NO_MEMORY when the quota or memory runs out. A thread's buffer is freed when it is
 * reaped; a second is E_EXISTS (one per thread). t must be the current thread (the
 * system call attaches the caller's), or one that has not started.
 */
kerr_t ipc_buffer_attach(struct thread *t, uint64_t va);
/* Reaping: unmap and free t's IPC buffer, if it has one. */
void ipc_buffer_release(struct thread *t);

/* A process's supervisor notification: signalled with PROCESS_NOTE_FAULT when one of
 * its threads dies of a user-mode fault (the log says which and why), and with
 * PROCESS_NOTE_EXITED when its last thread has ended (by exit, fault or kill). NULL:
 * none. Takes a reference. With a badge (that of the capability the supervisor named
 * it by), the bits move up to the badge's lowest set bit: one notification can serve
 * many processes, two bits each, and the waiter learns which. */
#define PROCESS_NOTE_FAULT      1ull
#define PROCESS_NOTE_EXITED     2ull
void process_set_fault_notification(struct process *p, struct notification *n,
				    uint64_t badge);
void process_notify_supervisor(struct process *p, uint64_t bits);

/* On every return towards user mode: a thread process_kill marked ends here. */
static inline void user_return_check(void)
{
	if (unlikely(__atomic_load_n(&thread_current()->killed, __ATOMIC_ACQUIRE)))
		user_thread_exit();
}

/*
 * System calls with a fast path in the SYSCALL entry (syscall_entry.S: ep_call,
 * ep_reply_recv, notify_signal, notify_wait) run it with interrupts still off and no
 * dispatch. One that refuses a call returns SYSCALL_FAST_NO having changed nothing, and
 * the dispatch runs the call to say why. An IPC fast path that has to wait goes into
 * the general path as if interrupts had been on (USER_IRQ_FLAGS: the user's state) and
 * turns them off again after; notify_wait's blocks with them off throughout.
 */
#define SYSCALL_FAST_NO (-1l)
#define USER_IRQ_FLAGS  RFLAGS_IF

/* The end of a fast path: me's result e, or its end if it was killed meanwhile (with
 * interrupts on, as thread exit wants them). */
static __always_inline long user_fast_return(struct thread *me, kerr_t e)
{
	if (unlikely(__atomic_load_n(&me->killed, __ATOMIC_ACQUIRE))) {
		irq_enable();
		user_thread_exit();
	}
	return e;
}

/* User-mode faults so far (tests). */
uint64_t user_fault_count(void);

#endif
