/*
 * A program the process-service tests start (user/ptest, docs/PROCESSES.md): each mode
 * ends in its own way, so the status its parent's wait gets can be checked.
 *
 *   pchild exit <n>            main returns n
 *   pchild thread-exit <n>     a second thread calls exit(n) while main sleeps
 *   pchild vanish              main ends its thread without exit (no status reported)
 *   pchild fault               writes to a low address, never mapped (a page fault)
 *   pchild sleep               sleeps until killed
 *   pchild spin                runs until killed
 *   pchild env <name> <value>  0 if getenv(name) is value, 1 if it differs, 2 if unset
 *   pchild args <a>...         the argument count, if argv[0] is "pchild" (else 100)
 *   pchild spawn <n>           starts n children "pchild exit <i>" (i = 1..n), waits
 *                              for any n times: the sum of their codes, 200 on a mistake
 *   pchild orphan              starts "pchild sleep", then waits for it (until killed)
 *   pchild kill <pid>          kill(pid): 0 if it was allowed, 1 if refused (E_PERM),
 *                              2 if there is no such process, 3 for anything else
 *   pchild kill-via-child <pid>
 *                              starts "pchild kill <pid>" and returns its code (200 if
 *                              it could not): a kill by a grandchild of the caller
 */
#include <mnos.h>

static int code;

static void exit_thread(void *unused)
{
	exit(code);
}

static int spawn_children(int n)
{
	int sum = 0;

	for (int i = 1; i <= n; i++) {
		char num[8];
		snprintf(num, sizeof(num), "%d", i);
		const char *argv[] = { "pchild", "exit", num, NULL };
		if (spawn("test/pchild", argv, NULL) <= 0)
			return 200;
	}
	for (int i = 0; i < n; i++) {
		int status;
		if (wait(0, &status) <= 0 || MNOS_PROC_HOW(status) != MNOS_PROC_EXITED)
			return 200;
		sum += MNOS_PROC_CODE(status);
	}
	return wait(0, NULL) == -E_NOT_FOUND ? sum : 200;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (strcmp(mode, "exit") == 0 && argc == 3)
		return atoi(argv[2]);
	if (strcmp(mode, "thread-exit") == 0 && argc == 3) {
		code = atoi(argv[2]);
		if (mnos_thread_start(exit_thread, NULL, 0, NULL) != E_OK)
			return 100;
		for (;;)
			mnos_sleep(1000000000);
	}
	if (strcmp(mode, "vanish") == 0)
		mnos_thread_exit();
	/* Below MNOS_USER_BASE: never mapped. The store is the CPU's, in assembly: in C it
	 * would be a misaligned access, which a UBSAN=1 build reports and aborts on before
	 * the CPU could fault. */
	if (strcmp(mode, "fault") == 0)
		__asm__ volatile("movl $0, (%0)" :: "r"((uintptr_t)argc) : "memory");
	if (strcmp(mode, "sleep") == 0)
		for (;;)
			mnos_sleep(1000000000);
	if (strcmp(mode, "spin") == 0)
		for (volatile int i = 0;; i++)
			;
	if (strcmp(mode, "env") == 0 && argc == 4) {
		const char *v = getenv(argv[2]);
		return !v ? 2 : strcmp(v, argv[3]) != 0;
	}
	if (strcmp(mode, "args") == 0)
		return strcmp(argv[0], "pchild") == 0 && argv[argc] == NULL ? argc : 100;
	if (strcmp(mode, "spawn") == 0 && argc == 3)
		return spawn_children(atoi(argv[2]));
	if (strcmp(mode, "orphan") == 0) {
		const char *sleeper[] = { "pchild", "sleep", NULL };
		int pid = spawn("test/pchild", sleeper, NULL);
		if (pid <= 0)
			return 100;
		wait(pid, NULL);
		return 101;                     /* its sleeper was killed (by an ancestor) */
	}
	if (strcmp(mode, "kill") == 0 && argc == 3) {
		int e = kill(atoi(argv[2]));
		return e == 0 ? 0 : e == -E_PERM ? 1 : e == -E_NOT_FOUND ? 2 : 3;
	}
	if (strcmp(mode, "kill-via-child") == 0 && argc == 3) {
		const char *k[] = { "pchild", "kill", argv[2], NULL };
		int status, pid = spawn("test/pchild", k, NULL);
		if (pid <= 0 || wait(pid, &status) != pid ||
		    MNOS_PROC_HOW(status) != MNOS_PROC_EXITED)
			return 200;
		return MNOS_PROC_CODE(status);
	}
	return 127;
}
