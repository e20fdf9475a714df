/*
 * The server side of a filesystem service (user/lib/fsserver.c): the protocol of
 * mnos/fs.h ("the filesystem protocol") decoded and checked once, for every filesystem
 * (user/initfs, user/tmpfs). A filesystem supplies its operations on resolved paths
 * (relative to its root, "" for the root) and on its node numbers.
 */
#ifndef MNOS_FSSERVER_H
#define MNOS_FSSERVER_H

#include <types.h>
#include <mnos/fs.h>

struct fs_info {
	uint64_t node;
	uint32_t type;                  /* FS_TYPE_* */
	uint64_t size;                  /* bytes; entries for a directory */
};

/* Each returns E_OK or a status of mnos/fs.h. The operations that change the tree are
 * NULL in a read-only filesystem: the server answers E_FS_READ_ONLY. The server checks
 * with stat that read, write and truncate get a file and readdir a directory. */
struct fs_ops {
	int (*lookup)(void *ctx, const char *path, struct fs_info *out);
	int (*stat)(void *ctx, uint64_t node, struct fs_info *out);
	/* Up to len bytes at off into buf: *done (0 at or past the end). */
	int (*read)(void *ctx, uint64_t node, uint64_t off, void *buf, size_t len, size_t *done);
	/* The entry at index of a directory: its name (NUL-terminated) and info; E_OK with
	 * an empty name past the last. */
	int (*readdir)(void *ctx, uint64_t node, uint64_t index, char name[MNOS_FS_NAME_MAX],
		       struct fs_info *out);
	int (*create)(void *ctx, const char *path, uint32_t type, bool excl, struct fs_info *out);
	/* len bytes at off (FS_APPEND: the end): *done, and *end the offset after them. */
	int (*write)(void *ctx, uint64_t node, uint64_t off, const void *buf, size_t len,
		     size_t *done, uint64_t *end);
	int (*truncate)(void *ctx, uint64_t node, uint64_t size);
	int (*unlink)(void *ctx, const char *path, bool dir);
	int (*rename)(void *ctx, const char *from, const char *to);
};

/* Make an endpoint, register it as name, and serve ops for ever (the error if the
 * service cannot start or receiving fails). Uses this thread's IPC buffer. */
int mnos_fs_serve(const char *name, const struct fs_ops *ops, void *ctx);

/* Shared memory a server makes for a client: npages, mapped READ|WRITE here at *va, the
 * object in *slot (the server keeps it: a client given a copy cannot unmap it from
 * under the server). */
int mnos_grant_create(uint64_t npages, uint32_t *slot, void **va);
/* An endpoint in a new slot, badged (SEND only) from the unbadged ep. */
int mnos_badged_send(uint32_t ep, uint64_t badge, uint32_t *slot);

#endif
