/* Register dumps and kernel-stack bounds for the panic path (arch/regs.h). */
#include <arch/regs.h>
#include <arch/cpu.h>
#include <log.h>
#include <kstack.h>

extern char boot_stack_bottom[], boot_stack_top[];

void regs_print(struct regs_snapshot *r)
{
	r->cr0 = cpu_read_cr0();
	r->cr2 = cpu_read_cr2();
	r->cr3 = cpu_read_cr3();
	r->cr4 = cpu_read_cr4();
	r->efer = cpu_rdmsr(MSR_EFER);
	kprintf("RIP %016llx  RSP %016llx  RBP %016llx  RFLAGS %08llx\n",
		(unsigned long long)r->rip, (unsigned long long)r->rsp,
		(unsigned long long)r->rbp, (unsigned long long)r->rflags);
	kprintf("RAX %016llx  RBX %016llx  RCX %016llx  RDX %016llx\n",
		(unsigned long long)r->rax, (unsigned long long)r->rbx,
		(unsigned long long)r->rcx, (unsigned long long)r->rdx);
	kprintf("RSI %016llx  RDI %016llx  R8  %016llx  R9  %016llx\n",
		(unsigned long long)r->rsi, (unsigned long long)r->rdi,
		(unsigned long long)r->r8, (unsigned long long)r->r9);
	kprintf("R10 %016llx  R11 %016llx  R12 %016llx  R13 %016llx\n",
		(unsigned long long)r->r10, (unsigned long long)r->r11,
		(unsigned long long)r->r12, (unsigned long long)r->r13);
	kprintf("R14 %016llx  R15 %016llx\n",
		(unsigned long long)r->r14, (unsigned long long)r->r15);
	kprintf("CR0 %016llx  CR2 %016llx  CR3 %016llx  CR4 %016llx  EFER %llx\n",
		(unsigned long long)r->cr0, (unsigned long long)r->cr2,
		(unsigned long long)r->cr3, (unsigned long long)r->cr4,
		(unsigned long long)r->efer);
}

bool arch_stack_bounds(uint64_t sp, uint64_t *lo, uint64_t *hi)
{
	uint64_t b = (uint64_t)(uintptr_t)boot_stack_bottom;
	uint64_t t = (uint64_t)(uintptr_t)boot_stack_top;

	if (sp >= b && sp < t) {
		*lo = b;
		*hi = t;
		return true;
	}
	return kstack_bounds(sp, lo, hi);
}
