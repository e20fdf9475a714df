/*
 * uptime: how long the system has run (docs/COMMANDS.md): "up 0:00:12", from
 * system_info's clock.
 *
 *   uptime
 */
#include <mnos.h>
#include <mnos/cmd.h>
#include "since.h"

static const char usage[] =
	"usage: uptime\n"
	"How long the system has run: up [days,] hours:minutes:seconds.\n";

int main(int argc, char **argv)
{
	struct mnos_getopt g = MNOS_GETOPT_INIT;
	struct mnos_sysinfo si;
	char buf[48];
	int r;

	if ((r = mnos_getopt(&g, argc, argv, "")) != MNOS_OPT_END)
		return mnos_cmd_bad_option("uptime", usage, r, &g);
	if (g.ind < argc)
		return mnos_cmd_usage_error("uptime", usage, "no operands taken");
	int e = mnos_system_info((uint64_t)(uintptr_t)&si, sizeof(si));
	if (e != E_OK)
		return mnos_cmd_error("uptime", "system_info", e);
	printf("%s\n", uptime_format(buf, sizeof(buf), si.uptime_ns));
	return 0;
}
