/*
 * Thread and process capabilities (DESIGN.md §5): the objects through which a holder
 * controls a thread or a process (CAP_R_CONTROL). Each is a small kernel object that
 * holds a reference on its thread or process, so the thread or process outlives every
 * capability to it; deleting the last capability does not stop a thread (a thread ends
 * when it exits, or with its process: the syscall issue adds stopping it).
 *
 * The operations so far: find the thread or process a capability names (for the calls
 * that act on one: mapping memory into a process, starting a thread), cancel a
 * thread's IPC wait, and say which CPUs a thread may run on.
 */
#ifndef TASKCAP_H
#define TASKCAP_H

#include <cap.h>
#include <thread.h>

void taskcap_init(void);

/* A new object naming t (or p), charged to q, with one reference for the caller. */
kerr_t thread_obj_create(struct quota *q, struct thread *t, struct kobj **out);
kerr_t process_obj_create(struct quota *q, struct process *p, struct kobj **out);

/* The thread (process) a capability in cs names, with a reference the caller drops
 * with thread_put (process_put). Errors as cap_lookup's: E_RANGE, E_NOT_FOUND, E_TYPE,
 * E_PERM (need is not held). */
kerr_t thread_cap_get(struct cspace *cs, uint32_t slot, uint32_t need, struct thread **t);
kerr_t process_cap_get(struct cspace *cs, uint32_t slot, uint32_t need, struct process **p);

/*
 * End the IPC wait of the thread the capability names (it needs CAP_R_CONTROL): a
 * send, receive, call (waiting to be received or for its answer) or notification wait
 * returns E_CANCELED, and the thread is off every queue — a reply object it had
 * offered is free again, a reply object it waited on has no caller. E_NOT_FOUND when
 * it is not waiting in IPC.
 */
kerr_t thread_cap_cancel_ipc(struct cspace *cs, uint32_t slot);

/*
 * Let the thread the capability names (with CAP_R_CONTROL) run only on the CPUs of mask
 * (bit n: CPU n), as sched_set_affinity does. E_INVAL, changing nothing, when mask
 * holds no online CPU; bits of CPUs that are not online are kept and never used.
 */
kerr_t thread_cap_set_affinity(struct cspace *cs, uint32_t slot, uint64_t mask);

#endif
