/*
 * The commands' messages and their trees on the file API (mnos/cmd.h, docs/COMMANDS.md):
 * usage to stdout on --help, errors to stderr in one form ("rm: /nope: not found"), and
 * copying and removing files and directory trees for cp, mv and rm through the pure
 * walk (walk.c).
 */
#include <mnos.h>
#include <mnos/cmd.h>

int mnos_cmd_help(const char *usage)
{
	printf("%s", usage);
	return 0;
}

int mnos_cmd_usage_error(const char *prog, const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage);
	return 2;
}

int mnos_cmd_bad_option(const char *prog, const char *usage, int r,
			const struct mnos_getopt *g)
{
	if (r == MNOS_OPT_HELP)
		return mnos_cmd_help(usage);
	if (r == ':')
		return mnos_cmd_usage_error(prog, usage, "option -%c needs an argument", g->opt);
	if (g->opt == 0 && g->arg)
		return mnos_cmd_usage_error(prog, usage, "unknown option %s", g->arg);
	if (g->opt > ' ' && g->opt < 0x7f)
		return mnos_cmd_usage_error(prog, usage, "unknown option -%c", g->opt);
	return mnos_cmd_usage_error(prog, usage, "unknown option (byte %#x)", g->opt);
}

int mnos_cmd_error(const char *prog, const char *operand, int status)
{
	fprintf(stderr, "%s: %s: %s\n", prog, operand, mnos_fs_strerror(status));
	return 1;
}

int mnos_cmd_to_target(const char *prog, const char *usage, int n, char *const ops[],
		       int (*fn)(const char *src, const char *dst))
{
	if (n < 2)
		return mnos_cmd_usage_error(prog, usage, n ? "no target named" :
					    "no source and target named");
	const char *target = ops[n - 1];
	struct stat st;
	if (stat(target, &st) != 0 || st.st_type != FS_TYPE_DIR) {
		if (n > 2)
			return mnos_cmd_error(prog, target, E_FS_NOT_DIR);
		return fn(ops[0], target);
	}
	int status = 0;
	for (int i = 0; i < n - 1; i++) {
		const char *last;
		char dst[MNOS_PATH_MAX], name[MNOS_PATH_MAX];
		size_t len = mnos_path_last(ops[i], &last);
		memcpy(name, last, len);
		name[len] = '\0';
		int e = mnos_path_join(dst, target, name);
		if (e != E_OK)
			status = mnos_cmd_error(prog, ops[i], e);
		else if (fn(ops[i], dst))
			status = 1;
	}
	return status;
}

/* ---- files and trees ---- */

#define COPY_CHUNK      (64 * 1024)     /* what the VFS moves in one call */

int mnos_copy_file(const char *src, const char *dst, const char **culprit)
{
	static uint8_t *buf;            /* made once: most programs never copy */
	struct stat st;
	int e, in, out;

	*culprit = src;
	if (!buf && !(buf = malloc(COPY_CHUNK)))
		return -E_NO_MEMORY;
	if ((in = open(src, O_RDONLY)) < 0)
		return in;
	if ((e = fstat(in, &st)) < 0)
		goto out_in;
	if (st.st_type == FS_TYPE_DIR) {
		e = -E_FS_IS_DIR;
		goto out_in;
	}
	*culprit = dst;
	if ((out = open(dst, O_WRONLY | O_CREAT | O_TRUNC)) < 0) {
		e = out;
		goto out_in;
	}
	for (;;) {
		ssize_t n = read(in, buf, COPY_CHUNK);
		if (n <= 0) {
			e = (int)n;
			if (n < 0)
				*culprit = src;
			break;
		}
		ssize_t w = write(out, buf, (size_t)n);
		if (w != n) {
			e = w < 0 ? (int)w : -E_FS_NO_SPACE;
			break;
		}
	}
	int c = close(out);
	if (e == 0)
		e = c;
out_in:
	close(in);
	return e;
}

static int tree_type(void *ctx, const char *path)
{
	struct stat st;
	int e = stat(path, &st);

	return e < 0 ? e : (int)st.st_type;
}

static int tree_list(void *ctx, const char *path, struct mnos_walk_names *names)
{
	int e = 0;
	DIR *d = mnos_opendir(path, &e);
	struct dirent *de;

	if (!d)
		return e < 0 ? e : -E_INVAL;
	while ((de = readdir(d)) && e == 0)
		e = mnos_walk_add(names, de->d_name, de->d_type);
	closedir(d);
	return e;
}

struct tree {
	const char *prog;
	const char *dst;                /* copying: the destination's root */
	bool recursive;
};

static void tree_error(void *ctx, const char *path, int status)
{
	mnos_cmd_error(((struct tree *)ctx)->prog, path, status);
}

static int copy_visit(void *ctx, const char *path, const char *rel, enum mnos_walk_what what)
{
	struct tree *t = ctx;
	char to[MNOS_PATH_MAX];
	struct stat st;
	int e;

	if (what == MNOS_WALK_POST)
		return 0;
	if (what == MNOS_WALK_PRE && !t->recursive)
		return -E_FS_IS_DIR;
	if (!*rel)
		strlcpy(to, t->dst, sizeof(to));
	else if ((e = mnos_path_join(to, t->dst, rel)) != E_OK)
		return -e;
	if (what == MNOS_WALK_FILE) {
		const char *culprit;
		e = mnos_copy_file(path, to, &culprit);
		if (e < 0 && culprit != path) {
			mnos_cmd_error(t->prog, culprit, e);
			return MNOS_WALK_REPORTED;
		}
		return e;
	}
	/* A directory: made, or one that is there already merged into. */
	if (stat(to, &st) == 0 && st.st_type == FS_TYPE_DIR)
		return 0;
	if ((e = mkdir(to)) < 0) {
		mnos_cmd_error(t->prog, to, e);
		return MNOS_WALK_REPORTED;
	}
	return 0;
}

static int remove_visit(void *ctx, const char *path, const char *rel,
			enum mnos_walk_what what)
{
	if (what == MNOS_WALK_PRE)
		return 0;
	return what == MNOS_WALK_FILE ? unlink(path) : rmdir(path);
}

bool mnos_copy_tree(const char *prog, const char *src, const char *dst, bool recursive)
{
	static const struct mnos_walk_ops ops = {
		.type = tree_type, .list = tree_list, .visit = copy_visit, .error = tree_error,
	};
	struct tree t = { .prog = prog, .dst = dst, .recursive = recursive };

	return mnos_walk(src, &ops, &t);
}

bool mnos_remove_tree(const char *prog, const char *path)
{
	static const struct mnos_walk_ops ops = {
		.type = tree_type, .list = tree_list, .visit = remove_visit, .error = tree_error,
	};
	struct tree t = { .prog = prog };

	return mnos_walk(path, &ops, &t);
}

/* ---- boot-time figures ---- */

void mnos_cmd_boot_figure(const char *name, bool lines, uint64_t tsc, uint64_t halted)
{
	struct mnos_sysinfo si;

	if (mnos_system_info((uint64_t)(uintptr_t)&si, sizeof(si)) != E_OK ||
	    si.size < sizeof(si) || !si.tsc_kernel_entry || tsc <= si.tsc_kernel_entry) {
		printf("# %s: no stamp\n", name);
		return;
	}
	uint64_t ticks = tsc - si.tsc_kernel_entry;
	uint64_t us = si.tsc_hz >= 1000000 ? ticks / (si.tsc_hz / 1000000) : 0;

	if (!lines) {
		printf("%-13s %6llu.%03llu ms  %12llu cycles, %llu halted\n", name,
		       (unsigned long long)(us / 1000), (unsigned long long)(us % 1000),
		       (unsigned long long)ticks, (unsigned long long)halted);
		return;
	}
	if (si.cpus_online == 1 && halted <= ticks)
		printf("BENCH %s %llu instructions\n", name, (unsigned long long)(ticks - halted));
	printf("# %s: %llu TSC ticks, %llu of them halted, %llu us\n", name,
	       (unsigned long long)ticks, (unsigned long long)halted, (unsigned long long)us);
}
