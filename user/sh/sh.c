/*
 * sh, the shell (docs/SHELL.md). init starts it on the console; it reads a line with
 * its own editor (ledit.c) while the console is raw, parses it (parse.c), and runs the
 * pipelines: builtins in itself, programs from /bin through the process service, with
 * pipes it serves itself (user/lib/pipe.c) and redirections the child's library opens
 * (MNOS_STDIN, MNOS_STDOUT, MNOS_STDERR). While a program runs in the foreground the
 * console is cooked and Ctrl-C is armed: a thread of the shell waits for it and kills
 * the foreground programs.
 *
 * Without a console on descriptor 0 (sh < file, sh -c 'line', sh file) it reads lines
 * and runs them with no prompt and no editing.
 */
#include <mnos.h>
#include "parse.h"
#include "ledit.h"

#define PROMPT_END      "$ "
#define SH_PROMPT_STAMP "MNOS_SH_PROMPT_TSC"    /* <TSC>,<halted ticks> (mnos/cmd.h) */
#define MAX_JOBS        8

/* A pipeline that runs: its programs, and the pipe ends to close as each ends. */
struct job {
	bool used, background;
	int n, left;                    /* programs; those not ended yet */
	uint32_t pid[SH_MAX_CMDS];      /* 0: did not start */
	uint32_t rd[SH_MAX_CMDS];       /* the reading end program i was given, or 0 */
	uint32_t wr[SH_MAX_CMDS];       /* the writing end */
	int status;                     /* the last program's */
	char name[32];
};

static int status;                      /* $? */
static bool interactive;
static struct ledit ed;
static struct sh_list list, now;       /* a line; one pipeline of it, expanded anew */
static struct job jobs[MAX_JOBS];

static struct mnos_lock fg_lock;
static struct job *fg;                  /* [fg_lock] the job in the foreground */
static bool interrupted;                /* [fg_lock] Ctrl-C since the job began */
static uint32_t intr_ntf;
/* The TSC and the halted TSC ticks at this shell's first prompt, for its programs'
 * environment: bench's boot_to_shell (docs/PERFORMANCE.md). */
static char prompt_stamp[64];

/* ---- output ---- */

static void out(const char *s, size_t n)
{
	fflush(stdout);
	write(STDOUT_FILENO, s, n);
}

static void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("sh: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- jobs ---- */

/* A program's status as $? has it: its exit code, 130 killed, 139 a fault. */
static int shell_status(int st)
{
	switch (MNOS_PROC_HOW(st)) {
	case MNOS_PROC_EXITED: return MNOS_PROC_CODE(st);
	case MNOS_PROC_KILLED: return 130;
	case MNOS_PROC_FAULTED: return 139;
	default: return 128;
	}
}

static void close_end(uint32_t *end)
{
	if (*end)
		mnos_stream_close(*end);
	*end = 0;
}

/* Program i of job j ended (or never started): its pipe ends go. */
static void ended(struct job *j, int i, int st)
{
	close_end(&j->rd[i]);
	close_end(&j->wr[i]);
	if (j->pid[i]) {
		j->pid[i] = 0;
		j->left--;
		if (i == j->n - 1)
			j->status = shell_status(st);
		if (MNOS_PROC_HOW(st) == MNOS_PROC_FAULTED)
			err("%s: ended by a fault", j->name);
		else if (MNOS_PROC_HOW(st) == MNOS_PROC_VANISHED)
			err("%s: ended without an exit status", j->name);
	}
}

/* A child ended: find it among the jobs. */
static void reap(uint32_t pid, int st)
{
	for (int k = 0; k < MAX_JOBS; k++)
		for (int i = 0; jobs[k].used && i < jobs[k].n; i++)
			if (jobs[k].pid[i] == pid) {
				struct job *j = &jobs[k];
				ended(j, i, st);
				if (!j->left && j->background) {
					printf("[%u] done: %s %d\n", pid, j->name, j->status);
					j->used = false;
				}
				return;
			}
}

/* Background jobs that ended since the last prompt. */
static void reap_background(void)
{
	uint32_t pid;
	int st;

	while (mnos_process_wait(0, MNOS_PROC_NOHANG, &pid, &st) == E_OK)
		reap(pid, st);
}

/* Ctrl-C: kill the foreground job. A thread of its own, so the shell can be waiting. */
static void intr_thread(void *unused)
{
	for (;;) {
		uint64_t bits;
		uint32_t pids[SH_MAX_CMDS];
		int n = 0;

		if (mnos_notify_wait(intr_ntf, &bits) != E_OK)
			return;
		mnos_lock(&fg_lock);
		interrupted = true;
		for (int i = 0; fg && i < fg->n; i++)
			if (fg->pid[i])
				pids[n++] = fg->pid[i];
		mnos_unlock(&fg_lock);
		for (int i = 0; i < n; i++)
			mnos_process_kill(pids[i]);
	}
}

/* ---- starting programs ---- */

static const char *env_lookup(void *ctx, const char *name)
{
	if (strcmp(name, "PWD") == 0)
		return getcwd();
	return getenv(name);
}

/* name → the program's path: /bin/name, or name resolved against the directory. */
static bool program_path(const char *name, char *path)
{
	struct stat st;

	if (strchr(name, '/')) {
		if (mnos_path_resolve(getcwd(), name, strlen(name), path) != E_OK)
			return false;
	} else if (snprintf(path, MNOS_PATH_MAX, "/bin/%s", name) >= MNOS_PATH_MAX) {
		return false;
	}
	return stat(path, &st) == 0 && st.st_type == FS_TYPE_FILE;
}

/* Check a redirection's file and make or empty an output one; its absolute path into
 * abs. false, said why, when it cannot be. */
static bool redirect(int mode, const char *file, char *abs)
{
	static const int flags[] = {
		[SH_REDIR_IN] = O_RDONLY,
		[SH_REDIR_OUT] = O_WRONLY | O_CREAT | O_TRUNC,
		[SH_REDIR_APPEND] = O_WRONLY | O_CREAT | O_APPEND,
	};
	int e = mnos_path_resolve(getcwd(), file, strlen(file), abs);
	int fd = e == E_OK ? open(abs, flags[mode]) : -e;
	struct stat st;

	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_type == FS_TYPE_DIR)
		fd = -E_FS_IS_DIR;
	if (fd < 0) {
		err("%s: %s", file, mnos_fs_strerror(fd));
		return false;
	}
	close(fd);
	return true;
}

static bool is_builtin(const char *name);

/* A builtin in a pipeline runs in a shell of its own: sh -c '<its words, quoted>'. */
static bool builtin_as_program(const struct sh_cmd *c, struct sh_cmd *as, char *buf, size_t size)
{
	size_t n = 0;

	for (int k = 0; k < c->argc; k++) {
		if (n + 2 >= size)
			return false;
		buf[n++] = k ? ' ' : '\'';
		if (k)
			buf[n++] = '\'';
		for (const char *p = c->argv[k]; *p; p++) {
			const char *piece = *p == '\'' ? "'\\''" : (char[]){ *p, 0 };
			size_t len = strlen(piece);
			if (n + len + 2 >= size)
				return false;
			memcpy(buf + n, piece, len);
			n += len;
		}
		buf[n++] = '\'';
	}
	buf[n] = 0;
	*as = *c;
	as->argc = 3;
	as->argv[0] = "sh";
	as->argv[1] = "-c";
	as->argv[2] = buf;
	as->argv[3] = NULL;
	return true;
}

/* Start program i of job j with the pipe ends it was given. */
static bool start(struct job *j, int i, const struct sh_cmd *c)
{
	static const char *const env_name[3] = { "MNOS_STDIN", "MNOS_STDOUT", "MNOS_STDERR" };
	static const char *const cap_name[2] = { "stdin", "stdout" };
	char path[MNOS_PATH_MAX], abs[3][MNOS_PATH_MAX], vars[4][MNOS_PATH_MAX + 16];
	const char *envp[32 + 5];
	uint32_t envc = 0;
	struct sh_cmd as;
	char line[SH_LINE_MAX];

	if (is_builtin(c->argv[0])) {
		if (!builtin_as_program(c, &as, line, sizeof(line))) {
			err("%s: too long to run in a pipeline", c->argv[0]);
			j->status = 2;
			return false;
		}
		c = &as;
	}
	struct mnos_proc_spawn a = { .path = path, .argv = (const char *const *)c->argv,
				     .argc = (uint32_t)c->argc, .envp = envp };

	if (!program_path(c->argv[0], path)) {
		err("%s: command not found", c->argv[0]);
		j->status = 127;
		return false;
	}
	for (char **e = environ; e && *e && envc < 32; e++)
		if (strncmp(*e, "MNOS_STD", 8) != 0 && strncmp(*e, "PWD=", 4) != 0 &&
		    strncmp(*e, SH_PROMPT_STAMP "=", sizeof(SH_PROMPT_STAMP)) != 0)
			envp[envc++] = *e;
	if (prompt_stamp[0])
		envp[envc++] = prompt_stamp;
	snprintf(vars[3], sizeof(vars[3]), "PWD=%s", getcwd());
	envp[envc++] = vars[3];
	for (int fd = 0; fd < 3; fd++) {
		if (!c->redir[fd])
			continue;
		if (!redirect(c->redir[fd], c->path[fd], abs[fd])) {
			j->status = 1;
			return false;
		}
		snprintf(vars[fd], sizeof(vars[fd]), "%s=%s", env_name[fd], abs[fd]);
		envp[envc++] = vars[fd];
	}
	uint32_t end[2] = { j->rd[i], j->wr[i] };
	for (int fd = 0; fd < 2; fd++)
		if (end[fd] && !c->redir[fd]) {
			a.caps[a.ncaps] = end[fd];
			a.cap_names[a.ncaps++] = cap_name[fd];
		}
	a.envc = envc;
	int elf_err, e = mnos_process_spawn(&a, &j->pid[i], &elf_err);
	if (e != E_OK) {
		if (e == E_INVAL && elf_err)
			err("%s: not a program this system can run", c->argv[0]);
		else
			err("%s: cannot start: %s", c->argv[0], kerr_name((kerr_t)e));
		j->pid[i] = 0;
		j->status = 126;
		return false;
	}
	j->left++;
	return true;
}

/* ---- builtins ---- */

static int builtin_help(int fd)
{
	static const char text[] =
		"MinimalOS shell. Builtins: cd [dir], pwd, exit [status], help.\n"
		"Lists: a ; b, a && b, a || b; pipes: a | b | c; background: a &\n"
		"Redirection: < file, > file, >> file, 2> file. Quoting: '...', \"...\", \\.\n"
		"$? is the last status. Keys: arrows, Home/End, Backspace/Delete, Up/Down for\n"
		"history, Ctrl-C interrupts. Programs in /bin (each takes --help):\n";
	DIR *d = opendir("/bin");
	struct dirent *de;
	size_t col = 0;

	write(fd, text, sizeof(text) - 1);
	while (d && (de = readdir(d)) != NULL) {
		char s[MNOS_FS_NAME_MAX + 4];
		int n = snprintf(s, sizeof(s), "%s%s", col ? " " : "  ", de->d_name);
		if (col + (size_t)n > 76) {
			write(fd, "\n", 1);
			n = snprintf(s, sizeof(s), "  %s", de->d_name);
			col = 0;
		}
		write(fd, s, (size_t)n);
		col += (size_t)n;
	}
	write(fd, "\n", 1);
	if (d)
		closedir(d);
	return 0;
}

static bool is_builtin(const char *name)
{
	return strcmp(name, "cd") == 0 || strcmp(name, "pwd") == 0 ||
	       strcmp(name, "exit") == 0 || strcmp(name, "help") == 0;
}

static int builtin(const struct sh_cmd *c)
{
	const char *name = c->argv[0];
	int fd = STDOUT_FILENO;
	char abs[MNOS_PATH_MAX];

	if (c->redir[0] == SH_REDIR_IN && !redirect(SH_REDIR_IN, c->path[0], abs))
		return 1;
	if (c->redir[2] && !redirect(c->redir[2], c->path[2], abs))
		return 1;
	if (c->redir[1]) {
		if (!redirect(c->redir[1], c->path[1], abs) ||
		    (fd = open(abs, O_WRONLY | O_APPEND)) < 0)
			return 1;
	}
	int st = 0;
	if (strcmp(name, "cd") == 0) {
		const char *to = c->argc > 1 ? c->argv[1] : "/";
		int e = c->argc > 2 ? -E_INVAL : chdir(to);
		if (e) {
			err("cd: %s: %s", to, c->argc > 2 ? "too many arguments" : mnos_fs_strerror(e));
			st = 1;
		}
	} else if (strcmp(name, "pwd") == 0) {
		char s[MNOS_PATH_MAX + 1];
		int n = snprintf(s, sizeof(s), "%s\n", getcwd());
		fflush(stdout);
		write(fd, s, (size_t)n);
	} else if (strcmp(name, "exit") == 0) {
		int code = status;
		if (c->argc > 1) {
			char *end;
			code = (int)strtol(c->argv[1], &end, 10);
			if (*end || end == c->argv[1]) {
				err("exit: %s: not a number", c->argv[1]);
				code = 2;
			}
		}
		fflush(NULL);
		exit(code & 0xff);
	} else {
		fflush(stdout);
		st = builtin_help(fd);
	}
	if (fd != STDOUT_FILENO)
		close(fd);
	return st;
}

/* ---- running a line ---- */

static int run_pipeline(const struct sh_pipeline *p)
{
	struct job *j = NULL;

	if (p->ncmds == 1 && is_builtin(p->cmd[0].argv[0])) {
		if (p->background)
			err("%s: a builtin cannot run in the background", p->cmd[0].argv[0]);
		return p->background ? 2 : builtin(&p->cmd[0]);
	}
	for (int k = 0; k < MAX_JOBS && !j; k++)
		if (!jobs[k].used)
			j = &jobs[k];
	if (!j) {
		err("too many background jobs");
		return 1;
	}
	memset(j, 0, sizeof(*j));
	j->used = true;
	j->background = p->background;
	j->n = p->ncmds;
	strlcpy(j->name, p->cmd[p->ncmds - 1].argv[0], sizeof(j->name));
	for (int i = 0; i + 1 < p->ncmds; i++) {
		int e = mnos_pipe_create(&j->rd[i + 1], &j->wr[i]);
		if (e != E_OK) {
			err("cannot make a pipe: %s", kerr_name((kerr_t)e));
			for (int k = 0; k < p->ncmds; k++) {
				close_end(&j->rd[k]);
				close_end(&j->wr[k]);
			}
			j->used = false;
			return 1;
		}
	}
	if (interactive && !p->background) {
		mnos_lock(&fg_lock);
		fg = j;
		interrupted = false;
		mnos_unlock(&fg_lock);
		mnos_console_intr(intr_ntf);
		mnos_console_mode(CONSOLE_COOKED);
	}
	for (int i = 0; i < p->ncmds; i++) {
		mnos_lock(&fg_lock);
		bool stop = fg == j && interrupted;
		mnos_unlock(&fg_lock);
		if (stop || !start(j, i, &p->cmd[i]))
			ended(j, i, 0);         /* its neighbours see the pipe end */
	}
	mnos_lock(&fg_lock);
	if (fg == j && interrupted)     /* Ctrl-C while they were starting */
		for (int i = 0; i < j->n; i++)
			if (j->pid[i])
				mnos_process_kill(j->pid[i]);
	mnos_unlock(&fg_lock);
	if (p->background) {
		if (j->left)
			printf("[%u]\n", j->pid[j->n - 1] ? j->pid[j->n - 1] : j->pid[0]);
		else
			j->used = false;
		return j->status;
	}
	while (j->left) {
		uint32_t pid;
		int st;
		if (mnos_process_wait(0, 0, &pid, &st) != E_OK)
			break;
		reap(pid, st);
	}
	if (interactive) {
		mnos_console_intr(0);
		mnos_console_mode(CONSOLE_RAW);
		mnos_lock(&fg_lock);
		fg = NULL;
		mnos_unlock(&fg_lock);
	}
	int st = j->status;
	j->used = false;
	return st;
}

static void run_line(const char *line)
{
	char msg[80];
	bool run = true;

	if (!sh_parse(line, status, env_lookup, NULL, &list, msg, sizeof(msg))) {
		err("%s", msg);
		status = 2;
		return;
	}
	for (int i = 0; i < list.n; i++) {
		const struct sh_pipeline *p = &list.p[i];
		/* Expanded again with the status the pipeline before it left ($?). */
		if (run && sh_parse_at(line, &list, i, status, env_lookup, NULL, &now, msg,
				       sizeof(msg)))
			status = run_pipeline(&now.p[0]);
		mnos_lock(&fg_lock);
		bool stop = interrupted;
		interrupted = false;
		mnos_unlock(&fg_lock);
		if (stop)
			break;          /* Ctrl-C ends the whole line */
		run = p->join == SH_SEQ || (p->join == SH_AND) == (status == 0);
	}
}

/* ---- reading lines ---- */

static char inbuf[256];
static size_t inpos, inlen;

/* The next input byte: 1, or 0 at the end of the input. */
static int next_byte(char *c)
{
	if (inpos == inlen) {
		fflush(stdout);
		ssize_t n = read(STDIN_FILENO, inbuf, sizeof(inbuf));
		if (n <= 0)
			return 0;
		inpos = 0;
		inlen = (size_t)n;
	}
	*c = inbuf[inpos++];
	return 1;
}

/* Interactive: the editor. The line, NULL at the end of the input. */
static const char *edit_line(void)
{
	char o[LEDIT_OUT], prompt[MNOS_PATH_MAX + 4];
	char c;

	snprintf(prompt, sizeof(prompt), "%s %s", getcwd(), PROMPT_END);
	if (!prompt_stamp[0]) {
		struct mnos_sysinfo si;
		uint32_t lo, hi;
		if (mnos_system_info((uint64_t)(uintptr_t)&si, sizeof(si)) != E_OK ||
		    si.size < sizeof(si))
			si.halted = 0;
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		snprintf(prompt_stamp, sizeof(prompt_stamp), "%s=%llu,%llu", SH_PROMPT_STAMP,
			 (unsigned long long)((uint64_t)hi << 32 | lo),
			 (unsigned long long)si.halted);
	}
	out(prompt, strlen(prompt));
	ledit_begin(&ed);
	while (next_byte(&c)) {
		size_t n;
		int r = ledit_key(&ed, c, o, &n);
		out(o, n);
		if (r == LEDIT_DONE) {
			ledit_history_add(&ed, ed.buf);
			return ed.buf;
		}
		if (r == LEDIT_INTR) {
			status = 130;
			return "";
		}
		if (r == LEDIT_EOF)
			break;
	}
	return NULL;
}

/* Not interactive: a line as it comes; NULL at the end. */
static const char *plain_line(void)
{
	static char line[SH_LINE_MAX];
	size_t n = 0;
	char c;
	bool any = false;

	while (next_byte(&c)) {
		any = true;
		if (c == '\n')
			break;
		if (n < sizeof(line) - 1)
			line[n++] = c;
	}
	line[n] = 0;
	return any ? line : NULL;
}

/* The services a shell needs may start after it: wait for them a while (~5 s). */
static void await_services(void)
{
	static const char *const need[] = { "console", "proc", "vfs" };

	for (unsigned i = 0, tries = 0; i < ARRAY_SIZE(need) && tries < 500; tries++) {
		uint32_t ep;
		if (mnos_name_lookup(need[i], &ep) == E_OK) {
			mnos_slot_free(ep);
			i++;
		} else {
			mnos_sleep(10000000);
		}
	}
}

int main(int argc, char **argv)
{
	mnos_output_to_stdout();
	await_services();
	if (argc > 1 && (strcmp(argv[1], "--help") == 0)) {
		printf("usage: sh [-c line | file]\nThe shell: type 'help' in it.\n");
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		run_line(argv[2]);
		return status;
	}
	if (argc > 1) {
		FILE *f = fopen(argv[1], "r");
		static char line[SH_LINE_MAX];
		if (!f) {
			err("%s: cannot open", argv[1]);
			return 127;
		}
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = 0;
			run_line(line);
		}
		fclose(f);
		return status;
	}
	interactive = isatty(STDIN_FILENO);
	if (interactive) {
		intr_ntf = mnos_slot_alloc();
		if (!intr_ntf || mnos_obj_create(MNOS_OBJ_NOTIFICATION, intr_ntf, 0, 0) != E_OK ||
		    mnos_thread_start(intr_thread, NULL, 16384, NULL) != E_OK) {
			err("cannot set up Ctrl-C; running without it");
			interactive = false;
		}
	}
	if (interactive) {
		mnos_console_intr(0);
		mnos_console_mode(CONSOLE_RAW);
		printf("MinimalOS shell: type 'help' for the commands.\n");
	}
	for (;;) {
		reap_background();
		const char *line = interactive ? edit_line() : plain_line();
		if (!line)
			break;
		run_line(line);
	}
	if (interactive)
		out("exit\n", 5);
	fflush(NULL);
	return status;
}
