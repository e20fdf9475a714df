/*
 * ls: list directories, show files (docs/COMMANDS.md).
 *
 *   ls [-l] [path]...
 *
 * Files named are shown first, in the order given; then each directory's entries,
 * sorted by name, under a "path:" heading when there is more than one operand. -l
 * gives each a line "type size name": type 'd' for a directory and '-' for a file,
 * size in bytes (a directory's: its number of entries).
 */
#include <mnos.h>
#include <mnos/cmd.h>

static const char usage[] =
	"usage: ls [-l] [path]...\n"
	"List each directory's entries (sorted by name) and show each file; with no path,\n"
	"the working directory.\n"
	"  -l  long form: type (d directory, - file), size (bytes; a directory: entries),\n"
	"      name\n";

static bool longform;

struct entry {
	char name[MNOS_FS_NAME_MAX];
	uint32_t type;
	uint64_t size;
};

static void show(const char *name, uint32_t type, uint64_t size)
{
	if (longform)
		printf("%c %10llu %s\n", type == FS_TYPE_DIR ? 'd' : '-',
		       (unsigned long long)size, name);
	else
		printf("%s\n", name);
}

/* Insertion sort: a directory holds at most the tmpfs's 1024 nodes. */
static void sort(struct entry *e, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct entry t = e[i];
		size_t j = i;
		for (; j > 0 && strcmp(e[j - 1].name, t.name) > 0; j--)
			e[j] = e[j - 1];
		e[j] = t;
	}
}

static int list_dir(const char *path)
{
	int e = 0;
	DIR *d = mnos_opendir(path, &e);
	struct entry *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	if (!d)
		return mnos_cmd_error("ls", path, e);
	while ((de = readdir(d))) {
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			struct entry *nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				closedir(d);
				free(v);
				return mnos_cmd_error("ls", path, E_NO_MEMORY);
			}
			v = nv;
		}
		strlcpy(v[n].name, de->d_name, sizeof(v[n].name));
		v[n].type = de->d_type;
		v[n++].size = de->d_size;
	}
	closedir(d);
	sort(v, n);
	for (size_t i = 0; i < n; i++)
		show(v[i].name, v[i].type, v[i].size);
	free(v);
	return 0;
}

int main(int argc, char **argv)
{
	struct mnos_getopt g = MNOS_GETOPT_INIT;
	int r, status = 0;

	while ((r = mnos_getopt(&g, argc, argv, "l")) != MNOS_OPT_END) {
		if (r == 'l')
			longform = true;
		else
			return mnos_cmd_bad_option("ls", usage, r, &g);
	}
	char *dot[] = { ".", NULL };
	char **ops = g.ind < argc ? argv + g.ind : dot;
	int nops = g.ind < argc ? argc - g.ind : 1;
	/* Files first; directories remembered for after. */
	bool *is_dir = calloc((size_t)nops, sizeof(bool));
	int nfiles = 0;
	if (!is_dir)
		return mnos_cmd_error("ls", ops[0], E_NO_MEMORY);
	for (int i = 0; i < nops; i++) {
		struct stat st;
		int e = stat(ops[i], &st);
		if (e < 0) {
			status = mnos_cmd_error("ls", ops[i], e);
		} else if (st.st_type == FS_TYPE_DIR) {
			is_dir[i] = true;
		} else {
			show(ops[i], st.st_type, st.st_size);
			nfiles++;
		}
	}
	bool first = nfiles == 0;
	for (int i = 0; i < nops; i++) {
		if (!is_dir[i])
			continue;
		if (nops > 1) {
			printf("%s%s:\n", first ? "" : "\n", ops[i]);
			first = false;
		}
		if (list_dir(ops[i]))
			status = 1;
	}
	free(is_dir);
	return status;
}
