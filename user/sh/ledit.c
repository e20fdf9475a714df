/* The shell's line editor (ledit.h). */
#include "ledit.h"
#include <klib.h>
#include <kformat.h>

#define CTRL(c)         ((c) & 0x1f)

struct out {
	char *p;
	size_t n;
};

static void emit(struct out *o, const char *s, size_t len)
{
	if (o->n + len > LEDIT_OUT)
		len = LEDIT_OUT - o->n;
	memcpy(o->p + o->n, s, len);
	o->n += len;
}

/* Cursor n columns left (d 'D') or right (d 'C'). */
static void move(struct out *o, size_t n, char d)
{
	char s[24];

	if (n)
		emit(o, s, (size_t)ksnprintf(s, sizeof(s), "\x1b[%zu%c", n, d));
}

/* Redraw from the cursor to the end of the line, clear what is past it, and put the
 * cursor back. */
static void redraw_tail(struct ledit *e, struct out *o)
{
	emit(o, e->buf + e->pos, e->len - e->pos);
	emit(o, "\x1b[K", 3);
	move(o, e->len - e->pos, 'D');
}

/* Replace the whole line by s, the cursor at its end. */
static void replace(struct ledit *e, struct out *o, const char *s)
{
	move(o, e->pos, 'D');
	e->len = MIN(strlen(s), (size_t)SH_LINE_MAX - 1);
	memcpy(e->buf, s, e->len);
	e->buf[e->len] = 0;
	e->pos = 0;
	redraw_tail(e, o);
	move(o, e->len, 'C');
	e->pos = e->len;
}

static void insert(struct ledit *e, struct out *o, char c)
{
	if (e->len == SH_LINE_MAX - 1)
		return;
	memmove(e->buf + e->pos + 1, e->buf + e->pos, e->len - e->pos + 1);
	e->buf[e->pos] = c;
	e->len++;
	emit(o, &c, 1);
	e->pos++;
	if (e->pos < e->len)
		redraw_tail(e, o);
}

/* Remove n characters at the cursor. */
static void erase(struct ledit *e, struct out *o, size_t n)
{
	n = MIN(n, e->len - e->pos);
	if (!n)
		return;
	memmove(e->buf + e->pos, e->buf + e->pos + n, e->len - e->pos - n + 1);
	e->len -= n;
	redraw_tail(e, o);
}

static void left(struct ledit *e, struct out *o, size_t n)
{
	n = MIN(n, e->pos);
	move(o, n, 'D');
	e->pos -= n;
}

static void right(struct ledit *e, struct out *o, size_t n)
{
	n = MIN(n, e->len - e->pos);
	move(o, n, 'C');
	e->pos += n;
}

static void history(struct ledit *e, struct out *o, int step)
{
	int to = e->hpos + step;

	if (to < 0 || to > e->nhist)
		return;
	if (e->hpos == e->nhist)
		memcpy(e->saved, e->buf, sizeof(e->saved));
	e->hpos = to;
	replace(e, o, to == e->nhist ? e->saved : e->hist[to]);
}

/* The final byte of an escape sequence, with its parameters in e->seq. */
static void escape(struct ledit *e, struct out *o, char fin)
{
	int num = 0;

	for (size_t i = 0; i < e->seqlen && e->seq[i] >= '0' && e->seq[i] <= '9'; i++)
		num = num * 10 + (e->seq[i] - '0');
	switch (fin) {
	case 'A': history(e, o, -1); break;
	case 'B': history(e, o, 1); break;
	case 'C': right(e, o, 1); break;
	case 'D': left(e, o, 1); break;
	case 'H': left(e, o, e->pos); break;
	case 'F': right(e, o, e->len); break;
	case '~':
		if (num == 1 || num == 7)
			left(e, o, e->pos);
		else if (num == 4 || num == 8)
			right(e, o, e->len);
		else if (num == 3)
			erase(e, o, 1);
		break;
	default:
		break;                  /* unknown: swallowed */
	}
}

void ledit_begin(struct ledit *e)
{
	e->buf[0] = 0;
	e->len = e->pos = 0;
	e->esc = 0;
	e->hpos = e->nhist;
}

int ledit_key(struct ledit *e, char c, char *outp, size_t *n)
{
	struct out o = { outp, 0 };
	int r = LEDIT_MORE;

	if (e->esc == 1) {
		e->esc = c == '[' || c == 'O' ? 2 : 0;
		e->seqlen = 0;
	} else if (e->esc == 2) {
		if (c >= 0x40 && c <= 0x7e) {
			e->esc = 0;
			escape(e, &o, c);
		} else if (e->seqlen < sizeof(e->seq)) {
			e->seq[e->seqlen++] = c;
		}
	} else {
		switch (c) {
		case 0x1b: e->esc = 1; break;
		case '\r':
		case '\n':
			right(e, &o, e->len);
			emit(&o, "\n", 1);
			r = LEDIT_DONE;
			break;
		case CTRL('C'):
			emit(&o, "^C\n", 3);
			r = LEDIT_INTR;
			break;
		case CTRL('D'):
			if (!e->len)
				r = LEDIT_EOF;
			else
				erase(e, &o, 1);
			break;
		case 0x7f:
		case '\b':
			if (e->pos) {
				left(e, &o, 1);
				erase(e, &o, 1);
			}
			break;
		case CTRL('A'): left(e, &o, e->pos); break;
		case CTRL('E'): right(e, &o, e->len); break;
		case CTRL('B'): left(e, &o, 1); break;
		case CTRL('F'): right(e, &o, 1); break;
		case CTRL('P'): history(e, &o, -1); break;
		case CTRL('N'): history(e, &o, 1); break;
		case CTRL('K'): erase(e, &o, e->len - e->pos); break;
		case CTRL('U'): {
			size_t k = e->pos;
			left(e, &o, k);
			erase(e, &o, k);
			break;
		}
		default:
			if ((unsigned char)c >= ' ' && c != 0x7f)
				insert(e, &o, c);
			break;
		}
	}
	*n = o.n;
	return r;
}

void ledit_history_add(struct ledit *e, const char *line)
{
	if (!*line || (e->nhist && strcmp(e->hist[e->nhist - 1], line) == 0))
		return;
	if (e->nhist == LEDIT_HISTORY) {
		memmove(e->hist[0], e->hist[1], sizeof(e->hist[0]) * (LEDIT_HISTORY - 1));
		e->nhist--;
	}
	size_t len = MIN(strlen(line), (size_t)SH_LINE_MAX - 1);
	memcpy(e->hist[e->nhist], line, len);
	e->hist[e->nhist][len] = 0;
	e->nhist++;
	e->hpos = e->nhist;
}
