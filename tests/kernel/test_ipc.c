/*
 * Endpoints in the running kernel: senders, receivers, callers and servers are threads
 * of different processes (each with its own address space and capability space), on
 * however many CPUs the configuration has (the harness boots this with 1, 2 and 4).
 * Threads record what they saw; the test body checks it after joining them.
 */
#include <ktest.h>
#include "settle.h"
#include <cap.h>
#include <endpoint.h>
#include <notify.h>
#include <taskcap.h>
#include <sched.h>
#include <thread.h>
#include <time.h>
#include <klib.h>
#include <arch/cpu.h>

#define SLOTS 32

/* A process with its own capability space and quota. */
struct env {
	struct process *p;
	struct cspace cs;
	struct quota q;
};

static bool env_init(struct env *e, const char *name)
{
	quota_init(&e->q, 1 << 20);
	if (cspace_init(&e->cs, SLOTS, &e->q) != E_OK)
		return false;
	if (process_create(name, &e->p) != E_OK) {
		cspace_destroy(&e->cs);
		return false;
	}
	e->p->cspace = &e->cs;
	return true;
}

static void env_fini(struct env *e)
{
	cspace_destroy(&e->cs);
	process_put(e->p);
}

/* An endpoint (all rights) in slot of e. */
static bool make_ep(struct env *e, uint32_t slot)
{
	struct endpoint *ep;

	if (endpoint_create(&e->q, &ep) != E_OK)
		return false;
	kerr_t r = cap_insert_root(&e->cs, slot, endpoint_kobj(ep), CAP_R_ALL, 0);
	kobj_put(endpoint_kobj(ep));
	return r == E_OK;
}

static bool make_reply(struct env *e, uint32_t slot)
{
	struct reply *rp;

	if (reply_create(&e->q, &rp) != E_OK)
		return false;
	kerr_t r = cap_insert_root(&e->cs, slot, reply_kobj(rp), CAP_R_ALL, 0);
	kobj_put(reply_kobj(rp));
	return r == E_OK;
}

static struct thread *spawn(struct env *e, void (*fn)(void *), void *arg)
{
	return thread_create(e->p, "ipc-test", fn, arg, PRIO_DEFAULT, AFFINITY_ALL);
}

/* What one thread does and sees. */
struct actor {
	uint32_t ep, reply;
	uint64_t timeout;
	struct ipc_msg m;
	uint64_t badge;
	kerr_t result;
	uint64_t t_ns;                  /* how long it waited */
	struct ipc_buffer buf;
};

static void do_recv(void *p)
{
	struct actor *a = p;
	uint64_t t0 = clock_ns();

	thread_current()->ipc_buf = &a->buf;
	a->result = ep_recv(a->ep, a->reply, &a->m, &a->badge, a->timeout);
	a->t_ns = clock_ns() - t0;
}

static void do_send(void *p)
{
	struct actor *a = p;

	thread_current()->ipc_buf = &a->buf;
	a->result = ep_send(a->ep, &a->m, a->timeout);
}

static void do_call(void *p)
{
	struct actor *a = p;

	thread_current()->ipc_buf = &a->buf;
	a->result = ep_call(a->ep, &a->m);
}

/* Run fn(a) in e and wait for it. */
static void run_in(struct env *e, void (*fn)(void *), struct actor *a)
{
	struct thread *t = spawn(e, fn, a);

	if (t)
		thread_join(t);
	else
		a->result = E_NO_MEMORY;
}

/* ---- send and receive ---- */

/* A full message (label, 64 words) passes from one process to another, whichever of
 * the two arrives first. */
KTEST(ipc, send_and_receive_a_long_message)
{
	static struct env s, r;
	static struct actor snd, rcv;

	KT_ASSERT(env_init(&s, "sender") && env_init(&r, "receiver"));
	KT_ASSERT(make_ep(&r, 1));
	KT_ASSERT_EQ(cap_copy(&r.cs, 1, &s.cs, 3, CAP_R_SEND), E_OK);
	for (int order = 0; order < 2; order++) {
		snd = (struct actor){ .ep = 3, .timeout = IPC_FOREVER };
		rcv = (struct actor){ .ep = 1, .timeout = IPC_FOREVER, .badge = 99 };
		snd.m.info = ipc_info(0x1234 + order, IPC_MAX_WORDS, 0);
		for (int i = 0; i < IPC_MAX_WORDS; i++) {
			if (i < IPC_REG_WORDS)
				snd.m.w[i] = 1000 + i;
			else
				snd.buf.w[i] = 1000 + i;
		}
		struct thread *first = spawn(order ? &s : &r, order ? do_send : do_recv,
					     order ? (void *)&snd : (void *)&rcv);
		KT_ASSERT(first != NULL);
		sched_sleep_ns(5000000);
		run_in(order ? &r : &s, order ? do_recv : do_send, order ? &rcv : &snd);
		thread_join(first);
		KT_EXPECT_EQ(snd.result, E_OK);
		KT_EXPECT_EQ(rcv.result, E_OK);
		KT_EXPECT_EQ(ipc_label(rcv.m.info), 0x1234 + order);
		KT_EXPECT_EQ(ipc_len(rcv.m.info), IPC_MAX_WORDS);
		KT_EXPECT_EQ(rcv.badge, 0);
		bool words_ok = true;
		for (int i = 0; i < IPC_MAX_WORDS; i++)
			if ((i < IPC_REG_WORDS ? rcv.m.w[i] : rcv.buf.w[i]) != 1000u + i)
				words_ok = false;
		KT_EXPECT(words_ok);
	}
	env_fini(&s);
	env_fini(&r);
	KT_EXPECT_EQ(r.q.used, 0);
	KT_EXPECT_EQ(s.q.used, 0);
}

/* Each operation with its right present and missing; wrong types, bad slots, malformed
 * messages. Nothing blocks: every one either fails its checks or finds nobody. */
static void rights_matrix_body(void *p)
{
	kerr_t *res = p;
	struct ipc_msg m = { .info = ipc_info(1, 1, 0) };
	struct ipc_buffer buf = { 0 };
	uint64_t badge;
	int i = 0;

	/* slots: 1 endpoint all rights, 2 send-only, 3 recv-only, 4 neither, 5
	 * notification, 6 reply */
	res[i++] = ep_send(1, &m, IPC_POLL);            /* E_WOULD_BLOCK */
	res[i++] = ep_send(2, &m, IPC_POLL);            /* E_WOULD_BLOCK */
	res[i++] = ep_send(3, &m, IPC_POLL);            /* E_PERM */
	res[i++] = ep_send(4, &m, IPC_POLL);            /* E_PERM */
	res[i++] = ep_recv(1, 0, &m, &badge, IPC_POLL); /* E_WOULD_BLOCK */
	res[i++] = ep_recv(2, 0, &m, &badge, IPC_POLL); /* E_PERM */
	res[i++] = ep_recv(3, 0, &m, &badge, IPC_POLL); /* E_WOULD_BLOCK */
	res[i++] = ep_recv(4, 0, &m, &badge, IPC_POLL); /* E_PERM */
	res[i++] = ep_call(3, &m);                      /* E_PERM */
	res[i++] = ep_send(5, &m, IPC_POLL);            /* E_TYPE */
	res[i++] = ep_recv(1, 5, &m, &badge, IPC_POLL); /* E_TYPE: not a reply */
	res[i++] = ep_reply(1, &m);                     /* E_TYPE */
	res[i++] = ep_reply(6, &m);                     /* E_NOT_FOUND: nobody bound */
	res[i++] = ep_send(0, &m, IPC_POLL);            /* E_RANGE */
	res[i++] = ep_send(SLOTS, &m, IPC_POLL);        /* E_RANGE */
	res[i++] = ep_send(0xffffffffu, &m, IPC_POLL);  /* E_RANGE */
	res[i++] = ep_send(20, &m, IPC_POLL);           /* E_NOT_FOUND */
	res[i++] = ep_reply_recv(1, 0, &m, &badge);     /* E_INVAL: no reply object */
	m.info = ipc_info(1, IPC_MAX_WORDS + 1, 0);
	res[i++] = ep_send(1, &m, IPC_POLL);            /* E_INVAL: too long */
	m.info = ipc_info(1, 1, 0) | 1u << 10;
	res[i++] = ep_send(1, &m, IPC_POLL);            /* E_INVAL: reserved bit */
	m.info = ipc_info(1, 5, 0);
	res[i++] = ep_send(1, &m, IPC_POLL);            /* E_INVAL: no IPC buffer */
	thread_current()->ipc_buf = &buf;
	res[i++] = ep_send(1, &m, IPC_POLL);            /* E_WOULD_BLOCK */
	m.info = ipc_info(1, 0, 5);
	res[i++] = ep_send(1, &m, IPC_POLL);            /* E_INVAL: too many caps */
	m.info = ipc_info(1, 0, 1);
	buf.caps[0] = 7;                                /* notification without grant */
	res[i++] = ep_send(1, &m, IPC_POLL);            /* E_PERM */
	buf.caps[0] = 21;                               /* empty */
	res[i++] = ep_send(1, &m, IPC_POLL);            /* E_NOT_FOUND */
	buf.caps[0] = 5;
	res[i++] = ep_send(1, &m, IPC_POLL);            /* E_WOULD_BLOCK */
	res[i++] = ep_reply(6, &m);                     /* E_NOT_FOUND: checked, nobody */
}

KTEST(ipc, rights_matrix)
{
	static struct env e;
	static kerr_t res[32];
	static const kerr_t want[] = {
		E_WOULD_BLOCK, E_WOULD_BLOCK, E_PERM, E_PERM, E_WOULD_BLOCK, E_PERM,
		E_WOULD_BLOCK, E_PERM, E_PERM, E_TYPE, E_TYPE, E_TYPE, E_NOT_FOUND, E_RANGE,
		E_RANGE, E_RANGE, E_NOT_FOUND, E_INVAL, E_INVAL, E_INVAL, E_INVAL,
		E_WOULD_BLOCK, E_INVAL, E_PERM, E_NOT_FOUND, E_WOULD_BLOCK, E_NOT_FOUND,
	};
	struct notification *n;

	KT_ASSERT(env_init(&e, "matrix"));
	KT_ASSERT(make_ep(&e, 1));
	KT_ASSERT_EQ(cap_copy(&e.cs, 1, &e.cs, 2, CAP_R_SEND), E_OK);
	KT_ASSERT_EQ(cap_copy(&e.cs, 1, &e.cs, 3, CAP_R_RECV), E_OK);
	KT_ASSERT_EQ(cap_copy(&e.cs, 1, &e.cs, 4, CAP_R_DERIVE | CAP_R_GRANT), E_OK);
	KT_ASSERT_EQ(notification_create(&e.q, &n), E_OK);
	KT_ASSERT_EQ(cap_insert_root(&e.cs, 5, &n->obj, CAP_R_ALL, 0), E_OK);
	KT_ASSERT_EQ(cap_insert_root(&e.cs, 7, &n->obj, CAP_R_SIGNAL, 0), E_OK);
	kobj_put(&n->obj);
	KT_ASSERT(make_reply(&e, 6));
	for (size_t i = 0; i < ARRAY_SIZE(res); i++)
		res[i] = (kerr_t)-1;
	struct thread *t = spawn(&e, rights_matrix_body, res);
	KT_ASSERT(t != NULL);
	thread_join(t);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		if (res[i] != want[i])
			ktest_fail_at(__FILE__, __LINE__, "check %zu: got %s, want %s", i,
				      kerr_name(res[i]), kerr_name(want[i]));
	}
	env_fini(&e);
	KT_EXPECT_EQ(e.q.used, 0);
}

/* A receive with a timeout ends with E_TIMEOUT no sooner than asked, and leaves nothing
 * queued: a later non-blocking send finds no receiver. */
KTEST(ipc, receive_timeout)
{
	static struct env e;
	static struct actor a, b;

	KT_ASSERT(env_init(&e, "timeout"));
	KT_ASSERT(make_ep(&e, 1));
	KT_ASSERT(make_reply(&e, 2));
	a = (struct actor){ .ep = 1, .reply = 2, .timeout = 30000000 };
	run_in(&e, do_recv, &a);
	KT_EXPECT_EQ(a.result, E_TIMEOUT);
	KT_EXPECT(a.t_ns >= 30000000);
	b = (struct actor){ .ep = 1, .timeout = IPC_POLL, .m.info = ipc_info(1, 0, 0) };
	run_in(&e, do_send, &b);
	KT_EXPECT_EQ(b.result, E_WOULD_BLOCK);
	/* The reply object was given back: it can be used again. */
	a = (struct actor){ .ep = 1, .reply = 2, .timeout = 1000000 };
	run_in(&e, do_recv, &a);
	KT_EXPECT_EQ(a.result, E_TIMEOUT);
	/* A message that comes in time is received, not timed out. */
	a = (struct actor){ .ep = 1, .reply = 2, .timeout = 2000000000ull };
	struct thread *t = spawn(&e, do_recv, &a);
	KT_ASSERT(t != NULL);
	sched_sleep_ns(5000000);
	b = (struct actor){ .ep = 1, .timeout = IPC_FOREVER, .m.info = ipc_info(7, 1, 0),
			    .m.w[0] = 77 };
	run_in(&e, do_send, &b);
	thread_join(t);
	KT_EXPECT_EQ(b.result, E_OK);
	KT_EXPECT_EQ(a.result, E_OK);
	KT_EXPECT_EQ(a.m.w[0], 77);
	KT_EXPECT(a.t_ns < 2000000000ull);
	env_fini(&e);
	KT_EXPECT_EQ(e.q.used, 0);
}

/* A send with a timeout likewise; a poll never waits. */
KTEST(ipc, send_timeout_and_poll)
{
	static struct env e;
	static struct actor a;

	KT_ASSERT(env_init(&e, "send-timeout"));
	KT_ASSERT(make_ep(&e, 1));
	a = (struct actor){ .ep = 1, .timeout = 20000000, .m.info = ipc_info(1, 0, 0) };
	run_in(&e, do_send, &a);
	KT_EXPECT_EQ(a.result, E_TIMEOUT);
	a = (struct actor){ .ep = 1, .timeout = IPC_POLL };
	run_in(&e, do_recv, &a);
	KT_EXPECT_EQ(a.result, E_WOULD_BLOCK);
	env_fini(&e);
}

/* Minted endpoint capabilities: the receiver sees each sender's badge. */
KTEST(ipc, badges_identify_senders)
{
	static struct env srv, cl[3];
	static struct actor snd[3], rcv[3];
	struct thread *t[3];

	KT_ASSERT(env_init(&srv, "server"));
	KT_ASSERT(make_ep(&srv, 1));
	for (int i = 0; i < 3; i++) {
		KT_ASSERT(env_init(&cl[i], "client"));
		KT_ASSERT_EQ(cap_mint(&srv.cs, 1, &cl[i].cs, 1, CAP_R_SEND, 0x100 + i), E_OK);
		snd[i] = (struct actor){ .ep = 1, .timeout = IPC_FOREVER,
					 .m.info = ipc_info(i, 1, 0), .m.w[0] = i };
		t[i] = spawn(&cl[i], do_send, &snd[i]);
		KT_ASSERT(t[i] != NULL);
	}
	uint64_t seen = 0;
	for (int i = 0; i < 3; i++) {
		rcv[i] = (struct actor){ .ep = 1, .timeout = IPC_FOREVER };
		run_in(&srv, do_recv, &rcv[i]);
		KT_EXPECT_EQ(rcv[i].result, E_OK);
		/* The badge names the sender, whatever the message says. */
		KT_EXPECT_EQ(rcv[i].badge, 0x100 + rcv[i].m.w[0]);
		seen |= 1ull << (rcv[i].badge - 0x100);
	}
	KT_EXPECT_EQ(seen, 7);
	for (int i = 0; i < 3; i++) {
		thread_join(t[i]);
		KT_EXPECT_EQ(snd[i].result, E_OK);
		env_fini(&cl[i]);
	}
	env_fini(&srv);
}

/* Capabilities travel with a rights mask: the receiver's copy has the rights of the
 * sender's & mask, lands in its lowest free slot, and is a child of the sender's (a
 * revoke there removes it). A full receiver gets slot 0. */
KTEST(ipc, capability_transfer_reduces_rights)
{
	static struct env s, r;
	static struct actor snd, rcv;
	struct notification *n;
	uint64_t bits;

	KT_ASSERT(env_init(&s, "giver") && env_init(&r, "taker"));
	KT_ASSERT(make_ep(&r, 1));
	KT_ASSERT_EQ(cap_copy(&r.cs, 1, &s.cs, 1, CAP_R_SEND), E_OK);
	KT_ASSERT_EQ(notification_create(&s.q, &n), E_OK);
	KT_ASSERT_EQ(cap_insert_root(&s.cs, 2, &n->obj, CAP_R_ALL, 0), E_OK);
	kobj_put(&n->obj);
	KT_ASSERT_EQ(cap_mint(&s.cs, 2, &s.cs, 3, CAP_R_SIGNAL | CAP_R_GRANT, 0x4), E_OK);

	snd = (struct actor){ .ep = 1, .timeout = IPC_FOREVER, .m.info = ipc_info(5, 0, 2) };
	snd.buf.caps[0] = 2;
	snd.buf.cap_mask[0] = CAP_R_SIGNAL | CAP_R_WAIT;        /* drops derive, grant */
	snd.buf.caps[1] = 3;
	snd.buf.cap_mask[1] = CAP_R_ALL;                        /* cannot add wait */
	rcv = (struct actor){ .ep = 1, .timeout = IPC_FOREVER };
	struct thread *t = spawn(&r, do_recv, &rcv);
	KT_ASSERT(t != NULL);
	run_in(&s, do_send, &snd);
	thread_join(t);
	KT_EXPECT_EQ(snd.result, E_OK);
	KT_ASSERT_EQ(rcv.result, E_OK);
	KT_EXPECT_EQ(ipc_ncaps(rcv.m.info), 2);
	KT_EXPECT_EQ(rcv.buf.caps[0], 2);               /* lowest free slots */
	KT_EXPECT_EQ(rcv.buf.caps[1], 3);
	struct cap c;
	KT_ASSERT_EQ(cap_lookup(&r.cs, 2, OBJ_NOTIFICATION, 0, &c), E_OK);
	KT_EXPECT_EQ(c.rights, CAP_R_SIGNAL | CAP_R_WAIT);
	kobj_put(c.obj);
	KT_ASSERT_EQ(cap_lookup(&r.cs, 3, OBJ_NOTIFICATION, 0, &c), E_OK);
	KT_EXPECT_EQ(c.rights, CAP_R_SIGNAL | CAP_R_GRANT);
	KT_EXPECT_EQ(c.badge, 0x4);
	kobj_put(c.obj);
	/* The received capabilities work, with only their rights. */
	KT_EXPECT_EQ(notify_signal(&r.cs, 3, 0), E_OK);
	KT_EXPECT_EQ(notify_poll(&r.cs, 3, &bits), E_PERM);
	KT_EXPECT_EQ(notify_poll(&r.cs, 2, &bits), E_OK);
	KT_EXPECT_EQ(bits, 0x4);
	/* They are children of the sender's: revoking there removes them. */
	KT_EXPECT_EQ(cap_revoke(&s.cs, 2), E_OK);
	KT_EXPECT_EQ(cap_lookup(&r.cs, 2, OBJ_NONE, 0, &c), E_NOT_FOUND);
	KT_EXPECT_EQ(cap_lookup(&r.cs, 3, OBJ_NONE, 0, &c), E_NOT_FOUND);

	/* A full receiver: the message arrives, the capability does not (slot 0). */
	KT_ASSERT_EQ(cap_copy(&s.cs, 2, &s.cs, 3, CAP_R_ALL), E_OK);
	for (uint32_t i = 2; i < SLOTS; i++)
		KT_ASSERT_EQ(cap_copy(&r.cs, 1, &r.cs, i, CAP_R_RECV), E_OK);
	snd = (struct actor){ .ep = 1, .timeout = IPC_FOREVER, .m.info = ipc_info(6, 0, 1) };
	snd.buf.caps[0] = 3;
	snd.buf.cap_mask[0] = CAP_R_ALL;
	rcv = (struct actor){ .ep = 1, .timeout = IPC_FOREVER };
	rcv.buf.caps[0] = 1234;
	t = spawn(&r, do_recv, &rcv);
	KT_ASSERT(t != NULL);
	run_in(&s, do_send, &snd);
	thread_join(t);
	KT_EXPECT_EQ(snd.result, E_OK);
	KT_EXPECT_EQ(rcv.result, E_OK);
	KT_EXPECT_EQ(ipc_label(rcv.m.info), 6);
	KT_EXPECT_EQ(rcv.buf.caps[0], 0);
	struct cspace *spaces[] = { &s.cs, &r.cs };
	KT_EXPECT(cap_tree_check(spaces, 2));
	env_fini(&s);
	env_fini(&r);
	KT_EXPECT_EQ(s.q.used, 0);
	KT_EXPECT_EQ(r.q.used, 0);
}

/* ---- call and reply ---- */

struct server {
	uint32_t ep, reply;
	uint64_t calls;                 /* to serve, then stop */
	uint64_t served, errors;
	struct ipc_buffer buf;
};

/* Answer each call with its first word plus the caller's badge, in a reply_recv loop. */
static void serve(void *p)
{
	struct server *s = p;
	struct ipc_msg m;
	uint64_t badge;
	kerr_t e;

	thread_current()->ipc_buf = &s->buf;
	e = ep_recv(s->ep, s->reply, &m, &badge, IPC_FOREVER);
	while (e == E_OK) {
		s->served++;
		m.w[0] += badge;
		m.info = ipc_info(ipc_label(m.info) + 1, 1, 0);
		if (s->served == s->calls) {
			e = ep_reply(s->reply, &m);
			break;
		}
		e = ep_reply_recv(s->ep, s->reply, &m, &badge);
	}
	if (e != E_OK)
		s->errors++;
}

struct client {
	uint32_t ep;
	uint64_t calls, badge;
	uint64_t ok, wrong, errors;
};

static void call_many(void *p)
{
	struct client *c = p;

	for (uint64_t i = 0; i < c->calls; i++) {
		struct ipc_msg m = { .info = ipc_info(10, 1, 0), .w = { i * 3 } };
		kerr_t e = ep_call(c->ep, &m);
		if (e != E_OK)
			c->errors++;
		else if (m.w[0] == i * 3 + c->badge && ipc_label(m.info) == 11)
			c->ok++;
		else
			c->wrong++;
	}
}

static void do_reply(void *p)
{
	struct actor *a = p;

	thread_current()->ipc_buf = &a->buf;
	a->result = ep_reply(a->reply, &a->m);
}

/* One call, one reply (from another thread of the server: whoever holds the reply
 * capability answers); a second reply finds nobody. */
KTEST(ipc, call_and_reply)
{
	static struct env srv, cl;
	static struct actor caller, rcv, ans;

	KT_ASSERT(env_init(&srv, "server") && env_init(&cl, "client"));
	KT_ASSERT(make_ep(&srv, 1));
	KT_ASSERT(make_reply(&srv, 2));
	KT_ASSERT_EQ(cap_mint(&srv.cs, 1, &cl.cs, 1, CAP_R_SEND, 0x55), E_OK);
	caller = (struct actor){ .ep = 1, .m.info = ipc_info(3, 2, 0), .m.w = { 40, 2 },
				 .result = (kerr_t)-1 };
	struct thread *t = spawn(&cl, do_call, &caller);
	KT_ASSERT(t != NULL);
	rcv = (struct actor){ .ep = 1, .reply = 2, .timeout = IPC_FOREVER };
	run_in(&srv, do_recv, &rcv);
	KT_ASSERT_EQ(rcv.result, E_OK);
	KT_EXPECT_EQ(rcv.badge, 0x55);
	KT_EXPECT_EQ(ipc_label(rcv.m.info), 3);
	KT_EXPECT_EQ(rcv.m.w[0] + rcv.m.w[1], 42);
	sched_sleep_ns(5000000);
	KT_EXPECT_EQ(caller.result, (kerr_t)-1);        /* still waiting for the answer */
	/* A reply object bound to a caller cannot be offered to another receive. */
	struct actor busy = { .ep = 1, .reply = 2, .timeout = IPC_POLL };
	run_in(&srv, do_recv, &busy);
	KT_EXPECT_EQ(busy.result, E_EXISTS);
	ans = (struct actor){ .reply = 2, .m.info = ipc_info(4, 1, 0), .m.w = { 4242 } };
	run_in(&srv, do_reply, &ans);
	KT_EXPECT_EQ(ans.result, E_OK);
	thread_join(t);
	KT_EXPECT_EQ(caller.result, E_OK);
	KT_EXPECT_EQ(ipc_label(caller.m.info), 4);
	KT_EXPECT_EQ(caller.m.w[0], 4242);
	run_in(&srv, do_reply, &ans);
	KT_EXPECT_EQ(ans.result, E_NOT_FOUND);          /* one-shot */
	env_fini(&cl);
	env_fini(&srv);
	KT_EXPECT_EQ(srv.q.used, 0);
}

/* A server loop in reply_recv with many clients calling at once from all CPUs: every
 * call gets its own answer, none is lost or crossed. */
#define CLIENTS 8
#define CALLS 400

KTEST(ipc, reply_recv_server_with_many_clients)
{
	static struct env srv, cl[CLIENTS];
	static struct client c[CLIENTS];
	static struct server s;
	struct thread *t[CLIENTS];
	uint64_t threads = thread_count();

	KT_ASSERT(env_init(&srv, "server"));
	KT_ASSERT(make_ep(&srv, 1));
	KT_ASSERT(make_reply(&srv, 2));
	s = (struct server){ .ep = 1, .reply = 2, .calls = CLIENTS * CALLS };
	struct thread *st = spawn(&srv, serve, &s);
	KT_ASSERT(st != NULL);
	for (int i = 0; i < CLIENTS; i++) {
		KT_ASSERT(env_init(&cl[i], "client"));
		KT_ASSERT_EQ(cap_mint(&srv.cs, 1, &cl[i].cs, 1, CAP_R_SEND, 1000 * (i + 1)),
			     E_OK);
		c[i] = (struct client){ .ep = 1, .calls = CALLS, .badge = 1000 * (i + 1) };
		t[i] = spawn(&cl[i], call_many, &c[i]);
		KT_ASSERT(t[i] != NULL);
	}
	for (int i = 0; i < CLIENTS; i++) {
		thread_join(t[i]);
		KT_EXPECT_EQ(c[i].ok, CALLS);
		KT_EXPECT_EQ(c[i].wrong, 0);
		KT_EXPECT_EQ(c[i].errors, 0);
		env_fini(&cl[i]);
	}
	thread_join(st);
	KT_EXPECT_EQ(s.served, CLIENTS * CALLS);
	KT_EXPECT_EQ(s.errors, 0);
	env_fini(&srv);
	KT_EXPECT_EQ(srv.q.used, 0);
	settle_threads(threads);
	KT_EXPECT_EQ(thread_count(), threads);
}

/* On one CPU, call and reply_recv switch straight to the waiting peer. */
KTEST(ipc, fast_path_switches_directly)
{
	static struct env srv, cl;
	static struct client c;
	static struct server s;
	unsigned cpu = arch_cpu_id();

	KT_ASSERT(env_init(&srv, "server") && env_init(&cl, "client"));
	KT_ASSERT(make_ep(&srv, 1));
	KT_ASSERT(make_reply(&srv, 2));
	KT_ASSERT_EQ(cap_mint(&srv.cs, 1, &cl.cs, 1, CAP_R_SEND, 7), E_OK);
	s = (struct server){ .ep = 1, .reply = 2, .calls = CALLS };
	c = (struct client){ .ep = 1, .calls = CALLS, .badge = 7 };
	uint64_t before = sched_get_stats(cpu).handoffs;
	struct thread *st = thread_create(srv.p, "server", serve, &s, PRIO_DEFAULT + 1,
					  1ull << cpu);
	struct thread *ct = thread_create(cl.p, "client", call_many, &c, PRIO_DEFAULT + 1,
					  1ull << cpu);
	KT_ASSERT(st && ct);
	thread_join(ct);
	thread_join(st);
	uint64_t handoffs = sched_get_stats(cpu).handoffs - before;
	KT_EXPECT_EQ(c.ok, CALLS);
	KT_EXPECT_EQ(s.served, CALLS);
	/* Every call but the first finds the server waiting, every answer the caller. */
	KT_EXPECT(handoffs >= 2 * CALLS - 2);
	env_fini(&cl);
	env_fini(&srv);
}

/* ---- deletion ---- */

/* The endpoint's last capability goes while receivers (with and without timeouts) and
 * senders wait on it: all return E_DELETED, and nothing is left. */
KTEST(ipc, endpoint_deletion_wakes_waiters)
{
	static struct env e;
	static struct actor rcv[3], snd[3];
	struct thread *rt[3], *st[3];
	uint64_t objs = kobj_count(), threads = thread_count();

	KT_ASSERT(env_init(&e, "owner"));
	KT_ASSERT(make_ep(&e, 1));
	KT_ASSERT(make_ep(&e, 2));
	KT_ASSERT(make_reply(&e, 3));
	for (int i = 0; i < 3; i++) {
		rcv[i] = (struct actor){ .ep = 1, .reply = i == 1 ? 3 : 0,
					 .timeout = i ? IPC_FOREVER : 10000000000ull,
					 .result = (kerr_t)-1 };
		rt[i] = spawn(&e, do_recv, &rcv[i]);
		snd[i] = (struct actor){ .ep = 2, .timeout = i ? IPC_FOREVER : 10000000000ull,
					 .result = (kerr_t)-1, .m.info = ipc_info(1, 0, 0) };
		st[i] = spawn(&e, i == 2 ? do_call : do_send, &snd[i]);
		KT_ASSERT(rt[i] && st[i]);
	}
	sched_sleep_ns(20000000);
	for (int i = 0; i < 3; i++) {
		KT_EXPECT_EQ(rcv[i].result, (kerr_t)-1);
		KT_EXPECT_EQ(snd[i].result, (kerr_t)-1);
	}
	KT_EXPECT_EQ(cap_delete(&e.cs, 1), E_OK);
	KT_EXPECT_EQ(cap_delete(&e.cs, 2), E_OK);
	for (int i = 0; i < 3; i++) {
		thread_join(rt[i]);
		thread_join(st[i]);
		KT_EXPECT_EQ(rcv[i].result, E_DELETED);
		KT_EXPECT_EQ(snd[i].result, E_DELETED);
	}
	KT_EXPECT(rcv[0].t_ns < 10000000000ull);
	/* The reply object was released: usable again (no one sends, so it times out). */
	struct actor again = { .ep = 4, .reply = 3, .timeout = 1000000 };
	KT_ASSERT(make_ep(&e, 4));
	run_in(&e, do_recv, &again);
	KT_EXPECT_EQ(again.result, E_TIMEOUT);
	env_fini(&e);
	KT_EXPECT_EQ(e.q.used, 0);
	KT_EXPECT_EQ(kobj_count(), objs);
	settle_threads(threads);
	KT_EXPECT_EQ(thread_count(), threads);
}

/* A caller waits on the reply object, not the endpoint: deleting the endpoint does not
 * end its wait, deleting the reply capability does (E_DELETED); and a call received
 * without a reply object ends at once with E_DELETED. */
KTEST(ipc, reply_deletion_ends_the_call)
{
	static struct env srv, cl;
	static struct actor caller, rcv, ans;
	struct thread *t;

	KT_ASSERT(env_init(&srv, "server") && env_init(&cl, "client"));
	KT_ASSERT(make_ep(&srv, 1));
	KT_ASSERT(make_reply(&srv, 2));
	KT_ASSERT_EQ(cap_copy(&srv.cs, 1, &cl.cs, 1, CAP_R_SEND), E_OK);

	/* Received, then the endpoint goes: the answer still arrives. */
	caller = (struct actor){ .ep = 1, .m.info = ipc_info(1, 1, 0), .m.w = { 5 } };
	t = spawn(&cl, do_call, &caller);
	rcv = (struct actor){ .ep = 1, .reply = 2, .timeout = IPC_FOREVER };
	run_in(&srv, do_recv, &rcv);
	KT_ASSERT_EQ(rcv.result, E_OK);
	KT_EXPECT_EQ(cap_delete(&cl.cs, 1), E_OK);
	KT_EXPECT_EQ(cap_delete(&srv.cs, 1), E_OK);     /* the endpoint's last capability */
	ans = (struct actor){ .reply = 2, .m.info = ipc_info(2, 1, 0), .m.w = { 6 } };
	run_in(&srv, do_reply, &ans);
	thread_join(t);
	KT_EXPECT_EQ(ans.result, E_OK);
	KT_EXPECT_EQ(caller.result, E_OK);
	KT_EXPECT_EQ(caller.m.w[0], 6);

	/* Received, then the reply capability goes: the caller gets E_DELETED. */
	KT_ASSERT(make_ep(&srv, 1));
	KT_ASSERT_EQ(cap_copy(&srv.cs, 1, &cl.cs, 1, CAP_R_SEND), E_OK);
	caller = (struct actor){ .ep = 1, .m.info = ipc_info(1, 0, 0), .result = (kerr_t)-1 };
	t = spawn(&cl, do_call, &caller);
	rcv = (struct actor){ .ep = 1, .reply = 2, .timeout = IPC_FOREVER };
	run_in(&srv, do_recv, &rcv);
	KT_ASSERT_EQ(rcv.result, E_OK);
	sched_sleep_ns(5000000);
	KT_EXPECT_EQ(caller.result, (kerr_t)-1);
	KT_EXPECT_EQ(cap_delete(&srv.cs, 2), E_OK);
	thread_join(t);
	KT_EXPECT_EQ(caller.result, E_DELETED);

	/* Received with no reply object: E_DELETED at once, the message delivered. */
	caller = (struct actor){ .ep = 1, .m.info = ipc_info(8, 0, 0), .result = (kerr_t)-1 };
	t = spawn(&cl, do_call, &caller);
	rcv = (struct actor){ .ep = 1, .reply = 0, .timeout = IPC_FOREVER };
	run_in(&srv, do_recv, &rcv);
	thread_join(t);
	KT_EXPECT_EQ(rcv.result, E_OK);
	KT_EXPECT_EQ(ipc_label(rcv.m.info), 8);
	KT_EXPECT_EQ(caller.result, E_DELETED);
	env_fini(&cl);
	env_fini(&srv);
	KT_EXPECT_EQ(srv.q.used, 0);
}

/* Quotas pay for endpoints and reply objects: running out is E_NO_MEMORY for that
 * process, with nothing made and nothing leaked. */
KTEST(ipc, quota_exhaustion_is_an_error)
{
	struct quota q;
	struct endpoint *eps[64];
	struct reply *rp;
	uint64_t objs = kobj_count();
	int made = 0;

	quota_init(&q, 2048);
	while (made < 64 && endpoint_create(&q, &eps[made]) == E_OK)
		made++;
	KT_EXPECT(made > 0 && made < 64);
	uint64_t used = q.used;
	KT_EXPECT_EQ(endpoint_create(&q, &eps[63]), E_NO_MEMORY);
	KT_EXPECT_EQ(q.used, used);
	KT_EXPECT_EQ(kobj_count(), objs + made);
	for (int i = 0; i < made; i++)
		kobj_put(endpoint_kobj(eps[i]));
	KT_EXPECT_EQ(q.used, 0);
	quota_init(&q, 8);
	KT_EXPECT_EQ(reply_create(&q, &rp), E_NO_MEMORY);
	KT_EXPECT_EQ(q.used, 0);
	KT_EXPECT_EQ(kobj_count(), objs);
}

/* Timeouts racing deliveries on all CPUs: receivers with short timeouts, senders with
 * short timeouts, both in loops. Whatever wins each race, every send that succeeded
 * was received exactly once and every receive that succeeded got a distinct message. */
#define RACERS 3
#define RACE_ROUNDS 300

struct racer {
	uint32_t ep;
	uint64_t ok, timeouts, other;
	uint64_t sum;                   /* of the words sent or received */
	unsigned id;
};

static void race_send(void *p)
{
	struct racer *r = p;

	for (uint64_t i = 0; i < RACE_ROUNDS; i++) {
		uint64_t word = (uint64_t)r->id << 32 | i;
		struct ipc_msg m = { .info = ipc_info(1, 1, 0), .w = { word } };
		kerr_t e = ep_send(r->ep, &m, (i % 3) * 100000);
		if (e == E_OK) {
			r->ok++;
			r->sum += word;
		} else if (e == E_TIMEOUT || e == E_WOULD_BLOCK) {
			r->timeouts++;
		} else {
			r->other++;
		}
	}
}

static void race_recv(void *p)
{
	struct racer *r = p;

	for (uint64_t i = 0; i < RACE_ROUNDS; i++) {
		struct ipc_msg m;
		uint64_t badge;
		kerr_t e = ep_recv(r->ep, 0, &m, &badge, (i % 4) * 100000);
		if (e == E_OK) {
			r->ok++;
			r->sum += m.w[0];
		} else if (e == E_TIMEOUT || e == E_WOULD_BLOCK) {
			r->timeouts++;
		} else {
			r->other++;
		}
	}
}

KTEST(ipc, timeouts_race_deliveries)
{
	static struct env e;
	static struct racer snd[RACERS], rcv[RACERS];
	struct thread *t[2 * RACERS];
	uint64_t sent = 0, got = 0, sent_sum = 0, got_sum = 0;

	KT_ASSERT(env_init(&e, "race"));
	KT_ASSERT(make_ep(&e, 1));
	for (int i = 0; i < RACERS; i++) {
		snd[i] = (struct racer){ .ep = 1, .id = i + 1 };
		rcv[i] = (struct racer){ .ep = 1 };
		t[2 * i] = spawn(&e, race_send, &snd[i]);
		t[2 * i + 1] = spawn(&e, race_recv, &rcv[i]);
		KT_ASSERT(t[2 * i] && t[2 * i + 1]);
	}
	for (int i = 0; i < 2 * RACERS; i++)
		thread_join(t[i]);
	for (int i = 0; i < RACERS; i++) {
		KT_EXPECT_EQ(snd[i].other, 0);
		KT_EXPECT_EQ(rcv[i].other, 0);
		sent += snd[i].ok;
		got += rcv[i].ok;
		sent_sum += snd[i].sum;
		got_sum += rcv[i].sum;
	}
	KT_EXPECT_EQ(sent, got);
	KT_EXPECT_EQ(sent_sum, got_sum);
	KT_EXPECT(sent > 0);
	/* Nothing left queued. */
	struct actor a = { .ep = 1, .timeout = IPC_POLL, .m.info = ipc_info(1, 0, 0) };
	run_in(&e, do_send, &a);
	KT_EXPECT_EQ(a.result, E_WOULD_BLOCK);
	env_fini(&e);
}

/* A client and server calling each other back and forth on one CPU share one time
 * slice (direct switches lend it along): a third thread of their priority on that CPU
 * still runs while they do, instead of waiting until they stop. */
struct spinner {
	const struct client *c;         /* spin until it has made all its calls */
	uint64_t spins;
	uint64_t calls_seen;            /* calls the client had made when it first ran */
};

static void spin_count(void *p)
{
	struct spinner *sp = p;
	const struct client *c = sp->c;

	sp->calls_seen = __atomic_load_n(&c->ok, __ATOMIC_RELAXED);
	while (__atomic_load_n(&c->ok, __ATOMIC_RELAXED) + c->wrong + c->errors < c->calls)
		sp->spins++;
}

KTEST(ipc, call_chain_shares_one_slice)
{
	static struct env srv, cl;
	static struct client c;
	static struct server s;
	static struct spinner spin;
	unsigned cpu = arch_cpu_id();

	settle_all_threads();
	KT_ASSERT(env_init(&srv, "server") && env_init(&cl, "client"));
	KT_ASSERT(make_ep(&srv, 1));
	KT_ASSERT(make_reply(&srv, 2));
	KT_ASSERT_EQ(cap_mint(&srv.cs, 1, &cl.cs, 1, CAP_R_SEND, 7), E_OK);
	/* Enough calls to take well over a slice (10 ms) even on a fast machine. */
	s = (struct server){ .ep = 1, .reply = 2, .calls = 60000 };
	c = (struct client){ .ep = 1, .calls = 60000, .badge = 7 };
	spin = (struct spinner){ .c = &c };
	/* Below this thread's priority, so that all three are queued before any runs. */
	struct thread *st = thread_create(srv.p, "server", serve, &s, PRIO_DEFAULT - 1,
					  1ull << cpu);
	struct thread *ct = thread_create(cl.p, "client", call_many, &c, PRIO_DEFAULT - 1,
					  1ull << cpu);
	struct thread *sp = thread_create(&kernel_process, "spinner", spin_count, &spin,
					  PRIO_DEFAULT - 1, 1ull << cpu);
	KT_ASSERT(st && ct && sp);
	thread_join(ct);
	thread_join(st);
	thread_join(sp);
	KT_EXPECT_EQ(c.ok, 60000);
	/* The spinner got the CPU while the calls went on, not only once they ended. */
	KT_EXPECT(spin.spins > 0);
	KT_EXPECT(spin.calls_seen < 30000);
	env_fini(&cl);
	env_fini(&srv);
}

/* ---- preemption around IPC ---- */

struct urgent {
	uint64_t sent_at, ran_at, loop_end;
	kerr_t recv_result;
};

static struct urgent urg;

static void urgent_recv(void *p)
{
	struct ipc_msg m;
	uint64_t badge;

	urg.recv_result = ep_recv(1, 0, &m, &badge, IPC_FOREVER);
	urg.ran_at = clock_ns();
}

static void busy_send(void *p)
{
	struct ipc_msg m = { .info = ipc_info(1, 0, 0) };

	urg.sent_at = clock_ns();
	ep_send(1, &m, IPC_FOREVER);
	/* Keep the CPU (up to 100 ms) unless the receiver preempts. */
	while (clock_ns() - urg.sent_at < 100000000ull &&
	       !__atomic_load_n(&urg.ran_at, __ATOMIC_RELAXED))
		;
	urg.loop_end = clock_ns();
}

/* A send that wakes a more urgent receiver on its own CPU is preempted by it at once,
 * although the wake-up happens with interrupts off (under cap_lock). */
KTEST(ipc, waking_a_more_urgent_receiver_preempts)
{
	static struct env e;
	unsigned cpu = arch_cpu_id();

	KT_ASSERT(env_init(&e, "urgent") && make_ep(&e, 1));
	urg = (struct urgent){ .recv_result = (kerr_t)-1 };
	struct thread *h = thread_create(e.p, "high", urgent_recv, NULL, PRIO_DEFAULT + 5,
					 1ull << cpu);
	KT_ASSERT(h != NULL);
	sched_sleep_ns(5000000);
	struct thread *l = thread_create(e.p, "low", busy_send, NULL, PRIO_DEFAULT + 1,
					 1ull << cpu);
	KT_ASSERT(l != NULL);
	thread_join(l);
	thread_join(h);
	KT_EXPECT_EQ(urg.recv_result, E_OK);
	KT_EXPECT(urg.ran_at - urg.sent_at < 5000000ull);
	env_fini(&e);
}

struct downswitch {
	bool peer_ran;
	bool peer_ran_first;    /* while the client still spun: it was preempted */
	uint64_t preemptions;   /* of the CPU, between the answer and the peer's run */
};

static struct downswitch dsw;

static void note_peer_ran(void *p)
{
	dsw.preemptions = sched_get_stats(arch_cpu_id()).preemptions - dsw.preemptions;
	__atomic_store_n(&dsw.peer_ran, true, __ATOMIC_RELEASE);
}

static void urgent_server(void *p)
{
	struct ipc_msg m;
	uint64_t badge;

	if (ep_recv(1, 2, &m, &badge, IPC_FOREVER) != E_OK)
		return;
	/* A thread of the client's priority becomes runnable while this one runs. */
	struct thread *peer = thread_create(&kernel_process, "peer", note_peer_ran, NULL,
					    PRIO_DEFAULT - 6, 1ull << arch_cpu_id());
	if (peer)
		thread_detach(peer);
	m.info = ipc_info(2, 0, 0);
	ep_reply_recv(1, 2, &m, &badge);        /* direct switch down to the client */
}

static void lowly_client(void *p)
{
	struct ipc_msg m = { .info = ipc_info(1, 0, 0) };

	ep_call(1, &m);
	dsw.preemptions = sched_get_stats(arch_cpu_id()).preemptions;
	/* Spin (the bound only keeps a broken kernel from hanging the test; a slice is
	 * 10 ms) until the peer has run, which it can only do by preempting this thread. */
	uint64_t until = clock_ns() + 2000000000ull;
	while (clock_ns() < until && !__atomic_load_n(&dsw.peer_ran, __ATOMIC_ACQUIRE))
		;
	dsw.peer_ran_first = __atomic_load_n(&dsw.peer_ran, __ATOMIC_ACQUIRE);
}

/* After reply_recv switches directly to a less urgent caller, a thread of the caller's
 * priority queued meanwhile still gets the CPU when the slice ends: it preempts the
 * caller, which never blocks. Counted in the CPU's preemptions, not in time, which a
 * busy host stretches. */
KTEST(ipc, direct_switch_down_keeps_slices)
{
	static struct env srv, cl;
	unsigned cpu = arch_cpu_id();

	KT_ASSERT(env_init(&srv, "server") && env_init(&cl, "client"));
	KT_ASSERT(make_ep(&srv, 1) && make_reply(&srv, 2));
	KT_ASSERT_EQ(cap_mint(&srv.cs, 1, &cl.cs, 1, CAP_R_SEND, 7), E_OK);
	dsw = (struct downswitch){ 0 };
	struct thread *s = thread_create(srv.p, "server", urgent_server, NULL, PRIO_DEFAULT + 4,
					 1ull << cpu);
	KT_ASSERT(s != NULL);
	sched_sleep_ns(5000000);
	struct thread *c = thread_create(cl.p, "client", lowly_client, NULL, PRIO_DEFAULT - 6,
					 1ull << cpu);
	KT_ASSERT(c != NULL);
	thread_join(c);
	KT_EXPECT(dsw.peer_ran_first);
	KT_EXPECT(dsw.preemptions >= 1 && dsw.preemptions <= 4);
	KT_EXPECT_EQ(cap_delete(&cl.cs, 1), E_OK);
	KT_EXPECT_EQ(cap_delete(&srv.cs, 1), E_OK);     /* the server's wait ends */
	thread_join(s);
	env_fini(&cl);
	env_fini(&srv);
}

/* ---- thread and process capabilities ---- */

static bool make_thread_cap(struct env *e, uint32_t slot, struct thread *t)
{
	struct kobj *o;

	if (thread_obj_create(&e->q, t, &o) != E_OK)
		return false;
	kerr_t r = cap_insert_root(&e->cs, slot, o, CAP_R_ALL, 0);
	kobj_put(o);
	return r == E_OK;
}

static void wait_notification(void *p)
{
	struct actor *a = p;
	struct cspace *cs = thread_current()->proc->cspace;

	a->result = notify_wait(cs, a->ep, &a->badge);
}

/* A thread capability with CONTROL cancels the thread's IPC wait, whatever it waits
 * for, and leaves no trace on the objects: a receiver's reply object is free again, a
 * caller's reply object has no caller, the endpoint's queue is empty. */
KTEST(taskcap, cancel_ends_every_kind_of_ipc_wait)
{
	static struct env srv, cl;
	static struct actor rcv, caller, w, tmp;
	struct thread *t;
	struct notification *n;

	KT_ASSERT(env_init(&srv, "server") && env_init(&cl, "client"));
	KT_ASSERT(make_ep(&srv, 1));
	KT_ASSERT(make_reply(&srv, 2));
	KT_ASSERT_EQ(cap_copy(&srv.cs, 1, &cl.cs, 1, CAP_R_SEND), E_OK);

	/* A receiver, with a reply object offered and a timeout it will not reach. */
	rcv = (struct actor){ .ep = 1, .reply = 2, .timeout = 10000000000ull,
			      .result = (kerr_t)-1 };
	t = spawn(&srv, do_recv, &rcv);
	KT_ASSERT(t != NULL);
	sched_sleep_ns(5000000);
	KT_ASSERT(make_thread_cap(&srv, 10, t));
	KT_ASSERT_EQ(cap_copy(&srv.cs, 10, &srv.cs, 11, CAP_R_DERIVE), E_OK);
	KT_EXPECT_EQ(thread_cap_cancel_ipc(&srv.cs, 11), E_PERM);      /* no CONTROL */
	KT_EXPECT_EQ(thread_cap_cancel_ipc(&srv.cs, 1), E_TYPE);
	KT_EXPECT_EQ(thread_cap_cancel_ipc(&srv.cs, 12), E_NOT_FOUND);
	KT_EXPECT_EQ(thread_cap_cancel_ipc(&srv.cs, 0), E_RANGE);
	KT_EXPECT_EQ(rcv.result, (kerr_t)-1);           /* none of those touched it */
	KT_EXPECT_EQ(thread_cap_cancel_ipc(&srv.cs, 10), E_OK);
	thread_join(t);
	KT_EXPECT_EQ(rcv.result, E_CANCELED);
	KT_EXPECT(rcv.t_ns < 10000000000ull);
	KT_EXPECT_EQ(thread_cap_cancel_ipc(&srv.cs, 10), E_NOT_FOUND); /* not waiting now */
	KT_EXPECT_EQ(cap_delete(&srv.cs, 10), E_OK);
	KT_EXPECT_EQ(cap_delete(&srv.cs, 11), E_OK);
	tmp = (struct actor){ .ep = 1, .timeout = IPC_POLL, .m.info = ipc_info(1, 0, 0) };
	run_in(&cl, do_send, &tmp);
	KT_EXPECT_EQ(tmp.result, E_WOULD_BLOCK);        /* the queue is empty */

	/* A caller waiting for its answer. */
	caller = (struct actor){ .ep = 1, .m.info = ipc_info(1, 0, 0), .result = (kerr_t)-1 };
	t = spawn(&cl, do_call, &caller);
	KT_ASSERT(t != NULL);
	rcv = (struct actor){ .ep = 1, .reply = 2, .timeout = IPC_FOREVER };
	run_in(&srv, do_recv, &rcv);                    /* binds the caller to reply 2 */
	KT_ASSERT_EQ(rcv.result, E_OK);
	KT_ASSERT(make_thread_cap(&srv, 10, t));
	KT_EXPECT_EQ(thread_cap_cancel_ipc(&srv.cs, 10), E_OK);
	thread_join(t);
	KT_EXPECT_EQ(caller.result, E_CANCELED);
	tmp = (struct actor){ .reply = 2, .m.info = ipc_info(2, 0, 0) };
	run_in(&srv, do_reply, &tmp);
	KT_EXPECT_EQ(tmp.result, E_NOT_FOUND);          /* nobody is bound any more */
	/* The reply object was left free: a receive may offer it again. */
	tmp = (struct actor){ .ep = 1, .reply = 2, .timeout = 1000000 };
	run_in(&srv, do_recv, &tmp);
	KT_EXPECT_EQ(tmp.result, E_TIMEOUT);
	KT_EXPECT_EQ(cap_delete(&srv.cs, 10), E_OK);

	/* A notification wait; a signal after it stays pending. */
	KT_ASSERT_EQ(notification_create(&srv.q, &n), E_OK);
	KT_ASSERT_EQ(cap_insert_root(&srv.cs, 5, &n->obj, CAP_R_ALL, 0), E_OK);
	kobj_put(&n->obj);
	w = (struct actor){ .ep = 5, .result = (kerr_t)-1 };
	t = spawn(&srv, wait_notification, &w);
	KT_ASSERT(t != NULL);
	sched_sleep_ns(5000000);
	KT_ASSERT(make_thread_cap(&srv, 10, t));
	KT_EXPECT_EQ(thread_cap_cancel_ipc(&srv.cs, 10), E_OK);
	thread_join(t);
	KT_EXPECT_EQ(w.result, E_CANCELED);
	uint64_t bits;
	KT_EXPECT_EQ(notify_signal(&srv.cs, 5, 0x8), E_OK);
	KT_EXPECT_EQ(notify_poll(&srv.cs, 5, &bits), E_OK);
	KT_EXPECT_EQ(bits, 0x8);
	env_fini(&cl);
	env_fini(&srv);
	KT_EXPECT_EQ(srv.q.used, 0);
}

/* A thread or process capability holds its thread or process: both outlive the thread's
 * exit until the last capability goes, then nothing is left. */
KTEST(taskcap, capabilities_keep_threads_and_processes_alive)
{
	static struct env e;
	static struct actor a;
	uint64_t threads = thread_count(), procs = process_count(), objs = kobj_count();
	struct kobj *o;
	struct thread *t;
	struct process *p;

	KT_ASSERT(env_init(&e, "holder"));
	a = (struct actor){ .ep = 1, .timeout = IPC_POLL };
	t = spawn(&e, do_recv, &a);
	KT_ASSERT(t != NULL);
	KT_ASSERT(make_thread_cap(&e, 1, t));
	KT_ASSERT_EQ(process_obj_create(&e.q, e.p, &o), E_OK);
	KT_ASSERT_EQ(cap_insert_root(&e.cs, 2, o, CAP_R_CONTROL | CAP_R_DERIVE, 0), E_OK);
	kobj_put(o);
	thread_join(t);
	settle_threads(threads + 1);
	KT_EXPECT_EQ(thread_count(), threads + 1);      /* exited, still named */
	struct thread *got;
	KT_ASSERT_EQ(thread_cap_get(&e.cs, 1, CAP_R_CONTROL, &got), E_OK);
	KT_EXPECT(got == t);
	thread_put(got);
	KT_ASSERT_EQ(process_cap_get(&e.cs, 2, CAP_R_CONTROL, &p), E_OK);
	KT_EXPECT(p == e.p);
	process_put(p);
	KT_EXPECT_EQ(process_cap_get(&e.cs, 1, 0, &p), E_TYPE);
	KT_ASSERT_EQ(cap_copy(&e.cs, 2, &e.cs, 3, 0), E_OK);
	KT_EXPECT_EQ(process_cap_get(&e.cs, 3, CAP_R_CONTROL, &p), E_PERM);
	KT_EXPECT_EQ(cap_delete(&e.cs, 1), E_OK);
	KT_EXPECT_EQ(thread_count(), threads);
	env_fini(&e);                   /* the process capability goes with the space */
	KT_EXPECT_EQ(process_count(), procs);
	KT_EXPECT_EQ(kobj_count(), objs);
	KT_EXPECT_EQ(e.q.used, 0);
}

/* A thread of a process given no capability space has the empty one: every slot is
 * out of range, and nothing breaks. */
static void ipc_without_space(void *p)
{
	kerr_t *res = p;
	struct ipc_msg m = { .info = ipc_info(1, 0, 0) };
	uint64_t badge;

	res[0] = ep_send(1, &m, IPC_POLL);
	res[1] = ep_call(1, &m);
	res[2] = ep_recv(1, 0, &m, &badge, IPC_POLL);
	res[3] = ep_reply(1, &m);
	res[4] = ep_reply_recv(1, 2, &m, &badge);
}

KTEST(ipc, a_process_without_capabilities_has_no_slots)
{
	static kerr_t res[5];
	struct process *p;

	KT_ASSERT_EQ(process_create("no-caps", &p), E_OK);
	struct thread *t = thread_create(p, "no-caps", ipc_without_space, res, PRIO_DEFAULT,
					 AFFINITY_ALL);
	KT_ASSERT(t != NULL);
	thread_join(t);
	for (int i = 0; i < 5; i++)
		KT_EXPECT_EQ(res[i], E_RANGE);
	t = thread_create(&kernel_process, "kernel", ipc_without_space, res, PRIO_DEFAULT,
			  AFFINITY_ALL);
	KT_ASSERT(t != NULL);
	thread_join(t);
	for (int i = 0; i < 5; i++)
		KT_EXPECT_EQ(res[i], E_RANGE);
	process_put(p);
}
