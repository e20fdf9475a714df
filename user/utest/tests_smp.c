/*
 * SMP torture from ring 3 (tests/kernel/test_utest.c runs it in a 4-CPU boot,
 * utest.smp_torture_from_ring3; docs/TESTING.md). The kernel's own torture
 * (tests/kernel/test_torture.c) drives kernel functions from kernel threads; this one
 * goes through SYSCALL, the IPC fast paths and the user copies, with threads pinned to
 * every CPU at once (thread_set_affinity) for TORTURE_NS:
 *
 *   - a server on each CPU, called by a client on the same CPU (the fast path's direct
 *     switch) and one on the next CPU (a wake-up by IPI), with register messages, long
 *     ones (words in the IPC buffer) and ones carrying a badged capability, which the
 *     server identifies and signals through; every reply is checked word by word, and
 *     the server checks that each client's sequence numbers come one after the other;
 *   - two threads deriving copies and mints of a capability, into this process and a
 *     child's, while a third revokes it under them;
 *   - a thread starting threads, each pinned to another CPU, that send one message and
 *     end; and one making processes whose threads wait in IPC (receiving, calling an
 *     endpoint nobody answers, calling a server above, waiting on a notification) or
 *     spin, on every CPU, then killing them;
 *   - a thread mapping one of two memory objects at one address, and unmapping it, while
 *     a thread on every other CPU reads it: they agree on epochs (even: mapped; odd:
 *     being changed, they stay off), and each read must find the object of its epoch —
 *     a TLB entry that survived an unmap would show the other one. The TLB shootdowns
 *     are counted (system_info) and there must be one per unmap at least.
 *
 * Every wait is bounded: told to stop, each worker must end within STOP_WAIT_MS, or it
 * is named with what it waits in (a lost wake-up), its wait cancelled, and the test
 * fails. The kernel's test then finds its objects, capabilities, threads, processes,
 * mappings, frames and heap back where they were.
 */
#include "utest.h"

#define TORTURE_NS      3000000000ull
#define STOP_WAIT_MS    5000
#define MAX_CPUS        8               /* the torture uses at most this many */

enum {
	L_REG = 1, L_LONG, L_CAP, L_STOP, L_VICTIM, L_ANSWER = 16,
	VICTIM_BADGE = 0x100,           /* the killer's victims call the servers with it */
	TOKEN_BADGE = 0x1000,           /* + client: the capability a client sends */
};

struct worker {
	const char *name;
	void (*fn)(struct worker *w);
	unsigned cpu, index;
	uint32_t thread;                /* its capability */
	uint32_t slot[6];               /* empty slots of its own (ut_slot is not
					 * thread-safe: taken before it starts) */
	volatile uint64_t ops;
	volatile uint64_t errors;
	const char *volatile where;     /* what it waits in now */
	char first_error[120];
	volatile bool done;
};

static struct {
	unsigned ncpus;
	volatile bool go, stop;
	struct worker w[64];
	unsigned nw;
	/* IPC */
	uint32_t ep[MAX_CPUS], reply[MAX_CPUS];         /* the servers' */
	uint32_t client_ep[2 * MAX_CPUS];               /* badged: client + 1 */
	uint32_t victim_ep[MAX_CPUS];                   /* badged VICTIM_BADGE */
	uint32_t token[2 * MAX_CPUS], token_badged[2 * MAX_CPUS];
	volatile uint64_t served[2 * MAX_CPUS];         /* by the servers, per client */
	volatile uint64_t victim_calls;
	/* capabilities */
	uint32_t root, child;
	/* threads */
	uint32_t spawn_ep;
	uint32_t code;                                  /* the victims' code */
	uint32_t blk_ep, dead_ep, wait_ntf, sup;
	/* mappings */
	uint32_t obj[2];
	uint64_t va, npages;
	volatile uint64_t epoch;
	volatile uint64_t acked[MAX_CPUS];
	volatile uint64_t unmaps;
} T;

static void fail(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct worker *w, const char *fmt, ...)
{
	if (__atomic_fetch_add(&w->errors, 1, __ATOMIC_RELAXED) == 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(w->first_error, sizeof(w->first_error), fmt, ap);
		va_end(ap);
	}
}

static bool stopping(void)
{
	return __atomic_load_n(&T.stop, __ATOMIC_ACQUIRE);
}

/* ---- IPC ---- */

static uint64_t word(uint64_t seq, uint64_t badge, unsigned i)
{
	return seq * 0x9e3779b97f4a7c15ull ^ badge << 48 ^ i;
}

static uint64_t answer(uint64_t x, unsigned i)
{
	return ~x + i;
}

/* A client's message to a server: each word what the client put there. */
static void check_words(struct worker *w, unsigned cl, uint64_t badge, unsigned len,
			const uint64_t m[4], const struct mnos_ipc_buffer *b)
{
	for (unsigned i = 1; i < len && i < 4; i++)
		if (m[i] != word(m[0], badge, i))
			fail(w, "client %u: word %u of message %llu wrong", cl, i,
			     (unsigned long long)m[0]);
	for (unsigned i = 4; i < len; i++)
		if (b->w[i] != word(m[0], badge, i))
			fail(w, "client %u: long word %u of message %llu wrong", cl, i,
			     (unsigned long long)m[0]);
}

/* The capability a client's message carried: a child of its token with SIGNAL only and
 * the token's badge. Signalled through (the client checks the badge arrives), then
 * deleted. */
static void check_cap(struct worker *w, unsigned cl, uint64_t info,
		      const struct mnos_ipc_buffer *b)
{
	uint32_t got = b->caps[0];
	uint64_t t, rights, tb;

	if (mnos_ipc_ncaps(info) != 1 || !got) {
		fail(w, "client %u: the capability did not come", cl);
		return;
	}
	if (mnos_cap_identify(got, &t, &rights, &tb) != E_OK || t != MNOS_OBJ_NOTIFICATION ||
	    rights != CAP_R_SIGNAL || tb != TOKEN_BADGE + cl)
		fail(w, "client %u: the capability is %llu/%#llx/%#llx", cl,
		     (unsigned long long)t, (unsigned long long)rights, (unsigned long long)tb);
	else if (mnos_notify_signal(got, 1) != E_OK)
		fail(w, "client %u: signalling through it", cl);
	mnos_cap_delete(got);
}

/* A server: answers each message with its words transformed, checks the order of each
 * client's messages and the capability a message carries. Ends when both of its
 * clients have said stop. */
static void server(struct worker *w)
{
	unsigned c = w->index, stops = 0;
	struct mnos_ipc_buffer *b = mnos_ipc_buffer();
	uint64_t badge, info, m[4], next[2] = { 1, 1 };
	enum mnos_error e;

	if (!b) {
		fail(w, "no IPC buffer");
		return;
	}
	w->where = "ep_recv";
	e = mnos_ep_recv(T.ep[c], T.reply[c], IPC_FOREVER, &badge, &info, &m[0], &m[1], &m[2],
			 &m[3]);
	for (;;) {
		if (e != E_OK) {
			fail(w, "receive: %s", kerr_name((kerr_t)e));
			if (e == E_CANCELED && stopping())
				return;
			w->where = "ep_recv after an error";
			e = mnos_ep_recv(T.ep[c], T.reply[c], IPC_FOREVER, &badge, &info, &m[0],
					 &m[1], &m[2], &m[3]);
			continue;
		}
		uint64_t label = mnos_ipc_label(info), r[4] = { 0, 0, 0, 0 };
		unsigned len = mnos_ipc_len(info), cl = (unsigned)badge - 1;

		if (badge == VICTIM_BADGE) {
			__atomic_fetch_add(&T.victim_calls, 1, __ATOMIC_RELAXED);
			len = 0;
		} else if (badge < 1 || badge > 2 * T.ncpus || cl / 2 != c) {
			fail(w, "a message with badge %llu", (unsigned long long)badge);
			len = 0;
		} else {
			if (label == L_STOP) {
				stops++;
			} else if (m[0] != next[cl % 2]) {
				fail(w, "client %u: message %llu after %llu", cl,
				     (unsigned long long)m[0],
				     (unsigned long long)next[cl % 2] - 1);
				next[cl % 2] = m[0] + 1;
			} else {
				next[cl % 2]++;
				T.served[cl]++;
			}
			check_words(w, cl, badge, len, m, b);
			if (label == L_CAP)
				check_cap(w, cl, info, b);
			for (unsigned i = 0; i < len && i < 4; i++)
				r[i] = answer(m[i], i);
			for (unsigned i = 4; i < len; i++)
				b->w[i] = answer(b->w[i], i);
		}
		uint64_t rinfo = mnos_ipc_info(label + L_ANSWER, len, 0);
		w->ops++;
		if (stops == 2) {
			mnos_ep_reply(T.reply[c], rinfo, r[0], r[1], r[2], r[3]);
			return;
		}
		w->where = "ep_reply_recv";
		e = mnos_ep_reply_recv(T.ep[c] | (uint64_t)T.reply[c] << 32, rinfo, r[0], r[1],
				       r[2], r[3], &badge, &info, &m[0], &m[1], &m[2], &m[3]);
	}
}

/* A client: calls its server with register, long and capability-carrying messages in
 * turn, and checks every answer; then says stop. */
static void client(struct worker *w)
{
	unsigned cl = w->index;
	uint64_t badge = cl + 1, seq = 0;
	struct mnos_ipc_buffer *b = mnos_ipc_buffer();

	if (!b) {
		fail(w, "no IPC buffer");
		return;
	}
	for (;;) {
		bool last = stopping();
		uint64_t label = last ? L_STOP : L_REG + seq % 3;
		/* Long ones of every length from 5 to 64 soon, not only after many calls. */
		unsigned len = label == L_LONG ? 5 + (unsigned)(seq * 23 % 60) :
			       label == L_CAP ? 2 : 4;
		uint64_t m[4], r[4], rinfo;

		if (!last)
			seq++;
		for (unsigned i = 0; i < 4; i++)
			m[i] = i ? word(seq, badge, i) : seq;
		for (unsigned i = 4; i < len; i++)
			b->w[i] = word(seq, badge, i);
		if (label == L_CAP) {
			b->caps[0] = T.token_badged[cl];
			b->cap_mask[0] = CAP_R_SIGNAL;
		}
		w->where = "ep_call";
		enum mnos_error e = mnos_ep_call(T.client_ep[cl],
						 mnos_ipc_info(label, len, label == L_CAP),
						 m[0], m[1], m[2], m[3], &rinfo, &r[0], &r[1],
						 &r[2], &r[3]);
		if (e != E_OK) {
			fail(w, "call %llu: %s", (unsigned long long)seq, kerr_name((kerr_t)e));
			if (e == E_CANCELED && stopping())
				return;
			continue;
		}
		if (mnos_ipc_label(rinfo) != label + L_ANSWER || mnos_ipc_len(rinfo) != len)
			fail(w, "call %llu: answer %#llx", (unsigned long long)seq,
			     (unsigned long long)rinfo);
		for (unsigned i = 0; i < len && i < 4; i++)
			if (r[i] != answer(m[i], i))
				fail(w, "call %llu: answer word %u wrong",
				     (unsigned long long)seq, i);
		for (unsigned i = 4; i < len; i++)
			if (b->w[i] != answer(word(seq, badge, i), i))
				fail(w, "call %llu: answer long word %u wrong",
				     (unsigned long long)seq, i);
		if (label == L_CAP) {
			uint64_t bits = 0;
			mnos_notify_poll(T.token[cl], &bits);
			if (bits != TOKEN_BADGE + cl)
				fail(w, "call %llu: the token's signal is %#llx",
				     (unsigned long long)seq, (unsigned long long)bits);
		}
		if (last)
			return;
		w->ops++;
	}
}

/* ---- capabilities ---- */

static bool rights_ok(uint32_t slot, uint64_t want_type, uint64_t most, uint64_t badge)
{
	uint64_t t, r, b;
	enum mnos_error e = mnos_cap_identify(slot, &t, &r, &b);

	/* Revoked under it since: nothing to check. */
	return e == E_NOT_FOUND || (e == E_OK && t == want_type && !(r & ~most) && b == badge);
}

/* Copies and mints of the root, chains of them, copies into the child process; the
 * revoker takes them away at any moment, so "not found" is as good as success. */
static void deriver(struct worker *w)
{
	uint32_t a = w->slot[0], m = w->slot[1], c = w->slot[2];
	uint32_t in_child = 1 + w->index * 2;           /* two slots of the child's each */
	uint64_t n = 0;

	while (!stopping()) {
		uint32_t rights = (n & 1 ? MNOS_RIGHTS_ENDPOINT : CAP_R_SEND | CAP_R_DERIVE);
		uint64_t badge = (w->index + 1) << 20 | (n & 0xfffff);
		enum mnos_error e;

		n++;
		if ((e = mnos_cap_copy(T.root, 0, a, rights)) != E_OK) {
			if (e != E_EXISTS)
				fail(w, "copy of the root: %s", kerr_name((kerr_t)e));
		} else if (!rights_ok(a, MNOS_OBJ_ENDPOINT, rights, 0)) {
			fail(w, "the copy has more than it was given");
		}
		e = mnos_cap_mint(a, m, CAP_R_SEND | CAP_R_DERIVE, badge);
		if (e == E_OK &&
		    !rights_ok(m, MNOS_OBJ_ENDPOINT, CAP_R_SEND | CAP_R_DERIVE, badge))
			fail(w, "the mint is not what was asked");
		else if (e != E_OK && e != E_NOT_FOUND && e != E_EXISTS)
			fail(w, "mint: %s", kerr_name((kerr_t)e));
		e = mnos_cap_copy(m, 0, c, CAP_R_SEND);         /* a chain: root, a, m, c */
		if (e == E_OK && !rights_ok(c, MNOS_OBJ_ENDPOINT, CAP_R_SEND, badge))
			fail(w, "the chain's end is not what was asked");
		else if (e != E_OK && e != E_NOT_FOUND && e != E_EXISTS)
			fail(w, "copy of the mint: %s", kerr_name((kerr_t)e));
		e = mnos_cap_copy(a, T.child, in_child + n % 2, CAP_R_SEND);
		if (e != E_OK && e != E_NOT_FOUND && e != E_EXISTS)
			fail(w, "copy into the child: %s", kerr_name((kerr_t)e));
		/* Deleting the middle moves its children up; then the rest. */
		mnos_cap_delete(m);
		if (n % 3 == 0)
			mnos_cap_delete(a);
		mnos_cap_delete(c);
		w->ops++;
		mnos_sleep(20000);      /* the CPU's others get a turn at the lock too */
	}
	mnos_cap_delete(a);
}

static void revoker(struct worker *w)
{
	while (!stopping()) {
		enum mnos_error e = mnos_cap_revoke(T.root);
		if (e != E_OK)
			fail(w, "revoke: %s", kerr_name((kerr_t)e));
		w->ops++;
		mnos_sleep(200000);
	}
}

/* ---- threads ---- */

/* Threads that send one message and end (entry.S: they use no stack), each pinned to
 * the next CPU as soon as it exists — running by then, or not yet. */
static void spawner(struct worker *w)
{
	static uint8_t stack[256] __attribute__((aligned(16)));
	uint32_t t = w->slot[0];
	uint64_t i = 0;

	while (!stopping()) {
		uint64_t badge, info, w0, x;
		i++;
		uint64_t sp = (uint64_t)(uintptr_t)(stack + sizeof(stack));
		enum mnos_error e = mnos_thread_create(0, t, (uint64_t)(uintptr_t)ut_queue_sender,
						       sp, T.spawn_ep | (i & 0xffffffff) << 32);
		if (e != E_OK) {
			fail(w, "thread_create: %s", kerr_name((kerr_t)e));
			break;
		}
		e = mnos_thread_set_affinity(t, 1ull << (i % T.ncpus));
		if (e != E_OK)
			fail(w, "thread_set_affinity: %s", kerr_name((kerr_t)e));
		w->where = "ep_recv from a new thread";
		e = mnos_ep_recv(T.spawn_ep, 0, 2000000000ull, &badge, &info, &w0, &x, &x, &x);
		if (e != E_OK || mnos_ipc_label(info) != 1 || w0 != (i & 0xffffffff))
			fail(w, "thread %llu: %s, %#llx, %llu", (unsigned long long)i,
			     kerr_name((kerr_t)e), (unsigned long long)info,
			     (unsigned long long)w0);
		mnos_cap_delete(t);
		w->ops++;
	}
}

/* The victims' code (entry.S), at 0x400000 of each victim process. */
extern const uint8_t ut_victim_code[], ut_victim_code_end[], ut_victim_recv[],
	ut_victim_call2[], ut_victim_wait[], ut_victim_call4[];
#define VICTIMS 5

static uint64_t victim_entry(unsigned i)
{
	const uint8_t *const e[VICTIMS] = { ut_victim_code, ut_victim_recv, ut_victim_call2,
					    ut_victim_wait, ut_victim_call4 };

	return 0x400000 + (uint64_t)(e[i] - ut_victim_code);
}

/* Processes whose threads wait in every kind of IPC or spin, each on another CPU; killed
 * after a while (or at once), and their supervisor must hear that every thread ended. */
static void killer(struct worker *w)
{
	uint32_t p = w->slot[0], *th = &w->slot[1];
	uint64_t n = 0;

	while (!stopping()) {
		uint64_t bits = 0;
		enum mnos_error e;

		n++;
		w->where = "making a process";
		if ((e = mnos_obj_create(MNOS_OBJ_PROCESS, p, 8, 64 * 1024)) != E_OK ||
		    (e = mnos_mem_map(T.code, p, 0x400000, CAP_R_READ | CAP_R_EXEC)) != E_OK ||
		    (e = mnos_cap_copy(T.blk_ep, p, 1, CAP_R_RECV)) != E_OK ||
		    (e = mnos_cap_copy(T.dead_ep, p, 2, CAP_R_SEND)) != E_OK ||
		    (e = mnos_cap_copy(T.wait_ntf, p, 3, CAP_R_WAIT)) != E_OK ||
		    (e = mnos_cap_copy(T.victim_ep[n % T.ncpus], p, 4, CAP_R_SEND)) != E_OK ||
		    (e = mnos_proc_set_fault(p, T.sup)) != E_OK) {
			fail(w, "making a victim: %s", kerr_name((kerr_t)e));
			break;
		}
		mnos_notify_poll(T.sup, &bits);
		for (unsigned i = 0; i < VICTIMS; i++) {
			e = mnos_thread_create(p, th[i], victim_entry(i), 0x401000, 0);
			if (e == E_OK)
				e = mnos_thread_set_affinity(th[i], 1ull << ((n + i) % T.ncpus));
			if (e != E_OK)
				fail(w, "victim thread %u: %s", i, kerr_name((kerr_t)e));
		}
		if (n % 4)
			mnos_sleep(500000 + n % 3 * 500000);    /* they block (or not yet) */
		if (n % 2)
			mnos_ep_nbsend(T.blk_ep, 0, 0, 0, 0, 0); /* a wake-up racing the kill */
		if ((e = mnos_proc_kill(p)) != E_OK)
			fail(w, "proc_kill: %s", kerr_name((kerr_t)e));
		w->where = "waiting for the victims to end";
		bits = 0;
		uint64_t now, end;
		mnos_clock(&now);
		for (end = now + STOP_WAIT_MS * 1000000ull; !(bits & 2) && now < end;
		     mnos_clock(&now)) {
			uint64_t b = 0;
			mnos_notify_poll(T.sup, &b);
			bits |= b;
			if (!(bits & 2))
				mnos_sleep(200000);
		}
		if (bits != 2)
			fail(w, "victims of process %llu: supervisor bits %#llx",
			     (unsigned long long)n, (unsigned long long)bits);
		for (unsigned i = 0; i < VICTIMS; i++)
			mnos_cap_delete(th[i]);
		mnos_cap_delete(p);
		w->ops++;
	}
}

/* ---- mappings ---- */

static void map_loop(struct worker *w)
{
	unsigned k = 0;

	while (!stopping()) {
		uint64_t odd = __atomic_add_fetch(&T.epoch, 1, __ATOMIC_SEQ_CST);
		/* Every reader off the mapping before it goes. */
		w->where = "waiting for the readers to step off";
		for (unsigned spins = 0;; spins++) {
			bool all = true;
			for (unsigned c = 1; c < T.ncpus; c++)
				all &= __atomic_load_n(&T.acked[c], __ATOMIC_ACQUIRE) == odd;
			if (all)
				break;
			if (spins == 100000) {
				fail(w, "readers never stepped off (epoch %llu)",
				     (unsigned long long)odd);
				return;
			}
			mnos_sleep(20000);
		}
		/* The readers' CPUs have this address space loaded and the page in their
		 * TLBs: the unmap must shoot them down. The count is the whole system's,
		 * which other work raises too, but an unmap that sends none would leave
		 * it alone now and then. */
		struct mnos_sysinfo before, after;
		mnos_system_info((uint64_t)(uintptr_t)&before, sizeof(before));
		enum mnos_error e = mnos_mem_unmap(0, T.va);
		mnos_system_info((uint64_t)(uintptr_t)&after, sizeof(after));
		if (e != E_OK)
			fail(w, "unmap: %s", kerr_name((kerr_t)e));
		else if (after.tlb_shootdowns == before.tlb_shootdowns)
			fail(w, "unmap %llu sent no TLB shootdown",
			     (unsigned long long)T.unmaps);
		else
			__atomic_add_fetch(&T.unmaps, 1, __ATOMIC_RELAXED);
		k ^= 1;
		if ((e = mnos_mem_map(T.obj[k], 0, T.va, CAP_R_READ)) != E_OK) {
			fail(w, "map: %s", kerr_name((kerr_t)e));
			return;
		}
		__atomic_add_fetch(&T.epoch, 1, __ATOMIC_SEQ_CST);     /* even: object k */
		w->ops++;
		mnos_sleep(200000);
	}
}

static void mapper(struct worker *w)
{
	map_loop(w);
	__atomic_store_n(&T.epoch, UINT64_MAX, __ATOMIC_SEQ_CST);        /* readers: go */
}

/* The pattern of object k's page p. */
static uint64_t pattern(unsigned k, uint64_t p)
{
	return 0x5eed0000ull << 32 | (uint64_t)k << 16 | p;
}

static void reader(struct worker *w)
{
	unsigned c = w->cpu;

	for (;;) {
		uint64_t e = __atomic_load_n(&T.epoch, __ATOMIC_SEQ_CST);
		if (e == UINT64_MAX)
			return;
		if (e & 1) {
			__atomic_store_n(&T.acked[c], e, __ATOMIC_RELEASE);
			while (__atomic_load_n(&T.epoch, __ATOMIC_SEQ_CST) == e)
				mnos_sleep(20000);
			continue;
		}
		/* Mapped since epoch e, object (e / 2) % 2: epoch 0 is object 0. */
		unsigned k = (unsigned)(e / 2) % 2;
		for (uint64_t p = 0; p < T.npages; p++) {
			uint64_t v = *(volatile uint64_t *)(uintptr_t)(T.va + p * MNOS_PAGE_SIZE);
			if (v != pattern(k, p)) {
				fail(w, "epoch %llu page %llu: %#llx, not object %u's "
				     "(a stale TLB entry?)", (unsigned long long)e,
				     (unsigned long long)p, (unsigned long long)v, k);
				break;
			}
		}
		w->ops++;
		/* A while off the CPU, for its others: the TLB entries stay (the CPU keeps
		 * this address space while it runs this process's threads, or idles). */
		mnos_sleep(20000);
	}
}

/* ---- the run ---- */

static void worker_main(void *arg)
{
	struct worker *w = arg;

	while (!__atomic_load_n(&T.go, __ATOMIC_ACQUIRE))
		mnos_sleep(1000000);
	w->where = "working";
	w->fn(w);
	w->where = "done";
	__atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
}

static struct worker *add(const char *name, void (*fn)(struct worker *), unsigned cpu,
			  unsigned index)
{
	struct worker *w = &T.w[T.nw++];

	*w = (struct worker){ .name = name, .fn = fn, .cpu = cpu % T.ncpus, .index = index,
			      .where = "starting" };
	for (unsigned i = 0; i < ARRAY_SIZE(w->slot); i++)
		w->slot[i] = ut_slot();
	return w;
}

static bool all_done(unsigned ms)
{
	for (unsigned i = 0; i <= ms; i++) {
		bool all = true;
		for (unsigned k = 0; k < T.nw; k++)
			all &= __atomic_load_n(&T.w[k].done, __ATOMIC_ACQUIRE);
		if (all)
			return true;
		mnos_sleep(1000000);
	}
	return false;
}

static bool set_up(void)
{
	unsigned n = T.ncpus;

	for (unsigned c = 0; c < n; c++) {
		T.ep[c] = ut_make(MNOS_OBJ_ENDPOINT, 0, 0);
		T.reply[c] = ut_make(MNOS_OBJ_REPLY, 0, 0);
		if (!T.ep[c] || !T.reply[c] ||
		    mnos_cap_mint(T.ep[c], T.victim_ep[c] = ut_slot(), CAP_R_SEND | CAP_R_DERIVE,
				  VICTIM_BADGE) != E_OK)
			return false;
		for (unsigned k = 0; k < 2; k++) {
			unsigned cl = 2 * c + k;
			T.token[cl] = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
			if (!T.token[cl] ||
			    mnos_cap_mint(T.ep[c], T.client_ep[cl] = ut_slot(), CAP_R_SEND,
					  cl + 1) != E_OK ||
			    mnos_cap_mint(T.token[cl], T.token_badged[cl] = ut_slot(),
					  CAP_R_SIGNAL | CAP_R_GRANT, TOKEN_BADGE + cl) != E_OK)
				return false;
		}
	}
	T.root = ut_make(MNOS_OBJ_ENDPOINT, 0, 0);
	T.child = ut_make(MNOS_OBJ_PROCESS, 8, 64 * 1024);
	T.spawn_ep = ut_make(MNOS_OBJ_ENDPOINT, 0, 0);
	T.code = ut_make(MNOS_OBJ_MEMORY, 1, 0);
	T.blk_ep = ut_make(MNOS_OBJ_ENDPOINT, 0, 0);
	T.dead_ep = ut_make(MNOS_OBJ_ENDPOINT, 0, 0);
	T.wait_ntf = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	T.sup = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	T.npages = 4;
	T.obj[0] = ut_make(MNOS_OBJ_MEMORY, T.npages, 0);
	T.obj[1] = ut_make(MNOS_OBJ_MEMORY, T.npages, 0);
	if (!T.root || !T.child || !T.spawn_ep || !T.code || !T.blk_ep || !T.dead_ep ||
	    !T.wait_ntf || !T.sup || !T.obj[0] || !T.obj[1])
		return false;
	/* The victims' code and the objects' patterns, written through a window. */
	uint64_t win = ut_va(T.npages);
	if (mnos_mem_map(T.code, 0, win, CAP_R_READ | CAP_R_WRITE) != E_OK)
		return false;
	memcpy((void *)(uintptr_t)win, ut_victim_code,
	       (size_t)(ut_victim_code_end - ut_victim_code));
	mnos_mem_unmap(0, win);
	for (unsigned k = 0; k < 2; k++) {
		if (mnos_mem_map(T.obj[k], 0, win, CAP_R_READ | CAP_R_WRITE) != E_OK)
			return false;
		for (uint64_t p = 0; p < T.npages; p++)
			*(uint64_t *)(uintptr_t)(win + p * MNOS_PAGE_SIZE) = pattern(k, p);
		mnos_mem_unmap(0, win);
	}
	T.va = ut_va(T.npages);
	T.epoch = 0;                    /* even: object 0 mapped */
	return mnos_mem_map(T.obj[0], 0, T.va, CAP_R_READ) == E_OK;
}

UTEST_EXPLICIT(smp_torture_from_ring3)
{
	struct mnos_sysinfo si0, si1;
	static const char *const client_names[2] = { "client-same-cpu", "client-next-cpu" };

	UT_ASSERT_OK(mnos_system_info((uint64_t)(uintptr_t)&si0, sizeof(si0)));
	if (si0.cpus_online < 2) {
		utest_skip("one CPU");
		return;
	}
	memset(&T, 0, sizeof(T));
	T.ncpus = si0.cpus_online < MAX_CPUS ? si0.cpus_online : MAX_CPUS;
	UT_ASSERT(set_up());
	for (unsigned c = 0; c < T.ncpus; c++) {
		add("server", server, c, c);
		add(client_names[0], client, c, 2 * c);
		add(client_names[1], client, c + 1, 2 * c + 1);
	}
	add("deriver", deriver, 0, 0);
	add("deriver", deriver, 2, 1);
	add("revoker", revoker, 1, 0);
	add("spawner", spawner, 3, 0);
	add("killer", killer, 2, 0);
	add("mapper", mapper, 0, 0);
	for (unsigned c = 1; c < T.ncpus; c++)
		add("reader", reader, c, c);
	for (unsigned i = 0; i < T.nw; i++) {
		struct worker *w = &T.w[i];
		UT_ASSERT_OK(mnos_thread_start(worker_main, w, 32768, &w->thread));
		UT_ASSERT_OK(mnos_thread_set_affinity(w->thread, 1ull << w->cpu));
	}
	__atomic_store_n(&T.go, true, __ATOMIC_RELEASE);
	mnos_sleep(TORTURE_NS);
	__atomic_store_n(&T.stop, true, __ATOMIC_RELEASE);

	/* A worker that does not end was left waiting for something that never came. */
	if (!all_done(STOP_WAIT_MS)) {
		for (unsigned i = 0; i < T.nw; i++) {
			struct worker *w = &T.w[i];
			if (w->done)
				continue;
			utest_fail(__FILE__, __LINE__, "%s on CPU %u hung in %s after %llu "
				   "operations", w->name, w->cpu, w->where,
				   (unsigned long long)w->ops);
			mnos_thread_cancel_ipc(w->thread);
		}
		if (!all_done(STOP_WAIT_MS)) {
			utest_fail(__FILE__, __LINE__, "workers still hung: not torn down");
			utest_abort();
		}
	}
	UT_ASSERT_OK(mnos_system_info((uint64_t)(uintptr_t)&si1, sizeof(si1)));

	printf("    # torture from ring 3: %u CPUs, %u threads:", T.ncpus, T.nw);
	for (unsigned i = 0; i < T.nw; i++)
		printf(" %s/%u %llu", T.w[i].name, T.w[i].cpu, (unsigned long long)T.w[i].ops);
	printf("; %llu victim calls, %llu unmaps, %llu TLB shootdowns\n",
	       (unsigned long long)T.victim_calls, (unsigned long long)T.unmaps,
	       (unsigned long long)(si1.tlb_shootdowns - si0.tlb_shootdowns));
	for (unsigned i = 0; i < T.nw; i++) {
		struct worker *w = &T.w[i];
		if (w->errors)
			utest_fail(__FILE__, __LINE__, "%s on CPU %u: %llu errors, the first: %s",
				   w->name, w->cpu, (unsigned long long)w->errors,
				   w->first_error);
		if (!w->ops)
			utest_fail(__FILE__, __LINE__, "%s on CPU %u made no progress", w->name,
				   w->cpu);
	}
	/* Both sides of every exchange counted the same. */
	for (unsigned i = 0; i < T.nw; i++)
		if (T.w[i].fn == client)
			UT_EXPECT_EQ(T.served[T.w[i].index], T.w[i].ops);
	/* The mapper checked each unmap's shootdown (its errors, above). */
	UT_EXPECT(T.unmaps > 0);
	UT_EXPECT(si1.tlb_shootdowns - si0.tlb_shootdowns >= T.unmaps);
	for (unsigned i = 0; i < T.nw; i++)
		mnos_slot_free(T.w[i].thread);
	mnos_mem_unmap(0, T.va);
}
