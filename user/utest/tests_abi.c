/*
 * The system-call ABI from ring 3: registers, unknown numbers, and every kind of bad
 * argument — slots, types, rights, pointers, lengths — each refused with its documented
 * error (docs/SYSCALLS.md) and nothing changed.
 */
#include "utest.h"

#define SENTINEL_ALL 0x1ff

static const char *const reg_names[] = { "rbx", "rbp", "r12", "r13", "r14", "r15", "rsp",
					 "rcx (return address)", "r11 (flags)" };

static void check_sentinels(uint64_t nr, const uint64_t in[6])
{
	uint64_t out[7];
	uint64_t bad = ut_syscall_sentinels(nr, in, out);

	for (unsigned b = 0; b < 9; b++)
		if (bad & (1u << b))
			utest_fail(__FILE__, __LINE__, "syscall %llu (args %#llx...): %s changed",
				   (unsigned long long)nr, (unsigned long long)in[0],
				   reg_names[b]);
	/* A failed call carries nothing back: no kernel value in a result register. */
	if (out[0] != E_OK)
		for (unsigned r = 1; r < 7; r++)
			if (out[r])
				utest_fail(__FILE__, __LINE__,
					   "syscall %llu failed (%s) but result register %u is %#llx",
					   (unsigned long long)nr, kerr_name((kerr_t)out[0]), r,
					   (unsigned long long)out[r]);
}

/* Every system call, with all-zero arguments and with garbage, and numbers past the
 * table: the preserved registers survive, rcx and r11 are SYSCALL's. */
UTEST(abi_registers_survive_every_syscall)
{
	static const uint64_t zero[6];
	static const uint64_t junk[6] = { 0xdeadbeefcafe0001ull, 0xffff800000001000ull,
					  0x8000000000000000ull, 0x7ffffffff001ull, 3,
					  0xffffffffffffffffull };

	for (uint64_t nr = 0; nr < SYS_COUNT; nr++) {
		if (nr == SYS_THREAD_EXIT)
			continue;
		if (nr != SYS_PROC_KILL)        /* proc 0: this process */
			check_sentinels(nr, zero);
		if (nr != SYS_SLEEP)            /* a junk duration is a very long sleep */
			check_sentinels(nr, junk);
	}
	/* proc_set_fault(0, 0) above cleared this process's fault notification. */
	UT_EXPECT_ERR(mnos_proc_set_fault(0, ut_child_done), E_OK);
	static const uint64_t unknown[] = { SYS_COUNT, SYS_COUNT + 1, 1000, 1ull << 32,
					    (1ull << 32) | SYS_CLOCK, 1ull << 63, ~0ull };
	for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		uint64_t out[7];
		UT_EXPECT_EQ(ut_syscall_sentinels(unknown[i], junk, out), 0);
		UT_EXPECT_ERR(out[0], E_NOSYS);
		for (unsigned r = 1; r < 7; r++)
			UT_EXPECT_EQ(out[r], 0);
	}
}

/* ---- slots ---- */

/* The fixture: one capability of each kind a call can name, all rights. */
struct fixture {
	uint32_t ep, ntf, mem, reply, dst;
};

static void make_fixture(struct fixture *f)
{
	f->ep = ut_make(MNOS_OBJ_ENDPOINT, 0, 0);
	f->ntf = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);
	f->mem = ut_make(MNOS_OBJ_MEMORY, 1, 0);
	f->reply = ut_make(MNOS_OBJ_REPLY, 0, 0);
	f->dst = ut_slot();             /* empty: where copies would go */
	UT_ASSERT(f->ep && f->ntf && f->mem && f->reply);
}

/* What a slot argument holds, as the kernel will see it. */
static uint32_t slot_type(const struct fixture *f, uint64_t s)
{
	if (s == ut_child_done)
		return MNOS_OBJ_NOTIFICATION;
	if (s == ut_self)
		return MNOS_OBJ_PROCESS;
	if (s == ut_result || s == f->ntf)
		return MNOS_OBJ_NOTIFICATION;
	if (s == f->ep)
		return MNOS_OBJ_ENDPOINT;
	if (s == f->mem)
		return MNOS_OBJ_MEMORY;
	if (s == f->reply)
		return MNOS_OBJ_REPLY;
	return MNOS_OBJ_NONE;
}

/* Calls that take one slot of a given type (0: any type): call(slot) → error. */
struct slot_call {
	const char *name;
	uint32_t type;
	enum mnos_error (*call)(const struct fixture *f, uint64_t slot);
};

static uint64_t scratch_va;

static enum mnos_error c_delete(const struct fixture *f, uint64_t s)
{
	return mnos_cap_delete(s);
}

static enum mnos_error c_revoke(const struct fixture *f, uint64_t s)
{
	return mnos_cap_revoke(s);
}

static enum mnos_error c_copy(const struct fixture *f, uint64_t s)
{
	return mnos_cap_copy(s, 0, f->dst, CAP_R_ALL);
}

static enum mnos_error c_move(const struct fixture *f, uint64_t s)
{
	return mnos_cap_move(s, f->dst);
}

static enum mnos_error c_signal(const struct fixture *f, uint64_t s)
{
	return mnos_notify_signal(s, 1);
}

static enum mnos_error c_poll(const struct fixture *f, uint64_t s)
{
	uint64_t bits;

	return mnos_notify_poll(s, &bits);
}

static enum mnos_error c_nbsend(const struct fixture *f, uint64_t s)
{
	return mnos_ep_nbsend(s, 0, 1, 2, 3, 4);
}

static enum mnos_error c_recv_poll(const struct fixture *f, uint64_t s)
{
	uint64_t b, i, w0, w1, w2, w3;

	return mnos_ep_recv(s, f->reply, IPC_POLL, &b, &i, &w0, &w1, &w2, &w3);
}

static enum mnos_error c_map(const struct fixture *f, uint64_t s)
{
	return mnos_mem_map(s, 0, scratch_va, CAP_R_READ);
}

static enum mnos_error c_map_into(const struct fixture *f, uint64_t s)
{
	return mnos_mem_map(f->mem, s, scratch_va, CAP_R_READ);
}

static enum mnos_error c_cancel(const struct fixture *f, uint64_t s)
{
	return mnos_thread_cancel_ipc(s);
}

static enum mnos_error c_affinity(const struct fixture *f, uint64_t s)
{
	return mnos_thread_set_affinity(s, 1);
}

static enum mnos_error c_irq_ack(const struct fixture *f, uint64_t s)
{
	return mnos_irq_ack(s);
}

static enum mnos_error c_ioport_in(const struct fixture *f, uint64_t s)
{
	uint64_t v;

	return mnos_ioport_in(s, 0x70, 1, &v);
}

static enum mnos_error c_set_fault(const struct fixture *f, uint64_t s)
{
	return mnos_proc_set_fault(s, f->ntf);
}

static enum mnos_error c_identify(const struct fixture *f, uint64_t s)
{
	uint64_t type, rights, badge;

	return mnos_cap_identify(s, &type, &rights, &badge);
}

static const struct slot_call slot_calls[] = {
	{ "cap_identify", 0, c_identify },
	{ "cap_delete", 0, c_delete },
	{ "cap_revoke", 0, c_revoke },
	{ "cap_copy", 0, c_copy },
	{ "cap_move", 0, c_move },
	{ "notify_signal", MNOS_OBJ_NOTIFICATION, c_signal },
	{ "notify_poll", MNOS_OBJ_NOTIFICATION, c_poll },
	{ "ep_nbsend", MNOS_OBJ_ENDPOINT, c_nbsend },
	{ "ep_recv", MNOS_OBJ_ENDPOINT, c_recv_poll },
	{ "mem_map", MNOS_OBJ_MEMORY, c_map },
	{ "mem_map (process)", MNOS_OBJ_PROCESS, c_map_into },
	{ "thread_cancel_ipc", MNOS_OBJ_THREAD, c_cancel },
	{ "thread_set_affinity", MNOS_OBJ_THREAD, c_affinity },
	{ "irq_ack", MNOS_OBJ_IRQ, c_irq_ack },
	{ "ioport_in", MNOS_OBJ_IOPORT, c_ioport_in },
	{ "proc_set_fault", MNOS_OBJ_PROCESS, c_set_fault },
};

/* The error a call must give for slot s, or -1 if s is a valid argument for it (not
 * tried: the call would do something). */
static int want_for_slot(const struct fixture *f, const struct slot_call *c, uint64_t s)
{
	if (s == 0 && c->type == MNOS_OBJ_PROCESS)
		return -1;                      /* 0 names the calling process */
	if (s == 0 || s >= ut_nslots)
		return E_RANGE;
	uint32_t t = slot_type(f, s);
	if (t == MNOS_OBJ_NONE)
		return E_NOT_FOUND;
	if (c->type == 0 || t == c->type)
		return -1;
	return E_TYPE;
}

static void try_slot(const struct fixture *f, const struct slot_call *c, uint64_t s)
{
	int want = want_for_slot(f, c, s);

	if (want < 0)
		return;
	enum mnos_error e = c->call(f, s);
	if ((int)e != want)
		utest_fail(__FILE__, __LINE__, "%s(slot %#llx): got %s, want %s", c->name,
			   (unsigned long long)s, kerr_name((kerr_t)e), kerr_name((kerr_t)want));
}

/* Every slot number up to the table's size and beyond, for every call that takes one. */
UTEST(abi_every_slot_number)
{
	struct fixture f;

	make_fixture(&f);
	scratch_va = ut_va(1);
	for (unsigned i = 0; i < sizeof(slot_calls) / sizeof(slot_calls[0]); i++)
		for (uint64_t s = 0; s <= ut_nslots + 2; s++)
			try_slot(&f, &slot_calls[i], s);
	/* Nothing above was done: the fixture is as it was. */
	uint64_t bits = 7;
	UT_EXPECT_ERR(mnos_notify_poll(f.ntf, &bits), E_OK);
	UT_EXPECT_EQ(bits, 0);
	UT_EXPECT_ERR(mnos_cap_delete(f.dst), E_NOT_FOUND);
}

/* Each single-bit flip of each valid slot: the whole 64-bit register is the slot. */
UTEST(abi_single_bit_flips_of_valid_slots)
{
	struct fixture f;

	make_fixture(&f);
	scratch_va = ut_va(1);
	const uint32_t valid[] = { f.ep, f.ntf, f.mem, f.reply, ut_self };
	for (unsigned i = 0; i < sizeof(slot_calls) / sizeof(slot_calls[0]); i++)
		for (unsigned v = 0; v < sizeof(valid) / sizeof(valid[0]); v++)
			for (unsigned b = 0; b < 64; b++)
				try_slot(&f, &slot_calls[i], valid[v] ^ (1ull << b));
}

/* A capability without the right an operation needs is refused, whichever right. */
UTEST(abi_missing_rights)
{
	struct fixture f;
	uint64_t bits;

	make_fixture(&f);
	uint32_t s = ut_slot();
	/* Notification: signal needs SIGNAL, poll needs WAIT. */
	UT_ASSERT_OK(mnos_cap_copy(f.ntf, 0, s, MNOS_RIGHTS_NOTIFICATION & ~CAP_R_SIGNAL));
	UT_EXPECT_ERR(mnos_notify_signal(s, 1), E_PERM);
	UT_EXPECT_ERR(mnos_notify_poll(s, &bits), E_OK);
	UT_ASSERT_OK(mnos_cap_delete(s));
	UT_ASSERT_OK(mnos_cap_copy(f.ntf, 0, s, MNOS_RIGHTS_NOTIFICATION & ~CAP_R_WAIT));
	UT_EXPECT_ERR(mnos_notify_poll(s, &bits), E_PERM);
	UT_EXPECT_ERR(mnos_notify_signal(s, 1), E_OK);
	UT_ASSERT_OK(mnos_cap_delete(s));
	/* Endpoint: send needs SEND, receive RECV. */
	UT_ASSERT_OK(mnos_cap_copy(f.ep, 0, s, MNOS_RIGHTS_ENDPOINT & ~CAP_R_SEND));
	UT_EXPECT_ERR(mnos_ep_nbsend(s, 0, 0, 0, 0, 0), E_PERM);
	UT_ASSERT_OK(mnos_cap_delete(s));
	UT_ASSERT_OK(mnos_cap_copy(f.ep, 0, s, MNOS_RIGHTS_ENDPOINT & ~CAP_R_RECV));
	uint64_t b, i, w0, w1, w2, w3;
	UT_EXPECT_ERR(mnos_ep_recv(s, f.reply, IPC_POLL, &b, &i, &w0, &w1, &w2, &w3), E_PERM);
	UT_ASSERT_OK(mnos_cap_delete(s));
	/* Memory: a mapping's rights must be in the capability's. */
	uint64_t va = ut_va(1);
	UT_ASSERT_OK(mnos_cap_copy(f.mem, 0, s, CAP_R_READ | CAP_R_DERIVE));
	UT_EXPECT_ERR(mnos_mem_map(s, 0, va, CAP_R_READ | CAP_R_WRITE), E_PERM);
	UT_EXPECT_ERR(mnos_mem_map(s, 0, va, CAP_R_READ | CAP_R_EXEC), E_PERM);
	UT_EXPECT_ERR(mnos_mem_map(s, 0, va, CAP_R_READ), E_OK);
	UT_EXPECT_ERR(mnos_mem_unmap(0, va), E_OK);
	/* Deriving needs DERIVE; the copy without it cannot be copied again. */
	uint32_t s2 = ut_slot();
	UT_ASSERT_OK(mnos_cap_delete(s));
	UT_ASSERT_OK(mnos_cap_copy(f.mem, 0, s, CAP_R_READ));
	UT_EXPECT_ERR(mnos_cap_copy(s, 0, s2, CAP_R_READ), E_PERM);
	/* Rights never grow: a copy asking for more gets only what the source had. */
	UT_ASSERT_OK(mnos_cap_delete(s));
	UT_ASSERT_OK(mnos_cap_copy(f.mem, 0, s, CAP_R_READ | CAP_R_DERIVE));
	UT_ASSERT_OK(mnos_cap_copy(s, 0, s2, CAP_R_ALL));
	/* A rights mask wider than 32 bits is malformed, not "all". */
	UT_EXPECT_ERR(mnos_cap_copy(s, 0, ut_slot(), ~0ull), E_INVAL);
	UT_EXPECT_ERR(mnos_mem_map(s2, 0, va, CAP_R_READ | CAP_R_WRITE), E_PERM);
}

/* Wrong object types for calls whose slot must be of one type. */
UTEST(abi_wrong_object_types)
{
	struct fixture f;
	uint64_t bits;

	make_fixture(&f);
	UT_EXPECT_ERR(mnos_notify_signal(f.ep, 1), E_TYPE);
	UT_EXPECT_ERR(mnos_notify_poll(f.mem, &bits), E_TYPE);
	UT_EXPECT_ERR(mnos_ep_nbsend(f.ntf, 0, 0, 0, 0, 0), E_TYPE);
	UT_EXPECT_ERR(mnos_mem_map(f.ep, 0, ut_va(1), CAP_R_READ), E_TYPE);
	UT_EXPECT_ERR(mnos_mem_map(f.mem, f.ep, ut_va(1), CAP_R_READ), E_TYPE);
	UT_EXPECT_ERR(mnos_thread_cancel_ipc(f.ep), E_TYPE);
	UT_EXPECT_ERR(mnos_thread_set_affinity(ut_self, 1), E_TYPE);
	UT_EXPECT_ERR(mnos_irq_ack(f.ntf), E_TYPE);
	UT_EXPECT_ERR(mnos_irq_bind(f.ntf, f.ntf, 1), E_TYPE);
	UT_EXPECT_ERR(mnos_ioport_out(f.mem, 0x80, 1, 0), E_TYPE);
	UT_EXPECT_ERR(mnos_proc_set_fault(f.ep, f.ntf), E_TYPE);
	UT_EXPECT_ERR(mnos_proc_set_fault(ut_self, f.ep), E_TYPE);
	UT_EXPECT_ERR(mnos_cap_mint(f.mem, f.dst, CAP_R_ALL, 5), E_INVAL);   /* badges: IPC only */
}

/* ---- pointers and lengths ---- */

UTEST(abi_bad_pointers_and_lengths)
{
	static const char msg[] = "utest: a line through debug_print\n";
	uint64_t mapped = ut_va(1);
	uint32_t mem = ut_make(MNOS_OBJ_MEMORY, 1, 0);

	UT_ASSERT(mem);
	UT_ASSERT_OK(mnos_mem_map(mem, 0, mapped, CAP_R_READ));
	UT_EXPECT_ERR(mnos_debug_print((uint64_t)(uintptr_t)msg, sizeof(msg) - 1), E_OK);
	UT_EXPECT_ERR(mnos_debug_print(0, 1), E_RANGE);                        /* null */
	UT_EXPECT_ERR(mnos_debug_print(0xffffffff80000000ull, 8), E_RANGE);    /* kernel */
	UT_EXPECT_ERR(mnos_debug_print(0x0000800000000000ull, 8), E_RANGE);    /* hole */
	UT_EXPECT_ERR(mnos_debug_print(0xffff7fffffffffffull, 8), E_RANGE);    /* hole */
	UT_EXPECT_ERR(mnos_debug_print(MNOS_USER_TOP - 4, 8), E_RANGE);        /* straddles */
	UT_EXPECT_ERR(mnos_debug_print(~0ull - 2, 8), E_RANGE);                /* wraps */
	UT_EXPECT_ERR(mnos_debug_print(mapped + MNOS_PAGE_SIZE - 4, 8), E_FAULT); /* runs off */
	UT_EXPECT_ERR(mnos_debug_print(mapped, MNOS_DEBUG_PRINT_MAX + 1), E_INVAL); /* too long */
	UT_EXPECT_ERR(mnos_debug_print(mapped, ~0ull), E_INVAL);
	/* system_info writes: the same ranges, and read-only memory is no place for it. */
	const uint64_t isz = MNOS_SYSINFO_MIN_SIZE;
	UT_EXPECT_ERR(mnos_system_info(0, isz), E_RANGE);
	UT_EXPECT_ERR(mnos_system_info(0xffffffff80000000ull, isz), E_RANGE);
	UT_EXPECT_ERR(mnos_system_info(0x0000800000000000ull, isz), E_RANGE);
	UT_EXPECT_ERR(mnos_system_info(MNOS_USER_TOP - 16, isz), E_RANGE);
	UT_EXPECT_ERR(mnos_system_info(~0ull - 2, isz), E_RANGE);
	UT_EXPECT_ERR(mnos_system_info(mapped, isz), E_FAULT);                 /* read-only */
	UT_EXPECT_ERR(mnos_system_info(ut_va(1), isz), E_FAULT);               /* unmapped */
	UT_EXPECT_ERR(mnos_system_info(mapped, isz - 1), E_INVAL);             /* too small */
	UT_EXPECT_ERR(mnos_system_info(mapped, 0), E_INVAL);
	UT_EXPECT_ERR(mnos_system_info(mapped, ~0ull), E_RANGE);               /* wraps */
	UT_EXPECT_ERR(mnos_system_info(mapped, 1ull << 62), E_RANGE);
	/* Addresses for mappings, buffers, threads: aligned, in the user half. */
	UT_EXPECT_ERR(mnos_mem_map(mem, 0, mapped + 1, CAP_R_READ), E_INVAL);
	UT_EXPECT_ERR(mnos_mem_map(mem, 0, 0, CAP_R_READ), E_RANGE);
	UT_EXPECT_ERR(mnos_mem_map(mem, 0, MNOS_USER_TOP, CAP_R_READ), E_RANGE);
	UT_EXPECT_ERR(mnos_mem_map(mem, 0, 0xffffffff80000000ull, CAP_R_READ), E_RANGE);
	UT_EXPECT_ERR(mnos_mem_map(mem, 0, mapped, CAP_R_READ), E_EXISTS);
	UT_EXPECT_ERR(mnos_mem_map(mem, 0, ut_va(1), CAP_R_WRITE | CAP_R_EXEC), E_INVAL);
	UT_EXPECT_ERR(mnos_mem_unmap(0, mapped + 8), E_INVAL);
	UT_EXPECT_ERR(mnos_mem_unmap(0, ut_va(1)), E_NOT_FOUND);
	UT_EXPECT_ERR(mnos_ipc_buffer_set(mapped + 8), E_INVAL);
	UT_EXPECT_ERR(mnos_ipc_buffer_set(0xffffffff80000000ull), E_RANGE);
	UT_EXPECT_ERR(mnos_ipc_buffer_set(mapped), E_EXISTS);                  /* mapped */
	uint32_t t = ut_slot();
	UT_EXPECT_ERR(mnos_thread_create(0, t, 0xffffffff80100000ull, mapped + 4096, 0), E_RANGE);
	UT_EXPECT_ERR(mnos_thread_create(0, t, mapped, mapped + 4096 - 8, 0), E_INVAL);
	UT_EXPECT_ERR(mnos_thread_create(0, t, mapped, 0x0000800000000000ull, 0), E_RANGE);
	UT_EXPECT_ERR(mnos_cap_delete(t), E_NOT_FOUND);                        /* none made */
	UT_EXPECT_ERR(mnos_obj_create(MNOS_OBJ_MEMORY, ut_slot(), MNOS_MEMOBJ_MAX_PAGES + 1, 0),
		      E_RANGE);
	UT_EXPECT_ERR(mnos_obj_create(MNOS_OBJ_MEMORY, ut_slot(), 0, 0), E_INVAL);
	UT_EXPECT_ERR(mnos_obj_create(MNOS_OBJ_TYPES, ut_slot(), 0, 0), E_INVAL);
	UT_EXPECT_ERR(mnos_obj_create(~0ull, ut_slot(), 0, 0), E_INVAL);
}

/* A thread_create that fails leaves no thread behind and runs nothing. */
static volatile uint64_t ran;

static void set_ran(uint64_t v)
{
	ran = v;
}

UTEST(abi_thread_create_fails_cleanly)
{
	uint32_t busy = ut_make(MNOS_OBJ_NOTIFICATION, 0, 0);

	ran = 0;
	UT_ASSERT(busy);
	/* Into an occupied slot: refused before the thread exists. */
	UT_EXPECT_ERR(mnos_thread_create(0, busy, (uint64_t)(uintptr_t)set_ran,
					 (uint64_t)(uintptr_t)&ran, 1), E_EXISTS);
	UT_EXPECT_ERR(mnos_thread_create(0, 0, (uint64_t)(uintptr_t)set_ran, 0, 1), E_RANGE);
	mnos_sleep(2000000);
	UT_EXPECT_EQ(ran, 0);
	/* And the same call into a free slot works. */
	bool faulted = true;
	UT_EXPECT_ERR(ut_run_thread(set_ran, 7, &faulted), E_OK);
	UT_EXPECT(!faulted);
	UT_EXPECT_EQ(ran, 7);
}

/* ---- what a capability is, and what the system is ---- */

static void expect_identity(uint32_t slot, uint64_t type, uint64_t rights, uint64_t badge)
{
	uint64_t t = 99, r = 99, b = 99;

	UT_EXPECT_ERR(mnos_cap_identify(slot, &t, &r, &b), E_OK);
	if (t != type || r != rights || b != badge)
		utest_fail(__FILE__, __LINE__, "slot %u: type %llu rights %#llx badge %#llx, "
			   "want %llu %#llx %#llx", slot, (unsigned long long)t,
			   (unsigned long long)r, (unsigned long long)b, (unsigned long long)type,
			   (unsigned long long)rights, (unsigned long long)badge);
}

/* obj_create gives every right of the type; cap_copy and cap_mint keep what they are
 * told to; the start information's capabilities are what it says they are. */
UTEST(abi_cap_identify_reports_type_rights_and_badge)
{
	struct fixture f;

	make_fixture(&f);
	expect_identity(f.ep, MNOS_OBJ_ENDPOINT, MNOS_RIGHTS_ENDPOINT, 0);
	expect_identity(f.ntf, MNOS_OBJ_NOTIFICATION, MNOS_RIGHTS_NOTIFICATION, 0);
	expect_identity(f.mem, MNOS_OBJ_MEMORY, MNOS_RIGHTS_MEMORY, 0);
	expect_identity(f.reply, MNOS_OBJ_REPLY, MNOS_RIGHTS_REPLY, 0);
	uint32_t s = ut_slot(), s2 = ut_slot();
	UT_ASSERT_OK(mnos_cap_mint(f.ep, s, CAP_R_SEND | CAP_R_GRANT | CAP_R_EXEC, 0xfeed));
	expect_identity(s, MNOS_OBJ_ENDPOINT, CAP_R_SEND | CAP_R_GRANT, 0xfeed);
	UT_ASSERT_OK(mnos_cap_copy(f.mem, 0, s2, CAP_R_READ | CAP_R_DERIVE));
	expect_identity(s2, MNOS_OBJ_MEMORY, CAP_R_READ | CAP_R_DERIVE, 0);
	UT_ASSERT_OK(mnos_cap_move(s2, f.dst));
	expect_identity(f.dst, MNOS_OBJ_MEMORY, CAP_R_READ | CAP_R_DERIVE, 0);
	uint64_t t = 7, r = 7, b = 7;
	UT_EXPECT_ERR(mnos_cap_identify(s2, &t, &r, &b), E_NOT_FOUND);
	UT_EXPECT(t == 0 && r == 0 && b == 0);          /* a failed call returns nothing */
	UT_EXPECT_ERR(mnos_cap_identify(0, &t, &r, &b), E_RANGE);
	UT_EXPECT_ERR(mnos_cap_identify(ut_nslots, &t, &r, &b), E_RANGE);
	UT_EXPECT_ERR(mnos_cap_identify(1ull << 32 | f.ep, &t, &r, &b), E_RANGE);
	const struct mnos_start_info *si = mnos_start_info;
	for (uint32_t i = 0; i < si->ncaps && i < MNOS_START_MAX_CAPS; i++) {
		UT_EXPECT_ERR(mnos_cap_identify(si->caps[i].slot, &t, &r, &b), E_OK);
		UT_EXPECT_EQ(t, si->caps[i].type);
	}
	expect_identity(ut_self, MNOS_OBJ_PROCESS, MNOS_RIGHTS_PROCESS, 0);
	expect_identity(ut_result, MNOS_OBJ_NOTIFICATION, CAP_R_SIGNAL, 0);
}

UTEST(abi_system_info_is_sane)
{
	static struct mnos_sysinfo a, b;
	static uint8_t big[sizeof(struct mnos_sysinfo) + 32];

	UT_ASSERT_OK(mnos_system_info((uint64_t)(uintptr_t)&a, sizeof(a)));
	UT_EXPECT_EQ(a.version, MNOS_SYSINFO_VERSION);
	UT_EXPECT_EQ(a.size, sizeof(a));
	UT_EXPECT(strcmp(a.kernel, "MinimalOS") == 0);
	UT_EXPECT(strcmp(a.machine, "x86_64") == 0);
	UT_EXPECT(a.release[0] && strnlen(a.release, sizeof(a.release)) < sizeof(a.release));
	UT_EXPECT(a.build[0] && strnlen(a.build, sizeof(a.build)) < sizeof(a.build));
	UT_EXPECT(a.cpus_online >= 1 && a.cpus_online <= 256);
	UT_EXPECT(a.mem_total >= 16ull << 20);
	UT_EXPECT(a.mem_free > 0 && a.mem_free <= a.mem_total);
	UT_EXPECT(a.heap_in_use > 0 && a.heap_in_use <= a.heap_held);
	UT_EXPECT(a.threads >= 2 && a.processes >= 1);       /* idle threads; this process */
	UT_EXPECT(a.tsc_hz > 1000000);
	/* The boot's stamps: the kernel's entry before now; init's, where the kernel
	 * started init, after it; halted time no more than the CPUs have had. */
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	uint64_t tsc = (uint64_t)hi << 32 | lo;
	UT_EXPECT(a.tsc_kernel_entry > 0 && a.tsc_kernel_entry < tsc);
	UT_EXPECT(a.tsc_init_entry == 0 ||
		  (a.tsc_init_entry > a.tsc_kernel_entry && a.tsc_init_entry < tsc));
	UT_EXPECT(a.halted_at_init <= a.halted);
	UT_EXPECT(a.halted <= (tsc - a.tsc_kernel_entry) * a.cpus_online);
	uint64_t now;
	mnos_clock(&now);
	UT_EXPECT(a.uptime_ns > 0 && a.uptime_ns <= now);
	/* Time moves on; memory taken shows. */
	mnos_sleep(2000000);
	uint32_t mem = ut_make(MNOS_OBJ_MEMORY, 64, 0);
	UT_ASSERT(mem);
	UT_ASSERT_OK(mnos_system_info((uint64_t)(uintptr_t)&b, sizeof(b)));
	UT_EXPECT(b.uptime_ns >= a.uptime_ns + 2000000);
	UT_EXPECT(b.halted >= a.halted && b.tsc_kernel_entry == a.tsc_kernel_entry);
	UT_EXPECT(b.tlb_shootdowns >= a.tlb_shootdowns);
	UT_EXPECT(b.mem_free + 64 * MNOS_PAGE_SIZE <= a.mem_free + 32 * MNOS_PAGE_SIZE);
	UT_EXPECT_EQ(b.mem_total, a.mem_total);
	/* A longer buffer than the kernel's layout: only its layout is written. */
	memset(big, 0xa5, sizeof(big));
	UT_ASSERT_OK(mnos_system_info((uint64_t)(uintptr_t)big, sizeof(big)));
	UT_EXPECT_EQ(((struct mnos_sysinfo *)big)->size, sizeof(struct mnos_sysinfo));
	for (size_t i = sizeof(struct mnos_sysinfo); i < sizeof(big); i++)
		if (big[i] != 0xa5) {
			utest_fail(__FILE__, __LINE__, "byte %zu past the layout written", i);
			break;
		}
}
