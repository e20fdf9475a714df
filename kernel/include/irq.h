/*
 * IRQ-line objects (DESIGN.md §5, §6): one interrupt line (an I/O APIC input, a GSI)
 * that a driver holds through a capability with CAP_R_CONTROL. The line delivers its
 * interrupts as bits of a notification it is bound to; the driver acknowledges each
 * delivery to unmask the line again.
 *
 * Delivery: the interrupt handler masks the line at the I/O APIC, ORs the binding's bits
 * into the notification (waking a waiter), and returns; the dispatcher sends the EOI.
 * The line then stays masked until irq_line_ack, so a level-triggered device that still
 * asserts its line cannot storm the CPU before its driver has served it, and at most one
 * delivery is outstanding. A driver's loop is: wait on the notification, serve the
 * device, acknowledge.
 *
 * The bits: a badged notification capability signals its badge, as notify_signal does;
 * an unbadged one signals the non-zero bits given to irq_line_bind. One notification can
 * so serve several lines and tell them apart.
 *
 * One object per line at a time: creating a second is E_EXISTS, as is creating one for
 * a line the kernel uses itself (irq_line_reserve; the kernel console's COM1 receive
 * line) until the kernel hands it over (irq_line_unreserve). The object routes its line
 * to a vector of its own on the creating CPU, masked; binding unmasks it. When its last
 * capability goes, the line is masked and unrouted and the vector freed; the object's
 * memory goes with its last reference.
 *
 * Creation is the kernel's (boot hands the lines to init, issue 7); the operations are
 * what the system calls will call. Lock order: a line's lock, then a notification's
 * lock, then the I/O APIC's; irq_lines guards the table of claimed lines and is a leaf.
 */
#ifndef IRQ_H
#define IRQ_H

#include <cap.h>
#include <spinlock.h>
#include <arch/ioapic.h>

struct notification;

struct irq_line {
	struct kobj obj;
	uint32_t gsi;                   /* [I] */
	unsigned vector;                /* [I] after creation */
	struct spinlock lock;           /* guards the fields below */
	struct notification *notif;     /* [lock] bound to, with a reference; or NULL */
	uint64_t bits;                  /* [lock] what a delivery signals */
	bool pending;                   /* [lock] delivered, masked, not yet acknowledged */
	bool dead;                      /* [lock] the last capability is gone */
	uint64_t delivered;             /* [a] interrupts delivered (statistics, tests) */
	struct irq_line *next;          /* [irq_lines] the table of claimed lines */
};

/* Boot: register the type's operations. */
void irq_line_init(void);

/*
 * A new IRQ-line object for gsi with the given polarity and trigger mode, charged to q,
 * with one reference for the caller (who gives it a first capability with
 * cap_insert_root and then kobj_put()s it). Masked and unbound. E_RANGE: no I/O APIC
 * serves gsi; E_EXISTS: an object or the kernel holds the line; E_NO_MEMORY: the quota
 * or the heap cannot pay, or no vector is free.
 */
kerr_t irq_line_create(struct quota *q, uint32_t gsi, enum irq_polarity pol,
		       enum irq_trigger trig, struct irq_line **out);
/* The same for an ISA IRQ (0-15, else E_RANGE): its GSI, polarity and trigger mode from
 * the MADT's interrupt source overrides (irq_isa_to_gsi). */
kerr_t irq_line_create_isa(struct quota *q, unsigned isa_irq, struct irq_line **out);

/* The kernel uses gsi itself: no object may be made for it (E_EXISTS if one exists or
 * it is already reserved). unreserve hands it over: objects may be made from then on. */
kerr_t irq_line_reserve(uint32_t gsi);
void irq_line_unreserve(uint32_t gsi);

/*
 * Through capabilities in cs. Every operation needs CAP_R_CONTROL on the IRQ capability
 * and checks it first (cap.h: E_RANGE, E_NOT_FOUND, E_TYPE, E_PERM); E_DELETED if the
 * line's last capability went meanwhile.
 *
 * bind: deliver to the notification in notif_slot, which needs CAP_R_SIGNAL (checked
 * second, same errors). Its badge is signalled if it has one, else bits, which must then
 * be non-zero (E_INVAL). Replaces an earlier binding; unmasks the line unless a delivery
 * waits for its acknowledgement. The line holds a reference to the notification while
 * bound, so a delivery never touches freed memory.
 * unbind: mask the line and drop the binding (E_OK if there was none).
 * ack: the driver has served the last delivery: unmask the line if it is bound.
 */
kerr_t irq_line_bind(struct cspace *cs, uint32_t irq_slot, uint32_t notif_slot,
		     uint64_t bits);
kerr_t irq_line_unbind(struct cspace *cs, uint32_t irq_slot);
kerr_t irq_line_ack(struct cspace *cs, uint32_t irq_slot);

#endif
