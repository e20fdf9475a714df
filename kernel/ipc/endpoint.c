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
static kerr_t check_msg(struct thread *me, struct cspace *cs, const struct ipc_msg *m)
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
static __noinline void transfer_long(struct thread *s, uint64_t info, struct thread *r, struct ipc_msg *rm)
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
static kerr_t do_send(struct endpoint *e, uint64_t badge, struct ipc_msg *m,
		      uint64_t timeout, bool call, irqflags_t f)
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

static inline struct endpoint *ep_of(struct cap_slot *s)
{
	return container_of(s->obj, struct endpoint, obj);
}

static inline struct reply *reply_of(struct cap_slot *s)
{
	return container_of(s->obj, struct reply, obj);
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

/*
 * call's fast path (DESIGN.md §6): a receiver with a reply object waiting on this CPU
 * at this thread's priority. The message m goes straight into the receiver's, this
 * thread binds itself to the reply object, and sched_switch_ipc runs the receiver at
 * once; true once the call has been answered (or ended), with its result in
 * ipc_result. False, with nothing changed and cap_lock still held, if the endpoint in
 * slot s has no such receiver. cap_lock held, taken with flags f; m checked by the
 * caller (check_msg, unless short_msg says it has nothing to check).
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
static kerr_t do_recv(struct endpoint *e, struct reply *rp, struct ipc_msg *m,
		      uint64_t *badge, uint64_t timeout, struct thread *next, irqflags_t f)
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
static struct thread *answer(struct reply *r, const struct ipc_msg *m)
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

/*
 * reply_recv's fast path: a caller bound to rp, blocked on this CPU at this thread's
 * priority, and no sender waiting on e. The answer m goes
 * straight into the caller's message, this thread queues on e as a receiver offering
 * rp again, and sched_switch_ipc runs the caller at once; true once this thread has
 * received (or its wait ended), with the result in ipc_result and the sender's badge in
 * ipc_badge. False, with nothing changed and cap_lock still held, otherwise. cap_lock
 * held, taken with flags f; the capabilities and m checked by the caller.
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

/* ---- the system-call entry's fast paths ---- */

/*
 * Interrupts are off here, as SYSCALL left them: the general path is entered as if they
 * had been on (the user's state), and they are turned off again for the exit. A killed
 * thread ends before it returns to user mode (usermode.h), with interrupts on as thread
 * exit wants them.
 */
#define USER_IRQ_FLAGS RFLAGS_IF

static __always_inline long fast_result(struct thread *me, kerr_t e)
{
	if (unlikely(__atomic_load_n(&me->killed, __ATOMIC_ACQUIRE))) {
		irq_enable();
		user_thread_exit();
	}
	return e;
}

/* An error: the dispatch's general path says which, and changes nothing either. */
static __always_inline long fast_refused(void)
{
	spin_unlock(&cap_lock);
	return EP_FAST_NO;
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

/* The thread me, in fast path op, blocks (its queues set up, cap_lock held) and next
 * runs. Never returns: me goes on through ep_fast_trampoline or fast_resumed. */
static __always_inline __noreturn void fast_switch(struct thread *me, uint8_t op,
						   struct thread *next)
{
	struct cpu_local *cl = this_cpu();
	uint64_t *saved = (uint64_t *)me->ipc_msg - FRAME_MSG - SAVED_WORDS;

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
		frame[FRAME_RDI] = next->fast_op == IPC_FAST_RECV ? next->ipc_badge : 0;
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
	return fast_result(me, e);
}

long ep_call_fast(uint64_t ep, struct ipc_msg *m)
{
	struct thread *me = thread_current();
	struct cspace *cs = me->proc->cspace;
	bool shortm = short_msg(m->info);
	struct cap_slot *s;
	struct thread *r;

	if (unlikely(ep >> 32))
		return EP_FAST_NO;
	spin_lock(&cap_lock);
	if (unlikely(cap_check_locked(cs, (uint32_t)ep, OBJ_ENDPOINT, CAP_R_SEND, &s) != E_OK ||
		     (!shortm && check_msg(me, cs, m) != E_OK)))
		return fast_refused();
	if (likely((r = call_take(me, s, m, shortm)) != NULL))
		fast_switch(me, IPC_FAST_CALL, r);
	kerr_t e = do_send(ep_of(s), s->badge, m, IPC_FOREVER, true, USER_IRQ_FLAGS);
	irq_disable();
	return fast_result(me, e);
}

long ep_reply_recv_fast(uint64_t ep_reply, struct ipc_msg *m, uint64_t *badge)
{
	struct thread *me = thread_current();
	struct cspace *cs = me->proc->cspace;
	bool shortm = short_msg(m->info);
	uint32_t ep = (uint32_t)ep_reply, reply = (uint32_t)(ep_reply >> 32);
	struct cap_slot *es, *rs;
	struct thread *c;

	if (unlikely(!reply))
		return EP_FAST_NO;
	spin_lock(&cap_lock);
	if (unlikely(reply_recv_caps(cs, ep, reply, &es, &rs) != E_OK ||
		     (!shortm && check_msg(me, cs, m) != E_OK)))
		return fast_refused();
	struct endpoint *e = ep_of(es);
	struct reply *rp = reply_of(rs);
	if (likely((c = reply_recv_take(me, e, rp, m, shortm)) != NULL))
		fast_switch(me, IPC_FAST_RECV, c);
	kerr_t err = do_recv(e, rp, m, badge, IPC_FOREVER, answer(rp, m), USER_IRQ_FLAGS);
	irq_disable();
	return fast_result(me, err);
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
