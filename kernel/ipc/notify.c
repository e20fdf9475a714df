/*
 * Notifications (notify.h). The state is guarded by cap_lock, like every IPC object's:
 * a signal looks up its capability and delivers under one lock. A signal that finds a
 * waiter hands it the whole word and wakes it, so a woken waiter never touches the
 * notification again (it may be gone by then).
 */
#include <notify.h>
#include <usermode.h>
#include <heap.h>
#include <panic.h>
#include <thread.h>

static void last_cap(struct kobj *o)
{
	struct notification *n = container_of(o, struct notification, obj);
	irqflags_t f = spin_lock_irqsave(&cap_lock);

	n->dead = true;
	while (n->wq.head) {
		struct thread *t = waitq_pop(&n->wq);
		t->ipc_result = E_DELETED;
		sched_wake(t);
	}
	spin_unlock_irqrestore(&cap_lock, f);
}

static void destroy(struct kobj *o)
{
	kfree(container_of(o, struct notification, obj));
}

static const struct kobj_ops notification_ops = { .last_cap = last_cap, .destroy = destroy };

void notify_init(void)
{
	kobj_register_type(OBJ_NOTIFICATION, &notification_ops);
}

kerr_t notification_create(struct quota *q, struct notification **out)
{
	struct notification *n = kobj_alloc(q, sizeof(*n), OBJ_NOTIFICATION);

	if (!n)
		return E_NO_MEMORY;
	waitq_init_guarded(&n->wq, &cap_lock);
	n->word = 0;
	n->dead = false;
	*out = n;
	return E_OK;
}

/* OR bits in (cap_lock held): the first waiter, if any, takes the word and wakes. */
static void deliver(struct notification *n, uint64_t bits)
{
	uint64_t word = n->word | bits;

	if (n->wq.head) {
		struct thread *t = waitq_pop(&n->wq);
		t->ipc_badge = word;
		t->ipc_result = E_OK;
		n->word = 0;
		sched_wake(t);
	} else {
		n->word = word;
	}
}

static inline struct notification *notification_of(struct cap_slot *s)
{
	return container_of(s->obj, struct notification, obj);
}

void notification_signal(struct notification *n, uint64_t bits)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);

	deliver(n, bits);
	spin_unlock_irqrestore(&cap_lock, f);
}

/* A signal through the capability in s (cap_lock held, the right checked): its badge,
 * if it has one, is the bits; no bits at all is E_INVAL, changing nothing. */
static __always_inline kerr_t signal_through(struct cap_slot *s, uint64_t bits)
{
	if (s->badge)
		bits = s->badge;
	if (!bits)
		return E_INVAL;
	deliver(notification_of(s), bits);
	return E_OK;
}

kerr_t notify_signal(struct cspace *cs, uint32_t slot, uint64_t bits)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	struct cap_slot *s;
	kerr_t e = cap_check_locked(cs, slot, OBJ_NOTIFICATION, CAP_R_SIGNAL, &s);

	if (e == E_OK)
		e = signal_through(s, bits);
	spin_unlock_irqrestore(&cap_lock, f);
	return e;
}

/* wait and poll of n (cap_lock held, taken with flags f: released here): take the
 * word, blocking until it is non-zero if block. The signaller or the last capability's
 * deletion completes a wait. */
static __always_inline kerr_t take_from(struct notification *n, uint64_t *bits, bool block,
					irqflags_t f)
{
	if (n->word || !block) {
		*bits = n->word;
		n->word = 0;
		spin_unlock_irqrestore(&cap_lock, f);
		return E_OK;
	}
	struct thread *me = thread_current();
	me->ipc_op = IPC_NOTIFY_WAIT;
	sched_block(&n->wq, NULL, 0, f);
	*bits = me->ipc_result == E_OK ? me->ipc_badge : 0;
	return (kerr_t)me->ipc_result;
}

static kerr_t take(struct cspace *cs, uint32_t slot, uint64_t *bits, bool block)
{
	irqflags_t f = spin_lock_irqsave(&cap_lock);
	struct cap_slot *s;
	kerr_t e = cap_check_locked(cs, slot, OBJ_NOTIFICATION, CAP_R_WAIT, &s);

	if (e != E_OK) {
		spin_unlock_irqrestore(&cap_lock, f);
		return e;
	}
	return take_from(notification_of(s), bits, block, f);
}

kerr_t notify_wait(struct cspace *cs, uint32_t slot, uint64_t *bits)
{
	return take(cs, slot, bits, true);
}

kerr_t notify_poll(struct cspace *cs, uint32_t slot, uint64_t *bits)
{
	return take(cs, slot, bits, false);
}

/* ---- the system-call entry's fast paths ---- */

long notify_signal_fast(uint64_t slot, uint64_t bits)
{
	struct thread *me = thread_current();
	struct cap_slot *s;

	spin_lock(&cap_lock);
	s = cap_lookup_fast(me->proc->cspace, slot, OBJ_NOTIFICATION, CAP_R_SIGNAL);
	if (unlikely(!s || signal_through(s, bits) != E_OK)) {
		spin_unlock(&cap_lock);
		return SYSCALL_FAST_NO;
	}
	spin_unlock(&cap_lock);
	return user_fast_return(me, E_OK);
}

/* Interrupts are off and stay off (flags 0): a wait that blocks comes back with them
 * off, as the entry returns. */
long notify_wait_fast(uint64_t slot, uint64_t *bits)
{
	struct thread *me = thread_current();
	struct cap_slot *s;

	spin_lock(&cap_lock);
	s = cap_lookup_fast(me->proc->cspace, slot, OBJ_NOTIFICATION, CAP_R_WAIT);
	if (unlikely(!s)) {
		spin_unlock(&cap_lock);
		return SYSCALL_FAST_NO;
	}
	return user_fast_return(me, take_from(notification_of(s), bits, true, 0));
}
