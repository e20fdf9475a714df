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
#include <endpoint.h>
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

struct rpc_side {
	struct cspace cs;               /* server: 1 endpoint, 2 reply; client: 1 endpoint */
	uint64_t iters;
};

static void rpc_server(void *p)
{
	struct rpc_side *s = p;
	struct ipc_msg m;
	uint64_t badge;

	ep_recv(1, 2, &m, &badge, IPC_FOREVER);
	for (uint64_t i = 1; i < s->iters; i++) {
		m.w[0]++;
		ep_reply_recv(1, 2, &m, &badge);
	}
	m.w[0]++;
	ep_reply(2, &m);
}

static void rpc_client(void *p)
{
	struct rpc_side *s = p;
	struct ipc_msg m = { .info = ipc_info(1, 1, 0) };

	for (uint64_t i = 0; i < s->iters; i++)
		ep_call(1, &m);
	if (m.w[0] != s->iters)
		panic("kbench: call_reply_recv lost answers (%lu of %lu)", m.w[0], s->iters);
}

KBENCH_N(call_reply_recv, 5000, 1)
{
	static struct rpc_side srv, cl;
	static struct quota q;
	struct endpoint *ep;
	struct reply *rp;
	struct process *ps, *pc;

	quota_init(&q, 1 << 20);
	if (cspace_init(&srv.cs, 4, &q) || cspace_init(&cl.cs, 4, &q) ||
	    endpoint_create(&q, &ep) || reply_create(&q, &rp) ||
	    process_create("server", &ps) || process_create("client", &pc))
		panic("kbench: out of memory");
	cap_insert_root(&srv.cs, 1, endpoint_kobj(ep), CAP_R_ALL, 0);
	cap_insert_root(&cl.cs, 1, endpoint_kobj(ep), CAP_R_SEND, 0);
	cap_insert_root(&srv.cs, 2, reply_kobj(rp), CAP_R_ALL, 0);
	kobj_put(endpoint_kobj(ep));
	kobj_put(reply_kobj(rp));
	ps->cspace = &srv.cs;
	pc->cspace = &cl.cs;
	srv.iters = cl.iters = iters;
	struct thread *x = thread_create(ps, "server", rpc_server, &srv, PRIO_DEFAULT - 1, 1);
	struct thread *y = thread_create(pc, "client", rpc_client, &cl, PRIO_DEFAULT - 1, 1);
	if (!x || !y)
		panic("kbench: out of memory creating threads");
	uint64_t t0 = kbench_now();
	thread_join(y);
	thread_join(x);
	uint64_t t = kbench_now() - t0;
	cspace_destroy(&srv.cs);
	cspace_destroy(&cl.cs);
	process_put(ps);
	process_put(pc);
	return t;
}
