/*
 * cat: files, one after another, to standard output (docs/COMMANDS.md).
 *
 *   cat [file]...
 *
 * "-" or no operand is standard input. Bytes go through unchanged (binary-safe), in
 * pieces of 64 KiB — what the VFS moves in one call — so a file of any size streams
 * through a fixed buffer. A file that cannot be read is reported and the rest go on;
 * output that cannot be written ends it.
 */
#include <mnos.h>
#include <mnos/cmd.h>

static const char usage[] =
	"usage: cat [file]...\n"
	"Write each file to standard output, in order; - or no file: standard input.\n";

static uint8_t buf[64 * 1024];

/* All of n bytes to standard output: 0, or a negative status. */
static int out(const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, p, n);
		if (w <= 0)
			return w < 0 ? (int)w : -E_FS_NO_SPACE;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Copy fd to standard output. 0; 1 if fd could not be read; -1 if output failed. */
static int copy(int fd, const char *name)
{
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0)
			return mnos_cmd_error("cat", name, (int)n);
		int e = out(buf, (size_t)n);
		if (e < 0) {
			mnos_cmd_error("cat", "standard output", e);
			return -1;
		}
	}
}

int main(int argc, char **argv)
{
	struct mnos_getopt g = MNOS_GETOPT_INIT;
	int r, status = 0;

	if ((r = mnos_getopt(&g, argc, argv, "")) != MNOS_OPT_END)
		return mnos_cmd_bad_option("cat", usage, r, &g);
	/* Whatever the library's stdout holds goes first (nothing, normally). */
	fflush(stdout);
	if (g.ind >= argc)
		return copy(STDIN_FILENO, "standard input") ? 1 : 0;
	for (int i = g.ind; i < argc; i++) {
		int fd = STDIN_FILENO;
		const char *name = argv[i];
		if (strcmp(name, "-") == 0) {
			name = "standard input";
		} else {
			struct stat st;
			fd = open(name, O_RDONLY);
			if (fd >= 0 && fstat(fd, &st) == 0 && st.st_type == FS_TYPE_DIR) {
				close(fd);
				fd = -E_FS_IS_DIR;
			}
			if (fd < 0) {
				status = mnos_cmd_error("cat", name, fd);
				continue;
			}
		}
		r = copy(fd, name);
		if (fd != STDIN_FILENO)
			close(fd);
		if (r < 0)
			return 1;
		if (r)
			status = 1;
	}
	return status;
}
