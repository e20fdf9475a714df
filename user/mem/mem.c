/*
 * mem: physical memory and the kernel heap (docs/COMMANDS.md), from system_info.
 *
 *   mem [-k]
 *
 * Physical memory is what the kernel's frame allocator manages: total, used and free.
 * The kernel heap's total is what it has mapped, used what its live blocks take.
 */
#include <mnos.h>
#include <mnos/cmd.h>

static const char usage[] =
	"usage: mem [-k]\n"
	"Physical memory (total, used, free) and the kernel heap (mapped, in use, spare).\n"
	"  -k  in KiB (otherwise B, KiB, MiB or GiB, whichever reads best)\n";

static bool kib;

static void cell(uint64_t bytes)
{
	char buf[24];

	if (kib)
		printf(" %10llu", (unsigned long long)(bytes / 1024));
	else
		printf(" %10s", mnos_fmt_size(buf, sizeof(buf), bytes));
}

static void row(const char *what, uint64_t total, uint64_t used)
{
	printf("%-12s", what);
	cell(total);
	cell(used);
	cell(total > used ? total - used : 0);      /* figures read apart */
	printf("\n");
}

int main(int argc, char **argv)
{
	struct mnos_getopt g = MNOS_GETOPT_INIT;
	struct mnos_sysinfo si;
	int r;

	while ((r = mnos_getopt(&g, argc, argv, "k")) != MNOS_OPT_END) {
		if (r == 'k')
			kib = true;
		else
			return mnos_cmd_bad_option("mem", usage, r, &g);
	}
	if (g.ind < argc)
		return mnos_cmd_usage_error("mem", usage, "no operands taken");
	int e = mnos_system_info((uint64_t)(uintptr_t)&si, sizeof(si));
	if (e != E_OK)
		return mnos_cmd_error("mem", "system_info", e);
	printf("%-12s %10s %10s %10s\n", kib ? "KiB" : "", "total", "used", "free");
	row("memory", si.mem_total, si.mem_total - si.mem_free);
	row("kernel heap", si.heap_held, si.heap_in_use);
	return 0;
}
