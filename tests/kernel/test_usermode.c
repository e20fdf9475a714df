/*
 * Ring 3: user threads entering user mode, making system calls with the registers the
 * ABI promises, faulting without harm to the kernel, and user pointers checked. The
 * programs are the small position-independent blobs of user_blobs.S, copied into a
 * fresh process's pages.
 */
#include <ktest.h>
#include "settle.h"
#include "uproc.h"
#include "catch.h"
#include <arch/cpu.h>
#include <arch/syscall.h>
#include <cap.h>
#include <memobj.h>
#include <pmm.h>
#include <notify.h>
#include <usercopy.h>
#include <usermode.h>
#include <endpoint.h>
#include <thread.h>
#include <vmm.h>
#include <klib.h>
#include <arch/layout.h>

KTEST(user, enters_ring3_makes_a_syscall_and_exits)
{
	static struct uproc u;
	uint64_t threads = thread_count(), free = pmm_get_stats().free;

	KT_ASSERT(uproc_init(&u, ublob_hello_start, ublob_hello_end));
	KT_ASSERT_EQ(uproc_run(&u), E_OK);
	KT_EXPECT_EQ(u.data[0], 0x600d);
	KT_EXPECT_EQ(u.data[1], E_OK);                  /* the print went through */
	uproc_fini(&u);
	settle_threads(threads);
	KT_EXPECT_EQ(thread_count(), threads);
	KT_EXPECT_EQ(pmm_get_stats().free, free);
	KT_EXPECT_EQ(u.q.used, 0);
}

/* A user thread made but never started is undone without a trace: what a failing
 * thread_create system call relies on. */
KTEST(user, unstarted_thread_is_discarded_cleanly)
{
	static struct uproc u;
	uint64_t threads = thread_count(), free = pmm_get_stats().free;
	struct thread *t;

	KT_ASSERT(uproc_init(&u, ublob_hello_start, ublob_hello_end));
	uint32_t prefs = u.p->refs;
	KT_ASSERT_EQ(user_thread_create(u.p, CODE_VA, DATA_VA + PAGE_SIZE, DATA_VA, &t), E_OK);
	KT_EXPECT_EQ(thread_count(), threads + 1);
	KT_EXPECT_EQ(u.p->refs, prefs + 1);
	KT_EXPECT_EQ(ipc_buffer_attach(t, DATA_VA + 2 * PAGE_SIZE), E_OK);
	thread_discard(t);
	KT_EXPECT_EQ(thread_count(), threads);
	KT_EXPECT_EQ(u.p->refs, prefs);
	KT_EXPECT_EQ(u.data[0], 0);                     /* it never ran */
	uproc_fini(&u);
	KT_EXPECT_EQ(pmm_get_stats().free, free);
	KT_EXPECT_EQ(u.q.used, 0);
}

/* Every register the ABI preserves is preserved, results that carry nothing come back
 * zero, rcx holds the return address. */
KTEST(user, syscall_preserves_registers)
{
	static struct uproc u;

	KT_ASSERT(uproc_init(&u, ublob_regs_start, ublob_regs_end));
	u.data[0] = 0xffffffff;
	KT_ASSERT_EQ(uproc_run(&u), E_OK);
	KT_EXPECT_EQ(u.data[0], 0);
	KT_EXPECT(u.data[1] != 0);                      /* the clock */
	uproc_fini(&u);
}

/* Each kind of fault ends the thread that made it, with a log line and a signal on its
 * process's fault notification; the kernel goes on. */
KTEST(user, faults_end_the_thread_not_the_kernel)
{
	static struct uproc u;
	struct notification *n;
	struct quota q;
	struct cspace cs;
	uint64_t bits;

	quota_init(&q, 1 << 16);
	KT_ASSERT_EQ(cspace_init(&cs, 4, &q), E_OK);
	KT_ASSERT_EQ(notification_create(&q, &n), E_OK);
	KT_ASSERT_EQ(cap_insert_root(&cs, 1, &n->obj, CAP_R_ALL, 0), E_OK);
	KT_ASSERT(uproc_init(&u, ublob_fault_start, ublob_fault_end));
	process_set_fault_notification(u.p, n, 0);
	kobj_put(&n->obj);
	for (uint64_t kind = 0; kind <= 9; kind++) {
		uint64_t faults = user_fault_count();
		u.data[0] = kind;
		u.data[1] = 0;
		KT_ASSERT_EQ(uproc_run(&u), E_OK);
		KT_EXPECT_EQ(u.data[1], 0);             /* it never got past the fault */
		KT_EXPECT_EQ(user_fault_count(), faults + 1);
		KT_EXPECT_EQ(notify_poll(&cs, 1, &bits), E_OK);
		KT_EXPECT_EQ(bits, PROCESS_NOTE_FAULT | PROCESS_NOTE_EXITED); /* its only thread */
	}
	uproc_fini(&u);
	cspace_destroy(&cs);
	KT_EXPECT_EQ(q.used, 0);
}

/* debug print with pointers of every bad kind: each its documented error. */
KTEST(user, bad_pointers_are_errors)
{
	static struct uproc u;
	static const struct { uint64_t ptr, len; kerr_t want; } cases[] = {
		{ DATA_VA + 2048, 17, E_OK },
		{ 0, 4, E_RANGE },                              /* null */
		{ 8, 4, E_RANGE },
		{ USER_BASE - 1, 2, E_RANGE },                  /* below the user half */
		{ 0xffffffff80100000ull, 4, E_RANGE },          /* the kernel */
		{ 0x0000800000000000ull, 4, E_RANGE },          /* non-canonical */
		{ USER_TOP - 2, 4, E_RANGE },                   /* straddles the top */
		{ 0xfffffffffffffff0ull, 32, E_RANGE },         /* wraps */
		{ 0x500000, 4, E_FAULT },                       /* unmapped user memory */
		{ DATA_VA + 4090, 16, E_FAULT },                /* runs off the data page */
		{ DATA_VA, 300, E_INVAL },                      /* too long */
		{ DATA_VA + 1, 3, E_OK },                       /* unaligned is fine */
	};
	size_t n = sizeof(cases) / sizeof(cases[0]);

	KT_ASSERT(uproc_init(&u, ublob_badptr_start, ublob_badptr_end));
	u.data[0] = n;
	for (size_t i = 0; i < n; i++) {
		u.data[1 + 2 * i] = cases[i].ptr;
		u.data[2 + 2 * i] = cases[i].len;
	}
	memcpy((char *)u.data + 2048, "# from a buffer\n", 17);
	KT_ASSERT_EQ(uproc_run(&u), E_OK);
	for (size_t i = 0; i < n; i++)
		if (u.data[1 + 2 * n + i] != (uint64_t)cases[i].want)
			ktest_fail_at(__FILE__, __LINE__, "case %zu (%#llx, %llu): got %s, want %s",
				      i, (unsigned long long)cases[i].ptr,
				      (unsigned long long)cases[i].len,
				      kerr_name((kerr_t)u.data[1 + 2 * n + i]),
				      kerr_name(cases[i].want));
	uproc_fini(&u);
}

/* Unknown system call numbers are refused. */
KTEST(user, unknown_syscalls_are_refused)
{
	static struct uproc u;

	/* Past the table, far past it, and numbers that are small in their low 32 bits
	 * (the whole of rax is the number). */
	static const uint64_t nums[] = { 1000, 0xffff, 1ull << 32, (1ull << 32) | 2,
					 1ull << 63, UINT64_MAX };

	KT_ASSERT(uproc_init(&u, ublob_nullsys_start, ublob_nullsys_end));
	for (size_t i = 0; i < ARRAY_SIZE(nums); i++) {
		u.data[0] = 3;
		u.data[2] = nums[i];
		u.data[3] = 0;
		KT_ASSERT_EQ(uproc_run(&u), E_OK);
		KT_EXPECT(u.data[1] > 0);
		KT_EXPECT_EQ(u.data[3], E_NOSYS);
	}
	uproc_fini(&u);
}

/* SMAP and SMEP: kernel code running in a user address space can neither read a user
 * page outside the copy routines nor execute one. */
struct supervisor_probe {
	struct fault_catch read, exec;
	bool read_caught, exec_caught;
};

static void probe_user_pages(void *p)
{
	struct supervisor_probe *r = p;
	volatile uint64_t *data = (volatile uint64_t *)DATA_VA;
	void (*code)(void) = (void (*)(void))CODE_VA;

	r->read_caught = CATCH(r->read, (void)*data);
	r->exec_caught = CATCH(r->exec, code());
}

KTEST(user, kernel_cannot_touch_or_run_user_pages)
{
	static struct uproc u;
	static struct supervisor_probe r;
	uint32_t ebx = cpu_cpuid_max() >= 7 ? cpu_cpuid(7, 0).ebx : 0;

	if (!(ebx & (1u << 7)) || !(ebx & (1u << 20))) {
		ktest_skip("the CPU has no SMEP or no SMAP");
		return;
	}
	KT_EXPECT(cpu_read_cr4() & CR4_SMEP);
	KT_EXPECT(cpu_read_cr4() & CR4_SMAP);
	KT_ASSERT(uproc_init(&u, ublob_hello_start, ublob_hello_end));
	*(uint8_t *)page_of(u.p, CODE_VA) = 0xc3;       /* RET: harmless if it ran */
	struct thread *t = thread_create(u.p, "probe", probe_user_pages, &r, PRIO_DEFAULT,
					 AFFINITY_ALL);
	KT_ASSERT(t != NULL);
	thread_join(t);
	KT_EXPECT(r.read_caught);
	KT_EXPECT_EQ(r.read.vector, 14);
	KT_EXPECT_EQ(r.read.cr2, DATA_VA);
	KT_EXPECT_EQ(r.read.error & 0x1f, 0x1);        /* present, read, supervisor */
	KT_EXPECT(r.exec_caught);
	KT_EXPECT_EQ(r.exec.vector, 14);
	KT_EXPECT_EQ(r.exec.cr2, CODE_VA);
	KT_EXPECT_EQ(r.exec.error & 0x1f, 0x11);       /* present, instruction fetch */
	uproc_fini(&u);
}

/* CR4 pinning: clearing SMEP or SMAP through the kernel's CR4 writer does not stick. */
KTEST(user, smep_and_smap_stay_pinned_in_cr4)
{
	uint64_t cr4 = cpu_read_cr4(), before = cr4_pin_violations();

	if (!(cr4 & CR4_SMEP) || !(cr4 & CR4_SMAP)) {
		ktest_skip("the CPU has no SMEP or no SMAP");
		return;
	}
	irqflags_t f = irq_save();
	cpu_write_cr4(cr4 & ~(CR4_SMEP | CR4_SMAP));
	uint64_t after = cpu_read_cr4();
	irq_restore(f);
	KT_EXPECT(after & CR4_SMEP);
	KT_EXPECT(after & CR4_SMAP);
	KT_EXPECT_EQ(cr4_pin_violations(), before + 1);
	/* Other bits still change: PGE off and on again, as a full TLB flush does. */
	cpu_write_cr4(cr4 & ~CR4_PGE);
	KT_EXPECT(!(cpu_read_cr4() & CR4_PGE));
	cpu_write_cr4(cr4);
	KT_EXPECT_EQ(cpu_read_cr4(), cr4);
	KT_EXPECT_EQ(cr4_pin_violations(), before + 1);
}

/* Copies from kernel code: ranges checked before anything is touched. */
KTEST(user, usercopy_checks_ranges)
{
	char buf[8];

	KT_EXPECT_EQ(copy_from_user(buf, 0, 8), E_RANGE);
	KT_EXPECT_EQ(copy_from_user(buf, 0xffffffff80100000ull, 8), E_RANGE);
	KT_EXPECT_EQ(copy_to_user(USER_TOP - 4, buf, 8), E_RANGE);
	KT_EXPECT_EQ(copy_from_user(buf, USER_BASE, 0), E_OK);
	/* The kernel's own address space maps nothing in the user half. */
	KT_EXPECT_EQ(copy_from_user(buf, USER_BASE, 8), E_FAULT);
	KT_EXPECT_EQ(copy_to_user(USER_BASE, buf, 8), E_FAULT);
}

/* A thread's IPC buffer: mapped for it, reachable by the kernel, freed with it. */
static void attach_own(void *p)
{
	kerr_t *res = p;
	struct thread *me = thread_current();

	res[0] = ipc_buffer_attach(me, 0x700001);
	res[1] = ipc_buffer_attach(me, 0x1000);
	res[2] = ipc_buffer_attach(me, USER_TOP);
	res[3] = ipc_buffer_attach(me, DATA_VA);        /* something is mapped there */
	res[4] = ipc_buffer_attach(me, 0x700000);
	res[5] = ipc_buffer_attach(me, 0x800000);       /* one per thread */
	if (me->ipc_buf)
		me->ipc_buf->w[10] = 0x1234;            /* the kernel's view of the page */
}

KTEST(user, ipc_buffer_attach_and_release)
{
	static struct uproc u;
	static kerr_t res[6];

	KT_ASSERT(uproc_init(&u, ublob_hello_start, ublob_hello_end));
	uint64_t used = u.q.used;
	struct thread *t = thread_create(u.p, "attach", attach_own, res, PRIO_DEFAULT,
					 AFFINITY_ALL);
	KT_ASSERT(t != NULL);
	thread_join(t);
	KT_EXPECT_EQ(res[0], E_INVAL);
	KT_EXPECT_EQ(res[1], E_RANGE);
	KT_EXPECT_EQ(res[2], E_RANGE);
	KT_EXPECT_EQ(res[3], E_EXISTS);
	KT_EXPECT_EQ(res[4], E_OK);
	KT_EXPECT_EQ(res[5], E_EXISTS);
	/* Reaped: the page is unmapped and the quota paid back. */
	KT_EXPECT(!vmm_translate(u.p->as, va(0x700000), NULL, NULL));
	KT_EXPECT_EQ(u.q.used, used);
	uproc_fini(&u);
}
