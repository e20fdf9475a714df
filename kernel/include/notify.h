/*
 * Notifications (DESIGN.md §6): a 64-bit word of pending bits. signal ORs bits in and
 * never blocks; wait blocks until the word is non-zero, then returns it and clears it;
 * poll returns and clears without blocking. They are how interrupts (IRQ capabilities)
 * and asynchronous events reach user threads.
 *
 * Signalling through a badged capability ORs in the badge, and only the badge: the
 * waiter learns which capability holders signalled, and a holder of a badged
 * capability cannot pretend to be another. An unbadged capability ORs in the bits the
 * caller gives.
 *
 * When the last capability to a notification goes, threads waiting on it return
 * E_DELETED.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <cap.h>
#include <sched.h>

struct notification {
	struct kobj obj;
	struct waitq wq;                /* [cap_lock] waiters */
	uint64_t word;                  /* [cap_lock] pending bits */
	bool dead;                      /* [cap_lock] the last capability is gone */
};

/* Boot: register the type's operations. */
void notify_init(void);

/* A new notification, charged to q, with one reference for the caller (who usually
 * gives it a first capability with cap_insert_root and then kobj_put()s it). */
kerr_t notification_create(struct quota *q, struct notification **out);

/* The object-level signal, for kernel sources. Safe in interrupt handlers (IRQ
 * delivery calls it): the lock is always taken with interrupts off, and waking a thread
 * from a handler only marks a preemption, taken when the outermost handler exits. */
void notification_signal(struct notification *n, uint64_t bits);

/*
 * Through a capability. Errors from the lookup (cap.h: E_RANGE, E_NOT_FOUND, E_TYPE,
 * E_PERM), and: signal needs CAP_R_SIGNAL and returns E_INVAL for an unbadged signal of
 * no bits; wait and poll need CAP_R_WAIT; wait returns E_DELETED if the notification's
 * last capability goes while it waits.
 */
kerr_t notify_signal(struct cspace *cs, uint32_t slot, uint64_t bits);
kerr_t notify_wait(struct cspace *cs, uint32_t slot, uint64_t *bits);
kerr_t notify_poll(struct cspace *cs, uint32_t slot, uint64_t *bits);

/*
 * The system-call entry's fast paths for signal and wait (syscall_entry.S; their
 * contract: usermode.h): notify_signal and notify_wait of the calling thread's space,
 * slot the user's whole rdi, the word into *bits. A wait that has to block blocks
 * here.
 */
long notify_signal_fast(uint64_t slot, uint64_t bits);
long notify_wait_fast(uint64_t slot, uint64_t *bits);

#endif
