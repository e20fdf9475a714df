/*
 * SYSCALL set-up and the C side of its entry (arch/syscall.h), and SMEP/SMAP.
 */
#include <arch/syscall.h>
#include <arch/cpu.h>
#include <arch/layout.h>
#include <arch/trap.h>
#include <log.h>
#include <thread.h>
#include <usermode.h>

void syscall_entry(void);
__noreturn void syscall_bad_return(struct syscall_frame *f);

#define RFLAGS_TF       (1ull << 8)
#define RFLAGS_DF       (1ull << 10)
#define RFLAGS_NT       (1ull << 14)
#define RFLAGS_AC       (1ull << 18)

#define CPUID7_EBX_SMEP (1u << 7)
#define CPUID7_EBX_SMAP (1u << 20)

static bool have_smap;
uint64_t cr4_pinned;
static uint64_t cr4_violations;         /* [a] */

void cr4_pin_violation(uint64_t attempted)
{
	__atomic_fetch_add(&cr4_violations, 1, __ATOMIC_RELAXED);
	pr_warn("cpu: a write of CR4 (%#llx) would have cleared SMEP or SMAP; they stay on",
		(unsigned long long)attempted);
}

uint64_t cr4_pin_violations(void)
{
	return __atomic_load_n(&cr4_violations, __ATOMIC_RELAXED);
}          /* [I] after the boot CPU's syscall_init_cpu */

bool cpu_has_smap(void)
{
	return have_smap;
}

void syscall_init_cpu(void)
{
	uint32_t ebx = cpu_cpuid_max() >= 7 ? cpu_cpuid(7, 0).ebx : 0;
	uint64_t cr4 = cpu_read_cr4();

	cpu_wrmsr(MSR_EFER, cpu_rdmsr(MSR_EFER) | EFER_SCE);
	/* SYSCALL loads CS = STAR[47:32] and SS = that + 8; SYSRET loads CS =
	 * STAR[63:48] + 16 and SS = STAR[63:48] + 8, with RPL 3: kernel code 0x08, kernel
	 * data 0x10, user data 0x18, user code 0x20 (gdt.c). */
	cpu_wrmsr(MSR_STAR, (uint64_t)SEL_KDATA << 48 | (uint64_t)SEL_KCODE << 32);
	cpu_wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	/* Entered with interrupts off (the stack is still the user's), string operations
	 * forward, no single-stepping into the kernel, no user access under SMAP. */
	cpu_wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_NT | RFLAGS_AC);
	if (ebx & CPUID7_EBX_SMEP)
		cr4 |= CR4_SMEP;
	if (ebx & CPUID7_EBX_SMAP) {
		cr4 |= CR4_SMAP;
		have_smap = true;
	}
	cpu_write_cr4(cr4);
	__atomic_fetch_or(&cr4_pinned, cr4 & (CR4_SMEP | CR4_SMAP), __ATOMIC_RELAXED);
}

void arch_user_access_begin(void)
{
	if (have_smap)
		__asm__ volatile("stac" ::: "memory");
}

void arch_user_access_end(void)
{
	if (have_smap)
		__asm__ volatile("clac" ::: "memory");
}

/*
 * syscall_entry.S, on the way out: the return address is not canonical. SYSRET there
 * would fault in kernel mode on Intel CPUs with the user's stack pointer already
 * loaded; the thread is ended instead (docs/SECURITY.md). Interrupts are on.
 */
__noreturn void syscall_bad_return(struct syscall_frame *f)
{
	pr_warn("thread %s: system call return to %#llx, not a canonical address; thread ended",
		thread_current()->name, (unsigned long long)f->rip);
	user_thread_exit();
}
