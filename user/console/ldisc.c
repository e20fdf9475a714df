/* The console's line discipline (ldisc.h). */
#include "ldisc.h"
#include <mnos/console.h>
#include <klib.h>

#define CTRL(c)         ((c) & 0x1f)

static bool queue(struct ldisc *l, char c)
{
	if (l->head - l->tail == LDISC_RX) {
		l->dropped++;
		return false;
	}
	l->rx[l->head++ % LDISC_RX] = c;
	return true;
}

/* The cooked line so far, to readers. */
static void flush_line(struct ldisc *l)
{
	for (size_t i = 0; i < l->linelen; i++)
		queue(l, l->line[i]);
	l->linelen = 0;
}

static void put(char *echo, size_t *elen, const char *s)
{
	while (*s && *elen < LDISC_ECHO)
		echo[(*elen)++] = *s++;
}

unsigned ldisc_input(struct ldisc *l, char c, char *echo, size_t *elen)
{
	*elen = 0;
	if (c == CTRL('C') && (l->intr || l->mode == CONSOLE_COOKED)) {
		/* Everything typed and not read goes; the armed interrupt fires. */
		l->tail = l->head;
		l->linelen = 0;
		l->esc = 0;
		put(echo, elen, "^C\n");
		return l->intr ? LDISC_INTR : 0;
	}
	if (l->mode == CONSOLE_RAW)
		return queue(l, c) ? LDISC_WAKE : 0;

	/* Cooked. Escape sequences (arrows and the like) are dropped whole. */
	if (l->esc == 1) {
		l->esc = c == '[' || c == 'O' ? 2 : 0;
		return 0;
	}
	if (l->esc == 2) {
		if (c >= 0x40 && c <= 0x7e)
			l->esc = 0;
		return 0;
	}
	switch (c) {
	case 0x1b:
		l->esc = 1;
		return 0;
	case '\r':
	case '\n':
		if (l->linelen < LDISC_LINE)
			l->line[l->linelen++] = '\n';
		flush_line(l);
		put(echo, elen, "\n");
		return LDISC_WAKE;
	case 0x7f:
	case '\b':
		if (l->linelen) {
			l->linelen--;
			put(echo, elen, "\b \b");
		}
		return 0;
	case CTRL('U'):
		for (; l->linelen; l->linelen--)
			put(echo, elen, "\b \b");
		return 0;
	case CTRL('D'):
		if (!l->linelen)
			l->eofs++;
		flush_line(l);
		return LDISC_WAKE;
	default:
		if ((unsigned char)c < ' ' || l->linelen == LDISC_LINE - 1)
			return 0;       /* other controls; the last place is for the newline */
		l->line[l->linelen++] = c;
		echo[(*elen)++] = c;
		return 0;
	}
}

size_t ldisc_read(struct ldisc *l, char *out, size_t want, bool *eof)
{
	size_t n = 0;

	*eof = false;
	while (n < want && l->tail != l->head)
		out[n++] = l->rx[l->tail++ % LDISC_RX];
	if (!n && want && l->eofs) {
		l->eofs--;
		*eof = true;
	}
	return n;
}

void ldisc_set_mode(struct ldisc *l, int mode)
{
	flush_line(l);
	l->esc = 0;
	l->mode = mode == CONSOLE_COOKED ? CONSOLE_COOKED : CONSOLE_RAW;
}
