/* Generated from abi/abi.py by tools/gen_abi.py: do not edit. */

/*
 * User-side system-call stubs: one static inline function per call, the
 * SYSCALL instruction with the number in rax and arguments in rdi, rsi, rdx, r10,
 * r8, r9; rcx and r11 are clobbered. For freestanding code: needs only
 * <stdint.h>. Reference: docs/SYSCALLS.md.
 */
#ifndef MNOS_SYSCALLS_H
#define MNOS_SYSCALLS_H

#include <stdint.h>
#include <mnos/abi.h>

/*
 * debug_print (0): Write len bytes from buf to the kernel log (bring-up and tests).
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_debug_print(uint64_t buf, uint64_t len)
{
	register uint64_t r_rax __asm__("rax") = SYS_DEBUG_PRINT;
	register uint64_t r_rdi __asm__("rdi") = buf;
	register uint64_t r_rsi __asm__("rsi") = len;
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * yield (1): Give the CPU to another runnable thread.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_yield(void)
{
	register uint64_t r_rax __asm__("rax") = SYS_YIELD;
	register uint64_t r_rdi __asm__("rdi");
	register uint64_t r_rsi __asm__("rsi");
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "=r"(r_rdi), "=r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * clock (2): The monotonic clock.
 * Results through ns_out (each may be NULL).
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_clock(uint64_t *ns_out)
{
	register uint64_t r_rax __asm__("rax") = SYS_CLOCK;
	register uint64_t r_rdi __asm__("rdi");
	register uint64_t r_rsi __asm__("rsi");
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "=r"(r_rdi), "=r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	if (ns_out)
		*ns_out = r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * sleep (3): Sleep for at least ns nanoseconds (0 returns at once; a deadline past the
 * clock's range sleeps until the end of time).
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_sleep(uint64_t ns)
{
	register uint64_t r_rax __asm__("rax") = SYS_SLEEP;
	register uint64_t r_rdi __asm__("rdi") = ns;
	register uint64_t r_rsi __asm__("rsi");
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "=r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * cap_copy (4): Derive a copy of the capability in src into slot dst_slot of the
 * process dst_proc, keeping only the rights in rights.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_cap_copy(uint64_t src, uint64_t dst_proc, uint64_t dst_slot, uint64_t rights)
{
	register uint64_t r_rax __asm__("rax") = SYS_CAP_COPY;
	register uint64_t r_rdi __asm__("rdi") = src;
	register uint64_t r_rsi __asm__("rsi") = dst_proc;
	register uint64_t r_rdx __asm__("rdx") = dst_slot;
	register uint64_t r_r10 __asm__("r10") = rights;
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "+r"(r_rdx),
			   "+r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * cap_mint (5): Derive a badged copy of an unbadged endpoint or notification
 * capability.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_cap_mint(uint64_t src, uint64_t dst, uint64_t rights, uint64_t badge)
{
	register uint64_t r_rax __asm__("rax") = SYS_CAP_MINT;
	register uint64_t r_rdi __asm__("rdi") = src;
	register uint64_t r_rsi __asm__("rsi") = dst;
	register uint64_t r_rdx __asm__("rdx") = rights;
	register uint64_t r_r10 __asm__("r10") = badge;
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "+r"(r_rdx),
			   "+r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * cap_move (6): Move a capability, its place in the derivation tree included, to an
 * empty slot.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_cap_move(uint64_t src, uint64_t dst)
{
	register uint64_t r_rax __asm__("rax") = SYS_CAP_MOVE;
	register uint64_t r_rdi __asm__("rdi") = src;
	register uint64_t r_rsi __asm__("rsi") = dst;
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * cap_delete (7): Delete a capability; capabilities derived from it move up to its
 * parent.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_cap_delete(uint64_t slot)
{
	register uint64_t r_rax __asm__("rax") = SYS_CAP_DELETE;
	register uint64_t r_rdi __asm__("rdi") = slot;
	register uint64_t r_rsi __asm__("rsi");
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "=r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * cap_revoke (8): Delete every capability derived from this one, in every process; it
 * stays.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_cap_revoke(uint64_t slot)
{
	register uint64_t r_rax __asm__("rax") = SYS_CAP_REVOKE;
	register uint64_t r_rdi __asm__("rdi") = slot;
	register uint64_t r_rsi __asm__("rsi");
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "=r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * obj_create (9): Create an object, charged to the caller's quota, with a first
 * capability (every right of its type) in dst. type MNOS_OBJ_ENDPOINT, _REPLY,
 * _NOTIFICATION: arg0 and arg1 zero. MNOS_OBJ_MEMORY: arg0 pages of zeroed memory
 * (their frames are charged too), arg1 zero. MNOS_OBJ_PROCESS: a process with an empty
 * address space and a capability space of arg0 slots, given a quota of arg1 bytes
 * carved from the caller's: the caller pays arg1 + MNOS_PROCESS_OVERHEAD bytes until
 * the process and everything charged to its quota are gone; its slots are paid from its
 * own quota.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_obj_create(uint64_t type, uint64_t dst, uint64_t arg0, uint64_t arg1)
{
	register uint64_t r_rax __asm__("rax") = SYS_OBJ_CREATE;
	register uint64_t r_rdi __asm__("rdi") = type;
	register uint64_t r_rsi __asm__("rsi") = dst;
	register uint64_t r_rdx __asm__("rdx") = arg0;
	register uint64_t r_r10 __asm__("r10") = arg1;
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "+r"(r_rdx),
			   "+r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * ep_send (10): Send a message through an endpoint, waiting until a receiver takes it.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_ep_send(uint64_t ep, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	register uint64_t r_rax __asm__("rax") = SYS_EP_SEND;
	register uint64_t r_rdi __asm__("rdi") = ep;
	register uint64_t r_rsi __asm__("rsi") = info;
	register uint64_t r_rdx __asm__("rdx") = w0;
	register uint64_t r_r10 __asm__("r10") = w1;
	register uint64_t r_r8 __asm__("r8") = w2;
	register uint64_t r_r9 __asm__("r9") = w3;
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "+r"(r_rdx),
			   "+r"(r_r10), "+r"(r_r8), "+r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * ep_nbsend (11): Send a message only if a receiver is waiting.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_ep_nbsend(uint64_t ep, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	register uint64_t r_rax __asm__("rax") = SYS_EP_NBSEND;
	register uint64_t r_rdi __asm__("rdi") = ep;
	register uint64_t r_rsi __asm__("rsi") = info;
	register uint64_t r_rdx __asm__("rdx") = w0;
	register uint64_t r_r10 __asm__("r10") = w1;
	register uint64_t r_r8 __asm__("r8") = w2;
	register uint64_t r_r9 __asm__("r9") = w3;
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "+r"(r_rdx),
			   "+r"(r_r10), "+r"(r_r8), "+r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * ep_recv (12): Receive a message; a caller received is bound to the reply object, to
 * be answered with ep_reply or ep_reply_recv.
 * Results through badge_out, info_out, w0_out, w1_out, w2_out, w3_out (each may be
 * NULL).
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_ep_recv(uint64_t ep, uint64_t reply, uint64_t timeout, uint64_t *badge_out, uint64_t *info_out, uint64_t *w0_out, uint64_t *w1_out, uint64_t *w2_out, uint64_t *w3_out)
{
	register uint64_t r_rax __asm__("rax") = SYS_EP_RECV;
	register uint64_t r_rdi __asm__("rdi") = ep;
	register uint64_t r_rsi __asm__("rsi") = reply;
	register uint64_t r_rdx __asm__("rdx") = timeout;
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "+r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	if (badge_out)
		*badge_out = r_rdi;
	if (info_out)
		*info_out = r_rsi;
	if (w0_out)
		*w0_out = r_rdx;
	if (w1_out)
		*w1_out = r_r10;
	if (w2_out)
		*w2_out = r_r8;
	if (w3_out)
		*w3_out = r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * ep_call (13): Send a message and wait for the answer through the receiver's reply
 * object (the IPC fast path).
 * Results through info_out, w0_out, w1_out, w2_out, w3_out (each may be NULL).
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_ep_call(uint64_t ep, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t *info_out, uint64_t *w0_out, uint64_t *w1_out, uint64_t *w2_out, uint64_t *w3_out)
{
	register uint64_t r_rax __asm__("rax") = SYS_EP_CALL;
	register uint64_t r_rdi __asm__("rdi") = ep;
	register uint64_t r_rsi __asm__("rsi") = info;
	register uint64_t r_rdx __asm__("rdx") = w0;
	register uint64_t r_r10 __asm__("r10") = w1;
	register uint64_t r_r8 __asm__("r8") = w2;
	register uint64_t r_r9 __asm__("r9") = w3;
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "+r"(r_rdx),
			   "+r"(r_r10), "+r"(r_r8), "+r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	if (info_out)
		*info_out = r_rsi;
	if (w0_out)
		*w0_out = r_rdx;
	if (w1_out)
		*w1_out = r_r10;
	if (w2_out)
		*w2_out = r_r8;
	if (w3_out)
		*w3_out = r_r9;
	(void)r_rdi;
	return (enum mnos_error)r_rax;
}

/*
 * ep_reply (14): Answer the caller bound to a reply object.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_ep_reply(uint64_t reply, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	register uint64_t r_rax __asm__("rax") = SYS_EP_REPLY;
	register uint64_t r_rdi __asm__("rdi") = reply;
	register uint64_t r_rsi __asm__("rsi") = info;
	register uint64_t r_rdx __asm__("rdx") = w0;
	register uint64_t r_r10 __asm__("r10") = w1;
	register uint64_t r_r8 __asm__("r8") = w2;
	register uint64_t r_r9 __asm__("r9") = w3;
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "+r"(r_rdx),
			   "+r"(r_r10), "+r"(r_r8), "+r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * ep_reply_recv (15): A server's loop step: answer the caller bound to the reply object
 * (if any), then receive with the same reply object.
 * Results through badge_out, info_out, w0_out, w1_out, w2_out, w3_out (each may be
 * NULL).
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_ep_reply_recv(uint64_t ep_reply, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t *badge_out, uint64_t *info_out, uint64_t *w0_out, uint64_t *w1_out, uint64_t *w2_out, uint64_t *w3_out)
{
	register uint64_t r_rax __asm__("rax") = SYS_EP_REPLY_RECV;
	register uint64_t r_rdi __asm__("rdi") = ep_reply;
	register uint64_t r_rsi __asm__("rsi") = info;
	register uint64_t r_rdx __asm__("rdx") = w0;
	register uint64_t r_r10 __asm__("r10") = w1;
	register uint64_t r_r8 __asm__("r8") = w2;
	register uint64_t r_r9 __asm__("r9") = w3;
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "+r"(r_rdx),
			   "+r"(r_r10), "+r"(r_r8), "+r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	if (badge_out)
		*badge_out = r_rdi;
	if (info_out)
		*info_out = r_rsi;
	if (w0_out)
		*w0_out = r_rdx;
	if (w1_out)
		*w1_out = r_r10;
	if (w2_out)
		*w2_out = r_r8;
	if (w3_out)
		*w3_out = r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * notify_signal (16): OR bits into a notification (a badged capability ORs its badge
 * instead).
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_notify_signal(uint64_t n, uint64_t bits)
{
	register uint64_t r_rax __asm__("rax") = SYS_NOTIFY_SIGNAL;
	register uint64_t r_rdi __asm__("rdi") = n;
	register uint64_t r_rsi __asm__("rsi") = bits;
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * notify_wait (17): Wait until the notification's word is non-zero; return and clear
 * it.
 * Results through bits_out (each may be NULL).
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_notify_wait(uint64_t n, uint64_t *bits_out)
{
	register uint64_t r_rax __asm__("rax") = SYS_NOTIFY_WAIT;
	register uint64_t r_rdi __asm__("rdi") = n;
	register uint64_t r_rsi __asm__("rsi");
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "=r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	if (bits_out)
		*bits_out = r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * notify_poll (18): Return and clear the notification's word without waiting.
 * Results through bits_out (each may be NULL).
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_notify_poll(uint64_t n, uint64_t *bits_out)
{
	register uint64_t r_rax __asm__("rax") = SYS_NOTIFY_POLL;
	register uint64_t r_rdi __asm__("rdi") = n;
	register uint64_t r_rsi __asm__("rsi");
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "=r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	if (bits_out)
		*bits_out = r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * mem_map (19): Map the whole memory object into a process at va with rights (READ, and
 * WRITE or EXEC, never both). Revoking the capability unmaps it.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_mem_map(uint64_t mem, uint64_t proc, uint64_t va, uint64_t rights)
{
	register uint64_t r_rax __asm__("rax") = SYS_MEM_MAP;
	register uint64_t r_rdi __asm__("rdi") = mem;
	register uint64_t r_rsi __asm__("rsi") = proc;
	register uint64_t r_rdx __asm__("rdx") = va;
	register uint64_t r_r10 __asm__("r10") = rights;
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "+r"(r_rdx),
			   "+r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * mem_unmap (20): Remove the mapping that starts at va.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_mem_unmap(uint64_t proc, uint64_t va)
{
	register uint64_t r_rax __asm__("rax") = SYS_MEM_UNMAP;
	register uint64_t r_rdi __asm__("rdi") = proc;
	register uint64_t r_rsi __asm__("rsi") = va;
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * thread_create (21): Start a thread in a process at entry with stack pointer stack and
 * arg in rdi; its capability (every right) goes to dst. Charged MNOS_THREAD_CHARGE
 * bytes to the caller's quota until it is reaped. Nothing runs unless everything
 * succeeded.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_thread_create(uint64_t proc, uint64_t dst, uint64_t entry, uint64_t stack, uint64_t arg)
{
	register uint64_t r_rax __asm__("rax") = SYS_THREAD_CREATE;
	register uint64_t r_rdi __asm__("rdi") = proc;
	register uint64_t r_rsi __asm__("rsi") = dst;
	register uint64_t r_rdx __asm__("rdx") = entry;
	register uint64_t r_r10 __asm__("r10") = stack;
	register uint64_t r_r8 __asm__("r8") = arg;
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "+r"(r_rdx),
			   "+r"(r_r10), "+r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * thread_exit (22): End the calling thread.
 */
static inline __attribute__((always_inline, noreturn)) void
mnos_thread_exit(void)
{
	register uint64_t r_rax __asm__("rax") = SYS_THREAD_EXIT;
	register uint64_t r_rdi __asm__("rdi");
	register uint64_t r_rsi __asm__("rsi");
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "=r"(r_rdi), "=r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	__builtin_unreachable();
}

/*
 * thread_cancel_ipc (23): End the IPC wait of a thread: its call returns E_CANCELED.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_thread_cancel_ipc(uint64_t thread)
{
	register uint64_t r_rax __asm__("rax") = SYS_THREAD_CANCEL_IPC;
	register uint64_t r_rdi __asm__("rdi") = thread;
	register uint64_t r_rsi __asm__("rsi");
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "=r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * ipc_buffer_set (24): Give the calling thread its IPC buffer: a zeroed page the kernel
 * maps at va (charged to the process's quota), freed when the thread ends.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_ipc_buffer_set(uint64_t va)
{
	register uint64_t r_rax __asm__("rax") = SYS_IPC_BUFFER_SET;
	register uint64_t r_rdi __asm__("rdi") = va;
	register uint64_t r_rsi __asm__("rsi");
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "=r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * irq_ack (25): The driver has served the last interrupt: unmask the line.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_irq_ack(uint64_t irq)
{
	register uint64_t r_rax __asm__("rax") = SYS_IRQ_ACK;
	register uint64_t r_rdi __asm__("rdi") = irq;
	register uint64_t r_rsi __asm__("rsi");
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "=r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * ioport_in (26): Read an I/O port through an I/O-port capability.
 * Results through value_out (each may be NULL).
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_ioport_in(uint64_t ports, uint64_t port, uint64_t width, uint64_t *value_out)
{
	register uint64_t r_rax __asm__("rax") = SYS_IOPORT_IN;
	register uint64_t r_rdi __asm__("rdi") = ports;
	register uint64_t r_rsi __asm__("rsi") = port;
	register uint64_t r_rdx __asm__("rdx") = width;
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "+r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	if (value_out)
		*value_out = r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * ioport_out (27): Write an I/O port through an I/O-port capability.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_ioport_out(uint64_t ports, uint64_t port, uint64_t width, uint64_t value)
{
	register uint64_t r_rax __asm__("rax") = SYS_IOPORT_OUT;
	register uint64_t r_rdi __asm__("rdi") = ports;
	register uint64_t r_rsi __asm__("rsi") = port;
	register uint64_t r_rdx __asm__("rdx") = width;
	register uint64_t r_r10 __asm__("r10") = value;
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "+r"(r_rdx),
			   "+r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * irq_bind (28): Deliver the line's interrupts to a notification: its badge if it has
 * one, else bits. Replaces an earlier binding and unmasks the line.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_irq_bind(uint64_t irq, uint64_t n, uint64_t bits)
{
	register uint64_t r_rax __asm__("rax") = SYS_IRQ_BIND;
	register uint64_t r_rdi __asm__("rdi") = irq;
	register uint64_t r_rsi __asm__("rsi") = n;
	register uint64_t r_rdx __asm__("rdx") = bits;
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "+r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * irq_unbind (29): Mask the line and drop its binding.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_irq_unbind(uint64_t irq)
{
	register uint64_t r_rax __asm__("rax") = SYS_IRQ_UNBIND;
	register uint64_t r_rdi __asm__("rdi") = irq;
	register uint64_t r_rsi __asm__("rsi");
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "=r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

/*
 * proc_set_fault (30): Set the notification signalled (bit 0) when a thread of the
 * process dies of a user-mode fault; n 0 clears it.
 */
static inline __attribute__((always_inline)) enum mnos_error
mnos_proc_set_fault(uint64_t proc, uint64_t n)
{
	register uint64_t r_rax __asm__("rax") = SYS_PROC_SET_FAULT;
	register uint64_t r_rdi __asm__("rdi") = proc;
	register uint64_t r_rsi __asm__("rsi") = n;
	register uint64_t r_rdx __asm__("rdx");
	register uint64_t r_r10 __asm__("r10");
	register uint64_t r_r8 __asm__("r8");
	register uint64_t r_r9 __asm__("r9");
	__asm__ volatile("syscall"
			 : "+r"(r_rax), "+r"(r_rdi), "+r"(r_rsi), "=r"(r_rdx),
			   "=r"(r_r10), "=r"(r_r8), "=r"(r_r9)
			 :
			 : "rcx", "r11", "memory");
	(void)r_rdi;
	(void)r_rsi;
	(void)r_rdx;
	(void)r_r10;
	(void)r_r8;
	(void)r_r9;
	return (enum mnos_error)r_rax;
}

#endif
