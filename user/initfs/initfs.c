/*
 * initfs: the initramfs as a read-only filesystem service, "fs.initramfs", which the
 * VFS mounts at "/" (docs/VFS.md). init gives it the archive ("initramfs", a read-only
 * memory object) and the boot information ("bootinfo", for the archive's size). The
 * archive is checked whole with the strict ustar reader (kernel/lib/ustar.c) before
 * anything is served; then every entry is a node, numbered by its place in the table,
 * the root (node 1) first. Requests come through the common server
 * (user/lib/fsserver.c); the operations that would change the tree are absent, so
 * they are refused with E_FS_READ_ONLY.
 */
#include <mnos.h>
#include <mnos/bootinfo.h>
#include <mnos/fsserver.h>
#include <ustar.h>

struct node {
	char path[USTAR_PATH_MAX];      /* relative to the root; "" for the root */
	uint32_t type;
	const uint8_t *data;
	uint64_t size;
	uint32_t parent;                /* index of the directory it is in */
	uint32_t nchildren;
	uint32_t first;                 /* its entries: kids[first .. first + nchildren) */
};

static struct node *nodes;
static uint32_t nnodes;
static uint32_t *kids;                  /* every directory's entries, one run each */

static int find(const char *path)
{
	for (uint32_t i = 0; i < nnodes; i++)
		if (strcmp(nodes[i].path, path) == 0)
			return (int)i;
	return -1;
}

/* The node of path's directory: E_NOT_FOUND, or E_FS_NOT_DIR when it is a file. */
static int parent_of(const char *path, uint32_t *out)
{
	char dir[USTAR_PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	memcpy(dir, path, n);
	dir[n] = 0;
	int i = find(dir);
	if (i < 0)
		return E_NOT_FOUND;
	if (nodes[i].type != FS_TYPE_DIR)
		return E_FS_NOT_DIR;
	*out = (uint32_t)i;
	return E_OK;
}

static bool load(const void *archive, size_t size)
{
	size_t count, where;
	enum ustar_error ue = ustar_check(archive, size, &count, &where);

	if (ue != USTAR_OK) {
		printf("initfs: the archive is malformed (%s at %zu)\n", ustar_strerror(ue), where);
		return false;
	}
	nodes = calloc(count + 1, sizeof(*nodes));
	if (!nodes)
		return false;
	nodes[0].type = FS_TYPE_DIR;
	nnodes = 1;
	struct ustar_iter it;
	struct ustar_entry e;
	ustar_iter_init(&it, archive, size);
	while (ustar_next(&it, &e) == USTAR_OK) {
		if (find(e.path) >= 0)
			continue;               /* a directory listed twice */
		struct node *n = &nodes[nnodes];
		strlcpy(n->path, e.path, sizeof(n->path));
		n->type = e.type == USTAR_DIR ? FS_TYPE_DIR : FS_TYPE_FILE;
		n->data = e.data;
		n->size = e.size;
		nnodes++;
	}
	/* Parents: the packer lists every directory before what it holds (docs/INITRAMFS.md),
	 * but do not rely on it: an orphan is left out of every listing, still found by path. */
	for (uint32_t i = 1; i < nnodes; i++)
		if (parent_of(nodes[i].path, &nodes[i].parent) == E_OK)
			nodes[nodes[i].parent].nchildren++;
		else
			nodes[i].parent = UINT32_MAX;
	/* The tree does not change: each directory's entries go in one run of kids. */
	kids = calloc(nnodes, sizeof(*kids));
	if (!kids)
		return false;
	uint32_t at = 0;
	for (uint32_t i = 0; i < nnodes; i++) {
		nodes[i].first = at;
		at += nodes[i].nchildren;
		nodes[i].nchildren = 0;
	}
	for (uint32_t i = 1; i < nnodes; i++)
		if (nodes[i].parent != UINT32_MAX) {
			struct node *d = &nodes[nodes[i].parent];
			kids[d->first + d->nchildren++] = i;
		}
	return true;
}

static void info_of(uint32_t i, struct fs_info *out)
{
	out->node = i + 1;
	out->type = nodes[i].type;
	out->size = nodes[i].type == FS_TYPE_DIR ? nodes[i].nchildren : nodes[i].size;
}

static int node_of(uint64_t node, uint32_t *i)
{
	if (node == 0 || node > nnodes)
		return E_FS_STALE;
	*i = (uint32_t)(node - 1);
	return E_OK;
}

static int ifs_lookup(void *ctx, const char *path, struct fs_info *out)
{
	int i = find(path);
	uint32_t dir;

	if (i < 0) {
		int e = path[0] ? parent_of(path, &dir) : E_NOT_FOUND;
		return e == E_FS_NOT_DIR ? e : E_NOT_FOUND;
	}
	info_of((uint32_t)i, out);
	return E_OK;
}

static int ifs_stat(void *ctx, uint64_t node, struct fs_info *out)
{
	uint32_t i;
	int e = node_of(node, &i);

	if (e == E_OK)
		info_of(i, out);
	return e;
}

static int ifs_read(void *ctx, uint64_t node, uint64_t off, void *buf, size_t len,
		    size_t *done)
{
	uint32_t i;
	int e = node_of(node, &i);

	if (e != E_OK)
		return e;
	*done = 0;
	if (off < nodes[i].size) {
		*done = MIN((uint64_t)len, nodes[i].size - off);
		memcpy(buf, nodes[i].data + off, *done);
	}
	return E_OK;
}

static int ifs_readdir(void *ctx, uint64_t node, uint64_t index, char name[MNOS_FS_NAME_MAX],
		       struct fs_info *out)
{
	uint32_t d;

	name[0] = 0;
	if (node_of(node, &d) != E_OK)
		return E_FS_STALE;
	if (index < nodes[d].nchildren) {
		uint32_t i = kids[nodes[d].first + index];
		const char *slash = strrchr(nodes[i].path, '/');
		strlcpy(name, slash ? slash + 1 : nodes[i].path, MNOS_FS_NAME_MAX);
		info_of(i, out);
	}
	return E_OK;
}

static const struct fs_ops ops = {
	.lookup = ifs_lookup, .stat = ifs_stat, .read = ifs_read, .readdir = ifs_readdir,
};

int main(int argc, char **argv)
{
	uint32_t ramfs = mnos_start_cap("initramfs"), bim = mnos_start_cap("bootinfo");
	uint64_t va = mnos_va_alloc(1);

	if (!ramfs || !bim || !va || mnos_mem_map(bim, 0, va, CAP_R_READ) != E_OK) {
		printf("initfs: started without the initramfs or the boot information\n");
		return 1;
	}
	const struct mnos_bootinfo *bi = (const void *)(uintptr_t)va;
	uint64_t size = bi->initramfs_size;
	uint64_t at = mnos_va_alloc((size + MNOS_PAGE_SIZE - 1) / MNOS_PAGE_SIZE);
	if (bi->magic != MNOS_BOOTINFO_MAGIC || !at ||
	    mnos_mem_map(ramfs, 0, at, CAP_R_READ) != E_OK) {
		printf("initfs: cannot map the initramfs\n");
		return 1;
	}
	if (!load((const void *)(uintptr_t)at, size))
		return 1;
	printf("initfs: %u entries, serving fs.initramfs\n", nnodes);
	int e = mnos_fs_serve("fs.initramfs", &ops, NULL);
	printf("initfs: stopped: %s\n", mnos_fs_strerror(e));
	return 1;
}
