/* Generated from abi/abi.py by tools/gen_abi.py: do not edit. */

/*
 * The kernel's side of the system-call ABI: a prototype for every handler
 * (so a call in the table without a handler does not link) and syscall_invoke(),
 * which checks the arguments whose kind the table fixes — slots and process
 * slots must fit 32 bits (E_RANGE), rights masks too (E_INVAL) — calls the
 * handler with them, and zeroes the result registers the call does not use.
 * Handlers write their results into the frame (kernel/syscall/).
 */
#ifndef SYSCALL_TABLE_H
#define SYSCALL_TABLE_H

#include <mnos/abi.h>
#include <kerr.h>
#include <klib.h>
#include <arch/syscall.h>

kerr_t sys_debug_print(uint64_t buf, uint64_t len, struct syscall_frame *f);
kerr_t sys_yield(struct syscall_frame *f);
kerr_t sys_clock(struct syscall_frame *f);
kerr_t sys_sleep(uint64_t ns, struct syscall_frame *f);
kerr_t sys_cap_copy(uint32_t src, uint32_t dst_proc, uint32_t dst_slot, uint32_t rights, struct syscall_frame *f);
kerr_t sys_cap_mint(uint32_t src, uint32_t dst, uint32_t rights, uint64_t badge, struct syscall_frame *f);
kerr_t sys_cap_move(uint32_t src, uint32_t dst, struct syscall_frame *f);
kerr_t sys_cap_delete(uint32_t slot, struct syscall_frame *f);
kerr_t sys_cap_revoke(uint32_t slot, struct syscall_frame *f);
kerr_t sys_obj_create(uint64_t type, uint32_t dst, uint64_t arg0, uint64_t arg1, struct syscall_frame *f);
kerr_t sys_ep_send(uint32_t ep, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, struct syscall_frame *f);
kerr_t sys_ep_nbsend(uint32_t ep, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, struct syscall_frame *f);
kerr_t sys_ep_recv(uint32_t ep, uint32_t reply, uint64_t timeout, struct syscall_frame *f);
kerr_t sys_ep_call(uint32_t ep, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, struct syscall_frame *f);
kerr_t sys_ep_reply(uint32_t reply, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, struct syscall_frame *f);
kerr_t sys_ep_reply_recv(uint64_t ep_reply, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, struct syscall_frame *f);
kerr_t sys_notify_signal(uint32_t n, uint64_t bits, struct syscall_frame *f);
kerr_t sys_notify_wait(uint32_t n, struct syscall_frame *f);
kerr_t sys_notify_poll(uint32_t n, struct syscall_frame *f);
kerr_t sys_mem_map(uint32_t mem, uint32_t proc, uint64_t va, uint32_t rights, struct syscall_frame *f);
kerr_t sys_mem_unmap(uint32_t proc, uint64_t va, struct syscall_frame *f);
kerr_t sys_thread_create(uint32_t proc, uint32_t dst, uint64_t entry, uint64_t stack, uint64_t arg, struct syscall_frame *f);
__noreturn void sys_thread_exit(struct syscall_frame *f);
kerr_t sys_thread_cancel_ipc(uint32_t thread, struct syscall_frame *f);
kerr_t sys_ipc_buffer_set(uint64_t va, struct syscall_frame *f);
kerr_t sys_irq_ack(uint32_t irq, struct syscall_frame *f);
kerr_t sys_ioport_in(uint32_t ports, uint64_t port, uint64_t width, struct syscall_frame *f);
kerr_t sys_ioport_out(uint32_t ports, uint64_t port, uint64_t width, uint64_t value, struct syscall_frame *f);
kerr_t sys_irq_bind(uint32_t irq, uint32_t n, uint64_t bits, struct syscall_frame *f);
kerr_t sys_irq_unbind(uint32_t irq, struct syscall_frame *f);
kerr_t sys_proc_set_fault(uint32_t proc, uint32_t n, struct syscall_frame *f);

/* The call f->rax names, or E_NOSYS. */
static __always_inline kerr_t syscall_invoke(struct syscall_frame *f)
{
	switch (f->rax) {
	case SYS_DEBUG_PRINT: {
		kerr_t e = sys_debug_print(f->rdi, f->rsi, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_YIELD: {
		kerr_t e = sys_yield(f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_CLOCK: {
		kerr_t e = sys_clock(f);
		f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_SLEEP: {
		kerr_t e = sys_sleep(f->rdi, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_CAP_COPY: {
		if (unlikely((f->rdi | f->rsi | f->rdx) >> 32))
			return E_RANGE;
		if (unlikely((f->r10) >> 32))
			return E_INVAL;
		kerr_t e = sys_cap_copy((uint32_t)f->rdi, (uint32_t)f->rsi, (uint32_t)f->rdx, (uint32_t)f->r10, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_CAP_MINT: {
		if (unlikely((f->rdi | f->rsi) >> 32))
			return E_RANGE;
		if (unlikely((f->rdx) >> 32))
			return E_INVAL;
		kerr_t e = sys_cap_mint((uint32_t)f->rdi, (uint32_t)f->rsi, (uint32_t)f->rdx, f->r10, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_CAP_MOVE: {
		if (unlikely((f->rdi | f->rsi) >> 32))
			return E_RANGE;
		kerr_t e = sys_cap_move((uint32_t)f->rdi, (uint32_t)f->rsi, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_CAP_DELETE: {
		if (unlikely((f->rdi) >> 32))
			return E_RANGE;
		kerr_t e = sys_cap_delete((uint32_t)f->rdi, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_CAP_REVOKE: {
		if (unlikely((f->rdi) >> 32))
			return E_RANGE;
		kerr_t e = sys_cap_revoke((uint32_t)f->rdi, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_OBJ_CREATE: {
		if (unlikely((f->rsi) >> 32))
			return E_RANGE;
		kerr_t e = sys_obj_create(f->rdi, (uint32_t)f->rsi, f->rdx, f->r10, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_EP_SEND: {
		if (unlikely((f->rdi) >> 32))
			return E_RANGE;
		kerr_t e = sys_ep_send((uint32_t)f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_EP_NBSEND: {
		if (unlikely((f->rdi) >> 32))
			return E_RANGE;
		kerr_t e = sys_ep_nbsend((uint32_t)f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_EP_RECV: {
		if (unlikely((f->rdi | f->rsi) >> 32))
			return E_RANGE;
		kerr_t e = sys_ep_recv((uint32_t)f->rdi, (uint32_t)f->rsi, f->rdx, f);
		return e;
	}
	case SYS_EP_CALL: {
		if (unlikely((f->rdi) >> 32))
			return E_RANGE;
		kerr_t e = sys_ep_call((uint32_t)f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9, f);
		f->rdi = 0;
		return e;
	}
	case SYS_EP_REPLY: {
		if (unlikely((f->rdi) >> 32))
			return E_RANGE;
		kerr_t e = sys_ep_reply((uint32_t)f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_EP_REPLY_RECV: {
		kerr_t e = sys_ep_reply_recv(f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9, f);
		return e;
	}
	case SYS_NOTIFY_SIGNAL: {
		if (unlikely((f->rdi) >> 32))
			return E_RANGE;
		kerr_t e = sys_notify_signal((uint32_t)f->rdi, f->rsi, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_NOTIFY_WAIT: {
		if (unlikely((f->rdi) >> 32))
			return E_RANGE;
		kerr_t e = sys_notify_wait((uint32_t)f->rdi, f);
		f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_NOTIFY_POLL: {
		if (unlikely((f->rdi) >> 32))
			return E_RANGE;
		kerr_t e = sys_notify_poll((uint32_t)f->rdi, f);
		f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_MEM_MAP: {
		if (unlikely((f->rdi | f->rsi) >> 32))
			return E_RANGE;
		if (unlikely((f->r10) >> 32))
			return E_INVAL;
		kerr_t e = sys_mem_map((uint32_t)f->rdi, (uint32_t)f->rsi, f->rdx, (uint32_t)f->r10, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_MEM_UNMAP: {
		if (unlikely((f->rdi) >> 32))
			return E_RANGE;
		kerr_t e = sys_mem_unmap((uint32_t)f->rdi, f->rsi, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_THREAD_CREATE: {
		if (unlikely((f->rdi | f->rsi) >> 32))
			return E_RANGE;
		kerr_t e = sys_thread_create((uint32_t)f->rdi, (uint32_t)f->rsi, f->rdx, f->r10, f->r8, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_THREAD_EXIT: {
		sys_thread_exit(f);
		__builtin_unreachable();
	}
	case SYS_THREAD_CANCEL_IPC: {
		if (unlikely((f->rdi) >> 32))
			return E_RANGE;
		kerr_t e = sys_thread_cancel_ipc((uint32_t)f->rdi, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_IPC_BUFFER_SET: {
		kerr_t e = sys_ipc_buffer_set(f->rdi, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_IRQ_ACK: {
		if (unlikely((f->rdi) >> 32))
			return E_RANGE;
		kerr_t e = sys_irq_ack((uint32_t)f->rdi, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_IOPORT_IN: {
		if (unlikely((f->rdi) >> 32))
			return E_RANGE;
		kerr_t e = sys_ioport_in((uint32_t)f->rdi, f->rsi, f->rdx, f);
		f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_IOPORT_OUT: {
		if (unlikely((f->rdi) >> 32))
			return E_RANGE;
		kerr_t e = sys_ioport_out((uint32_t)f->rdi, f->rsi, f->rdx, f->r10, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_IRQ_BIND: {
		if (unlikely((f->rdi | f->rsi) >> 32))
			return E_RANGE;
		kerr_t e = sys_irq_bind((uint32_t)f->rdi, (uint32_t)f->rsi, f->rdx, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_IRQ_UNBIND: {
		if (unlikely((f->rdi) >> 32))
			return E_RANGE;
		kerr_t e = sys_irq_unbind((uint32_t)f->rdi, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	case SYS_PROC_SET_FAULT: {
		if (unlikely((f->rdi | f->rsi) >> 32))
			return E_RANGE;
		kerr_t e = sys_proc_set_fault((uint32_t)f->rdi, (uint32_t)f->rsi, f);
		f->rdi = f->rsi = f->rdx = f->r10 = f->r8 = f->r9 = 0;
		return e;
	}
	default:
		return E_NOSYS;
	}
}

#ifdef SYSCALL_DESCS
/* What the table says about each call: for tests that sweep every call. */
enum sys_arg_kind {
	SA_VALUE,
	SA_SLOT,
	SA_SLOTS2,
	SA_PROC,
	SA_RIGHTS,
	SA_PTR_IN,
	SA_SIZE,
	SA_ADDR,
};

struct sys_arg_desc {
	uint8_t kind;		/* enum sys_arg_kind */
	uint8_t obj, obj_hi;	/* slot: MNOS_OBJ_* (NONE: any) */
	bool zero_ok;		/* slot: 0 means none */
	bool dst;		/* slot: an empty slot the call fills */
	uint32_t need, need_hi;	/* slot: rights the call needs */
};

struct sys_desc {
	const char *name;
	uint8_t nargs;
	bool noreturn;
	uint8_t results;	/* bit i: result register i (rdi, rsi, ... r9) */
	uint32_t errors;	/* bit e: documented error e */
	struct sys_arg_desc args[6];
};

static const struct sys_desc syscall_descs[SYS_COUNT] = {
	[SYS_DEBUG_PRINT] = {
		.name = "debug_print", .nargs = 2, .noreturn = false, .results = 0x0,
		.errors = 1u << E_INVAL | 1u << E_RANGE | 1u << E_FAULT,
		.args = {
			{ .kind = SA_PTR_IN },
			{ .kind = SA_SIZE },
		},
	},
	[SYS_YIELD] = {
		.name = "yield", .nargs = 0, .noreturn = false, .results = 0x0,
		.errors = 0,
		.args = {
		},
	},
	[SYS_CLOCK] = {
		.name = "clock", .nargs = 0, .noreturn = false, .results = 0x1,
		.errors = 0,
		.args = {
		},
	},
	[SYS_SLEEP] = {
		.name = "sleep", .nargs = 1, .noreturn = false, .results = 0x0,
		.errors = 0,
		.args = {
			{ .kind = SA_VALUE },
		},
	},
	[SYS_CAP_COPY] = {
		.name = "cap_copy", .nargs = 4, .noreturn = false, .results = 0x0,
		.errors = 1u << E_INVAL | 1u << E_EXISTS | 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_NONE, .need = CAP_R_DERIVE },
			{ .kind = SA_PROC },
			{ .kind = SA_SLOT, .dst = true },
			{ .kind = SA_RIGHTS },
		},
	},
	[SYS_CAP_MINT] = {
		.name = "cap_mint", .nargs = 4, .noreturn = false, .results = 0x0,
		.errors = 1u << E_INVAL | 1u << E_EXISTS | 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_NONE, .need = CAP_R_DERIVE },
			{ .kind = SA_SLOT, .dst = true },
			{ .kind = SA_RIGHTS },
			{ .kind = SA_VALUE },
		},
	},
	[SYS_CAP_MOVE] = {
		.name = "cap_move", .nargs = 2, .noreturn = false, .results = 0x0,
		.errors = 1u << E_EXISTS | 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_NONE },
			{ .kind = SA_SLOT, .dst = true },
		},
	},
	[SYS_CAP_DELETE] = {
		.name = "cap_delete", .nargs = 1, .noreturn = false, .results = 0x0,
		.errors = 1u << E_NOT_FOUND | 1u << E_RANGE,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_NONE },
		},
	},
	[SYS_CAP_REVOKE] = {
		.name = "cap_revoke", .nargs = 1, .noreturn = false, .results = 0x0,
		.errors = 1u << E_NOT_FOUND | 1u << E_RANGE,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_NONE },
		},
	},
	[SYS_OBJ_CREATE] = {
		.name = "obj_create", .nargs = 4, .noreturn = false, .results = 0x0,
		.errors = 1u << E_INVAL | 1u << E_NO_MEMORY | 1u << E_EXISTS | 1u << E_RANGE,
		.args = {
			{ .kind = SA_VALUE },
			{ .kind = SA_SLOT, .dst = true },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
		},
	},
	[SYS_EP_SEND] = {
		.name = "ep_send", .nargs = 6, .noreturn = false, .results = 0x0,
		.errors = 1u << E_INVAL | 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE | 1u << E_DELETED | 1u << E_CANCELED,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_ENDPOINT, .need = CAP_R_SEND },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
		},
	},
	[SYS_EP_NBSEND] = {
		.name = "ep_nbsend", .nargs = 6, .noreturn = false, .results = 0x0,
		.errors = 1u << E_INVAL | 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE | 1u << E_DELETED | 1u << E_WOULD_BLOCK,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_ENDPOINT, .need = CAP_R_SEND },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
		},
	},
	[SYS_EP_RECV] = {
		.name = "ep_recv", .nargs = 3, .noreturn = false, .results = 0x3f,
		.errors = 1u << E_EXISTS | 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE | 1u << E_DELETED | 1u << E_TIMEOUT | 1u << E_WOULD_BLOCK | 1u << E_CANCELED,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_ENDPOINT, .need = CAP_R_RECV },
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_REPLY, .zero_ok = true, .need = CAP_R_SEND },
			{ .kind = SA_VALUE },
		},
	},
	[SYS_EP_CALL] = {
		.name = "ep_call", .nargs = 6, .noreturn = false, .results = 0x3e,
		.errors = 1u << E_INVAL | 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE | 1u << E_DELETED | 1u << E_CANCELED,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_ENDPOINT, .need = CAP_R_SEND },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
		},
	},
	[SYS_EP_REPLY] = {
		.name = "ep_reply", .nargs = 6, .noreturn = false, .results = 0x0,
		.errors = 1u << E_INVAL | 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_REPLY, .need = CAP_R_SEND },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
		},
	},
	[SYS_EP_REPLY_RECV] = {
		.name = "ep_reply_recv", .nargs = 6, .noreturn = false, .results = 0x3f,
		.errors = 1u << E_INVAL | 1u << E_EXISTS | 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE | 1u << E_DELETED | 1u << E_CANCELED,
		.args = {
			{ .kind = SA_SLOTS2, .obj = MNOS_OBJ_ENDPOINT, .obj_hi = MNOS_OBJ_REPLY, .need = CAP_R_RECV, .need_hi = CAP_R_SEND },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
		},
	},
	[SYS_NOTIFY_SIGNAL] = {
		.name = "notify_signal", .nargs = 2, .noreturn = false, .results = 0x0,
		.errors = 1u << E_INVAL | 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_NOTIFICATION, .need = CAP_R_SIGNAL },
			{ .kind = SA_VALUE },
		},
	},
	[SYS_NOTIFY_WAIT] = {
		.name = "notify_wait", .nargs = 1, .noreturn = false, .results = 0x1,
		.errors = 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE | 1u << E_DELETED | 1u << E_CANCELED,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_NOTIFICATION, .need = CAP_R_WAIT },
		},
	},
	[SYS_NOTIFY_POLL] = {
		.name = "notify_poll", .nargs = 1, .noreturn = false, .results = 0x1,
		.errors = 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_NOTIFICATION, .need = CAP_R_WAIT },
		},
	},
	[SYS_MEM_MAP] = {
		.name = "mem_map", .nargs = 4, .noreturn = false, .results = 0x0,
		.errors = 1u << E_INVAL | 1u << E_NO_MEMORY | 1u << E_EXISTS | 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_MEMORY, .need = CAP_R_READ },
			{ .kind = SA_PROC },
			{ .kind = SA_ADDR },
			{ .kind = SA_RIGHTS },
		},
	},
	[SYS_MEM_UNMAP] = {
		.name = "mem_unmap", .nargs = 2, .noreturn = false, .results = 0x0,
		.errors = 1u << E_INVAL | 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE,
		.args = {
			{ .kind = SA_PROC },
			{ .kind = SA_ADDR },
		},
	},
	[SYS_THREAD_CREATE] = {
		.name = "thread_create", .nargs = 5, .noreturn = false, .results = 0x0,
		.errors = 1u << E_INVAL | 1u << E_NO_MEMORY | 1u << E_EXISTS | 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE,
		.args = {
			{ .kind = SA_PROC },
			{ .kind = SA_SLOT, .dst = true },
			{ .kind = SA_ADDR },
			{ .kind = SA_ADDR },
			{ .kind = SA_VALUE },
		},
	},
	[SYS_THREAD_EXIT] = {
		.name = "thread_exit", .nargs = 0, .noreturn = true, .results = 0x0,
		.errors = 0,
		.args = {
		},
	},
	[SYS_THREAD_CANCEL_IPC] = {
		.name = "thread_cancel_ipc", .nargs = 1, .noreturn = false, .results = 0x0,
		.errors = 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_THREAD, .need = CAP_R_CONTROL },
		},
	},
	[SYS_IPC_BUFFER_SET] = {
		.name = "ipc_buffer_set", .nargs = 1, .noreturn = false, .results = 0x0,
		.errors = 1u << E_INVAL | 1u << E_NO_MEMORY | 1u << E_EXISTS | 1u << E_RANGE,
		.args = {
			{ .kind = SA_ADDR },
		},
	},
	[SYS_IRQ_ACK] = {
		.name = "irq_ack", .nargs = 1, .noreturn = false, .results = 0x0,
		.errors = 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE | 1u << E_DELETED,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_IRQ, .need = CAP_R_CONTROL },
		},
	},
	[SYS_IOPORT_IN] = {
		.name = "ioport_in", .nargs = 3, .noreturn = false, .results = 0x1,
		.errors = 1u << E_INVAL | 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_IOPORT, .need = CAP_R_CONTROL },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
		},
	},
	[SYS_IOPORT_OUT] = {
		.name = "ioport_out", .nargs = 4, .noreturn = false, .results = 0x0,
		.errors = 1u << E_INVAL | 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_IOPORT, .need = CAP_R_CONTROL },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
			{ .kind = SA_VALUE },
		},
	},
	[SYS_IRQ_BIND] = {
		.name = "irq_bind", .nargs = 3, .noreturn = false, .results = 0x0,
		.errors = 1u << E_INVAL | 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE | 1u << E_DELETED,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_IRQ, .need = CAP_R_CONTROL },
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_NOTIFICATION, .need = CAP_R_SIGNAL },
			{ .kind = SA_VALUE },
		},
	},
	[SYS_IRQ_UNBIND] = {
		.name = "irq_unbind", .nargs = 1, .noreturn = false, .results = 0x0,
		.errors = 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE | 1u << E_DELETED,
		.args = {
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_IRQ, .need = CAP_R_CONTROL },
		},
	},
	[SYS_PROC_SET_FAULT] = {
		.name = "proc_set_fault", .nargs = 2, .noreturn = false, .results = 0x0,
		.errors = 1u << E_NOT_FOUND | 1u << E_RANGE | 1u << E_PERM | 1u << E_TYPE,
		.args = {
			{ .kind = SA_PROC },
			{ .kind = SA_SLOT, .obj = MNOS_OBJ_NOTIFICATION, .zero_ok = true, .need = CAP_R_SIGNAL },
		},
	},
};
#endif /* SYSCALL_DESCS */

#endif
