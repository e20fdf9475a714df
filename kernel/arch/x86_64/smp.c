/*
 * Starting the other CPUs (phase 5). For each CPU the MADT lists, the boot CPU writes the
 * trampoline (ap_boot.S) to AP_TRAMP_ADDR with that AP's stack and number, then sends
 * INIT, waits 10 ms, and sends STARTUP twice 200 µs apart (the Intel SDM's MP
 * initialisation protocol, vol. 3A §9.4). The AP sets itself up in ap_main() and says
 * it is online; one that has not after a second is reported and left alone.
 *
 * While APs start, a temporary PML4 maps the trampoline's 2 MiB identically (the AP turns
 * paging on while running there) and shares the kernel half; each AP moves to the
 * kernel's own tables at once, and the temporary tables are freed afterwards.
 */
#include <arch/smp_boot.h>
#include <arch/smp.h>
#include <arch/syscall.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/lapic.h>
#include <arch/paging.h>
#include <arch/trap.h>
#include <kstack.h>
#include <klib.h>
#include <log.h>
#include <panic.h>
#include <pmm.h>
#include <sched.h>
#include <time.h>
#include <vmm.h>

extern const char ap_tramp_start[], ap_tramp_end[];
extern const char ap_tramp_params[];

static volatile uint32_t ap_online;     /* [a] set by the AP being started */
static uint64_t online_mask = 1;        /* [a] */
static unsigned ncpus = 1;              /* [I] after smp_start_aps */

#define AP_STACK_SIZE (16 * 1024)

__noreturn void ap_main(uint32_t cpu);

__noreturn void ap_main(uint32_t cpu)
{
	percpu_init(cpu);
	cpu_write_cr3(kernel_as.root.raw);      /* off the temporary tables */
	cpu_wrmsr(MSR_PAT, PAT_VALUE);
	gdt_init_cpu(cpu);
	syscall_init_cpu();
	idt_load();
	fpu_init_ap();
	lapic_init_ap();
	cpu_locals[cpu].apic_id = lapic_id();
	__atomic_fetch_or(&online_mask, 1ull << cpu, __ATOMIC_RELEASE);
	__atomic_store_n(&ap_online, 1, __ATOMIC_RELEASE);
	sched_ap_enter();
}

/* The temporary PML4: kernel half shared, low 2 MiB identity-mapped and executable. */
static paddr_t temp_tables[3];

static bool build_temp_tables(void)
{
	for (int i = 0; i < 3; i++) {
		temp_tables[i] = pmm_alloc_zeroed();
		/* CR3 is loaded in 32-bit mode: the PML4 must lie below 4 GiB. */
		if (!temp_tables[i].raw || temp_tables[i].raw >= 0x100000000ull)
			return false;
	}
	uint64_t *pml4 = phys_to_virt(temp_tables[0]);
	uint64_t *pdpt = phys_to_virt(temp_tables[1]);
	uint64_t *pd = phys_to_virt(temp_tables[2]);
	memcpy(pml4 + 256, (uint64_t *)phys_to_virt(kernel_as.root) + 256, 256 * 8);
	pml4[0] = temp_tables[1].raw | PTE_P | PTE_W;
	pdpt[0] = temp_tables[2].raw | PTE_P | PTE_W;
	pd[0] = 0 | PTE_P | PTE_W | PTE_PS;
	return true;
}

static void free_temp_tables(void)
{
	for (int i = 0; i < 3; i++)
		if (temp_tables[i].raw)
			pmm_free(temp_tables[i]);
}

static bool start_one(uint8_t *tramp, uint32_t apic_id, unsigned cpu)
{
	void *stack = kstack_alloc(AP_STACK_SIZE);

	if (!stack) {
		pr_err("smp: no memory for CPU %u's stack", cpu);
		return false;
	}
	sched_init_cpu(cpu);
	struct ap_params *p = (struct ap_params *)(tramp + (uintptr_t)ap_tramp_params);
	p->cr3 = (uint32_t)temp_tables[0].raw;
	p->efer = (uint32_t)(EFER_LME | (cpu_rdmsr(MSR_EFER) & EFER_NXE));
	p->stack = (uint64_t)(uintptr_t)stack;
	p->entry = (uint64_t)(uintptr_t)ap_main;
	p->cpu = cpu;
	__atomic_store_n(&ap_online, 0, __ATOMIC_RELEASE);

	lapic_send_init(apic_id);
	delay_us(10000);
	for (int attempt = 0; attempt < 2; attempt++) {
		lapic_send_startup(apic_id, AP_TRAMP_ADDR >> 12);
		delay_us(200);
		if (__atomic_load_n(&ap_online, __ATOMIC_ACQUIRE))
			break;
	}
	uint64_t end = clock_ns() + 1000000000ull;
	while (!__atomic_load_n(&ap_online, __ATOMIC_ACQUIRE) && clock_ns() < end)
		cpu_pause();
	if (!__atomic_load_n(&ap_online, __ATOMIC_ACQUIRE)) {
		pr_err("smp: CPU %u (APIC %u) did not start", cpu, apic_id);
		/* Its stack stays: the AP may yet wake and use it. */
		return false;
	}
	return true;
}

unsigned smp_start_aps(const uint32_t *apic_ids, unsigned n)
{
	uint32_t me = lapic_id();
	unsigned cpu = 1;

	cpu_locals[0].apic_id = me;
	if (n <= 1)
		return ncpus;
	uint8_t *tramp = vmm_map_phys(pa(AP_TRAMP_ADDR), PAGE_SIZE, VM_WRITE);
	size_t size = (size_t)(ap_tramp_end - ap_tramp_start);
	if (!tramp || size > PAGE_SIZE || !build_temp_tables()) {
		pr_err("smp: cannot prepare the AP start-up code; running on one CPU");
		free_temp_tables();
		return ncpus;
	}
	memcpy(tramp, ap_tramp_start, size);
	for (unsigned i = 0; i < n && cpu < MAX_CPUS; i++) {
		if (apic_ids[i] == me)
			continue;
		if (start_one(tramp, apic_ids[i], cpu))
			cpu++;
	}
	free_temp_tables();
	ncpus = cpu;
	return ncpus;
}

unsigned smp_cpu_count(void)
{
	return ncpus;
}

uint64_t smp_online_mask(void)
{
	return __atomic_load_n(&online_mask, __ATOMIC_ACQUIRE);
}

/* CPUs that took the stop IPI, for smp_stop_others to wait for. */
static uint64_t stopped_mask;           /* [a] */

static void stop_ipi(struct trap_frame *f, void *arg)
{
	__atomic_fetch_or(&stopped_mask, 1ull << arch_cpu_id(), __ATOMIC_RELEASE);
	cpu_halt_forever();
}

void smp_init_ipis(void)
{
	if (!irq_set_handler(VEC_STOP, stop_ipi, NULL))
		panic("smp: stop vector taken");
}

void smp_stop_others(void)
{
	uint64_t others = smp_online_mask() & ~(1ull << arch_cpu_id());

	for (unsigned c = 0; c < MAX_CPUS; c++)
		if (others & (1ull << c))
			lapic_send_ipi(cpu_locals[c].apic_id, VEC_STOP);
	/* The IPI is taken when interrupts are on again: a CPU in the middle of a log line
	 * (under the console lock, which the panic bypasses) finishes it first, and would
	 * write into the report. Wait for them, but not for ever: one spinning with
	 * interrupts off on a lock this CPU holds never stops. */
	uint64_t end = clock_ns() + 100000000ull;
	while ((__atomic_load_n(&stopped_mask, __ATOMIC_ACQUIRE) & others) != others &&
	       clock_ns() < end)
		cpu_pause();
}
