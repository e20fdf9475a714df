/*
 * The system-call entry's fast paths for call and reply_recv (endpoint.h), and the
 * continuations by which a thread blocked in one is resumed (below). Compiled with rbx
 * and r12-r15 caller-saved (ipc_internal.h says why): only the entry calls in here.
 */
#include <usermode.h>
#include <arch/cpu.h>
#include "ipc_internal.h"

/* ---- the system-call entry's fast paths ---- */

/* An error: the dispatch's general path says which, and changes nothing either
 * (usermode.h: the fast paths' contract). */
static __always_inline long fast_refused(void)
{
	spin_unlock(&cap_lock);
	return SYSCALL_FAST_NO;
}

/*
 * Continuations. A thread that blocks in a fast path keeps nothing of its kernel
 * context: what it needs to go on is its system-call frame (the message already sits in
 * it, as ipc_msg points there) and the user's callee-saved registers the entry put below
 * the frame. It is left with a context made for arch_switch whose return address is
 * ep_fast_trampoline, so the scheduler or any general path can resume it like any
 * thread; and a fast path handing over to a thread blocked that way finishes the
 * thread's system call itself and leaves for user mode on its stack (ep_fast_exit),
 * with no kernel frames to unwind. The blocking thread saves no registers and the
 * resumed one restores none but the user's: half the cost of a handoff.
 */
#define IPC_FAST_CALL   1
#define IPC_FAST_RECV   2
#define SAVED_WORDS     6       /* the callee-saved registers below the frame */
#define FRAME_RDI       1       /* in words: struct syscall_frame */
#define FRAME_MSG       2

__noreturn void ep_fast_exit(uint64_t *saved, uint32_t *serving);
void ep_fast_trampoline(void);
long ep_fast_resume(uint64_t *frame);

/*
 * The thread me, in fast path op with its message m in its frame, blocks (its queues
 * set up, cap_lock held) and next runs. Never returns: me goes on through
 * ep_fast_trampoline or fast_resumed. rdi is what next's system call returns in rdi if
 * next blocked in a fast path too: which one is known from the direction (the call
 * direction finds a receiver, blocked in reply_recv; the reply direction a caller).
 */
static __always_inline __noreturn void fast_switch(struct thread *me, uint8_t op,
						   struct ipc_msg *m, struct thread *next,
						   uint64_t rdi)
{
	struct cpu_local *cl = this_cpu();
	uint64_t *saved = (uint64_t *)m - FRAME_MSG - SAVED_WORDS;

	/* A context arch_switch can resume: six registers nobody needs, then the
	 * trampoline as the return address (in the slot of this function's own, which
	 * is never used now). */
	saved[-1] = (uint64_t)(uintptr_t)ep_fast_trampoline;
	me->saved_rsp = (uint64_t)(uintptr_t)(saved - 1 - SAVED_WORDS);
	me->fast_op = op;
	sched_handoff(cl, me, next);
	sched_switch_state(cl, me, next);
	if (likely(next->fast_op) && likely(!__atomic_load_n(&next->killed, __ATOMIC_ACQUIRE))) {
		uint64_t *frame = (uint64_t *)next->ipc_msg - FRAME_MSG;
		frame[FRAME_RDI] = rdi;
		next->fast_op = 0;
		if (SPIN_CHECKS)
			__atomic_store_n(&cap_lock.holder, SPIN_NO_HOLDER, __ATOMIC_RELAXED);
		ep_fast_exit(frame - SAVED_WORDS, &cap_lock.serving);
	}
	cl->sched_release = &cap_lock;
	arch_load(next->saved_rsp);
}

long ep_fast_resume(uint64_t *frame)
{
	struct thread *me = thread_current();

	sched_resume();
	uint8_t op = me->fast_op;
	kerr_t e = (kerr_t)me->ipc_result;
	me->fast_op = 0;
	frame[FRAME_RDI] = op == IPC_FAST_RECV && e == E_OK ? me->ipc_badge : 0;
	return user_fast_return(me, e);
}

/*
 * Each fast path is one body made twice: for a message in registers only (shortm
 * constant true: nothing to check, five words to copy) and, out of line, for any
 * other, so the common one tests the message's kind once.
 */
static __always_inline long call_fast(uint64_t ep, struct ipc_msg *m, bool shortm)
{
	struct thread *me = thread_current();
	struct cspace *cs = me->proc->cspace;
	struct cap_slot *s;
	struct thread *r;

	spin_lock(&cap_lock);
	s = cap_lookup_fast(cs, ep, OBJ_ENDPOINT, CAP_R_SEND);
	if (unlikely(!s || (!shortm && check_msg(me, cs, m) != E_OK)))
		return fast_refused();
	if (likely((r = call_take(me, s, m, shortm)) != NULL))
		fast_switch(me, IPC_FAST_CALL, m, r, s->badge);
	kerr_t e = do_send(ep_of(s), s->badge, m, IPC_FOREVER, true, USER_IRQ_FLAGS);
	irq_disable();
	return user_fast_return(me, e);
}

static __noinline long call_fast_long(uint64_t ep, struct ipc_msg *m)
{
	return call_fast(ep, m, false);
}

long ep_call_fast(uint64_t ep, struct ipc_msg *m)
{
	if (unlikely(!short_msg(m->info)))
		return call_fast_long(ep, m);
	return call_fast(ep, m, true);
}

/* The reply object's slot is in the upper half of ep_reply, the endpoint's in the lower;
 * the badge goes to the frame's rdi, just below the message. */
static __always_inline long reply_recv_fast(uint64_t ep_reply, struct ipc_msg *m, bool shortm)
{
	struct thread *me = thread_current();
	struct cspace *cs = me->proc->cspace;
	struct cap_slot *es, *rs;
	struct thread *c;

	spin_lock(&cap_lock);
	es = cap_lookup_fast(cs, (uint32_t)ep_reply, OBJ_ENDPOINT, CAP_R_RECV);
	rs = cap_lookup_fast(cs, ep_reply >> 32, OBJ_REPLY, CAP_R_SEND);
	/* A reply object another receive offered, or none (slot 0): the general path. */
	if (unlikely(!es || !rs || reply_of(rs)->owner ||
		     (!shortm && check_msg(me, cs, m) != E_OK)))
		return fast_refused();
	struct endpoint *e = ep_of(es);
	struct reply *rp = reply_of(rs);
	if (likely((c = reply_recv_take(me, e, rp, m, shortm)) != NULL))
		fast_switch(me, IPC_FAST_RECV, m, c, 0);
	kerr_t err = do_recv(e, rp, m, (uint64_t *)m - 1, IPC_FOREVER, answer(rp, m),
			     USER_IRQ_FLAGS);
	irq_disable();
	return user_fast_return(me, err);
}

static __noinline long reply_recv_fast_long(uint64_t ep_reply, struct ipc_msg *m)
{
	return reply_recv_fast(ep_reply, m, false);
}

long ep_reply_recv_fast(uint64_t ep_reply, struct ipc_msg *m)
{
	if (unlikely(!short_msg(m->info)))
		return reply_recv_fast_long(ep_reply, m);
	return reply_recv_fast(ep_reply, m, true);
}
