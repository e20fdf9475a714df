/*
 * IRQ-line objects (irq.h). The vector and the I/O APIC routing are arch services
 * (arch/trap.h, arch/ioapic.h); this file owns which lines are claimed, the binding to
 * a notification, and the mask state that acknowledgement drives.
 *
 * The line is unmasked exactly when the object is alive, bound, and no delivery waits
 * for its acknowledgement; every change of those three happens under the line's lock
 * together with the mask write, so the I/O APIC entry always matches them.
 */
#include <irq.h>
#include <heap.h>
#include <klib.h>
#include <notify.h>
#include <panic.h>
#include <arch/lapic.h>
#include <arch/trap.h>

#define IRQ_RESERVED_MAX 8

/* The claimed lines: objects' and the kernel's. A leaf: nothing is taken under it. */
static struct spinlock lines_lock = SPINLOCK_INIT("irq_lines");
static struct irq_line *lines;                  /* [irq_lines] live objects */
static uint32_t reserved[IRQ_RESERVED_MAX];     /* [irq_lines] the kernel's lines */
static unsigned nreserved;                      /* [irq_lines] */

/* ---- the table of claimed lines ---- */

/* lines_lock held. */
static bool claimed(uint32_t gsi)
{
	for (unsigned i = 0; i < nreserved; i++)
		if (reserved[i] == gsi)
			return true;
	for (struct irq_line *l = lines; l; l = l->next)
		if (l->gsi == gsi)
			return true;
	return false;
}

static kerr_t claim(struct irq_line *l)
{
	irqflags_t f = spin_lock_irqsave(&lines_lock);
	kerr_t e = claimed(l->gsi) ? E_EXISTS : E_OK;

	if (e == E_OK) {
		l->next = lines;
		lines = l;
	}
	spin_unlock_irqrestore(&lines_lock, f);
	return e;
}

/* Remove l from the table if it is there (a failed creation never entered it). */
static void unclaim(struct irq_line *l)
{
	irqflags_t f = spin_lock_irqsave(&lines_lock);

	for (struct irq_line **pp = &lines; *pp; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	spin_unlock_irqrestore(&lines_lock, f);
}

kerr_t irq_line_reserve(uint32_t gsi)
{
	irqflags_t f = spin_lock_irqsave(&lines_lock);
	kerr_t e = E_OK;

	if (claimed(gsi))
		e = E_EXISTS;
	else if (nreserved == IRQ_RESERVED_MAX)
		e = E_NO_MEMORY;
	else
		reserved[nreserved++] = gsi;
	spin_unlock_irqrestore(&lines_lock, f);
	return e;
}

void irq_line_unreserve(uint32_t gsi)
{
	irqflags_t f = spin_lock_irqsave(&lines_lock);

	for (unsigned i = 0; i < nreserved; i++)
		if (reserved[i] == gsi) {
			reserved[i] = reserved[--nreserved];
			break;
		}
	spin_unlock_irqrestore(&lines_lock, f);
}

/* ---- delivery ---- */

/*
 * Interrupts are off. Masking before the dispatcher's EOI keeps a level-triggered line
 * that is still asserted from firing again at once. The signal happens under the line's
 * lock, so the notification cannot be unbound and freed under it.
 */
static void line_irq(struct trap_frame *f, void *arg)
{
	struct irq_line *l = arg;

	spin_lock(&l->lock);
	ioapic_set_masked(l->gsi, true);
	/* Unbound, the line was masked already: an interrupt that was on its way when
	 * unbind masked it. Dropping it is right, as a driver that binds again will see
	 * a level-triggered device that still wants service at once. */
	if (l->notif && !l->dead) {
		l->pending = true;
		notification_signal(l->notif, l->bits);
		__atomic_fetch_add(&l->delivered, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&l->lock);
}

/* ---- lifetime ---- */

/*
 * Give the line back: masked, its handler gone (irq_clear_handler waits for a handler
 * running on another CPU, so nothing touches l after it), unrouted, and free for a new
 * object. Runs when the last capability goes, and from destroy for an object that never
 * had one (a creation that failed half-way, or a creator that dropped it); the second
 * call does nothing.
 */
static void release(struct irq_line *l)
{
	irqflags_t f = spin_lock_irqsave(&l->lock);
	bool first = !l->dead;
	struct notification *n = l->notif;

	l->dead = true;
	l->notif = NULL;
	l->pending = false;
	if (first && l->vector)
		ioapic_set_masked(l->gsi, true);
	spin_unlock_irqrestore(&l->lock, f);
	if (!first)
		return;
	if (l->vector) {
		irq_clear_handler(l->vector);
		ioapic_unroute(l->gsi);
	}
	unclaim(l);
	if (n)
		kobj_put(&n->obj);
}

static void last_cap(struct kobj *o)
{
	release(container_of(o, struct irq_line, obj));
}

static void destroy(struct kobj *o)
{
	struct irq_line *l = container_of(o, struct irq_line, obj);

	release(l);
	kfree(l);
}

static const struct kobj_ops irq_line_ops = { .last_cap = last_cap, .destroy = destroy };

void irq_line_init(void)
{
	kobj_register_type(OBJ_IRQ, &irq_line_ops);
}

kerr_t irq_line_create(struct quota *q, uint32_t gsi, enum irq_polarity pol,
		       enum irq_trigger trig, struct irq_line **out)
{
	if (!ioapic_serves(gsi))
		return E_RANGE;
	struct irq_line *l = kobj_alloc(q, sizeof(*l), OBJ_IRQ);

	if (!l)
		return E_NO_MEMORY;
	l->gsi = gsi;
	spin_init(&l->lock, "irq_line");

	/* From here a failure is undone by the last kobj_put: destroy releases whatever
	 * was claimed, allocated and routed. */
	kerr_t e = claim(l);
	if (e != E_OK)
		goto out_put;
	l->vector = irq_alloc_handler(line_irq, l);
	if (!l->vector) {
		e = E_NO_MEMORY;
		goto out_put;
	}
	/* Delivered to this CPU; every line the same way keeps routing simple until
	 * interrupt balancing is needed. */
	e = ioapic_route(gsi, l->vector, lapic_id(), pol, trig);
	if (e != E_OK)
		goto out_put;
	*out = l;
	return E_OK;

out_put:
	kobj_put(&l->obj);
	return e;
}

kerr_t irq_line_create_isa(struct quota *q, unsigned isa_irq, struct irq_line **out)
{
	enum irq_polarity pol;
	enum irq_trigger trig;

	if (isa_irq >= 16)
		return E_RANGE;
	uint32_t gsi = irq_isa_to_gsi((uint8_t)isa_irq, &pol, &trig);
	return irq_line_create(q, gsi, pol, trig, out);
}

/* ---- operations through capabilities ---- */

/* The IRQ capability in slot, with CAP_R_CONTROL; *c holds a reference. */
static kerr_t lookup(struct cspace *cs, uint32_t slot, struct cap *c, struct irq_line **l)
{
	kerr_t e = cap_lookup(cs, slot, OBJ_IRQ, CAP_R_CONTROL, c);

	if (e == E_OK)
		*l = container_of(c->obj, struct irq_line, obj);
	return e;
}

kerr_t irq_line_bind(struct cspace *cs, uint32_t irq_slot, uint32_t notif_slot,
		     uint64_t bits)
{
	struct cap ic, nc;
	struct irq_line *l;
	kerr_t e = lookup(cs, irq_slot, &ic, &l);

	if (e != E_OK)
		return e;
	e = cap_lookup(cs, notif_slot, OBJ_NOTIFICATION, CAP_R_SIGNAL, &nc);
	if (e != E_OK)
		goto out_irq;
	if (nc.badge)
		bits = nc.badge;
	else if (!bits) {
		e = E_INVAL;
		goto out_notif;
	}

	irqflags_t f = spin_lock_irqsave(&l->lock);
	struct notification *old = l->notif;
	if (l->dead) {
		spin_unlock_irqrestore(&l->lock, f);
		e = E_DELETED;
		goto out_notif;
	}
	/* The lookup's reference becomes the binding's. */
	l->notif = container_of(nc.obj, struct notification, obj);
	l->bits = bits;
	if (!l->pending)
		ioapic_set_masked(l->gsi, false);
	spin_unlock_irqrestore(&l->lock, f);
	if (old)
		kobj_put(&old->obj);
	kobj_put(ic.obj);
	return E_OK;

out_notif:
	kobj_put(nc.obj);
out_irq:
	kobj_put(ic.obj);
	return e;
}

/*
 * unbind and ack: change(l) runs under the line's lock if the line is alive, and returns
 * the notification the line let go of, if any, whose reference is dropped after the
 * lock is released (the put may free it).
 */
static kerr_t change_line(struct cspace *cs, uint32_t slot,
			  struct notification *(*change)(struct irq_line *l))
{
	struct cap c;
	struct irq_line *l;
	struct notification *n = NULL;
	kerr_t e = lookup(cs, slot, &c, &l);

	if (e != E_OK)
		return e;
	irqflags_t f = spin_lock_irqsave(&l->lock);
	if (l->dead)
		e = E_DELETED;
	else
		n = change(l);
	spin_unlock_irqrestore(&l->lock, f);
	if (n)
		kobj_put(&n->obj);
	kobj_put(c.obj);
	return e;
}

static struct notification *unbind(struct irq_line *l)
{
	struct notification *n = l->notif;

	l->notif = NULL;
	ioapic_set_masked(l->gsi, true);
	return n;
}

static struct notification *ack(struct irq_line *l)
{
	l->pending = false;
	if (l->notif)
		ioapic_set_masked(l->gsi, false);
	return NULL;
}

kerr_t irq_line_unbind(struct cspace *cs, uint32_t irq_slot)
{
	return change_line(cs, irq_slot, unbind);
}

kerr_t irq_line_ack(struct cspace *cs, uint32_t irq_slot)
{
	return change_line(cs, irq_slot, ack);
}
