/*
 * Capabilities and notifications in the running kernel: threads of different processes,
 * each with its own capability space, on all CPUs. The derivation tree's logic is
 * tested exhaustively on the host (tests/host/test_cap.c).
 */
#include <ktest.h>
#include <cap.h>
#include <notify.h>
#include <sched.h>
#include <thread.h>
#include <time.h>
#include "objects.h"

#define SLOTS 16

KTEST(notify, signal_ors_wait_returns_and_clears)
{
	struct quota q;
	struct cspace cs;
	uint64_t bits = 0, objs = kobj_count();

	quota_init(&q, 1 << 20);
	KT_ASSERT_EQ(cspace_init(&cs, SLOTS, &q), E_OK);
	KT_ASSERT(make_notification(&cs, 1, &q));
	KT_EXPECT_EQ(notify_poll(&cs, 1, &bits), E_OK);
	KT_EXPECT_EQ(bits, 0);
	KT_EXPECT_EQ(notify_signal(&cs, 1, 0x5), E_OK);
	KT_EXPECT_EQ(notify_signal(&cs, 1, 0x2), E_OK);
	KT_EXPECT_EQ(notify_wait(&cs, 1, &bits), E_OK);
	KT_EXPECT_EQ(bits, 0x7);
	KT_EXPECT_EQ(notify_poll(&cs, 1, &bits), E_OK);
	KT_EXPECT_EQ(bits, 0);
	KT_EXPECT_EQ(notify_signal(&cs, 1, 0), E_INVAL);
	cspace_destroy(&cs);
	KT_EXPECT_EQ(kobj_count(), objs);
	KT_EXPECT_EQ(q.used, 0);
}

/* Each operation with its right present and missing; wrong types and bad slots. */
KTEST(notify, rights_matrix)
{
	struct quota q;
	struct cspace cs;
	uint64_t bits;

	quota_init(&q, 1 << 20);
	KT_ASSERT_EQ(cspace_init(&cs, SLOTS, &q), E_OK);
	KT_ASSERT(make_notification(&cs, 1, &q));
	KT_ASSERT_EQ(cap_copy(&cs, 1, &cs, 2, CAP_R_SIGNAL), E_OK);        /* signal only */
	KT_ASSERT_EQ(cap_copy(&cs, 1, &cs, 3, CAP_R_WAIT), E_OK);          /* wait only */
	KT_ASSERT_EQ(cap_copy(&cs, 1, &cs, 4, CAP_R_GRANT), E_OK);         /* neither */

	KT_EXPECT_EQ(notify_signal(&cs, 2, 1), E_OK);
	KT_EXPECT_EQ(notify_signal(&cs, 3, 1), E_PERM);
	KT_EXPECT_EQ(notify_signal(&cs, 4, 1), E_PERM);
	KT_EXPECT_EQ(notify_poll(&cs, 2, &bits), E_PERM);
	KT_EXPECT_EQ(notify_poll(&cs, 3, &bits), E_OK);
	KT_EXPECT_EQ(bits, 1);
	KT_EXPECT_EQ(notify_wait(&cs, 4, &bits), E_PERM);
	/* Rights never grow back: a copy of the signal-only capability asking for all. */
	KT_EXPECT_EQ(cap_copy(&cs, 2, &cs, 5, CAP_R_ALL), E_PERM);      /* no derive right */
	KT_ASSERT_EQ(cap_copy(&cs, 1, &cs, 6, CAP_R_SIGNAL | CAP_R_DERIVE), E_OK);
	KT_ASSERT_EQ(cap_copy(&cs, 6, &cs, 7, CAP_R_ALL), E_OK);
	KT_EXPECT_EQ(notify_poll(&cs, 7, &bits), E_PERM);
	/* Bad slots and empty ones. */
	KT_EXPECT_EQ(notify_signal(&cs, 0, 1), E_RANGE);
	KT_EXPECT_EQ(notify_signal(&cs, SLOTS, 1), E_RANGE);
	KT_EXPECT_EQ(notify_signal(&cs, 0xffffffffu, 1), E_RANGE);
	KT_EXPECT_EQ(notify_signal(&cs, 9, 1), E_NOT_FOUND);
	cspace_destroy(&cs);
	KT_EXPECT_EQ(q.used, 0);
}

/* Minted capabilities signal their badge, and only it. */
KTEST(notify, badges_identify_signallers)
{
	struct quota q;
	struct cspace cs;
	uint64_t bits;

	quota_init(&q, 1 << 20);
	KT_ASSERT_EQ(cspace_init(&cs, SLOTS, &q), E_OK);
	KT_ASSERT(make_notification(&cs, 1, &q));
	KT_ASSERT_EQ(cap_mint(&cs, 1, &cs, 2, CAP_R_SIGNAL | CAP_R_DERIVE, 0x10), E_OK);
	KT_ASSERT_EQ(cap_mint(&cs, 1, &cs, 3, CAP_R_SIGNAL, 0x400), E_OK);
	/* A badged capability cannot be re-badged. */
	KT_EXPECT_EQ(cap_mint(&cs, 2, &cs, 4, CAP_R_ALL, 0x1), E_INVAL);
	KT_EXPECT_EQ(notify_signal(&cs, 2, 0xffff), E_OK);     /* the badge, not 0xffff */
	KT_EXPECT_EQ(notify_signal(&cs, 3, 0), E_OK);
	KT_EXPECT_EQ(notify_poll(&cs, 1, &bits), E_OK);
	KT_EXPECT_EQ(bits, 0x410);
	cspace_destroy(&cs);
}

/* ---- across processes and CPUs ---- */

struct waiter {
	struct cspace *cs;
	kerr_t result;
	uint64_t bits;
};

static void wait_once(void *p)
{
	struct waiter *w = p;

	w->result = notify_wait(w->cs, 1, &w->bits);
}

KTEST(notify, wait_blocks_until_signalled_from_another_process)
{
	struct quota q;
	struct cspace a, b;
	struct process *pa, *pb;
	static struct waiter w;
	uint64_t threads = thread_count();

	quota_init(&q, 1 << 20);
	KT_ASSERT_EQ(cspace_init(&a, SLOTS, &q), E_OK);
	KT_ASSERT_EQ(cspace_init(&b, SLOTS, &q), E_OK);
	KT_ASSERT(make_notification(&a, 1, &q));
	/* Process b gets a signal-only capability, as a transfer would give it. */
	uint32_t slot = 0;
	KT_ASSERT_EQ(cap_transfer(&a, 1, &b, CAP_R_SIGNAL, &slot), E_OK);
	KT_EXPECT_EQ(slot, 1);
	KT_ASSERT_EQ(process_create("notify-a", &pa), E_OK);
	KT_ASSERT_EQ(process_create("notify-b", &pb), E_OK);

	w = (struct waiter){ .cs = &a, .result = E_INVAL };
	struct thread *t = thread_create(pa, "waiter", wait_once, &w, PRIO_DEFAULT,
					 AFFINITY_ALL);
	KT_ASSERT(t != NULL);
	sched_sleep_ns(20000000);
	KT_EXPECT_EQ(w.result, E_INVAL);                /* still blocked */
	KT_EXPECT_EQ(notify_signal(&b, 1, 0x80), E_OK);
	thread_join(t);
	KT_EXPECT_EQ(w.result, E_OK);
	KT_EXPECT_EQ(w.bits, 0x80);
	process_put(pa);
	process_put(pb);
	cspace_destroy(&b);
	cspace_destroy(&a);
	KT_EXPECT_EQ(q.used, 0);
	KT_EXPECT_EQ(thread_count(), threads);
}

/* The last capability goes while a thread waits: it returns E_DELETED. Revoking the
 * original's children leaves the waiter's capability; deleting the original (the last
 * capability) ends the wait. */
KTEST(notify, deleting_the_last_capability_wakes_waiters)
{
	struct quota q;
	struct cspace cs;
	static struct waiter w[3];
	struct thread *t[3];
	uint64_t objs = kobj_count();

	quota_init(&q, 1 << 20);
	KT_ASSERT_EQ(cspace_init(&cs, SLOTS, &q), E_OK);
	KT_ASSERT(make_notification(&cs, 1, &q));
	KT_ASSERT_EQ(cap_copy(&cs, 1, &cs, 2, CAP_R_ALL), E_OK);
	for (int i = 0; i < 3; i++) {
		w[i] = (struct waiter){ .cs = &cs, .result = E_INVAL };
		t[i] = thread_create(&kernel_process, "waiter", wait_once, &w[i], PRIO_DEFAULT,
				     AFFINITY_ALL);
		KT_ASSERT(t[i] != NULL);
	}
	sched_sleep_ns(20000000);
	KT_EXPECT_EQ(cap_revoke(&cs, 1), E_OK);          /* slot 2 goes; 1 stays */
	KT_EXPECT_EQ(cap_lookup(&cs, 2, OBJ_NONE, 0, &(struct cap){ 0 }), E_NOT_FOUND);
	sched_sleep_ns(10000000);
	for (int i = 0; i < 3; i++)
		KT_EXPECT_EQ(w[i].result, E_INVAL);     /* still waiting */
	KT_EXPECT_EQ(cap_delete(&cs, 1), E_OK);
	for (int i = 0; i < 3; i++) {
		thread_join(t[i]);
		KT_EXPECT_EQ(w[i].result, E_DELETED);
	}
	KT_EXPECT_EQ(kobj_count(), objs);
	cspace_destroy(&cs);
	KT_EXPECT_EQ(q.used, 0);
}

/* Many signallers on all CPUs, each its own badge, many times; one waiter collects. */
#define SIGNALLERS 6
#define SIGNALS 2000

struct signaller {
	struct cspace *cs;
	uint32_t slot;
	uint64_t errors;
};

static void signal_many(void *p)
{
	struct signaller *s = p;

	for (int i = 0; i < SIGNALS; i++) {
		if (notify_signal(s->cs, s->slot, 0) != E_OK)
			s->errors++;
		if (i % 64 == 0)
			sched_yield();
	}
}

KTEST(notify, concurrent_signallers_are_all_seen)
{
	struct quota q;
	struct cspace cs;
	static struct signaller s[SIGNALLERS];
	struct thread *t[SIGNALLERS];
	uint64_t seen = 0, bits;
	uint64_t all = (1ull << SIGNALLERS) - 1;

	quota_init(&q, 1 << 20);
	KT_ASSERT_EQ(cspace_init(&cs, SLOTS, &q), E_OK);
	KT_ASSERT(make_notification(&cs, 1, &q));
	for (int i = 0; i < SIGNALLERS; i++) {
		KT_ASSERT_EQ(cap_mint(&cs, 1, &cs, 2 + i, CAP_R_SIGNAL, 1ull << i), E_OK);
		s[i] = (struct signaller){ .cs = &cs, .slot = 2 + i };
		t[i] = thread_create(&kernel_process, "signaller", signal_many, &s[i],
				     PRIO_DEFAULT, AFFINITY_ALL);
		KT_ASSERT(t[i] != NULL);
	}
	while (seen != all) {
		KT_ASSERT_EQ(notify_wait(&cs, 1, &bits), E_OK);
		KT_EXPECT((bits & ~all) == 0);
		seen |= bits;
	}
	for (int i = 0; i < SIGNALLERS; i++) {
		thread_join(t[i]);
		KT_EXPECT_EQ(s[i].errors, 0);
	}
	cspace_destroy(&cs);
	KT_EXPECT_EQ(q.used, 0);
}

/* A quota runs out: an error for the process, nothing leaked, the kernel unharmed. */
KTEST(notify, quota_exhaustion_is_an_error)
{
	struct quota q;
	struct cspace cs;
	uint64_t objs = kobj_count();
	int made = 0;

	quota_init(&q, 64 * sizeof(struct cap_slot) + 10 * sizeof(struct notification));
	KT_ASSERT_EQ(cspace_init(&cs, 64, &q), E_OK);
	for (uint32_t slot = 1; slot < 64; slot++) {
		struct notification *n;
		if (notification_create(&q, &n) != E_OK)
			break;
		KT_ASSERT_EQ(cap_insert_root(&cs, slot, &n->obj, CAP_R_ALL, 0), E_OK);
		kobj_put(&n->obj);
		made++;
	}
	KT_EXPECT_EQ(made, 10);
	struct cspace more;
	KT_EXPECT_EQ(cspace_init(&more, 2, &q), E_NO_MEMORY);
	cspace_destroy(&cs);
	KT_EXPECT_EQ(q.used, 0);
	KT_EXPECT_EQ(kobj_count(), objs);
}
