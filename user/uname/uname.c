/*
 * uname: what system this is (docs/COMMANDS.md), from system_info.
 *
 *   uname [-asrvm]
 *
 * Fields in a fixed order, separated by spaces: kernel name (-s, the default), release
 * (-r: the version the boot banner prints), build (-v: the banner's build id), machine
 * (-m). -a is all four and the CPUs online.
 */
#include <mnos.h>
#include <mnos/cmd.h>

static const char usage[] =
	"usage: uname [-asrvm]\n"
	"Print what system this is; with no option, the kernel's name.\n"
	"  -s  kernel name     -r  release     -v  build id     -m  machine\n"
	"  -a  all of these and the number of CPUs online\n";

enum { NAME = 1, RELEASE = 2, BUILD = 4, MACHINE = 8, CPUS = 16 };

int main(int argc, char **argv)
{
	struct mnos_getopt g = MNOS_GETOPT_INIT;
	struct mnos_sysinfo si;
	unsigned what = 0;
	int r;

	while ((r = mnos_getopt(&g, argc, argv, "asrvm")) != MNOS_OPT_END) {
		switch (r) {
		case 'a': what |= NAME | RELEASE | BUILD | MACHINE | CPUS; break;
		case 's': what |= NAME; break;
		case 'r': what |= RELEASE; break;
		case 'v': what |= BUILD; break;
		case 'm': what |= MACHINE; break;
		default: return mnos_cmd_bad_option("uname", usage, r, &g);
		}
	}
	if (g.ind < argc)
		return mnos_cmd_usage_error("uname", usage, "no operands taken");
	int e = mnos_system_info((uint64_t)(uintptr_t)&si, sizeof(si));
	if (e != E_OK)
		return mnos_cmd_error("uname", "system_info", e);
	if (!what)
		what = NAME;
	const char *field[] = { si.kernel, si.release, si.build, si.machine };
	const char *sep = "";
	for (unsigned i = 0; i < 4; i++)
		if (what & (1u << i)) {
			printf("%s%.*s", sep, MNOS_SYSINFO_STR, field[i]);
			sep = " ";
		}
	if (what & CPUS)
		printf("%s%u CPU%s", sep, si.cpus_online, si.cpus_online == 1 ? "" : "s");
	printf("\n");
	return 0;
}
