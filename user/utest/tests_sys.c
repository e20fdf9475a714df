/*
 * What ring 3 can and cannot do: faults that end only the faulting thread, memory
 * grants shared and revoked, IPC between threads with badges, a process made through
 * system calls, and running out of quota.
 */
#include "utest.h"

/* ---- faults: the kernel and this process go on ---- */

/* The accesses are the CPU's, in assembly: in C they would be undefined behaviour,
 * which a UBSAN=1 build reports before the CPU could fault. */
static void read_at(uint64_t a)
{
	uint64_t v;

	__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(a) : "memory");
}

static void write_at(uint64_t a)
{
	__asm__ volatile("movq $0x5a5a, (%0)" :: "r"(a) : "memory");
}

static void jump_to(uint64_t a)
{
	((void (*)(void))(uintptr_t)a)();
}

static void divide(uint64_t zero)
{
	uint64_t x = 1, d = 0;

	__asm__ volatile("divq %2" : "+a"(x), "+d"(d) : "r"(zero));
}

static void run_code_at(uint64_t a)
{
	jump_to(a);
}

/* Reading, writing and running kernel memory, null and non-canonical addresses: each
 * kills only the thread that tried, and this process is told on its fault notification. */
UTEST(user_cannot_touch_kernel_memory)
{
	static const uint64_t kernel[] = { 0xffffffff80000000ull, 0xffffffff80100000ull,
					   0xffff800000000000ull, 0xffff800000100000ull };
	bool faulted;

	for (unsigned i = 0; i < sizeof(kernel) / sizeof(kernel[0]); i++) {
		faulted = false;
		UT_EXPECT_ERR(ut_run_thread(read_at, kernel[i], &faulted), E_OK);
		UT_EXPECT(faulted);
		faulted = false;
		UT_EXPECT_ERR(ut_run_thread(write_at, kernel[i], &faulted), E_OK);
		UT_EXPECT(faulted);
		faulted = false;
		UT_EXPECT_ERR(ut_run_thread(jump_to, kernel[i], &faulted), E_OK);
		UT_EXPECT(faulted);
	}
	faulted = false;
	UT_EXPECT_ERR(ut_run_thread(read_at, 0, &faulted), E_OK);
	UT_EXPECT(faulted);
	faulted = false;
	UT_EXPECT_ERR(ut_run_thread(read_at, 0x0000800000000000ull, &faulted), E_OK);
	UT_EXPECT(faulted);
	faulted = false;
	UT_EXPECT_ERR(ut_run_thread(divide, 0, &faulted), E_OK);
	UT_EXPECT(faulted);
	/* A thread that does nothing wrong is not reported. */
	faulted = true;
	UT_EXPECT_ERR(ut_run_thread(read_at, (uint64_t)(uintptr_t)&faulted, &faulted), E_OK);
	UT_EXPECT(!faulted);
}

/* W^X for this program's own image: its code is not writable, its data not runnable. */
static const uint64_t read_only_word = 1;

UTEST(user_image_is_wx)
{
	static uint8_t data_ret[16] = { 0xc3 };
	bool faulted = false;

	UT_EXPECT_ERR(ut_run_thread(write_at, (uint64_t)(uintptr_t)read_at, &faulted), E_OK);
	UT_EXPECT(faulted);
	faulted = false;
	UT_EXPECT_ERR(ut_run_thread(run_code_at, (uint64_t)(uintptr_t)data_ret, &faulted), E_OK);
	UT_EXPECT(faulted);
	faulted = false;
	UT_EXPECT_ERR(ut_run_thread(write_at, (uint64_t)(uintptr_t)&read_only_word, &faulted),
		      E_OK);
	UT_EXPECT(faulted);
}

/* ---- memory grants ---- */

UTEST(grant_shared_between_mappings_and_unmapped)
{
	uint32_t mem = ut_make(MNOS_OBJ_MEMORY, 2, 0);
	uint64_t rw = ut_va(2), ro = ut_va(2);
	bool faulted;

	UT_ASSERT(mem);
	UT_ASSERT_OK(mnos_mem_map(mem, 0, rw, CAP_R_READ | CAP_R_WRITE));
	UT_ASSERT_OK(mnos_mem_map(mem, 0, ro, CAP_R_READ));
	volatile uint64_t *a = (volatile uint64_t *)(uintptr_t)rw;
	volatile uint64_t *b = (volatile uint64_t *)(uintptr_t)ro;
	UT_EXPECT_EQ(b[0], 0);                          /* fresh frames are zero */
	a[0] = 0x1234;
	a[512 + 7] = 0x5678;                            /* the second page */
	UT_EXPECT_EQ(b[0], 0x1234);
	UT_EXPECT_EQ(b[512 + 7], 0x5678);
	faulted = false;
	UT_EXPECT_ERR(ut_run_thread(write_at, ro, &faulted), E_OK);
	UT_EXPECT(faulted);                             /* read-only mapping */
	UT_ASSERT_OK(mnos_mem_unmap(0, rw));
	faulted = false;
	UT_EXPECT_ERR(ut_run_thread(read_at, rw, &faulted), E_OK);
	UT_EXPECT(faulted);                             /* gone */
	UT_EXPECT_EQ(b[0], 0x1234);                     /* the other mapping stays */
	/* Revoking the capability the mapping was made through unmaps it. */
	uint32_t child = ut_slot();
	uint64_t via_child = ut_va(2);
	UT_ASSERT_OK(mnos_cap_copy(mem, 0, child, CAP_R_READ));
	UT_ASSERT_OK(mnos_mem_map(child, 0, via_child, CAP_R_READ));
	UT_EXPECT_EQ(*(volatile uint64_t *)(uintptr_t)via_child, 0x1234);
	UT_ASSERT_OK(mnos_cap_revoke(mem));
	faulted = false;
	UT_EXPECT_ERR(ut_run_thread(read_at, via_child, &faulted), E_OK);
	UT_EXPECT(faulted);
	UT_EXPECT_ERR(mnos_cap_delete(child), E_NOT_FOUND);     /* revoked with it */
}

/* ---- demand-zero memory ---- */

static uint64_t word_at;                /* set_ipc_buffers: the one inside */
static enum mnos_error ipcbuf_in, ipcbuf_out;

/* An IPC buffer inside a mapping's untouched page is refused; outside, it is not. */
static void set_ipc_buffers(uint64_t outside)
{
	ipcbuf_in = mnos_ipc_buffer_set(word_at);
	ipcbuf_out = mnos_ipc_buffer_set(outside);
}

UTEST(demand_zero_grant_taken_on_first_touch)
{
	uint32_t mem = ut_make(MNOS_OBJ_MEMORY, 5, MNOS_MEM_LAZY);
	uint64_t rw = ut_va(5), ro = ut_va(5);
	bool faulted;

	UT_ASSERT(mem);
	UT_EXPECT_ERR(mnos_obj_create(MNOS_OBJ_MEMORY, ut_slot(), 1, 2), E_INVAL); /* no flag 2 */
	UT_ASSERT_OK(mnos_mem_map(mem, 0, rw, CAP_R_READ | CAP_R_WRITE));
	UT_ASSERT_OK(mnos_mem_map(mem, 0, ro, CAP_R_READ));
	volatile uint64_t *a = (volatile uint64_t *)(uintptr_t)rw;
	volatile uint64_t *b = (volatile uint64_t *)(uintptr_t)ro;
	/* First touch, a read through the read-only mapping: zero. The write through the
	 * other mapping lands in the same frame. */
	UT_EXPECT_EQ(b[7], 0);
	a[7] = 0x1234;
	UT_EXPECT_EQ(b[7], 0x1234);
	/* Two threads touch page 1 first at once: one frame, both words in it. */
	UT_ASSERT_OK(ut_start_thread(write_at, rw + MNOS_PAGE_SIZE + 8));      /* 0x5a5a */
	a[512 + 2] = 0xa5a5;
	UT_EXPECT(!ut_join_thread());
	UT_EXPECT_EQ(b[512 + 1], 0x5a5a);
	UT_EXPECT_EQ(b[512 + 2], 0xa5a5);
	/* A system call writes to an untouched page, and reads from another. */
	struct mnos_sysinfo *si = (struct mnos_sysinfo *)(uintptr_t)(rw + 2 * MNOS_PAGE_SIZE);
	UT_EXPECT_ERR(mnos_system_info((uint64_t)(uintptr_t)si, sizeof(*si)), E_OK);
	UT_EXPECT(si->cpus_online > 0);
	const volatile struct mnos_sysinfo *si_ro =
		(const volatile struct mnos_sysinfo *)(uintptr_t)(ro + 2 * MNOS_PAGE_SIZE);
	UT_EXPECT_EQ(si_ro->cpus_online, si->cpus_online);
	UT_EXPECT_ERR(mnos_debug_print(ro + 3 * MNOS_PAGE_SIZE, 1), E_OK);  /* a NUL */
	/* A write to an untouched page of the read-only mapping is still a fault. */
	faulted = false;
	UT_EXPECT_ERR(ut_run_thread(write_at, ro + 4 * MNOS_PAGE_SIZE, &faulted), E_OK);
	UT_EXPECT(faulted);
	UT_EXPECT_EQ(a[4 * 512], 0);                    /* and wrote nothing */
	/* An untouched page is still the mapping's. */
	word_at = rw + 4 * MNOS_PAGE_SIZE;
	ipcbuf_in = ipcbuf_out = E_INVAL;
	UT_EXPECT_ERR(ut_run_thread(set_ipc_buffers, ut_va(1), &faulted), E_OK);
	UT_EXPECT_ERR(ipcbuf_in, E_EXISTS);
	UT_EXPECT_ERR(ipcbuf_out, E_OK);
	UT_ASSERT_OK(mnos_mem_unmap(0, rw));
	UT_ASSERT_OK(mnos_mem_unmap(0, ro));
}

/* The other order: a mapping placed over a thread's IPC buffer is refused, a
 * demand-zero one too (its untouched pages would not meet the buffer in the page
 * tables), and once the thread has ended the place is free. */
static uint64_t held_buf;
static uint32_t held_set, held_stop;

static void hold_ipc_buffer(uint64_t at)
{
	uint64_t bits;

	held_buf = mnos_ipc_buffer_set(at);
	mnos_notify_signal(held_set, 1);
	mnos_notify_wait(held_stop, &bits);
}

UTEST(mappings_over_an_ipc_buffer_are_refused)
{
	uint32_t lazy = ut_make(MNOS_OBJ_MEMORY, 3, MNOS_MEM_LAZY);
	uint32_t eager = ut_make(MNOS_OBJ_MEMORY, 3, 0);
	uint64_t at = ut_va(3), bits;

	held_set = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	held_stop = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	UT_ASSERT(lazy && eager && held_set && held_stop && at);
	held_buf = E_INVAL;
	UT_ASSERT_OK(ut_start_thread(hold_ipc_buffer, at + MNOS_PAGE_SIZE));
	UT_EXPECT_ERR(mnos_notify_wait(held_set, &bits), E_OK);
	UT_EXPECT_ERR(held_buf, E_OK);
	UT_EXPECT_ERR(mnos_mem_map(lazy, 0, at, CAP_R_READ | CAP_R_WRITE), E_EXISTS);
	UT_EXPECT_ERR(mnos_mem_map(eager, 0, at, CAP_R_READ | CAP_R_WRITE), E_EXISTS);
	UT_EXPECT_ERR(mnos_notify_signal(held_stop, 1), E_OK);
	UT_EXPECT(!ut_join_thread());
	UT_EXPECT_ERR(mnos_mem_map(lazy, 0, at, CAP_R_READ | CAP_R_WRITE), E_OK);
	UT_EXPECT_ERR(mnos_mem_unmap(0, at), E_OK);
}

/* ---- IPC between two threads ---- */

static uint32_t srv_ep, srv_reply;

/* Answer n calls: each with label + 1 and the words (w3, w2, w0, badge). */
static void server(uint64_t n)
{
	uint64_t badge, info, w0, w1, w2, w3;
	enum mnos_error e = mnos_ep_recv(srv_ep, srv_reply, IPC_FOREVER, &badge, &info, &w0,
					 &w1, &w2, &w3);

	for (uint64_t i = 1; i < n && e == E_OK; i++)
		e = mnos_ep_reply_recv(srv_ep | (uint64_t)srv_reply << 32,
				       mnos_ipc_info(mnos_ipc_label(info) + 1, 4, 0), w3, w2, w0,
				       badge, &badge, &info, &w0, &w1, &w2, &w3);
	if (e == E_OK)
		mnos_ep_reply(srv_reply, mnos_ipc_info(mnos_ipc_label(info) + 1, 4, 0), w3, w2,
			      w0, badge);
}

UTEST(ipc_call_reply_with_badges)
{
	enum { CALLS = 50 };

	srv_ep = ut_make(MNOS_OBJ_ENDPOINT, 0, 0);
	srv_reply = ut_make(MNOS_OBJ_REPLY, 0, 0);
	uint32_t badged = ut_slot();
	UT_ASSERT(srv_ep && srv_reply);
	UT_ASSERT_OK(mnos_cap_mint(srv_ep, badged, CAP_R_SEND, 0xbad6e));
	UT_ASSERT_OK(ut_start_thread(server, CALLS));
	for (uint64_t i = 0; i < CALLS; i++) {
		uint64_t info, w0, w1, w2, w3;
		enum mnos_error e = mnos_ep_call(badged, mnos_ipc_info(100 + i, 4, 0), i, 2, 3, 4,
						 &info, &w0, &w1, &w2, &w3);
		if (!UT_EXPECT_ERR(e, E_OK))
			break;
		UT_EXPECT_EQ(mnos_ipc_label(info), 101 + i);
		UT_EXPECT_EQ(w0, 4);
		UT_EXPECT_EQ(w1, 3);
		UT_EXPECT_EQ(w2, i);
		UT_EXPECT_EQ(w3, 0xbad6e);      /* the badge the server saw */
	}
	UT_EXPECT(!ut_join_thread());
	/* The badged capability cannot receive, and nobody is left to answer. */
	uint64_t b, i, w0, w1, w2, w3;
	UT_EXPECT_ERR(mnos_ep_recv(badged, srv_reply, IPC_POLL, &b, &i, &w0, &w1, &w2, &w3),
		      E_PERM);
	UT_EXPECT_ERR(mnos_ep_nbsend(srv_ep, 0, 0, 0, 0, 0), E_WOULD_BLOCK);
	UT_EXPECT_ERR(mnos_ep_recv(srv_ep, srv_reply, 1000000, &b, &i, &w0, &w1, &w2, &w3),
		      E_TIMEOUT);
}

/*
 * The SYSCALL entry sends call and reply_recv to their fast paths first (endpoint.h):
 * a call they refuse must fail exactly as through the dispatch — the error, and every
 * result register zero — and change nothing, so the server that waited through them
 * answers the next good call. The server waits first, so each bad call finds a partner
 * the fast path could switch to.
 */
UTEST(ipc_refused_calls_fail_cleanly_and_change_nothing)
{
	srv_ep = ut_make(MNOS_OBJ_ENDPOINT, 0, 0);
	srv_reply = ut_make(MNOS_OBJ_REPLY, 0, 0);
	uint32_t recv_only = ut_slot(), unused = ut_slot();
	UT_ASSERT(srv_ep && srv_reply);
	UT_ASSERT_OK(mnos_cap_copy(srv_ep, 0, recv_only, CAP_R_RECV));
	UT_ASSERT_OK(ut_start_thread(server, 1));
	mnos_sleep(2000000);                            /* it waits in ep_recv */
	const struct { uint64_t slot, info; enum mnos_error e; } bad[] = {
		{ srv_ep | 1ull << 32, 0, E_RANGE },    /* a slot number past 32 bits */
		{ unused, 0, E_NOT_FOUND },
		{ srv_reply, 0, E_TYPE },
		{ recv_only, 0, E_PERM },
		{ srv_ep, 1u << 10, E_INVAL },          /* a reserved bit of the info word */
		{ srv_ep, IPC_MAX_WORDS + 1, E_INVAL },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t out[5] = { 1, 1, 1, 1, 1 };
		UT_EXPECT_ERR(mnos_ep_call(bad[i].slot, bad[i].info, 1, 2, 3, 4, &out[0], &out[1],
					   &out[2], &out[3], &out[4]), bad[i].e);
		UT_EXPECT(!out[0] && !out[1] && !out[2] && !out[3] && !out[4]);
	}
	uint64_t info, w0, w1, w2, w3;
	UT_EXPECT_ERR(mnos_ep_call(srv_ep, mnos_ipc_info(7, 4, 0), 1, 2, 3, 4, &info, &w0, &w1,
				   &w2, &w3), E_OK);
	UT_EXPECT_EQ(mnos_ipc_label(info), 8);
	UT_EXPECT_EQ(w0, 4);
	UT_EXPECT_EQ(w2, 1);
	UT_EXPECT(!ut_join_thread());
	/* reply_recv: no reply object, the wrong types, reserved bits; nothing received. */
	const struct { uint64_t ep_reply, info; enum mnos_error e; } bad_rr[] = {
		{ srv_ep, 0, E_INVAL },
		{ srv_reply | (uint64_t)srv_reply << 32, 0, E_TYPE },
		{ srv_ep | (uint64_t)srv_ep << 32, 0, E_TYPE },
		{ srv_ep | (uint64_t)unused << 32, 0, E_NOT_FOUND },
		{ srv_ep | (uint64_t)srv_reply << 32, 1u << 11, E_INVAL },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad_rr); i++) {
		uint64_t out[6] = { 1, 1, 1, 1, 1, 1 };
		UT_EXPECT_ERR(mnos_ep_reply_recv(bad_rr[i].ep_reply, bad_rr[i].info, 1, 2, 3, 4,
						 &out[0], &out[1], &out[2], &out[3], &out[4],
						 &out[5]), bad_rr[i].e);
		UT_EXPECT(!out[0] && !out[1] && !out[2] && !out[3] && !out[4] && !out[5]);
	}
}

/*
 * A thread blocked in a fast path keeps no kernel context (kernel/ipc/endpoint_fast.c,
 * "Continuations"): it is resumed through its system-call frame and the registers the
 * entry saved below it. Every register the ABI preserves must come back, and the
 * answer with them: across the calls the server's reply_recv answers (the client is
 * resumed by that fast path directly) and across the last, answered by ep_reply (the
 * client is resumed through the scheduler and the trampoline).
 */
UTEST(ipc_blocked_fast_calls_keep_preserved_registers)
{
	enum { CALLS = 8 };

	srv_ep = ut_make(MNOS_OBJ_ENDPOINT, 0, 0);
	srv_reply = ut_make(MNOS_OBJ_REPLY, 0, 0);
	UT_ASSERT(srv_ep && srv_reply);
	UT_ASSERT_OK(ut_start_thread(server, CALLS));
	for (uint64_t i = 0; i < CALLS; i++) {
		const uint64_t in[6] = { srv_ep, mnos_ipc_info(7, 4, 0), 10 + i, 20, 30, 40 };
		uint64_t out[7];
		if (i == 0)
			mnos_sleep(2000000);    /* the server waits in ep_recv */
		UT_EXPECT_EQ(ut_syscall_sentinels(SYS_EP_CALL, in, out), 0);
		UT_EXPECT_EQ(out[0], E_OK);
		UT_EXPECT_EQ(mnos_ipc_label(out[2]), 8);
		UT_EXPECT_EQ(out[3], 40);
		UT_EXPECT_EQ(out[4], 30);
		UT_EXPECT_EQ(out[5], 10 + i);
	}
	UT_EXPECT(!ut_join_thread());
}

/*
 * notify_signal and notify_wait have fast paths in the SYSCALL entry too (the kernel's
 * usermode.h): a call they refuse must fail as through the dispatch, with every result
 * register zero; a signal returns no results and a wait only the word, in rdi, whether
 * the word was pending or came while it waited; and the preserved registers survive.
 */
static uint32_t nf_ntf;

static void nf_signaller(uint64_t bits)
{
	mnos_sleep(2000000);                    /* the main thread waits first */
	mnos_notify_signal(nf_ntf, bits);
}

/* System call nr with the arguments in: true if it returned e and the results want[]
 * (rdi..r9) with every preserved register intact. */
static bool nf_call(uint64_t nr, const uint64_t in[6], enum mnos_error e,
		    const uint64_t want[6])
{
	uint64_t out[7];
	bool ok = UT_EXPECT_EQ(ut_syscall_sentinels(nr, in, out), 0);

	ok &= UT_EXPECT_ERR(out[0], e);
	for (int i = 0; i < 6; i++)
		ok &= UT_EXPECT_EQ(out[1 + i], want[i]);
	return ok;
}

UTEST(notify_fast_paths_answer_as_the_dispatch_would)
{
	uint32_t n = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0), ep = ut_make(MNOS_OBJ_ENDPOINT, 0, 0);
	uint32_t badged = ut_slot(), wait_only = ut_slot(), unused = ut_slot();
	const uint64_t none[6] = { 0 };

	UT_ASSERT(n && ep);
	UT_ASSERT_OK(mnos_cap_mint(n, badged, CAP_R_SIGNAL, 0x40));
	UT_ASSERT_OK(mnos_cap_copy(n, 0, wait_only, CAP_R_WAIT));
	const struct { uint64_t nr, slot, bits; enum mnos_error e; } bad[] = {
		{ SYS_NOTIFY_SIGNAL, n | 1ull << 32, 1, E_RANGE },  /* past 32 bits */
		{ SYS_NOTIFY_SIGNAL, 0, 1, E_RANGE },
		{ SYS_NOTIFY_SIGNAL, unused, 1, E_NOT_FOUND },
		{ SYS_NOTIFY_SIGNAL, ep, 1, E_TYPE },
		{ SYS_NOTIFY_SIGNAL, wait_only, 1, E_PERM },
		{ SYS_NOTIFY_SIGNAL, n, 0, E_INVAL },               /* unbadged, no bits */
		{ SYS_NOTIFY_WAIT, n | 1ull << 32, 0, E_RANGE },
		{ SYS_NOTIFY_WAIT, 0, 0, E_RANGE },
		{ SYS_NOTIFY_WAIT, unused, 0, E_NOT_FOUND },
		{ SYS_NOTIFY_WAIT, ep, 0, E_TYPE },
		{ SYS_NOTIFY_WAIT, badged, 0, E_PERM },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		const uint64_t in[6] = { bad[i].slot, bad[i].bits, 7, 7, 7, 7 };
		nf_call(bad[i].nr, in, bad[i].e, none);
	}
	/* Signals return nothing; a badged one ORs in its badge, not the bits. */
	const uint64_t plain[6] = { n, 0x5, 7, 7, 7, 7 };
	const uint64_t with_badge[6] = { badged, 0x2, 7, 7, 7, 7 };
	nf_call(SYS_NOTIFY_SIGNAL, plain, E_OK, none);
	nf_call(SYS_NOTIFY_SIGNAL, with_badge, E_OK, none);
	/* Both pending: the wait returns them at once, and clears them. */
	const uint64_t wait[6] = { n, 9, 9, 9, 9, 9 }, pending[6] = { 0x45 };
	nf_call(SYS_NOTIFY_WAIT, wait, E_OK, pending);
	uint64_t bits = 1;
	UT_EXPECT_ERR(mnos_notify_poll(n, &bits), E_OK);
	UT_EXPECT_EQ(bits, 0);
	/* Nothing pending: the wait blocks, and gets what the signal brings. */
	const uint64_t brought[6] = { 0x300 };
	nf_ntf = n;
	UT_ASSERT_OK(ut_start_thread(nf_signaller, 0x300));
	nf_call(SYS_NOTIFY_WAIT, wait, E_OK, brought);
	UT_EXPECT(!ut_join_thread());
}

/* ---- a process made through system calls ---- */

/* Position-independent code for the new process: signal the notification in its slot 1
 * with 5, then end. */
static const uint8_t child_code[] = {
	0xb8, SYS_NOTIFY_SIGNAL, 0, 0, 0,       /* mov $SYS_NOTIFY_SIGNAL, %eax */
	0xbf, 1, 0, 0, 0,                       /* mov $1, %edi */
	0xbe, 5, 0, 0, 0,                       /* mov $5, %esi */
	0x0f, 0x05,                             /* syscall */
	0xb8, SYS_THREAD_EXIT, 0, 0, 0,         /* mov $SYS_THREAD_EXIT, %eax */
	0x0f, 0x05,                             /* syscall */
	0x0f, 0x0b,                             /* ud2 */
};

UTEST(process_created_and_run_through_syscalls)
{
	uint32_t proc = ut_make(MNOS_OBJ_PROCESS, 8, 256 * 1024);
	uint32_t code = ut_make(MNOS_OBJ_MEMORY, 1, 0);
	uint32_t ntf = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	uint32_t thr = ut_slot();
	uint64_t here = ut_va(1), bits = 0;

	UT_ASSERT(proc && code && ntf);
	UT_ASSERT_OK(mnos_mem_map(code, 0, here, CAP_R_READ | CAP_R_WRITE));
	memcpy((void *)(uintptr_t)here, child_code, sizeof(child_code));
	UT_ASSERT_OK(mnos_mem_unmap(0, here));
	/* Into the new process: the code at 0x400000, the notification in its slot 1. */
	UT_ASSERT_OK(mnos_mem_map(code, proc, 0x400000, CAP_R_READ | CAP_R_EXEC));
	UT_ASSERT_OK(mnos_cap_copy(ntf, proc, 1, CAP_R_SIGNAL));
	UT_EXPECT_ERR(mnos_cap_copy(ntf, proc, 1, CAP_R_SIGNAL), E_EXISTS);
	UT_EXPECT_ERR(mnos_cap_copy(ntf, proc, 8, CAP_R_SIGNAL), E_RANGE);
	UT_ASSERT_OK(mnos_thread_create(proc, thr, 0x400000, 0x401000, 0));
	UT_EXPECT_ERR(mnos_notify_wait(ntf, &bits), E_OK);
	UT_EXPECT_EQ(bits, 5);
	/* Code not executable in the new process: its thread faults, this one goes on. */
	UT_ASSERT_OK(mnos_mem_unmap(proc, 0x400000));
	UT_ASSERT_OK(mnos_mem_map(code, proc, 0x400000, CAP_R_READ));
	uint32_t thr2 = ut_slot(), fault_ntf = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	UT_ASSERT_OK(mnos_proc_set_fault(proc, fault_ntf));
	UT_ASSERT_OK(mnos_thread_create(proc, thr2, 0x400000, 0x401000, 0));
	UT_EXPECT_ERR(mnos_notify_wait(fault_ntf, &bits), E_OK);
	UT_EXPECT_EQ(bits, 1);
	uint64_t none = 0;
	UT_EXPECT_ERR(mnos_notify_poll(ntf, &none), E_OK);
	UT_EXPECT_EQ(none, 0);                          /* it never signalled */
}

/* ---- quota ---- */

/* Creating objects until the quota is gone: an error, and deleting them gives it back. */
UTEST(quota_runs_out_with_an_error_and_comes_back)
{
	static uint32_t made[1024];
	uint32_t n = 0;
	enum mnos_error e = E_OK;

	while (n < ARRAY_SIZE(made) && mnos_slot_count_free() > 1) {
		uint32_t s = ut_slot();
		e = mnos_obj_create(MNOS_OBJ_MEMORY, s, 16, 0);
		if (e != E_OK)
			break;
		made[n++] = s;
	}
	UT_EXPECT_ERR(e, E_NO_MEMORY);
	UT_ASSERT(n > 0);
	for (uint32_t i = 0; i < n; i++)
		UT_EXPECT_ERR(mnos_cap_delete(made[i]), E_OK);
	uint32_t again = ut_make(MNOS_OBJ_MEMORY, 16, 0);
	UT_EXPECT(again != 0);
}

/* ---- killing a process ---- */

/* Code for the victim process, at 0x400000 + offset: each entry ends in an endless
 * loop, and signals its slot 2 (the "it went on" notification) only if it ever gets
 * back to user mode from where the kill should have caught it. */
static const uint8_t victim_code[] = {
	/* 0: spin in user mode */
	0xeb, 0xfe,                                     /* jmp . */
	/* 2: wait on the notification in slot 1, then tell slot 2 */
	0xb8, SYS_NOTIFY_WAIT, 0, 0, 0,                 /* mov $SYS_NOTIFY_WAIT, %eax */
	0xbf, 1, 0, 0, 0,                               /* mov $1, %edi */
	0x0f, 0x05,                                     /* syscall */
	0xb8, SYS_NOTIFY_SIGNAL, 0, 0, 0,               /* mov $SYS_NOTIFY_SIGNAL, %eax */
	0xbf, 2, 0, 0, 0,                               /* mov $2, %edi */
	0xbe, 4, 0, 0, 0,                               /* mov $4, %esi */
	0x0f, 0x05,                                     /* syscall */
	0xeb, 0xfe,                                     /* jmp . */
	/* 33: sleep 1000 s, then tell slot 2 */
	0xb8, SYS_SLEEP, 0, 0, 0,                       /* mov $SYS_SLEEP, %eax */
	0x48, 0xbf, 0x00, 0x10, 0xa5, 0xd4, 0xe8, 0, 0, 0, /* movabs $1e12, %rdi */
	0x0f, 0x05,                                     /* syscall */
	0xb8, SYS_NOTIFY_SIGNAL, 0, 0, 0,
	0xbf, 2, 0, 0, 0,
	0xbe, 8, 0, 0, 0,                               /* mov $8, %esi */
	0x0f, 0x05,
	0xeb, 0xfe,
};

/* Wait up to about two seconds for bits on n; what came. */
static uint64_t wait_bits(uint32_t n, uint64_t want)
{
	uint64_t got = 0;

	for (int i = 0; i < 200 && (got & want) != want; i++) {
		uint64_t b = 0;
		mnos_notify_poll(n, &b);
		got |= b;
		if ((got & want) != want)
			mnos_sleep(10000000);
	}
	return got;
}

/* proc_kill ends a thread spinning in user mode, one waiting on a notification and one
 * asleep; none of them gets back to user mode; the supervisor hears the process has no
 * threads left; and no new thread can start in it. */
UTEST(proc_kill_ends_every_kind_of_thread)
{
	uint32_t proc = ut_make(MNOS_OBJ_PROCESS, 8, 256 * 1024);
	uint32_t code = ut_make(MNOS_OBJ_MEMORY, 1, 0);
	uint32_t wake = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	uint32_t went_on = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	uint32_t sup = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	uint64_t here = ut_va(1);
	static const uint64_t entries[] = { 0, 2, 33 };

	UT_ASSERT(proc && code && wake && went_on && sup);
	UT_ASSERT_OK(mnos_mem_map(code, 0, here, CAP_R_READ | CAP_R_WRITE));
	memcpy((void *)(uintptr_t)here, victim_code, sizeof(victim_code));
	UT_ASSERT_OK(mnos_mem_unmap(0, here));
	UT_ASSERT_OK(mnos_mem_map(code, proc, 0x400000, CAP_R_READ | CAP_R_EXEC));
	UT_ASSERT_OK(mnos_cap_copy(wake, proc, 1, CAP_R_WAIT));
	UT_ASSERT_OK(mnos_cap_copy(went_on, proc, 2, CAP_R_SIGNAL));
	UT_ASSERT_OK(mnos_proc_set_fault(proc, sup));
	for (unsigned i = 0; i < 3; i++)
		UT_ASSERT_OK(mnos_thread_create(proc, ut_slot(), 0x400000 + entries[i], 0x401000,
						0));
	mnos_sleep(20000000);                   /* let them get where they wait */
	uint64_t bits = 0;
	UT_EXPECT_ERR(mnos_notify_poll(sup, &bits), E_OK);
	UT_EXPECT_EQ(bits, 0);                  /* all three still there */

	UT_EXPECT_ERR(mnos_proc_kill(proc), E_OK);
	UT_EXPECT_EQ(wait_bits(sup, 2), 2);     /* the last thread has ended; no fault */
	UT_EXPECT_ERR(mnos_notify_signal(wake, 1), E_OK);   /* nobody waits any more */
	mnos_sleep(10000000);
	bits = 0;
	UT_EXPECT_ERR(mnos_notify_poll(went_on, &bits), E_OK);
	UT_EXPECT_EQ(bits, 0);                  /* none got back to user mode */
	UT_EXPECT_ERR(mnos_thread_create(proc, ut_slot(), 0x400000, 0x401000, 0), E_DELETED);
	/* Killing again, or a process with no threads, is harmless. */
	UT_EXPECT_ERR(mnos_proc_kill(proc), E_OK);
	UT_EXPECT_ERR(mnos_proc_kill(wake), E_TYPE);
}

/* A process whose threads all end by themselves tells its supervisor too, at the bits
 * its badge chose. */
UTEST(process_exit_tells_the_supervisor)
{
	uint32_t proc = ut_make(MNOS_OBJ_PROCESS, 8, 256 * 1024);
	uint32_t code = ut_make(MNOS_OBJ_MEMORY, 1, 0);
	uint32_t ntf = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	uint32_t sup = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	uint64_t here = ut_va(1);

	UT_ASSERT(proc && code && ntf && sup);
	UT_ASSERT_OK(mnos_mem_map(code, 0, here, CAP_R_READ | CAP_R_WRITE));
	memcpy((void *)(uintptr_t)here, child_code, sizeof(child_code));
	UT_ASSERT_OK(mnos_mem_unmap(0, here));
	UT_ASSERT_OK(mnos_mem_map(code, proc, 0x400000, CAP_R_READ | CAP_R_EXEC));
	UT_ASSERT_OK(mnos_cap_copy(ntf, proc, 1, CAP_R_SIGNAL));
	/* Named by a badged capability: the bits move up to the badge's lowest bit. */
	uint32_t badged = ut_slot();
	UT_ASSERT_OK(mnos_cap_mint(sup, badged, CAP_R_SIGNAL, 1ull << 6));
	UT_ASSERT_OK(mnos_proc_set_fault(proc, badged));
	for (int i = 0; i < 2; i++)
		UT_ASSERT_OK(mnos_thread_create(proc, ut_slot(), 0x400000, 0x401000, 0));
	UT_EXPECT_EQ(wait_bits(sup, 2ull << 6), 2ull << 6);
	uint64_t bits = 0;
	UT_EXPECT_ERR(mnos_notify_poll(ntf, &bits), E_OK);
	UT_EXPECT_EQ(bits, 5);                  /* both ran */
}

/* ---- an endpoint nobody can receive on ---- */

static uint32_t dead_ep_send;
static volatile uint64_t dead_ep_result;

static void call_nobody(uint64_t unused)
{
	uint64_t info, w0, w1, w2, w3;

	dead_ep_result = mnos_ep_call(dead_ep_send, 0, 1, 2, 3, 4, &info, &w0, &w1, &w2, &w3);
}

/* When the last capability that can receive goes (a server that died), callers waiting
 * on the endpoint get E_DELETED rather than wait for ever, and so does every later send. */
UTEST(ipc_endpoint_without_receivers_fails_its_callers)
{
	uint32_t ep = ut_make(MNOS_OBJ_ENDPOINT, 0, 0);

	dead_ep_send = ut_slot();
	dead_ep_result = 0xff;
	UT_ASSERT(ep);
	UT_ASSERT_OK(mnos_cap_copy(ep, 0, dead_ep_send, CAP_R_SEND));
	UT_ASSERT_OK(ut_start_thread(call_nobody, 0));
	mnos_sleep(5000000);                    /* it waits in ep_call: nobody receives */
	UT_EXPECT_EQ(dead_ep_result, 0xff);
	UT_ASSERT_OK(mnos_cap_delete(ep));      /* the only capability that can receive */
	UT_EXPECT(!ut_join_thread());
	UT_EXPECT_ERR(dead_ep_result, E_DELETED);
	UT_EXPECT_ERR(mnos_ep_nbsend(dead_ep_send, 0, 0, 0, 0, 0), E_DELETED);
	uint64_t info, w0, w1, w2, w3;
	UT_EXPECT_ERR(mnos_ep_call(dead_ep_send, 0, 0, 0, 0, 0, &info, &w0, &w1, &w2, &w3),
		      E_DELETED);
}
