/*
 * Endpoints and reply objects (endpoint.h).
 *
 * Everything here runs under cap_lock (cap.h), which guards capability slots and the
 * state of IPC objects alike: an operation takes it once, checks its capabilities and
 * its message, does the rendezvous, and releases it as it blocks or returns. Objects
 * found through a capability stay alive while the lock is held, so nothing is reference
 * counted on the way.
 *
 * A thread waiting on an endpoint is on the endpoint's wait queue with ipc_op saying
 * what it waits to do, ipc_msg pointing at its message (on its own kernel stack) and,
 * for a receiver, ipc_reply naming the reply object it offered. Whoever takes a waiting
 * thread off a queue completes the operation for it — copies the message, transfers
 * capabilities, binds a caller to the receiver's reply object or releases that object —
 * and leaves the result in ipc_result before waking it. So a woken thread touches
 * nothing but itself, and an object may be gone by the time it runs. The exception is
 * a wait with a timeout: the thread takes the lock when it wakes and, if it is still
 * queued, removes itself (the timeout won); it holds a reference to the endpoint for
 * that.
 *
 * A reply object is free, reserved by one receiver (owner) while that receiver waits,
 * or bound to one caller (caller), who waits on the reply object's queue for the answer.
 */
#include <endpoint.h>
#include <heap.h>
#include <klib.h>
#include <panic.h>
#include <thread.h>
#include <time.h>
#include <usermode.h>
#include <arch/cpu.h>
#include "ipc_internal.h"


struct kobj *endpoint_kobj(struct endpoint *e)
{
	return &e->obj;
}

struct kobj *reply_kobj(struct reply *r)
{
	return &r->obj;
}

/* ---- objects ---- */

static void wake_with(struct thread *t, kerr_t e)
{
	t->ipc_result = (int8_t)e;
	sched_wake(t);
}

/* A receiver leaves its wait (cap_lock held): its reply object is free again. */
static void release_reply(struct thread *r)
{
	if (r->ipc_reply) {
		r->ipc_reply->owner = NULL;
		r->ipc_reply = NULL;
	}
}

static void endpoint_last_cap(struct kobj *o)
{
	struct endpoint *e = container_of(o, struct endpoint, obj);
	irqflags_t f = spin_lock_irqsave(&cap_lock);

	e->dead = true;
	while (e->wq.head) {
		struct thread *t = waitq_pop(&e->wq);
		release_reply(t);
		wake_with(t, E_DELETED);
	}
	spin_unlock_irqrestore(&cap_lock, f);
}

static void reply_last_cap(struct kobj *o)
{
	struct reply *r = container_of(o, struct reply, obj);
	irqflags_t f = spin_lock_irqsave(&cap_lock);

	if (r->owner) {
		r->owner->ipc_reply = NULL;     /* it receives on, with no reply object */
		r->owner = NULL;
	}
	if (r->caller) {
		waitq_remove(&r->wq, r->caller);
		wake_with(r->caller, E_DELETED);
		r->caller = NULL;
	}
	spin_unlock_irqrestore(&cap_lock, f);
}

static void endpoint_destroy(struct kobj *o)
{
	kfree(container_of(o, struct endpoint, obj));
}

static void reply_destroy(struct kobj *o)
{
	kfree(container_of(o, struct reply, obj));
}

static const struct kobj_ops endpoint_ops = {
	.last_cap = endpoint_last_cap, .destroy = endpoint_destroy,
	/* No capability left that can receive: nobody will ever take a message, so the
	 * endpoint is as dead as with no capability at all. */
	.vital_right = CAP_R_RECV, .last_vital = endpoint_last_cap,
};
static const struct kobj_ops reply_ops = { .last_cap = reply_last_cap, .destroy = reply_destroy };

void endpoint_init(void)
{
	kobj_register_type(OBJ_ENDPOINT, &endpoint_ops);
	kobj_register_type(OBJ_REPLY, &reply_ops);
}

kerr_t endpoint_create(struct quota *q, struct endpoint **out)
{
	struct endpoint *e = kobj_alloc(q, sizeof(*e), OBJ_ENDPOINT);

	if (!e)
		return E_NO_MEMORY;
	waitq_init_guarded(&e->wq, &cap_lock);
	e->receivers = false;
	e->dead = false;
	*out = e;
	return E_OK;
}

kerr_t reply_create(struct quota *q, struct reply **out)
{
	struct reply *r = kobj_alloc(q, sizeof(*r), OBJ_REPLY);

	if (!r)
		return E_NO_MEMORY;
	waitq_init_guarded(&r->wq, &cap_lock);
	r->owner = r->caller = NULL;
	*out = r;
	return E_OK;
}

/* ---- messages (cap_lock held) ---- */

/* Check a message the current thread sends from cs: the info word, that words past
 * the registers and capabilities have a buffer, that every capability exists and may
 * be granted. Changes nothing. */
kerr_t check_msg(struct thread *me, struct cspace *cs, const struct ipc_msg *m)
{
	uint64_t info = m->info;
	unsigned len = ipc_len(info), ncaps = ipc_ncaps(info);

	if (len > IPC_MAX_WORDS || ncaps > IPC_MAX_CAPS || (info & IPC_RESERVED_MASK))
		return E_INVAL;
	if (likely(len <= IPC_REG_WORDS && !ncaps))
		return E_OK;
	if (!me->ipc_buf)
		return E_INVAL;
	for (unsigned i = 0; i < ncaps; i++) {
		struct cap_slot *s;
		kerr_t e = cap_check_locked(cs, me->ipc_buf->caps[i], OBJ_NONE, CAP_R_GRANT, &s);
		if (e != E_OK)
			return e;
	}
	return E_OK;
}

/* Message words, eight bytes at a time: memcpy's rep movsb takes eight times the
 * iterations, each an instruction under QEMU's -icount (docs/PERFORMANCE.md). */
static inline void copy_words(uint64_t *d, const uint64_t *s, size_t n)
{
	__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

/* The words past the registers and the capabilities. A receiver without an IPC buffer
 * gets the register words only, and its info word says so. Out of line: the fast paths
 * stay short for the register-only messages that are most of the traffic. */
__noinline void transfer_long(struct thread *s, uint64_t info, struct thread *r, struct ipc_msg *rm)
{
	unsigned len = ipc_len(info), ncaps = ipc_ncaps(info);
	struct ipc_buffer *sb = s->ipc_buf, *rb = r->ipc_buf;

	if (!rb) {
		rm->info = ipc_info(ipc_label(info), MIN(len, IPC_REG_WORDS), 0);
		return;
	}
	if (len > IPC_REG_WORDS)
		copy_words(&rb->w[IPC_REG_WORDS], &sb->w[IPC_REG_WORDS], len - IPC_REG_WORDS);
	/* Each capability was checked when sent, but may have gone since: then slot 0, as
	 * when the receiver's space is full. */
	for (unsigned i = 0; i < ncaps; i++) {
		uint32_t slot = 0;
		if (cap_transfer_locked(s->proc->cspace, sb->caps[i], r->proc->cspace,
					sb->cap_mask[i], &slot) != E_OK)
			slot = 0;
		rb->caps[i] = slot;
	}
	rm->info = info;
}

/* Deadline for a timeout: 0 for none. */
static uint64_t deadline_of(uint64_t timeout)
{
	if (timeout == IPC_FOREVER)
		return 0;
	uint64_t now = clock_ns();
	return timeout > UINT64_MAX - now ? 0 : now + timeout;
}

/*
 * Block on e's queue (cap_lock held, taken with flags f; released here) until a
 * partner completes the operation, or the deadline passes. Returns the result.
 */
static kerr_t wait_on(struct endpoint *e, struct thread *next, uint64_t deadline,
		      irqflags_t f)
{
	struct thread *me = thread_current();

	if (!deadline) {
		sched_block(&e->wq, next, 0, f);
		return (kerr_t)me->ipc_result;
	}
	kobj_get(&e->obj);              /* it is looked at again after the wait */
	sched_block(&e->wq, next, deadline, f);
	f = spin_lock_irqsave(&cap_lock);
	kerr_t res = (kerr_t)me->ipc_result;
	if (waitq_remove(&e->wq, me)) {
		res = E_TIMEOUT;        /* still queued: nobody came in time */
		release_reply(me);
	}
	spin_unlock_irqrestore(&cap_lock, f);
	kobj_put(&e->obj);
	return res;
}

/* The thread to switch to directly: t if it waits on this CPU, else NULL after waking
 * it normally. */
static inline struct thread *handoff(struct thread *t)
{
	if (t->cpu == arch_cpu_id())
		return t;
	sched_wake(t);
	return NULL;
}

static inline struct cspace *my_cspace(void)
{
	return thread_current()->proc->cspace;
}

/* ---- sending ---- */

/* Send m through e with the sender's badge (cap_lock held, taken with flags f; released
 * here); call then waits for the answer. */
kerr_t do_send(struct endpoint *e, uint64_t badge, struct ipc_msg *m, uint64_t timeout,
	       bool call, irqflags_t f)
{
	struct thread *me = thread_current();

	if (unlikely(e->dead)) {
		spin_unlock_irqrestore(&cap_lock, f);
		return E_DELETED;
	}
	if (e->receivers && e->wq.head) {
		struct thread *r = waitq_pop(&e->wq);
		struct reply *rp = r->ipc_reply;
		transfer(me, m, r, r->ipc_msg);
		r->ipc_badge = badge;
		r->ipc_result = E_OK;
		release_reply(r);
		if (call && rp) {
			/* Bind myself to the receiver's reply object and wait there. */
			rp->caller = me;
			me->ipc_op = IPC_REPLY_WAIT;
			me->ipc_msg = m;
			sched_block(&rp->wq, handoff(r), 0, f);
			return (kerr_t)me->ipc_result;
		}
		sched_wake(r);
		spin_unlock_irqrestore(&cap_lock, f);
		return call ? E_DELETED : E_OK;         /* a call nobody can answer */
	}
	if (timeout == IPC_POLL) {
		spin_unlock_irqrestore(&cap_lock, f);
		return E_WOULD_BLOCK;
	}
	e->receivers = false;
	me->ipc_op = call ? IPC_CALL : IPC_SEND;
	me->ipc_msg = m;
	me->ipc_badge = badge;
	return wait_on(e, NULL, call ? 0 : deadline_of(timeout), f);
}

/* The checks of send and call; on success cap_lock is held (flags *f). */
static kerr_t send_checks(uint32_t ep, const struct ipc_msg *m, struct cap_slot **s,
			  irqflags_t *f)
{
	struct thread *me = thread_current();
	struct cspace *cs = me->proc->cspace;

	*f = spin_lock_irqsave(&cap_lock);
	kerr_t e = cap_check_locked(cs, ep, OBJ_ENDPOINT, CAP_R_SEND, s);
	if (e == E_OK)
		e = check_msg(me, cs, m);
	if (e != E_OK)
		spin_unlock_irqrestore(&cap_lock, *f);
	return e;
}

kerr_t ep_send(uint32_t ep, const struct ipc_msg *m, uint64_t timeout)
{
	struct cap_slot *s;
	irqflags_t f;
	kerr_t e = send_checks(ep, m, &s, &f);

	if (e != E_OK)
		return e;
	return do_send(ep_of(s), s->badge, (struct ipc_msg *)m, timeout, false, f);
}

static __always_inline bool call_handoff(struct thread *me, struct cap_slot *s,
					 struct ipc_msg *m, bool shortm, irqflags_t f)
{
	struct thread *r = call_take(me, s, m, shortm);

	if (!r)
		return false;
	sched_switch_ipc(me, r, &cap_lock, f);
	return true;
}

/* Anything call_handoff cannot take goes through do_send, which still switches directly
 * when it can (sched_block with a next thread). */
kerr_t ep_call(uint32_t ep, struct ipc_msg *m)
{
	struct thread *me = thread_current();
	struct cspace *cs = me->proc->cspace;
	struct cap_slot *s;

	bool shortm = short_msg(m->info);
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	kerr_t e = cap_check_locked(cs, ep, OBJ_ENDPOINT, CAP_R_SEND, &s);
	if (likely(e == E_OK) && !shortm)
		e = check_msg(me, cs, m);
	if (unlikely(e != E_OK)) {
		spin_unlock_irqrestore(&cap_lock, f);
		return e;
	}
	if (likely(call_handoff(me, s, m, shortm, f)))
		return (kerr_t)me->ipc_result;
	return do_send(ep_of(s), s->badge, m, IPC_FOREVER, true, f);
}

/* ---- receiving ---- */

/*
 * Receive through e into m with the reply object rp (free, or NULL), cap_lock held
 * (flags f; released here). next, if not NULL, is a caller reply_recv just answered:
 * run directly if this thread has to wait, else woken.
 */
kerr_t do_recv(struct endpoint *e, struct reply *rp, struct ipc_msg *m, uint64_t *badge,
	       uint64_t timeout, struct thread *next, irqflags_t f)
{
	struct thread *me = thread_current();
	kerr_t res = E_OK;

	if (unlikely(e->dead)) {
		res = E_DELETED;
	} else if (!e->receivers && e->wq.head) {
		struct thread *s = waitq_pop(&e->wq);
		transfer(s, s->ipc_msg, me, m);
		*badge = s->ipc_badge;
		if (s->ipc_op == IPC_CALL && rp) {
			rp->caller = s;
			s->ipc_op = IPC_REPLY_WAIT;
			waitq_add(&rp->wq, s);
		} else {
			wake_with(s, s->ipc_op == IPC_CALL ? E_DELETED : E_OK);
		}
	} else if (timeout == IPC_POLL) {
		res = E_WOULD_BLOCK;
	} else {
		if (rp) {
			rp->owner = me;
			me->ipc_reply = rp;
		}
		e->receivers = true;
		me->ipc_op = IPC_RECV;
		me->ipc_msg = m;
		res = wait_on(e, next ? handoff(next) : NULL, deadline_of(timeout), f);
		if (res == E_OK)
			*badge = me->ipc_badge;
		return res;
	}
	if (next)
		sched_wake(next);
	spin_unlock_irqrestore(&cap_lock, f);
	return res;
}

/* The checks of a receive; on success cap_lock is held (flags *f). A reply slot of 0
 * gives a NULL *rp. */
static kerr_t recv_checks(uint32_t ep, uint32_t reply, struct endpoint **e, struct reply **rp,
			  irqflags_t *f)
{
	struct cspace *cs = my_cspace();
	struct cap_slot *s;

	*f = spin_lock_irqsave(&cap_lock);
	kerr_t err = cap_check_locked(cs, ep, OBJ_ENDPOINT, CAP_R_RECV, &s);
	*rp = NULL;
	if (err == E_OK) {
		*e = ep_of(s);
		if (reply)
			err = cap_check_locked(cs, reply, OBJ_REPLY, CAP_R_SEND, &s);
	}
	if (err == E_OK && reply) {
		*rp = reply_of(s);
		if ((*rp)->owner)
			err = E_EXISTS;         /* another receive offered it */
	}
	if (err != E_OK)
		spin_unlock_irqrestore(&cap_lock, *f);
	return err;
}

kerr_t ep_recv(uint32_t ep, uint32_t reply, struct ipc_msg *m, uint64_t *badge,
	       uint64_t timeout)
{
	struct endpoint *e;
	struct reply *rp;
	irqflags_t f;
	kerr_t err = recv_checks(ep, reply, &e, &rp, &f);

	if (err != E_OK)
		return err;
	if (rp && rp->caller) {
		spin_unlock_irqrestore(&cap_lock, f);
		return E_EXISTS;                /* it still awaits an answer */
	}
	return do_recv(e, rp, m, badge, timeout, NULL, f);
}

/* ---- replying ---- */

/* Deliver m to r's caller and unbind it (cap_lock held); NULL if none is bound. The
 * caller is not woken yet. */
struct thread *answer(struct reply *r, const struct ipc_msg *m)
{
	struct thread *c = r->caller;

	if (c) {
		r->caller = NULL;
		waitq_pop(&r->wq);
		transfer(thread_current(), m, c, c->ipc_msg);
		c->ipc_result = E_OK;
	}
	return c;
}

kerr_t ep_reply(uint32_t reply, const struct ipc_msg *m)
{
	struct thread *me = thread_current();
	struct cspace *cs = me->proc->cspace;
	struct cap_slot *s;

	irqflags_t f = spin_lock_irqsave(&cap_lock);
	kerr_t e = cap_check_locked(cs, reply, OBJ_REPLY, CAP_R_SEND, &s);
	if (e == E_OK)
		e = check_msg(me, cs, m);
	if (e == E_OK) {
		struct thread *c = answer(reply_of(s), m);
		if (c)
			sched_wake(c);
		else
			e = E_NOT_FOUND;
	}
	spin_unlock_irqrestore(&cap_lock, f);
	return e;
}

static __always_inline bool reply_recv_handoff(struct thread *me, struct endpoint *e,
					       struct reply *rp, struct ipc_msg *m, bool shortm,
					       irqflags_t f)
{
	struct thread *c = reply_recv_take(me, e, rp, m, shortm);

	if (!c)
		return false;
	sched_switch_ipc(me, c, &cap_lock, f);
	return true;
}

/* Anything reply_recv_handoff cannot take: answer, then do_recv. */
kerr_t ep_reply_recv(uint32_t ep, uint32_t reply, struct ipc_msg *m, uint64_t *badge)
{
	struct thread *me = thread_current();
	struct cspace *cs = me->proc->cspace;
	struct cap_slot *es, *rs;

	if (unlikely(!reply))
		return E_INVAL;         /* a server loop needs a reply object */
	bool shortm = short_msg(m->info);
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	kerr_t err = reply_recv_caps(cs, ep, reply, &es, &rs);
	if (likely(err == E_OK) && !shortm)
		err = check_msg(me, cs, m);
	if (unlikely(err != E_OK)) {
		spin_unlock_irqrestore(&cap_lock, f);
		return err;
	}
	struct endpoint *e = ep_of(es);
	struct reply *rp = reply_of(rs);
	if (likely(reply_recv_handoff(me, e, rp, m, shortm, f))) {
		if (likely(me->ipc_result == E_OK))
			*badge = me->ipc_badge;
		return (kerr_t)me->ipc_result;
	}
	return do_recv(e, rp, m, badge, IPC_FOREVER, answer(rp, m), f);
}

bool ipc_cancel(struct thread *t)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	struct waitq *q = t->waiting_on;
	/* Only queues cap_lock guards are IPC waits (a thread joining another waits on
	 * an exit queue with its own lock, and is left alone). */
	bool ipc = q && q->guard == &cap_lock;

	if (ipc) {
		waitq_remove(q, t);
		if (t->ipc_op == IPC_RECV)
			release_reply(t);
		else if (t->ipc_op == IPC_REPLY_WAIT)
			container_of(q, struct reply, wq)->caller = NULL;
		wake_with(t, E_CANCELED);
	}
	spin_unlock_irqrestore(&cap_lock, f);
	return ipc;
}
