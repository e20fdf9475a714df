/*
 * cp: copy files, and with -r directory trees (docs/COMMANDS.md).
 *
 *   cp [-r] source target
 *   cp [-r] source... directory
 *
 * When the last operand is a directory that exists, each source is copied into it under
 * its own name; otherwise the one source is copied to the target. A file copied onto
 * itself, and a directory copied into itself, are refused before anything is written.
 */
#include <mnos.h>
#include <mnos/cmd.h>

static const char usage[] =
	"usage: cp [-r] source target\n"
	"       cp [-r] source... directory\n"
	"Copy source to target, or each source into an existing directory.\n"
	"  -r  copy directories and everything below them\n";

static bool recursive;

static int copy(const char *src, const char *dst)
{
	char a[MNOS_PATH_MAX], b[MNOS_PATH_MAX];
	int e;

	if ((e = mnos_path_resolve(getcwd(), src, strlen(src), a)) != E_OK)
		return mnos_cmd_error("cp", src, e);
	if ((e = mnos_path_resolve(getcwd(), dst, strlen(dst), b)) != E_OK)
		return mnos_cmd_error("cp", dst, e);
	if (strcmp(a, b) == 0) {
		fprintf(stderr, "cp: %s and %s are the same file\n", src, dst);
		return 1;
	}
	if (mnos_path_under(b, a)) {
		fprintf(stderr, "cp: cannot copy %s into itself (%s)\n", src, dst);
		return 1;
	}
	return mnos_copy_tree("cp", src, dst, recursive) ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct mnos_getopt g = MNOS_GETOPT_INIT;
	int r;

	while ((r = mnos_getopt(&g, argc, argv, "rR")) != MNOS_OPT_END) {
		if (r == 'r' || r == 'R')
			recursive = true;
		else
			return mnos_cmd_bad_option("cp", usage, r, &g);
	}
	return mnos_cmd_to_target("cp", usage, argc - g.ind, argv + g.ind, copy);
}
