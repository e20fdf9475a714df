#ifndef IPC_INTERNAL_H
#define IPC_INTERNAL_H

/*
 * What endpoint.c and endpoint_fast.c share: the objects, the general paths the fast
 * ones fall into, and the handoffs' steps, inline. endpoint_fast.c holds the system-call
 * entry's fast paths apart because it is compiled with rbx and r12-r15 caller-saved
 * (Makefile): its functions are called only from the entry, which has saved the user's
 * values of those registers already, so their prologues need not save them again.
 * Nothing else may call into it.
 */
#include <endpoint.h>
#include <sched.h>
#include <thread.h>

struct endpoint {
	struct kobj obj;
	struct waitq wq;        /* [cap_lock] senders or receivers */
	bool receivers;         /* [cap_lock] the queue holds receivers, else senders */
	bool dead;              /* [cap_lock] the last capability, or the last that can
				 * receive, is gone */
};

struct reply {
	struct kobj obj;
	struct waitq wq;        /* [cap_lock] the bound caller waits here */
	struct thread *owner;   /* [cap_lock] the receiver that offered it, while it waits */
	struct thread *caller;  /* [cap_lock] the caller waiting for the answer */
};

/* endpoint.c (cap_lock held) */
kerr_t check_msg(struct thread *me, struct cspace *cs, const struct ipc_msg *m);
void transfer_long(struct thread *s, uint64_t info, struct thread *r, struct ipc_msg *rm);
kerr_t do_send(struct endpoint *e, uint64_t badge, struct ipc_msg *m, uint64_t timeout,
	       bool call, irqflags_t f);
kerr_t do_recv(struct endpoint *e, struct reply *rp, struct ipc_msg *m, uint64_t *badge,
	       uint64_t timeout, struct thread *next, irqflags_t f);
struct thread *answer(struct reply *r, const struct ipc_msg *m);

/* Give the receiver r the message sm of the sender s. */
static inline void transfer(struct thread *s, const struct ipc_msg *sm, struct thread *r,
			    struct ipc_msg *rm)
{
	uint64_t info = sm->info;

	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		rm->w[i] = sm->w[i];
	rm->info = info;
	if (unlikely(ipc_len(info) > IPC_REG_WORDS || ipc_ncaps(info)))
		transfer_long(s, info, r, rm);
}

/* The fast paths' copy: a register-only message as five words, anything else through
 * transfer (cap_lock held; the message checked). */
static __always_inline void transfer_fast(struct thread *s, const struct ipc_msg *sm,
					  bool shortm, struct thread *r, struct ipc_msg *rm)
{
	if (likely(shortm))
		*rm = *sm;
	else
		transfer(s, sm, r, rm);
}

/* A message in registers only — length at most IPC_REG_WORDS, no capabilities, no
 * reserved bits — in one compare: the fast paths' condition. */
static __always_inline bool short_msg(uint64_t info)
{
	return (info & ((1u << IPC_LABEL_SHIFT) - 1)) <= IPC_REG_WORDS;
}

static inline struct endpoint *ep_of(struct cap_slot *s)
{
	return container_of(s->obj, struct endpoint, obj);
}

static inline struct reply *reply_of(struct cap_slot *s)
{
	return container_of(s->obj, struct reply, obj);
}

/*
 * call's handoff (DESIGN.md §6): a receiver with a reply object waiting on this CPU at
 * this thread's priority. The message m goes straight into the receiver's and this
 * thread queues on the reply object as its caller; the receiver is returned, for the
 * caller to switch to. NULL, with nothing changed, if the endpoint in slot s has no
 * such receiver. cap_lock held; m checked by the caller (check_msg, unless short_msg
 * says it has nothing to check).
 */
static __always_inline struct thread *call_take(struct thread *me, struct cap_slot *s,
						struct ipc_msg *m, bool shortm)
{
	struct endpoint *ept = ep_of(s);
	struct thread *r = ept->wq.head;

	if (unlikely(!r || !ept->receivers || !r->ipc_reply || !sched_can_switch_ipc(me, r)))
		return NULL;
	struct reply *rp = r->ipc_reply;
	waitq_pop(&ept->wq);
	transfer_fast(me, m, shortm, r, r->ipc_msg);
	r->ipc_badge = s->badge;
	r->ipc_result = E_OK;
	r->ipc_reply = NULL;
	rp->owner = NULL;
	rp->caller = me;
	me->ipc_op = IPC_REPLY_WAIT;
	me->ipc_msg = m;
	waitq_add(&rp->wq, me);
	return r;
}

/*
 * reply_recv's handoff: a caller bound to rp, blocked on this CPU at this thread's
 * priority, and no sender waiting on e. The answer m goes straight into the caller's
 * message and this thread queues on e as a receiver offering rp again; the caller is
 * returned, for this thread to switch to. NULL, with nothing changed, otherwise.
 * cap_lock held; the capabilities and m checked by the caller.
 */
static __always_inline struct thread *reply_recv_take(struct thread *me, struct endpoint *e,
						      struct reply *rp, struct ipc_msg *m,
						      bool shortm)
{
	struct thread *c = rp->caller;

	if (unlikely(!c || e->dead || (!e->receivers && e->wq.head) ||
		     !sched_can_switch_ipc(me, c)))
		return NULL;
	rp->caller = NULL;
	waitq_pop(&rp->wq);
	transfer_fast(me, m, shortm, c, c->ipc_msg);
	c->ipc_result = E_OK;
	rp->owner = me;
	me->ipc_reply = rp;
	e->receivers = true;
	me->ipc_op = IPC_RECV;
	me->ipc_msg = m;
	waitq_add(&e->wq, me);
	return c;
}

/* The capability checks of reply_recv (cap_lock held): the endpoint, and a reply object
 * that no other receive offered. */
static __always_inline kerr_t reply_recv_caps(struct cspace *cs, uint32_t ep, uint32_t reply,
					      struct cap_slot **es, struct cap_slot **rs)
{
	kerr_t err = cap_check_locked(cs, ep, OBJ_ENDPOINT, CAP_R_RECV, es);

	if (likely(err == E_OK))
		err = cap_check_locked(cs, reply, OBJ_REPLY, CAP_R_SEND, rs);
	if (likely(err == E_OK) && reply_of(*rs)->owner)
		err = E_EXISTS;                 /* another receive offered it */
	return err;
}

#endif
