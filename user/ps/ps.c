/*
 * ps: the programs the process service runs (docs/COMMANDS.md, docs/PROCESSES.md).
 *
 *   ps
 *
 * One line a process, in pid order: pid, parent pid (0: started by a client the service
 * did not start, such as a service of init's), state, memory and name. Memory is what
 * the service made for it (its image and stack); services that init started are not
 * the process service's and are not listed.
 */
#include <mnos.h>
#include <mnos/cmd.h>

static const char usage[] =
	"usage: ps\n"
	"List the programs the process service runs: pid, parent pid, state, memory (image\n"
	"and stack), name.\n";

#define ROOM    128                     /* more than the service's table holds */

static struct mnos_proc_info list[ROOM];

static const char *state_name(const struct mnos_proc_info *p, char *buf, size_t size)
{
	switch (p->state) {
	case MNOS_PROC_RUNNING:
		return "run";
	case MNOS_PROC_EXITING:
		return "exiting";
	case MNOS_PROC_ZOMBIE:
		if (MNOS_PROC_HOW(p->status) == MNOS_PROC_EXITED)
			snprintf(buf, size, "exit %d", MNOS_PROC_CODE(p->status));
		else
			snprintf(buf, size, "%s", MNOS_PROC_HOW(p->status) == MNOS_PROC_KILLED ?
				 "killed" : MNOS_PROC_HOW(p->status) == MNOS_PROC_FAULTED ?
				 "fault" : "ended");
		return buf;
	default:
		snprintf(buf, size, "state %u", p->state);
		return buf;
	}
}

int main(int argc, char **argv)
{
	struct mnos_getopt g = MNOS_GETOPT_INIT;
	size_t n;
	int r;

	if ((r = mnos_getopt(&g, argc, argv, "")) != MNOS_OPT_END)
		return mnos_cmd_bad_option("ps", usage, r, &g);
	if (g.ind < argc)
		return mnos_cmd_usage_error("ps", usage, "no operands taken");
	int e = mnos_process_list(list, ROOM, &n);
	if (e != E_OK && e != E_RANGE)
		return mnos_cmd_error("ps", "the process service", e);
	printf("  PID  PPID STATE        MEM NAME\n");
	for (size_t i = 0; i < n; i++) {
		char st[16], mem[16];
		printf("%5u %5u %-8s %8s %s\n", list[i].pid, list[i].ppid,
		       state_name(&list[i], st, sizeof(st)),
		       mnos_fmt_size(mem, sizeof(mem), list[i].mem), list[i].name);
	}
	return 0;
}
