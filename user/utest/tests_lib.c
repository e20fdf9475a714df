/*
 * libmnos in a real process (docs/USERSPACE.md): the heap grows through memory objects
 * and reuses what is freed, misuse of free ends the thread, output goes to the installed
 * sink, assert reports, the RPC convention between two threads (register words, a long
 * payload through the IPC buffer, error replies, capabilities both ways, malformed
 * requests), and a program spawned from an ELF image with arguments and a capability —
 * and malformed images or failures part-way leave no slot, object or quota behind.
 */
#include "utest.h"

/* ---- the heap ---- */

static uint32_t pattern(uint32_t i, size_t k)
{
	return (i * 2654435761u) ^ (uint32_t)k;
}

UTEST(lib_malloc_grows_and_reuses)
{
	enum { N = 3000 };
	static uint32_t *blk[N];
	static size_t len[N];
	struct mnos_heap_stats before, full, again;

	mnos_heap_stats(&before);
	for (uint32_t i = 0; i < N; i++) {
		len[i] = 1 + (i * 7919u) % 600 / 4;     /* words */
		blk[i] = malloc(len[i] * 4);
		UT_ASSERT(blk[i] != NULL);
		UT_EXPECT_EQ((uintptr_t)blk[i] % 16, 0);
		UT_EXPECT((uint64_t)(uintptr_t)blk[i] >= MNOS_HEAP_BASE);
		for (size_t k = 0; k < len[i]; k++)
			blk[i][k] = pattern(i, k);
	}
	/* Nothing overlaps: every block still holds its own pattern. */
	for (uint32_t i = 0; i < N; i++)
		for (size_t k = 0; k < len[i]; k++)
			if (blk[i][k] != pattern(i, k)) {
				utest_fail(__FILE__, __LINE__, "block %u word %zu overwritten", i, k);
				break;
			}
	mnos_heap_stats(&full);
	UT_EXPECT(full.grows > before.grows);           /* it had to grow */
	UT_EXPECT_EQ(full.nblocks, before.nblocks + N);
	UT_EXPECT(full.total >= full.used);
	/* Free in an interleaved order; the memory is reused: the same again needs no
	 * growth. */
	for (uint32_t i = 0; i < N; i += 2)
		free(blk[i]);
	for (uint32_t i = 1; i < N; i += 2)
		free(blk[i]);
	mnos_heap_stats(&again);
	UT_EXPECT_EQ(again.used, before.used);
	UT_EXPECT_EQ(again.nblocks, before.nblocks);
	for (uint32_t i = 0; i < N; i++) {
		blk[i] = malloc(len[i] * 4);
		UT_ASSERT(blk[i] != NULL);
	}
	mnos_heap_stats(&again);
	UT_EXPECT_EQ(again.total, full.total);
	UT_EXPECT_EQ(again.grows, full.grows);
	for (uint32_t i = 0; i < N; i++)
		free(blk[i]);

	/* realloc keeps the contents, calloc zeroes reused memory. */
	char *p = malloc(10);
	UT_ASSERT(p != NULL);
	memcpy(p, "abcdefghi", 10);
	p = realloc(p, 5000);
	UT_ASSERT(p != NULL);
	UT_EXPECT(strcmp(p, "abcdefghi") == 0);
	memset(p, 0xff, 5000);
	free(p);
	uint8_t *z = calloc(1250, 4);
	UT_ASSERT(z != NULL);
	bool zero = true;
	for (size_t i = 0; i < 5000; i++)
		zero &= z[i] == 0;
	UT_EXPECT(zero);
	free(z);

	/* A large block works; more than the quota is NULL, and the heap goes on. */
	uint8_t *big = malloc(2 << 20);
	UT_ASSERT(big != NULL);
	big[0] = 1;
	big[(2 << 20) - 1] = 2;
	free(big);
	UT_EXPECT(malloc(64ull << 20) == NULL);
	UT_EXPECT(malloc(~(size_t)0) == NULL);
	UT_EXPECT(calloc(~(size_t)0 / 2, 4) == NULL);
	void *small = malloc(32);
	UT_EXPECT(small != NULL);
	free(small);
	free(NULL);
}

static void double_free(uint64_t unused)
{
	void *p = malloc(48);

	free(p);
	free(p);
}

static void free_inside(uint64_t unused)
{
	char *p = malloc(256);

	free(p + 32);
}

static void free_foreign(uint64_t unused)
{
	static uint64_t not_heap[4] __attribute__((aligned(16)));

	free(not_heap);
}

static void realloc_freed(uint64_t unused)
{
	void *p = malloc(64);

	free(p);
	realloc(p, 128);
}

/* Each misuse ends the thread that made it (abort: a fault), and the heap goes on. */
UTEST(lib_malloc_misuse_aborts)
{
	void (*const bad[])(uint64_t) = { double_free, free_inside, free_foreign, realloc_freed };

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		bool faulted = false;
		UT_EXPECT_ERR(ut_run_thread(bad[i], 0, &faulted), E_OK);
		UT_EXPECT(faulted);
	}
	void *p = malloc(100);
	UT_EXPECT(p != NULL);
	free(p);
}

/* ---- output, assert ---- */

static char captured[512];
static size_t ncaptured;

static void capture(void *ctx, const char *s, size_t n)
{
	UT_EXPECT(ctx == captured);
	n = MIN(n, sizeof(captured) - 1 - ncaptured);
	memcpy(captured + ncaptured, s, n);
	ncaptured += n;
	captured[ncaptured] = '\0';
}

/* Run fn(arg) in a thread with the output captured (from empty); true if it faulted. */
static bool run_capturing(void (*fn)(uint64_t), uint64_t arg)
{
	void *old_ctx;
	bool faulted = false;

	ncaptured = 0;
	captured[0] = '\0';
	mnos_output_t old = mnos_set_output(capture, captured, &old_ctx);
	UT_EXPECT_ERR(ut_run_thread(fn, arg, &faulted), E_OK);
	mnos_set_output(old, old_ctx, NULL);
	return faulted;
}

static void assert_false(uint64_t x)
{
	assert(x + 1 == 3);
}

UTEST(lib_output_sink_snprintf_and_assert)
{
	void *old_ctx;
	char buf[16];

	ncaptured = 0;
	mnos_output_t old = mnos_set_output(capture, captured, &old_ctx);
	printf("x=%d %s|", 42, "yes");
	puts("line");
	putchar('!');
	/* assert in a thread: its report goes to the sink, then the thread ends. */
	bool faulted = false;
	UT_EXPECT_ERR(ut_run_thread(assert_false, 1, &faulted), E_OK);
	mnos_set_output(old, old_ctx, NULL);
	UT_EXPECT(faulted);
	UT_EXPECT(strncmp(captured, "x=42 yes|line\n!", 15) == 0);
	UT_EXPECT(strstr(captured, "tests_lib.c:") != NULL);
	UT_EXPECT(strstr(captured, "assert_false: assertion failed: x + 1 == 3") != NULL);

	UT_EXPECT_EQ(snprintf(buf, sizeof(buf), "%05u-%s", 42u, "abcdefghijklmno"), 21);
	UT_EXPECT(strcmp(buf, "00042-abcdefghi") == 0);
	char *end;
	UT_EXPECT_EQ(strtoul(" 0x1fz", &end, 0), 0x1f);
	UT_EXPECT_EQ(*end, 'z');
	UT_EXPECT_EQ(atoi("-123"), (uint64_t)-123);
}

/* ---- RPC between two threads ---- */

enum { OP_ADD = 1, OP_REVERSE, OP_FAIL, OP_SIGNAL_CAP, OP_GIVE_CAP, OP_STOP, OP_DEFER,
       OP_DEFER_BADLY, OP_ANSWER };

static uint32_t rpc_ep, rpc_reply, rpc_given;
static uint32_t rpc_spare, rpc_held;    /* deferring: the replacement; the held one */
static uint8_t srv_data[MNOS_RPC_MAX_DATA], srv_out[MNOS_RPC_MAX_DATA];

static int handle(void *ctx, struct mnos_rpc_request *r)
{
	switch (r->op) {
	case OP_ADD:
		r->out.w[0] = r->in.w[0] + r->in.w[1] + r->in.w[2] + r->in.w[3];
		r->out.w[1] = r->badge;
		r->out.w[3] = 0x33;
		return E_OK;
	case OP_REVERSE:
		for (size_t i = 0; i < r->in.len; i++)
			srv_out[i] = srv_data[r->in.len - 1 - i];
		r->out.data = srv_out;
		r->out.len = r->in.len;
		r->out.w[0] = r->in.len;
		return E_OK;
	case OP_FAIL:
		r->out.w[0] = 77;
		return E_NOT_FOUND;
	case OP_SIGNAL_CAP:
		if (r->in.ncaps != 1 || !r->in.caps[0] || !mnos_slot_taken(r->in.caps[0]))
			return E_INVAL;
		mnos_notify_signal(r->in.caps[0], r->in.w[0]);
		mnos_slot_free(r->in.caps[0]);
		return E_OK;
	case OP_GIVE_CAP:
		rpc_given = mnos_slot_alloc();
		if (!rpc_given || mnos_obj_create(MNOS_OBJ_NOTIFICATION, rpc_given, 0, 0) != E_OK)
			return E_NO_MEMORY;
		mnos_notify_signal(rpc_given, 0x55);
		r->out.caps[0] = rpc_given;
		r->out.rights[0] = CAP_R_WAIT;
		r->out.ncaps = 1;
		return E_OK;
	case OP_STOP:
		r->stop = true;
		return E_OK;
	case OP_DEFER:                  /* answered by the next OP_ANSWER */
		rpc_held = r->reply;
		r->reply = rpc_spare;
		r->defer = true;
		return E_OK;
	case OP_DEFER_BADLY:            /* no replacement: the loop answers E_INVAL */
		r->defer = true;
		return E_OK;
	case OP_ANSWER: {
		struct mnos_rpc_msg m = { .w = { r->in.w[0] * 2 } };
		r->out.w[0] = (uint64_t)mnos_rpc_reply(rpc_held, NULL, E_EXISTS, &m);
		/* A second answer finds nobody waiting. */
		r->out.w[1] = (uint64_t)mnos_rpc_reply(rpc_held, NULL, E_OK, NULL);
		return E_OK;
	}
	default:
		return E_NOSYS;
	}
}

static volatile int serve_result = -1;

static void server_thread(uint64_t unused)
{
	const struct mnos_rpc_server s = {
		.ep = rpc_ep, .reply = rpc_reply, .buf = mnos_ipc_buffer_new(),
		.data = srv_data, .size = sizeof(srv_data), .handle = handle,
	};

	serve_result = s.buf ? mnos_rpc_serve(&s) : E_NO_MEMORY;
	if (rpc_given)
		mnos_slot_free(rpc_given);
}

/* This (the main) thread's IPC buffer: attached once, kept. */
static struct mnos_ipc_buffer *my_buffer(void)
{
	static struct mnos_ipc_buffer *buf;

	if (!buf)
		buf = mnos_ipc_buffer_main();
	if (!buf)
		buf = mnos_ipc_buffer_new();
	return buf;
}

UTEST(lib_rpc_between_threads)
{
	struct mnos_ipc_buffer *buf = my_buffer();
	uint32_t client = ut_slot(), ntf = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	uint32_t slots_free;
	uint64_t out[4], bits;

	UT_ASSERT(buf != NULL && ntf);
	rpc_ep = ut_make(MNOS_OBJ_ENDPOINT, 0, 0);
	rpc_reply = ut_make(MNOS_OBJ_REPLY, 0, 0);
	rpc_given = 0;
	UT_ASSERT(rpc_ep && rpc_reply);
	UT_ASSERT_OK(mnos_cap_mint(rpc_ep, client, CAP_R_SEND | CAP_R_GRANT, 0xbad9e));
	serve_result = -1;
	UT_ASSERT_OK(ut_start_thread(server_thread, 0));

	/* Register words both ways, and the badge. */
	const uint64_t in[4] = { 1, 20, 300, 4000 };
	UT_EXPECT_ERR(mnos_rpc_call_words(client, OP_ADD, in, out), E_OK);
	UT_EXPECT_EQ(out[0], 4321);
	UT_EXPECT_EQ(out[1], 0xbad9e);
	UT_EXPECT_EQ(out[2], 0);
	UT_EXPECT_EQ(out[3], 0x33);

	/* A payload through the IPC buffers, each size up to the largest. */
	static uint8_t msg[MNOS_RPC_MAX_DATA + 1], back[MNOS_RPC_MAX_DATA];
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 1);
	const size_t sizes[] = { 1, 7, 8, 9, 300, MNOS_RPC_MAX_DATA };
	for (unsigned k = 0; k < ARRAY_SIZE(sizes); k++) {
		size_t n = sizes[k];
		struct mnos_rpc_msg req = { .data = msg, .len = n };
		struct mnos_rpc_msg rep = { .data = back, .size = sizeof(back) };
		UT_EXPECT_ERR(mnos_rpc_call(client, buf, OP_REVERSE, &req, &rep), E_OK);
		UT_EXPECT_EQ(rep.len, n);
		UT_EXPECT_EQ(rep.w[0], n);
		bool same = rep.len == n;
		for (size_t i = 0; same && i < n; i++)
			same = back[i] == msg[n - 1 - i];
		UT_EXPECT(same);
	}
	/* Too long to send; a reply longer than the room for it; no buffer for a payload. */
	struct mnos_rpc_msg big = { .data = msg, .len = MNOS_RPC_MAX_DATA + 1 };
	UT_EXPECT_ERR(mnos_rpc_call(client, buf, OP_REVERSE, &big, NULL), E_INVAL);
	struct mnos_rpc_msg req = { .data = msg, .len = 300 };
	struct mnos_rpc_msg small = { .data = back, .size = 100 };
	UT_EXPECT_ERR(mnos_rpc_call(client, buf, OP_REVERSE, &req, &small), E_RANGE);
	UT_EXPECT_ERR(mnos_rpc_call(client, NULL, OP_REVERSE, &req, NULL), E_INVAL);

	/* An error reply still carries its words; an unknown operation. */
	struct mnos_rpc_msg rep = { 0 };
	UT_EXPECT_ERR(mnos_rpc_call(client, buf, OP_FAIL, NULL, &rep), E_NOT_FOUND);
	UT_EXPECT_EQ(rep.w[0], 77);
	UT_EXPECT_ERR(mnos_rpc_call_words(client, 999, NULL, NULL), E_NOSYS);

	/* Requests that break the convention are answered E_INVAL, never handled. */
	uint64_t info;
	buf->w[MNOS_RPC_LEN_WORD] = 1000;               /* longer than the message */
	UT_ASSERT_OK(mnos_ep_call(client, mnos_ipc_info(OP_ADD, 7, 0), 1, 2, 3, 4, &info,
				  &out[0], &out[1], &out[2], &out[3]));
	UT_EXPECT_EQ(mnos_ipc_label(info), E_INVAL);
	buf->w[MNOS_RPC_LEN_WORD] = 9;                  /* needs two words, has one */
	UT_ASSERT_OK(mnos_ep_call(client, mnos_ipc_info(OP_ADD, 6, 0), 1, 2, 3, 4, &info,
				  &out[0], &out[1], &out[2], &out[3]));
	UT_EXPECT_EQ(mnos_ipc_label(info), E_INVAL);

	/* A capability to the server (it signals it and gives it back), and one from it. */
	slots_free = mnos_slot_count_free();
	struct mnos_rpc_msg give = { .w = { 0x1010 }, .caps = { ntf }, .rights = { CAP_R_SIGNAL },
				     .ncaps = 1 };
	UT_EXPECT_ERR(mnos_rpc_call(client, buf, OP_SIGNAL_CAP, &give, NULL), E_OK);
	UT_EXPECT_ERR(mnos_notify_poll(ntf, &bits), E_OK);
	UT_EXPECT_EQ(bits, 0x1010);
	UT_EXPECT_EQ(mnos_slot_count_free(), slots_free);       /* the server gave it back */
	struct mnos_rpc_msg got = { 0 };
	UT_EXPECT_ERR(mnos_rpc_call(client, buf, OP_GIVE_CAP, NULL, &got), E_OK);
	UT_ASSERT(got.ncaps == 1 && got.caps[0]);
	UT_EXPECT(mnos_slot_taken(got.caps[0]));
	UT_EXPECT_ERR(mnos_notify_poll(got.caps[0], &bits), E_OK);
	UT_EXPECT_EQ(bits, 0x55);
	UT_EXPECT_ERR(mnos_notify_signal(got.caps[0], 1), E_PERM);     /* WAIT only */
	UT_EXPECT(mnos_slot_free(got.caps[0]));

	UT_EXPECT_ERR(mnos_rpc_call_words(client, OP_STOP, NULL, NULL), E_OK);
	UT_EXPECT(!ut_join_thread());
	UT_EXPECT_EQ(serve_result, E_OK);
	/* Nobody serves now. */
	UT_EXPECT_ERR(mnos_ep_nbsend(client, 0, 0, 0, 0, 0), E_WOULD_BLOCK);
}

/* ---- answering later ---- */

static uint32_t deferred_client, deferred_done;
static volatile int deferred_status = -1;
static volatile uint64_t deferred_word;

static void deferred_caller(void *unused)
{
	uint64_t in[4] = { 21 }, out[4];

	deferred_status = mnos_rpc_call_words(deferred_client, OP_DEFER, in, out);
	deferred_word = out[0];
	mnos_notify_signal(deferred_done, 1);
}

UTEST(lib_rpc_deferred_reply)
{
	uint64_t out[4], bits;

	rpc_ep = ut_make(MNOS_OBJ_ENDPOINT, 0, 0);
	rpc_reply = ut_make(MNOS_OBJ_REPLY, 0, 0);
	rpc_spare = ut_make(MNOS_OBJ_REPLY, 0, 0);
	deferred_done = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	deferred_client = ut_slot();
	rpc_given = rpc_held = 0;
	UT_ASSERT(rpc_ep && rpc_reply && rpc_spare && deferred_done);
	UT_ASSERT_OK(mnos_cap_mint(rpc_ep, deferred_client, CAP_R_SEND, 7));
	serve_result = -1;
	UT_ASSERT_OK(ut_start_thread(server_thread, 0));

	/* A caller held by the server: it waits while the server answers others. */
	UT_ASSERT_OK(mnos_thread_start(deferred_caller, NULL, 0, NULL));
	for (int i = 0; i < 100 && !rpc_held; i++)
		mnos_sleep(1000000);
	UT_ASSERT(rpc_held == rpc_reply);
	const uint64_t in[4] = { 1, 2, 3, 4 };
	UT_EXPECT_ERR(mnos_rpc_call_words(deferred_client, OP_ADD, in, out), E_OK);
	UT_EXPECT_EQ(out[0], 10);
	UT_EXPECT_ERR(mnos_notify_poll(deferred_done, &bits), E_OK);
	UT_EXPECT_EQ(bits, 0);                          /* still waiting */

	/* Answered through the held reply object, once. */
	const uint64_t ans[4] = { 21 };
	UT_EXPECT_ERR(mnos_rpc_call_words(deferred_client, OP_ANSWER, ans, out), E_OK);
	UT_EXPECT_EQ(out[0], E_OK);
	UT_EXPECT_EQ(out[1], E_NOT_FOUND);
	UT_EXPECT_ERR(mnos_notify_wait(deferred_done, &bits), E_OK);
	UT_EXPECT_EQ(deferred_status, E_EXISTS);
	UT_EXPECT_EQ(deferred_word, 42);

	/* Deferring without a replacement cannot be: the caller is answered at once. */
	UT_EXPECT_ERR(mnos_rpc_call_words(deferred_client, OP_DEFER_BADLY, NULL, NULL), E_INVAL);
	UT_EXPECT_ERR(mnos_rpc_call_words(deferred_client, OP_STOP, NULL, NULL), E_OK);
	UT_EXPECT(!ut_join_thread());
	UT_EXPECT_EQ(serve_result, E_OK);
}

/* ---- spawning ---- */

extern const char prog_hello_start[], prog_hello_end[];
extern const char elf_bad_magic_start[], elf_bad_magic_end[];
extern const char elf_trunc_in_phdrs_start[], elf_trunc_in_phdrs_end[];
extern const char elf_seg_wx_start[], elf_seg_wx_end[];
extern const char elf_trunc_in_text_start[], elf_trunc_in_text_end[];

#define IMAGE(n) n##_start, (size_t)(n##_end - n##_start)

UTEST(lib_spawn_runs_a_program_with_args_and_a_capability)
{
	uint32_t done = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	uint32_t fault = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	const char *const argv[] = { "hello", "0x1234", "abcdef" };
	const struct mnos_spawn_cap caps[] = {
		{ done, MNOS_OBJ_NOTIFICATION, CAP_R_SIGNAL, "done" },
	};
	struct mnos_spawn_args a = {
		.argv = argv, .argc = 3, .caps = caps, .ncaps = 1, .nslots = 16,
		.quota = 256 * 1024, .fault = fault,
	};
	struct mnos_spawned sp;
	uint64_t bits = 0;

	UT_ASSERT(done && fault);
	UT_ASSERT_OK(mnos_spawn(IMAGE(prog_hello), &a, &sp));
	UT_EXPECT(sp.proc && sp.thread && mnos_slot_taken(sp.proc) && mnos_slot_taken(sp.thread));
	UT_EXPECT_ERR(mnos_notify_wait(done, &bits), E_OK);
	UT_EXPECT_EQ(bits, 0x1234 | 6ull << 32 | 1ull << 63);
	mnos_sleep(2000000);
	UT_EXPECT_ERR(mnos_notify_poll(fault, &bits), E_OK);
	UT_EXPECT_EQ(bits, 2);                          /* it ended (bit 1), no fault (bit 0) */
	UT_EXPECT(mnos_slot_free(sp.thread));
	UT_EXPECT(mnos_slot_free(sp.proc));
}

UTEST(lib_spawn_failures_leave_nothing_behind)
{
	const char *const argv[] = { "hello", "1", "x" };
	uint32_t done = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	uint32_t empty = ut_slot();
	const struct mnos_spawn_cap good[] = { { done, 0, CAP_R_SIGNAL, "done" } };
	const struct mnos_spawn_cap missing[] = { { done, 0, CAP_R_SIGNAL, "done" },
						  { empty, 0, CAP_R_ALL, "nothing" } };
	const struct mnos_spawn_cap long_name[] = { { done, 0, CAP_R_SIGNAL, "sixteen-chars-xx" } };
	static const char *many[ELF_MAX_ARGS + 1];
	struct mnos_spawned sp;

	UT_ASSERT(done);
	for (unsigned i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = "a";
	uint32_t slots = mnos_slot_count_free();
	uint64_t quota = ut_quota_pages();

	/* Malformed images: refused by the kernel's own checks, with their reasons. */
	const struct mnos_spawn_args a = { .argv = argv, .argc = 3, .caps = good, .ncaps = 1 };
	const struct {
		const char *img;
		size_t size;
		enum elf_error want;
	} bad[] = {
		{ IMAGE(elf_bad_magic), ELF_E_MAGIC },
		{ IMAGE(elf_trunc_in_phdrs), ELF_E_PHDRS_OUTSIDE },
		{ IMAGE(elf_seg_wx), ELF_E_SEG_WX },
		{ IMAGE(elf_trunc_in_text), ELF_E_SEG_OUTSIDE_FILE },
		{ prog_hello_start, 40, ELF_E_SHORT },
		{ prog_hello_start, 0, ELF_E_SHORT },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		UT_EXPECT_ERR(mnos_spawn(bad[i].img, bad[i].size, &a, &sp), E_INVAL);
		UT_EXPECT_EQ(sp.error, bad[i].want);
		UT_EXPECT_EQ(sp.proc, 0);
	}
	/* Bad arguments, refused before anything is made. */
	struct mnos_spawn_args b = a;
	b.argc = ELF_MAX_ARGS + 1;
	b.argv = many;
	UT_EXPECT_ERR(mnos_spawn(IMAGE(prog_hello), &b, &sp), E_RANGE);
	b = a;
	b.caps = long_name;
	UT_EXPECT_ERR(mnos_spawn(IMAGE(prog_hello), &b, &sp), E_INVAL);
	b = a;
	b.nslots = MNOS_CSPACE_MAX_SLOTS + 1;
	UT_EXPECT_ERR(mnos_spawn(IMAGE(prog_hello), &b, &sp), E_INVAL);
	b = a;
	b.stack_size = ELF_STACK_MAX + 1;
	UT_EXPECT_ERR(mnos_spawn(IMAGE(prog_hello), &b, &sp), E_RANGE);
	UT_EXPECT_ERR(mnos_spawn(IMAGE(prog_hello), NULL, &sp), E_INVAL);
	/* Failures part-way, after the process and its image were made: a capability that
	 * is not there, a stack the quota cannot pay for, a process quota larger than
	 * this one's. */
	b = a;
	b.caps = missing;
	b.ncaps = 2;
	UT_EXPECT_ERR(mnos_spawn(IMAGE(prog_hello), &b, &sp), E_NOT_FOUND);
	b = a;
	b.stack_size = 64ull << 20;
	UT_EXPECT_ERR(mnos_spawn(IMAGE(prog_hello), &b, &sp), E_NO_MEMORY);
	b = a;
	b.quota = 1ull << 40;
	UT_EXPECT_ERR(mnos_spawn(IMAGE(prog_hello), &b, &sp), E_NO_MEMORY);
	UT_EXPECT_EQ(sp.proc, 0);
	UT_EXPECT_EQ(mnos_slot_count_free(), slots);
	UT_EXPECT(ut_quota_back_to(quota));
	uint64_t bits = 0;
	UT_EXPECT_ERR(mnos_notify_poll(done, &bits), E_OK);
	UT_EXPECT_EQ(bits, 0);                          /* nothing ran */
}

/* Spawn hello from a copy of its image at byte off of a memory object given as
 * image_mem (with rights): it runs as from a copy, and what mnos_spawn made itself is
 * *bytes. */
static void spawn_from_object(uint32_t mem, uint8_t *win, uint64_t off, uint32_t rights,
			      uint64_t *bytes)
{
	size_t size = (size_t)(prog_hello_end - prog_hello_start);
	uint32_t done = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	uint32_t img = ut_slot();
	const char *const argv[] = { "hello", "7", "in-place" };
	const struct mnos_spawn_cap caps[] = {
		{ done, MNOS_OBJ_NOTIFICATION, CAP_R_SIGNAL, "done" },
	};
	struct mnos_spawned sp;
	uint64_t bits = 0;

	UT_ASSERT(done && img);
	UT_ASSERT_OK(mnos_cap_copy(mem, 0, img, rights));
	memcpy(win + off, prog_hello_start, size);
	const struct mnos_spawn_args a = {
		.argv = argv, .argc = 3, .caps = caps, .ncaps = 1, .nslots = 16,
		.quota = 256 * 1024, .image_mem = img, .image_offset = off,
	};
	UT_ASSERT_OK(mnos_spawn(win + off, size, &a, &sp));
	UT_EXPECT_ERR(mnos_notify_wait(done, &bits), E_OK);
	UT_EXPECT_EQ(bits, 7 | 8ull << 32 | 1ull << 63);
	*bytes = sp.bytes;
	UT_EXPECT(mnos_slot_free(sp.thread));
	UT_EXPECT(mnos_slot_free(sp.proc));
	UT_EXPECT(mnos_slot_free(img));
	UT_EXPECT(mnos_slot_free(done));
}

UTEST(lib_spawn_maps_read_only_segments_from_the_image_object)
{
	size_t size = (size_t)(prog_hello_end - prog_hello_start);
	uint64_t pages = size / MNOS_PAGE_SIZE + 2;
	uint32_t mem = ut_make(MNOS_OBJ_MEMORY, pages, 0);
	uint64_t va = ut_va(pages);
	struct elf_info info;
	uint64_t all = ELF_STACK_DEFAULT, writable = ELF_STACK_DEFAULT, rodata = 0, bytes = 0;

	UT_ASSERT(mem && va);
	UT_ASSERT_OK(mnos_mem_map(mem, 0, va, CAP_R_READ | CAP_R_WRITE));
	UT_ASSERT(elf_check(prog_hello_start, size, &info) == ELF_OK);
	for (unsigned i = 0; i < info.nsegs; i++) {
		const struct elf_segment *s = &info.segs[i];
		uint64_t b = ALIGN_UP(s->vaddr + s->memsz, MNOS_PAGE_SIZE) -
			     ALIGN_DOWN(s->vaddr, MNOS_PAGE_SIZE);
		all += b;
		writable += s->flags & PF_W ? b : 0;
		rodata += s->flags & (PF_W | PF_X) ? 0 : b;
	}
	UT_ASSERT(writable < all);              /* hello has text to share */
	uint8_t *win = (uint8_t *)(uintptr_t)va;
	uint64_t quota = ut_quota_pages();
	/* Page-aligned in an object with READ and EXEC: only the writable data and the
	 * stack are made (and charged); the text and read-only data are the object's. */
	spawn_from_object(mem, win, 0, CAP_R_READ | CAP_R_EXEC, &bytes);
	UT_EXPECT_EQ(bytes, writable);
	/* Without EXEC: the text is copied, as without an object; read-only data that is
	 * not code still maps. */
	spawn_from_object(mem, win, 0, CAP_R_READ, &bytes);
	UT_EXPECT_EQ(bytes, all - rodata);
	/* Not page-aligned in the object: nothing can be mapped in place. */
	spawn_from_object(mem, win, 8, CAP_R_READ | CAP_R_EXEC, &bytes);
	UT_EXPECT_EQ(bytes, all);
	UT_EXPECT(ut_quota_back_to(quota));
	UT_EXPECT(mnos_mem_unmap(0, va) == E_OK);
}

/* The stack protector in user code: an overflow past a buffer is caught when the
 * function returns (abort: the thread faults), not followed. */
static volatile size_t smash_by = 40;
static volatile int smash_returned;
extern uint64_t __stack_chk_guard;

static __attribute__((noinline)) char smash(size_t n)
{
	char buf[16];
	char *p = buf;

	__asm__ volatile("" : "+r"(p));
	for (size_t i = 0; i < n; i++)
		p[i] = 0x41;
	return buf[0];
}

static void smash_thread(uint64_t unused)
{
	smash(smash_by);
	smash_returned = 1;                     /* never: it returned through the canary */
}

UTEST(lib_stack_protector_catches_an_overflow)
{
	smash_returned = 0;
	UT_EXPECT(__stack_chk_guard != 0);
	UT_EXPECT_EQ(__stack_chk_guard & 0xff, 0);
	UT_EXPECT(run_capturing(smash_thread, 0));
	UT_EXPECT_EQ(smash_returned, 0);
	/* The canary caught it, not the return to 0x4141...: without the protector the
	 * thread would fault all the same. */
	if (!strstr(captured, "stack protector: a canary was overwritten"))
		utest_fail(__FILE__, __LINE__, "no stack protector report: \"%s\"", captured);
}

/* ---- the sanitizer (make UBSAN=1) ---- */

/* Undefined behaviour in user code is reported by the library's runtime
 * (user/lib/ubsan_user.c) with its kind and place, and the thread aborts. */
#if MNOS_UBSAN
static volatile int ub_big = 0x7fffffff, ub_sink;
static volatile unsigned ub_line;
static volatile bool ub_returned;

static void overflow_thread(uint64_t unused)
{
	ub_line = __LINE__ + 1;
	ub_sink = ub_big + 1;
	ub_returned = true;                     /* never: the report aborts */
}
#endif

UTEST(lib_ubsan_reports_and_aborts)
{
#if MNOS_UBSAN
	char want[128];

	ub_returned = false;
	UT_EXPECT(run_capturing(overflow_thread, 0));
	UT_EXPECT(!ub_returned);
	snprintf(want, sizeof(want), "ubsan: signed addition overflow at %s:%u:", __FILE__,
		 ub_line);
	if (strncmp(captured, want, strlen(want)) != 0)
		utest_fail(__FILE__, __LINE__, "the report was \"%s\", not \"%s...\"", captured,
			   want);
#else
	utest_skip("built without UBSAN=1");
#endif
}
