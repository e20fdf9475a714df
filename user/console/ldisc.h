/*
 * The console's line discipline (user/console/ldisc.c, pure: host-tested in
 * tests/host/test_ldisc.c): what typed bytes become for readers, in raw and cooked mode
 * (mnos/console.h), and Ctrl-C.
 */
#ifndef CONSOLE_LDISC_H
#define CONSOLE_LDISC_H

#include <types.h>

#define LDISC_RX        4096            /* bytes readers have not taken yet */
#define LDISC_LINE      512             /* a cooked line being edited */
#define LDISC_ECHO      (3 * LDISC_LINE)        /* most echo bytes one input byte makes */

struct ldisc {
	int mode;                       /* CONSOLE_RAW or CONSOLE_COOKED */
	bool intr;                      /* Ctrl-C is armed: an interrupt, not input */
	int esc;                        /* cooked: 0, 1 after ESC, 2 inside ESC [ */
	size_t linelen;
	uint64_t head, tail;            /* rx[tail..head), modulo LDISC_RX */
	uint64_t dropped;               /* bytes lost to a full buffer */
	unsigned eofs;                  /* Ctrl-D on empty lines, each one empty read */
	char line[LDISC_LINE];
	char rx[LDISC_RX];
};

/* What ldisc_input tells the caller to do. */
#define LDISC_WAKE      1u              /* readers have something new */
#define LDISC_INTR      2u              /* signal the armed interrupt */

/* One typed byte: what to echo goes to echo (room for LDISC_ECHO), its length in *elen. */
unsigned ldisc_input(struct ldisc *l, char c, char *echo, size_t *elen);

/* Up to want bytes for a reader into out: the count; *eof set (and one end-of-input
 * taken) when the count is 0 because of Ctrl-D. */
size_t ldisc_read(struct ldisc *l, char *out, size_t want, bool *eof);

/* Change mode: what was typed on a cooked line not finished goes to readers as is. */
void ldisc_set_mode(struct ldisc *l, int mode);

#endif
