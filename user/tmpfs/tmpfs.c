/*
 * tmpfs: a read-write filesystem in memory, "fs.tmp", which the VFS mounts at "/tmp"
 * (docs/VFS.md). A table of nodes (files and directories, a directory's entries being
 * the nodes whose parent it is); a file's bytes live in blocks of BLOCK bytes from the
 * heap, made as they are first written (a block never written reads as zeros), so a
 * file grows without copying and memory is not needed twice over. The bytes of all files together are limited (`-- <KiB>`, default 2048):
 * a write that finds the filesystem full writes what fits and then fails with
 * E_FS_NO_SPACE, and the table's size limits how many nodes there are. A node number
 * carries the generation of its table entry, so a removed file's number is refused
 * (E_FS_STALE) even when the entry has been used again. Requests come through the
 * common server (user/lib/fsserver.c), which checks them and resolves the paths.
 */
#include <mnos.h>
#include <mnos/fsserver.h>

#define MAX_NODES       1024
#define ROOT            0
#define BLOCK           4096ull

struct node {
	bool used;
	uint32_t gen;
	uint32_t type;
	uint32_t parent;
	uint32_t nchildren;
	char name[MNOS_FS_NAME_MAX];
	uint8_t **blocks;               /* nblocks pointers: a block, or NULL (zeros) */
	uint64_t nblocks;
	uint64_t size;
};

static struct node nodes[MAX_NODES];
static uint64_t used_bytes, limit_bytes = 2048 * 1024;

static uint64_t number(uint32_t i)
{
	return (uint64_t)nodes[i].gen << 32 | (i + 1);
}

static int node_of(uint64_t node, uint32_t *out)
{
	uint32_t i = (uint32_t)node - 1;

	if (i >= MAX_NODES || !nodes[i].used || nodes[i].gen != node >> 32)
		return E_FS_STALE;
	*out = i;
	return E_OK;
}

static struct node *node_ptr(uint64_t node)
{
	uint32_t i;

	return node_of(node, &i) == E_OK ? &nodes[i] : NULL;
}

static uint32_t child(uint32_t dir, const char *name, size_t len)
{
	for (uint32_t i = 1; i < MAX_NODES; i++)
		if (nodes[i].used && nodes[i].parent == dir && strnlen(nodes[i].name, len + 1) == len &&
		    memcmp(nodes[i].name, name, len) == 0)
			return i;
	return UINT32_MAX;
}

/*
 * Walk path. *node: the node it names (UINT32_MAX if the last component is not there);
 * *dir: the directory the last component is in; *last: that component. E_NOT_FOUND or
 * E_FS_NOT_DIR when a directory on the way is missing or is a file.
 */
static int walk(const char *path, uint32_t *node, uint32_t *dir, const char **last)
{
	uint32_t at = ROOT;

	*dir = ROOT;
	*last = path;
	while (*path) {
		const char *end = strchr(path, '/');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		if (nodes[at].type != FS_TYPE_DIR)
			return E_FS_NOT_DIR;
		*dir = at;
		*last = path;
		at = child(at, path, len);
		if (at == UINT32_MAX) {
			if (end)
				return E_NOT_FOUND;
			break;
		}
		path += len + (end ? 1 : 0);
	}
	*node = at;
	return E_OK;
}

static void info_of(uint32_t i, struct fs_info *out)
{
	out->node = number(i);
	out->type = nodes[i].type;
	out->size = nodes[i].type == FS_TYPE_DIR ? nodes[i].nchildren : nodes[i].size;
}

static int t_lookup(void *ctx, const char *path, struct fs_info *out)
{
	uint32_t n, d;
	const char *last;
	int e = walk(path, &n, &d, &last);

	if (e == E_OK && n == UINT32_MAX)
		e = E_NOT_FOUND;
	if (e == E_OK)
		info_of(n, out);
	return e;
}

static int t_stat(void *ctx, uint64_t node, struct fs_info *out)
{
	uint32_t i;
	int e = node_of(node, &i);

	if (e == E_OK)
		info_of(i, out);
	return e;
}

static int t_create(void *ctx, const char *path, uint32_t type, bool excl, struct fs_info *out)
{
	uint32_t n, d;
	const char *last;
	int e = walk(path, &n, &d, &last);

	if (e != E_OK)
		return e;
	if (n != UINT32_MAX) {
		if (excl || nodes[n].type != type)
			return nodes[n].type == FS_TYPE_DIR && !excl ? E_FS_IS_DIR : E_EXISTS;
		info_of(n, out);
		return E_OK;
	}
	for (n = 1; n < MAX_NODES && nodes[n].used; n++)
		;
	if (n == MAX_NODES)
		return E_FS_NO_SPACE;
	struct node *x = &nodes[n];
	uint32_t gen = x->gen + 1;
	memset(x, 0, sizeof(*x));
	x->used = true;
	x->gen = gen;
	x->type = type;
	x->parent = d;
	strlcpy(x->name, last, sizeof(x->name));
	nodes[d].nchildren++;
	info_of(n, out);
	return E_OK;
}

static int t_read(void *ctx, uint64_t node, uint64_t off, void *buf, size_t len, size_t *done)
{
	struct node *x = node_ptr(node);

	if (!x)
		return E_FS_STALE;
	*done = 0;
	if (off >= x->size)
		return E_OK;
	len = (size_t)MIN((uint64_t)len, x->size - off);
	for (size_t at = 0; at < len;) {
		uint64_t b = (off + at) / BLOCK, in = (off + at) % BLOCK;
		size_t k = (size_t)MIN(len - at, BLOCK - in);
		if (b < x->nblocks && x->blocks[b])
			memcpy((uint8_t *)buf + at, x->blocks[b] + in, k);
		else
			memset((uint8_t *)buf + at, 0, k);
		at += k;
	}
	*done = len;
	return E_OK;
}

/* Free the blocks from the one holding byte size on (that one only if size is on its
 * start), and zero the rest of the last kept block: what lies past the end reads as
 * zeros when the file grows again. */
static void cut(struct node *x, uint64_t size)
{
	for (uint64_t b = (size + BLOCK - 1) / BLOCK; b < x->nblocks; b++) {
		free(x->blocks[b]);
		x->blocks[b] = NULL;
	}
	if (size % BLOCK && size / BLOCK < x->nblocks && x->blocks[size / BLOCK])
		memset(x->blocks[size / BLOCK] + size % BLOCK, 0, BLOCK - size % BLOCK);
}

/* Room in the block table for a file of size bytes. */
static int table_for(struct node *x, uint64_t size)
{
	uint64_t need = (size + BLOCK - 1) / BLOCK;

	if (need <= x->nblocks)
		return E_OK;
	uint64_t n = MAX(need, x->nblocks * 2);
	uint8_t **t = realloc(x->blocks, n * sizeof(*t));
	if (!t)
		return E_FS_NO_SPACE;
	memset(t + x->nblocks, 0, (n - x->nblocks) * sizeof(*t));
	x->blocks = t;
	x->nblocks = n;
	return E_OK;
}

static int t_write(void *ctx, uint64_t node, uint64_t off, const void *buf, size_t len,
		   size_t *done, uint64_t *end)
{
	struct node *x = node_ptr(node);

	if (!x)
		return E_FS_STALE;
	if (off == FS_APPEND)
		off = x->size;
	/* As far as this file can grow: what it has and what is left. */
	uint64_t most = x->size + (limit_bytes - used_bytes);
	size_t want = len;
	if (off > most || len > most - off)
		len = off >= most ? 0 : (size_t)(most - off);
	if (want && !len)
		return E_FS_NO_SPACE;
	int e = table_for(x, off + len);
	if (e != E_OK)
		return e;
	size_t at = 0;
	while (at < len) {
		uint64_t b = (off + at) / BLOCK, in = (off + at) % BLOCK;
		size_t k = (size_t)MIN(len - at, BLOCK - in);
		if (!x->blocks[b] && !(x->blocks[b] = calloc(1, BLOCK)))
			break;          /* the memory behind the limit ran short */
		memcpy(x->blocks[b] + in, (const uint8_t *)buf + at, k);
		at += k;
	}
	if (want && !at)
		return E_FS_NO_SPACE;
	if (off + at > x->size) {
		used_bytes += off + at - x->size;
		x->size = off + at;
	}
	*done = at;
	*end = off + at;
	return E_OK;
}

static int t_truncate(void *ctx, uint64_t node, uint64_t size)
{
	struct node *x = node_ptr(node);

	if (!x)
		return E_FS_STALE;
	if (size > x->size && size - x->size > limit_bytes - used_bytes)
		return E_FS_NO_SPACE;
	if (size < x->size)
		cut(x, size);
	used_bytes = used_bytes - x->size + size;
	x->size = size;
	return E_OK;
}

static int t_readdir(void *ctx, uint64_t node, uint64_t index, char name[MNOS_FS_NAME_MAX],
		     struct fs_info *out)
{
	uint32_t d;
	int e = node_of(node, &d);

	if (e != E_OK)
		return e;
	name[0] = 0;
	for (uint32_t i = 1; i < MAX_NODES; i++)
		if (nodes[i].used && nodes[i].parent == d && index-- == 0) {
			strlcpy(name, nodes[i].name, MNOS_FS_NAME_MAX);
			info_of(i, out);
			break;
		}
	return E_OK;
}

static void drop(uint32_t n)
{
	struct node *x = &nodes[n];

	used_bytes -= x->size;
	cut(x, 0);
	free(x->blocks);
	nodes[x->parent].nchildren--;
	x->used = false;
	x->blocks = NULL;
	x->nblocks = 0;
}

static int t_unlink(void *ctx, const char *path, bool dir)
{
	uint32_t n, d;
	const char *last;
	int e = walk(path, &n, &d, &last);

	if (e != E_OK)
		return e;
	if (n == UINT32_MAX)
		return E_NOT_FOUND;
	if (dir && nodes[n].type != FS_TYPE_DIR)
		return E_FS_NOT_DIR;
	if (!dir && nodes[n].type == FS_TYPE_DIR)
		return E_FS_IS_DIR;
	if (nodes[n].nchildren)
		return E_FS_NOT_EMPTY;
	drop(n);
	return E_OK;
}

static int t_rename(void *ctx, const char *from, const char *to)
{
	uint32_t n, d, m, td;
	const char *last, *tlast;
	int e = walk(from, &n, &d, &last);

	if (e != E_OK)
		return e;
	if (n == UINT32_MAX)
		return E_NOT_FOUND;
	if ((e = walk(to, &m, &td, &tlast)) != E_OK)
		return e;
	if (m == n)
		return E_OK;
	/* A directory cannot move into itself or below. */
	for (uint32_t a = td; a != ROOT; a = nodes[a].parent)
		if (a == n)
			return E_INVAL;
	if (m != UINT32_MAX) {
		/* POSIX: a file replaces a file, a directory an empty directory. */
		if (nodes[m].type != nodes[n].type)
			return nodes[m].type == FS_TYPE_DIR ? E_FS_IS_DIR : E_FS_NOT_DIR;
		if (nodes[m].nchildren)
			return E_FS_NOT_EMPTY;
		drop(m);
	}
	nodes[nodes[n].parent].nchildren--;
	nodes[n].parent = td;
	nodes[td].nchildren++;
	strlcpy(nodes[n].name, tlast, sizeof(nodes[n].name));
	return E_OK;
}

static const struct fs_ops ops = {
	.lookup = t_lookup, .stat = t_stat, .read = t_read, .readdir = t_readdir,
	.create = t_create, .write = t_write, .truncate = t_truncate, .unlink = t_unlink,
	.rename = t_rename,
};

int main(int argc, char **argv)
{
	if (argc > 1) {
		char *end;
		unsigned long kib = strtoul(argv[1], &end, 10);
		if (*end || !kib || kib > (1ul << 30)) {
			printf("tmpfs: '%s' is not a size in KiB\n", argv[1]);
			return 1;
		}
		limit_bytes = (uint64_t)kib * 1024;
	}
	nodes[ROOT].used = true;
	nodes[ROOT].type = FS_TYPE_DIR;
	printf("tmpfs: %llu KiB, serving fs.tmp\n", (unsigned long long)(limit_bytes >> 10));
	int e = mnos_fs_serve("fs.tmp", &ops, NULL);
	printf("tmpfs: stopped: %s\n", mnos_fs_strerror(e));
	return 1;
}
