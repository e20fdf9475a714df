/*
 * Endpoints and replies: synchronous IPC (DESIGN.md §6).
 *
 * An endpoint is a rendezvous point with no buffer: a sender waits until a receiver
 * takes its message, a receiver until a message comes. Waiting threads queue in FIFO
 * order; at any time the queue holds only senders or only receivers.
 *
 * A message is an info word (label, length in words, number of capabilities), up to
 * IPC_REG_WORDS words that the system-call layer carries in registers, the rest of up
 * to IPC_MAX_WORDS words in the thread's IPC buffer, and up to IPC_MAX_CAPS
 * capabilities, each named by a slot in the sender's capability space with a rights
 * mask (both in the buffer). A capability travels only if the sender's capability has
 * CAP_R_GRANT; the receiver gets a child of it with rights & mask in its lowest free
 * slots, and learns the slots from its buffer (0: that one could not be transferred —
 * the sender lost it meanwhile, or the receiver's space is full). The receiver also
 * learns the badge of the capability the sender used.
 *
 * call sends and then waits for an answer through a reply object: the receiver names
 * one of its reply objects when it receives, and a call binds it to the caller until
 * the receiver (or whoever holds the reply capability) replies. A reply object serves
 * one caller at a time — it is the seL4 MCS scheme: no allocation on the IPC path, and
 * a server decides how many outstanding calls it can hold by how many reply objects it
 * has. reply_recv replies and receives again in one operation, the server loop.
 *
 * The fast path: when call or reply_recv hands the message to a thread that waits on
 * this CPU and nothing more urgent is queued here, this CPU switches straight to it:
 * no run-queue round trip, and between threads of one priority not even the run-queue
 * lock (sched_switch_ipc; cap_lock, held across the switch, excludes every other
 * waker). sched_get_stats() counts these direct switches.
 *
 * Locking: all IPC state is guarded by cap_lock (cap.h), which comes before the
 * run-queue locks.
 */
#ifndef ENDPOINT_H
#define ENDPOINT_H

#include <cap.h>
#include <sched.h>
#include <mnos/abi.h>

/* The message layout and the timeouts IPC_POLL (0: never wait, E_WOULD_BLOCK if no
 * partner waits) and IPC_FOREVER are the ABI's (mnos/abi.h): IPC_REG_WORDS,
 * IPC_MAX_WORDS, IPC_MAX_CAPS, and the info word — length (bits 0-6), number of
 * capabilities (bits 7-9), reserved bits 10-11 that must be zero, label (bits 12-63). */
#define IPC_RESERVED_MASK (3ull << IPC_RESERVED_SHIFT)

/* The info word's accessors are the ABI's (mnos_ipc_info, _len, _ncaps, _label): the
 * kernel's names for them. */
#define ipc_info        mnos_ipc_info
#define ipc_len         mnos_ipc_len
#define ipc_ncaps       mnos_ipc_ncaps
#define ipc_label       mnos_ipc_label

/* The register part of a message. */
struct ipc_msg {
	uint64_t info;
	uint64_t w[IPC_REG_WORDS];
};

/* The rest: one per thread (a page of the thread's memory, from the syscall issue on).
 * w[] is indexed like the message, so w[0 .. IPC_REG_WORDS - 1] are not used. */
struct ipc_buffer {
	uint64_t w[IPC_MAX_WORDS];
	uint32_t caps[IPC_MAX_CAPS];    /* send: slots; received: where they landed */
	uint32_t cap_mask[IPC_MAX_CAPS];        /* send: rights to keep */
};

/* User code sees it as the ABI's struct mnos_ipc_buffer. */
_Static_assert(sizeof(struct ipc_buffer) == sizeof(struct mnos_ipc_buffer), "ABI layout");
_Static_assert(offsetof(struct ipc_buffer, caps) == offsetof(struct mnos_ipc_buffer, caps),
	       "ABI layout");
_Static_assert(offsetof(struct ipc_buffer, cap_mask) ==
	       offsetof(struct mnos_ipc_buffer, cap_mask), "ABI layout");

struct endpoint;
struct reply;

void endpoint_init(void);

/* New objects charged to q, with one reference for the caller. */
kerr_t endpoint_create(struct quota *q, struct endpoint **out);
kerr_t reply_create(struct quota *q, struct reply **out);
struct kobj *endpoint_kobj(struct endpoint *e);
struct kobj *reply_kobj(struct reply *r);

/*
 * The operations, for the current thread through its process's capability space.
 * Errors: the lookups' (cap.h: E_RANGE, E_NOT_FOUND, E_TYPE, E_PERM — send and call
 * need CAP_R_SEND on the endpoint, receiving CAP_R_RECV, reply CAP_R_SEND on the reply
 * object); E_INVAL for a malformed info word (length past IPC_MAX_WORDS, more than
 * IPC_MAX_CAPS capabilities, reserved bits), words past the registers or capabilities
 * without an IPC buffer, or a capability in a message that is missing or lacks
 * CAP_R_GRANT; E_EXISTS for a reply object already serving or awaiting a caller;
 * E_WOULD_BLOCK when a timeout of 0 found no partner; E_TIMEOUT when the timeout ran
 * out; E_DELETED when the endpoint's last capability went while waiting (or, in call,
 * the reply capability went before it was used, or the receiver gave no reply object).
 * Every check is made before anything changes.
 *
 * Timeouts are in nanoseconds from now: IPC_POLL, IPC_FOREVER or anything between.
 */
kerr_t ep_send(uint32_t ep, const struct ipc_msg *m, uint64_t timeout);
/* reply may be 0: then a caller received gets E_DELETED at once. *badge: the sender's. */
kerr_t ep_recv(uint32_t ep, uint32_t reply, struct ipc_msg *m, uint64_t *badge,
	       uint64_t timeout);
/* Send m and wait for the answer, which replaces m. */
kerr_t ep_call(uint32_t ep, struct ipc_msg *m);
/* Answer the caller bound to the reply object; E_NOT_FOUND if none is. */
kerr_t ep_reply(uint32_t reply, const struct ipc_msg *m);
/* Reply with m if a caller is bound (none: skipped), then receive into m. Needs a
 * reply object (E_INVAL for slot 0). */
kerr_t ep_reply_recv(uint32_t ep, uint32_t reply, struct ipc_msg *m, uint64_t *badge);

/*
 * The system-call entry's fast paths for call and reply_recv (syscall_entry.S; their
 * contract: usermode.h), with the message in place in the caller's saved registers:
 * ep_call(ep, m) and ep_reply_recv(ep_reply & 0xffffffff, ep_reply >> 32, m, badge)
 * after the same checks (badge: the saved rdi, the word below the message), switching
 * straight to the partner when it waits on this CPU and going on through the general
 * path otherwise.
 */
long ep_call_fast(uint64_t ep, struct ipc_msg *m);
long ep_reply_recv_fast(uint64_t ep_reply, struct ipc_msg *m);

/* Take t off whatever IPC queue it waits on (endpoint, reply object, notification) and
 * wake it with E_CANCELED: false if it waits on none (taskcap.h). */
bool ipc_cancel(struct thread *t);

#endif
