/*
 * The server side of a filesystem service (mnos/fsserver.h): attachments with their
 * shared memory, and each request of the filesystem protocol (mnos/fs.h) checked and
 * handed to the filesystem's operations. docs/VFS.md, "Filesystem services".
 */
#include <mnos.h>
#include <mnos/fsserver.h>

struct attachment {
	bool used;
	uint32_t cap;                   /* the badged endpoint the client was given */
	uint32_t grant;                 /* the shared memory's object */
	uint8_t *mem;                   /* mapped here, FS_GRANT_PAGES pages */
};

struct fs_server {
	const struct fs_ops *ops;
	void *ctx;
	uint32_t ep;
	struct attachment at[FS_MAX_ATTACH];
	char data[MNOS_RPC_MAX_DATA];
};

#define GRANT_BYTES     ((size_t)FS_GRANT_PAGES * MNOS_PAGE_SIZE)

static int attach(struct fs_server *fs, struct mnos_rpc_request *r)
{
	unsigned i = 0;

	while (i < FS_MAX_ATTACH && fs->at[i].used)
		i++;
	if (i == FS_MAX_ATTACH)
		return E_NO_MEMORY;
	struct attachment *a = &fs->at[i];
	uint32_t cap;
	void *mem;
	int e = mnos_grant_create(FS_GRANT_PAGES, &a->grant, &mem);
	if (e != E_OK)
		return e;
	if ((e = mnos_badged_send(fs->ep, i + 1, &cap)) != E_OK) {
		mnos_mem_unmap(0, (uint64_t)(uintptr_t)mem);
		mnos_slot_free(a->grant);
		return e;
	}
	a->used = true;
	a->cap = cap;
	a->mem = mem;
	mnos_grant_give(&r->out, cap, a->grant, GRANT_BYTES);
	return E_OK;
}

/* len bytes at p (the root when empty) resolved, relative to the root, into out. */
static int path_of(const char *p, size_t len, char *out)
{
	char full[MNOS_PATH_MAX];
	int e;

	if (!len) {
		out[0] = 0;
		return E_OK;
	}
	if ((e = mnos_path_resolve(NULL, p, len, full)) != E_OK)
		return e;
	strlcpy(out, full + 1, MNOS_PATH_MAX);
	return E_OK;
}

/* node is there and of type: E_FS_IS_DIR or E_FS_NOT_DIR when it is the other, so the
 * filesystems need not check. */
static int node_is(struct fs_server *fs, uint64_t node, uint32_t type)
{
	struct fs_info info;
	int e = fs->ops->stat(fs->ctx, node, &info);

	if (e == E_OK && info.type != type)
		e = type == FS_TYPE_DIR ? E_FS_NOT_DIR : E_FS_IS_DIR;
	return e;
}

static void put_info(struct mnos_rpc_request *r, const struct fs_info *in)
{
	r->out.w[0] = in->node;
	r->out.w[1] = in->type;
	r->out.w[2] = in->size;
}

static int handle(void *ctx, struct mnos_rpc_request *r)
{
	struct fs_server *fs = ctx;
	const struct fs_ops *ops = fs->ops;
	const uint64_t *w = r->in.w;
	char path[MNOS_PATH_MAX], to[MNOS_PATH_MAX];
	struct fs_info info = { 0 };
	size_t done = 0;
	uint64_t end = 0;
	int e;

	for (unsigned i = 0; i < r->in.ncaps; i++)
		mnos_slot_free(r->in.caps[i]);          /* nothing here takes capabilities */
	if (r->badge == 0)
		return r->op == FS_ATTACH ? attach(fs, r) : E_PERM;
	if (r->badge > FS_MAX_ATTACH || !fs->at[r->badge - 1].used)
		return E_PERM;
	uint8_t *mem = fs->at[r->badge - 1].mem;

	switch (r->op) {
	case FS_LOOKUP:
		if ((e = path_of(r->in.data, r->in.len, path)) == E_OK &&
		    (e = ops->lookup(fs->ctx, path, &info)) == E_OK)
			put_info(r, &info);
		return e;
	case FS_CREATE:
		if (!ops->create)
			return E_FS_READ_ONLY;
		if (w[0] != FS_TYPE_FILE && w[0] != FS_TYPE_DIR)
			return E_INVAL;
		if ((e = path_of(r->in.data, r->in.len, path)) == E_OK && !path[0])
			e = E_EXISTS;
		if (e == E_OK && (e = ops->create(fs->ctx, path, (uint32_t)w[0], w[1] != 0, &info)) == E_OK)
			put_info(r, &info);
		return e;
	case FS_STAT:
		if ((e = ops->stat(fs->ctx, w[0], &info)) == E_OK)
			put_info(r, &info);
		return e;
	case FS_READ:
		if (w[2] > GRANT_BYTES)
			return E_RANGE;
		if ((e = node_is(fs, w[0], FS_TYPE_FILE)) == E_OK &&
		    (e = ops->read(fs->ctx, w[0], w[1], mem, w[2], &done)) == E_OK)
			r->out.w[0] = done;
		return e;
	case FS_WRITE:
		if (!ops->write)
			return E_FS_READ_ONLY;
		if (w[2] > GRANT_BYTES)
			return E_RANGE;
		if ((e = node_is(fs, w[0], FS_TYPE_FILE)) == E_OK &&
		    (e = ops->write(fs->ctx, w[0], w[1], mem, w[2], &done, &end)) == E_OK) {
			r->out.w[0] = done;
			r->out.w[1] = end;
		}
		return e;
	case FS_TRUNCATE:
		if (!ops->truncate)
			return E_FS_READ_ONLY;
		e = node_is(fs, w[0], FS_TYPE_FILE);
		return e == E_OK ? ops->truncate(fs->ctx, w[0], w[1]) : e;
	case FS_READDIR:
		if ((e = node_is(fs, w[0], FS_TYPE_DIR)) != E_OK ||
		    (e = ops->readdir(fs->ctx, w[0], w[1], path, &info)) != E_OK)
			return e;
		r->out.w[0] = info.type;
		r->out.w[1] = info.size;
		r->out.len = strnlen(path, MNOS_FS_NAME_MAX - 1);
		memcpy(fs->data, path, r->out.len);
		r->out.data = fs->data;
		return E_OK;
	case FS_UNLINK:
		if (!ops->unlink)
			return E_FS_READ_ONLY;
		if ((e = path_of(r->in.data, r->in.len, path)) == E_OK && !path[0])
			e = E_PERM;             /* the root stays */
		return e == E_OK ? ops->unlink(fs->ctx, path, w[0] != 0) : e;
	case FS_RENAME: {
		if (!ops->rename)
			return E_FS_READ_ONLY;
		const char *d = r->in.data;
		size_t n = strnlen(d, r->in.len);
		if (n == r->in.len)
			return E_INVAL;         /* no NUL between the two paths */
		if ((e = path_of(d, n, path)) != E_OK ||
		    (e = path_of(d + n + 1, r->in.len - n - 1, to)) != E_OK)
			return e;
		if (!path[0] || !to[0])
			return E_PERM;
		return ops->rename(fs->ctx, path, to);
	}
	default:
		return E_INVAL;
	}
}

int mnos_fs_serve(const char *name, const struct fs_ops *ops, void *ctx)
{
	static struct fs_server fs;
	struct mnos_rpc_server s = { 0 };
	int e;

	fs.ops = ops;
	fs.ctx = ctx;
	fs.ep = mnos_slot_alloc();
	s.reply = mnos_slot_alloc();
	s.buf = mnos_ipc_buffer();
	if (!fs.ep || !s.reply || !s.buf)
		return E_NO_MEMORY;
	if ((e = mnos_obj_create(MNOS_OBJ_ENDPOINT, fs.ep, 0, 0)) != E_OK ||
	    (e = mnos_obj_create(MNOS_OBJ_REPLY, s.reply, 0, 0)) != E_OK ||
	    (e = mnos_name_register(name, fs.ep)) != E_OK)
		return e;
	s.ep = fs.ep;
	s.data = fs.data;
	s.size = sizeof(fs.data);
	s.handle = handle;
	s.ctx = &fs;
	return mnos_rpc_serve(&s);
}
