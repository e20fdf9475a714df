/*
 * echo: its arguments, separated by spaces, on standard output (docs/COMMANDS.md).
 *
 *   echo [-n] [word]...
 *
 * Options come first, as for every command: "echo hello -n" prints "hello -n".
 */
#include <mnos.h>
#include <mnos/cmd.h>

static const char usage[] =
	"usage: echo [-n] [word]...\n"
	"Write the words, separated by spaces, and a newline to standard output.\n"
	"  -n  no newline at the end\n";

int main(int argc, char **argv)
{
	struct mnos_getopt g = MNOS_GETOPT_INIT;
	bool newline = true;
	int r;

	while ((r = mnos_getopt(&g, argc, argv, "n")) != MNOS_OPT_END) {
		if (r == 'n')
			newline = false;
		else
			return mnos_cmd_bad_option("echo", usage, r, &g);
	}
	for (int i = g.ind; i < argc; i++)
		printf("%s%s", i > g.ind ? " " : "", argv[i]);
	if (newline)
		printf("\n");
	return 0;
}
