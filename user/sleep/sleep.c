/*
 * sleep: wait a while (docs/COMMANDS.md).
 *
 *   sleep seconds
 *
 * Fractions are fine ("0.5"), and a unit may follow: s, m, h or d.
 */
#include <mnos.h>
#include <mnos/cmd.h>
#include "duration.h"

static const char usage[] =
	"usage: sleep seconds\n"
	"Wait that long: a decimal number, fractions too (0.5), optionally followed by a\n"
	"unit: s (seconds, the default), m (minutes), h (hours), d (days).\n";

int main(int argc, char **argv)
{
	struct mnos_getopt g = MNOS_GETOPT_INIT;
	uint64_t ns;
	int r;

	if ((r = mnos_getopt(&g, argc, argv, "")) != MNOS_OPT_END)
		return mnos_cmd_bad_option("sleep", usage, r, &g);
	if (argc - g.ind != 1)
		return mnos_cmd_usage_error("sleep", usage, argc == g.ind ? "no time given" :
					    "one time only");
	int e = sleep_parse(argv[g.ind], &ns);
	if (e == E_RANGE)
		return mnos_cmd_usage_error("sleep", usage, "%s: too long", argv[g.ind]);
	if (e != E_OK)
		return mnos_cmd_usage_error("sleep", usage, "%s: not a time", argv[g.ind]);
	mnos_sleep(ns);
	return 0;
}
