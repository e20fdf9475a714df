/*
 * The commands' pure parts on the host under ASan and UBSan (docs/COMMANDS.md): option
 * parsing and sizes (user/lib/getopt.c), the tree walk of rm -r, cp -r and mv over a
 * tree made here (user/lib/walk.c), joining paths and their last component
 * (user/lib/path.c), sleep's durations, uptime's format, and caps's names for types
 * and rights.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <kerr.h>
#include <mnos/abi.h>
#include <mnos/cmd.h>
#include <mnos/fs.h>
#include "../../user/sleep/duration.h"
#include "../../user/uptime/since.h"
#include "../../user/caps/rights.h"

#include "host_strlcpy.h"

/* ---- options ---- */

/* Parse argv (NULL-terminated) with optstring into a trace: "a b(x) ?c :n HELP |3". */
static void trace(const char *optstring, char *const argv[], char *out, size_t size)
{
	struct mnos_getopt g = MNOS_GETOPT_INIT;
	int argc = 0, r;
	size_t n = 0;

	while (argv[argc])
		argc++;
	out[0] = '\0';
	while ((r = mnos_getopt(&g, argc, argv, optstring)) != MNOS_OPT_END) {
		if (r == MNOS_OPT_HELP)
			n += (size_t)snprintf(out + n, size - n, "HELP ");
		else if (r == '?' && g.opt == 0)
			n += (size_t)snprintf(out + n, size - n, "?%s ", g.arg);
		else if (r == '?' || r == ':')
			n += (size_t)snprintf(out + n, size - n, "%c%c ", r, g.opt);
		else if (g.arg)
			n += (size_t)snprintf(out + n, size - n, "%c(%s) ", r, g.arg);
		else
			n += (size_t)snprintf(out + n, size - n, "%c ", r);
		cr_assert_lt(n, size);
	}
	snprintf(out + n, size - n, "|%d", g.ind);
}

#define EXPECT_TRACE(optstring, want, ...)                                         \
	do {                                                                       \
		char *const av_[] = { "prog", __VA_ARGS__, NULL };                  \
		char got_[256];                                                    \
		trace(optstring, av_, got_, sizeof(got_));                         \
		cr_expect_str_eq(got_, want, "options %s: %s", #__VA_ARGS__, got_); \
	} while (0)

Test(getopt, letters_clusters_and_arguments)
{
	EXPECT_TRACE("lr", "l r |3", "-l", "-r", "x");
	EXPECT_TRACE("lr", "l r l |2", "-lrl", "x");
	EXPECT_TRACE("n:v", "n(5) v |4", "-n", "5", "-v");
	EXPECT_TRACE("n:v", "v n(5) |2", "-vn5");
	EXPECT_TRACE("n:", "n(-x) |3", "-n", "-x");             /* an argument, not an option */
	EXPECT_TRACE("n:", ":n |2", "-n");
	EXPECT_TRACE("vn:", "v :n |2", "-vn");
}

Test(getopt, operands_end_the_options)
{
	EXPECT_TRACE("l", "|1", "x", "-l");
	EXPECT_TRACE("l", "|1", "-", "-l");                     /* "-" is an operand */
	EXPECT_TRACE("l", "l |3", "-l", "--", "-l");
	EXPECT_TRACE("l", "|2", "--");
	EXPECT_TRACE("l", "l |2", "-l");
	char *const none[] = { "prog", NULL };
	char got[64];
	trace("l", none, got, sizeof(got));
	cr_expect_str_eq(got, "|1");
}

Test(getopt, help_and_unknown_options)
{
	EXPECT_TRACE("l", "HELP |2", "--help");
	EXPECT_TRACE("l", "l HELP |3", "-l", "--help", "x");
	EXPECT_TRACE("l", "?--all |2", "--all");
	EXPECT_TRACE("l", "?--helpx |2", "--helpx");
	EXPECT_TRACE("l", "l ?x l |2", "-lxl");
	EXPECT_TRACE("n:", "?: |2", "-:");                      /* ':' is never a letter */
	EXPECT_TRACE("", "?5 |2", "-5");
}

/* A parse may stop at an unknown option and not be called again; a fresh one starts
 * over, and the state never reads past argv. */
Test(getopt, argc_bounds_the_parse)
{
	char *const argv[] = { "prog", "-l", "-l", NULL };
	struct mnos_getopt g = MNOS_GETOPT_INIT;

	cr_assert_eq(mnos_getopt(&g, 2, argv, "l"), 'l');
	cr_assert_eq(mnos_getopt(&g, 2, argv, "l"), MNOS_OPT_END);
	cr_assert_eq(g.ind, 2);
	char *const nargs[] = { "prog", "-n", NULL };
	g = (struct mnos_getopt)MNOS_GETOPT_INIT;
	cr_assert_eq(mnos_getopt(&g, 2, nargs, "n:"), ':');
	cr_assert_eq(mnos_getopt(&g, 2, nargs, "n:"), MNOS_OPT_END);
}

/* ---- sizes ---- */

Test(size, for_people)
{
	static const struct { uint64_t bytes; const char *want; } t[] = {
		{ 0, "0 B" }, { 1, "1 B" }, { 1023, "1023 B" }, { 1024, "1.0 KiB" },
		{ 1536, "1.5 KiB" }, { 1587, "1.5 KiB" }, { 1588, "1.6 KiB" },
		{ 10 * 1024 - 52, "9.9 KiB" }, { 10 * 1024 - 51, "10 KiB" },
		{ 12 * 1024 + 511, "12 KiB" }, { 12 * 1024 + 512, "13 KiB" },
		{ 1023 * 1024, "1023 KiB" }, { 1024 * 1024 - 512, "1.0 MiB" },
		{ 1024 * 1024 - 513, "1023 KiB" }, { 1024 * 1024, "1.0 MiB" },
		{ 506ull << 20, "506 MiB" }, { (2ull << 30) - (100ull << 20), "1.9 GiB" },
		{ 4ull << 40, "4.0 TiB" }, { UINT64_MAX, "16 EiB" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		cr_expect_str_eq(mnos_fmt_size(buf, sizeof(buf), t[i].bytes), t[i].want,
				 "%llu", (unsigned long long)t[i].bytes);
	/* A short buffer is cut, never overrun. */
	char small[4];
	mnos_fmt_size(small, sizeof(small), 506ull << 20);
	cr_expect_str_eq(small, "506");
}

/* ---- paths ---- */

Test(path, join)
{
	char out[MNOS_PATH_MAX];

	static const struct { const char *dir, *name, *want; } t[] = {
		{ "d", "x", "d/x" }, { "d/", "x", "d/x" }, { "d//", "x", "d/x" },
		{ "/", "x", "/x" }, { "", "x", "x" }, { "/a/b", "c", "/a/b/c" },
		{ ".", "x", "./x" }, { "d", "", "d/" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		cr_assert_eq(mnos_path_join(out, t[i].dir, t[i].name), E_OK);
		cr_expect_str_eq(out, t[i].want);
	}
	/* Both sides of the bound: 255 bytes fit, 256 do not (and out is untouched). */
	char dir[MNOS_PATH_MAX], name[MNOS_PATH_MAX];
	memset(dir, 'a', 200);
	dir[200] = '\0';
	memset(name, 'b', 54);
	name[54] = '\0';
	cr_assert_eq(mnos_path_join(out, dir, name), E_OK);
	cr_assert_eq(strlen(out), 255);
	name[54] = 'b';
	name[55] = '\0';
	strcpy(out, "untouched");
	cr_assert_eq(mnos_path_join(out, dir, name), E_FS_NAME_TOO_LONG);
	cr_expect_str_eq(out, "untouched");
}

Test(path, last_component)
{
	static const struct { const char *path, *want; } t[] = {
		{ "a/b", "b" }, { "a/b/", "b" }, { "a/b//", "b" }, { "b", "b" }, { "/b", "b" },
		{ "/", "/" }, { "//", "/" }, { "", "" }, { "/a/b/c.txt", "c.txt" }, { ".", "." },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *s;
		size_t n = mnos_path_last(t[i].path, &s);
		cr_expect_eq(n, strlen(t[i].want), "%s", t[i].path);
		cr_expect(strncmp(s, t[i].want, n) == 0, "%s: %.*s", t[i].path, (int)n, s);
	}
}

/* ---- the walk ---- */

/* A tree: each node a path, a type, and whether it is there. */
#define NODES   64

static struct node {
	char path[MNOS_PATH_MAX + 64];          /* room for paths past the bound */
	unsigned type;
	bool gone;
} tree[NODES];
static size_t ntree;
static char log_[4096];
static const char *fail_list, *fail_pre, *fail_visit;
static bool remove_on_visit;

static void add(const char *path, unsigned type)
{
	strcpy(tree[ntree].path, path);
	tree[ntree].type = type;
	tree[ntree++].gone = false;
}

static struct node *find(const char *path)
{
	for (size_t i = 0; i < ntree; i++)
		if (!tree[i].gone && strcmp(tree[i].path, path) == 0)
			return &tree[i];
	return NULL;
}

static int t_type(void *ctx, const char *path)
{
	struct node *n = find(path);

	return n ? (int)n->type : -E_NOT_FOUND;
}

static int t_list(void *ctx, const char *path, struct mnos_walk_names *names)
{
	size_t pl = strlen(path);

	if (fail_list && strcmp(path, fail_list) == 0)
		return -E_FS_NO_SERVICE;
	for (size_t i = 0; i < ntree; i++) {
		const char *p = tree[i].path;
		if (tree[i].gone || strncmp(p, path, pl) != 0)
			continue;
		const char *rest = p + pl;
		if (pl > 1) {
			if (*rest != '/')
				continue;
			rest++;
		} else if (*rest == '\0') {
			continue;               /* the root itself */
		}
		if (*rest && !strchr(rest, '/'))
			cr_assert_eq(mnos_walk_add(names, rest, tree[i].type), 0);
	}
	return 0;
}

static int t_visit(void *ctx, const char *path, const char *rel, enum mnos_walk_what what)
{
	static const char *const w[] = { "F", "PRE", "POST" };
	size_t n = strlen(log_);

	snprintf(log_ + n, sizeof(log_) - n, "%s %s [%s]; ", w[what], path, rel);
	if (what == MNOS_WALK_PRE && fail_pre && strcmp(path, fail_pre) == 0)
		return -E_PERM;
	if (fail_visit && strcmp(path, fail_visit) == 0)
		return strcmp(ctx ? ctx : "", "reported") == 0 ? MNOS_WALK_REPORTED :
		       -E_FS_READ_ONLY;
	/* rm -r: each entry goes as it is visited (files now, directories after). */
	if (remove_on_visit && what != MNOS_WALK_PRE)
		find(path)->gone = true;
	return 0;
}

static void t_error(void *ctx, const char *path, int status)
{
	size_t n = strlen(log_);

	snprintf(log_ + n, sizeof(log_) - n, "ERR %s %d; ", path, -status);
}

static const struct mnos_walk_ops ops = {
	.type = t_type, .list = t_list, .visit = t_visit, .error = t_error,
};

static void make_tree(void)
{
	ntree = 0;
	log_[0] = '\0';
	fail_list = fail_pre = fail_visit = NULL;
	remove_on_visit = false;
	add("/", FS_TYPE_DIR);
	add("/d", FS_TYPE_DIR);
	add("/d/f1", FS_TYPE_FILE);
	add("/d/e", FS_TYPE_DIR);
	add("/d/e/f2", FS_TYPE_FILE);
	add("/d/g", FS_TYPE_DIR);
	add("/x", FS_TYPE_FILE);
}

Test(walk, visits_in_order_with_paths_below_the_root)
{
	make_tree();
	cr_assert(mnos_walk("/d", &ops, NULL));
	cr_expect_str_eq(log_, "PRE /d []; F /d/f1 [f1]; PRE /d/e [e]; F /d/e/f2 [e/f2]; "
			 "POST /d/e [e]; PRE /d/g [g]; POST /d/g [g]; POST /d []; ");
	/* A trailing slash is not part of the names; a file is one visit. */
	log_[0] = '\0';
	cr_assert(mnos_walk("/d/e/", &ops, NULL));
	cr_expect_str_eq(log_, "PRE /d/e []; F /d/e/f2 [f2]; POST /d/e []; ");
	log_[0] = '\0';
	cr_assert(mnos_walk("/x", &ops, NULL));
	cr_expect_str_eq(log_, "F /x []; ");
	/* From the root: one '/' between the root and its names. */
	log_[0] = '\0';
	cr_assert(mnos_walk("/", &ops, NULL));
	cr_expect(strstr(log_, "PRE / []; PRE /d [d]; F /d/f1 [d/f1];") == log_, "%s", log_);
	cr_expect(strstr(log_, "F /x [x]; POST / []; "), "%s", log_);
}

Test(walk, removing_while_walking_misses_nothing)
{
	make_tree();
	remove_on_visit = true;
	cr_assert(mnos_walk("/d", &ops, NULL));
	cr_expect_null(find("/d"));
	cr_expect_null(find("/d/e/f2"));
	cr_expect_null(find("/d/g"));
	cr_expect_not_null(find("/x"));
}

Test(walk, failures_are_reported_and_skip_what_depends_on_them)
{
	make_tree();
	cr_assert_not(mnos_walk("/nope", &ops, NULL));
	cr_expect_str_eq(log_, "ERR /nope 4; ");
	/* A directory that cannot be listed: its POST and its parent's are skipped, its
	 * siblings still visited. */
	make_tree();
	fail_list = "/d/e";
	cr_assert_not(mnos_walk("/d", &ops, NULL));
	char want[256];
	snprintf(want, sizeof(want), "PRE /d []; F /d/f1 [f1]; PRE /d/e [e]; ERR /d/e %d; "
		 "PRE /d/g [g]; POST /d/g [g]; ", E_FS_NO_SERVICE);
	cr_expect_str_eq(log_, want);
	/* A PRE that fails: nothing below it. */
	make_tree();
	fail_pre = "/d/e";
	cr_assert_not(mnos_walk("/d", &ops, NULL));
	cr_expect_str_eq(log_, "PRE /d []; F /d/f1 [f1]; PRE /d/e [e]; ERR /d/e 6; "
			 "PRE /d/g [g]; POST /d/g [g]; ");
	/* A visit that reports its own failure is not reported twice. */
	make_tree();
	fail_visit = "/d/f1";
	cr_assert_not(mnos_walk("/d", &ops, "reported"));
	cr_expect_null(strstr(log_, "ERR"));
	cr_expect_null(strstr(log_, "POST /d []"));
	make_tree();
	fail_visit = "/d/f1";
	cr_assert_not(mnos_walk("/d", &ops, NULL));
	snprintf(want, sizeof(want), "ERR /d/f1 %d; ", E_FS_READ_ONLY);
	cr_expect(strstr(log_, want), "%s", log_);
}

Test(walk, paths_past_the_bound_fail_their_directory)
{
	char deep[MNOS_PATH_MAX], name[MNOS_PATH_MAX + 64];

	make_tree();
	memset(deep, 'a', 250);
	deep[0] = '/';
	deep[250] = '\0';
	add(deep, FS_TYPE_DIR);
	snprintf(name, sizeof(name), "%s/%s", deep, "bbbb");     /* 255 bytes: fits */
	add(name, FS_TYPE_FILE);
	snprintf(name, sizeof(name), "%s/%s", deep, "ccccc");    /* 256: does not */
	add(name, FS_TYPE_FILE);
	cr_assert_not(mnos_walk(deep, &ops, NULL));
	cr_expect(strstr(log_, "/bbbb [bbbb]; "), "%s", log_);
	cr_expect_null(strstr(log_, "ccccc"));
	char want[300];
	snprintf(want, sizeof(want), "ERR %s %d; ", deep, E_FS_NAME_TOO_LONG);
	cr_expect(strstr(log_, want), "%s", log_);
	/* A root past the bound: refused before anything. */
	char huge[400];
	memset(huge, 'a', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	log_[0] = '\0';
	cr_assert_not(mnos_walk(huge, &ops, NULL));
	cr_expect(strstr(log_, "ERR ") == log_);
}

/* ---- sleep, uptime, caps ---- */

Test(sleep, durations)
{
	static const struct { const char *s; uint64_t ns; } ok[] = {
		{ "0", 0 }, { "5", 5000000000ull }, { "0.5", 500000000 }, { ".25", 250000000 },
		{ "1.", 1000000000 }, { "1.000000001", 1000000001 },
		{ "1.0000000019", 1000000001 }, { "2s", 2000000000 }, { "1.5m", 90000000000ull },
		{ "1h", 3600000000000ull }, { "1d", 86400000000000ull },
		{ "18446744073", 18446744073000000000ull },
		{ "18446744073.709551615", UINT64_MAX },
	};
	static const char *const bad[] = { "", ".", "-1", "+1", "1.2.3", "abc", "1x", "1ss",
					   " 1", "1 ", "0x10", "s" };
	uint64_t ns;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_expect_eq(sleep_parse(ok[i].s, &ns), E_OK, "%s", ok[i].s);
		cr_expect_eq(ns, ok[i].ns, "%s: %llu", ok[i].s, (unsigned long long)ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(sleep_parse(bad[i], &ns), E_INVAL, "'%s'", bad[i]);
	cr_expect_eq(sleep_parse("18446744073.709551616", &ns), E_RANGE);
	cr_expect_eq(sleep_parse("18446744074", &ns), E_RANGE);
	cr_expect_eq(sleep_parse("213503982335d", &ns), E_RANGE);
	cr_expect_eq(sleep_parse("99999999999999999999999999", &ns), E_RANGE);
}

Test(uptime, format)
{
	char buf[48];

	cr_expect_str_eq(uptime_format(buf, sizeof(buf), 0), "up 0:00:00");
	cr_expect_str_eq(uptime_format(buf, sizeof(buf), 12999999999ull), "up 0:00:12");
	cr_expect_str_eq(uptime_format(buf, sizeof(buf), 3723000000000ull), "up 1:02:03");
	cr_expect_str_eq(uptime_format(buf, sizeof(buf), 86399000000000ull), "up 23:59:59");
	cr_expect_str_eq(uptime_format(buf, sizeof(buf), 93784000000000ull),
			 "up 1 day, 2:03:04");
	cr_expect_str_eq(uptime_format(buf, sizeof(buf), 12 * 86400000000000ull),
			 "up 12 days, 0:00:00");
	cr_expect_str_eq(uptime_format(buf, sizeof(buf), UINT64_MAX),
			 "up 213503 days, 23:34:33");
}

Test(caps, type_names_and_rights_letters)
{
	char tb[16], rb[32];

	cr_expect_str_eq(caps_type_name(MNOS_OBJ_ENDPOINT, tb, sizeof(tb)), "endpoint");
	cr_expect_str_eq(caps_type_name(MNOS_OBJ_IOPORT, tb, sizeof(tb)), "ioport");
	cr_expect_str_eq(caps_type_name(MNOS_OBJ_TYPES, tb, sizeof(tb)), "type 9");
	cr_expect_str_eq(caps_rights(MNOS_OBJ_ENDPOINT, MNOS_RIGHTS_ENDPOINT, rb, sizeof(rb)),
			 "dgsr");
	cr_expect_str_eq(caps_rights(MNOS_OBJ_ENDPOINT, CAP_R_SEND, rb, sizeof(rb)), "--s-");
	cr_expect_str_eq(caps_rights(MNOS_OBJ_REPLY, CAP_R_SEND, rb, sizeof(rb)), "s");
	cr_expect_str_eq(caps_rights(MNOS_OBJ_NOTIFICATION, CAP_R_SIGNAL | CAP_R_GRANT, rb,
				     sizeof(rb)), "-gs-");
	cr_expect_str_eq(caps_rights(MNOS_OBJ_MEMORY, CAP_R_READ | CAP_R_EXEC, rb, sizeof(rb)),
			 "--r-x");
	cr_expect_str_eq(caps_rights(MNOS_OBJ_MEMORY, MNOS_RIGHTS_MEMORY, rb, sizeof(rb)),
			 "dgrwx");
	cr_expect_str_eq(caps_rights(MNOS_OBJ_PROCESS, MNOS_RIGHTS_PROCESS, rb, sizeof(rb)),
			 "dgc");
	cr_expect_str_eq(caps_rights(MNOS_OBJ_IRQ, 0, rb, sizeof(rb)), "---");
	/* Bits a type does not have are shown, not hidden. */
	cr_expect_str_eq(caps_rights(MNOS_OBJ_REPLY, CAP_R_SEND | CAP_R_DERIVE, rb, sizeof(rb)),
			 "s+0x1");
	cr_expect_str_eq(caps_rights(MNOS_OBJ_PROCESS, CAP_R_CONTROL | 1u << 20, rb, sizeof(rb)),
			 "--c+0x100000");
	cr_expect_str_eq(caps_rights(99, 0x3, rb, sizeof(rb)), "+0x3");
	/* Every type's full rights fit the buffer caps gives them. */
	for (uint32_t t = 0; t < MNOS_OBJ_TYPES; t++)
		cr_expect_lt(strlen(caps_rights(t, 0xffffffffu, rb, sizeof(rb))), sizeof(rb) - 1);
}
