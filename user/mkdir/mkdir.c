/*
 * mkdir: make directories (docs/COMMANDS.md).
 *
 *   mkdir [-p] dir...
 *
 * -p makes every missing directory on the way, and is content when the directory is
 * there already.
 */
#include <mnos.h>
#include <mnos/cmd.h>

static const char usage[] =
	"usage: mkdir [-p] dir...\n"
	"Make each directory.\n"
	"  -p  make missing parents too; a directory that exists is no error\n";

/* mkdir, content if a directory is there already. Looked at first: a mount point such
 * as /tmp is a directory, but making it would be refused by the filesystem below. */
static int make_if_missing(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return st.st_type == FS_TYPE_DIR ? 0 : -E_EXISTS;
	return mkdir(path);
}

/* Every directory on the way to path, path last. */
static int make_parents(const char *path)
{
	char p[MNOS_PATH_MAX];
	int e = mnos_path_resolve(getcwd(), path, strlen(path), p);

	if (e != E_OK)
		return -e;
	for (size_t i = 1; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		e = make_if_missing(p);
		p[i] = '/';
		if (e < 0)
			return e;
	}
	return make_if_missing(p);
}

int main(int argc, char **argv)
{
	struct mnos_getopt g = MNOS_GETOPT_INIT;
	bool parents = false;
	int r, status = 0;

	while ((r = mnos_getopt(&g, argc, argv, "p")) != MNOS_OPT_END) {
		if (r == 'p')
			parents = true;
		else
			return mnos_cmd_bad_option("mkdir", usage, r, &g);
	}
	if (g.ind >= argc)
		return mnos_cmd_usage_error("mkdir", usage, "no directory named");
	for (int i = g.ind; i < argc; i++) {
		int e = parents ? make_parents(argv[i]) : mkdir(argv[i]);
		if (e < 0)
			status = mnos_cmd_error("mkdir", argv[i], e);
	}
	return status;
}
