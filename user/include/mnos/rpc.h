/*
 * Client/server calls over endpoints (user/lib/rpc.c; the convention is in
 * docs/USERSPACE.md, "RPC"):
 *
 * - a request's label is the operation number; a reply's label is the status: E_OK (0)
 *   or an error code (the kernel's enum mnos_error values, or a service's own above
 *   MNOS_RPC_STATUS_USER);
 * - four words travel in registers each way (w[0..3]);
 * - a longer payload of up to MNOS_RPC_MAX_DATA bytes travels in the IPC buffer: word 4
 *   holds its length in bytes, words 5.. its bytes, and the message is exactly as long
 *   as that needs;
 * - up to four capabilities travel in the IPC buffer, each sent with a rights mask;
 *   those received are claimed in the slot allocator (mnos/slot.h): the receiver owns
 *   them and gives them back with mnos_slot_free;
 * - a server learns the badge of the capability each caller used.
 *
 * A payload or capabilities need the thread's IPC buffer (mnos_ipc_buffer_new), on both
 * sides; register words do not.
 */
#ifndef MNOS_RPC_H
#define MNOS_RPC_H

#include <types.h>
#include <mnos/abi.h>

#define MNOS_RPC_WORDS          4
#define MNOS_RPC_MAX_CAPS       IPC_MAX_CAPS
#define MNOS_RPC_LEN_WORD       4                       /* IPC buffer word: byte count */
#define MNOS_RPC_DATA_WORD      5                       /* IPC buffer word: first byte */
#define MNOS_RPC_MAX_DATA       ((IPC_MAX_WORDS - MNOS_RPC_DATA_WORD) * 8)     /* 472 */
#define MNOS_RPC_STATUS_USER    256     /* a service's own status codes start here */

/* One direction of a call: a request, or a reply. */
struct mnos_rpc_msg {
	uint64_t w[MNOS_RPC_WORDS];     /* the register words */
	/* Payload. Sending: len bytes at data (len ≤ MNOS_RPC_MAX_DATA). Receiving: room
	 * for size bytes at data; len is set to what came (a longer payload is refused with
	 * E_RANGE). */
	void *data;
	size_t len, size;
	/* Capabilities. Sending: ncaps slots in caps, each keeping rights[i]. Receiving:
	 * the slots they landed in (0: the sender's went away before it arrived, or this
	 * space was full). */
	uint32_t caps[MNOS_RPC_MAX_CAPS];
	uint32_t rights[MNOS_RPC_MAX_CAPS];
	unsigned ncaps;
};

/*
 * Call operation op through the endpoint capability ep: send req (NULL: no words, no
 * payload, no capabilities), wait for the reply, and put it in rep (NULL: ignore it;
 * capabilities that come anyway are deleted). buf is the calling thread's IPC buffer,
 * needed for a payload or capabilities either way (NULL: register words only).
 *
 * Returns the IPC error if the call failed (E_DELETED: the server went away, ...);
 * E_INVAL for a request that breaks the convention (payload or capabilities without a
 * buffer, too long, too many, an op above 2^52); E_RANGE for a reply payload larger than
 * rep->size; else the status the server replied with.
 */
int mnos_rpc_call(uint32_t ep, struct mnos_ipc_buffer *buf, uint64_t op,
		  const struct mnos_rpc_msg *req, struct mnos_rpc_msg *rep);

/* The common case: register words only. in and out may be NULL (zeros; ignored). */
int mnos_rpc_call_words(uint32_t ep, uint64_t op, const uint64_t in[MNOS_RPC_WORDS],
			uint64_t out[MNOS_RPC_WORDS]);

/* What a handler gets and fills. */
struct mnos_rpc_request {
	uint64_t op;                    /* the request's label */
	uint64_t badge;                 /* of the capability the caller used */
	struct mnos_rpc_msg in;         /* the request: words, payload, capabilities */
	struct mnos_rpc_msg out;        /* the reply the handler makes (zeroed before) */
	bool stop;                      /* set by the handler: reply, then leave the loop */
	/* Answering later, two ways to the same end. reply is the reply object the caller
	 * waits on. Defer: the handler sets defer, keeps reply to answer through with
	 * mnos_rpc_reply, and puts in reply another free reply object of its process's,
	 * with which the loop receives from then on; out and the status are ignored.
	 * Park: the handler sets park to a fresh reply object of its own (obj_create); the
	 * loop does not answer, takes park as its reply object from then on, and reply
	 * becomes the handler's, to answer later (or to ask, with mnos_rpc_parked, whether
	 * the caller still waits). */
	uint32_t reply;
	bool defer;
	uint32_t park;
};

/* Handle one request: fill r->out, return the status for the reply. */
typedef int (*mnos_rpc_handler_t)(void *ctx, struct mnos_rpc_request *r);

struct mnos_rpc_server {
	uint32_t ep;                    /* the endpoint (RECV) */
	uint32_t reply;                 /* a reply object of this server thread's */
	struct mnos_ipc_buffer *buf;    /* this thread's IPC buffer, or NULL: words only */
	void *data;                     /* room for a request's payload... */
	size_t size;                    /* ...of this many bytes */
	mnos_rpc_handler_t handle;
	void *ctx;
};

/*
 * Serve requests until a handler sets stop (E_OK) or receiving fails (that error). A
 * request that breaks the convention — a payload without this server having a buffer,
 * a length word that disagrees with the message's length, a payload larger than the
 * server's room — is answered with E_INVAL or E_RANGE without reaching the handler, and
 * capabilities it brought are deleted. A reply the handler made wrongly (payload too
 * long, capabilities without a buffer) goes out as status E_INVAL with nothing else.
 * Capabilities a request brings are the handler's to keep or give back.
 */
int mnos_rpc_serve(const struct mnos_rpc_server *s);

/*
 * Answer a deferred or parked request (mnos_rpc_request.defer) with status and m (NULL: zero words)
 * through the reply object it was bound to; buf is the calling thread's IPC buffer (NULL:
 * register words only). Afterwards the reply object is free for another receive. E_INVAL
 * for a reply that breaks the convention (nothing is sent); E_NOT_FOUND when the caller is
 * no longer waiting (it was killed or cancelled); the other errors of ep_reply.
 */
int mnos_rpc_reply(uint32_t reply, struct mnos_ipc_buffer *buf, int status,
		   const struct mnos_rpc_msg *m);
/* Whether a caller still waits on the parked reply object: false once its thread ended
 * or its wait was cancelled (the kernel then unbinds it). probe is an endpoint (RECV)
 * that nobody sends to: the question is a receive that cannot succeed. */
bool mnos_rpc_parked(uint32_t reply, uint32_t probe);

#endif
