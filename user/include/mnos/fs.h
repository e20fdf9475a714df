/*
 * Files (docs/VFS.md): the VFS service's protocol (user/vfs), the protocol between the
 * VFS and the filesystem services mounted into it (user/initfs, user/tmpfs, served
 * through user/lib/fsserver.c), their status codes and limits, and the pure path
 * resolution both sides use (user/lib/path.c, host-tested in tests/host/test_path.c).
 * Programs use the file API of mnos/file.h, not these calls.
 */
#ifndef MNOS_FS_H
#define MNOS_FS_H

#include <types.h>
#include <mnos/rpc.h>

/* ---- limits ---- */

#define MNOS_PATH_MAX           256     /* bytes of a path with its NUL, as given or resolved */
#define MNOS_FS_NAME_MAX        64      /* bytes of a directory entry's name with its NUL */
#define VFS_MAX_OPEN            64      /* open files (and directories) per session */
#define VFS_MAX_SESSIONS        32      /* sessions (client processes) at once */
#define VFS_GRANT_PAGES         16      /* a session's shared memory: 64 KiB */
#define FS_GRANT_PAGES          16      /* the VFS's shared memory with each filesystem */
#define FS_MAX_ATTACH           4       /* attachments a filesystem service keeps */

/* ---- status codes (beyond enum mnos_error; see mnos_fs_strerror) ---- */

enum {
	E_FS_NAME_TOO_LONG = MNOS_RPC_STATUS_USER,      /* a path past MNOS_PATH_MAX, a
							 * name past MNOS_FS_NAME_MAX */
	E_FS_ABOVE_ROOT,        /* ".." would climb above "/" */
	E_FS_READ_ONLY,         /* the filesystem (or the open mode) does not allow writing */
	E_FS_NO_SPACE,          /* the filesystem is full */
	E_FS_TOO_MANY_OPEN,     /* the session has VFS_MAX_OPEN files open */
	E_FS_BAD_FD,            /* not an open file descriptor (or not open for that) */
	E_FS_NOT_DIR,           /* a path component, or the target, is not a directory */
	E_FS_IS_DIR,            /* a directory where a file is needed */
	E_FS_NOT_EMPTY,         /* removing a directory that has entries */
	E_FS_CROSS_MOUNT,       /* rename between two filesystems */
	E_FS_STALE,             /* the open file was removed */
	E_FS_NO_SERVICE,        /* the filesystem's service cannot be reached */
	E_FS_BROKEN_PIPE,       /* writing to a stream whose reading end is closed */
	E_FS_LAST
};

/* A short description of any status, mnos_error or E_FS_* ("read-only filesystem"). */
const char *mnos_fs_strerror(int e);

/* ---- what a path names ---- */

enum {
	FS_TYPE_FILE = 1,
	FS_TYPE_DIR = 2,
};

/* open flags */
#define O_RDONLY        0x0
#define O_WRONLY        0x1
#define O_RDWR          0x2
#define O_ACCMODE       0x3
#define O_CREAT         0x40
#define O_EXCL          0x80
#define O_TRUNC         0x200
#define O_APPEND        0x400
#define O_DIRECTORY     0x10000
#define VFS_OPEN_FLAGS  (O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_DIRECTORY)

#define SEEK_SET        0
#define SEEK_CUR        1
#define SEEK_END        2

/* ---- the VFS protocol (RPC, mnos/rpc.h; the service registers "vfs") ---- */

/*
 * Through the public endpoint (the one "vfs" names, badge 0):
 *   VFS_SESSION        → capability 0: this client's session (the endpoint, SEND only,
 *                        badged with the session), capability 1: the session's shared
 *                        memory (READ|WRITE, VFS_GRANT_PAGES pages), w[0]: its size
 *   VFS_STATS          → w[0]: sessions, w[1]: open files, w[2]: sessions reclaimed
 *                        because their client ended (after a sweep for dead ones)
 * Through a session capability (every request below; paths are the payload, absolute):
 *   VFS_WATCH          never answered while the session lives: the client parks a
 *                        thread here, and the VFS reclaims the session when that call
 *                        goes away (the client's process ended); answered E_OK by
 *                        VFS_END
 *   VFS_END            closes every file of the session and ends it
 *   VFS_OPEN           payload path, w[0] flags → w[0] handle, w[1] type, w[2] size
 *   VFS_CLOSE          w[0] handle
 *   VFS_READ           w[0] handle, w[1] bytes, w[2] VFS_VIA_GRANT or not → w[0] bytes
 *                        read, in the reply's payload (at most MNOS_RPC_MAX_DATA) or at
 *                        the start of the shared memory; 0 at the end of the file
 *   VFS_WRITE          w[0] handle, w[1] bytes, w[2] VFS_VIA_GRANT or not; the bytes in
 *                        the payload or at the start of the shared memory → w[0] written
 *   VFS_SEEK           w[0] handle, w[1] offset (signed), w[2] SEEK_* → w[0] new offset
 *   VFS_STAT           payload path → w[0] type, w[1] size
 *   VFS_FSTAT          w[0] handle → w[0] type, w[1] size
 *   VFS_READDIR        w[0] handle of a directory → payload: the next entry's name (empty
 *                        at the end), w[0] type, w[1] size
 *   VFS_MKDIR          payload path
 *   VFS_UNLINK         payload path, w[0] 1: remove an (empty) directory, 0: a file
 *   VFS_RENAME         payload: the old path, NUL, the new path
 */
enum {
	VFS_SESSION = 1,
	VFS_STATS,
	VFS_WATCH,
	VFS_END,
	VFS_OPEN,
	VFS_CLOSE,
	VFS_READ,
	VFS_WRITE,
	VFS_SEEK,
	VFS_STAT,
	VFS_FSTAT,
	VFS_READDIR,
	VFS_MKDIR,
	VFS_UNLINK,
	VFS_RENAME,
	VFS_SWEEP,              /* the VFS's own timer thread: look for ended clients */
};

#define VFS_VIA_GRANT   1

/* ---- the filesystem protocol (the VFS to a filesystem service) ---- */

/*
 * A filesystem service registers its endpoint ("fs.initramfs", "fs.tmp"). Paths are
 * relative to its root, resolved (mnos_path_resolve) and without the leading '/': ""
 * is the root. Nodes are the service's numbers for files and directories; a removed
 * node's number is never valid again (E_FS_STALE).
 *   FS_ATTACH          → capability 0: an attachment (the endpoint, badged), capability
 *                        1: its shared memory (READ|WRITE, FS_GRANT_PAGES pages)
 * Through an attachment:
 *   FS_LOOKUP          payload path → w[0] node, w[1] type, w[2] size
 *   FS_CREATE          payload path, w[0] type, w[1] 1: fail if it exists → as LOOKUP
 *   FS_READ            w[0] node, w[1] offset, w[2] bytes (≤ the shared memory) →
 *                        w[0] bytes read into the shared memory
 *   FS_WRITE           w[0] node, w[1] offset (FS_APPEND: the end), w[2] bytes from the
 *                        shared memory → w[0] written, w[1] the offset after them
 *   FS_TRUNCATE        w[0] node, w[1] size
 *   FS_STAT            w[0] node → w[1] type, w[2] size
 *   FS_READDIR         w[0] node, w[1] index → payload name (empty: no more), w[0]
 *                        type, w[1] size
 *   FS_UNLINK          payload path, w[0] 1: a directory
 *   FS_RENAME          payload: old path, NUL, new path
 */
enum {
	FS_ATTACH = 1,
	FS_LOOKUP,
	FS_CREATE,
	FS_READ,
	FS_WRITE,
	FS_TRUNCATE,
	FS_STAT,
	FS_READDIR,
	FS_UNLINK,
	FS_RENAME,
};

#define FS_APPEND       UINT64_MAX

/* ---- shared memory in a reply (user/lib/grant.c) ---- */

/* Put a badged endpoint (sent SEND only) and shared memory (READ|WRITE) of bytes in a
 * reply: VFS_SESSION's and FS_ATTACH's. */
void mnos_grant_give(struct mnos_rpc_msg *out, uint32_t ep, uint32_t grant, uint64_t bytes);
/* Take them from such a reply: the endpoint in *ep, the memory mapped READ|WRITE at
 * *mem (its capability dropped: the mapping keeps it), its size in *bytes. E_INVAL,
 * and the capabilities dropped, if the reply does not hold them. */
int mnos_grant_take(const struct mnos_rpc_msg *rep, uint32_t *ep, uint8_t **mem,
		    uint64_t *bytes);

/* ---- paths (pure: user/lib/path.c) ---- */

/*
 * Resolve path (len bytes, not NUL-terminated necessarily) against the directory cwd
 * (absolute and resolved, or NULL for "/") into out (MNOS_PATH_MAX bytes): an absolute
 * path with no "." or ".." components, no repeated or trailing '/' ("/" for the root).
 * E_INVAL: empty, or a NUL among the len bytes, or cwd not absolute; E_FS_NAME_TOO_LONG:
 * path (len ≥ MNOS_PATH_MAX) or the result too long, or a component of
 * MNOS_FS_NAME_MAX bytes or more; E_FS_ABOVE_ROOT: ".." at the root (refused, not
 * clamped: docs/VFS.md says why). out is untouched on error.
 */
int mnos_path_resolve(const char *cwd, const char *path, size_t len, char *out);

/*
 * If the resolved path is the resolved directory prefix or lies below it, the rest of
 * path relative to prefix, without a leading '/' ("" for prefix itself; every path is
 * below "/"); else NULL. "/tmpx" is not below "/tmp".
 */
const char *mnos_path_under(const char *path, const char *prefix);

/*
 * dir and name joined by one '/' into out (MNOS_PATH_MAX bytes), without resolving
 * either: "d" + "x" and "d/" + "x" give "d/x", "/" + "x" gives "/x", "" + "x" gives "x".
 * E_FS_NAME_TOO_LONG, out untouched, if the result would not fit.
 */
int mnos_path_join(char *out, const char *dir, const char *name);

/* The last component of path, trailing '/' left off: its start in *start, its length
 * returned. "a/b" and "a/b/" give "b", "b" gives "b", "/" gives "/", "" gives "". */
size_t mnos_path_last(const char *path, const char **start);

#endif
