/*
 * ptest: the end-to-end test of the process service (docs/PROCESSES.md, "Testing"). The
 * init test client (user/ctest) starts it through the service and waits for it; it
 * starts user/pchild in its modes through libmnos's spawn, wait and kill, reports each
 * test as a KTAP subtest through the console service, and exits with the number of
 * failures.
 */
#include <mnos.h>

#define SECOND          1000000000ull
#define CHILD           "bin/pchild"
#define LIST_ROOM       64

static unsigned n, failed;
static bool ok;                                 /* the current test's */

static void check(bool cond, const char *what, long got)
{
	if (!cond) {
		printf("    # %s (got %ld)\n", what, got);
		ok = false;
	}
}

#define CHECK(cond, got)        check((cond), #cond, (long)(got))
/* expr == want, saying what expr gave if not. */
#define EXPECT(expr, want)      do { long got_ = (long)(expr); \
				     check(got_ == (long)(want), #expr " == " #want, got_); \
				} while (0)

static void run(const char *name, void (*fn)(void))
{
	ok = true;
	fn();
	n++;
	failed += !ok;
	printf("    %s %u proc.%s\n", ok ? "ok" : "not ok", n, name);
}

/* spawn pchild with up to four arguments after its mode. */
static int child(const char *mode, const char *a1, const char *a2)
{
	const char *argv[] = { "pchild", mode, a1, a2, NULL };

	return spawn(CHILD, argv, NULL);
}

/* Wait for pid; its status, or -1 (and the test fails) if the wait did. */
static int status_of(int pid)
{
	int status = -1, got = wait(pid, &status);

	check(got == pid, "wait returns the pid", got);
	return got == pid ? status : -1;
}

/* The process list's line for pid, in *info: false if it is not listed. */
static bool listed(uint32_t pid, struct mnos_proc_info *info)
{
	static struct mnos_proc_info all[LIST_ROOM];
	size_t count;

	if (mnos_process_list(all, LIST_ROOM, &count) != E_OK)
		return false;
	for (size_t i = 0; i < count; i++)
		if (all[i].pid == pid) {
			if (info)
				*info = all[i];
			return true;
		}
	return false;
}

/* ---- the tests ---- */

static void exit_codes(void)
{
	static const char *const codes[] = { "0", "1", "42", "255", "256", "-1" };
	static const int want[] = { 0, 1, 42, 255, 0, 255 };

	for (unsigned i = 0; i < ARRAY_SIZE(codes); i++) {
		int pid = child("exit", codes[i], NULL);
		CHECK(pid > 0, pid);
		int s = status_of(pid);
		CHECK(s == MNOS_PROC_STATUS(MNOS_PROC_EXITED, want[i]), s);
	}
}

static void exit_from_a_thread_ends_the_process(void)
{
	int s = status_of(child("thread-exit", "9", NULL));

	CHECK(s == MNOS_PROC_STATUS(MNOS_PROC_EXITED, 9), s);
}

static void ending_without_exit_and_faults(void)
{
	int s = status_of(child("vanish", NULL, NULL));
	CHECK(s == MNOS_PROC_STATUS(MNOS_PROC_VANISHED, 0), s);
	s = status_of(child("fault", NULL, NULL));
	CHECK(s == MNOS_PROC_STATUS(MNOS_PROC_FAULTED, 0), s);
}

static void kill_ends_sleeping_and_running_programs(void)
{
	static const char *const modes[] = { "sleep", "spin" };

	for (unsigned i = 0; i < ARRAY_SIZE(modes); i++) {
		int pid = child(modes[i], NULL, NULL);
		CHECK(pid > 0, pid);
		mnos_sleep(SECOND / 50);
		int e = kill(pid);
		CHECK(e == 0, e);
		int s = status_of(pid);
		CHECK(s == MNOS_PROC_STATUS(MNOS_PROC_KILLED, 0), s);
		e = kill(pid);                  /* waited for: gone */
		CHECK(e == -E_NOT_FOUND, e);
	}
}

static void arguments_and_environment_arrive(void)
{
	const char *argv[] = { "pchild", "args", "b", "c", NULL };
	int s = status_of(spawn(CHILD, argv, NULL));
	CHECK(s == MNOS_PROC_STATUS(MNOS_PROC_EXITED, 4), s);

	const char *envv[] = { "pchild", "env", "HOME", "/home/test", NULL };
	const char *envp[] = { "PATH=/bin", "HOME=/home/test", "EMPTY=", NULL };
	s = status_of(spawn(CHILD, envv, envp));
	CHECK(s == MNOS_PROC_STATUS(MNOS_PROC_EXITED, 0), s);
	const char *empty[] = { "pchild", "env", "EMPTY", "", NULL };
	s = status_of(spawn(CHILD, empty, envp));
	CHECK(s == MNOS_PROC_STATUS(MNOS_PROC_EXITED, 0), s);
	s = status_of(spawn(CHILD, envv, NULL));         /* no environment */
	CHECK(s == MNOS_PROC_STATUS(MNOS_PROC_EXITED, 2), s);
}

static void wait_for_any_child(void)
{
	bool seen[4] = { false };

	for (int i = 1; i <= 3; i++) {
		char c[2] = { (char)('0' + i), 0 };
		CHECK(child("exit", c, NULL) > 0, i);
	}
	for (int i = 0; i < 3; i++) {
		int status, pid = wait(0, &status);
		CHECK(pid > 0 && MNOS_PROC_HOW(status) == MNOS_PROC_EXITED, pid);
		int code = MNOS_PROC_CODE(status);
		if (code >= 1 && code <= 3)
			seen[code] = true;
	}
	CHECK(seen[1] && seen[2] && seen[3], 0);
	int e = wait(0, NULL);
	CHECK(e == -E_NOT_FOUND, e);            /* no children left */
}

static void nohang_wait_does_not_block(void)
{
	int pid = child("sleep", NULL, NULL);
	uint32_t got;
	int status;

	int e = mnos_process_wait((uint32_t)pid, MNOS_PROC_NOHANG, &got, &status);
	CHECK(e == E_WOULD_BLOCK, e);
	CHECK(kill(pid) == 0, pid);
	status = status_of(pid);
	CHECK(status == MNOS_PROC_STATUS(MNOS_PROC_KILLED, 0), status);
}

static void programs_start_programs(void)
{
	/* pchild spawn 3: its children exit 1, 2, 3, and it waits for them. */
	int s = status_of(child("spawn", "3", NULL));

	CHECK(s == MNOS_PROC_STATUS(MNOS_PROC_EXITED, 6), s);
}

static void the_list_shows_running_programs(void)
{
	int a = child("sleep", NULL, NULL), b = child("exit", "7", NULL);
	struct mnos_proc_info ia, ib, self;

	mnos_sleep(SECOND / 20);                /* b ends, and is not waited for yet */
	CHECK(listed((uint32_t)a, &ia), a);
	CHECK(listed((uint32_t)b, &ib), b);
	CHECK(ia.state == MNOS_PROC_RUNNING, ia.state);
	CHECK(strcmp(ia.name, "pchild") == 0, 0);
	CHECK(ia.mem >= 64 * 1024 && ia.quota == 1024 * 1024, ia.mem);
	CHECK(ib.state == MNOS_PROC_ZOMBIE, ib.state);
	CHECK(ib.status == MNOS_PROC_STATUS(MNOS_PROC_EXITED, 7), ib.status);
	CHECK(ia.ppid == ib.ppid && listed(ia.ppid, &self), ia.ppid);
	CHECK(strcmp(self.name, "ptest") == 0, 0);
	printf("    # pid ppid state mem quota name\n");
	printf("    # %u %u %u %llu %llu %s\n", ia.pid, ia.ppid, ia.state,
	       (unsigned long long)ia.mem, (unsigned long long)ia.quota, ia.name);
	CHECK(kill(a) == 0, a);
	CHECK(status_of(a) == MNOS_PROC_STATUS(MNOS_PROC_KILLED, 0), a);
	CHECK(status_of(b) == MNOS_PROC_STATUS(MNOS_PROC_EXITED, 7), b);
	CHECK(!listed((uint32_t)a, NULL) && !listed((uint32_t)b, NULL), 0);
}

static void bad_requests_get_clear_errors(void)
{
	const char *argv[] = { "x", NULL };

	EXPECT(spawn("bin/no-such-program", argv, NULL), -E_NOT_FOUND);
	EXPECT(spawn("bin", argv, NULL), -E_TYPE);
	EXPECT(spawn("", argv, NULL), -E_INVAL);
	EXPECT(spawn("../bin/pchild", argv, NULL), -E_INVAL);

	struct mnos_proc_spawn a = { .path = "etc/init.conf" };
	uint32_t pid;
	int why;
	EXPECT(mnos_process_spawn(&a, &pid, &why), E_INVAL);
	EXPECT(why, ELF_E_MAGIC);
	a = (struct mnos_proc_spawn){ .path = CHILD, .quota = 1ull << 40 };
	EXPECT(mnos_process_spawn(&a, &pid, NULL), E_RANGE);
	a = (struct mnos_proc_spawn){ .path = CHILD, .nslots = 1u << 20 };
	EXPECT(mnos_process_spawn(&a, &pid, NULL), E_RANGE);

	EXPECT(kill(0x7ffffff0), -E_NOT_FOUND);
	EXPECT(kill(-3), -E_INVAL);
	EXPECT(wait(0x7ffffff0, NULL), -E_NOT_FOUND);
	EXPECT(wait(0, NULL), -E_NOT_FOUND);  /* no children */

	/* Requests that break the protocol, by hand. */
	uint32_t svc = mnos_process_cap();
	struct mnos_ipc_buffer *buf = mnos_ipc_buffer();
	struct mnos_rpc_msg req = { .w = { MNOS_PROC_COUNTS(2, 0, 0) }, .data = "bin/pchild\0x",
				    .len = 12 };
	EXPECT(mnos_rpc_call(svc, buf, PROC_SPAWN, &req, NULL), E_INVAL);
	req = (struct mnos_rpc_msg){ .w = { MNOS_PROC_COUNTS(0, 0, 1) }, .data = "bin/pchild",
				     .len = 11 };
	EXPECT(mnos_rpc_call(svc, buf, PROC_SPAWN, &req, NULL), E_INVAL);
	req = (struct mnos_rpc_msg){ .w = { MNOS_PROC_COUNTS(1000, 0, 0) } };
	EXPECT(mnos_rpc_call(svc, buf, PROC_SPAWN, &req, NULL), E_RANGE);
	EXPECT(mnos_rpc_call_words(svc, 99, NULL, NULL), E_NOSYS);
	EXPECT(mnos_rpc_call_words(svc, PROC_CONNECT, NULL, NULL), E_PERM);
	uint64_t w[MNOS_RPC_WORDS] = { 0, 0x80 };
	EXPECT(mnos_rpc_call_words(svc, PROC_WAIT, w, NULL), E_INVAL);
}

/* "pchild orphan" (it starts a sleeper and waits for it: a client held in a request),
 * and the sleeper's pid, once the list shows it, in *grandchild (0: it never did). */
static int orphan_and_sleeper(uint32_t *grandchild)
{
	int parent = child("orphan", NULL, NULL);
	static struct mnos_proc_info all[LIST_ROOM];
	size_t count;

	*grandchild = 0;
	for (int i = 0; i < 200 && !*grandchild; i++) {
		mnos_sleep(SECOND / 100);
		if (mnos_process_list(all, LIST_ROOM, &count) == E_OK)
			for (size_t k = 0; k < count; k++)
				if (all[k].ppid == (uint32_t)parent)
					*grandchild = all[k].pid;
	}
	CHECK(*grandchild, parent);
	return parent;
}

static void a_grandchild_cannot_be_waited_for_until_adopted(void)
{
	uint32_t grandchild;
	int parent = orphan_and_sleeper(&grandchild);

	mnos_sleep(SECOND / 20);                /* the parent is in its wait now */
	EXPECT(wait((int)grandchild, NULL), -E_PERM);   /* not this program's child */

	/* Killed in the middle of its wait: the service drops the wait, and the sleeper
	 * goes to this program. */
	CHECK(kill(parent) == 0, parent);
	int s = status_of(parent);
	CHECK(s == MNOS_PROC_STATUS(MNOS_PROC_KILLED, 0), s);
	struct mnos_proc_info gi;
	CHECK(listed(grandchild, &gi) && gi.ppid != (uint32_t)parent, gi.ppid);
	EXPECT(kill((int)grandchild), 0);
	s = status_of((int)grandchild);
	CHECK(s == MNOS_PROC_STATUS(MNOS_PROC_KILLED, 0), s);
}

/* "pchild kill <pid>" run by this program, or by a child of it: its exit code. */
static int kill_by(const char *mode, int pid)
{
	char num[12];

	snprintf(num, sizeof(num), "%d", pid);
	return status_of(child(mode, num, NULL));
}

/*
 * The kill rule (docs/PROCESSES.md, "Waiting, killing, parents"): a program may kill
 * what its parent started — how a kill run from a shell reaches the shell's other
 * jobs — and their descendants, and what it started itself; not its parent, and not
 * what a parent's sibling started.
 */
static void kill_reaches_siblings_only(void)
{
	const int killed = MNOS_PROC_STATUS(MNOS_PROC_KILLED, 0);
	int s1 = child("sleep", NULL, NULL), s2 = child("sleep", NULL, NULL);
	struct mnos_proc_info info;

	CHECK(s1 > 0 && s2 > 0, s2);
	CHECK(listed((uint32_t)s2, &info), s2);
	int me = (int)info.ppid;
	/* A sibling: allowed. */
	EXPECT(kill_by("kill", s1), MNOS_PROC_STATUS(MNOS_PROC_EXITED, 0));
	EXPECT(status_of(s1), killed);
	/* Its parent, this program: refused. */
	EXPECT(kill_by("kill", me), MNOS_PROC_STATUS(MNOS_PROC_EXITED, 1));
	/* From a grandchild: s2 is its parent's sibling, started by someone else. */
	EXPECT(kill_by("kill-via-child", s2), MNOS_PROC_STATUS(MNOS_PROC_EXITED, 1));
	CHECK(listed((uint32_t)s2, &info) && info.state == MNOS_PROC_RUNNING, info.state);
	/* A grandchild's sibling, by this program's own hand: an ancestor may. */
	uint32_t g;
	int mid = orphan_and_sleeper(&g);
	EXPECT(kill((int)g), 0);
	/* The orphan's wait for g returns, and it ends with 101. */
	EXPECT(status_of(mid), MNOS_PROC_STATUS(MNOS_PROC_EXITED, 101));
	EXPECT(kill(s2), 0);
	EXPECT(status_of(s2), killed);
	EXPECT(kill_by("kill", 0x7ffffff0), MNOS_PROC_STATUS(MNOS_PROC_EXITED, 2));
}

static void many_programs_at_once_up_to_the_limit(void)
{
	int pids[MNOS_PROC_CHILDREN_MAX];
	int started = 0;

	for (int i = 0; i < MNOS_PROC_CHILDREN_MAX; i++) {
		pids[i] = child("sleep", NULL, NULL);
		started += pids[i] > 0;
		if (pids[i] <= 0)
			printf("    # spawn %d: %s\n", i, kerr_name((kerr_t)-pids[i]));
	}
	CHECK(started == MNOS_PROC_CHILDREN_MAX, started);
	EXPECT(child("exit", "0", NULL), -E_NO_MEMORY);       /* the limit */
	for (int i = 0; i < MNOS_PROC_CHILDREN_MAX; i++)
		if (pids[i] > 0)
			CHECK(kill(pids[i]) == 0, pids[i]);
	for (int i = 0; i < started; i++) {
		int status, pid = wait(0, &status);
		CHECK(pid > 0 && status == MNOS_PROC_STATUS(MNOS_PROC_KILLED, 0), pid);
	}
	/* Below the limit again. */
	int s = status_of(child("exit", "3", NULL));
	CHECK(s == MNOS_PROC_STATUS(MNOS_PROC_EXITED, 3), s);
}

int main(int argc, char **argv)
{
	for (int i = 0; i < 500 && mnos_console_open() != E_OK; i++)
		mnos_sleep(SECOND / 100);
	mnos_console_use_for_output();
	printf("ptest: the process service's tests\n");
	run("exit_codes_reach_the_parent", exit_codes);
	run("exit_from_a_thread_ends_the_process", exit_from_a_thread_ends_the_process);
	run("ending_without_exit_and_faults", ending_without_exit_and_faults);
	run("kill_ends_sleeping_and_running_programs", kill_ends_sleeping_and_running_programs);
	run("arguments_and_environment_arrive", arguments_and_environment_arrive);
	run("wait_for_any_child", wait_for_any_child);
	run("nohang_wait_does_not_block", nohang_wait_does_not_block);
	run("programs_start_programs", programs_start_programs);
	run("the_list_shows_running_programs", the_list_shows_running_programs);
	run("bad_requests_get_clear_errors", bad_requests_get_clear_errors);
	run("orphans_go_to_the_grandparent", a_grandchild_cannot_be_waited_for_until_adopted);
	run("kill_reaches_siblings_not_parents_or_strangers", kill_reaches_siblings_only);
	run("many_programs_at_once_up_to_the_limit", many_programs_at_once_up_to_the_limit);
	printf("ptest: %u passed, %u failed\n", n - failed, failed);
	return (int)failed;
}
