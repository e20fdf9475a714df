/* Per-CPU data through GS (arch/smp.h). */
#include <arch/smp.h>
#include <arch/cpu.h>

struct cpu_local cpu_locals[MAX_CPUS];

void percpu_init(unsigned id)
{
	struct cpu_local *c = &cpu_locals[id];

	c->self = c;
	c->id = id;
	/* Kernel GS now; the user's GS base (zero until a thread sets one) waits in
	 * KERNEL_GS_BASE for the first SWAPGS on the way to user mode. */
	cpu_wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
	cpu_wrmsr(MSR_KERNEL_GS_BASE, 0);
}
