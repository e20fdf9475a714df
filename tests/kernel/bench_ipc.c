/*
 * IPC benchmarks. notify_ping_pong: two threads of different processes on one CPU,
 * each waiting on its own notification and signalling the other's, so every operation
 * counted is one signal that wakes a blocked thread in another address space, through
 * capability lookups, up to the woken thread returning from its wait (the issue's
 * bound: 600 instructions).
 */
#include <kbench.h>
#include <cap.h>
#include <notify.h>
#include <panic.h>
#include <thread.h>

struct side {
	struct cspace cs;       /* slot 1: wait on mine; slot 2: signal the other's */
	uint64_t iters;
	bool starts;
};

static void ping(void *p)
{
	struct side *s = p;
	uint64_t bits;

	for (uint64_t i = 0; i < s->iters; i++) {
		if (s->starts)
			notify_signal(&s->cs, 2, 1);
		notify_wait(&s->cs, 1, &bits);
		if (!s->starts)
			notify_signal(&s->cs, 2, 1);
	}
}

KBENCH_N(notify_ping_pong, 5000, 2)
{
	static struct side a, b;
	static struct quota q;
	struct notification *na, *nb;
	struct process *pa, *pb;

	quota_init(&q, 1 << 20);
	if (cspace_init(&a.cs, 4, &q) || cspace_init(&b.cs, 4, &q) ||
	    notification_create(&q, &na) || notification_create(&q, &nb) ||
	    process_create("ping", &pa) || process_create("pong", &pb))
		panic("kbench: out of memory");
	cap_insert_root(&a.cs, 1, &na->obj, CAP_R_ALL, 0);
	cap_insert_root(&b.cs, 2, &na->obj, CAP_R_SIGNAL, 0);
	cap_insert_root(&b.cs, 1, &nb->obj, CAP_R_ALL, 0);
	cap_insert_root(&a.cs, 2, &nb->obj, CAP_R_SIGNAL, 0);
	kobj_put(&na->obj);
	kobj_put(&nb->obj);
	a.iters = b.iters = iters;
	a.starts = true;
	b.starts = false;
	struct thread *x = thread_create(pa, "ping", ping, &a, PRIO_DEFAULT - 1, 1);
	struct thread *y = thread_create(pb, "pong", ping, &b, PRIO_DEFAULT - 1, 1);
	if (!x || !y)
		panic("kbench: out of memory creating threads");
	uint64_t t0 = kbench_now();
	thread_join(x);
	thread_join(y);
	uint64_t t = kbench_now() - t0;
	cspace_destroy(&a.cs);
	cspace_destroy(&b.cs);
	process_put(pa);
	process_put(pb);
	return t;
}
