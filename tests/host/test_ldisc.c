/*
 * The console's line discipline (user/console/ldisc.c, docs/INIT.md "The console") on
 * the host: raw bytes pass unechoed; a cooked line is echoed, edited and delivered at
 * Enter; Ctrl-D ends the input once; Ctrl-C throws typed input away, and fires only
 * when armed; escape sequences never reach a cooked line; a full buffer drops, never
 * overruns; random input keeps every bound.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <mnos/console.h>
#include "../../user/console/ldisc.h"

static struct ldisc l;
static char echo[LDISC_ECHO + 1], got[LDISC_RX + 1];
static size_t elen;

static unsigned type(const char *s)
{
	unsigned what = 0;
	static char all[4096];
	size_t n = 0;

	for (; *s; s++) {
		what |= ldisc_input(&l, *s, echo, &elen);
		for (size_t i = 0; i < elen && n < sizeof(all) - 1; i++)
			all[n++] = echo[i];
	}
	all[n] = 0;
	memcpy(echo, all, n + 1);
	return what;
}

static const char *take(size_t want)
{
	bool eof;
	size_t n = ldisc_read(&l, got, want, &eof);

	got[n] = 0;
	return got;
}

static void fresh(int mode)
{
	memset(&l, 0, sizeof(l));
	ldisc_set_mode(&l, mode);
}

Test(ldisc, raw_passes_bytes_unechoed)
{
	fresh(CONSOLE_RAW);
	cr_assert_eq(type("ab\x1b[A\x7f\r"), LDISC_WAKE);
	cr_assert_str_eq(echo, "");
	cr_assert_str_eq(take(100), "ab\x1b[A\x7f\r");
	cr_assert_str_eq(take(100), "");
}

Test(ldisc, raw_ctrl_c_is_input_until_armed)
{
	fresh(CONSOLE_RAW);
	cr_assert_eq(type("\x03"), LDISC_WAKE);
	cr_assert_str_eq(take(10), "\x03");
	l.intr = true;
	cr_assert_eq(type("xy\x03"), LDISC_WAKE | LDISC_INTR);
	cr_assert_str_eq(take(10), "", "typed input is thrown away");
	cr_assert_str_eq(echo, "^C\n");
}

Test(ldisc, cooked_line_is_edited_and_delivered_at_enter)
{
	fresh(CONSOLE_COOKED);
	cr_assert_eq(type("helo\x7fl"), 0);
	cr_assert_str_eq(take(100), "", "nothing before Enter");
	cr_assert_eq(type("o\r"), LDISC_WAKE);
	cr_assert_str_eq(echo, "o\n");
	cr_assert_str_eq(take(100), "hello\n");
}

Test(ldisc, cooked_echo_and_backspace_at_start)
{
	fresh(CONSOLE_COOKED);
	type("\x7f" "ab\b");
	cr_assert_str_eq(echo, "ab\b \b");
	type("\x15");                           /* Ctrl-U */
	cr_assert_str_eq(echo, "\b \b");
	type("z\n");
	cr_assert_str_eq(take(100), "z\n");
}

Test(ldisc, cooked_drops_escape_sequences)
{
	fresh(CONSOLE_COOKED);
	type("a\x1b[A\x1b[3~b\x1bOHc\r");
	cr_assert_str_eq(take(100), "abc\n");
}

Test(ldisc, ctrl_d_ends_input_once)
{
	bool eof;

	fresh(CONSOLE_COOKED);
	cr_assert_eq(type("\x04"), LDISC_WAKE);
	cr_assert_eq(ldisc_read(&l, got, 10, &eof), 0);
	cr_assert(eof);
	cr_assert_eq(ldisc_read(&l, got, 10, &eof), 0);
	cr_assert_not(eof, "only once");
	type("ab\x04");                          /* not empty: the line goes, no end */
	cr_assert_eq(ldisc_read(&l, got, 10, &eof), 2);
	cr_assert_not(eof);
}

Test(ldisc, cooked_ctrl_c_kills_line_without_interrupt_unless_armed)
{
	fresh(CONSOLE_COOKED);
	cr_assert_eq(type("abc\x03"), 0);
	cr_assert_str_eq(echo, "abc^C\n");
	type("d\r");
	cr_assert_str_eq(take(100), "d\n");
	l.intr = true;
	cr_assert_eq(type("x\x03") & LDISC_INTR, LDISC_INTR);
}

Test(ldisc, mode_change_hands_over_unfinished_line)
{
	fresh(CONSOLE_COOKED);
	type("par");
	ldisc_set_mode(&l, CONSOLE_RAW);
	cr_assert_str_eq(take(100), "par");
	ldisc_set_mode(&l, 7);
	cr_assert_eq(l.mode, CONSOLE_RAW, "an unknown mode is raw");
}

Test(ldisc, full_buffer_drops_and_long_line_is_bounded)
{
	fresh(CONSOLE_RAW);
	for (int i = 0; i < LDISC_RX + 10; i++)
		ldisc_input(&l, 'x', echo, &elen);
	cr_assert_eq(l.dropped, 10);
	cr_assert_eq(strlen(take(LDISC_RX)), LDISC_RX);
	fresh(CONSOLE_COOKED);
	for (int i = 0; i < LDISC_LINE * 2; i++)
		ldisc_input(&l, 'y', echo, &elen);
	ldisc_input(&l, '\r', echo, &elen);
	cr_assert_eq(strlen(take(LDISC_RX)), LDISC_LINE, "the line and its newline");
	cr_assert_eq(got[LDISC_LINE - 1], '\n');
}

Test(ldisc, random_input_keeps_bounds)
{
	srand(7);
	fresh(CONSOLE_COOKED);
	for (int i = 0; i < 200000; i++) {
		if (rand() % 1000 == 0)
			ldisc_set_mode(&l, rand() % 2);
		if (rand() % 997 == 0)
			l.intr = !l.intr;
		ldisc_input(&l, (char)rand(), echo, &elen);
		cr_assert_leq(elen, LDISC_ECHO);
		cr_assert_leq(l.linelen, LDISC_LINE);
		cr_assert_leq(l.head - l.tail, LDISC_RX);
		if (rand() % 3 == 0)
			take(rand() % 600);
	}
}
