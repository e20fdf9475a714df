/*
 * IRQ-safe ticket spinlocks.
 *
 * A lock records the CPU that holds it, which makes taking a lock the same CPU already
 * holds a panic ("recursive lock") instead of a silent deadlock, and lets code assert
 * that the caller holds a lock (spin_assert_held). The holder is recorded and both
 * checks are made in debug builds (the default, and what the tests run); the DEBUG=0
 * build that benchmarks measure leaves them out of the hot paths.
 *
 * Lock order: each lock's definition says where it stands in the order. The global
 * order is written in docs/ARCHITECTURE.md ("Locks").
 *
 * A free lock is taken with one compare-and-swap of its next ticket. A CPU that finds it
 * held waits (spin_lock_contended) in one of two ways, chosen at boot:
 *   - on a bare machine (spin_fifo), for its own ticket: FIFO-fair, so no CPU starves
 *     under contention;
 *   - on a hypervisor, until it sees the lock free, and then tries to take it: the
 *     waiter whose turn it would be may be a virtual CPU the host is not running, and
 *     FIFO order would make every other waiter wait for the host too
 *     (arch/x86_64/hypervisor.c). Such a waiter may be overtaken any number of
 *     times: the price of that choice.
 * The two ways mix safely on one lock: a first-come waiter takes it only when no
 * ticket is out, so it never jumps ahead of a ticket waiter.
 *
 * Spinning runs arch_spin_relax(), which also answers work other CPUs wait for (TLB
 * shootdowns, frame-cache drains): a CPU spinning with interrupts off cannot take their
 * IPIs, and must not make them wait forever.
 */
#ifndef SPINLOCK_H
#define SPINLOCK_H

#include <types.h>
#include <arch/cpu.h>
#include <arch/smp.h>

#define SPIN_NO_HOLDER 0xffffffffu

#if defined(MNOS_DEBUG) && MNOS_DEBUG == 0
#define SPIN_CHECKS 0
#else
#define SPIN_CHECKS 1
#endif

struct spinlock {
	uint32_t next;          /* [a] next ticket to hand out */
	uint32_t serving;       /* [a] ticket now holding the lock */
	uint32_t holder;        /* [a] CPU that holds it, SPIN_NO_HOLDER when free */
	const char *name;       /* [I] for diagnostics */
};

#define SPINLOCK_INIT(n) { .next = 0, .serving = 0, .holder = SPIN_NO_HOLDER, .name = (n) }

void spin_lock_recursion_panic(struct spinlock *l) __noreturn;
void spin_not_held_panic(struct spinlock *l, const char *file, int line) __noreturn;

/* How a held lock is waited for: true, in ticket order; false (on a hypervisor), by
 * whoever sees it free first. [a] set by hypervisor_detect() in phase 1, before other
 * CPUs run; tests set it for a while to try either way (the two mix safely). */
extern bool spin_fifo;
/* spin_lock's wait, once it found the lock held; returns with it taken. */
void spin_lock_contended(struct spinlock *l);

static inline void spin_init(struct spinlock *l, const char *name)
{
	*l = (struct spinlock)SPINLOCK_INIT(name);
}

static inline bool spin_held(struct spinlock *l)
{
	return __atomic_load_n(&l->holder, __ATOMIC_RELAXED) == arch_cpu_id();
}

/* Take the lock if it is free: no ticket out past the one served. */
static inline bool spin_take_free(struct spinlock *l)
{
	uint32_t serving = __atomic_load_n(&l->serving, __ATOMIC_ACQUIRE);
	uint32_t free = serving;

	return __atomic_compare_exchange_n(&l->next, &free, serving + 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* Take the lock; interrupts must already be off (or the lock never taken from an IRQ). */
static inline void spin_lock(struct spinlock *l)
{
	if (SPIN_CHECKS && unlikely(spin_held(l)))
		spin_lock_recursion_panic(l);
	if (unlikely(!spin_take_free(l)))
		spin_lock_contended(l);
	if (SPIN_CHECKS)
		__atomic_store_n(&l->holder, arch_cpu_id(), __ATOMIC_RELAXED);
}

static inline bool spin_trylock(struct spinlock *l)
{
	if (!spin_take_free(l))
		return false;
	if (SPIN_CHECKS)
		__atomic_store_n(&l->holder, arch_cpu_id(), __ATOMIC_RELAXED);
	return true;
}

static inline void spin_unlock(struct spinlock *l)
{
	if (SPIN_CHECKS)
		__atomic_store_n(&l->holder, SPIN_NO_HOLDER, __ATOMIC_RELAXED);
	/* Only the holder writes 'serving', so a plain increment with release order is
	 * enough to publish the critical section to the next ticket holder. */
	__atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
}

/* The usual form: interrupts off for the duration, restored on unlock. */
static inline irqflags_t spin_lock_irqsave(struct spinlock *l)
{
	irqflags_t f = irq_save();
	spin_lock(l);
	return f;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, irqflags_t f)
{
	spin_unlock(l);
	irq_restore(f);
}

#define spin_assert_held(l) \
	do { if (SPIN_CHECKS && unlikely(!spin_held(l))) \
		spin_not_held_panic((l), __FILE__, __LINE__); } while (0)

#endif
