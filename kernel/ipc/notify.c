/* Notifications (notify.h). */
#include <notify.h>
#include <heap.h>
#include <panic.h>

static void last_cap(struct kobj *o)
{
	struct notification *n = container_of(o, struct notification, obj);
	irqflags_t f = spin_lock_irqsave(&n->wq.lock);

	n->dead = true;
	waitq_wake_all(&n->wq);
	spin_unlock_irqrestore(&n->wq.lock, f);
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
	if (quota_charge(q, sizeof(struct notification)) != E_OK)
		return E_NO_MEMORY;
	struct notification *n = kmalloc(sizeof(*n));
	if (!n) {
		quota_credit(q, sizeof(struct notification));
		return E_NO_MEMORY;
	}
	kobj_init(&n->obj, OBJ_NOTIFICATION, q, sizeof(struct notification));
	waitq_init(&n->wq, "notification");
	n->word = 0;
	n->dead = false;
	*out = n;
	return E_OK;
}

void notification_signal(struct notification *n, uint64_t bits)
{
	irqflags_t f = spin_lock_irqsave(&n->wq.lock);

	n->word |= bits;
	/* One waiter takes the whole word; waking more would only wake them to find it
	 * cleared. */
	waitq_wake_one(&n->wq);
	spin_unlock_irqrestore(&n->wq.lock, f);
}

kerr_t notify_signal(struct cspace *cs, uint32_t slot, uint64_t bits)
{
	struct cap c;
	kerr_t e = cap_lookup(cs, slot, OBJ_NOTIFICATION, CAP_R_SIGNAL, &c);

	if (e != E_OK)
		return e;
	if (c.badge)
		bits = c.badge;
	if (bits)
		notification_signal(container_of(c.obj, struct notification, obj), bits);
	else
		e = E_INVAL;
	kobj_put(c.obj);
	return e;
}

/* wait and poll: take the word, blocking until it is non-zero if block. */
static kerr_t take(struct cspace *cs, uint32_t slot, uint64_t *bits, bool block)
{
	struct cap c;
	kerr_t e = cap_lookup(cs, slot, OBJ_NOTIFICATION, CAP_R_WAIT, &c);

	if (e != E_OK)
		return e;
	struct notification *n = container_of(c.obj, struct notification, obj);
	irqflags_t f = spin_lock_irqsave(&n->wq.lock);
	while (block && !n->word && !n->dead) {
		waitq_block(&n->wq, f);
		f = spin_lock_irqsave(&n->wq.lock);
	}
	if (block && !n->word)
		e = E_DELETED;
	*bits = n->word;
	n->word = 0;
	spin_unlock_irqrestore(&n->wq.lock, f);
	kobj_put(c.obj);
	return e;
}

kerr_t notify_wait(struct cspace *cs, uint32_t slot, uint64_t *bits)
{
	return take(cs, slot, bits, true);
}

kerr_t notify_poll(struct cspace *cs, uint32_t slot, uint64_t *bits)
{
	return take(cs, slot, bits, false);
}
