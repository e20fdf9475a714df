/*
 * What the commands in /bin share (docs/COMMANDS.md): options parsed in one way (POSIX
 * getopt's rules, plus --help), usage and error messages in one form, sizes for
 * people, and walking a directory tree for rm -r, cp -r and mv.
 *
 * Pure, and host-tested (tests/host/test_cmd.c): user/lib/getopt.c (options, sizes)
 * and user/lib/walk.c (the tree walk over callbacks). user/lib/cmd.c prints the
 * messages and puts the walk on the file API (copying and removing trees).
 */
#ifndef MNOS_CMD_H
#define MNOS_CMD_H

#include <types.h>

/* ---- options (getopt.c) ---- */

/*
 * The state of a parse; zero it (or MNOS_GETOPT_INIT) before the first call. Options
 * come before the operands: the first argument that is not an option ("-" alone is an
 * operand) or "--" ends them, and ind is then the first operand. "-ab" is "-a -b"; an
 * option whose letter is followed by ':' in optstring takes an argument, the rest of
 * its word ("-n5") or the next word ("-n 5").
 */
struct mnos_getopt {
	int ind;                        /* the next argument to look at */
	int opt;                        /* the option letter found (for '?', ':' too) */
	const char *arg;                /* its argument; for an unknown long option, the word */
	const char *next;               /* the rest of a word of several letters */
};
#define MNOS_GETOPT_INIT        { .ind = 1 }

#define MNOS_OPT_END            (-1)    /* no more options: operands from ind on */
#define MNOS_OPT_HELP           (-2)    /* --help */

/* The next option: its letter; MNOS_OPT_END; MNOS_OPT_HELP; '?' for a letter not in
 * optstring (opt) or another long option (arg, opt 0); ':' for a missing argument. */
int mnos_getopt(struct mnos_getopt *g, int argc, char *const argv[], const char *optstring);

/*
 * bytes for people into buf (size ≥ 16): "512 B", "1.5 KiB", "12 KiB", "506 MiB",
 * "1.9 GiB" — below 10 in its unit with one decimal, rounded to nearest. Returns buf.
 */
char *mnos_fmt_size(char *buf, size_t size, uint64_t bytes);

/* ---- messages (cmd.c) ---- */

/* --help: the usage text on stdout; returns 0, the status to exit with. */
int mnos_cmd_help(const char *usage);
/* A usage error: "prog: " what ("unknown option -x") and the usage on stderr; returns 2. */
int mnos_cmd_usage_error(const char *prog, const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The end of a getopt loop that did not find one of the program's letters: --help, an
 * unknown option, a missing argument. The status to exit with (0 or 2). */
int mnos_cmd_bad_option(const char *prog, const char *usage, int r,
			const struct mnos_getopt *g);
/* "prog: operand: " and mnos_fs_strerror(status) on stderr ("rm: /nope: not found");
 * returns 1, the status of a failure. */
int mnos_cmd_error(const char *prog, const char *operand, int status);

/*
 * The two forms of cp and mv, for the n operands at ops: "source target", or
 * "source... directory" with a directory that exists, where each source goes into it
 * under its own name. fn(source, where it goes) does the work and returns 0 or 1 (the
 * status); the result is 1 if any call failed, 2 for fewer than two operands.
 */
int mnos_cmd_to_target(const char *prog, const char *usage, int n, char *const ops[],
		       int (*fn)(const char *src, const char *dst));

/* ---- walking a tree (walk.c) ---- */

/* The names of one directory, as a walk's list callback collects them. */
struct mnos_walk_names {
	char **name;
	uint8_t *type;                  /* FS_TYPE_* of each */
	size_t n, cap;
};

/* Add a name (copied) of type FS_TYPE_*: 0, or -E_NO_MEMORY. */
int mnos_walk_add(struct mnos_walk_names *l, const char *name, unsigned type);

enum mnos_walk_what {
	MNOS_WALK_FILE,                 /* a file */
	MNOS_WALK_PRE,                  /* a directory, before its contents */
	MNOS_WALK_POST,                 /* a directory, after its contents */
};

#define MNOS_WALK_REPORTED      1

struct mnos_walk_ops {
	/* FS_TYPE_FILE or FS_TYPE_DIR of path, or a negative status. */
	int (*type)(void *ctx, const char *path);
	/* The entries of directory path, through mnos_walk_add: 0 or a negative status. */
	int (*list)(void *ctx, const char *path, struct mnos_walk_names *names);
	/* A visit: path, and its path below the walk's root ("" for the root itself).
	 * 0, a negative status (the walk reports it for path), or MNOS_WALK_REPORTED (it
	 * failed and the visit has said why). A PRE that fails skips the directory's
	 * contents and its POST, and a POST is skipped when anything below failed. */
	int (*visit)(void *ctx, const char *path, const char *rel, enum mnos_walk_what what);
	/* A failure, the walk's own or a visit's: the path and its negative status. */
	void (*error)(void *ctx, const char *path, int status);
};

/*
 * Visit root and everything below it, each directory's contents in list order, a
 * directory's names all read before any is visited (so visits may add and remove
 * entries). Paths are root joined with the names; a path past MNOS_PATH_MAX is a
 * failure (E_FS_NAME_TOO_LONG) of its directory. true if nothing failed.
 */
bool mnos_walk(const char *root, const struct mnos_walk_ops *ops, void *ctx);

/* ---- trees on the file API (cmd.c) ---- */

/* Copy the file src to dst (made or truncated): 0, or a negative status and in *culprit
 * the one of the two it is about. src and dst must not be the same file. */
int mnos_copy_file(const char *src, const char *dst, const char **culprit);
/*
 * Copy src — a file, or with recursive a directory and everything below it — to dst;
 * directories that exist already are merged into. Failures are reported as prog's
 * (mnos_cmd_error) as they happen; true if there were none.
 */
bool mnos_copy_tree(const char *prog, const char *src, const char *dst, bool recursive);
/* Remove path and, if it is a directory, everything below it, reporting as prog's. */
bool mnos_remove_tree(const char *prog, const char *path);

/* ---- boot-time figures (cmd.c) ---- */

/*
 * Print the boot-time figure name (docs/PERFORMANCE.md): the time from the kernel's
 * first instruction (system_info's stamp) to the TSC value tsc, when the CPUs had spent
 * halted ticks halted. With lines, make bench's: "BENCH <name> <ticks the CPU ran>
 * instructions" (one CPU only: with several the halted ticks overlap the others'
 * work), then "# <name>: <T> TSC ticks, <H> of them halted, <U> us"; else a line for
 * people. Without a stamp (tsc 0, or a kernel without them) a line says so.
 */
void mnos_cmd_boot_figure(const char *name, bool lines, uint64_t tsc, uint64_t halted);

#endif
