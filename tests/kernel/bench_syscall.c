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

/*
 * ipc_call_reply from user mode (issue 11's bound: 400): a client process calls a
 * server process through an endpoint, register-only messages, one CPU; each operation
 * is one ep_call and the server's ep_reply_recv, system-call entries and exits
 * included. The client's loop has two instructions more than the runner's empty loop:
 * taken off here.
 */
KBENCH(ipc_call_reply, 10000)
{
	static struct uproc srv, cli;
	struct endpoint *ep;
	struct reply *r;
	struct thread *ts, *tc;

	if (!uproc_init(&srv, ublob_ipc_server_start, ublob_ipc_server_end) ||
	    !uproc_init(&cli, ublob_ipc_client_start, ublob_ipc_client_end) ||
	    endpoint_create(&srv.q, &ep) != E_OK || reply_create(&srv.q, &r) != E_OK)
		panic("kbench: cannot make the IPC processes");
	cap_insert_root(&srv.cs, 3, endpoint_kobj(ep), CAP_R_ALL, 0);
	cap_insert_root(&cli.cs, 3, endpoint_kobj(ep), CAP_R_SEND, 0);
	cap_insert_root(&srv.cs, 4, reply_kobj(r), CAP_R_ALL, 0);
	kobj_put(endpoint_kobj(ep));
	kobj_put(reply_kobj(r));
	cli.data[0] = iters;
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
	uproc_fini(&srv);
	uproc_fini(&cli);
	return ticks;
}
