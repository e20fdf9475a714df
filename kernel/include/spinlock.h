/*
 * IRQ-safe ticket spinlocks: FIFO-fair, so no CPU starves under contention.
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

static inline void spin_init(struct spinlock *l, const char *name)
{
	*l = (struct spinlock)SPINLOCK_INIT(name);
}

static inline bool spin_held(struct spinlock *l)
{
	return __atomic_load_n(&l->holder, __ATOMIC_RELAXED) == arch_cpu_id();
}

/* Take the lock; interrupts must already be off (or the lock never taken from an IRQ). */
static inline void spin_lock(struct spinlock *l)
{
	if (SPIN_CHECKS && unlikely(spin_held(l)))
		spin_lock_recursion_panic(l);
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	/* The free lock falls straight through: the loop is laid out apart. */
	if (unlikely(__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket)) {
		do
			arch_spin_relax();
		while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket);
	}
	if (SPIN_CHECKS)
		__atomic_store_n(&l->holder, arch_cpu_id(), __ATOMIC_RELAXED);
}

static inline bool spin_trylock(struct spinlock *l)
{
	uint32_t serving = __atomic_load_n(&l->serving, __ATOMIC_ACQUIRE);
	uint32_t expected = serving;

	if (!__atomic_compare_exchange_n(&l->next, &expected, serving + 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
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
