/*
 * The index of the programs in the initramfs (programs.h): every entry of the archive,
 * checked by the strict ustar reader (kernel/lib/ustar.c), in one array sorted by path.
 */
#include <klib.h>
#include <mnos/string.h>
#include <mnos/malloc.h>
#include "programs.h"

/* Where path is, or would go, in the sorted entries. */
static size_t position(const struct prog_index *ix, const char *path, bool *found)
{
	size_t lo = 0, hi = ix->n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ix->e[mid].path, path);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

enum mnos_error prog_index_build(struct prog_index *ix, const void *archive, size_t size)
{
	struct ustar_iter it;
	struct ustar_entry e;
	size_t count = 0;

	ix->e = NULL;
	ix->n = 0;
	ix->err = ustar_check(archive, size, &count, NULL);
	if (ix->err != USTAR_OK || count == 0)
		return E_OK;
	ix->e = calloc(count, sizeof(*ix->e));
	if (!ix->e)
		return E_NO_MEMORY;
	ustar_iter_init(&it, archive, size);
	while (ustar_next(&it, &e) == USTAR_OK && ix->n < count) {
		bool found;
		size_t at = position(ix, e.path, &found);
		if (found) {
			ix->e[at].duplicate = true;
			continue;
		}
		memmove(&ix->e[at + 1], &ix->e[at], (ix->n - at) * sizeof(*ix->e));
		struct prog_entry *p = &ix->e[at];
		strlcpy(p->path, e.path, sizeof(p->path));
		p->dir = e.type == USTAR_DIR;
		p->duplicate = false;
		p->data = e.data;
		p->size = e.size;
		ix->n++;
	}
	return E_OK;
}

enum mnos_error prog_index_find(const struct prog_index *ix, const char *path,
				const struct prog_entry **out)
{
	bool found;

	while (*path == '/')
		path++;
	if (!*path || strnlen(path, USTAR_PATH_MAX) == USTAR_PATH_MAX)
		return E_INVAL;
	for (const char *c = path; c; c = strchr(c, '/') ? strchr(c, '/') + 1 : NULL)
		if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || !c[2]))
			return E_INVAL;         /* no way out of where programs are */
	if (ix->err != USTAR_OK)
		return E_INVAL;
	size_t at = position(ix, path, &found);
	if (!found)
		return E_NOT_FOUND;
	if (ix->e[at].duplicate)
		return E_INVAL;
	if (ix->e[at].dir)
		return E_TYPE;
	*out = &ix->e[at];
	return E_OK;
}
