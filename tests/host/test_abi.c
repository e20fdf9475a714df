/*
 * The generated ABI (abi/abi.py -> build/gen by tools/gen_abi.py) checked from the C
 * side, as kernel and user code see it: system-call numbers dense and unique, every call
 * described; error codes in the order the kernel has always had them, each named; the
 * rights of one type never sharing a bit; the IPC layout what endpoint.c relies on;
 * every call documenting each error its argument kinds can produce; the user stubs
 * compiling as freestanding code.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <kerr.h>
#define SYSCALL_DESCS
#include <syscall_table.h>
#include <mnos/syscalls.h>      /* compiles, with no libc beyond <stdint.h> */

Test(abi, numbers_are_dense_and_every_call_is_described)
{
	cr_assert_eq(SYS_COUNT, sizeof(syscall_descs) / sizeof(syscall_descs[0]));
	cr_assert_geq(SYS_COUNT, 22);
	cr_assert_leq(SYS_COUNT, 40);
	for (unsigned i = 0; i < SYS_COUNT; i++) {
		cr_assert_not_null(syscall_descs[i].name, "call %u has no entry", i);
		cr_assert_leq(syscall_descs[i].nargs, 6);
		for (unsigned j = 0; j < i; j++)
			cr_assert_str_neq(syscall_descs[i].name, syscall_descs[j].name);
	}
	/* The numbers user code was built against never move. */
	cr_assert_eq(SYS_DEBUG_PRINT, 0);
	cr_assert_eq(SYS_CLOCK, 2);
	cr_assert_eq(SYS_EP_CALL, 13);
	cr_assert_eq(SYS_EP_REPLY_RECV, 15);
	cr_assert_eq(SYS_THREAD_EXIT, 22);
	cr_assert_eq(SYS_IRQ_UNBIND, 29);
	cr_assert_eq(SYS_CAP_IDENTIFY, 32);
	cr_assert_eq(SYS_SYSTEM_INFO, 33);
	cr_assert_str_eq(syscall_descs[SYS_THREAD_CREATE].name, "thread_create");
	cr_assert(syscall_descs[SYS_THREAD_EXIT].noreturn);
}

Test(abi, errors_keep_their_order_and_names)
{
	static const kerr_t order[] = {
		E_OK, E_INVAL, E_NO_MEMORY, E_EXISTS, E_NOT_FOUND, E_RANGE, E_PERM, E_TYPE,
		E_DELETED, E_TIMEOUT, E_WOULD_BLOCK, E_CANCELED, E_FAULT, E_NOSYS,
	};

	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		cr_assert_eq((unsigned)order[i], i);
	cr_assert_geq(MNOS_ERROR_COUNT, 14);
	for (unsigned i = 0; i < MNOS_ERROR_COUNT; i++) {
		cr_assert_str_neq(kerr_name((kerr_t)i), "unknown error");
		for (unsigned j = 0; j < i; j++)
			cr_assert_str_neq(kerr_name((kerr_t)i), kerr_name((kerr_t)j));
	}
	cr_assert_str_eq(kerr_name(E_OK), "ok");
	cr_assert_str_eq(kerr_name((kerr_t)MNOS_ERROR_COUNT), "unknown error");
}

/* Bits of one type's rights never overlap; common rights sit below bit 8. */
Test(abi, rights_do_not_overlap_within_a_type)
{
	static const struct { unsigned type; uint32_t all; uint32_t rights[6]; } types[] = {
		{ MNOS_OBJ_ENDPOINT, MNOS_RIGHTS_ENDPOINT,
		  { CAP_R_DERIVE, CAP_R_GRANT, CAP_R_SEND, CAP_R_RECV } },
		{ MNOS_OBJ_NOTIFICATION, MNOS_RIGHTS_NOTIFICATION,
		  { CAP_R_DERIVE, CAP_R_GRANT, CAP_R_SIGNAL, CAP_R_WAIT } },
		{ MNOS_OBJ_MEMORY, MNOS_RIGHTS_MEMORY,
		  { CAP_R_DERIVE, CAP_R_GRANT, CAP_R_READ, CAP_R_WRITE, CAP_R_EXEC } },
		{ MNOS_OBJ_PROCESS, MNOS_RIGHTS_PROCESS, { CAP_R_DERIVE, CAP_R_GRANT, CAP_R_CONTROL } },
		{ MNOS_OBJ_THREAD, MNOS_RIGHTS_THREAD, { CAP_R_DERIVE, CAP_R_GRANT, CAP_R_CONTROL } },
		{ MNOS_OBJ_IRQ, MNOS_RIGHTS_IRQ, { CAP_R_DERIVE, CAP_R_GRANT, CAP_R_CONTROL } },
		{ MNOS_OBJ_IOPORT, MNOS_RIGHTS_IOPORT, { CAP_R_DERIVE, CAP_R_GRANT, CAP_R_CONTROL } },
		{ MNOS_OBJ_REPLY, MNOS_RIGHTS_REPLY, { CAP_R_SEND } },
	};

	cr_assert_lt(CAP_R_DERIVE | CAP_R_GRANT, 1u << 8);
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		uint32_t seen = 0;
		for (unsigned k = 0; k < 6 && types[i].rights[k]; k++) {
			uint32_t r = types[i].rights[k];
			cr_assert_eq(__builtin_popcount(r), 1);
			cr_assert_eq(seen & r, 0, "type %u: right %#x twice", types[i].type, r);
			seen |= r;
		}
		/* And the type's mask (what cap_type_rights gives) is exactly these. */
		cr_assert_eq(types[i].all, seen, "type %u", types[i].type);
	}
	cr_assert_eq(MNOS_RIGHTS_NONE, 0);
}

Test(abi, ipc_layout)
{
	cr_assert_eq(IPC_REG_WORDS, 4);
	cr_assert_eq(IPC_MAX_WORDS, 64);
	cr_assert_eq(IPC_MAX_CAPS, 4);
	cr_assert_leq(IPC_MAX_WORDS, (1u << IPC_LEN_BITS) - 1);
	cr_assert_leq(IPC_MAX_CAPS, (1u << IPC_NCAPS_BITS) - 1);
	cr_assert_eq(IPC_NCAPS_SHIFT, IPC_LEN_BITS);
	cr_assert_eq(IPC_RESERVED_SHIFT, IPC_NCAPS_SHIFT + IPC_NCAPS_BITS);
	cr_assert_gt(IPC_LABEL_SHIFT, IPC_RESERVED_SHIFT);
	uint64_t info = mnos_ipc_info(0xabcdef, 37, 3);
	cr_assert_eq(mnos_ipc_len(info), 37);
	cr_assert_eq(mnos_ipc_ncaps(info), 3);
	cr_assert_eq(mnos_ipc_label(info), 0xabcdef);
	cr_assert_eq(info & (3ull << IPC_RESERVED_SHIFT), 0);
	cr_assert_eq(sizeof(struct mnos_ipc_buffer), 64 * 8 + 2 * 4 * 4);
	cr_assert_leq(sizeof(struct mnos_ipc_buffer), MNOS_PAGE_SIZE);
	cr_assert_eq(IPC_FOREVER, UINT64_MAX);
}

/* What the dispatch checks for an argument's kind is documented for the call. */
Test(abi, errors_of_argument_kinds_are_documented)
{
	for (unsigned i = 0; i < SYS_COUNT; i++) {
		const struct sys_desc *d = &syscall_descs[i];
		for (unsigned a = 0; a < d->nargs; a++) {
			uint8_t k = d->args[a].kind;
			if (k == SA_SLOT || k == SA_SLOTS2 || k == SA_PROC)
				cr_assert(d->errors & 1u << E_RANGE, "%s arg %u", d->name, a);
			if ((k == SA_SLOT && !d->args[a].dst) || k == SA_PROC)
				cr_assert(d->errors & 1u << E_NOT_FOUND, "%s arg %u", d->name, a);
			if (k == SA_SLOT && d->args[a].dst)
				cr_assert(d->errors & 1u << E_EXISTS, "%s arg %u", d->name, a);
			if (k == SA_RIGHTS)
				cr_assert(d->errors & 1u << E_INVAL, "%s arg %u", d->name, a);
			if (k == SA_PTR_IN || k == SA_PTR_OUT)
				cr_assert((d->errors & (1u << E_RANGE | 1u << E_FAULT)) ==
					  (1u << E_RANGE | 1u << E_FAULT), "%s", d->name);
			if (k == SA_SLOT && d->args[a].obj != MNOS_OBJ_NONE)
				cr_assert(d->errors & 1u << E_TYPE, "%s arg %u", d->name, a);
			if (d->args[a].need)
				cr_assert(d->errors & 1u << E_PERM, "%s arg %u", d->name, a);
		}
		cr_assert_eq(d->errors & 1u << E_OK, 0);
		cr_assert_eq(d->errors & 1u << E_NOSYS, 0);     /* only for unknown numbers */
		cr_assert_eq(d->results & ~0x3fu, 0);
	}
}
