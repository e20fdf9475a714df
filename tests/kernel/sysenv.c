/*
 * The system-call tests' fixture (sysenv.h): a process with a capability of every kind,
 * system calls dispatched as the SYSCALL entry would, and the counts a leak check
 * compares.
 */
#define SYSCALL_DESCS
#include <syscall_table.h>
#include <ktest.h>
#include "sysenv.h"
#include "frames.h"
#include "objects.h"
#include "settle.h"
#include <endpoint.h>
#include <heap.h>
#include <klib.h>
#include <memobj.h>
#include <taskcap.h>
#include <usermode.h>
#include <vmm.h>
#include <arch/ioapic.h>

extern const char ublob_hello_start[], ublob_hello_end[];

struct env sysenv;
uint64_t sysenv_calls;

void *sysenv_page(struct process *p, uint64_t uva)
{
	paddr_t pa_;

	return vmm_translate(p->as, va(uva), &pa_, NULL) ? phys_to_virt(pa_) : NULL;
}

static bool make_mem(struct env *v, uint32_t slot)
{
	struct memobj *mo;

	return memobj_create(&v->q, 1, &mo) == E_OK && give_cap(&v->cs, slot, &mo->obj);
}

static bool make_ep(struct env *v, uint32_t slot)
{
	struct endpoint *e;

	return endpoint_create(&v->q, &e) == E_OK && give_cap(&v->cs, slot, endpoint_kobj(e));
}

static bool make_reply(struct env *v, uint32_t slot)
{
	struct reply *r;

	return reply_create(&v->q, &r) == E_OK && give_cap(&v->cs, slot, reply_kobj(r));
}

bool env_init(struct env *v)
{
	struct kobj *o;

	memset(v, 0, sizeof(*v));
	quota_init(&v->q, 4 << 20);
	if (cspace_init(&v->cs, SLOTS, &v->q) != E_OK || process_create("sys", &v->p) != E_OK)
		return false;
	v->p->cspace = &v->cs;
	if (!make_mem(v, S_DATA) || !make_ep(v, S_EP) || !make_reply(v, S_REPLY) ||
	    !make_notification(&v->cs, S_NOTIF, &v->q) || !make_mem(v, S_MEM) ||
	    !make_ioport(&v->cs, S_PORTS, &v->q, CMOS_INDEX, 2) || !make_mem(v, S_CODE))
		return false;
	if (process_create_user("other", &v->q, 8, 1 << 16, &v->other) != E_OK)
		return false;
	if (process_obj_create(&v->q, v->other, &o) != E_OK || !give_cap(&v->cs, S_PROC, o))
		return false;
	if (irq_line_create(&v->q, ioapic_gsi_count() - 1, IRQ_ACTIVE_HIGH, IRQ_EDGE,
			    &v->irq) != E_OK || !give_cap(&v->cs, S_IRQ, &v->irq->obj))
		return false;
	if (cap_mint(&v->cs, S_EP, &v->cs, S_BADGED, CAP_R_ALL, 0x77) != E_OK)
		return false;
	if (mem_map(&v->cs, S_DATA, v->p, va(DATA_VA), CAP_R_READ | CAP_R_WRITE) != E_OK ||
	    mem_map(&v->cs, S_CODE, v->p, va(CODE_VA), CAP_R_READ | CAP_R_EXEC) != E_OK)
		return false;
	memcpy(sysenv_page(v->p, CODE_VA), ublob_hello_start,
	       (size_t)(ublob_hello_end - ublob_hello_start));
	v->data = sysenv_page(v->p, DATA_VA);
	return v->data != NULL;
}

void env_fini(struct env *v)
{
	if (v->other)
		process_put(v->other);
	if (v->p) {
		v->p->cspace = &cspace_empty;
		process_put(v->p);
	}
	cspace_destroy(&v->cs);
}

bool thread_cap_self(struct env *v, uint32_t slot)
{
	struct kobj *o;

	return thread_obj_create(&v->q, thread_current(), &o) == E_OK &&
	       give_cap(&v->cs, slot, o);
}

bool run_in(struct env *v, void (*fn)(void *), void *arg)
{
	struct thread *t = thread_create(v->p, "sys-test", fn, arg, PRIO_DEFAULT, AFFINITY_ALL);

	if (!t)
		return false;
	thread_join(t);
	return true;
}

void sysenv_run(void (*fn)(void *), void *arg, const char *what)
{
	struct env *v = &sysenv;
	uint64_t threads = thread_count();

	if (!env_init(v)) {
		ktest_fail_at(__FILE__, __LINE__, "fixture for %s", what);
	} else {
		struct counts before = counts_now(v);
		if (!run_in(v, fn, arg ? arg : v))
			ktest_fail_at(__FILE__, __LINE__, "no thread for %s", what);
		settle_threads(threads);
		expect_counts(before, counts_now(v), what);
	}
	env_fini(v);
	settle_threads(threads);
	KT_EXPECT_EQ(thread_count(), threads);
	KT_EXPECT_EQ(v->q.used, 0);
}

/* ---- one call ---- */

kerr_t sysenv_call(uint64_t nr, const uint64_t a[6], struct syscall_frame *out)
{
	struct syscall_frame f = {
		.rax = nr, .rdi = a[0], .rsi = a[1], .rdx = a[2], .r10 = a[3], .r8 = a[4],
		.r9 = a[5], .rip = 0x401000, .rflags = 0x202, .rsp = 0x7000,
	};
	const uint64_t *res = &f.rdi;

	__atomic_fetch_add(&sysenv_calls, 1, __ATOMIC_RELAXED);
	syscall_dispatch(&f);
	kerr_t e = (kerr_t)f.rax;
	if (f.rip != 0x401000 || f.rflags != 0x202 || f.rsp != 0x7000)
		ktest_fail_at(__FILE__, __LINE__, "call %llu changed a preserved register",
			      (unsigned long long)nr);
	if (nr >= SYS_COUNT) {
		if (e != E_NOSYS)
			ktest_fail_at(__FILE__, __LINE__, "call %#llx: %s, not E_NOSYS",
				      (unsigned long long)nr, kerr_name(e));
	} else if (e != E_OK && !(syscall_descs[nr].errors & (1u << e))) {
		ktest_fail_at(__FILE__, __LINE__, "%s returned %s, which it does not document",
			      syscall_descs[nr].name, kerr_name(e));
	}
	for (unsigned i = 0; i < 6; i++) {
		bool result = e == E_OK && nr < SYS_COUNT && (syscall_descs[nr].results & (1u << i));
		if (!result && res[i])
			ktest_fail_at(__FILE__, __LINE__, "call %#llx (%s): result register %u "
				      "not zero", (unsigned long long)nr, kerr_name(e), i);
	}
	if (out)
		*out = f;
	return e;
}

/* ---- what the state is, for leak checks ---- */

struct counts counts_of(const struct quota *q)
{
	struct counts c = {
		.frames = frames_used(), .quota = q->used, .caps = cap_count(),
		.objs = kobj_count(), .threads = thread_count(), .procs = process_count(),
		.maps = mem_mapping_count(),
	};

	c.heap = heap_get_stats().bytes_in_use;
	return c;
}

void expect_counts_at(const char *file, int line, struct counts a, struct counts b,
		      const char *what)
{
	if (a.frames != b.frames || a.quota != b.quota || a.caps != b.caps || a.objs != b.objs ||
	    a.threads != b.threads || a.procs != b.procs || a.maps != b.maps || a.heap != b.heap)
		ktest_fail_at(file, line, "%s leaked or changed state: frames %llu->%llu "
			      "quota %llu->%llu caps %llu->%llu objs %llu->%llu threads %llu->%llu "
			      "procs %llu->%llu maps %llu->%llu heap bytes %llu->%llu", what,
			      (unsigned long long)a.frames, (unsigned long long)b.frames,
			      (unsigned long long)a.quota, (unsigned long long)b.quota,
			      (unsigned long long)a.caps, (unsigned long long)b.caps,
			      (unsigned long long)a.objs, (unsigned long long)b.objs,
			      (unsigned long long)a.threads, (unsigned long long)b.threads,
			      (unsigned long long)a.procs, (unsigned long long)b.procs,
			      (unsigned long long)a.maps, (unsigned long long)b.maps,
			      (unsigned long long)a.heap, (unsigned long long)b.heap);
}
