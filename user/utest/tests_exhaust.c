/*
 * Running out, from ring 3 (tests/kernel/test_utest.c runs these in two processes at
 * once, utest.exhaustion_*): this process fills its capability space, then takes every
 * frame the kernel has — memory objects until refused, kernel objects until the heap
 * refuses, threads with a message queued each until refused — and gets E_NO_MEMORY or
 * E_EXISTS for each, never a crash; meanwhile a partner process (partner_*) keeps making
 * IPC round trips, and must make some while this one holds everything. Then it all
 * comes back. Notifications cannot be exhausted: a signal ORs bits into a word.
 *
 * The two processes talk through the notifications uprog.h gives them: each signals its
 * "tell" and waits on its "hear", which is the other's "tell".
 */
#include "utest.h"

enum {
	PEER_EXHAUSTED  = 1 << 0,       /* exhauster: memory is all taken now */
	PEER_WENT_ON    = 1 << 1,       /* partner: and round trips still work */
	PEER_DONE       = 1 << 2,       /* exhauster: all given back; stop */
};

#define PARTNER_TRIPS_WHILE_EXHAUSTED 200

static uint64_t heard;                  /* bits taken from "hear" so far */

/* Wait up to ms milliseconds for bit on "hear" (0: none given, never comes). */
static bool hear_bit(uint64_t bit, unsigned ms)
{
	uint32_t hear = mnos_start_cap("hear");

	for (unsigned i = 0; hear && !(heard & bit) && i <= ms; i++) {
		uint64_t b = 0;
		mnos_notify_poll(hear, &b);
		heard |= b;
		if (!(heard & bit))
			mnos_sleep(1000000);
	}
	return heard & bit;
}

static void tell(uint64_t bit)
{
	uint32_t t = mnos_start_cap("tell");

	if (t)
		mnos_notify_signal(t, bit);
}

/* ---- the capability space ---- */

static uint32_t sender_ep, sender_cap;

/* Send one message with a capability: it waits until the main thread receives. */
static void send_a_capability(uint64_t unused)
{
	struct mnos_ipc_buffer *b = mnos_ipc_buffer_new();

	if (!b)
		return;
	b->caps[0] = sender_cap;
	b->cap_mask[0] = CAP_R_ALL;
	mnos_ep_send(sender_ep, mnos_ipc_info(7, 1, 1), 42, 0, 0, 0);
}

/* Every slot full: each call that needs one is refused with E_EXISTS (E_RANGE past the
 * end), a capability sent to this process arrives as slot 0 with its message, and once
 * the slots are given back they all work again. */
UTEST_EXPLICIT(exhaust_capability_space)
{
	static uint32_t filled[4096];
	uint32_t ep = ut_make(MNOS_OBJ_ENDPOINT, 0, 0), n = 0;
	uint32_t ntf = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	struct mnos_ipc_buffer *buf = mnos_ipc_buffer();

	UT_ASSERT(ep && ntf && buf);
	sender_ep = ep;
	sender_cap = ntf;
	UT_ASSERT_OK(ut_start_thread(send_a_capability, 0));
	uint32_t free_before = mnos_slot_count_free();
	UT_ASSERT(free_before <= ARRAY_SIZE(filled));
	for (uint32_t s; (s = mnos_slot_alloc()) != 0; filled[n++] = s)
		UT_ASSERT_OK(mnos_cap_copy(ntf, 0, s, CAP_R_ALL));
	UT_EXPECT_EQ(n, free_before);
	UT_EXPECT_EQ(mnos_slot_count_free(), 0);
	for (uint32_t s = 1; s < ut_nslots; s++)
		UT_EXPECT_ERR(mnos_obj_create(MNOS_OBJ_NOTIFICATION, s, 0, 0), E_EXISTS);
	UT_EXPECT_ERR(mnos_obj_create(MNOS_OBJ_NOTIFICATION, ut_nslots, 0, 0), E_RANGE);
	UT_EXPECT_ERR(mnos_cap_copy(ntf, 0, filled[0], CAP_R_ALL), E_EXISTS);
	UT_EXPECT_ERR(mnos_cap_mint(ep, filled[0], CAP_R_ALL, 5), E_EXISTS);
	UT_EXPECT_ERR(mnos_thread_create(0, filled[0], (uint64_t)(uintptr_t)ut_queue_sender,
					 MNOS_USER_TOP, ep), E_EXISTS);
	/* The message arrives; its capability has nowhere to go. */
	uint64_t badge, info = 0, w0 = 0, w1, w2, w3;
	UT_EXPECT_ERR(mnos_ep_recv(ep, 0, 2000000000ull, &badge, &info, &w0, &w1, &w2, &w3),
		      E_OK);
	UT_EXPECT_EQ(mnos_ipc_label(info), 7);
	UT_EXPECT_EQ(w0, 42);
	UT_EXPECT_EQ(buf->caps[0], 0);
	UT_EXPECT(!ut_join_thread());
	for (uint32_t i = 0; i < n; i++)
		UT_EXPECT(mnos_slot_free(filled[i]));
	UT_EXPECT_EQ(mnos_slot_count_free(), free_before);
	UT_EXPECT(ut_make(MNOS_OBJ_NOTIFICATION, 0, 0) != 0);
}

/* ---- kernel memory ---- */

static volatile uint64_t fpu_result;
static uint32_t fpu_go;

/* Made before memory runs out; its first FPU instruction comes after. */
static void use_the_fpu(uint64_t unused)
{
	uint64_t bits = 0;
	volatile double x = 1.5;

	mnos_notify_wait(fpu_go, &bits);
	for (int i = 0; i < 10; i++)
		x = x * 2.0 + 0.25;
	fpu_result = (uint64_t)x;
}

#define MAX_OBJECTS     128
#define MAX_SENDERS     512
#define MAX_SMALL       512

static uint32_t objs[MAX_OBJECTS];
static uint64_t obj_pages[MAX_OBJECTS];
static uint32_t nobjs;

/* Memory objects of 2^k pages while they can be had and fit in most pages, k going
 * down to 0; returns the pages taken. With no bound, afterwards not one more frame is
 * free. */
static uint64_t take_frames(uint64_t most)
{
	uint64_t taken = 0;

	for (uint64_t pages = 1ull << 16; pages && nobjs < MAX_OBJECTS;) {
		uint32_t s = pages <= most - taken ? ut_slot() : 0;
		enum mnos_error e = s ? mnos_obj_create(MNOS_OBJ_MEMORY, s, pages, 0) : E_NO_MEMORY;
		if (e == E_OK) {
			objs[nobjs] = s;
			obj_pages[nobjs++] = pages;
			taken += pages;
			continue;
		}
		UT_EXPECT_ERR(e, E_NO_MEMORY);
		pages /= 2;
	}
	return taken;
}

/* Give back the smallest objects (the last made) until at least pages are free, then
 * take again what went beyond: the objects below 512 pages may sum to less than asked,
 * and the next one may be 64 Ki pages, which would leave the machine far from full. */
static uint64_t give_back(uint64_t pages)
{
	uint64_t freed = 0;

	while (nobjs && freed < pages) {
		nobjs--;
		UT_EXPECT_ERR(mnos_cap_delete(objs[nobjs]), E_OK);
		freed += obj_pages[nobjs];
	}
	if (freed > pages)
		freed -= take_frames(freed - pages);
	return freed;
}

/* Threads until refused, each queueing one message on ep; then every message is
 * received, each once. */
static void queue_until_refused(uint32_t ep, uint64_t sp)
{
	static uint32_t threads[MAX_SENDERS];
	static bool seen[MAX_SENDERS];
	enum mnos_error e = E_OK;
	uint32_t n = 0;

	while (n < MAX_SENDERS) {
		uint32_t s = ut_slot();
		e = mnos_thread_create(0, s, (uint64_t)(uintptr_t)ut_queue_sender, sp,
				       ep | (uint64_t)n << 32);
		if (e != E_OK)
			break;
		threads[n++] = s;
	}
	UT_EXPECT_ERR(e, E_NO_MEMORY);
	UT_EXPECT(n > 0);
	printf("    # exhaust: %u threads with a message queued, then E_NO_MEMORY\n", n);
	memset(seen, 0, sizeof(seen));
	for (uint32_t i = 0; i < n; i++) {
		uint64_t badge, info = 0, w0 = MAX_SENDERS, w1, w2, w3;
		e = mnos_ep_recv(ep, 0, 2000000000ull, &badge, &info, &w0, &w1, &w2, &w3);
		if (!UT_EXPECT_ERR(e, E_OK))
			break;
		UT_EXPECT(w0 < n && !seen[w0]);
		if (w0 < n)
			seen[w0] = true;
	}
	for (uint32_t i = 0; i < n; i++)
		UT_EXPECT_ERR(mnos_cap_delete(threads[i]), E_OK);
}

/* Every frame taken: the calls that need memory are refused, the rest go on (IPC, a
 * thread's first FPU instruction), the partner's round trips go on, and everything
 * comes back when this process lets go. */
UTEST_EXPLICIT(exhaust_kernel_memory)
{
	static uint8_t sender_stack[64] __attribute__((aligned(16)));
	uint32_t ep = ut_make(MNOS_OBJ_ENDPOINT, 0, 0);
	uint64_t bits, va = ut_va(1ull << 17), total = 0;

	fpu_go = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	UT_ASSERT(ep && fpu_go);
	fpu_result = 0;
	UT_ASSERT_OK(ut_start_thread(use_the_fpu, 0));
	nobjs = 0;
	uint64_t t0 = 0, t1 = 0;
	mnos_clock(&t0);
	total = take_frames(UINT64_MAX);
	mnos_clock(&t1);
	UT_ASSERT(nobjs > 0);
	printf("    # exhaust: every frame taken: %llu MiB in %u memory objects, in %llu ms\n",
	       (unsigned long long)(total >> 8), nobjs, (unsigned long long)((t1 - t0) / 1000000));

	/* Refused: a thread (its stack), a mapping (its page table), and small objects
	 * once the heap's slabs are full. */
	UT_EXPECT_ERR(mnos_thread_create(0, ut_slot(), (uint64_t)(uintptr_t)ut_queue_sender,
					 (uint64_t)(uintptr_t)(sender_stack + 64), ep),
		      E_NO_MEMORY);
	UT_EXPECT_ERR(mnos_mem_map(objs[nobjs - 1], 0, 0x7f0000000000ull, CAP_R_READ),
		      E_NO_MEMORY);
	static uint32_t small[MAX_SMALL];
	uint32_t nsmall = 0;
	enum mnos_error e = E_OK;
	while (nsmall < MAX_SMALL) {
		small[nsmall] = ut_slot();
		e = mnos_obj_create(MNOS_OBJ_REPLY, small[nsmall], 0, 0);
		if (e != E_OK)
			break;
		nsmall++;
	}
	UT_EXPECT_ERR(e, E_NO_MEMORY);

	/* Going on: the thread made before uses the FPU for the first time; the
	 * partner's IPC still works; so does this process's. */
	UT_EXPECT_ERR(mnos_notify_signal(fpu_go, 1), E_OK);
	UT_EXPECT(!ut_join_thread());
	UT_EXPECT_EQ(fpu_result, 1791);         /* 1.5 * 2^10 + 0.25 * (2^10 - 1), truncated */
	tell(PEER_EXHAUSTED);
	if (mnos_start_cap("hear"))
		UT_EXPECT(hear_bit(PEER_WENT_ON, 20000));
	UT_EXPECT_ERR(mnos_ep_nbsend(ep, 0, 0, 0, 0, 0), E_WOULD_BLOCK);
	UT_EXPECT_ERR(mnos_notify_signal(fpu_go, 2), E_OK);
	UT_EXPECT_ERR(mnos_notify_poll(fpu_go, &bits), E_OK);
	UT_EXPECT_EQ(bits, 2);

	/* A little back: threads with a queued message each, until refused again. */
	UT_EXPECT(give_back(512) >= 512);
	queue_until_refused(ep, (uint64_t)(uintptr_t)(sender_stack + 64));

	/* All back: a large object, a mapping, a thread. */
	give_back(UINT64_MAX);
	for (uint32_t i = 0; i < nsmall; i++)
		UT_EXPECT_ERR(mnos_cap_delete(small[i]), E_OK);
	uint32_t big = ut_make(MNOS_OBJ_MEMORY, total / 4, 0);
	UT_EXPECT(big != 0);
	UT_EXPECT_ERR(mnos_mem_map(big, 0, va, CAP_R_READ), E_OK);
	UT_EXPECT_ERR(mnos_notify_signal(fpu_go, 1), E_OK);
	UT_EXPECT_ERR(ut_run_thread(use_the_fpu, 0, NULL), E_OK);
	tell(PEER_DONE);
}

/* ---- the partner ---- */

static uint32_t partner_ep, partner_reply;

/* Answer calls with label + 1 until one is labelled 0. */
static void answer(uint64_t unused)
{
	uint64_t badge, info, w0, w1, w2, w3;
	enum mnos_error e = mnos_ep_recv(partner_ep, partner_reply, IPC_FOREVER, &badge, &info,
					 &w0, &w1, &w2, &w3);

	while (e == E_OK && mnos_ipc_label(info) != 0)
		e = mnos_ep_reply_recv(partner_ep | (uint64_t)partner_reply << 32,
				       mnos_ipc_info(mnos_ipc_label(info) + 1, 1, 0), w0, 0, 0,
				       0, &badge, &info, &w0, &w1, &w2, &w3);
	if (e == E_OK)
		mnos_ep_reply(partner_reply, 0, 0, 0, 0, 0);
}

/* Round trips between two threads of this process for as long as the exhauster works,
 * every one of them answered, and some while it holds all memory. */
UTEST_EXPLICIT(partner_keeps_doing_ipc)
{
	uint64_t trips = 0, at_exhaustion = 0, end = 0, now = 0;
	bool exhausted = false, told = false;

	if (!mnos_start_cap("hear")) {
		utest_skip("no exhauster to keep company");
		return;
	}
	partner_ep = ut_make(MNOS_OBJ_ENDPOINT, 0, 0);
	partner_reply = ut_make(MNOS_OBJ_REPLY, 0, 0);
	UT_ASSERT(partner_ep && partner_reply);
	UT_ASSERT_OK(ut_start_thread(answer, 0));
	mnos_clock(&end);
	end += 60000000000ull;
	while (!hear_bit(PEER_DONE, 0)) {
		uint64_t info = 0, w0 = 0, w1, w2, w3;
		enum mnos_error e = mnos_ep_call(partner_ep, mnos_ipc_info(trips + 1, 1, 0),
						 trips, 0, 0, 0, &info, &w0, &w1, &w2, &w3);
		if (!UT_EXPECT_ERR(e, E_OK) || !UT_EXPECT_EQ(mnos_ipc_label(info), trips + 2) ||
		    !UT_EXPECT_EQ(w0, trips))
			break;
		trips++;
		if (!exhausted && hear_bit(PEER_EXHAUSTED, 0)) {
			exhausted = true;
			at_exhaustion = trips;
		}
		if (exhausted && !told && trips - at_exhaustion >= PARTNER_TRIPS_WHILE_EXHAUSTED) {
			tell(PEER_WENT_ON);
			told = true;
		}
		mnos_clock(&now);
		if (!UT_EXPECT(now < end))
			break;
	}
	uint64_t info, w0, w1, w2, w3;
	UT_EXPECT_ERR(mnos_ep_call(partner_ep, 0, 0, 0, 0, 0, &info, &w0, &w1, &w2, &w3), E_OK);
	UT_EXPECT(!ut_join_thread());
	UT_EXPECT(told);
	printf("    # partner: %llu round trips, %llu of them since memory was exhausted\n",
	       (unsigned long long)trips, (unsigned long long)(trips - at_exhaustion));
}
