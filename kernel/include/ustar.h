/*
 * A reader of POSIX ustar archives, for the initramfs (docs/INITRAMFS.md). Pure logic on
 * an untrusted byte buffer — it depends on the types and string functions only — so the
 * kernel (kernel/core/initramfs.c), user programs (the user library) and the host tests
 * (tests/host/test_ustar.c, tests/fuzz/fuzz_ustar.c) compile the same file,
 * kernel/lib/ustar.c.
 *
 * Every header field the reader uses is checked, and every defect has its own error:
 * the archive is refused rather than read in a way another tar reader would not. What
 * is accepted, and why, is listed in docs/INITRAMFS.md; in short: POSIX ustar headers
 * ("ustar\0" + "00") with the unsigned checksum, strictly octal numeric fields, regular
 * files and directories only, relative paths without ".." that fit USTAR_PATH_MAX, data
 * inside the archive, and the two zero blocks at the end.
 */
#ifndef USTAR_H
#define USTAR_H

#include <types.h>

#define USTAR_BLOCK             512
/* A normalised path and its NUL: the longest raw ustar path (a 155-byte prefix, '/',
 * a 100-byte name) is 256 bytes, which does not fit — so "too long" can happen. */
#define USTAR_PATH_MAX          256

/* Why an archive is refused; each names one defect (ustar_strerror says which). */
enum ustar_error {
	USTAR_OK = 0,
	USTAR_END,                      /* not a defect: the iteration reached the end */
	USTAR_E_TRUNCATED,              /* ends inside a header or without the end marker */
	USTAR_E_LONE_ZERO,              /* one zero block, then a header */
	USTAR_E_MAGIC,                  /* not "ustar\0" (GNU's "ustar  " is not ustar) */
	USTAR_E_VERSION,                /* not "00" */
	USTAR_E_CHECKSUM,               /* the unsigned header sum differs from chksum */
	USTAR_E_OCTAL,                  /* a numeric field not octal digits + terminator */
	USTAR_E_MODE,                   /* mode has bits beyond 07777 */
	USTAR_E_TYPE,                   /* neither a regular file nor a directory */
	USTAR_E_NAME_NUL,               /* bytes after a name's NUL are not all NUL */
	USTAR_E_PATH_EMPTY,             /* no name, or a file named "." */
	USTAR_E_PATH_ABSOLUTE,          /* starts with '/' */
	USTAR_E_PATH_DOTDOT,            /* has a ".." component */
	USTAR_E_PATH_TOO_LONG,          /* normalised, it does not fit USTAR_PATH_MAX */
	USTAR_E_PATH_SLASH,             /* a regular file's name ends in '/' */
	USTAR_E_DIR_SIZE,               /* a directory with a nonzero size */
	USTAR_E_SIZE,                   /* an entry's data runs past the end of the archive */
	USTAR_E_NOT_FOUND,              /* ustar_find: no such path */
	USTAR_E_DUPLICATE,              /* ustar_find: the path is in the archive twice */
	USTAR_ERRORS
};

enum ustar_type {
	USTAR_FILE,
	USTAR_DIR,
};

struct ustar_entry {
	char path[USTAR_PATH_MAX];      /* normalised: no "." components, no '/' at the end */
	enum ustar_type type;
	uint32_t mode;                  /* permission bits, at most 07777 */
	const void *data;               /* inside the archive; size bytes */
	uint64_t size;                  /* 0 for a directory */
	size_t offset;                  /* of the entry's header in the archive */
};

/* A walk over an archive; only ustar_next changes it. */
struct ustar_iter {
	const uint8_t *base;
	size_t size;
	size_t off;                     /* the next header */
	enum ustar_error stop;          /* USTAR_OK while walking; then the end or the error */
};

void ustar_iter_init(struct ustar_iter *it, const void *archive, size_t size);

/*
 * The next entry in *e: USTAR_OK; USTAR_END after the last one (the end marker was
 * found); or the defect that stops the walk (e->offset then says where). Once it has
 * returned something other than USTAR_OK, it returns the same again. A directory that
 * names the archive's root ("." or "./", as `tar -C dir .` writes) is skipped. Nothing
 * after the end marker is read.
 */
enum ustar_error ustar_next(struct ustar_iter *it, struct ustar_entry *e);

/* Walk the whole archive: USTAR_OK with the number of entries in *count (if count is
 * not NULL), or the first defect with the offset of its header in *where (if not NULL). */
enum ustar_error ustar_check(const void *archive, size_t size, size_t *count, size_t *where);

/*
 * The entry whose normalised path is path (given without a leading '/' or a trailing
 * one: "test/utest"). The whole archive is walked, so a defect anywhere is an error, and
 * so is a path that is there twice (tar readers disagree on which one counts):
 * USTAR_E_NOT_FOUND, USTAR_E_DUPLICATE, or the archive's defect.
 */
enum ustar_error ustar_find(const void *archive, size_t size, const char *path,
			    struct ustar_entry *e);

/* A sentence for logs ("header checksum does not match"), and a short name for
 * manifests and tests ("checksum"). */
const char *ustar_strerror(enum ustar_error e);
const char *ustar_errname(enum ustar_error e);

#endif
