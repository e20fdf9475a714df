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

/*
 * A client process calls a server process through an endpoint iters times, one CPU,
 * both pinned to it; the client times its loop. Its loop has two instructions more than
 * the runner's empty loop: taken off here.
 */
static uint64_t ipc_round_trips(uint64_t iters, const struct ipc_shape *sh)
{
	static struct uproc srv, cli;
	struct endpoint *ep;
	struct reply *r;
	struct notification *n;
	struct thread *ts, *tc;

	if (!uproc_init(&srv, sh->srv_start, sh->srv_end) ||
	    !uproc_init(&cli, sh->cli_start, sh->cli_end) ||
	    endpoint_create(&srv.q, &ep) != E_OK || reply_create(&srv.q, &r) != E_OK)
		panic("kbench: cannot make the IPC processes");
	cap_insert_root(&srv.cs, 3, endpoint_kobj(ep), CAP_R_ALL, 0);
	cap_insert_root(&cli.cs, 3, endpoint_kobj(ep), CAP_R_SEND, 0);
	cap_insert_root(&srv.cs, 4, reply_kobj(r), CAP_R_ALL, 0);
	kobj_put(endpoint_kobj(ep));
	kobj_put(reply_kobj(r));
	if (sh->cap) {
		/* What the client sends: a notification capability it may grant. */
		if (notification_create(&cli.q, &n) != E_OK)
			panic("kbench: cannot make the notification to send");
		cap_insert_root(&cli.cs, 5, &n->obj, CAP_R_ALL, 0);
		kobj_put(&n->obj);
	}
	cli.data[0] = iters;
	cli.data[4] = sh->call_info;
	cli.data[5] = sh->cap ? 5 : 0;
	cli.data[6] = srv.data[6] = IPCBUF_VA;
	srv.data[4] = sh->reply_info;
	srv.data[5] = sh->cap;
	if (user_thread_create(srv.p, CODE_VA, DATA_VA + PAGE_SIZE, DATA_VA, &ts) != E_OK ||
	    user_thread_create(cli.p, CODE_VA, DATA_VA + PAGE_SIZE, DATA_VA, &tc) != E_OK)
		panic("kbench: cannot make the IPC threads");
	sched_set_affinity(ts, 1);
	sched_set_affinity(tc, 1);
	thread_launch(ts);
	sched_sleep_ns(1000000);                /* the server is waiting */
	thread_launch(tc);
	thread_join(tc);
	uint64_t ticks = cli.data[1] - 2 * iters;
	if (cli.data[3] != E_OK)
		panic("kbench: ep_call failed: %s", kerr_name((kerr_t)cli.data[3]));
	process_kill(srv.p);
	thread_join(ts);
	if (sh->srv_start == ublob_ipc_server_buf_start) {
		/* Every message had its words and capability delivered and answered. */
		if (cli.data[7] != E_OK || srv.data[7] != E_OK)
			panic("kbench: ipc_buffer_set failed");
		if (srv.data[8] != E_OK)
			panic("kbench: the server could not delete a received capability");
		if (iters && cli.data[8] != sh->reply_info)
			panic("kbench: the answer's info word is %#lx, not %#lx", cli.data[8],
			      sh->reply_info);
	}
	uproc_fini(&srv);
	uproc_fini(&cli);
	return ticks;
}

/*
 * ipc_call_reply from user mode (issue 11's bound: 400): a client process calls a
 * server process through an endpoint, register-only messages, one CPU; each operation
 * is one ep_call and the server's ep_reply_recv, system-call entries and exits
 * included.
 */
KBENCH(ipc_call_reply, 10000)
{
	const struct ipc_shape sh = {
		ublob_ipc_server_start, ublob_ipc_server_end,
		ublob_ipc_client_start, ublob_ipc_client_end, 0, 0, false
	};

	return ipc_round_trips(iters, &sh);
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

	return ipc_round_trips(iters, &sh);
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

	return ipc_round_trips(iters, &sh);
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
