/*
 * The programs proc can start: an index of the initramfs (programs.c, pure: the host
 * tests compile it too), made once when proc starts. The archive is read-only memory
 * that nothing can change, so one walk that checks every header is enough; a spawn
 * then finds its program by a binary search instead of walking and checksumming every
 * header before it (a walk of the 35-entry archive cost about 200,000 instructions, as
 * much as the rest of a spawn).
 */
#ifndef PROCSVC_PROGRAMS_H
#define PROCSVC_PROGRAMS_H

#include <types.h>
#include <kerr.h>
#include <ustar.h>

struct prog_entry {
	char path[USTAR_PATH_MAX];      /* normalised, as ustar_next gives it */
	bool dir;
	bool duplicate;                 /* the path is in the archive more than once */
	const void *data;               /* inside the archive */
	uint64_t size;
};

struct prog_index {
	struct prog_entry *e;           /* sorted by path (strcmp) */
	size_t n;
	enum ustar_error err;           /* USTAR_OK, or why the archive was refused */
};

/* Check the whole archive and index its entries (malloc'd). E_NO_MEMORY; a malformed
 * archive is not an error here: the index is empty and remembers why (ix->err), and
 * every lookup is refused with E_INVAL, as the archive's walk would refuse it. */
enum mnos_error prog_index_build(struct prog_index *ix, const void *archive, size_t size);

/*
 * The program at path ("bin/hello"; leading '/'s are ignored): E_OK with its entry,
 * E_NOT_FOUND, E_TYPE for a directory, E_INVAL for an empty path, one with a ".."
 * component or one too long, a path the archive holds twice, or a malformed archive.
 */
enum mnos_error prog_index_find(const struct prog_index *ix, const char *path,
				const struct prog_entry **out);

#endif
