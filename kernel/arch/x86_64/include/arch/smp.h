/*
 * Per-CPU data, reached through the GS base: each CPU's IA32_GS_BASE points at its own
 * struct cpu_local while it runs kernel code (user GS lives in IA32_KERNEL_GS_BASE and
 * is swapped in on the way out). Fields the assembly uses have fixed offsets, checked
 * below.
 */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#define MAX_CPUS 64

#ifndef __ASSEMBLY__
#include <stdint.h>
#include <stddef.h>

struct cpu_local {
	struct cpu_local *self;         /* [I] for reading the base back */
	uint32_t id;                    /* [I] logical CPU number, 0 = boot CPU */
	uint32_t apic_id;               /* [I] */
	uint64_t kernel_rsp;            /* [this CPU] stack for SYSCALL entry */
	uint64_t user_rsp;              /* [this CPU] scratch for SYSCALL entry */
	void *current;                  /* [this CPU] the running thread */
	void *sched;                    /* [I] this CPU's scheduler state */
	void *pmm_cache;                /* [I] this CPU's frame cache (pmm.c) */
	void *tss_rsp0;                 /* [I] this CPU's TSS RSP0 field (unaligned) */
	void *sched_release;            /* [this CPU] after a lock-free direct switch,
					 * the lock the incoming thread releases */
	uint64_t sched_handoffs;        /* [this CPU] direct switches (sched.c) */
	void *loaded_as;                /* [this CPU] the user address space in CR3, or
					 * NULL (as_switch, vmm.h) */
};

_Static_assert(offsetof(struct cpu_local, id) == 8, "arch_cpu_id() reads gs:8");
_Static_assert(offsetof(struct cpu_local, kernel_rsp) == 16, "syscall entry reads gs:16");
_Static_assert(offsetof(struct cpu_local, user_rsp) == 24, "syscall entry uses gs:24");
_Static_assert(offsetof(struct cpu_local, current) == 32, "arch_cpu_current() reads gs:32");
_Static_assert(offsetof(struct cpu_local, sched) == 40, "arch_cpu_sched() reads gs:40");

extern struct cpu_local cpu_locals[MAX_CPUS];

/* Set while a TLB shootdown waits for some CPU (paging.c). */
extern uint64_t tlb_shootdown_pending;
void tlb_shootdown_poll(void);
/* Set while a frame-cache drain waits for some CPU (kernel/mm/pmm.c). */
extern uint64_t pmm_drain_pending;
void pmm_drain_poll(void);

#ifdef MNOS_HOST_TEST
static inline unsigned arch_cpu_id(void) { return 0; }
static inline void arch_spin_relax(void) { __asm__ volatile("pause" ::: "memory"); }
#else
static inline unsigned arch_cpu_id(void)
{
	uint32_t id;
	__asm__ volatile("movl %%gs:8, %0" : "=r"(id));
	return id;
}

/* This CPU's running thread, in one instruction (the IPC paths ask often). */
static inline void *arch_cpu_current(void)
{
	void *t;
	__asm__ volatile("movq %%gs:32, %0" : "=r"(t));
	return t;
}

/* This CPU's scheduler state, in one instruction (the IPC fast paths' test). */
static inline void *arch_cpu_sched(void)
{
	void *s;
	__asm__ volatile("movq %%gs:40, %0" : "=r"(s));
	return s;
}

static inline struct cpu_local *this_cpu(void)
{
	struct cpu_local *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

/* The stack the CPU switches to on entry from user mode: the TSS's RSP0 for
 * interrupts, kernel_rsp for SYSCALL. */
static inline void arch_set_kernel_stack(struct cpu_local *c, uint64_t top)
{
	__builtin_memcpy(c->tss_rsp0, &top, sizeof(top));
	c->kernel_rsp = top;
}

/* One iteration of a spin-wait: pause, and do any TLB shootdown or frame-cache drain
 * aimed at this CPU, which waits for it and cannot reach it by IPI while this CPU spins
 * with interrupts off. */
static inline void arch_spin_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
	if (__builtin_expect(__atomic_load_n(&tlb_shootdown_pending, __ATOMIC_RELAXED) != 0, 0))
		tlb_shootdown_poll();
	if (__builtin_expect(__atomic_load_n(&pmm_drain_pending, __ATOMIC_RELAXED) != 0, 0))
		pmm_drain_poll();
}
#endif

/* Point this CPU's GS base at cpu_locals[id]. First thing on every CPU. */
void percpu_init(unsigned id);

/* Phase 5: start the CPUs whose APIC ids are listed (the boot CPU's is skipped); returns
 * how many CPUs are online. */
unsigned smp_start_aps(const uint32_t *apic_ids, unsigned n);
unsigned smp_cpu_count(void);
/* Bit n set for each online CPU n. */
uint64_t smp_online_mask(void);
/* Halt every other CPU (panic), and wait up to 100 ms until they have: one finishing
 * a log line would write into the panic report. smp_init_ipis() installs the handler. */
void smp_stop_others(void);
void smp_init_ipis(void);
#endif

#endif
