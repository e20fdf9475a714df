/*
 * mv: move or rename (docs/COMMANDS.md).
 *
 *   mv source target
 *   mv source... directory
 *
 * When the last operand is a directory that exists, each source moves into it under its
 * own name; otherwise the one source is renamed to the target (a file replaces a file,
 * a directory an empty directory). A rename the VFS cannot do because the two paths are
 * on different filesystems becomes a copy of the tree and the removal of the source.
 */
#include <mnos.h>
#include <mnos/cmd.h>

static const char usage[] =
	"usage: mv source target\n"
	"       mv source... directory\n"
	"Rename source to target, or move each source into an existing directory.\n";

static int move(const char *src, const char *dst)
{
	struct stat st;
	int e = stat(src, &st);

	if (e < 0)
		return mnos_cmd_error("mv", src, e);
	e = rename(src, dst);
	if (e == 0)
		return 0;
	if (e != -E_FS_CROSS_MOUNT) {
		/* It may be about either path: both are named. */
		fprintf(stderr, "mv: %s to %s: %s\n", src, dst, mnos_fs_strerror(e));
		return 1;
	}
	/* Another filesystem: copy, then remove the source. */
	if (!mnos_copy_tree("mv", src, dst, true))
		return 1;
	return mnos_remove_tree("mv", src) ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct mnos_getopt g = MNOS_GETOPT_INIT;
	int r;

	if ((r = mnos_getopt(&g, argc, argv, "")) != MNOS_OPT_END)
		return mnos_cmd_bad_option("mv", usage, r, &g);
	return mnos_cmd_to_target("mv", usage, argc - g.ind, argv + g.ind, move);
}
