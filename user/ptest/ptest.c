/*
 * ptest: the end-to-end test of the process service (docs/PROCESSES.md, "Testing"). The
 * init test client (user/ctest) starts it through the service and waits for it; it
 * starts user/pchild in its modes through libmnos's spawn, wait and kill, reports each
 * test as a KTAP subtest through the console service, and exits with the number of
 * failures. Its last tests run the commands of /bin the same way (docs/COMMANDS.md),
 * with their output redirected to files: statuses, output, errors, and what they do to
 * files.
 */
#include <mnos.h>

#define SECOND          1000000000ull
#define CHILD           "test/pchild"
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

	EXPECT(spawn("test/no-such-program", argv, NULL), -E_NOT_FOUND);
	EXPECT(spawn("test", argv, NULL), -E_TYPE);
	EXPECT(spawn("", argv, NULL), -E_INVAL);
	EXPECT(spawn("../test/pchild", argv, NULL), -E_INVAL);

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
	struct mnos_rpc_msg req = { .w = { MNOS_PROC_COUNTS(2, 0, 0) }, .data = CHILD "\0x",
				    .len = sizeof(CHILD "\0x") - 1 };
	EXPECT(mnos_rpc_call(svc, buf, PROC_SPAWN, &req, NULL), E_INVAL);
	req = (struct mnos_rpc_msg){ .w = { MNOS_PROC_COUNTS(0, 0, 1) }, .data = CHILD,
				     .len = sizeof(CHILD) };
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

/* ---- the commands of /bin (docs/COMMANDS.md) ---- */

/*
 * Each command runs with its standard output and error redirected to files of the
 * tmpfs (MNOS_STDOUT, MNOS_STDERR: docs/USERSPACE.md, "Standard input and output"),
 * emptied first, and read back afterwards into out and err: so its output is checked,
 * and none of it reaches the console.
 */
#define OUT_FILE        "/tmp/ptest.out"
#define ERR_FILE        "/tmp/ptest.err"
#define IN_FILE         "/tmp/ptest.in"

static char out[160 * 1024], err[2048];

/* The whole file, NUL-terminated, into buf: its length, or -1 (and the test fails). */
static long slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	long len = fd < 0 ? fd : read(fd, buf, size - 1);

	if (fd >= 0)
		close(fd);
	CHECK(len >= 0 && (size_t)len < size - 1, len); /* all of it, and room to spare */
	buf[len < 0 ? 0 : len] = '\0';
	return len;
}

static void empty(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC);

	CHECK(fd >= 0, fd);
	close(fd);
}

/* Run bin/<argv[0]> with argv, standard input from stdin_path if not NULL, and wait:
 * its exit code, or -1 (and the test fails) if it did not exit. */
static int command_in(const char *stdin_path, const char *const argv[])
{
	char path[32], in_env[MNOS_PATH_MAX + 16];
	const char *envp[] = { "MNOS_STDOUT=" OUT_FILE, "MNOS_STDERR=" ERR_FILE, in_env, NULL };

	snprintf(in_env, sizeof(in_env), "MNOS_STDIN=%s", stdin_path ? stdin_path : "");
	if (!stdin_path)
		envp[2] = NULL;
	snprintf(path, sizeof(path), "bin/%s", argv[0]);
	empty(OUT_FILE);
	empty(ERR_FILE);
	int pid = spawn(path, argv, envp);
	CHECK(pid > 0, pid);
	int s = pid > 0 ? status_of(pid) : -1;
	slurp(OUT_FILE, out, sizeof(out));
	slurp(ERR_FILE, err, sizeof(err));
	if (MNOS_PROC_HOW(s) != MNOS_PROC_EXITED) {
		printf("    # %s ended with status %#x\n", argv[0], s);
		ok = false;
		return -1;
	}
	return MNOS_PROC_CODE(s);
}

#define RUN(...)        command_in(NULL, (const char *const[]){ __VA_ARGS__, NULL })
#define RUN_IN(in, ...) command_in(in, (const char *const[]){ __VA_ARGS__, NULL })

/* What the last command wrote: exactly want, or starting with it. */
#define OUT_IS(want)    check(strcmp(out, want) == 0, "stdout is " #want, (long)strlen(out))
#define ERR_IS(want)    check(strcmp(err, want) == 0, "stderr is " #want, (long)strlen(err))
#define OUT_HAS(want)   check(strstr(out, want) != NULL, "stdout has " #want, 0)
#define ERR_STARTS(want) check(strncmp(err, want, strlen(want)) == 0, "stderr starts " #want, 0)

/* The commands of /bin (docs/COMMANDS.md, the Makefile's COMMANDS). */
static const char *const commands[] = { "ls", "cat", "echo", "mkdir", "rm", "mv", "cp",
					"ps", "kill", "mem", "uptime", "sleep", "uname", "caps",
					"bench" };

/* /bin holds what a person runs, the commands and the shell, and nothing else: the
 * shell's help lists it as programs that each answer --help. The services are under
 * /sbin, the test programs (pchild among them) under /test. */
static void bin_holds_only_the_commands(void)
{
	DIR *d = opendir("/bin");
	struct dirent *de;
	unsigned found = 0;
	char what[MNOS_FS_NAME_MAX + 32];
	struct stat st;

	CHECK(d != NULL, 0);
	while (d && (de = readdir(d)) != NULL) {
		bool known = strcmp(de->d_name, "sh") == 0;
		for (unsigned i = 0; !known && i < ARRAY_SIZE(commands); i++)
			known = strcmp(de->d_name, commands[i]) == 0;
		snprintf(what, sizeof(what), "/bin/%s is a command", de->d_name);
		check(known, what, 0);
		found += known;
	}
	if (d)
		closedir(d);
	EXPECT(found, ARRAY_SIZE(commands) + 1);
	EXPECT(stat("/sbin/procsvc", &st), 0);
	EXPECT(stat("/test/pchild", &st), 0);
	EXPECT(stat("/bin/procsvc", &st), -E_NOT_FOUND);
}

static void commands_answer_help_usage_errors_and_failures(void)
{
	char want[64];

	for (unsigned i = 0; i < ARRAY_SIZE(commands); i++) {
		/* --help: the usage on standard output, status 0. */
		EXPECT(RUN(commands[i], "--help"), 0);
		size_t k = (size_t)snprintf(want, sizeof(want), "usage: %s", commands[i]);
		check(strncmp(out, want, k) == 0 && (out[k] == ' ' || out[k] == '\n'), want, 0);
		ERR_IS("");
		/* An unknown option: named on standard error with the usage, status 2. */
		EXPECT(RUN(commands[i], "--no-such-option"), 2);
		OUT_IS("");
		snprintf(want, sizeof(want), "%s: unknown option --no-such-option\nusage: ",
			 commands[i]);
		check(strncmp(err, want, strlen(want)) == 0, want, 0);
	}
	/* The shell, the other program of /bin, answers --help too (an operand to it is a
	 * script to run, so there is no unknown option to give it). */
	EXPECT(RUN("sh", "--help"), 0);
	ERR_IS("");
	check(strncmp(out, "usage: sh ", 10) == 0, "usage: sh", 0);
	EXPECT(RUN("ls", "-Z"), 2);
	ERR_STARTS("ls: unknown option -Z\n");
	EXPECT(RUN("mkdir"), 2);
	EXPECT(RUN("cp", "/etc/init.conf"), 2);
	EXPECT(RUN("bench", "--help"), 0);                      /* the usage names every option */
	OUT_HAS("usage: bench [-n iterations] [-b] [name]...\n");
	EXPECT(RUN("bench", "-n"), 2);
	ERR_STARTS("bench: option -n needs an argument\n");
	EXPECT(RUN("sleep", "soon"), 2);
	ERR_STARTS("sleep: soon: not a time\n");
	EXPECT(RUN("kill", "12x"), 2);
	EXPECT(RUN("kill", "-1"), 2);                           /* not an option we have */
	EXPECT(RUN("bench", "-n", "0"), 2);
	EXPECT(RUN("bench", "no-such-benchmark"), 2);
	OUT_IS("");
	/* Failures name the program and the operand; the rest go on. */
	EXPECT(RUN("ls", "/", "/no-such-file"), 1);
	ERR_IS("ls: /no-such-file: not found\n");
	EXPECT(RUN("cat", "/no-such-file", "/etc"), 1);
	ERR_IS("cat: /no-such-file: not found\ncat: /etc: is a directory\n");
	EXPECT(RUN("rm", "/etc/init.conf"), 1);
	ERR_IS("rm: /etc/init.conf: read-only filesystem\n");
	EXPECT(RUN("rm", "-r", "/"), 1);
	ERR_IS("rm: /: refusing to remove\n");
	EXPECT(RUN("rm", "-f", "/no-such-file"), 0);
	ERR_IS("");
	EXPECT(RUN("kill", "2147483647"), 1);
	ERR_IS("kill: 2147483647: not found\n");
	uint64_t t0, t1;
	mnos_clock(&t0);
	EXPECT(RUN("sleep", "0.05"), 0);
	mnos_clock(&t1);
	CHECK(t1 - t0 >= SECOND / 20, t1 - t0);
}

static void commands_report_the_system(void)
{
	EXPECT(RUN("echo", "hello", "", "world"), 0);
	OUT_IS("hello  world\n");
	EXPECT(RUN("echo", "-n", "no", "newline"), 0);
	OUT_IS("no newline");
	EXPECT(RUN("echo", "--", "-n"), 0);
	OUT_IS("-n\n");
	EXPECT(RUN("uname"), 0);
	OUT_IS("MinimalOS\n");
	EXPECT(RUN("uname", "-m", "-s"), 0);
	OUT_IS("MinimalOS x86_64\n");
	EXPECT(RUN("uname", "-a"), 0);
	check(strncmp(out, "MinimalOS 0.", 12) == 0 && strstr(out, " x86_64 ") &&
	      strstr(out, " CPU"), "uname -a", 0);
	EXPECT(RUN("uptime"), 0);
	check(strncmp(out, "up ", 3) == 0 && strchr(out, ':'), "up h:mm:ss", 0);
	EXPECT(RUN("mem"), 0);
	OUT_HAS("\nmemory ");
	OUT_HAS("\nkernel heap ");
	EXPECT(RUN("mem", "-k"), 0);
	check(strncmp(out, "KiB ", 4) == 0 && !strstr(out, "MiB"), "mem -k in KiB", 0);
	EXPECT(RUN("ps"), 0);
	OUT_HAS("  PID  PPID STATE");
	OUT_HAS(" run ");
	OUT_HAS(" ps\n");
	OUT_HAS(" ptest\n");
	EXPECT(RUN("caps"), 0);
	OUT_HAS(" SLOT TYPE");
	OUT_HAS(" endpoint     --s-   0x");         /* proc: a badged endpoint, SEND */
	OUT_HAS(" proc\n");
	EXPECT(RUN("bench", "-n", "3", "syscall", "ipc"), 0);
	OUT_HAS("\nsyscall         3 x ");
	OUT_HAS("\nipc             3 x ");
	check(!strstr(out, "spawn"), "only what was asked", 0);
	EXPECT(RUN("bench", "-n", "1", "spawn"), 0);            /* finds test/hello */
	OUT_HAS("\nspawn           1 x ");
}

/* The type and size of path: type 0 if it is not there. */
static uint32_t type_of(const char *path, uint64_t *size)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return 0;
	if (size)
		*size = st.st_size;
	return st.st_type;
}

static void commands_change_files(void)
{
	uint64_t conf = 0, size = 0;

	CHECK(type_of("/etc/init.conf", &conf) == FS_TYPE_FILE, 0);
	EXPECT(RUN("mkdir", "-p", "/tmp/ct/a/b"), 0);
	EXPECT(RUN("mkdir", "-p", "/tmp/ct/a/b", "/tmp"), 0);   /* there: fine with -p */
	EXPECT(RUN("mkdir", "/tmp/ct/a"), 1);                   /* ... not without */
	ERR_IS("mkdir: /tmp/ct/a: already exists\n");
	EXPECT(type_of("/tmp/ct/a/b", NULL), FS_TYPE_DIR);
	EXPECT(RUN("cp", "/etc/init.conf", "/tmp/ct/a"), 0);    /* into a directory */
	CHECK(type_of("/tmp/ct/a/init.conf", &size) == FS_TYPE_FILE && size == conf, size);
	EXPECT(RUN("ls", "-l", "/tmp/ct/a"), 0);
	char want[128];
	snprintf(want, sizeof(want), "d          0 b\n- %10llu init.conf\n",
		 (unsigned long long)conf);
	check(strcmp(out, want) == 0, "ls -l", 0);
	EXPECT(RUN("ls", "/tmp/ct/a/init.conf", "/tmp/ct"), 0);
	OUT_IS("/tmp/ct/a/init.conf\n\n/tmp/ct:\na\n");
	EXPECT(RUN("cp", "/tmp/ct/a/init.conf", "/tmp/ct/a/init.conf"), 1);
	EXPECT(RUN("cp", "/tmp/ct/a", "/tmp/ct/c"), 1);         /* a directory needs -r */
	ERR_IS("cp: /tmp/ct/a: is a directory\n");
	EXPECT(RUN("cp", "-r", "/tmp/ct/a", "/tmp/ct/a/b"), 1); /* into itself */
	EXPECT(RUN("cp", "-r", "/tmp/ct/a", "/tmp/ct/c"), 0);
	EXPECT(type_of("/tmp/ct/c/b", NULL), FS_TYPE_DIR);
	CHECK(type_of("/tmp/ct/c/init.conf", &size) == FS_TYPE_FILE && size == conf, size);
	EXPECT(RUN("mv", "/tmp/ct/c", "/tmp/ct/d"), 0);         /* a rename */
	EXPECT(type_of("/tmp/ct/c", NULL), 0);
	EXPECT(RUN("mv", "/tmp/ct/d/init.conf", "/tmp/ct/a/b"), 0);     /* into */
	EXPECT(type_of("/tmp/ct/a/b/init.conf", NULL), FS_TYPE_FILE);
	EXPECT(RUN("mv", "/bin/ls", "/tmp/ct"), 1);             /* read-only source */
	ERR_IS("mv: /bin/ls to /tmp/ct/ls: read-only filesystem\n");
	EXPECT(RUN("mv", "/tmp/ct/a", "/tmp/ct/d", "/tmp/ct/a/init.conf"), 1);
	EXPECT(RUN("rm", "/tmp/ct/d"), 1);                      /* a directory needs -r */
	ERR_IS("rm: /tmp/ct/d: is a directory\n");
	EXPECT(RUN("rm", "/tmp/ct/a/init.conf"), 0);
	EXPECT(type_of("/tmp/ct/a/init.conf", NULL), 0);
	EXPECT(RUN("rm", "-r", "/tmp/ct"), 0);
	EXPECT(type_of("/tmp/ct", NULL), 0);
	EXPECT(RUN("rm", "-r", "/tmp/ct"), 1);                  /* gone */
}

/* cat: files in order, standard input for "-" or none, every byte value through, in
 * more than one of its 64 KiB pieces. */
static void cat_streams_bytes_unchanged(void)
{
	static char in[70000];
	int fd = open(IN_FILE, O_WRONLY | O_CREAT | O_TRUNC);

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (char)(i * 7 + i / 256);                /* every byte, NULs too */
	CHECK(fd >= 0 && write(fd, in, sizeof(in)) == (ssize_t)sizeof(in), fd);
	close(fd);
	EXPECT(RUN("cat", IN_FILE, IN_FILE), 0);
	CHECK(type_of(OUT_FILE, NULL) == FS_TYPE_FILE, 0);
	struct stat st;
	CHECK(stat(OUT_FILE, &st) == 0 && st.st_size == 2 * sizeof(in), st.st_size);
	CHECK(memcmp(out, in, sizeof(in)) == 0 && memcmp(out + sizeof(in), in, sizeof(in)) == 0,
	      0);
	EXPECT(RUN_IN(IN_FILE, "cat"), 0);
	CHECK(stat(OUT_FILE, &st) == 0 && st.st_size == sizeof(in), st.st_size);
	CHECK(memcmp(out, in, sizeof(in)) == 0, 0);
	EXPECT(RUN_IN("/etc/init.conf", "cat", IN_FILE, "-"), 0);
	CHECK(memcmp(out, in, sizeof(in)) == 0 && strncmp(out + sizeof(in), "# ", 2) == 0, 0);
	unlink(IN_FILE);
}

/* bin/kill by this program's children: a sibling yes, the parent no. */
static void kill_command_follows_the_rule(void)
{
	int s = child("sleep", NULL, NULL);
	struct mnos_proc_info info;
	char num[12];

	CHECK(listed((uint32_t)s, &info), s);
	snprintf(num, sizeof(num), "%u", info.ppid);            /* this program */
	EXPECT(RUN("kill", num), 1);
	ERR_STARTS("kill: ");
	OUT_IS("");
	snprintf(num, sizeof(num), "%d", s);
	EXPECT(RUN("kill", num), 0);
	EXPECT(status_of(s), MNOS_PROC_STATUS(MNOS_PROC_KILLED, 0));
	EXPECT(RUN("kill", num), 1);                            /* gone now */
	unlink(OUT_FILE);
	unlink(ERR_FILE);
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
	run("bin_holds_only_the_commands", bin_holds_only_the_commands);
	run("commands_answer_help_usage_errors_and_failures",
	    commands_answer_help_usage_errors_and_failures);
	run("commands_report_the_system", commands_report_the_system);
	run("commands_change_files", commands_change_files);
	run("cat_streams_bytes_unchanged", cat_streams_bytes_unchanged);
	run("kill_command_follows_the_rule", kill_command_follows_the_rule);
	printf("ptest: %u passed, %u failed\n", n - failed, failed);
	return (int)failed;
}
