/*
 * bench: the benchmark set, run in the running system (docs/COMMANDS.md,
 * docs/PERFORMANCE.md). Each benchmark prints one line: its name, the iterations, and
 * the cost of one iteration in nanoseconds (the clock system call) and in TSC cycles
 * (rdtsc, which ring 3 may use). These are wall-clock figures of a live system under
 * whatever else runs — indicative only; `make bench` is the deterministic measure.
 *
 *   bench [-n iterations] [-b] [name]...
 *
 * Names select the benchmarks whose name contains one of them; -n sets every selected
 * benchmark's timed iterations (each has its own default, small enough that the whole
 * set takes about 2 s under TCG), after a few untimed ones. Each benchmark is run RUNS
 * times and the median run is its figure, beside the fastest and slowest; the cost of
 * the benchmark loop itself (an empty loop of the same shape, measured the same way)
 * is taken off the cycles. -b prints the lines `make bench` reads instead ("BENCH
 * <figure> <cycles> instructions" and "# <figure>: median ..." with the spread): it
 * runs this program in a whole system under QEMU's -icount, where a TSC cycle is an
 * instruction (tests/bench.py, docs/PERFORMANCE.md). "boot" adds boot_to_init and
 * boot_to_shell, from stamps taken at boot: the kernel's, and the shell's of its first
 * prompt, which it passes on in MNOS_SH_PROMPT_TSC (mnos_cmd_boot_figure).
 */
#include <mnos.h>
#include <mnos/cmd.h>
#include <spread.h>

static const char usage[] =
	"usage: bench [-n iterations] [-b] [name]...\n"
	"Run the benchmarks whose names contain one of the names (all without), and print\n"
	"the cost of one iteration of each in ns and in TSC cycles.\n"
	"  -n N  N iterations of each (default: each benchmark's own)\n"
	"  -b    lines for make bench: BENCH <figure> <cycles an iteration> instructions\n"
	"Benchmarks: syscall, yield, notify, ipc, spawn, file, read; boot (the time from\n"
	"the kernel's start to init's and to the shell's first prompt).\n";

#define STACK           16384
#define RUNS            5               /* of each benchmark; the median is the figure */
#define FILE_BYTES      (1024 * 1024)
#define FILE_CHUNK      (64 * 1024)
#define FILE_PATH       "/tmp/.bench"

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t now(void)
{
	uint64_t ns = 0;

	mnos_clock(&ns);
	return ns;
}

/* A benchmark's loop runs warm + n iterations; the timed part starts at iteration
 * warm (tick) and ends after the last (end). */
struct sample {
	uint64_t warm;
	uint64_t ns, cycles;
};

static void tick(struct sample *s, uint64_t i)
{
	if (i == s->warm) {
		s->ns = now();
		s->cycles = rdtsc();
	}
}

static void end(struct sample *s)
{
	s->cycles = rdtsc() - s->cycles;
	s->ns = now() - s->ns;
}

/* ---- the benchmarks: each runs n iterations and times them in *s; 0 or a status ---- */

/* The loop every benchmark has, with nothing in it: its cost is taken off the others'. */
static int b_loop(uint64_t n, struct sample *s)
{
	for (uint64_t i = 0; i < s->warm + n; i++) {
		tick(s, i);
		__asm__ volatile("" ::: "memory");
	}
	end(s);
	return 0;
}

static int b_syscall(uint64_t n, struct sample *s)
{
	uint64_t t, r, b;

	for (uint64_t i = 0; i < s->warm + n; i++) {
		tick(s, i);
		mnos_cap_identify(0, &t, &r, &b);       /* E_RANGE at once */
	}
	end(s);
	return 0;
}

static int b_yield(uint64_t n, struct sample *s)
{
	for (uint64_t i = 0; i < s->warm + n; i++) {
		tick(s, i);
		mnos_yield();
	}
	end(s);
	return 0;
}

/* Ping-pong partners: notifications ping and pong, or an endpoint and a reply object. */
static uint32_t ping, pong;
static uint64_t rounds;

static void pong_thread(void *unused)
{
	uint64_t bits;

	for (uint64_t i = 0; i < rounds; i++)
		if (mnos_notify_wait(ping, &bits) != E_OK || mnos_notify_signal(pong, 1) != E_OK)
			return;
}

static void server_thread(void *unused)
{
	uint64_t b, info, w0, w1, w2, w3;
	int e = mnos_ep_recv(ping, pong, IPC_FOREVER, &b, &info, &w0, &w1, &w2, &w3);

	for (uint64_t i = 1; i < rounds && e == E_OK; i++)
		e = mnos_ep_reply_recv(ping | (uint64_t)pong << 32, mnos_ipc_info(0, 1, 0), w0,
				       0, 0, 0, &b, &info, &w0, &w1, &w2, &w3);
	if (e == E_OK)
		mnos_ep_reply(pong, mnos_ipc_info(0, 1, 0), w0, 0, 0, 0);
}

/* Two objects of the types for ping and pong, for n rounds: 0 or a status. */
static int partners(uint32_t type_ping, uint32_t type_pong, uint64_t n)
{
	ping = mnos_slot_alloc();
	pong = mnos_slot_alloc();
	rounds = n;                     /* the warm-up's included */
	if (!ping || !pong)
		return E_NO_MEMORY;
	int e = mnos_obj_create(type_ping, ping, 0, 0);
	if (e == E_OK)
		e = mnos_obj_create(type_pong, pong, 0, 0);
	return e;
}

static void partners_done(void)
{
	mnos_cap_delete(ping);
	mnos_cap_delete(pong);
	mnos_slot_free(ping);
	mnos_slot_free(pong);
}

static int b_notify(uint64_t n, struct sample *s)
{
	uint64_t bits;
	int e = partners(MNOS_OBJ_NOTIFICATION, MNOS_OBJ_NOTIFICATION, s->warm + n);

	if (e == E_OK)
		e = mnos_thread_start(pong_thread, NULL, STACK, NULL);
	if (e == E_OK) {
		for (uint64_t i = 0; i < s->warm + n && e == E_OK; i++) {
			tick(s, i);
			e = mnos_notify_signal(ping, 1);
			if (e == E_OK)
				e = mnos_notify_wait(pong, &bits);
		}
		end(s);
	}
	partners_done();
	return e;
}

static int b_ipc(uint64_t n, struct sample *s)
{
	uint64_t info, w0, w1, w2, w3;
	int e = partners(MNOS_OBJ_ENDPOINT, MNOS_OBJ_REPLY, s->warm + n);

	if (e == E_OK)
		e = mnos_thread_start(server_thread, NULL, STACK, NULL);
	if (e == E_OK) {
		for (uint64_t i = 0; i < s->warm + n && e == E_OK; i++) {
			tick(s, i);
			e = mnos_ep_call(ping, mnos_ipc_info(0, 1, 0), i, 0, 0, 0, &info, &w0,
					 &w1, &w2, &w3);
		}
		end(s);
	}
	partners_done();
	return e;
}

/* test/hello without its "done" capability returns at once, printing nothing. */
static int b_spawn(uint64_t n, struct sample *s)
{
	const char *argv[] = { "hello", NULL };
	int e = 0;

	for (uint64_t i = 0; i < s->warm + n && e >= 0; i++) {
		tick(s, i);
		int pid = spawn("test/hello", argv, NULL);
		e = pid < 0 ? pid : wait(pid, NULL);
	}
	end(s);
	return e < 0 ? -e : 0;
}

static uint8_t chunk[FILE_CHUNK];

/* Write FILE_BYTES to fd, FILE_CHUNK a call, chunk i all (uint8_t)i: 0 or -status. */
static int write_all(int fd)
{
	for (size_t off = 0; off < FILE_BYTES; off += FILE_CHUNK) {
		memset(chunk, (int)(off / FILE_CHUNK), sizeof(chunk));
		if (write(fd, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
			return -E_FS_NO_SPACE;
	}
	return 0;
}

/* Read the open file fd from its start to its end, FILE_CHUNK a call, checking it. */
static int read_once(int fd)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -E_INVAL;
	for (size_t off = 0; off < FILE_BYTES; off += FILE_CHUNK) {
		ssize_t got = read(fd, chunk, sizeof(chunk));
		if (got != (ssize_t)sizeof(chunk))
			return got < 0 ? (int)got : -E_INVAL;
		if (chunk[0] != (uint8_t)(off / FILE_CHUNK) || chunk[FILE_CHUNK - 1] != chunk[0])
			return -E_INVAL;
	}
	return 0;
}

/* file_read_1m: the file written beforehand, outside the timing; each iteration reads
 * the whole of it from the start through the one open file. */
static int b_read(uint64_t n, struct sample *s)
{
	int fd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC), e = fd;

	if (fd >= 0)
		e = write_all(fd);
	if (e >= 0) {
		e = 0;
		for (uint64_t i = 0; i < s->warm + n && e == 0; i++) {
			tick(s, i);
			e = read_once(fd);
		}
		end(s);
	}
	if (fd >= 0)
		close(fd);
	unlink(FILE_PATH);
	return -e;
}

/* Write a file of FILE_BYTES and read it back, checking the bytes. */
static int file_once(void)
{
	int fd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC);

	if (fd < 0)
		return fd;
	int e = write_all(fd);
	if (e == 0)
		e = read_once(fd);
	close(fd);
	return e;
}

static int b_file(uint64_t n, struct sample *s)
{
	int e = 0;

	for (uint64_t i = 0; i < s->warm + n && e == 0; i++) {
		tick(s, i);
		e = file_once();
	}
	end(s);
	unlink(FILE_PATH);
	return -e;
}

/* Each benchmark first runs warm iterations untimed: the first rounds pay for what is
 * made once (a thread's first run, the IPC buffer, the VFS session, the process
 * service's first look at a program). figure is its name in make bench. */
static const struct bench {
	const char *name, *figure;
	uint64_t iters, warm;
	int (*run)(uint64_t n, struct sample *s);
	const char *what;
} benches[] = {
	{ "syscall", "sys_syscall", 2000, 16, b_syscall,
	  "a system call refused at once (cap_identify slot 0)" },
	{ "yield", "sys_yield", 1000, 16, b_yield, "mnos_yield with nothing else to run" },
	{ "notify", "sys_notify", 300, 16, b_notify,
	  "notification signal + wait, a round trip of two threads" },
	{ "ipc", "sys_ipc", 300, 16, b_ipc, "ep_call + ep_reply_recv, a round trip of two threads" },
	{ "spawn", "spawn_exit_wait", 4, 1, b_spawn,
	  "spawn + wait of test/hello through the process service" },
	{ "file", "sys_file", 2, 1, b_file, "write + read back 1 MiB in /tmp, 64 KiB a call" },
	{ "read", "file_read_1m", 4, 1, b_read, "read 1 MiB of a file in /tmp, 64 KiB a call" },
};

/* The empty loop, measured like a benchmark. */
static const struct bench loop = { "loop", "loop", 2000, 16, b_loop, "the loop alone" };

static bool selected(const char *name, int nsel, char **sel)
{
	if (!nsel)
		return true;
	for (int i = 0; i < nsel; i++)
		if (strstr(name, sel[i]))
			return true;
	return false;
}

/* RUNS runs of n iterations of b: the spread of their cycles an iteration, the loop's
 * (overhead) taken off, and of their tenths of ns an iteration. 0 or a status. */
static int measure(const struct bench *b, uint64_t n, uint64_t overhead,
		   struct spread *cycles, struct spread *tenths_ns)
{
	uint64_t c[RUNS], t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		struct sample s = { .warm = b->warm };
		int e = b->run(n, &s);
		if (e)
			return e;
		c[r] = s.cycles / n > overhead ? s.cycles / n - overhead : 0;
		t[r] = s.ns * 10 / n;
	}
	*cycles = spread_of(c, RUNS);
	*tenths_ns = spread_of(t, RUNS);
	return 0;
}

int main(int argc, char **argv)
{
	struct mnos_getopt g = MNOS_GETOPT_INIT;
	uint64_t iters = 0, overhead = 0;
	struct spread cycles, tenths;
	int r, status = 0, ran = 0;
	bool lines = false;

	while ((r = mnos_getopt(&g, argc, argv, "n:b")) != MNOS_OPT_END) {
		if (r == 'b') {
			lines = true;
			continue;
		}
		if (r != 'n')
			return mnos_cmd_bad_option("bench", usage, r, &g);
		char *endp;
		iters = strtoull(g.arg, &endp, 10);
		if (*endp || !iters || iters > 100000000 || g.arg[0] < '0' || g.arg[0] > '9')
			return mnos_cmd_usage_error("bench", usage, "-n %s: not a count from 1 "
						    "to 100000000", g.arg);
	}
	for (size_t i = 0; i < ARRAY_SIZE(benches); i++)
		ran += selected(benches[i].name, argc - g.ind, argv + g.ind);
	bool boot = selected("boot", argc - g.ind, argv + g.ind);
	if (!ran && !boot)
		return mnos_cmd_usage_error("bench", usage, "no benchmark matches");
	struct mnos_sysinfo si;
	if (mnos_system_info((uint64_t)(uintptr_t)&si, sizeof(si)) == E_OK)
		printf("# bench: %u CPU%s, TSC %llu MHz; median of %d runs%s\n",
		       si.cpus_online, si.cpus_online == 1 ? "" : "s",
		       (unsigned long long)(si.tsc_hz / 1000000), RUNS,
		       lines ? "" : ", wall-clock, indicative only");
	if (ran && measure(&loop, loop.iters, 0, &cycles, &tenths) == 0) {
		overhead = cycles.median;
		printf("# loop: %llu cycles an iteration, taken off each figure\n",
		       (unsigned long long)overhead);
	}
	for (size_t i = 0; i < ARRAY_SIZE(benches); i++) {
		const struct bench *b = &benches[i];
		if (!selected(b->name, argc - g.ind, argv + g.ind))
			continue;
		uint64_t n = iters ? iters : b->iters;
		int e = measure(b, n, overhead, &cycles, &tenths);
		if (e) {
			status = mnos_cmd_error("bench", b->name, e);
			continue;
		}
		uint64_t med = cycles.median, ns = tenths.median;
		if (lines) {
			printf("BENCH %s %llu instructions\n", b->figure, (unsigned long long)med);
			printf("# %s: median %llu, min %llu, max %llu per iteration, %d runs of "
			       "%llu\n", b->figure, (unsigned long long)med,
			       (unsigned long long)cycles.min, (unsigned long long)cycles.max, RUNS,
			       (unsigned long long)n);
			continue;
		}
		printf("%-8s %8llu x %10llu.%llu ns %10llu cycles (%llu-%llu)  %s\n", b->name,
		       (unsigned long long)n, (unsigned long long)(ns / 10),
		       (unsigned long long)(ns % 10), (unsigned long long)med,
		       (unsigned long long)cycles.min, (unsigned long long)cycles.max, b->what);
	}
	/* Measured once, at boot: nothing to run, only stamps to read — the kernel's, and
	 * the shell's of its first prompt, which it puts in its programs' environment. */
	if (boot) {
		const char *sh = getenv("MNOS_SH_PROMPT_TSC");
		unsigned long long tsc = 0, halted = 0;
		if (mnos_system_info((uint64_t)(uintptr_t)&si, sizeof(si)) == E_OK &&
		    si.size >= sizeof(si))
			mnos_cmd_boot_figure("boot_to_init", lines, si.tsc_init_entry,
					     si.halted_at_init);
		if (sh) {
			char *end;
			tsc = strtoull(sh, &end, 10);
			halted = *end == ',' ? strtoull(end + 1, NULL, 10) : 0;
		}
		mnos_cmd_boot_figure("boot_to_shell", lines, tsc, halted);
	}
	return status;
}
