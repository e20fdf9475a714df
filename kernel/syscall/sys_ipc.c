/*
 * System calls on endpoints and notifications (syscall.c).
 *
 * A message's info word and register words arrive in rsi, rdx, r10, r8, r9 and leave
 * in the same registers: those five saved registers are laid out like a struct ipc_msg,
 * so the frame itself is the message endpoint.c reads and writes — no copy on the IPC
 * fast path, which adds only the dispatch's switch and a slot-range check to a call.
 */
#include "sys.h"
#include <endpoint.h>
#include <notify.h>

_Static_assert(offsetof(struct syscall_frame, rdx) == offsetof(struct syscall_frame, rsi) + 8 &&
	       offsetof(struct syscall_frame, r10) == offsetof(struct syscall_frame, rsi) + 16 &&
	       offsetof(struct syscall_frame, r8) == offsetof(struct syscall_frame, rsi) + 24 &&
	       offsetof(struct syscall_frame, r9) == offsetof(struct syscall_frame, rsi) + 32,
	       "rsi..r9 are a struct ipc_msg");
_Static_assert(offsetof(struct syscall_frame, rax) == 0 && offsetof(struct syscall_frame, rdi) == 8 &&
	       offsetof(struct syscall_frame, rsi) == 16, "syscall_entry.S's F_RAX, F_RDI, F_MSG");
_Static_assert(sizeof(struct ipc_msg) == 5 * 8 && IPC_REG_WORDS == 4, "info + 4 words");

static inline struct ipc_msg *frame_msg(struct syscall_frame *f)
{
	return (struct ipc_msg *)&f->rsi;
}

kerr_t sys_ep_send(uint32_t ep, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2,
		   uint64_t w3, struct syscall_frame *f)
{
	return ep_send(ep, frame_msg(f), IPC_FOREVER);
}

kerr_t sys_ep_nbsend(uint32_t ep, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2,
		     uint64_t w3, struct syscall_frame *f)
{
	return ep_send(ep, frame_msg(f), IPC_POLL);
}

kerr_t sys_ep_recv(uint32_t ep, uint32_t reply, uint64_t timeout, struct syscall_frame *f)
{
	uint64_t badge = 0;
	kerr_t e = ep_recv(ep, reply, frame_msg(f), &badge, timeout);

	f->rdi = badge;
	return e;
}

kerr_t sys_ep_call(uint32_t ep, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2,
		   uint64_t w3, struct syscall_frame *f)
{
	return ep_call(ep, frame_msg(f));
}

kerr_t sys_ep_reply(uint32_t reply, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2,
		    uint64_t w3, struct syscall_frame *f)
{
	return ep_reply(reply, frame_msg(f));
}

kerr_t sys_ep_reply_recv(uint64_t ep_reply, uint64_t info, uint64_t w0, uint64_t w1,
			 uint64_t w2, uint64_t w3, struct syscall_frame *f)
{
	/* The badge goes straight into the frame: no local whose address is taken, so no
	 * stack-protector canary on the fast path. On an error the dispatch zeroes rdi. */
	return ep_reply_recv((uint32_t)ep_reply, (uint32_t)(ep_reply >> 32), frame_msg(f),
			     &f->rdi);
}

kerr_t sys_notify_signal(uint32_t n, uint64_t bits, struct syscall_frame *f)
{
	return notify_signal(sys_cspace(), n, bits);
}

kerr_t sys_notify_wait(uint32_t n, struct syscall_frame *f)
{
	uint64_t bits = 0;
	kerr_t e = notify_wait(sys_cspace(), n, &bits);

	f->rdi = bits;
	return e;
}

kerr_t sys_notify_poll(uint32_t n, struct syscall_frame *f)
{
	uint64_t bits = 0;
	kerr_t e = notify_poll(sys_cspace(), n, &bits);

	f->rdi = bits;
	return e;
}
