/*
 * What the kernel runs on: a CPU, or a virtual one (CPUID leaf 1, ECX bit 31, and the
 * hypervisor's signature at leaf 0x40000000), and the spin-wait choice that follows.
 *
 * A ticket lock hands itself to the waiter with the next ticket. On a hypervisor that
 * waiter is a virtual CPU the host may not be running; every waiter behind it spins
 * until the host runs it (lock-waiter preemption). With all four virtual CPUs of a
 * guest contending on a loaded two-core host, sched.counters_are_exact went from 0.2 s
 * to about five minutes (docs/ARCHITECTURE.md, "Locks"). So on a hypervisor a
 * contended lock goes to whichever CPU finds it free first, giving up FIFO order
 * (Linux does the same: virt_spin_lock).
 *
 * PAUSE stays in the spin loops. Under QEMU's TCG it leaves the translated code; with
 * -icount, or one host thread for all CPUs, that is what lets the next CPU run, and a
 * spinning CPU without it would use up its whole turn.
 */
#include <arch/cpu.h>
#include <arch/hypervisor.h>
#include <klib.h>
#include <spinlock.h>

#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_HV_BASE          0x40000000u

static enum hypervisor kind = HV_NONE;

static enum hypervisor hypervisor_of(bool present, const char sig[12])
{
	if (!present)
		return HV_NONE;
	if (!memcmp(sig, "TCGTCGTCGTCG", 12))
		return HV_TCG;
	if (!memcmp(sig, "KVMKVMKVM\0\0\0", 12))
		return HV_KVM;
	return HV_OTHER;
}

void hypervisor_detect(void)
{
	bool present = cpu_cpuid(1, 0).ecx & CPUID_1_ECX_HYPERVISOR;
	char signature[12] = { 0 };

	if (present) {
		struct cpuid_regs r = cpu_cpuid(CPUID_HV_BASE, 0);
		memcpy(signature, &r.ebx, 4);
		memcpy(signature + 4, &r.ecx, 4);
		memcpy(signature + 8, &r.edx, 4);
	}
	kind = hypervisor_of(present, signature);
	spin_fifo = kind == HV_NONE;
}

enum hypervisor hypervisor_kind(void)
{
	return kind;
}

const char *hypervisor_name(void)
{
	switch (kind) {
	case HV_NONE:
		return "none";
	case HV_TCG:
		return "tcg";
	case HV_KVM:
		return "kvm";
	default:
		return "other";
	}
}
