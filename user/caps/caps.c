/*
 * caps: the capabilities this program holds (docs/COMMANDS.md), each slot asked with
 * cap_identify: slot, type, rights (letters, see rights.h), badge, and the name it was
 * given under at start (the start information's), if any.
 *
 *   caps
 *
 * Run from a shell, that is what the process service gives every program it starts
 * (proc, names, and what the shell passed on) and what the library has made since.
 */
#include <mnos.h>
#include <mnos/cmd.h>
#include "rights.h"

static const char usage[] =
	"usage: caps\n"
	"List the capabilities this program holds: slot, type, rights, badge and the name\n"
	"it was started with. Rights: d derive, g grant; endpoint s send, r receive;\n"
	"reply s send; notification s signal, w wait; memory r read, w write, x execute;\n"
	"process, thread, irq, ioport c control; - a right missing.\n";

static const char *start_name(uint32_t slot)
{
	const struct mnos_start_info *si = mnos_start_info;

	for (uint32_t i = 0; i < si->ncaps && i < MNOS_START_MAX_CAPS; i++)
		if (si->caps[i].slot == slot)
			return si->caps[i].name;
	return "";
}

int main(int argc, char **argv)
{
	struct mnos_getopt g = MNOS_GETOPT_INIT;
	int r;

	if ((r = mnos_getopt(&g, argc, argv, "")) != MNOS_OPT_END)
		return mnos_cmd_bad_option("caps", usage, r, &g);
	if (g.ind < argc)
		return mnos_cmd_usage_error("caps", usage, "no operands taken");
	printf(" SLOT TYPE         RIGHTS BADGE              NAME\n");
	/* Every slot there is: the start information's count, or until the kernel says
	 * there are no more (E_RANGE). */
	uint32_t end = mnos_start_info->nslots ? mnos_start_info->nslots : UINT32_MAX;
	for (uint32_t s = 1; s < end; s++) {
		uint64_t type, rights, badge;
		int e = mnos_cap_identify(s, &type, &rights, &badge);
		if (e == E_RANGE)
			break;
		if (e != E_OK)
			continue;               /* empty */
		char tb[16], rb[32], bb[24];
		if (badge)
			snprintf(bb, sizeof(bb), "%#llx", (unsigned long long)badge);
		else
			strlcpy(bb, "-", sizeof(bb));
		printf("%5u %-12s %-6s %-18s %.*s\n", s,
		       caps_type_name((uint32_t)type, tb, sizeof(tb)),
		       caps_rights((uint32_t)type, (uint32_t)rights, rb, sizeof(rb)), bb,
		       MNOS_START_CAP_NAME, start_name(s));
	}
	return 0;
}
