/*
 * The null system call from user mode (the bound: 60 instructions a round
 * trip; Linux's getppid is about 340 in the same harness): SYSCALL, the entry's
 * register save, the dispatch refusing an unknown number, the register restore and
 * SYSRET. syscall_clock adds the work of the cheapest real call, the clock.
 *
 * A user process runs the nullsys blob (user_blobs.S), which times its own loop with
 * RDTSCP; the runner subtracts its empty loop, which has the same shape.
 */
#include <kbench.h>
#include <panic.h>
#include "uproc.h"
#include <endpoint.h>
#include <notify.h>
#include <sched.h>

static uint64_t syscall_loop(uint64_t nr, uint64_t iters)
{
	static struct uproc u;

	if (!uproc_init(&u, ublob_nullsys_start, ublob_nullsys_end))
		panic("kbench: cannot make the user process");
	u.data[0] = iters;
	u.data[2] = nr;
	if (uproc_run(&u) != E_OK)
		panic("kbench: cannot run the user thread");
	uint64_t ticks = u.data[1];
	uproc_fini(&u);
	return ticks;
}

KBENCH(null_syscall, 20000)
{
	return syscall_loop(0xffff, iters);
}

KBENCH(syscall_clock, 20000)
{
	return syscall_loop(2, iters);
}

/* Where the long-message benchmarks' processes keep their IPC buffers. */
#define IPCBUF_VA 0x800000ull
/* Where map_unmap_4k maps its page. */
#define MAP_VA 0x800000ull

_Static_assert(offsetof(struct ipc_buffer, caps) == 512 &&
	       offsetof(struct ipc_buffer, cap_mask) == 528,
	       "user_blobs.S's IPCB_CAPS and IPCB_CAP_MASK");

/* One of the user-to-user round-trip benchmarks: the blobs of each side, the info word
 * each direction carries, and whether each call carries a capability. */
struct ipc_shape {
	const char *srv_start, *srv_end, *cli_start, *cli_end;
	uint64_t call_info, reply_info;
	bool cap;
};

/* A client process and a server process, and their threads. */
struct ipc_pair {
	struct uproc srv, cli;
	struct thread *ts, *tc;
};

/* A thread at each of two processes' blobs (the first made first), each pinned to its
 * CPU, not yet launched. */
static void make_two_threads(struct uproc *u1, struct thread **t1, unsigned cpu1,
			     struct uproc *u2, struct thread **t2, unsigned cpu2,
			     const char *what)
{
	if (user_thread_create(u1->p, CODE_VA, DATA_VA + PAGE_SIZE, DATA_VA, t1) != E_OK ||
	    user_thread_create(u2->p, CODE_VA, DATA_VA + PAGE_SIZE, DATA_VA, t2) != E_OK)
		panic("kbench: cannot make the %s threads", what);
	sched_set_affinity(*t1, 1ull << cpu1);
	sched_set_affinity(*t2, 1ull << cpu2);
}

/*
 * Make pair p for iters calls of shape sh: the server pinned to CPU scpu, launched and
 * receiving, and the client pinned to CPU ccpu, made but not launched.
 */
static void pair_make(struct ipc_pair *p, uint64_t iters, const struct ipc_shape *sh,
		      unsigned scpu, unsigned ccpu)
{
	struct uproc *srv = &p->srv, *cli = &p->cli;
	struct endpoint *ep;
	struct reply *r;
	struct notification *n;

	if (!uproc_init(srv, sh->srv_start, sh->srv_end) ||
	    !uproc_init(cli, sh->cli_start, sh->cli_end) ||
	    endpoint_create(&srv->q, &ep) != E_OK || reply_create(&srv->q, &r) != E_OK)
		panic("kbench: cannot make the IPC processes");
	cap_insert_root(&srv->cs, 3, endpoint_kobj(ep), CAP_R_ALL, 0);
	cap_insert_root(&cli->cs, 3, endpoint_kobj(ep), CAP_R_SEND, 0);
	cap_insert_root(&srv->cs, 4, reply_kobj(r), CAP_R_ALL, 0);
	kobj_put(endpoint_kobj(ep));
	kobj_put(reply_kobj(r));
	if (sh->cap) {
		/* What the client sends: a notification capability it may grant. */
		if (notification_create(&cli->q, &n) != E_OK)
			panic("kbench: cannot make the notification to send");
		cap_insert_root(&cli->cs, 5, &n->obj, CAP_R_ALL, 0);
		kobj_put(&n->obj);
	}
	cli->data[0] = iters;
	cli->data[4] = sh->call_info;
	cli->data[5] = sh->cap ? 5 : 0;
	cli->data[6] = srv->data[6] = IPCBUF_VA;
	srv->data[4] = sh->reply_info;
	srv->data[5] = sh->cap;
	make_two_threads(srv, &p->ts, scpu, cli, &p->tc, ccpu, "IPC");
	thread_launch(p->ts);
}

/* After the client of p has ended: check what it and its server saw, end the server
 * and free the pair. */
static void pair_end(struct ipc_pair *p, uint64_t iters, const struct ipc_shape *sh)
{
	struct uproc *srv = &p->srv, *cli = &p->cli;

	if (cli->data[3] != E_OK)
		panic("kbench: ep_call failed: %s", kerr_name((kerr_t)cli->data[3]));
	process_kill(srv->p);
	thread_join(p->ts);
	if (sh->srv_start == ublob_ipc_server_buf_start) {
		/* Every message had its words and capability delivered and answered. */
		if (cli->data[7] != E_OK || srv->data[7] != E_OK)
			panic("kbench: ipc_buffer_set failed");
		if (srv->data[8] != E_OK)
			panic("kbench: the server could not delete a received capability");
		if (iters && cli->data[8] != sh->reply_info)
			panic("kbench: the answer's info word is %#lx, not %#lx", cli->data[8],
			      sh->reply_info);
	}
	uproc_fini(srv);
	uproc_fini(cli);
}

/*
 * A client process calls a server process through an endpoint iters times, the server
 * on CPU scpu and the client on CPU ccpu (one CPU for both: 0 and 0); the client times
 * its loop. Its loop has two instructions more than the runner's empty loop: taken off
 * here.
 */
static uint64_t ipc_round_trips(uint64_t iters, const struct ipc_shape *sh, unsigned scpu,
				unsigned ccpu)
{
	static struct ipc_pair p;

	pair_make(&p, iters, sh, scpu, ccpu);
	sched_sleep_ns(1000000);                /* the server is waiting */
	thread_launch(p.tc);
	thread_join(p.tc);
	uint64_t ticks = p.cli.data[1] - 2 * iters;
	pair_end(&p, iters, sh);
	return ticks;
}

static const struct ipc_shape reg_shape = {
	ublob_ipc_server_start, ublob_ipc_server_end,
	ublob_ipc_client_start, ublob_ipc_client_end, 0, 0, false
};

/*
 * ipc_call_reply from user mode (issue 11's bound: 400): a client process calls a
 * server process through an endpoint, register-only messages, one CPU; each operation
 * is one ep_call and the server's ep_reply_recv, system-call entries and exits
 * included.
 */
KBENCH(ipc_call_reply, 10000)
{
	return ipc_round_trips(iters, &reg_shape, 0, 0);
}

/* The same with 64-word messages both ways (bound: 900): four words in registers, 60
 * copied from the sender's IPC buffer to the receiver's. */
KBENCH(ipc_call_reply_64w, 10000)
{
	const struct ipc_shape sh = {
		ublob_ipc_server_buf_start, ublob_ipc_server_buf_end,
		ublob_ipc_client_buf_start, ublob_ipc_client_buf_end,
		ipc_info(0, IPC_MAX_WORDS, 0), ipc_info(0, IPC_MAX_WORDS, 0), false
	};

	return ipc_round_trips(iters, &sh, 0, 0);
}

/* Each call carries one capability (bound: 1,200), which the server receives into its
 * lowest free slot and deletes with cap_delete before answering, as a server with no
 * use for it would: the transfer and the delete are both counted. */
KBENCH(ipc_call_reply_cap, 10000)
{
	const struct ipc_shape sh = {
		ublob_ipc_server_buf_start, ublob_ipc_server_buf_end,
		ublob_ipc_client_buf_start, ublob_ipc_client_buf_end,
		ipc_info(0, 0, 1), 0, true
	};

	return ipc_round_trips(iters, &sh, 0, 0);
}

/*
 * ipc_cross_cpu (report): ipc_call_reply with the server on CPU 1 and the client on
 * CPU 0. Each call wakes the server on the other CPU (an IPI out of its halt), and each
 * answer the client, so every round trip has two IPIs, two interrupt entries and two
 * idle-loop exits besides the IPC itself. Under -icount TCG runs the CPUs one at a
 * time and the TSC counts the instructions of all of them (docs/PERFORMANCE.md): the
 * figure is the instructions both CPUs execute for a round trip, not its latency.
 */
KBENCH_CPUS(ipc_cross_cpu, 2000, 1, 2)
{
	return ipc_round_trips(iters, &reg_shape, 1, 0);
}

#define MAX_PAIRS 4

/* n pairs, pair i's client and server both on CPU i, each making iters calls: the
 * ticks from launching the first client to the last client's end. */
static uint64_t pairs_run(uint64_t iters, unsigned n)
{
	static struct ipc_pair pairs[MAX_PAIRS];

	for (unsigned i = 0; i < n; i++)
		pair_make(&pairs[i], iters, &reg_shape, i, i);
	sched_sleep_ns(1000000);                /* the servers are waiting */
	uint64_t t0 = kbench_now();
	for (unsigned i = 0; i < n; i++)
		thread_launch(pairs[i].tc);
	for (unsigned i = 0; i < n; i++)
		thread_join(pairs[i].tc);
	uint64_t t = kbench_now() - t0;
	for (unsigned i = 0; i < n; i++)
		pair_end(&pairs[i], iters, &reg_shape);
	return t;
}

/*
 * ipc_pairs_<n> (report): n client/server pairs, each on a CPU of its own, making
 * register-only round trips at once; the figure is instructions per round trip, all
 * CPUs' instructions over all pairs' round trips. Under -icount that sum is what the
 * TSC counts, so a cost per round trip that stays ipc_pairs_1's as n grows shows
 * that nothing shared makes it scale worse: a global lock spun on, a queue scanned,
 * work done on every CPU would add instructions (docs/PERFORMANCE.md says what it
 * cannot show). All three need a machine of MAX_PAIRS CPUs, so that they compare like
 * with like. Timed from the kernel, which launches the clients, so the fixed cost
 * — launching and ending n clients — is measured with no round trips and taken off;
 * and the clients' loops' own instructions past the runner's empty loop.
 */
static uint64_t ipc_pairs(uint64_t iters, unsigned n)
{
	uint64_t fixed = pairs_run(0, n), t = pairs_run(iters, n);
	uint64_t loops = (5 * n - 3) * iters;   /* the runner takes off 3 an iteration */

	return t > fixed + loops ? t - fixed - loops : 0;
}

KBENCH_CPUS(ipc_pairs_1, 4000, 1, MAX_PAIRS)
{
	return ipc_pairs(iters, 1);
}

KBENCH_CPUS(ipc_pairs_2, 4000, 2, MAX_PAIRS)
{
	return ipc_pairs(iters, 2);
}

KBENCH_CPUS(ipc_pairs_4, 4000, 4, MAX_PAIRS)
{
	return ipc_pairs(iters, 4);
}

/*
 * yield_cross_as from user mode (issue 11's bound: 400): two processes on one CPU
 * yielding to each other; each operation is one yield system call that switches to the
 * other process's thread, address-space switch included, until that thread's own
 * yield returns. The kernel threads' figure is yield_cross_as_kthreads (bench_sched.c).
 */
KBENCH_N(yield_cross_as, 5000, 2)
{
	static struct uproc a, b;
	struct thread *ta, *tb;

	if (!uproc_init(&a, ublob_yield_timed_start, ublob_yield_timed_end) ||
	    !uproc_init(&b, ublob_yield_forever_start, ublob_yield_forever_end))
		panic("kbench: cannot make the yielding processes");
	a.data[0] = iters;
	a.data[3] = E_INVAL;
	make_two_threads(&b, &tb, 0, &a, &ta, 0, "yielding");
	b.data[2] = 0;
	thread_launch(tb);
	thread_launch(ta);
	thread_join(ta);
	if (iters && a.data[3] != E_OK)
		panic("kbench: yield failed: %s", kerr_name((kerr_t)a.data[3]));
	/* Every yield of the timed thread let the other run (its count is read racily:
	 * it runs on while this thread reads). */
	if (b.data[2] < iters)
		panic("kbench: the other process ran %lu times in %lu yields", b.data[2], iters);
	uint64_t ticks = a.data[1] - iters;
	process_kill(b.p);
	thread_join(tb);
	uproc_fini(&a);
	uproc_fini(&b);
	return ticks;
}

/*
 * notify_signal_wait from user mode (issue 11's bound: 600): two processes on one CPU,
 * each waiting on its own notification and signalling the other's. Each operation is
 * one signal that wakes the other process's waiting thread, up to that thread's wait
 * returning: the signal system call, the signaller's own wait, which blocks and so
 * lets the woken thread run, and the woken thread's way out of its wait. (The kernel's
 * own notify_ping_pong is the same without the system calls.)
 */
KBENCH_N(notify_signal_wait, 5000, 2)
{
	static struct uproc a, b;
	struct notification *na, *nb;
	struct thread *ta, *tb;

	if (!uproc_init(&a, ublob_notify_ping_start, ublob_notify_ping_end) ||
	    !uproc_init(&b, ublob_notify_pong_start, ublob_notify_pong_end) ||
	    notification_create(&a.q, &na) != E_OK || notification_create(&b.q, &nb) != E_OK)
		panic("kbench: cannot make the notification processes");
	cap_insert_root(&a.cs, 4, &na->obj, CAP_R_ALL, 0);
	cap_insert_root(&b.cs, 3, &na->obj, CAP_R_SIGNAL, 0);
	cap_insert_root(&b.cs, 4, &nb->obj, CAP_R_ALL, 0);
	cap_insert_root(&a.cs, 3, &nb->obj, CAP_R_SIGNAL, 0);
	kobj_put(&na->obj);
	kobj_put(&nb->obj);
	a.data[0] = iters;
	a.data[3] = E_INVAL;
	make_two_threads(&b, &tb, 0, &a, &ta, 0, "notification");
	thread_launch(tb);
	sched_sleep_ns(1000000);                /* the partner is waiting */
	thread_launch(ta);
	thread_join(ta);
	if (iters && a.data[3] != E_OK)
		panic("kbench: notify_wait failed: %s", kerr_name((kerr_t)a.data[3]));
	uint64_t ticks = a.data[1] - 4 * iters;
	process_kill(b.p);
	thread_join(tb);
	uproc_fini(&a);
	uproc_fini(&b);
	return ticks;
}

/*
 * map_unmap_4k from user mode (report only): mem_map of a one-page memory object
 * (read, write), a write to the page and a read back, mem_unmap. The loop's own
 * instructions, past the empty loop's, are counted with the operation.
 */
KBENCH(map_unmap_4k, 10000)
{
	static struct uproc u;
	struct memobj *m;

	if (!uproc_init(&u, ublob_mapunmap_start, ublob_mapunmap_end) ||
	    memobj_create(&u.q, 1, &m) != E_OK)
		panic("kbench: cannot make the map/unmap process");
	cap_insert_root(&u.cs, 5, &m->obj, CAP_R_ALL, 0);
	kobj_put(&m->obj);
	u.data[0] = iters;
	u.data[4] = MAP_VA;
	if (uproc_run(&u) != E_OK)
		panic("kbench: cannot run the user thread");
	if (u.data[3] != E_OK)
		panic("kbench: mem_map or mem_unmap failed: %s", kerr_name((kerr_t)u.data[3]));
	if (u.data[5] != iters * (iters + 1) / 2)
		panic("kbench: the mapped page did not keep its contents");
	uint64_t ticks = u.data[1];
	uproc_fini(&u);
	return ticks;
}

/*
 * thread_create_exit (report only): a user thread is made in a process, runs to ring
 * 3, whose first instruction ends it with thread_exit, and is reaped — its stack, state
 * and charge given back — before thread_join returns. Driven from the kernel: there is
 * no system call to wait for a thread.
 */
KBENCH(thread_create_exit, 2000)
{
	static struct uproc u;
	struct thread *t;

	if (!uproc_init(&u, ublob_exit_start, ublob_exit_end))
		panic("kbench: cannot make the user process");
	uint64_t t0 = kbench_now();
	for (uint64_t i = 0; i < iters; i++) {
		if (user_thread_create(u.p, CODE_VA, DATA_VA + PAGE_SIZE, DATA_VA, &t) != E_OK)
			panic("kbench: cannot make the user thread");
		sched_set_affinity(t, 1);
		thread_launch(t);
		thread_join(t);
	}
	uint64_t ticks = kbench_now() - t0;
	uproc_fini(&u);
	return ticks;
}
