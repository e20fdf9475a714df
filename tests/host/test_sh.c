/*
 * The shell's pure parts on the host (docs/SHELL.md): the command language
 * (user/sh/parse.c) — words, quoting, expansions, lists, pipelines, redirections and
 * every syntax error — and the line editor (user/sh/ledit.c) — insertion, cursor keys,
 * deletion, history — by what the line becomes and what goes to the terminal.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "../../user/sh/parse.h"
#include "../../user/sh/ledit.h"

static struct sh_list l;
static char err[80];

static const char *env(void *ctx, const char *name)
{
	if (strcmp(name, "HOME") == 0)
		return "/home";
	if (strcmp(name, "E") == 0)
		return "";
	return NULL;
}

static bool parse(const char *line)
{
	err[0] = 0;
	return sh_parse(line, 42, env, NULL, &l, err, sizeof(err));
}

#define ARGV(pi, ci, ...)                                                              \
	do {                                                                         \
		const char *want[] = { __VA_ARGS__, NULL };                          \
		const struct sh_cmd *cmd = &l.p[pi].cmd[ci];                         \
		int n = 0;                                                           \
		for (; want[n]; n++)                                                 \
			cr_assert_str_eq(cmd->argv[n], want[n], "word %d", n);       \
		cr_assert_eq(cmd->argc, n);                                          \
		cr_assert_null(cmd->argv[n]);                                        \
	} while (0)

Test(sh_parse, words_and_blanks)
{
	cr_assert(parse("  ls  -l\t/bin  "));
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.p[0].ncmds, 1);
	ARGV(0, 0, "ls", "-l", "/bin");
	cr_assert(parse(""));
	cr_assert_eq(l.n, 0);
	cr_assert(parse("   # only a comment"));
	cr_assert_eq(l.n, 0);
	cr_assert(parse("echo a#b # comment"));
	ARGV(0, 0, "echo", "a#b");
}

Test(sh_parse, quoting)
{
	cr_assert(parse("echo 'a  $HOME \\ b' \"c $HOME \\\" \\$ \\x\" d\\ e '' \"\""));
	ARGV(0, 0, "echo", "a  $HOME \\ b", "c /home \" $ \\x", "d e", "", "");
	cr_assert(parse("echo x'y'\"z\""));
	ARGV(0, 0, "echo", "xyz");
	cr_assert(parse("echo '|;&<>'"));
	ARGV(0, 0, "echo", "|;&<>");
}

Test(sh_parse, expansions)
{
	cr_assert(parse("echo $? ${HOME}x $HOME/y $NOPE. $ $E. \"$?\""));
	ARGV(0, 0, "echo", "42", "/homex", "/home/y", ".", "$", ".", "42");
}

Test(sh_parse, lists)
{
	cr_assert(parse("a; b && c || d & e"));
	cr_assert_eq(l.n, 5);
	cr_assert_eq(l.p[0].join, SH_SEQ);
	cr_assert_eq(l.p[1].join, SH_AND);
	cr_assert_eq(l.p[2].join, SH_OR);
	cr_assert(l.p[3].background);
	cr_assert_eq(l.p[3].join, SH_SEQ);
	cr_assert_not(l.p[4].background);
	cr_assert(parse("a;"));
	cr_assert_eq(l.n, 1);
	cr_assert(parse("sleep 1 &"));
	cr_assert_eq(l.n, 1);
	cr_assert(l.p[0].background);
}

Test(sh_parse, pipelines_and_redirections)
{
	cr_assert(parse("cat < in | grep x | wc > out 2>> log; b >> app 2> e"));
	cr_assert_eq(l.n, 2);
	cr_assert_eq(l.p[0].ncmds, 3);
	ARGV(0, 0, "cat");
	cr_assert_eq(l.p[0].cmd[0].redir[0], SH_REDIR_IN);
	cr_assert_str_eq(l.p[0].cmd[0].path[0], "in");
	ARGV(0, 2, "wc");
	cr_assert_eq(l.p[0].cmd[2].redir[1], SH_REDIR_OUT);
	cr_assert_str_eq(l.p[0].cmd[2].path[1], "out");
	cr_assert_eq(l.p[0].cmd[2].redir[2], SH_REDIR_APPEND);
	cr_assert_eq(l.p[1].cmd[0].redir[1], SH_REDIR_APPEND);
	cr_assert_eq(l.p[1].cmd[0].redir[2], SH_REDIR_OUT);
	cr_assert(parse("echo>f x"));
	ARGV(0, 0, "echo", "x");
	cr_assert_str_eq(l.p[0].cmd[0].path[1], "f");
	cr_assert(parse("echo 2 a2>f"));
	ARGV(0, 0, "echo", "2", "a2");
	cr_assert_eq(l.p[0].cmd[0].redir[1], SH_REDIR_OUT);
}

Test(sh_parse, syntax_errors)
{
	static const char *const bad[] = {
		"| a", "a |", "a | | b", "a &&", "&& a", "a ||", "; a", "a ;;", "a >", "a < |",
		"> f", "echo 'x", "echo \"x", "a && ; b", "echo ${HOME", "echo ${}", "a & & b",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_not(parse(bad[i]), "%s parsed", bad[i]);
		cr_assert_neq(err[0], 0, "%s: no message", bad[i]);
	}
	cr_assert_not(parse("a | | b"));
	cr_assert_str_eq(err, "syntax error near '|'");
	cr_assert_not(parse("echo 'x"));
	cr_assert_str_eq(err, "unterminated quote");
}

Test(sh_parse, limits)
{
	char line[SH_LINE_MAX * 8];
	size_t n = 0;

	for (int i = 0; i < SH_MAX_ARGS + 1; i++)
		n += (size_t)sprintf(line + n, "a ");
	cr_assert_not(parse(line));
	cr_assert_str_eq(err, "too many arguments");
	n = 0;
	for (int i = 0; i < SH_MAX_CMDS + 1; i++)
		n += (size_t)sprintf(line + n, "a | ");
	strcpy(line + n, "a");
	cr_assert_not(parse(line));
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	cr_assert_not(parse(line));
	cr_assert_str_eq(err, "line too long");
}

Test(sh_parse, random_lines_never_break_bounds)
{
	static const char alphabet[] = "ab $?{}'\"\\|&;<>2#\t";
	char line[200];

	srand(3);
	for (int k = 0; k < 200000; k++) {
		size_t n = (size_t)(rand() % (int)(sizeof(line) - 1));
		for (size_t i = 0; i < n; i++)
			line[i] = alphabet[rand() % (int)(sizeof(alphabet) - 1)];
		line[n] = 0;
		if (!parse(line))
			continue;
		cr_assert_leq(l.used, SH_STORE);
		for (int p = 0; p < l.n; p++)
			for (int c = 0; c < l.p[p].ncmds; c++) {
				const struct sh_cmd *cmd = &l.p[p].cmd[c];
				cr_assert_gt(cmd->argc, 0);
				cr_assert_null(cmd->argv[cmd->argc]);
			}
	}
}

/* ---- the line editor ---- */

static struct ledit e;
static char out[LEDIT_OUT * 64];
static size_t outn;

static int keys(const char *s)
{
	int r = LEDIT_MORE;

	outn = 0;
	for (; *s; s++) {
		size_t n;
		r = ledit_key(&e, *s, out + outn, &n);
		outn += n;
		if (r != LEDIT_MORE)
			break;
	}
	out[outn] = 0;
	return r;
}

Test(ledit, typing_and_enter)
{
	memset(&e, 0, sizeof(e));
	ledit_begin(&e);
	cr_assert_eq(keys("ls -l"), LEDIT_MORE);
	cr_assert_str_eq(out, "ls -l");
	cr_assert_eq(keys("\r"), LEDIT_DONE);
	cr_assert_str_eq(e.buf, "ls -l");
	cr_assert_str_eq(out, "\n");
}

Test(ledit, cursor_insert_backspace_delete)
{
	memset(&e, 0, sizeof(e));
	ledit_begin(&e);
	keys("echo hllo");
	keys("\x1b[D\x1b[D\x1b[D");
	cr_assert_eq(e.pos, 6);
	cr_assert_str_eq(out, "\x1b[1D\x1b[1D\x1b[1D");
	keys("e");
	cr_assert_str_eq(e.buf, "echo hello");
	cr_assert_str_eq(out, "ello\x1b[K\x1b[3D", "the rest redrawn, the cursor back");
	keys("\x7f");
	cr_assert_str_eq(e.buf, "echo hllo");
	keys("\x1b[H\x1b[3~");
	cr_assert_str_eq(e.buf, "cho hllo");
	cr_assert_eq(e.pos, 0);
	keys("\x1b[F!");
	cr_assert_str_eq(e.buf, "cho hllo!");
	keys("\x01\x0b");                       /* Ctrl-A, Ctrl-K */
	cr_assert_str_eq(e.buf, "");
	keys("abc\x02\x15");                    /* Ctrl-B, Ctrl-U */
	cr_assert_str_eq(e.buf, "c");
	keys("\x1b[1~x\x1b[4~y\x1bOHz");         /* other Home/End spellings */
	cr_assert_str_eq(e.buf, "zxcy");
	keys("\x1b[99~\x1b[5;3Z");               /* unknown escapes are swallowed */
	cr_assert_str_eq(e.buf, "zxcy");
}

Test(ledit, history)
{
	memset(&e, 0, sizeof(e));
	ledit_history_add(&e, "one");
	ledit_history_add(&e, "two");
	ledit_history_add(&e, "two");           /* no repeat */
	ledit_history_add(&e, "");
	cr_assert_eq(e.nhist, 2);
	ledit_begin(&e);
	keys("dra");
	keys("\x1b[A");
	cr_assert_str_eq(e.buf, "two");
	keys("\x1b[A\x1b[A");
	cr_assert_str_eq(e.buf, "one", "stays at the oldest");
	keys("\x1b[B\x1b[B");
	cr_assert_str_eq(e.buf, "dra", "back to what was being typed");
	keys("\x1b[B");
	cr_assert_str_eq(e.buf, "dra");
	for (int i = 0; i < LEDIT_HISTORY + 5; i++) {
		char s[16];
		sprintf(s, "c%d", i);
		ledit_history_add(&e, s);
	}
	cr_assert_eq(e.nhist, LEDIT_HISTORY);
	cr_assert_str_eq(e.hist[0], "c5");
}

Test(ledit, ctrl_c_and_ctrl_d)
{
	memset(&e, 0, sizeof(e));
	ledit_begin(&e);
	cr_assert_eq(keys("abc\x03"), LEDIT_INTR);
	ledit_begin(&e);
	cr_assert_eq(keys("\x04"), LEDIT_EOF);
	ledit_begin(&e);
	cr_assert_eq(keys("ab\x01\x04"), LEDIT_MORE, "Ctrl-D on a line deletes");
	cr_assert_str_eq(e.buf, "b");
}

Test(ledit, random_keys_keep_bounds)
{
	char o[LEDIT_OUT];
	size_t n;

	memset(&e, 0, sizeof(e));
	ledit_begin(&e);
	srand(5);
	for (int i = 0; i < 300000; i++) {
		int r = ledit_key(&e, (char)(rand() % 3 ? 'a' + rand() % 5 : rand()), o, &n);
		cr_assert_leq(n, LEDIT_OUT);
		cr_assert_leq(e.pos, e.len);
		cr_assert_lt(e.len, SH_LINE_MAX);
		cr_assert_eq(strlen(e.buf), e.len);
		if (r == LEDIT_DONE)
			ledit_history_add(&e, e.buf);
		if (r != LEDIT_MORE)
			ledit_begin(&e);
	}
}

Test(sh_parse, each_pipeline_expanded_with_its_own_status)
{
	static struct sh_list one;
	const char *line = "false; echo $? && echo \"$?\" &";

	cr_assert(parse(line));
	cr_assert_eq(l.n, 3);
	cr_assert(sh_parse_at(line, &l, 1, 1, env, NULL, &one, err, sizeof(err)));
	cr_assert_str_eq(one.p[0].cmd[0].argv[1], "1");
	cr_assert(sh_parse_at(line, &l, 2, 0, env, NULL, &one, err, sizeof(err)));
	cr_assert_str_eq(one.p[0].cmd[0].argv[1], "0");
	cr_assert(one.p[0].background);
	cr_assert_not(sh_parse_at(line, &l, 3, 0, env, NULL, &one, err, sizeof(err)));
}
