/*
 * The shell's line editor (user/sh/ledit.c, pure: host-tested in tests/host/test_sh.c):
 * typed bytes in, the line and what to write to the terminal out. Keys: printable
 * characters insert; Left/Right (ESC [ D / C, Ctrl-B / Ctrl-F) move; Home/End (ESC [ H /
 * F, ESC [ 1~ / 4~, ESC O H / F, Ctrl-A / Ctrl-E); Backspace (DEL or ^H) and Delete
 * (ESC [ 3~, Ctrl-D on a non-empty line); Ctrl-U and Ctrl-K kill before and after the
 * cursor; Up/Down (ESC [ A / B, Ctrl-P / Ctrl-N) walk the history; Enter ends the line;
 * Ctrl-C abandons it; Ctrl-D on an empty line ends the input. The terminal is driven with
 * the escapes CSI n C, CSI n D and CSI K only.
 */
#ifndef SH_LEDIT_H
#define SH_LEDIT_H

#include <types.h>
#include "parse.h"

#define LEDIT_HISTORY   32
#define LEDIT_OUT       (3 * SH_LINE_MAX + 32)  /* most output one key makes */

enum {
	LEDIT_MORE,                     /* keep typing */
	LEDIT_DONE,                     /* Enter: the line is in buf */
	LEDIT_INTR,                     /* Ctrl-C: the line is abandoned */
	LEDIT_EOF,                      /* Ctrl-D on an empty line */
};

struct ledit {
	char buf[SH_LINE_MAX];          /* the line, NUL-terminated */
	size_t len, pos;                /* its length; the cursor */
	int esc;                        /* 0, 1 after ESC, 2 inside ESC [ or ESC O */
	char seq[8];                    /* the escape's parameter bytes */
	size_t seqlen;
	char hist[LEDIT_HISTORY][SH_LINE_MAX];
	int nhist;                      /* lines in hist, the newest last */
	int hpos;                       /* the line shown: nhist for the one being typed */
	char saved[SH_LINE_MAX];        /* the line being typed, while walking history */
};

/* Start a fresh line (the history stays). */
void ledit_begin(struct ledit *e);
/* One typed byte: the terminal output goes to out (LEDIT_OUT bytes), its length to *n. */
int ledit_key(struct ledit *e, char c, char *out, size_t *n);
/* Remember a line (not empty, not the same as the newest). */
void ledit_history_add(struct ledit *e, const char *line);

#endif
