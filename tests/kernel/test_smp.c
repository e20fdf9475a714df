/*
 * What only shows with several CPUs or several threads: FPU/SSE/AVX registers never
 * leak between threads (eager switching, CVE-2018-3665), and a TLB shootdown makes an
 * unmapped page fault on every CPU, not just the one that unmapped it.
 */
#include <ktest.h>
#include <sched.h>
#include <thread.h>
#include <pmm.h>
#include <vmm.h>
#include <time.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/smp.h>
#include <arch/trap.h>

/* The kernel is built without SSE; these run SSE/AVX instructions by hand. No clobber
 * lists name the vector registers, which the compiler never uses. */
static void fpu_load(uint64_t v, bool avx)
{
	__asm__ volatile("movq %0, %%xmm0\n\tmovq %0, %%xmm7\n\tmovq %0, %%xmm15" :: "r"(v));
	if (avx)
		__asm__ volatile("movq %0, %%xmm1\n\tvinsertf128 $1, %%xmm1, %%ymm3, %%ymm3"
				 :: "r"(~v));
}

static bool fpu_holds(uint64_t v, bool avx)
{
	uint64_t a, b, c, d = ~v;

	__asm__ volatile("movq %%xmm0, %0\n\tmovq %%xmm7, %1\n\tmovq %%xmm15, %2"
			 : "=r"(a), "=r"(b), "=r"(c));
	if (avx)
		__asm__ volatile("vextractf128 $1, %%ymm3, %%xmm2\n\tmovq %%xmm2, %0" : "=r"(d));
	return a == v && b == v && c == v && d == ~v;
}

struct fpu_arg {
	uint64_t value;
	unsigned rounds, bad;
	bool had_area;
};

static void fpu_thread(void *p)
{
	struct fpu_arg *a = p;
	bool avx = fpu_xcr0() & 4;

	fpu_load(a->value, avx);                /* first use: #NM gives us an area */
	a->had_area = thread_current()->fpu != NULL;
	for (unsigned i = 0; i < a->rounds; i++) {
		sched_yield();
		if (!fpu_holds(a->value, avx))
			a->bad++;
		if (i % 16 == 0)
			sched_sleep_ns(50000);  /* also switch through the idle thread */
	}
}

static void no_fpu_thread(void *p)
{
	for (int i = 0; i < 100; i++)
		sched_yield();
	*(bool *)p = thread_current()->fpu == NULL;
}

KTEST(fpu, registers_never_leak_between_threads)
{
	static struct fpu_arg args[4];
	static bool untouched;
	struct thread *t[5];
	uint64_t cpu = 1ull << (sched_cpu_count() - 1);

	for (int i = 0; i < 4; i++) {
		args[i] = (struct fpu_arg){ 0x1111111111111111ull * (uint64_t)(i + 1), 300, 0, false };
		/* Two on one CPU, so they switch back and forth there; two anywhere. */
		t[i] = thread_create(&kernel_process, "fpu", fpu_thread, &args[i], PRIO_DEFAULT,
				     i < 2 ? cpu : AFFINITY_ALL);
		KT_ASSERT(t[i] != NULL);
	}
	untouched = false;
	t[4] = thread_create(&kernel_process, "nofpu", no_fpu_thread, &untouched, PRIO_DEFAULT,
			     cpu);
	KT_ASSERT(t[4] != NULL);
	for (int i = 0; i < 5; i++)
		thread_join(t[i]);
	for (int i = 0; i < 4; i++) {
		KT_EXPECT(args[i].had_area);
		KT_EXPECT_EQ(args[i].bad, 0);
	}
	KT_EXPECT(untouched);           /* a thread that never used the FPU got no area */
}

/* ---- TLB shootdown ---- */

#define SD_PAGE (KVA_TEST_BASE + 0x80000000ull)

struct reader_arg {
	volatile int phase;             /* 0 read, 1 (after unmap) read again */
	volatile bool read_ok, faulted_after;
	volatile uint64_t value;
};

static void reader(void *p)
{
	struct reader_arg *a = p;
	struct fault_catch c;

	a->value = *(volatile uint64_t *)SD_PAGE;       /* now this CPU's TLB has it */
	a->read_ok = true;
	while (__atomic_load_n(&a->phase, __ATOMIC_ACQUIRE) == 0)
		sched_sleep_ns(100000);
	if (fault_catch_begin(&c) == 0) {
		a->value = *(volatile uint64_t *)SD_PAGE;
		fault_catch_end(&c);
	} else {
		a->faulted_after = c.vector == 14 && c.cr2 == SD_PAGE;
	}
}

KTEST(smp, unmap_faults_on_every_cpu)
{
	unsigned n = sched_cpu_count();
	static struct reader_arg args[MAX_CPUS];
	struct thread *t[MAX_CPUS];
	paddr_t frame = pmm_alloc_zeroed();
	uint64_t before = vmm_shootdown_count();

	KT_ASSERT(frame.raw);
	*(uint64_t *)phys_to_virt(frame) = 0x5d5d5d5d;
	/* A neighbour keeps the page table: the unmap then invalidates just this page. */
	KT_ASSERT_EQ(vmm_map(&kernel_as, va(SD_PAGE + PAGE_SIZE), frame, PAGE_SIZE, 0), E_OK);
	KT_ASSERT_EQ(vmm_map(&kernel_as, va(SD_PAGE), frame, PAGE_SIZE, 0), E_OK);
	for (unsigned c = 0; c < n; c++) {
		args[c] = (struct reader_arg){ 0, false, false, 0 };
		t[c] = thread_create(&kernel_process, "reader", reader, &args[c], PRIO_DEFAULT + 1,
				     1ull << c);
		KT_ASSERT(t[c] != NULL);
	}
	for (unsigned c = 0; c < n; c++)
		while (!args[c].read_ok)
			sched_sleep_ns(100000);
	KT_ASSERT_EQ(vmm_unmap(&kernel_as, va(SD_PAGE), PAGE_SIZE), E_OK);
	for (unsigned c = 0; c < n; c++)
		__atomic_store_n(&args[c].phase, 1, __ATOMIC_RELEASE);
	for (unsigned c = 0; c < n; c++) {
		thread_join(t[c]);
		KT_EXPECT_EQ(args[c].value, 0x5d5d5d5d);        /* from before the unmap */
		KT_EXPECT(args[c].faulted_after);
	}
	if (n > 1)
		KT_EXPECT(vmm_shootdown_count() > before);
	KT_EXPECT_EQ(vmm_unmap(&kernel_as, va(SD_PAGE + PAGE_SIZE), PAGE_SIZE), E_OK);
	pmm_free(frame);
}

KTEST(smp, every_cpu_online_and_distinct)
{
	uint64_t mask = smp_online_mask();

	KT_EXPECT_EQ(popcount64(mask), sched_cpu_count());
	for (unsigned a = 0; a < sched_cpu_count(); a++)
		for (unsigned b = a + 1; b < sched_cpu_count(); b++)
			KT_EXPECT(cpu_locals[a].apic_id != cpu_locals[b].apic_id);
}
