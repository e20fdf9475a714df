/*
 * rm: remove files, and with -r directories and everything below them
 * (docs/COMMANDS.md).
 *
 *   rm [-rf] path...
 *
 * Without -r a directory is refused. -f says nothing of paths that are not there (and
 * they are no failure).
 */
#include <mnos.h>
#include <mnos/cmd.h>

static const char usage[] =
	"usage: rm [-r] [-f] path...\n"
	"Remove each file.\n"
	"  -r  remove directories too, with everything below them\n"
	"  -f  no error for a path that is not there\n";

int main(int argc, char **argv)
{
	struct mnos_getopt g = MNOS_GETOPT_INIT;
	bool recursive = false, force = false;
	int r, status = 0;

	while ((r = mnos_getopt(&g, argc, argv, "rRf")) != MNOS_OPT_END) {
		if (r == 'r' || r == 'R')
			recursive = true;
		else if (r == 'f')
			force = true;
		else
			return mnos_cmd_bad_option("rm", usage, r, &g);
	}
	if (g.ind >= argc)
		return force ? 0 : mnos_cmd_usage_error("rm", usage, "no path named");
	for (int i = g.ind; i < argc; i++) {
		struct stat st;
		const char *last;
		size_t n = mnos_path_last(argv[i], &last);
		char abs[MNOS_PATH_MAX];
		/* POSIX: never ".", "..", and here never the root either. */
		if ((n == 1 && last[0] == '.') || (n == 2 && last[0] == '.' && last[1] == '.') ||
		    (mnos_path_resolve(getcwd(), argv[i], strlen(argv[i]), abs) == E_OK &&
		     strcmp(abs, "/") == 0)) {
			fprintf(stderr, "rm: %s: refusing to remove\n", argv[i]);
			status = 1;
			continue;
		}
		int e = stat(argv[i], &st);
		if (e == -E_NOT_FOUND && force)
			continue;
		if (e == 0 && st.st_type == FS_TYPE_DIR) {
			if (!recursive)
				status = mnos_cmd_error("rm", argv[i], E_FS_IS_DIR);
			else if (!mnos_remove_tree("rm", argv[i]))
				status = 1;
			continue;
		}
		if (e == 0)
			e = unlink(argv[i]);
		if (e < 0)
			status = mnos_cmd_error("rm", argv[i], e);
	}
	return status;
}
