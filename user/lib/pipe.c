/*
 * Pipes and the stream client (mnos/stream.h).
 *
 * A process that makes pipes serves them itself: the first mnos_pipe_create starts a
 * thread with an endpoint of its own, and each end is a capability to that endpoint,
 * minted with a badge that names the pipe, its generation and the end. So a pipe lives
 * and dies with the program that made it — a shell's pipes go with the shell — and no
 * service has to guess when a client has gone.
 *
 * The server thread never waits for anything but requests: a read of an empty pipe, or
 * a write to a full one, is parked (mnos_rpc_request.park) and answered when the other
 * end makes it possible or is closed.
 */
#include <mnos.h>
#include <mnos/stream.h>

#define END_READ        0
#define END_WRITE       1

/* badge: bits 0-7 the pipe's index + 1, 8-23 its generation, 24 the end */
#define BADGE(i, gen, end)      ((uint64_t)((i) + 1) | (uint64_t)(gen) << 8 | (uint64_t)(end) << 24)
#define BADGE_INDEX(b)          ((int)((b) & 0xff) - 1)
#define BADGE_GEN(b)            ((uint16_t)((b) >> 8))
#define BADGE_END(b)            ((int)((b) >> 24) & 1)

struct pipe {
	uint16_t gen;
	bool closed[2];                 /* per end */
	uint64_t head, tail;            /* bytes [tail, head) of buf, modulo its size */
	uint32_t reader;                /* a parked read's reply object, or 0 */
	uint64_t want;                  /* its byte count */
	uint32_t writer;                /* a parked write's reply object, or 0 */
	size_t wlen;                    /* its bytes */
	uint8_t wdata[MNOS_RPC_MAX_DATA];
	uint8_t buf[MNOS_PIPE_BUF];
};

static struct {
	struct mnos_lock lock;          /* the table; the thread's start */
	bool up;
	uint32_t ep;                    /* the endpoint both ends name */
	uint32_t probe;                 /* an endpoint nobody sends to (mnos_rpc_parked) */
	uint32_t spare[4];              /* free reply objects, 0: none */
	struct pipe *p[MNOS_PIPE_MAX];  /* [lock] NULL: free */
	uint16_t gen[MNOS_PIPE_MAX];    /* [lock] the next pipe's generation per index */
	struct mnos_ipc_buffer *buf;    /* the server thread's */
	uint8_t in[MNOS_RPC_MAX_DATA];  /* a request's payload */
	uint8_t out[MNOS_RPC_MAX_DATA]; /* a late reply's */
} ps;

/* A reply object for the loop to receive with, now that it gives its own away. */
static uint32_t spare_reply(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(ps.spare); i++)
		if (ps.spare[i]) {
			uint32_t r = ps.spare[i];
			ps.spare[i] = 0;
			return r;
		}
	uint32_t r = mnos_slot_alloc();
	if (r && mnos_obj_create(MNOS_OBJ_REPLY, r, 0, 0) != E_OK) {
		mnos_slot_free(r);
		r = 0;
	}
	return r;
}

/* A parked request's reply object, answered: keep it for the next park. */
static void answered(uint32_t reply)
{
	for (unsigned i = 0; i < ARRAY_SIZE(ps.spare); i++)
		if (!ps.spare[i]) {
			ps.spare[i] = reply;
			return;
		}
	mnos_slot_free(reply);
}

static uint64_t used(const struct pipe *p)
{
	return p->head - p->tail;
}

static size_t take(struct pipe *p, uint8_t *to, size_t want)
{
	size_t n = 0;

	while (n < want && p->tail != p->head)
		to[n++] = p->buf[p->tail++ % MNOS_PIPE_BUF];
	return n;
}

static size_t put(struct pipe *p, const uint8_t *from, size_t len)
{
	size_t n = 0;

	while (n < len && used(p) < MNOS_PIPE_BUF)
		p->buf[p->head++ % MNOS_PIPE_BUF] = from[n++];
	return n;
}

/* Answer the parked reader if it can be: bytes, or the end of the stream. */
static void wake_reader(struct pipe *p)
{
	if (!p->reader || (!used(p) && !p->closed[END_WRITE]))
		return;
	struct mnos_rpc_msg m = { .data = ps.out };
	m.len = take(p, ps.out, p->want);
	mnos_rpc_reply(p->reader, ps.buf, E_OK, &m);
	answered(p->reader);
	p->reader = 0;
}

/* Answer the parked writer if it can be: room for some of its bytes, or a broken pipe. */
static void wake_writer(struct pipe *p)
{
	if (!p->writer)
		return;
	if (p->closed[END_READ]) {
		mnos_rpc_reply(p->writer, NULL, E_FS_BROKEN_PIPE, NULL);
	} else if (used(p) < MNOS_PIPE_BUF) {
		struct mnos_rpc_msg m = { .w = { put(p, p->wdata, p->wlen) } };
		mnos_rpc_reply(p->writer, NULL, E_OK, &m);
	} else {
		return;
	}
	answered(p->writer);
	p->writer = 0;
}

/* Whether a parked request's caller still waits (a killed reader does not). */
static bool waiting(uint32_t *reply)
{
	if (*reply && !mnos_rpc_parked(*reply, ps.probe)) {
		answered(*reply);       /* unbound by the kernel: free again */
		*reply = 0;
	}
	return *reply != 0;
}

static int park(struct mnos_rpc_request *r, uint32_t *slot)
{
	uint32_t next = spare_reply();

	if (!next)
		return E_NO_MEMORY;
	*slot = r->reply;
	r->park = next;
	return E_OK;
}

static int handle(void *ctx, struct mnos_rpc_request *r)
{
	int i = BADGE_INDEX(r->badge), end = BADGE_END(r->badge);
	struct pipe *p = NULL;

	for (unsigned k = 0; k < r->in.ncaps; k++)
		if (r->in.caps[k])
			mnos_slot_free(r->in.caps[k]);
	mnos_lock(&ps.lock);
	if (i >= 0 && i < MNOS_PIPE_MAX && ps.p[i] && ps.p[i]->gen == BADGE_GEN(r->badge))
		p = ps.p[i];
	mnos_unlock(&ps.lock);
	if (!p || p->closed[end])
		return E_FS_BAD_FD;

	switch (r->op) {
	case STREAM_READ:
		if (end != END_READ || !r->in.w[0])
			return end != END_READ ? E_FS_BAD_FD : E_INVAL;
		if (waiting(&p->reader))
			return E_EXISTS;        /* one reader at a time */
		if (used(p) || p->closed[END_WRITE]) {
			r->out.data = ps.out;
			r->out.len = take(p, ps.out, MIN(r->in.w[0], (uint64_t)MNOS_RPC_MAX_DATA));
			wake_writer(p);
			return E_OK;
		}
		p->want = MIN(r->in.w[0], (uint64_t)MNOS_RPC_MAX_DATA);
		return park(r, &p->reader);
	case STREAM_WRITE:
		if (end != END_WRITE)
			return E_FS_BAD_FD;
		if (p->closed[END_READ])
			return E_FS_BROKEN_PIPE;
		if (!r->in.len)
			return E_INVAL;
		if (waiting(&p->writer))
			return E_EXISTS;
		if (used(p) < MNOS_PIPE_BUF) {
			r->out.w[0] = put(p, r->in.data, r->in.len);
			wake_reader(p);
			return E_OK;
		}
		memcpy(p->wdata, r->in.data, r->in.len);
		p->wlen = r->in.len;
		return park(r, &p->writer);
	case STREAM_CLOSE:
		p->closed[end] = true;
		if (end == END_READ && waiting(&p->reader)) {
			mnos_rpc_reply(p->reader, NULL, E_FS_BAD_FD, NULL);
			answered(p->reader);
			p->reader = 0;
		}
		wake_reader(p);         /* the end of the stream */
		wake_writer(p);         /* a broken pipe */
		if (p->closed[END_READ] && p->closed[END_WRITE]) {
			mnos_lock(&ps.lock);
			ps.p[i] = NULL;
			mnos_unlock(&ps.lock);
			free(p);
		}
		return E_OK;
	default:
		return E_NOSYS;
	}
}

static void serve(void *unused)
{
	struct mnos_rpc_server srv = {
		.ep = ps.ep, .buf = ps.buf = mnos_ipc_buffer(), .data = ps.in,
		.size = sizeof(ps.in), .handle = handle,
	};

	if (srv.buf && (srv.reply = spare_reply()))
		mnos_rpc_serve(&srv);
	printf("pipe: the server thread cannot serve\n");
}

/* The server thread and its endpoints ([ps.lock] held). */
static int start_locked(void)
{
	uint32_t ep = mnos_slot_alloc(), probe = mnos_slot_alloc();
	int e = E_NO_MEMORY;

	if (ps.up)
		return E_OK;
	if (ep && probe &&
	    (e = mnos_obj_create(MNOS_OBJ_ENDPOINT, ep, 0, 0)) == E_OK &&
	    (e = mnos_obj_create(MNOS_OBJ_ENDPOINT, probe, 0, 0)) == E_OK) {
		ps.ep = ep;
		ps.probe = probe;
		if ((e = mnos_thread_start(serve, NULL, 0, NULL)) == E_OK) {
			ps.up = true;
			return E_OK;
		}
	}
	if (ep)
		mnos_slot_free(ep);
	if (probe)
		mnos_slot_free(probe);
	return e;
}

/* An end: a badged capability to the pipes' endpoint. DERIVE, so that whoever starts a
 * program with it can copy it into the program (a badged capability cannot be minted
 * again, so it cannot become another end). */
static int end_cap(uint64_t badge, uint32_t *slot)
{
	uint32_t s = mnos_slot_alloc();
	int e = s ? mnos_cap_mint(ps.ep, s, CAP_R_SEND | CAP_R_GRANT | CAP_R_DERIVE, badge)
		  : E_NO_MEMORY;

	if (e != E_OK && s)
		mnos_slot_free(s);
	if (e == E_OK)
		*slot = s;
	return e;
}

int mnos_pipe_create(uint32_t *rd, uint32_t *wr)
{
	struct pipe *p = malloc(sizeof(*p));
	int e = p ? E_OK : E_NO_MEMORY, i = -1;

	if (!rd || !wr) {
		free(p);
		return E_INVAL;
	}
	mnos_lock(&ps.lock);
	if (e == E_OK)
		e = start_locked();
	for (int k = 0; e == E_OK && k < MNOS_PIPE_MAX && i < 0; k++)
		if (!ps.p[k])
			i = k;
	if (e == E_OK && i < 0)
		e = E_NO_MEMORY;
	if (e == E_OK) {
		memset(p, 0, sizeof(*p));
		p->gen = ps.gen[i]++;
		e = end_cap(BADGE(i, p->gen, END_READ), rd);
		if (e == E_OK && (e = end_cap(BADGE(i, p->gen, END_WRITE), wr)) != E_OK)
			mnos_slot_free(*rd);
		if (e == E_OK)
			ps.p[i] = p;
	}
	mnos_unlock(&ps.lock);
	if (e != E_OK)
		free(p);
	return e;
}

/* ---- the client side, for any stream ---- */

long mnos_stream_read(uint32_t s, void *buf, size_t n)
{
	if (!n)
		return 0;
	struct mnos_rpc_msg req = { .w = { MIN(n, (size_t)MNOS_RPC_MAX_DATA) } };
	struct mnos_rpc_msg rep = { .data = buf, .size = MIN(n, (size_t)MNOS_RPC_MAX_DATA) };
	int e = mnos_rpc_call(s, mnos_ipc_buffer(), STREAM_READ, &req, &rep);

	return e == E_OK ? (long)rep.len : -e;
}

long mnos_stream_write(uint32_t s, const void *buf, size_t n)
{
	const uint8_t *b = buf;
	size_t done = 0;

	while (done < n) {
		struct mnos_rpc_msg req = { .data = (void *)(b + done),
					    .len = MIN(n - done, (size_t)MNOS_RPC_MAX_DATA) };
		struct mnos_rpc_msg rep = { 0 };
		int e = mnos_rpc_call(s, mnos_ipc_buffer(), STREAM_WRITE, &req, &rep);
		if (e != E_OK)
			return -e;
		if (!rep.w[0] || rep.w[0] > req.len)
			return -E_INVAL;        /* a stream that breaks the protocol */
		done += rep.w[0];
	}
	return (long)n;
}

int mnos_stream_close(uint32_t s)
{
	int e = mnos_rpc_call_words(s, STREAM_CLOSE, NULL, NULL);

	mnos_slot_free(s);
	return e;
}
