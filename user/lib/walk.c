/*
 * Walking a directory tree over callbacks (mnos/cmd.h): rm -r, cp -r and mv put it on
 * the file API (cmd.c). Pure: the host tests (tests/host/test_cmd.c) walk a tree of
 * their own making with it.
 *
 * One path buffer serves the whole walk: each level appends "/name" and cuts it off
 * again, so a level costs a few words of stack and its list of names. The names of a
 * directory are all read before any is visited, so a visit may remove or add entries
 * (a directory's listing is by index, and would shift under it). The depth needs no
 * limit of its own: every level adds at least two bytes to a path of at most
 * MNOS_PATH_MAX.
 */
#include <klib.h>
#include <kerr.h>
#include <mnos/cmd.h>
#include <mnos/fs.h>
#include <mnos/malloc.h>

int mnos_walk_add(struct mnos_walk_names *l, const char *name, unsigned type)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		char **nv = realloc(l->name, cap * sizeof(*nv));
		if (!nv)
			return -E_NO_MEMORY;
		l->name = nv;
		uint8_t *tv = realloc(l->type, cap);
		if (!tv)
			return -E_NO_MEMORY;
		l->type = tv;
		l->cap = cap;
	}
	size_t len = strlen(name);
	char *copy = malloc(len + 1);
	if (!copy)
		return -E_NO_MEMORY;
	memcpy(copy, name, len + 1);
	l->name[l->n] = copy;
	l->type[l->n++] = (uint8_t)type;
	return 0;
}

static void names_free(struct mnos_walk_names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->name[i]);
	free(l->name);
	free(l->type);
}

struct walk {
	const struct mnos_walk_ops *ops;
	void *ctx;
	char path[MNOS_PATH_MAX];
	size_t root;                    /* the root's length: rel starts after it */
};

static const char *rel(const struct walk *w)
{
	const char *r = w->path + w->root;

	return *r == '/' ? r + 1 : r;
}

static bool visit(struct walk *w, enum mnos_walk_what what)
{
	int e = w->ops->visit(w->ctx, w->path, rel(w), what);

	if (e < 0)
		w->ops->error(w->ctx, w->path, e);
	return e == 0;
}

static bool walk_dir(struct walk *w, size_t len);

/* path[0..len) is a directory or a file of type: visit it (and what is below). */
static bool walk_node(struct walk *w, size_t len, unsigned type)
{
	if (type != FS_TYPE_DIR)
		return visit(w, MNOS_WALK_FILE);
	if (!visit(w, MNOS_WALK_PRE))
		return false;
	return walk_dir(w, len) && visit(w, MNOS_WALK_POST);
}

static bool walk_dir(struct walk *w, size_t len)
{
	struct mnos_walk_names names = { 0 };
	bool ok = true;
	int e = w->ops->list(w->ctx, w->path, &names);

	if (e < 0) {
		w->ops->error(w->ctx, w->path, e);
		names_free(&names);
		return false;
	}
	/* "/" is the one directory that ends in '/'. */
	size_t base = len == 1 && w->path[0] == '/' ? 1 : len + 1;
	for (size_t i = 0; i < names.n; i++) {
		size_t nl = strlen(names.name[i]);
		if (base + nl >= sizeof(w->path)) {
			w->path[len] = '\0';
			w->ops->error(w->ctx, w->path, -E_FS_NAME_TOO_LONG);
			ok = false;
			continue;
		}
		w->path[len] = '/';
		memcpy(w->path + base, names.name[i], nl + 1);
		ok &= walk_node(w, base + nl, names.type[i]);
		w->path[len] = '\0';
	}
	names_free(&names);
	return ok;
}

bool mnos_walk(const char *root, const struct mnos_walk_ops *ops, void *ctx)
{
	struct walk *w = malloc(sizeof(*w));
	size_t len = strlen(root);

	if (!w) {
		ops->error(ctx, root, -E_NO_MEMORY);
		return false;
	}
	w->ops = ops;
	w->ctx = ctx;
	/* Trailing slashes are not part of the names below ("d/" walks as "d"). */
	while (len > 1 && root[len - 1] == '/')
		len--;
	bool ok = false;
	if (len >= sizeof(w->path)) {
		ops->error(ctx, root, -E_FS_NAME_TOO_LONG);
	} else {
		memcpy(w->path, root, len);
		w->path[len] = '\0';
		w->root = len;
		int type = ops->type(ctx, w->path);
		if (type < 0)
			ops->error(ctx, w->path, type);
		else
			ok = walk_node(w, len, (unsigned)type);
	}
	free(w);
	return ok;
}
