/*
 * Client/server calls over endpoints (mnos/rpc.h; the convention is in
 * docs/USERSPACE.md, "RPC"). pack() and unpack() are the convention, used by both
 * sides; the call and the serve loop are thin around ep_call and ep_reply_recv.
 */
#include <mnos.h>

#define LABEL_MAX       ((1ull << (64 - IPC_LABEL_SHIFT)) - 1)

/* Lay out m (NULL: nothing but zero words) in buf; the info word with label in *info. */
static int pack(struct mnos_ipc_buffer *buf, uint64_t label, const struct mnos_rpc_msg *m,
		uint64_t *info)
{
	unsigned len = MNOS_RPC_WORDS;

	if (label > LABEL_MAX)
		return E_INVAL;
	if (!m) {
		*info = mnos_ipc_info(label, len, 0);
		return E_OK;
	}
	if (m->len > MNOS_RPC_MAX_DATA || m->ncaps > MNOS_RPC_MAX_CAPS || (m->len && !m->data) ||
	    ((m->len || m->ncaps) && !buf))
		return E_INVAL;
	if (m->len) {
		buf->w[MNOS_RPC_LEN_WORD] = m->len;
		memcpy(&buf->w[MNOS_RPC_DATA_WORD], m->data, m->len);
		len = MNOS_RPC_DATA_WORD + (unsigned)ALIGN_UP(m->len, (size_t)8) / 8;
	}
	for (unsigned i = 0; i < m->ncaps; i++) {
		buf->caps[i] = m->caps[i];
		buf->cap_mask[i] = m->rights[i];
	}
	*info = mnos_ipc_info(label, len, m->ncaps);
	return E_OK;
}

/* The kernel put a received capability in a slot the allocator had handed out but that
 * was still empty: move it, so that slot's owner finds it as it left it. */
static uint32_t claim_elsewhere(uint32_t slot)
{
	uint32_t to = mnos_slot_alloc();

	if (to && mnos_cap_move(slot, to) == E_OK)
		return to;
	if (to)
		mnos_slot_free(to);
	mnos_cap_delete(slot);
	return 0;
}

/*
 * What arrived with info and the register words w (received through buf) into m (NULL:
 * drop it): words past the message's length read as zero, the payload is checked and
 * copied, capabilities are claimed. On an error the capabilities are deleted.
 */
static int unpack(struct mnos_ipc_buffer *buf, uint64_t info, const uint64_t w[MNOS_RPC_WORDS],
		  struct mnos_rpc_msg *m)
{
	unsigned len = mnos_ipc_len(info), ncaps = mnos_ipc_ncaps(info);
	int e = E_OK;
	size_t n = 0;

	if (len > MNOS_RPC_WORDS) {
		/* The kernel gives words past the registers only to a thread with a buffer. */
		n = buf ? buf->w[MNOS_RPC_LEN_WORD] : 0;
		if (!buf || len < MNOS_RPC_DATA_WORD || n > MNOS_RPC_MAX_DATA ||
		    len != MNOS_RPC_DATA_WORD + ALIGN_UP(n, (size_t)8) / 8)
			e = E_INVAL;
		else if (m && n > m->size)
			e = E_RANGE;
	}
	if (ncaps > MNOS_RPC_MAX_CAPS || (ncaps && !buf))
		ncaps = 0;                      /* cannot be: the kernel checks */
	for (unsigned i = 0; i < ncaps; i++) {
		uint32_t slot = buf->caps[i];
		if (slot && (e != E_OK || !m)) {
			mnos_cap_delete(slot);          /* not wanted */
			slot = 0;
		} else if (slot && !mnos_slot_claim(slot)) {
			slot = claim_elsewhere(slot);
		}
		if (m)
			m->caps[i] = slot;
	}
	if (!m)
		return e;
	for (unsigned i = 0; i < MNOS_RPC_WORDS; i++)
		m->w[i] = i < len ? w[i] : 0;
	m->ncaps = e == E_OK ? ncaps : 0;
	m->len = 0;
	if (e == E_OK && n) {
		memcpy(m->data, &buf->w[MNOS_RPC_DATA_WORD], n);
		m->len = n;
	}
	return e;
}

int mnos_rpc_call(uint32_t ep, struct mnos_ipc_buffer *buf, uint64_t op,
		  const struct mnos_rpc_msg *req, struct mnos_rpc_msg *rep)
{
	static const uint64_t zero[MNOS_RPC_WORDS];
	const uint64_t *a = req ? req->w : zero;
	uint64_t info, r[MNOS_RPC_WORDS];
	int e = pack(buf, op, req, &info);

	if (e != E_OK)
		return e;
	e = mnos_ep_call(ep, info, a[0], a[1], a[2], a[3], &info, &r[0], &r[1], &r[2], &r[3]);
	if (e != E_OK)
		return e;
	e = unpack(buf, info, r, rep);
	if (e != E_OK)
		return e;
	uint64_t status = mnos_ipc_label(info);
	return status > INT32_MAX ? E_INVAL : (int)status;
}

int mnos_rpc_call_words(uint32_t ep, uint64_t op, const uint64_t in[MNOS_RPC_WORDS],
			uint64_t out[MNOS_RPC_WORDS])
{
	struct mnos_rpc_msg req = { 0 }, rep = { 0 };

	if (in)
		memcpy(req.w, in, sizeof(req.w));
	int st = mnos_rpc_call(ep, NULL, op, &req, &rep);
	if (out)
		memcpy(out, rep.w, sizeof(rep.w));
	return st;
}

int mnos_rpc_reply(uint32_t reply, struct mnos_ipc_buffer *buf, int status,
		   const struct mnos_rpc_msg *m)
{
	static const uint64_t zero[MNOS_RPC_WORDS];
	uint64_t info;
	int e = pack(buf, status < 0 ? E_INVAL : (uint64_t)status, m, &info);

	if (e != E_OK)
		return e;
	const uint64_t *o = m ? m->w : zero;
	return mnos_ep_reply(reply, info, o[0], o[1], o[2], o[3]);
}

int mnos_rpc_serve(const struct mnos_rpc_server *s)
{
	static const uint64_t zero[MNOS_RPC_WORDS];
	struct mnos_rpc_request r;
	uint64_t badge, info, w[MNOS_RPC_WORDS];
	uint32_t reply = s->reply;
	int e = mnos_ep_recv(s->ep, reply, IPC_FOREVER, &badge, &info, &w[0], &w[1], &w[2],
			     &w[3]);

	while (e == E_OK) {
		memset(&r, 0, sizeof(r));
		r.op = mnos_ipc_label(info);
		r.badge = badge;
		r.reply = reply;
		r.in.data = s->data;
		r.in.size = s->data ? s->size : 0;
		int st = unpack(s->buf, info, w, &r.in);
		if (st == E_OK) {
			st = s->handle(s->ctx, &r);
			if (st < 0)
				st = E_INVAL;
		} else {
			memset(&r.out, 0, sizeof(r.out));
		}
		if (r.defer && r.reply && r.reply != reply && !r.stop) {
			/* The handler keeps the caller's reply object; receive with its
			 * replacement. */
			reply = r.reply;
			e = mnos_ep_recv(s->ep, reply, IPC_FOREVER, &badge, &info, &w[0], &w[1],
					 &w[2], &w[3]);
			continue;
		}
		if (st == E_OK && r.park) {
			/* The caller waits on in the handler's hands; go on with a new reply. */
			reply = r.park;
			e = mnos_ep_recv(s->ep, reply, IPC_FOREVER, &badge, &info, &w[0], &w[1],
					 &w[2], &w[3]);
			continue;
		}
		if (r.defer) {
			memset(&r.out, 0, sizeof(r.out));       /* no replacement: answer now */
			st = E_INVAL;
		}
		uint64_t rinfo;
		const uint64_t *o = r.out.w;
		if (pack(s->buf, (uint64_t)st, &r.out, &rinfo) != E_OK) {
			rinfo = mnos_ipc_info(E_INVAL, MNOS_RPC_WORDS, 0);
			o = zero;
		}
		if (r.stop) {
			mnos_ep_reply(reply, rinfo, o[0], o[1], o[2], o[3]);
			return E_OK;
		}
		e = mnos_ep_reply_recv(s->ep | (uint64_t)reply << 32, rinfo, o[0], o[1], o[2],
				       o[3], &badge, &info, &w[0], &w[1], &w[2], &w[3]);
		if (e != E_OK && mnos_ipc_ncaps(rinfo)) {
			/* The reply's capabilities were refused (not grantable, gone): the
			 * caller still gets an answer, and the loop goes on. */
			mnos_ep_reply(reply, mnos_ipc_info(E_INVAL, MNOS_RPC_WORDS, 0), 0, 0, 0, 0);
			e = mnos_ep_recv(s->ep, reply, IPC_FOREVER, &badge, &info, &w[0], &w[1],
					 &w[2], &w[3]);
		}
	}
	return e;
}

bool mnos_rpc_parked(uint32_t reply, uint32_t probe)
{
	uint64_t badge, info, w[MNOS_RPC_WORDS];

	/* A reply object whose caller still waits makes any receive fail with E_EXISTS
	 * before the endpoint is looked at; a free one gives E_WOULD_BLOCK here. */
	return mnos_ep_recv(probe, reply, 0, &badge, &info, &w[0], &w[1], &w[2], &w[3]) ==
	       E_EXISTS;
}
