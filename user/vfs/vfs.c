/*
 * vfs: the file service (docs/VFS.md). Clients reach it through "vfs" in the name
 * directory and each gets a session: a capability badged with the session, shared
 * memory for large transfers, and a table of open files (per-client state, gone with
 * the session). Paths are resolved here again (user/lib/path.c), whatever the client
 * did, and sent to the filesystem service mounted at the longest matching prefix of
 * the mount table, which comes from the arguments: `/=fs.initramfs:ro /tmp=fs.tmp`.
 * The filesystems speak the protocol of mnos/fs.h through their own shared memory.
 *
 * A client parks one thread in VFS_WATCH: while its process lives the call waits, the
 * reply object holding it; when the process ends the kernel unbinds the call, and the
 * next sweep (a timer thread asks for one every SWEEP_NS, and every new session and
 * VFS_STATS does one) sees that and closes the session's files (docs/VFS.md, "Clients
 * that end").
 *
 * One thread serves everything, so the state needs no lock; the sweeper thread only
 * sends requests.
 */
#include <mnos.h>
#include <mnos/fs.h>
#include <mnos/fsserver.h>

#define MAX_MOUNTS      8
#define SWEEP_NS        100000000ull            /* 100 ms */
#define WATCH_GRACE_NS  2000000000ull           /* a session's time to park its watch */
#define BADGE_SWEEP     (1ull << 63)
#define BADGE_SESSION   (1ull << 62)
#define GRANT_BYTES     ((uint64_t)VFS_GRANT_PAGES * MNOS_PAGE_SIZE)
#define FS_BYTES        ((uint64_t)FS_GRANT_PAGES * MNOS_PAGE_SIZE)

struct mount {
	char prefix[MNOS_PATH_MAX];
	char service[MNOS_NAME_MAX];
	bool ro;
	uint32_t ep;                    /* the attachment (0: not attached) */
	uint8_t *mem;                   /* the attachment's shared memory */
};

struct handle {
	bool used;
	uint8_t mount;
	uint32_t flags;                 /* O_* it was opened with */
	uint32_t type;
	uint64_t node;
	uint64_t off;                   /* the offset; a directory's next entry */
	uint8_t mounts;                 /* a directory: the mounts right below it, listed
					 * after its own entries (bit per mount) */
};

struct session {
	bool used;
	uint32_t gen;
	uint32_t cap;                   /* the badged endpoint the client holds a copy of */
	uint32_t grant;
	uint8_t *mem;                   /* the shared memory, GRANT_BYTES */
	uint32_t watch;                 /* the reply object of its parked VFS_WATCH, or 0 */
	uint64_t born;
	unsigned nopen;
	struct handle h[VFS_MAX_OPEN];
};

static struct {
	struct mount m[MAX_MOUNTS];
	unsigned nmounts;
	struct session s[VFS_MAX_SESSIONS];
	uint32_t ep, probe, sweep;
	uint64_t reclaimed;
	struct mnos_ipc_buffer *buf;
	char data[MNOS_RPC_MAX_DATA];   /* a request's payload */
	char out[MNOS_RPC_MAX_DATA];    /* a reply's */
} v;

/* ---- filesystems ---- */

static void detach(struct mount *m)
{
	if (m->mem)
		mnos_mem_unmap(0, (uint64_t)(uintptr_t)m->mem);
	if (m->ep)
		mnos_slot_free(m->ep);
	m->ep = 0;
	m->mem = NULL;
}

static int attach(struct mount *m)
{
	uint32_t ep;
	uint64_t bytes;
	struct mnos_rpc_msg rep = { 0 };
	int e;

	if (m->ep)
		return E_OK;
	if (mnos_name_lookup(m->service, &ep) != E_OK)
		return E_FS_NO_SERVICE;
	e = mnos_rpc_call(ep, v.buf, FS_ATTACH, NULL, &rep);
	mnos_slot_free(ep);
	if (e != E_OK)
		return e == E_NO_MEMORY ? e : E_FS_NO_SERVICE;
	if (mnos_grant_take(&rep, &m->ep, &m->mem, &bytes) != E_OK)
		return E_FS_NO_SERVICE;
	if (bytes != FS_BYTES) {
		detach(m);
		return E_FS_NO_SERVICE;
	}
	return E_OK;
}

/* One request to m's filesystem: words w, payload [data, data + len), reply into rep
 * (its payload into v.out). A filesystem that went away is attached again once (its
 * node numbers are then stale: it was restarted). */
static int fs_call(struct mount *m, uint64_t op, const uint64_t w[3], const void *data,
		   size_t len, struct mnos_rpc_msg *rep)
{
	struct mnos_rpc_msg req = { .w = { w[0], w[1], w[2] }, .data = (void *)data, .len = len };
	int e = E_DELETED;

	/* E_DELETED is never a filesystem's answer: it is the endpoint gone. */
	for (int tries = 0; tries < 2 && e == E_DELETED; tries++) {
		if (tries)
			detach(m);
		if ((e = attach(m)) != E_OK)
			return e;
		memset(rep, 0, sizeof(*rep));
		rep->data = v.out;
		rep->size = sizeof(v.out);
		e = mnos_rpc_call(m->ep, v.buf, op, &req, rep);
	}
	return e == E_DELETED ? E_FS_NO_SERVICE : e;
}

/* The mount a resolved path is in (the longest prefix), and the path within it in *rest. */
static struct mount *mount_of(const char *path, const char **rest)
{
	struct mount *best = NULL;
	size_t best_len = 0;

	for (unsigned i = 0; i < v.nmounts; i++) {
		const char *r = mnos_path_under(path, v.m[i].prefix);
		size_t n = strlen(v.m[i].prefix);
		if (r && (!best || n > best_len)) {
			best = &v.m[i];
			best_len = n;
			*rest = r;
		}
	}
	return best;
}

/* The request's payload [p, p + len) as a resolved path: its mount, and the rest. */
static int locate(const char *p, size_t len, char *abs, struct mount **m, const char **rest)
{
	int e = mnos_path_resolve(NULL, p, len, abs);

	if (e != E_OK)
		return e;
	*m = mount_of(abs, rest);
	return *m ? E_OK : E_NOT_FOUND;
}

static int lookup(struct mount *m, const char *rest, bool create, uint32_t type, bool excl,
		  struct mnos_rpc_msg *rep)
{
	uint64_t w[3] = { type, excl };

	return fs_call(m, create ? FS_CREATE : FS_LOOKUP, w, rest, strlen(rest), rep);
}

/* ---- sessions ---- */

static uint64_t now(void)
{
	uint64_t ns = 0;

	mnos_clock(&ns);
	return ns;
}

static struct session *session_of(uint64_t badge)
{
	uint64_t idx = badge & 0xff;

	if (!(badge & BADGE_SESSION) || idx >= VFS_MAX_SESSIONS)
		return NULL;
	struct session *s = &v.s[idx];
	return s->used && s->gen == (uint32_t)(badge >> 8) ? s : NULL;
}

/* Close everything of s and forget it; the client's capabilities to it go too. */
static void session_end(struct session *s)
{
	if (s->watch) {
		mnos_rpc_reply(s->watch, NULL, E_OK, NULL);     /* if it still waits */
		mnos_slot_free(s->watch);
	}
	mnos_mem_unmap(0, (uint64_t)(uintptr_t)s->mem);
	mnos_cap_revoke(s->grant);
	mnos_slot_free(s->grant);
	mnos_cap_revoke(s->cap);
	mnos_slot_free(s->cap);
	uint32_t gen = s->gen;
	memset(s, 0, sizeof(*s));
	s->gen = gen;
}

/* Reclaim the sessions whose client ended: its parked watch is gone, or it never
 * parked one within WATCH_GRACE_NS. */
static void sweep(void)
{
	uint64_t t = now();

	for (unsigned i = 0; i < VFS_MAX_SESSIONS; i++) {
		struct session *s = &v.s[i];
		if (!s->used)
			continue;
		if (s->watch ? !mnos_rpc_parked(s->watch, v.probe) : t - s->born > WATCH_GRACE_NS) {
			printf("vfs: session %u ended with its client, %u file(s) closed\n", i,
			       s->nopen);
			session_end(s);
			v.reclaimed++;
		}
	}
}

static int session_new(struct mnos_rpc_request *r)
{
	unsigned i = 0;

	sweep();
	while (i < VFS_MAX_SESSIONS && v.s[i].used)
		i++;
	if (i == VFS_MAX_SESSIONS)
		return E_NO_MEMORY;
	struct session *s = &v.s[i];
	void *mem;
	int e = mnos_grant_create(VFS_GRANT_PAGES, &s->grant, &mem);
	if (e != E_OK)
		return e;
	s->gen++;
	if ((e = mnos_badged_send(v.ep, BADGE_SESSION | (uint64_t)s->gen << 8 | i, &s->cap)) != E_OK) {
		mnos_mem_unmap(0, (uint64_t)(uintptr_t)mem);
		mnos_slot_free(s->grant);
		s->grant = 0;
		return e;
	}
	s->used = true;
	s->mem = mem;
	s->born = now();
	mnos_grant_give(&r->out, s->cap, s->grant, GRANT_BYTES);
	return E_OK;
}

static int watch(struct session *s, struct mnos_rpc_request *r)
{
	uint32_t next = mnos_slot_alloc();
	int e;

	if (s->watch)
		return E_EXISTS;
	if (!next)
		return E_NO_MEMORY;
	if ((e = mnos_obj_create(MNOS_OBJ_REPLY, next, 0, 0)) != E_OK) {
		mnos_slot_free(next);
		return e;
	}
	s->watch = r->reply;    /* the caller waits on it, in our hands */
	r->park = next;
	return E_OK;
}

/* ---- files ---- */

static struct handle *handle_of(struct session *s, uint64_t h)
{
	return h < VFS_MAX_OPEN && s->h[h].used ? &s->h[h] : NULL;
}

static bool writes(uint32_t flags)
{
	return (flags & O_ACCMODE) != O_RDONLY;
}

/* The last component of a mount's prefix, if the prefix lies right below dir. */
static const char *mount_name_below(const struct mount *m, const char *dir)
{
	const char *rest = mnos_path_under(m->prefix, dir);

	return rest && *rest && !strchr(rest, '/') ? rest : NULL;
}

/* The mounts right below the resolved directory dir: "/tmp" is below "/". */
static uint8_t mounts_below(const char *dir)
{
	uint8_t bits = 0;

	for (unsigned i = 0; i < v.nmounts; i++)
		if (mount_name_below(&v.m[i], dir))
			bits |= (uint8_t)(1u << i);
	return bits;
}

static int do_open(struct session *s, struct mnos_rpc_request *r)
{
	uint32_t flags = (uint32_t)r->in.w[0];
	char abs[MNOS_PATH_MAX];
	struct mount *m;
	const char *rest;
	struct mnos_rpc_msg rep;
	unsigned h = 0;
	int e;

	if (r->in.w[0] & ~(uint64_t)VFS_OPEN_FLAGS || (flags & O_ACCMODE) == O_ACCMODE)
		return E_INVAL;
	if ((e = locate(r->in.data, r->in.len, abs, &m, &rest)) != E_OK)
		return e;
	while (h < VFS_MAX_OPEN && s->h[h].used)
		h++;
	if (h == VFS_MAX_OPEN)
		return E_FS_TOO_MANY_OPEN;
	if (m->ro && (writes(flags) || (flags & (O_CREAT | O_TRUNC))))
		return E_FS_READ_ONLY;
	if ((e = lookup(m, rest, flags & O_CREAT, FS_TYPE_FILE, flags & O_EXCL, &rep)) != E_OK)
		return e;
	uint64_t node = rep.w[0], type = rep.w[1], size = rep.w[2];
	if (type == FS_TYPE_DIR && (writes(flags) || (flags & O_TRUNC)))
		return E_FS_IS_DIR;
	if (type != FS_TYPE_DIR && (flags & O_DIRECTORY))
		return E_FS_NOT_DIR;
	if ((flags & O_TRUNC) && writes(flags) && size) {
		uint64_t w[3] = { node, 0 };
		if ((e = fs_call(m, FS_TRUNCATE, w, NULL, 0, &rep)) != E_OK)
			return e;
		size = 0;
	}
	s->h[h] = (struct handle){ .used = true, .mount = (uint8_t)(m - v.m), .flags = flags,
				   .type = (uint32_t)type, .node = node,
				   .mounts = type == FS_TYPE_DIR ? mounts_below(abs) : 0 };
	s->nopen++;
	r->out.w[0] = h;
	r->out.w[1] = type;
	r->out.w[2] = size;
	return E_OK;
}

static int do_read(struct session *s, struct handle *h, struct mnos_rpc_request *r)
{
	bool grant = r->in.w[2] == VFS_VIA_GRANT;
	uint64_t want = r->in.w[1], done = 0;
	uint8_t *dst = grant ? s->mem : (uint8_t *)v.out;
	struct mount *m = &v.m[h->mount];
	struct mnos_rpc_msg rep;
	int e = E_OK;

	if ((h->flags & O_ACCMODE) == O_WRONLY)
		return E_FS_BAD_FD;
	if (h->type == FS_TYPE_DIR)
		return E_FS_IS_DIR;
	if (want > (grant ? GRANT_BYTES : MNOS_RPC_MAX_DATA))
		return E_RANGE;
	while (done < want) {
		uint64_t w[3] = { h->node, h->off, MIN(want - done, FS_BYTES) };
		if ((e = fs_call(m, FS_READ, w, NULL, 0, &rep)) != E_OK)
			break;
		uint64_t n = MIN(rep.w[0], w[2]);
		memcpy(dst + done, m->mem, n);
		done += n;
		h->off += n;
		if (n < w[2])
			break;          /* the end of the file */
	}
	if (e != E_OK && !done)
		return e;
	r->out.w[0] = done;
	if (!grant) {
		r->out.data = v.out;
		r->out.len = done;
	}
	return E_OK;
}

static int do_write(struct session *s, struct handle *h, struct mnos_rpc_request *r)
{
	bool grant = r->in.w[2] == VFS_VIA_GRANT;
	uint64_t want = r->in.w[1], done = 0;
	const uint8_t *src = grant ? s->mem : (const uint8_t *)r->in.data;
	struct mount *m = &v.m[h->mount];
	struct mnos_rpc_msg rep;
	int e = E_OK;

	if (!writes(h->flags))
		return E_FS_BAD_FD;
	if (m->ro)
		return E_FS_READ_ONLY;
	if (grant ? want > GRANT_BYTES : want != r->in.len)
		return grant ? E_RANGE : E_INVAL;
	while (done < want) {
		uint64_t n = MIN(want - done, FS_BYTES);
		uint64_t w[3] = { h->node, (h->flags & O_APPEND) ? FS_APPEND : h->off, n };
		memcpy(m->mem, src + done, n);
		if ((e = fs_call(m, FS_WRITE, w, NULL, 0, &rep)) != E_OK)
			break;
		done += MIN(rep.w[0], n);
		h->off = rep.w[1];
		if (rep.w[0] < n)
			break;
	}
	if (e != E_OK && !done)
		return e;
	r->out.w[0] = done;
	return E_OK;
}

static int do_seek(struct handle *h, struct mnos_rpc_request *r)
{
	int64_t off = (int64_t)r->in.w[1], base;
	struct mnos_rpc_msg rep;
	int e;

	switch (r->in.w[2]) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)h->off;
		break;
	case SEEK_END: {
		uint64_t w[3] = { h->node };
		if ((e = fs_call(&v.m[h->mount], FS_STAT, w, NULL, 0, &rep)) != E_OK)
			return e;
		base = (int64_t)rep.w[2];
		break;
	}
	default:
		return E_INVAL;
	}
	if (h->type == FS_TYPE_DIR && r->in.w[2] != SEEK_SET)
		return E_INVAL;
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return E_INVAL;
	h->off = (uint64_t)(base + off);
	r->out.w[0] = h->off;
	return E_OK;
}

static int do_readdir(struct handle *h, struct mnos_rpc_request *r)
{
	uint64_t w[3] = { h->node, h->off };
	struct mnos_rpc_msg rep;
	int e;

	if (h->type != FS_TYPE_DIR)
		return E_FS_NOT_DIR;
	if ((e = fs_call(&v.m[h->mount], FS_READDIR, w, NULL, 0, &rep)) != E_OK)
		return e;
	if (rep.len)
		h->off++;
	/* Its own entries done: the mount points in it, as directories, each once. */
	for (unsigned i = 0; !rep.len && h->mounts && i < v.nmounts; i++)
		if (h->mounts & (1u << i)) {
			const char *name = strrchr(v.m[i].prefix, '/') + 1;
			h->mounts &= (uint8_t)~(1u << i);
			rep.len = strlen(name);
			memcpy(v.out, name, rep.len);
			rep.w[0] = FS_TYPE_DIR;
			rep.w[1] = 0;
		}
	r->out.w[0] = rep.w[0];
	r->out.w[1] = rep.w[1];
	r->out.data = v.out;
	r->out.len = rep.len;
	return E_OK;
}

/* The operations on paths: stat, mkdir, unlink, rename. */
static int do_path(struct mnos_rpc_request *r)
{
	char abs[MNOS_PATH_MAX], abs2[MNOS_PATH_MAX];
	struct mount *m, *m2;
	const char *rest, *rest2;
	struct mnos_rpc_msg rep;
	size_t len = r->in.len;
	int e;

	if (r->op == VFS_RENAME)
		len = strnlen(r->in.data, r->in.len);
	if ((e = locate(r->in.data, len, abs, &m, &rest)) != E_OK)
		return e;
	if (r->op == VFS_STAT) {
		if ((e = lookup(m, rest, false, 0, false, &rep)) == E_OK) {
			r->out.w[0] = rep.w[1];
			r->out.w[1] = rep.w[2];
		}
		return e;
	}
	if (m->ro)
		return E_FS_READ_ONLY;
	if (!rest[0])
		return E_PERM;          /* a mount point stays */
	uint64_t w[3] = { r->in.w[0] != 0 };
	switch (r->op) {
	case VFS_MKDIR:
		return lookup(m, rest, true, FS_TYPE_DIR, true, &rep);
	case VFS_UNLINK:
		return fs_call(m, FS_UNLINK, w, rest, strlen(rest), &rep);
	default:                        /* VFS_RENAME */
		if (len == r->in.len)
			return E_INVAL;
		if ((e = locate(r->in.data + len + 1, r->in.len - len - 1, abs2, &m2, &rest2)) != E_OK)
			return e;
		if (m2 != m)
			return E_FS_CROSS_MOUNT;
		if (!rest2[0])
			return E_PERM;
		/* Both paths, each with its NUL, in the payload. */
		size_t a = strlen(rest) + 1, b = strlen(rest2);
		char both[2 * MNOS_PATH_MAX];
		memcpy(both, rest, a);
		memcpy(both + a, rest2, b);
		return fs_call(m, FS_RENAME, w, both, a + b, &rep);
	}
}

static int handle(void *ctx, struct mnos_rpc_request *r)
{
	struct session *s;
	struct handle *h;

	for (unsigned i = 0; i < r->in.ncaps; i++)
		mnos_slot_free(r->in.caps[i]);          /* nothing here takes capabilities */
	r->in.ncaps = 0;
	if (r->badge == BADGE_SWEEP) {
		sweep();
		return E_OK;
	}
	if (r->badge == 0) {
		switch (r->op) {
		case VFS_SESSION:
			return session_new(r);
		case VFS_STATS: {
			unsigned n = 0, open = 0;
			sweep();
			for (unsigned i = 0; i < VFS_MAX_SESSIONS; i++)
				if (v.s[i].used) {
					n++;
					open += v.s[i].nopen;
				}
			r->out.w[0] = n;
			r->out.w[1] = open;
			r->out.w[2] = v.reclaimed;
			return E_OK;
		}
		default:
			return E_PERM;
		}
	}
	if (!(s = session_of(r->badge)))
		return E_PERM;
	switch (r->op) {
	case VFS_WATCH:
		return watch(s, r);
	case VFS_END:
		session_end(s);
		return E_OK;
	case VFS_OPEN:
		return do_open(s, r);
	case VFS_STAT:
	case VFS_MKDIR:
	case VFS_UNLINK:
	case VFS_RENAME:
		return do_path(r);
	default:
		break;
	}
	if (!(h = handle_of(s, r->in.w[0])))
		return E_FS_BAD_FD;
	switch (r->op) {
	case VFS_CLOSE:
		h->used = false;
		s->nopen--;
		return E_OK;
	case VFS_READ:
		return do_read(s, h, r);
	case VFS_WRITE:
		return do_write(s, h, r);
	case VFS_SEEK:
		return do_seek(h, r);
	case VFS_FSTAT: {
		uint64_t w[3] = { h->node };
		struct mnos_rpc_msg rep;
		int e = fs_call(&v.m[h->mount], FS_STAT, w, NULL, 0, &rep);
		if (e == E_OK) {
			r->out.w[0] = rep.w[1];
			r->out.w[1] = rep.w[2];
		}
		return e;
	}
	case VFS_READDIR:
		return do_readdir(h, r);
	default:
		return E_INVAL;
	}
}

/* ---- start-up ---- */

/* "<prefix>=<service>[:ro]" */
static bool parse_mount(const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct mount *m = &v.m[v.nmounts];

	if (!eq || v.nmounts == MAX_MOUNTS ||
	    mnos_path_resolve(NULL, arg, (size_t)(eq - arg), m->prefix) != E_OK || arg[0] != '/')
		return false;
	size_t n = strlen(eq + 1);
	if (n > 3 && strcmp(eq + 1 + n - 3, ":ro") == 0) {
		m->ro = true;
		n -= 3;
	}
	if (!n || n >= sizeof(m->service))
		return false;
	memcpy(m->service, eq + 1, n);
	v.nmounts++;
	return true;
}

static void sweeper(void *unused)
{
	for (;;) {
		mnos_sleep(SWEEP_NS);
		mnos_rpc_call_words(v.sweep, VFS_SWEEP, NULL, NULL);
	}
}

int main(int argc, char **argv)
{
	struct mnos_rpc_server srv = { 0 };
	int e;

	for (int i = 1; i < argc; i++)
		if (!parse_mount(argv[i])) {
			printf("vfs: '%s' is not a mount (<path>=<service>[:ro])\n", argv[i]);
			return 1;
		}
	v.buf = mnos_ipc_buffer();
	v.ep = mnos_slot_alloc();
	v.probe = mnos_slot_alloc();
	srv.reply = mnos_slot_alloc();
	if (!v.buf || !v.ep || !v.probe || !srv.reply ||
	    mnos_obj_create(MNOS_OBJ_ENDPOINT, v.ep, 0, 0) != E_OK ||
	    mnos_obj_create(MNOS_OBJ_ENDPOINT, v.probe, 0, 0) != E_OK ||
	    mnos_obj_create(MNOS_OBJ_REPLY, srv.reply, 0, 0) != E_OK ||
	    mnos_badged_send(v.ep, BADGE_SWEEP, &v.sweep) != E_OK) {
		printf("vfs: cannot make its objects\n");
		return 1;
	}
	/* The filesystems first (they may start after this service), up to ~5 s each. */
	for (unsigned i = 0; i < v.nmounts; i++) {
		for (int t = 0; t < 500 && attach(&v.m[i]) != E_OK; t++)
			mnos_sleep(10000000);
		printf("vfs: %s on %s%s%s\n", v.m[i].service, v.m[i].prefix,
		       v.m[i].ro ? " (read-only)" : "", v.m[i].ep ? "" : ": not found yet");
	}
	if ((e = mnos_thread_start(sweeper, NULL, 16384, NULL)) != E_OK ||
	    (e = mnos_name_register("vfs", v.ep)) != E_OK) {
		printf("vfs: cannot start: %s\n", mnos_fs_strerror(e));
		return 1;
	}
	srv.ep = v.ep;
	srv.buf = v.buf;
	srv.data = v.data;
	srv.size = sizeof(v.data);
	srv.handle = handle;
	e = mnos_rpc_serve(&srv);
	printf("vfs: stopped: %s\n", mnos_fs_strerror(e));
	return 1;
}
