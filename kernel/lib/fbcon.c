/*
 * The framebuffer text console (fbcon.h): a VT100-style parser over a grid of cells,
 * and a renderer that draws the cells that changed. Freestanding and pure, so the same
 * code runs in the kernel (its boot console, kernel/console/consoles.c), in ring 3
 * (user/fbcon, the framebuffer console service) and on the host
 * (tests/host/test_fbcon.c, under ASan and UBSan).
 *
 * Nothing here reads the framebuffer: scrolling moves cells, and the renderer compares
 * them with its copy of what is on the screen (shown) to draw only what differs, each
 * pixel of a cell written once.
 */
#include <fbcon.h>
#include <klib.h>

static const uint32_t ansi_rgb[16] = {
	0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
	0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
};

#define NO_CURSOR       UINT32_MAX
#define PARAM_MAX       99999u          /* larger numbers saturate */
#define OSC_MAX         512             /* an OSC string longer than this is given up */

#define CH_BEL  0x07
#define CH_BS   0x08
#define CH_HT   0x09
#define CH_LF   0x0a
#define CH_VT   0x0b
#define CH_FF   0x0c
#define CH_CR   0x0d
#define CH_CAN  0x18
#define CH_SUB  0x1a
#define CH_ESC  0x1b
#define CH_DEL  0x7f

/* ---- pixels ---- */

/* An 8-bit channel value in a channel of size bits (1..8). */
static uint32_t scale(uint32_t v8, uint8_t size)
{
	return v8 >> (8 - size);
}

uint32_t fbcon_pack(const struct fbcon *c, uint32_t rgb)
{
	const struct fbcon_format *f = &c->fmt;
	uint32_t r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;

	return scale(r, f->red_size) << f->red_pos | scale(g, f->green_size) << f->green_pos |
	       scale(b, f->blue_size) << f->blue_pos;
}

static inline void put_pixel24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
}

/* Pixel rows [y0, y1), columns [x0, x1), in colour v. */
static void fill(struct fbcon *c, uint32_t x0, uint32_t x1, uint32_t y0, uint32_t y1,
		 uint32_t v)
{
	for (uint32_t y = y0; y < y1; y++) {
		uint8_t *line = c->pixels + (size_t)y * c->pitch;
		if (c->bytes_pp == 4) {
			uint32_t *px = (uint32_t *)line;
			for (uint32_t x = x0; x < x1; x++)
				px[x] = v;
		} else {
			for (uint32_t x = x0; x < x1; x++)
				put_pixel24(line + (size_t)x * 3, v);
		}
	}
}

static void draw_cell(struct fbcon *c, uint32_t col, uint32_t row, struct fbcon_cell cell)
{
	const uint8_t *glyph = font_8x16[cell.ch];
	uint32_t fg = c->palette[FBCON_FG(cell.attr)], bg = c->palette[FBCON_BG(cell.attr)];
	uint8_t *origin = c->pixels + (size_t)row * FONT_H * c->pitch +
			  (size_t)col * FONT_W * c->bytes_pp;

	for (uint32_t y = 0; y < FONT_H; y++) {
		uint8_t bits = glyph[y];
		uint8_t *line = origin + (size_t)y * c->pitch;
		if (c->bytes_pp == 4) {
			uint32_t *px = (uint32_t *)line;
			for (uint32_t x = 0; x < FONT_W; x++)
				px[x] = (bits & (0x80 >> x)) ? fg : bg;
		} else {
			for (uint32_t x = 0; x < FONT_W; x++)
				put_pixel24(line + x * 3, (bits & (0x80 >> x)) ? fg : bg);
		}
	}
}

/* ---- the grid ---- */

static void dirty(struct fbcon *c, uint32_t r0, uint32_t r1)
{
	c->dirty_lo = MIN(c->dirty_lo, r0);
	c->dirty_hi = MAX(c->dirty_hi, r1);
}

static struct fbcon_cell *at(struct fbcon *c, uint32_t col, uint32_t row)
{
	return &c->cells[(size_t)row * c->cols + col];
}

/* What an erased cell holds: a blank in the current background (as xterm does). */
static struct fbcon_cell blank(const struct fbcon *c)
{
	return (struct fbcon_cell){ ' ', FBCON_ATTR(FBCON_DEFAULT_FG, c->pen.bg) };
}

/* Columns [col0, col1) of row. */
static void erase(struct fbcon *c, uint32_t row, uint32_t col0, uint32_t col1)
{
	struct fbcon_cell b = blank(c);

	for (uint32_t x = col0; x < col1; x++)
		*at(c, x, row) = b;
	if (col0 < col1)
		dirty(c, row, row + 1);
}

static void erase_rows(struct fbcon *c, uint32_t r0, uint32_t r1)
{
	for (uint32_t r = r0; r < r1; r++)
		erase(c, r, 0, c->cols);
}

static void scroll_up(struct fbcon *c)
{
	memmove(c->cells, c->cells + c->cols, sizeof(*c->cells) * c->cols * (c->rows - 1));
	erase(c, c->rows - 1, 0, c->cols);
	dirty(c, 0, c->rows);
}

/* The cursor's column, a pending wrap taken back to the last column. */
static uint32_t col_now(const struct fbcon *c)
{
	return MIN(c->pen.cx, c->cols - 1);
}

static void line_feed(struct fbcon *c)
{
	if (c->pen.cy + 1 < c->rows)
		c->pen.cy++;
	else
		scroll_up(c);
}

static uint8_t attr_now(const struct fbcon *c)
{
	uint8_t fg = c->pen.fg + (c->pen.bold && c->pen.fg < 8 ? 8 : 0);

	return c->pen.reverse ? FBCON_ATTR(c->pen.bg, fg) : FBCON_ATTR(fg, c->pen.bg);
}

static void printable(struct fbcon *c, uint8_t ch)
{
	if (c->pen.cx >= c->cols) {
		/* The previous character filled the last column. */
		if (c->autowrap) {
			c->pen.cx = 0;
			line_feed(c);
		} else {
			c->pen.cx = c->cols - 1;
		}
	}
	*at(c, c->pen.cx, c->pen.cy) = (struct fbcon_cell){ ch, attr_now(c) };
	dirty(c, c->pen.cy, c->pen.cy + 1);
	c->pen.cx++;
}

static void control(struct fbcon *c, uint8_t ch)
{
	switch (ch) {
	case CH_LF:
	case CH_VT:
	case CH_FF:
		/* A new line, at its start: the kernel log and programs write bare \n. */
		c->pen.cx = 0;
		line_feed(c);
		break;
	case CH_CR:
		c->pen.cx = 0;
		break;
	case CH_BS:
		c->pen.cx = col_now(c);
		if (c->pen.cx)
			c->pen.cx--;
		break;
	case CH_HT:
		c->pen.cx = MIN((col_now(c) / 8 + 1) * 8, c->cols - 1);
		break;
	default:
		break;                  /* BEL and the rest: nothing to show */
	}
}

/* ---- escape sequences ---- */

static uint32_t param(const struct fbcon *c, uint32_t i, uint32_t dflt)
{
	return i < c->nparams && c->params[i] ? c->params[i] : dflt;
}

/* SGR 38 and 48 at params[*i]: 5;n picks palette entry n (the 16 ANSI colours only),
 * 2;r;g;b a true colour (not shown). Either way its parameters are skipped. */
static void sgr_extended(struct fbcon *c, uint32_t *i, uint8_t *colour)
{
	uint32_t kind = *i + 1 < c->nparams ? c->params[*i + 1] : 0;

	if (kind == 5) {
		if (*i + 2 < c->nparams && c->params[*i + 2] < 16)
			*colour = (uint8_t)c->params[*i + 2];
		*i += 2;
	} else if (kind == 2) {
		*i += 4;
	} else {
		*i = c->nparams;        /* a form not known: the rest cannot be trusted */
	}
}

static void sgr(struct fbcon *c)
{
	uint32_t n = MAX(c->nparams, 1u);       /* "CSI m" is "CSI 0 m" */

	for (uint32_t i = 0; i < n; i++) {
		uint32_t p = i < c->nparams ? c->params[i] : 0;
		if (p == 0) {
			c->pen.fg = FBCON_DEFAULT_FG;
			c->pen.bg = FBCON_DEFAULT_BG;
			c->pen.bold = c->pen.reverse = false;
		} else if (p == 1) {
			c->pen.bold = true;
		} else if (p == 22) {
			c->pen.bold = false;
		} else if (p == 7) {
			c->pen.reverse = true;
		} else if (p == 27) {
			c->pen.reverse = false;
		} else if (p >= 30 && p <= 37) {
			c->pen.fg = (uint8_t)(p - 30);
		} else if (p == 38) {
			sgr_extended(c, &i, &c->pen.fg);
		} else if (p == 39) {
			c->pen.fg = FBCON_DEFAULT_FG;
		} else if (p >= 40 && p <= 47) {
			c->pen.bg = (uint8_t)(p - 40);
		} else if (p == 48) {
			sgr_extended(c, &i, &c->pen.bg);
		} else if (p == 49) {
			c->pen.bg = FBCON_DEFAULT_BG;
		} else if (p >= 90 && p <= 97) {
			c->pen.fg = (uint8_t)(p - 90 + 8);
		} else if (p >= 100 && p <= 107) {
			c->pen.bg = (uint8_t)(p - 100 + 8);
		}
		/* Others (underline, blink, fonts...) are not shown. */
	}
}

/* DEC private modes: CSI ? n h (set) and l (reset). */
static void private_mode(struct fbcon *c, char final)
{
	if (final != 'h' && final != 'l')
		return;
	for (uint32_t i = 0; i < c->nparams; i++) {
		if (c->params[i] == 25)
			c->cursor_on = final == 'h';
		else if (c->params[i] == 7)
			c->autowrap = final == 'h';
	}
}

/* Insert (n > 0 at the cursor, the rest of the line moving right) or delete (the rest
 * moving left) n characters, blanks coming in. */
static void shift_line(struct fbcon *c, uint32_t n, bool insert)
{
	uint32_t x = col_now(c), left = c->cols - x;
	struct fbcon_cell *row = at(c, 0, c->pen.cy);

	n = MIN(n, left);
	if (insert)
		memmove(row + x + n, row + x, sizeof(*row) * (left - n));
	else
		memmove(row + x, row + x + n, sizeof(*row) * (left - n));
	if (insert)
		erase(c, c->pen.cy, x, x + n);
	else
		erase(c, c->pen.cy, c->cols - n, c->cols);
	c->pen.cx = x;
	dirty(c, c->pen.cy, c->pen.cy + 1);
}

static void csi(struct fbcon *c, char final)
{
	uint32_t n = param(c, 0, 1), x = col_now(c), y = c->pen.cy;

	if (c->priv) {
		if (c->priv == '?')
			private_mode(c, final);
		return;
	}
	switch (final) {
	case 'A':
		c->pen.cy = y - MIN(n, y);
		c->pen.cx = x;
		break;
	case 'B':
		c->pen.cy = MIN(y + n, c->rows - 1);
		c->pen.cx = x;
		break;
	case 'C':
		c->pen.cx = MIN(x + n, c->cols - 1);
		break;
	case 'D':
		c->pen.cx = x - MIN(n, x);
		break;
	case 'E':
		c->pen.cy = MIN(y + n, c->rows - 1);
		c->pen.cx = 0;
		break;
	case 'F':
		c->pen.cy = y - MIN(n, y);
		c->pen.cx = 0;
		break;
	case 'G':
	case '`':
		c->pen.cx = MIN(n, c->cols) - 1;
		break;
	case 'd':
		c->pen.cy = MIN(n, c->rows) - 1;
		c->pen.cx = x;
		break;
	case 'H':
	case 'f':
		c->pen.cy = MIN(param(c, 0, 1), c->rows) - 1;
		c->pen.cx = MIN(param(c, 1, 1), c->cols) - 1;
		break;
	case 'J':
		switch (param(c, 0, 0)) {
		case 0:
			erase(c, y, x, c->cols);
			erase_rows(c, y + 1, c->rows);
			break;
		case 1:
			erase_rows(c, 0, y);
			erase(c, y, 0, x + 1);
			break;
		case 2:
		case 3:
			erase_rows(c, 0, c->rows);
			break;
		}
		break;
	case 'K':
		switch (param(c, 0, 0)) {
		case 0:
			erase(c, y, x, c->cols);
			break;
		case 1:
			erase(c, y, 0, x + 1);
			break;
		case 2:
			erase(c, y, 0, c->cols);
			break;
		}
		break;
	case '@':
		shift_line(c, n, true);
		break;
	case 'P':
		shift_line(c, n, false);
		break;
	case 'X':
		erase(c, y, x, x + MIN(n, c->cols - x));
		break;
	case 's':
		c->saved = c->pen;
		break;
	case 'u':
		c->pen = c->saved;
		break;
	case 'm':
		sgr(c);
		break;
	default:
		break;                  /* not supported: consumed, like a terminal would */
	}
}

/* Back to the power-on state (ESC c), on the screen as it is. */
static void terminal_reset(struct fbcon *c)
{
	c->pen = (struct fbcon_pen){ .fg = FBCON_DEFAULT_FG, .bg = FBCON_DEFAULT_BG };
	c->saved = c->pen;
	c->cursor_on = true;
	c->autowrap = true;
	c->state = FBCON_GROUND;
	erase_rows(c, 0, c->rows);
}

static void csi_start(struct fbcon *c)
{
	memset(c->params, 0, sizeof(c->params));
	c->nparams = 0;
	c->priv = 0;
	c->state = FBCON_CSI;
}

/* A byte inside an escape sequence that is not part of it: ESC starts a new one, CAN
 * and SUB cancel it, other C0 controls act at once (the sequence goes on), DEL is
 * ignored, and a byte no sequence can hold (0x80 and up) ends it unseen. Returns false
 * for a byte the sequence takes. */
static bool interrupts(struct fbcon *c, uint8_t ch)
{
	if (ch == CH_ESC) {
		c->state = FBCON_ESC;
	} else if (ch == CH_DEL) {
		/* ignored, as on a VT100 */
	} else if (ch == CH_CAN || ch == CH_SUB) {
		c->state = FBCON_GROUND;
	} else if (ch < 0x20) {
		control(c, ch);
	} else if (ch >= 0x80) {
		c->state = FBCON_GROUND;
	} else {
		return false;
	}
	return true;
}

static void csi_byte(struct fbcon *c, uint8_t ch)
{
	if (ch >= '0' && ch <= '9') {
		if (c->nparams == 0)
			c->nparams = 1;
		if (c->nparams <= FBCON_MAX_PARAMS) {
			uint32_t *p = &c->params[c->nparams - 1];
			*p = MIN(*p * 10 + (ch - '0'), PARAM_MAX);
		}
	} else if (ch == ';') {
		/* An empty parameter is 0; parameters past the last kept are counted only. */
		if (c->nparams == 0)
			c->nparams = 1;
		if (c->nparams <= FBCON_MAX_PARAMS)
			c->nparams++;
	} else if (ch >= 0x3c && ch <= 0x3f && c->nparams == 0 && !c->priv) {
		c->priv = (char)ch;                     /* '<', '=', '>', '?' first */
	} else if (ch >= 0x40 && ch <= 0x7e) {
		c->nparams = MIN(c->nparams, (uint32_t)FBCON_MAX_PARAMS);
		c->state = FBCON_GROUND;
		csi(c, (char)ch);
	} else {
		/* Intermediate bytes, ':' sub-parameters, a late private marker: a form
		 * not supported, consumed up to its final byte. */
		c->state = FBCON_CSI_IGNORE;
	}
}

static void feed(struct fbcon *c, uint8_t ch)
{
	switch (c->state) {
	case FBCON_GROUND:
		if (ch == CH_ESC)
			c->state = FBCON_ESC;
		else if (ch < 0x20)
			control(c, ch);
		else if (ch != CH_DEL && (ch < 0x80 || ch >= 0xa0))
			printable(c, ch);       /* C1 controls (0x80..0x9f) are not */
		break;
	case FBCON_ESC:
		if (interrupts(c, ch))
			break;
		c->state = FBCON_GROUND;
		if (ch == '[') {
			csi_start(c);
		} else if (ch == ']') {
			c->state = FBCON_OSC;
			c->osc_len = 0;
		} else if (ch == '7') {
			c->saved = c->pen;
		} else if (ch == '8') {
			c->pen = c->saved;
		} else if (ch == 'c') {
			terminal_reset(c);
		} else if (ch >= 0x20 && ch <= 0x2f) {
			c->state = FBCON_ESC_IGNORE;    /* ESC ( B and the like */
		}
		/* Any other final byte: a two-byte escape not supported, consumed. */
		break;
	case FBCON_CSI:
		if (!interrupts(c, ch))
			csi_byte(c, ch);
		break;
	case FBCON_ESC_IGNORE:
		if (!interrupts(c, ch) && ch >= 0x30)
			c->state = FBCON_GROUND;        /* its final byte */
		break;
	case FBCON_CSI_IGNORE:
		if (!interrupts(c, ch) && ch >= 0x40)
			c->state = FBCON_GROUND;        /* its final byte */
		break;
	case FBCON_OSC:
		if (ch == CH_BEL || ch == CH_CAN || ch == CH_SUB || ++c->osc_len > OSC_MAX)
			c->state = FBCON_GROUND;
		else if (ch == CH_ESC)
			c->state = FBCON_OSC_ESC;
		break;
	case FBCON_OSC_ESC:
		/* ESC \ ends the string; any other ESC x begins a new sequence. */
		c->state = FBCON_ESC;
		if (ch != '\\')
			feed(c, ch);
		else
			c->state = FBCON_GROUND;
		break;
	}
}

/* ---- drawing ---- */

/* Draw every cell of the dirty rows that differs from what the screen shows, the
 * cursor's cell in reverse video. */
static void flush(struct fbcon *c)
{
	uint32_t cur = c->cursor_on ? c->pen.cy * c->cols + col_now(c) : NO_CURSOR;

	if (cur != c->cursor_at) {
		if (c->cursor_at != NO_CURSOR)
			dirty(c, c->cursor_at / c->cols, c->cursor_at / c->cols + 1);
		if (cur != NO_CURSOR)
			dirty(c, c->pen.cy, c->pen.cy + 1);
		c->cursor_at = cur;
	}
	for (uint32_t r = c->dirty_lo; r < c->dirty_hi; r++) {
		for (uint32_t x = 0; x < c->cols; x++) {
			size_t i = (size_t)r * c->cols + x;
			struct fbcon_cell want = c->cells[i];
			if (i == cur)
				want.attr = FBCON_ATTR(FBCON_BG(want.attr), FBCON_FG(want.attr));
			if (want.ch == c->shown[i].ch && want.attr == c->shown[i].attr)
				continue;
			draw_cell(c, x, r, want);
			c->shown[i] = want;
		}
	}
	c->dirty_lo = c->rows;
	c->dirty_hi = 0;
}

void fbcon_write(struct fbcon *c, const char *s, size_t n)
{
	if (!c->pixels || !c->cells)
		return;
	for (size_t i = 0; i < n; i++)
		feed(c, (uint8_t)s[i]);
	flush(c);
}

void fbcon_reset(struct fbcon *c)
{
	if (!c->pixels || !c->cells)
		return;
	bool cursor = c->cursor_on;
	struct fbcon_cell b;

	terminal_reset(c);
	c->cursor_on = cursor;
	b = blank(c);
	for (size_t i = 0; i < (size_t)c->cols * c->rows; i++)
		c->shown[i] = b;
	c->cursor_at = NO_CURSOR;
	c->dirty_lo = c->rows;
	c->dirty_hi = 0;
	fill(c, 0, c->width, 0, c->height, c->palette[FBCON_DEFAULT_BG]);
	flush(c);
}

/* ---- set-up ---- */

static bool channel_ok(uint8_t pos, uint8_t size, uint32_t bpp)
{
	return size >= 1 && size <= 8 && pos + size <= bpp;
}

size_t fbcon_cells_needed(const struct fbcon_format *f)
{
	return 2 * (size_t)(f->width / FONT_W) * (f->height / FONT_H);
}

bool fbcon_init(struct fbcon *c, const struct fbcon_format *f, void *pixels,
		struct fbcon_cell *cells, size_t ncells)
{
	memset(c, 0, sizeof(*c));
	if (!pixels || !cells || (f->bpp != 32 && f->bpp != 24))
		return false;
	if (f->width < FONT_W || f->height < FONT_H ||
	    (uint64_t)f->pitch < (uint64_t)f->width * (f->bpp / 8))
		return false;
	if (!channel_ok(f->red_pos, f->red_size, f->bpp) ||
	    !channel_ok(f->green_pos, f->green_size, f->bpp) ||
	    !channel_ok(f->blue_pos, f->blue_size, f->bpp))
		return false;
	uint32_t cols = f->width / FONT_W, rows = f->height / FONT_H;
	/* Less storage than the screen needs: as many whole rows of as many columns as
	 * fit, from the top left. */
	if (ncells / 2 < (size_t)cols * rows) {
		cols = (uint32_t)MIN((size_t)cols, ncells / 2);
		rows = cols ? (uint32_t)MIN((size_t)rows, ncells / 2 / cols) : 0;
		if (rows == 0)
			return false;
	}
	c->fmt = *f;
	c->width = f->width;
	c->height = f->height;
	c->pitch = f->pitch;
	c->bytes_pp = f->bpp / 8;
	c->cols = cols;
	c->rows = rows;
	c->cells = cells;
	c->shown = cells + (size_t)cols * rows;
	for (int i = 0; i < 16; i++)
		c->palette[i] = fbcon_pack(c, ansi_rgb[i]);
	c->pixels = pixels;
	c->cursor_on = true;
	fbcon_reset(c);
	return true;
}
