/*
 * SMP torture: for a bounded time (torture.seconds on the command line, 10 by default)
 * threads pinned to every CPU at once
 *
 *   - make IPC calls to servers in another process, on other CPUs and on their own
 *     (the fast path), every fourth call carrying a capability;
 *   - ping-pong through notifications, and signal one notification from three threads
 *     that each wait for their own acknowledgement;
 *   - derive capabilities (copies, mints, chains, into two spaces) from a root that
 *     another thread keeps revoking;
 *   - create and end threads: kernel threads that run and exit, and user processes with
 *     a thread spinning in ring 3, one waiting on a notification and one asleep, killed;
 *   - map and unmap a memory object in a process whose threads spin in ring 3 on other
 *     CPUs (each unmap a TLB shootdown), and map through a child capability whose parent
 *     is revoked while another thread unmaps the same mapping.
 *
 * Then each worker is told to stop and must end within a bounded wait; one that does
 * not is named with what it was waiting in. Every IPC round trip, notification and
 * acknowledgement is counted on both sides and the counts must agree (a lost wake-up is
 * a hang or a difference); every worker must have made progress; the derivation tree
 * must be sound; and once everything is torn down, frames, heap bytes, objects,
 * capabilities, threads, processes and mappings are back where they were.
 */
#include <ktest.h>
#include "objects.h"
#include "frames.h"
#include "settle.h"
#include "uproc.h"
#include <bootinfo.h>
#include <cmdline.h>
#include <endpoint.h>
#include <heap.h>
#include <klib.h>
#include <log.h>
#include <memobj.h>
#include <sched.h>
#include <time.h>

#define DEFAULT_SECONDS 10
#define STOP_WAIT_NS    5000000000ull   /* for every worker to end once told */

#define PAIRS           3               /* IPC client/server pairs */
#define SIGNALERS       3
#define DERIVERS        2
#define DER_SLOTS       16

/* P's slots (clients, notifications, derivation, churn). */
enum {
	P_EP = 1,                       /* + pair: the endpoints */
	P_PING = P_EP + PAIRS, P_PONG,
	P_SIG, P_ACK,                   /* + signaler */
	P_ROOT = P_ACK + SIGNALERS,     /* the endpoint derivations start from */
	P_CHURN,
	P_XFER,                         /* + pair: a copy of the root each client sends */
	P_DER = 32,                     /* + 16 * deriver */
	P_SLOTS = P_DER + DER_SLOTS * DERIVERS,
};
/* Q's (servers): the endpoints and reply objects; transfers land above them. */
enum { Q_EP = 1, Q_REPLY = Q_EP + PAIRS, Q_SLOTS = 64 };
/* B's: only derivations land there. */
enum { B_DER = 1, B_SLOTS = B_DER + DER_SLOTS * DERIVERS };
/* M's (the mapped process, a uproc: 1 code, 2 data). */
enum { M_SHARED = 3, M_ROOT, M_CHILD };

#define M_MAP_VA        0x40000000ull   /* + 2 MiB * i: a page table each */
#define M_RACE_VA       0x50000000ull
#define BUF_VA(i)       (0x20000000ull + (uint64_t)(i) * PAGE_SIZE)

enum { LABEL_STOP = 1, LABEL_CALL = 2 };

struct worker {
	const char *name;
	void (*fn)(struct worker *w);
	unsigned index;                 /* which pair, signaler, deriver */
	struct process *proc;
	struct thread *t;
	const char *volatile where;     /* what it waits in now, for a hang report */
	volatile uint64_t ops;          /* what it has done */
	volatile uint64_t errors;
	volatile bool done;
};

static struct {
	struct quota q;
	struct cspace cs_p, cs_q, cs_b;
	struct process *p, *qp;
	struct uproc m;                 /* spinners in ring 3, and the mappings */
	struct thread *spinners[2];
	volatile bool stop;
	uint64_t acks[SIGNALERS];       /* [waiter] */
} T;

static void error(struct worker *w, const char *what, kerr_t e)
{
	/* A wait cancelled at the end was reported as the hang it was. */
	if (T.stop && e == E_CANCELED)
		return;
	if (w->errors++ < 3)
		ktest_fail_at(__FILE__, __LINE__, "%s: %s: %s", w->name, what, kerr_name(e));
}

/*
 * The workers that never wait (deriving, mapping, racing) run at most BUSY_NS, then
 * sleep as long: so that they share their CPUs in small steps, with each other, the
 * threads spinning in ring 3 and the exchanges, rather than in whole 10 ms slices
 * (measured: many times the operations of a yield now and then).
 */
#define BUSY_NS         2000000ull

static void breathe(uint64_t *since)
{
	uint64_t now = clock_ns();

	if (now - *since < BUSY_NS)
		return;
	sched_sleep_ns(BUSY_NS);
	*since = clock_ns();
}

/* An expected result, or error. */
static void want(struct worker *w, const char *what, kerr_t e, kerr_t ok1, kerr_t ok2)
{
	if (e != ok1 && e != ok2)
		error(w, what, e);
}

/* ---- IPC ---- */

static void ipc_server(struct worker *w)
{
	unsigned i = w->index;
	struct ipc_msg m = { 0 };
	uint64_t badge;

	if (ipc_buffer_attach(thread_current(), BUF_VA(i)) != E_OK) {
		error(w, "ipc_buffer_attach", E_NO_MEMORY);
		return;
	}
	struct ipc_buffer *b = thread_current()->ipc_buf;
	w->where = "ep_recv";
	kerr_t e = ep_recv(Q_EP + i, Q_REPLY + i, &m, &badge, IPC_FOREVER);
	while (e == E_OK && ipc_label(m.info) != LABEL_STOP) {
		/* A capability that came may have been revoked since: gone already. */
		if (ipc_ncaps(m.info) && b->caps[0])
			want(w, "cap_delete of a received capability",
			     cap_delete(&T.cs_q, b->caps[0]), E_OK, E_NOT_FOUND);
		w->ops++;
		m = (struct ipc_msg){ .info = ipc_info(LABEL_CALL + 1, 1, 0), .w = { m.w[0] } };
		w->where = "ep_reply_recv";
		e = ep_reply_recv(Q_EP + i, Q_REPLY + i, &m, &badge);
	}
	if (e != E_OK) {
		error(w, w->where, e);
		return;
	}
	m = (struct ipc_msg){ .info = ipc_info(LABEL_STOP, 0, 0) };
	want(w, "ep_reply", ep_reply(Q_REPLY + i, &m), E_OK, E_OK);
}

static void ipc_client(struct worker *w)
{
	unsigned i = w->index;

	if (ipc_buffer_attach(thread_current(), BUF_VA(i)) != E_OK) {
		error(w, "ipc_buffer_attach", E_NO_MEMORY);
		return;
	}
	struct ipc_buffer *b = thread_current()->ipc_buf;
	for (uint64_t seq = 1; !T.stop; seq++) {
		bool with_cap = seq % 4 == 0;
		if (with_cap) {
			/* A fresh child of the root, which a revoke may take before the call
			 * (then the call is refused before anything happens: E_NOT_FOUND). */
			cap_delete(&T.cs_p, P_XFER + i);
			want(w, "cap_copy", cap_copy(&T.cs_p, P_ROOT, &T.cs_p, P_XFER + i, CAP_R_ALL),
			     E_OK, E_OK);
			b->caps[0] = P_XFER + i;
			b->cap_mask[0] = CAP_R_ALL;
		}
		struct ipc_msg m = { .info = ipc_info(LABEL_CALL, 1, with_cap), .w = { seq } };
		w->where = "ep_call";
		kerr_t e = ep_call(P_EP + i, &m);
		if (e == E_NOT_FOUND && with_cap)
			continue;
		if (e != E_OK) {
			error(w, "ep_call", e);
			break;
		}
		if (ipc_label(m.info) != LABEL_CALL + 1 || m.w[0] != seq)
			error(w, "a wrong answer", E_INVAL);
		w->ops++;
	}
	struct ipc_msg m = { .info = ipc_info(LABEL_STOP, 0, 0) };
	w->where = "ep_call (stop)";
	want(w, "ep_call (stop)", ep_call(P_EP + i, &m), E_OK, E_OK);
}

/* ---- notifications ---- */

static void ping(struct worker *w)
{
	uint64_t bits;

	while (!T.stop) {
		want(w, "notify_signal", notify_signal(&T.cs_p, P_PING, 1), E_OK, E_OK);
		w->where = "notify_wait (pong)";
		want(w, "notify_wait", notify_wait(&T.cs_p, P_PONG, &bits), E_OK, E_OK);
		w->ops++;
	}
	notify_signal(&T.cs_p, P_PING, 2);
}

static void pong(struct worker *w)
{
	uint64_t bits = 0;

	while (!(bits & 2)) {
		w->where = "notify_wait (ping)";
		kerr_t e = notify_wait(&T.cs_p, P_PING, &bits);
		if (e != E_OK) {
			error(w, "notify_wait", e);
			return;
		}
		if (bits & 1) {
			w->ops++;
			notify_signal(&T.cs_p, P_PONG, 1);
		}
	}
}

/* Each signaler its own bit, and it waits for the acknowledgement before the next: no
 * signal can be folded into another, so acknowledgements must equal signals. */
static void signaler(struct worker *w)
{
	unsigned k = w->index;
	uint64_t bits;

	while (!T.stop) {
		want(w, "notify_signal", notify_signal(&T.cs_p, P_SIG, 1ull << k), E_OK, E_OK);
		w->where = "notify_wait (ack)";
		want(w, "notify_wait", notify_wait(&T.cs_p, P_ACK + k, &bits), E_OK, E_OK);
		w->ops++;
	}
	notify_signal(&T.cs_p, P_SIG, 1ull << (SIGNALERS + k));
}

static void sig_waiter(struct worker *w)
{
	uint64_t stopped = 0, all = ((1ull << SIGNALERS) - 1) << SIGNALERS;

	while ((stopped & all) != all) {
		uint64_t bits = 0;
		w->where = "notify_wait (signals)";
		kerr_t e = notify_wait(&T.cs_p, P_SIG, &bits);
		if (e != E_OK) {
			error(w, "notify_wait", e);
			return;
		}
		for (unsigned k = 0; k < SIGNALERS; k++)
			if (bits & (1ull << k)) {
				T.acks[k]++;
				notify_signal(&T.cs_p, P_ACK + k, 1);
			}
		stopped |= bits;
		w->ops++;
	}
}

/* ---- capability derivation ---- */

static void deriver(struct worker *w)
{
	unsigned k = w->index;
	struct cspace *last_cs = NULL;
	uint32_t last = 0;
	uint64_t since = clock_ns();

	for (uint64_t i = 0; !T.stop; i++) {
		bool into_b = i & 1;
		struct cspace *cs = into_b ? &T.cs_b : &T.cs_p;
		uint32_t s = (into_b ? B_DER : P_DER) + k * DER_SLOTS + (uint32_t)(i % DER_SLOTS);
		kerr_t e;

		want(w, "cap_delete", cap_delete(cs, s), E_OK, E_NOT_FOUND);
		if (i % 5 == 0)
			e = cap_mint(&T.cs_p, P_ROOT, cs, s, CAP_R_ALL, i + 1);
		else if (i % 3 == 0 || !last)
			e = cap_copy(&T.cs_p, P_ROOT, cs, s, CAP_R_ALL);
		else    /* a chain: from the last one made, if a revoke left it */
			e = cap_copy(last_cs, last, cs, s, CAP_R_ALL);
		want(w, "derive", e, E_OK, E_NOT_FOUND);
		last_cs = cs;
		last = e == E_OK ? s : 0;
		if (e == E_OK && i % 7 == 0)
			want(w, "cap_revoke", cap_revoke(cs, s), E_OK, E_NOT_FOUND);
		w->ops++;
		breathe(&since);
	}
}

static void revoker(struct worker *w)
{
	while (!T.stop) {
		want(w, "cap_revoke", cap_revoke(&T.cs_p, P_ROOT), E_OK, E_OK);
		w->ops++;
		sched_sleep_ns(200000);
	}
}

/* ---- threads made and ended ---- */

static void churn_child(void *arg)
{
	notify_signal(&T.cs_p, P_CHURN, 1);
}

static void churn(struct worker *w)
{
	static struct uproc u;

	for (uint64_t i = 0; !T.stop; i++) {
		if (i % 2 == 0) {
			struct thread *t[3];
			for (int j = 0; j < 3; j++)
				t[j] = thread_create(T.p, "churn", churn_child, NULL, PRIO_DEFAULT,
						     AFFINITY_ALL);
			w->where = "thread_join (kernel threads)";
			for (int j = 0; j < 3; j++)
				if (t[j])
					thread_join(t[j]);
				else
					error(w, "thread_create", E_NO_MEMORY);
		} else {
			/* A process with a thread in each kind of wait, killed. */
			struct thread *t[3] = { NULL, NULL, NULL };
			if (!uproc_init(&u, ublob_linger_start, ublob_linger_end) ||
			    !make_notification(&u.cs, 3, &u.q)) {
				error(w, "uproc_init", E_NO_MEMORY);
				break;
			}
			for (uint64_t mode = 0; mode < 3; mode++) {
				want(w, "user_thread_create",
				     user_thread_create(u.p, CODE_VA, DATA_VA + PAGE_SIZE, mode,
							&t[mode]), E_OK, E_OK);
				if (t[mode])
					thread_launch(t[mode]);
			}
			sched_sleep_ns(1000000);
			process_kill(u.p);
			w->where = "thread_join (killed user threads)";
			for (int j = 0; j < 3; j++)
				if (t[j])
					thread_join(t[j]);
			uproc_fini(&u);
		}
		w->ops++;
	}
}

/* ---- mappings ---- */

/* Map the shared object in M, where threads spin on other CPUs, and unmap it: each
 * unmap shoots down the TLBs of the CPUs that run M, and (a page table each time)
 * frees the table. */
static void mapper(struct worker *w)
{
	uint64_t since = clock_ns();

	for (uint64_t i = 0; !T.stop; i++) {
		uint64_t at = M_MAP_VA + (i % 4) * (2ull << 20);
		kerr_t e = mem_map(&T.m.cs, M_SHARED, T.m.p, va(at), CAP_R_READ | CAP_R_WRITE);
		if (e != E_OK) {
			error(w, "mem_map", e);
			break;
		}
		uint64_t *page = page_of(T.m.p, at);
		if (!page)
			error(w, "a mapping that is not there", E_NOT_FOUND);
		else
			page[1] = i;
		want(w, "mem_unmap", mem_unmap(T.m.p, va(at)), E_OK, E_OK);
		if (page_of(T.m.p, at))
			error(w, "an unmapped page still there", E_EXISTS);
		w->ops++;
		breathe(&since);
	}
}

/* Map through a child capability, then revoke its parent while unmap_racer unmaps the
 * same mapping: exactly one of them takes it down (cap.h, "held capabilities"). */
static void map_revoker(struct worker *w)
{
	uint64_t since = clock_ns();

	while (!T.stop) {
		want(w, "cap_delete", cap_delete(&T.m.cs, M_CHILD), E_OK, E_NOT_FOUND);
		want(w, "cap_copy", cap_copy(&T.m.cs, M_ROOT, &T.m.cs, M_CHILD, CAP_R_ALL),
		     E_OK, E_OK);
		/* The racer's unmap of the last one may still be finishing: E_EXISTS. */
		want(w, "mem_map", mem_map(&T.m.cs, M_CHILD, T.m.p, va(M_RACE_VA), CAP_R_READ),
		     E_OK, E_EXISTS);
		want(w, "cap_revoke", cap_revoke(&T.m.cs, M_ROOT), E_OK, E_OK);
		w->ops++;
		breathe(&since);
	}
}

static void unmap_racer(struct worker *w)
{
	uint64_t since = clock_ns();

	while (!T.stop) {
		want(w, "mem_unmap", mem_unmap(T.m.p, va(M_RACE_VA)), E_OK, E_NOT_FOUND);
		w->ops++;
		breathe(&since);
	}
}

/* ---- the run ---- */

#define W(n, f, i) { .name = (n), .fn = (f), .index = (i) }

static struct worker workers[] = {
	W("ipc-client-0", ipc_client, 0), W("ipc-server-0", ipc_server, 0),
	W("ipc-client-1", ipc_client, 1), W("ipc-server-1", ipc_server, 1),
	W("ipc-client-2", ipc_client, 2), W("ipc-server-2", ipc_server, 2),
	W("ping", ping, 0), W("pong", pong, 0),
	W("signaler-0", signaler, 0), W("signaler-1", signaler, 1),
	W("signaler-2", signaler, 2), W("signal-waiter", sig_waiter, 0),
	W("deriver-0", deriver, 0), W("deriver-1", deriver, 1), W("revoker", revoker, 0),
	W("churn", churn, 0),
	W("mapper", mapper, 0), W("map-revoker", map_revoker, 0),
	W("unmap-racer", unmap_racer, 0),
};

/* Which CPU each worker is pinned to: the pairs of IPC 0 and 1 on different CPUs (the
 * general path with an IPI), pair 2 on one (the fast path); the rest spread. */
static unsigned cpu_of(size_t i, unsigned ncpus)
{
	if (workers[i].fn == ipc_server && workers[i].index == 2)
		return cpu_of(i - 1, ncpus);
	return (unsigned)(i % ncpus);
}

static void worker_main(void *arg)
{
	struct worker *w = arg;

	w->fn(w);
	w->where = "done";
	__atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
}

static bool make_endpoint_in(struct cspace *cs, uint32_t slot)
{
	struct endpoint *e;

	return endpoint_create(&T.q, &e) == E_OK && give_cap(cs, slot, endpoint_kobj(e));
}

static bool make_reply_in(struct cspace *cs, uint32_t slot)
{
	struct reply *r;

	return reply_create(&T.q, &r) == E_OK && give_cap(cs, slot, reply_kobj(r));
}

static bool make_memory_in(struct cspace *cs, uint32_t slot, uint64_t pages)
{
	struct memobj *mo;

	return memobj_create(&T.q, pages, &mo) == E_OK && give_cap(cs, slot, &mo->obj);
}

static bool setup(void)
{
	memset(&T, 0, sizeof(T));
	quota_init(&T.q, 64ull << 20);
	if (cspace_init(&T.cs_p, P_SLOTS, &T.q) != E_OK ||
	    cspace_init(&T.cs_q, Q_SLOTS, &T.q) != E_OK ||
	    cspace_init(&T.cs_b, B_SLOTS, &T.q) != E_OK ||
	    process_create("torture-p", &T.p) != E_OK || process_create("torture-q", &T.qp) != E_OK)
		return false;
	T.p->cspace = &T.cs_p;
	T.qp->cspace = &T.cs_q;
	for (unsigned i = 0; i < PAIRS; i++)
		if (!make_endpoint_in(&T.cs_p, P_EP + i) ||
		    cap_copy(&T.cs_p, P_EP + i, &T.cs_q, Q_EP + i, CAP_R_ALL) != E_OK ||
		    !make_reply_in(&T.cs_q, Q_REPLY + i))
			return false;
	for (uint32_t s = P_PING; s < P_ROOT; s++)
		if (!make_notification(&T.cs_p, s, &T.q))
			return false;
	if (!make_endpoint_in(&T.cs_p, P_ROOT) || !make_notification(&T.cs_p, P_CHURN, &T.q))
		return false;
	/* M: two threads spinning in ring 3, so that M's address space is live on other
	 * CPUs whenever the mapper unmaps. */
	if (!uproc_init(&T.m, ublob_linger_start, ublob_linger_end) ||
	    !make_memory_in(&T.m.cs, M_SHARED, 2) || !make_memory_in(&T.m.cs, M_ROOT, 1))
		return false;
	for (int i = 0; i < 2; i++) {
		if (user_thread_create(T.m.p, CODE_VA, DATA_VA + PAGE_SIZE, 0, &T.spinners[i]) != E_OK)
			return false;
		thread_launch(T.spinners[i]);
	}
	return true;
}

static void teardown(void)
{
	for (int i = 0; i < 2; i++)
		if (T.spinners[i]) {
			process_kill(T.m.p);
			thread_join(T.spinners[i]);
		}
	if (T.m.p)
		uproc_fini(&T.m);
	cap_revoke(&T.cs_p, P_ROOT);
	KT_EXPECT(cap_tree_check((struct cspace *const[]){ &T.cs_p, &T.cs_q, &T.cs_b }, 3));
	cspace_destroy(&T.cs_b);
	if (T.p) {
		T.p->cspace = &cspace_empty;
		process_put(T.p);
	}
	if (T.qp) {
		T.qp->cspace = &cspace_empty;
		process_put(T.qp);
	}
	cspace_destroy(&T.cs_p);
	cspace_destroy(&T.cs_q);
}

/* Wait until every worker has ended or the deadline passes; true if all have. */
static bool all_done(uint64_t deadline)
{
	for (size_t i = 0; i < ARRAY_SIZE(workers); i++)
		while (!__atomic_load_n(&workers[i].done, __ATOMIC_ACQUIRE))
			if (clock_ns() >= deadline)
				return false;
			else
				sched_sleep_ns(1000000);
	return true;
}

static uint64_t ops_of(void (*fn)(struct worker *), unsigned index)
{
	for (size_t i = 0; i < ARRAY_SIZE(workers); i++)
		if (workers[i].fn == fn && workers[i].index == index)
			return workers[i].ops;
	return 0;
}

KTEST_F(torture, capabilities_ipc_threads_and_mappings_on_every_cpu, KTEST_EXPLICIT)
{
	char arg[16] = "";
	uint64_t seconds = DEFAULT_SECONDS;
	unsigned ncpus = sched_cpu_count();

	if (cmdline_get(boot_info.cmdline, "torture.seconds", arg, sizeof(arg)) && arg[0]) {
		seconds = 0;
		for (const char *c = arg; *c >= '0' && *c <= '9'; c++)
			seconds = seconds * 10 + (uint64_t)(*c - '0');
	}
	settle_all_threads();
	uint64_t threads = thread_count(), procs = process_count(), frames = frames_used();
	uint64_t objs = kobj_count(), caps = cap_count(), maps = mem_mapping_count();
	uint64_t heap = heap_get_stats().bytes_in_use;

	if (!setup()) {
		ktest_fail_at(__FILE__, __LINE__, "setting up");
		teardown();
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(workers); i++) {
		struct worker *w = &workers[i];
		bool server = w->fn == ipc_server;
		w->ops = w->errors = 0;
		w->done = false;
		w->where = "starting";
		w->proc = server ? T.qp : T.p;
		w->t = thread_create(w->proc, w->name, worker_main, w, PRIO_DEFAULT,
				     1ull << cpu_of(i, ncpus));
		KT_ASSERT(w->t != NULL);
	}
	sched_sleep_ns(seconds * 1000000000ull);
	T.stop = true;

	/* A worker that does not end was left waiting for something that never came. */
	if (!all_done(clock_ns() + STOP_WAIT_NS)) {
		bool hung[ARRAY_SIZE(workers)];
		for (size_t i = 0; i < ARRAY_SIZE(workers); i++) {
			struct worker *w = &workers[i];
			hung[i] = !w->done;
			if (hung[i])
				ktest_fail_at(__FILE__, __LINE__, "%s hung in %s after %llu "
					      "operations", w->name, w->where,
					      (unsigned long long)w->ops);
		}
		for (size_t i = 0; i < ARRAY_SIZE(workers); i++)
			if (hung[i])
				ipc_cancel(workers[i].t);
		if (!all_done(clock_ns() + STOP_WAIT_NS)) {
			ktest_fail_at(__FILE__, __LINE__, "workers still hung: not torn down");
			return;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(workers); i++)
		thread_join(workers[i].t);

	kprintf("# torture: %llu s on %u CPUs:", (unsigned long long)seconds, ncpus);
	for (size_t i = 0; i < ARRAY_SIZE(workers); i++) {
		kprintf(" %s %llu", workers[i].name, (unsigned long long)workers[i].ops);
		if (!workers[i].ops)
			ktest_fail_at(__FILE__, __LINE__, "%s made no progress", workers[i].name);
	}
	kprintf("\n");
	/* Both sides of every exchange counted the same. */
	for (unsigned i = 0; i < PAIRS; i++)
		KT_EXPECT_EQ(ops_of(ipc_client, i), ops_of(ipc_server, i));
	KT_EXPECT_EQ(ops_of(ping, 0), ops_of(pong, 0));
	for (unsigned k = 0; k < SIGNALERS; k++)
		KT_EXPECT_EQ(ops_of(signaler, k), T.acks[k]);

	teardown();
	settle_threads(threads);
	KT_EXPECT_EQ(thread_count(), threads);
	KT_EXPECT_EQ(process_count(), procs);
	KT_EXPECT_EQ(kobj_count(), objs);
	KT_EXPECT_EQ(cap_count(), caps);
	KT_EXPECT_EQ(mem_mapping_count(), maps);
	KT_EXPECT_EQ(T.q.used, 0);
	KT_EXPECT_EQ(frames_used(), frames);
	KT_EXPECT_EQ(heap_get_stats().bytes_in_use, heap);
}
