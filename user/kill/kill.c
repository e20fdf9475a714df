/*
 * kill: end programs by pid, through the process service (docs/COMMANDS.md).
 *
 *   kill pid...
 *
 * The service decides who may (docs/PROCESSES.md, "Waiting, killing, parents"): a
 * program may end what it or its parent started, and their descendants — from a shell,
 * the shell's other jobs — never its parent or what another client started.
 */
#include <mnos.h>
#include <mnos/cmd.h>

static const char usage[] =
	"usage: kill pid...\n"
	"End each program (a pid from ps) that this program or its parent started, or a\n"
	"descendant of those.\n";

/* A pid: digits only, 1 .. 2^31 - 1. 0 if s is not one. */
static int parse_pid(const char *s)
{
	uint64_t v = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > 0x7fffffff)
			return 0;
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	struct mnos_getopt g = MNOS_GETOPT_INIT;
	int r, status = 0;

	if ((r = mnos_getopt(&g, argc, argv, "")) != MNOS_OPT_END)
		return mnos_cmd_bad_option("kill", usage, r, &g);
	if (g.ind >= argc)
		return mnos_cmd_usage_error("kill", usage, "no pid named");
	for (int i = g.ind; i < argc; i++)
		if (!parse_pid(argv[i]))
			return mnos_cmd_usage_error("kill", usage, "%s: not a pid", argv[i]);
	for (int i = g.ind; i < argc; i++) {
		int e = kill(parse_pid(argv[i]));
		if (e == -E_PERM) {
			fprintf(stderr, "kill: %s: not permitted (neither started by this "
				"program nor by its parent)\n", argv[i]);
			status = 1;
		} else if (e < 0) {
			status = mnos_cmd_error("kill", argv[i], e);
		}
	}
	return status;
}
