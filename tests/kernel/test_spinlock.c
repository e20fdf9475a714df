/*
 * The two ways a held spinlock is waited for (spinlock.h), each forced for the test
 * whatever this machine uses: in ticket order, the waiters get the lock in the order
 * they came; first come, a waiter takes no ticket, so a waiter the host does not run
 * holds up nobody; and the two mix on one lock, a first-come waiter never taking it
 * ahead of a ticket already out. Threads pinned to two other CPUs wait while this one
 * holds the lock.
 */
#include <ktest.h>
#include "settle.h"
#include <spinlock.h>
#include <sched.h>
#include <thread.h>
#include <time.h>
#include <arch/cpu.h>
#include <arch/smp.h>

#define WAIT_NS 2000000000ull

struct lock_race {
	struct spinlock lock;
	volatile bool go[2];            /* waiter i may go for the lock */
	volatile bool at_lock[2];       /* waiter i is at it, interrupts off */
	volatile unsigned order[2];     /* who took it first, second */
	volatile unsigned taken;
};

struct lock_waiter {
	struct lock_race *r;
	unsigned id;
};

static void lock_waiter(void *arg)
{
	struct lock_waiter *w = arg;
	struct lock_race *r = w->r;

	while (!r->go[w->id])
		sched_sleep_ns(100000);
	irqflags_t f = irq_save();
	r->at_lock[w->id] = true;
	spin_lock(&r->lock);
	r->order[r->taken++] = w->id;
	spin_unlock(&r->lock);
	irq_restore(f);
}

/* Until cond holds or ns pass, answering what other CPUs ask of a spinning one. */
#define SPIN_UNTIL(cond, ns)                                                        \
	do {                                                                        \
		uint64_t end_ = clock_ns() + (ns);                                  \
		while (!(cond) && clock_ns() < end_)                                \
			arch_spin_relax();                                          \
	} while (0)

/*
 * Hold the lock while waiter 0, then waiter 1, comes to it, each waiting in the way
 * fifo[i] says; hand back what each saw (next - serving once it was at the lock) and
 * the order they took it in. This thread stays on its CPU meanwhile: were it moved
 * onto a waiter's CPU, it would hold the lock there with interrupts off while the
 * waiter waited to run.
 */
static bool race(const bool fifo[2], uint32_t out[2], unsigned order[2])
{
	static struct lock_race r;
	static struct lock_waiter w[2];
	bool machine = spin_fifo;
	struct thread *self = thread_current(), *t[2];
	uint64_t affinity = self->affinity;

	settle_all_threads();
	unsigned me = arch_cpu_id(), n = sched_cpu_count();
	sched_set_affinity(self, 1ull << me);
	r = (struct lock_race){ .taken = 0 };
	spin_init(&r.lock, "race");
	for (unsigned i = 0; i < 2; i++)
		w[i] = (struct lock_waiter){ &r, i };
	if (!make_pinned_pair(t, "waiter", lock_waiter, &w[0], (me + 1) % n,
			      "waiter", lock_waiter, &w[1], (me + 2) % n)) {
		sched_set_affinity(self, affinity);
		return false;
	}
	thread_launch(t[0]);
	thread_launch(t[1]);
	irqflags_t f = spin_lock_irqsave(&r.lock);
	uint32_t tickets = 1;                   /* the holder's */
	for (unsigned i = 0; i < 2; i++) {
		__atomic_store_n(&spin_fifo, fifo[i], __ATOMIC_SEQ_CST);
		r.go[i] = true;
		SPIN_UNTIL(r.at_lock[i], WAIT_NS);
		/* In ticket order, until it has one; first come there is nothing to see, so
		 * give it 2 ms to take one if it were going to. */
		if (fifo[i])
			tickets++;
		SPIN_UNTIL((__atomic_load_n(&r.lock.next, __ATOMIC_ACQUIRE) ==
			    r.lock.serving + tickets) == fifo[i], fifo[i] ? WAIT_NS : 2000000);
		out[i] = __atomic_load_n(&r.lock.next, __ATOMIC_ACQUIRE) - r.lock.serving;
	}
	spin_unlock_irqrestore(&r.lock, f);
	thread_join(t[0]);
	thread_join(t[1]);
	__atomic_store_n(&spin_fifo, machine, __ATOMIC_SEQ_CST);
	sched_set_affinity(self, affinity);
	order[0] = r.order[0];
	order[1] = r.order[1];
	return r.taken == 2;
}

/* Race two waiters the given ways (needs three CPUs) and check what each saw: want[i],
 * next - serving once waiter i was at the lock; then, in_order, that waiter 0 took the
 * lock first, else only that both took it, in either order. */
static void expect_race(bool fifo0, bool fifo1, uint32_t want0, uint32_t want1,
			bool in_order)
{
	const bool fifo[2] = { fifo0, fifo1 };
	uint32_t out[2];
	unsigned order[2];

	if (sched_cpu_count() < 3) {
		ktest_skip("needs three CPUs");
		return;
	}
	KT_ASSERT(race(fifo, out, order));
	KT_EXPECT_EQ(out[0], want0);
	KT_EXPECT_EQ(out[1], want1);
	if (in_order) {
		KT_EXPECT_EQ(order[0], 0);
		KT_EXPECT_EQ(order[1], 1);
	} else {
		KT_EXPECT(order[0] != order[1]);
	}
}

/* Each waiter gets a ticket after the holder's, and the lock in that order. */
KTEST(spinlock, ticket_order_serves_waiters_as_they_came)
{
	expect_race(true, true, 2, 3, true);
}

/* Only the holder's ticket is ever out. */
KTEST(spinlock, first_come_waiters_take_no_ticket)
{
	expect_race(false, false, 1, 1, false);
}

/* The two ways on one lock: a first-come waiter cannot take it while a ticket is out,
 * so the ticket holder, who came first, gets it first; and it takes no ticket. */
KTEST(spinlock, ticket_and_first_come_waiters_mix)
{
	expect_race(true, false, 2, 2, true);
}
