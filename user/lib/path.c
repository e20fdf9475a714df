/*
 * Path resolution (mnos/fs.h): pure, no system calls, so the VFS, the file API of
 * libmnos and the host tests (tests/host/test_path.c) run the same code. The rules are
 * in docs/VFS.md, "Paths".
 */
#include <types.h>
#include <kerr.h>
#include <mnos/fs.h>

int mnos_path_resolve(const char *cwd, const char *path, size_t len, char *out)
{
	char buf[MNOS_PATH_MAX];
	size_t n = 0;

	if (!path || !len)
		return E_INVAL;
	for (size_t i = 0; i < len && i < MNOS_PATH_MAX; i++)
		if (!path[i])
			return E_INVAL;
	if (len >= MNOS_PATH_MAX)
		return E_FS_NAME_TOO_LONG;
	if (path[0] != '/') {
		/* Relative: start from cwd, which must itself be resolved. */
		if (cwd && cwd[0] != '/')
			return E_INVAL;
		if (cwd)
			for (; cwd[n]; n++) {
				if (n >= MNOS_PATH_MAX - 1)
					return E_FS_NAME_TOO_LONG;
				buf[n] = cwd[n];
			}
		if (n == 1)
			n = 0;          /* "/": components are appended after a '/' */
	}
	/* buf[0..n) is the resolved path so far: "" (the root) or "/a/b". */
	for (size_t i = 0; i < len;) {
		while (i < len && path[i] == '/')
			i++;
		size_t start = i;
		while (i < len && path[i] != '/')
			i++;
		size_t clen = i - start;
		const char *c = path + start;
		if (clen == 0 || (clen == 1 && c[0] == '.'))
			continue;
		if (clen == 2 && c[0] == '.' && c[1] == '.') {
			if (n == 0)
				return E_FS_ABOVE_ROOT;
			while (n > 0 && buf[n - 1] != '/')
				n--;
			n--;            /* the '/' before the component */
			continue;
		}
		if (clen >= MNOS_FS_NAME_MAX || n + 1 + clen >= MNOS_PATH_MAX)
			return E_FS_NAME_TOO_LONG;
		buf[n++] = '/';
		for (size_t k = 0; k < clen; k++)
			buf[n++] = c[k];
	}
	if (n == 0)
		buf[n++] = '/';
	for (size_t k = 0; k < n; k++)
		out[k] = buf[k];
	out[n] = 0;
	return E_OK;
}

const char *mnos_path_under(const char *path, const char *prefix)
{
	size_t n = 0;

	if (prefix[0] == '/' && prefix[1] == 0)
		return path[0] == '/' ? path + 1 : NULL;
	while (prefix[n] && path[n] == prefix[n])
		n++;
	if (prefix[n])
		return NULL;
	if (path[n] == 0)
		return path + n;
	return path[n] == '/' ? path + n + 1 : NULL;
}

int mnos_path_join(char *out, const char *dir, const char *name)
{
	size_t dl = 0, nl = 0;

	while (dir[dl])
		dl++;
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;                   /* "d//" + "x" is "d/x"; "/" stays */
	while (name[nl])
		nl++;
	bool sep = dl > 0 && dir[dl - 1] != '/';
	if (dl + sep + nl >= MNOS_PATH_MAX)
		return E_FS_NAME_TOO_LONG;
	for (size_t k = 0; k < dl; k++)
		out[k] = dir[k];
	if (sep)
		out[dl++] = '/';
	for (size_t k = 0; k <= nl; k++)
		out[dl + k] = name[k];
	return E_OK;
}

size_t mnos_path_last(const char *path, const char **start)
{
	size_t end = 0;

	while (path[end])
		end++;
	while (end > 1 && path[end - 1] == '/')
		end--;
	size_t s = end;
	while (s > 0 && path[s - 1] != '/')
		s--;
	if (s == end && end > 0)
		s = end - 1;            /* "/" alone: the root's name is "/" */
	*start = path + s;
	return end - s;
}
