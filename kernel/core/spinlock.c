/*
 * The wait for a held spinlock (spinlock.h): in ticket order on a bare machine, or by
 * whoever sees the lock free first on a hypervisor (arch/x86_64/hypervisor.c says why).
 * Out of line: the free lock, the common case, costs one compare-and-swap at the call.
 */
#include <spinlock.h>

bool spin_fifo = true;

__noinline void spin_lock_contended(struct spinlock *l)
{
	if (!__atomic_load_n(&spin_fifo, __ATOMIC_RELAXED)) {
		/* Watch with plain reads, which leave the line shared among the waiters,
		 * and try only when it looks free. */
		for (;;) {
			uint32_t serving = __atomic_load_n(&l->serving, __ATOMIC_RELAXED);
			if (__atomic_load_n(&l->next, __ATOMIC_RELAXED) == serving &&
			    spin_take_free(l))
				return;
			arch_spin_relax();
		}
	}
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket)
		arch_spin_relax();
}
