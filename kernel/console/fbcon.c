/*
 * Framebuffer text console (fbcon.h). Glyph drawing writes each pixel once; scrolling
 * moves the framebuffer up by one text row with memmove and clears the last row, so the
 * cost of a scroll is one copy, not a redraw of every glyph.
 */
#include <fbcon.h>
#include <klib.h>

static const uint32_t ansi_rgb[16] = {
	0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
	0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
};

#define DEFAULT_FG 7
#define DEFAULT_BG 0

static uint32_t scale(uint32_t v8, uint8_t size)
{
	return v8 >> (8 - size);
}

uint32_t fbcon_pack(const struct fbcon *c, uint32_t rgb)
{
	uint32_t r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;

	return scale(r, c->red_size) << c->red_pos |
	       scale(g, c->green_size) << c->green_pos |
	       scale(b, c->blue_size) << c->blue_pos;
}

static inline void put_pixel(const struct fbcon *c, uint8_t *p, uint32_t v)
{
	if (c->bytes_pp == 4) {
		*(uint32_t *)p = v;
	} else {
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
	}
}

/* Fill pixel rows [y0, y1) from pixel column x0 to x1 with colour v. */
static void fill(struct fbcon *c, uint32_t x0, uint32_t x1, uint32_t y0, uint32_t y1, uint32_t v)
{
	for (uint32_t y = y0; y < y1; y++) {
		uint8_t *line = c->pixels + (size_t)y * c->pitch;
		if (c->bytes_pp == 4) {
			uint32_t *px = (uint32_t *)line;
			for (uint32_t x = x0; x < x1; x++)
				px[x] = v;
		} else {
			for (uint32_t x = x0; x < x1; x++)
				put_pixel(c, line + (size_t)x * 3, v);
		}
	}
}

static void clear_cells(struct fbcon *c, uint32_t row, uint32_t col0, uint32_t col1)
{
	fill(c, col0 * FONT_W, col1 * FONT_W, row * FONT_H, (row + 1) * FONT_H,
	     c->palette[c->bg]);
}

static void draw_glyph(struct fbcon *c, uint8_t ch)
{
	const uint8_t *glyph = font_8x16[ch];
	uint32_t fg = c->palette[c->fg + (c->bold && c->fg < 8 ? 8 : 0)];
	uint32_t bg = c->palette[c->bg];
	uint8_t *origin = c->pixels + (size_t)c->cy * FONT_H * c->pitch +
			  (size_t)c->cx * FONT_W * c->bytes_pp;

	for (uint32_t row = 0; row < FONT_H; row++) {
		uint8_t bits = glyph[row];
		uint8_t *line = origin + (size_t)row * c->pitch;
		if (c->bytes_pp == 4) {
			uint32_t *px = (uint32_t *)line;
			for (uint32_t col = 0; col < FONT_W; col++)
				px[col] = (bits & (0x80 >> col)) ? fg : bg;
		} else {
			for (uint32_t col = 0; col < FONT_W; col++)
				put_pixel(c, line + col * 3, (bits & (0x80 >> col)) ? fg : bg);
		}
	}
}

static void scroll(struct fbcon *c)
{
	size_t row_bytes = (size_t)FONT_H * c->pitch;

	memmove(c->pixels, c->pixels + row_bytes, row_bytes * (c->rows - 1));
	clear_cells(c, c->rows - 1, 0, c->cols);
}

static void newline(struct fbcon *c)
{
	c->cx = 0;
	if (c->cy + 1 < c->rows)
		c->cy++;
	else
		scroll(c);
}

static void clear_screen(struct fbcon *c)
{
	fill(c, 0, c->width, 0, c->height, c->palette[c->bg]);
}

bool fbcon_init(struct fbcon *c, const struct boot_fb *fb, void *pixels)
{
	memset(c, 0, sizeof(*c));
	if (fb->kind != BOOT_FB_RGB || !pixels || (fb->bpp != 32 && fb->bpp != 24))
		return false;
	if (fb->width < FONT_W || fb->height < FONT_H ||
	    (uint64_t)fb->pitch < (uint64_t)fb->width * (fb->bpp / 8))
		return false;
	c->pixels = pixels;
	c->width = fb->width;
	c->height = fb->height;
	c->pitch = fb->pitch;
	c->bytes_pp = fb->bpp / 8;
	c->red_pos = fb->red_pos;
	c->red_size = fb->red_size;
	c->green_pos = fb->green_pos;
	c->green_size = fb->green_size;
	c->blue_pos = fb->blue_pos;
	c->blue_size = fb->blue_size;
	c->cols = fb->width / FONT_W;
	c->rows = fb->height / FONT_H;
	c->fg = DEFAULT_FG;
	c->bg = DEFAULT_BG;
	for (int i = 0; i < 16; i++)
		c->palette[i] = fbcon_pack(c, ansi_rgb[i]);
	clear_screen(c);
	return true;
}

static uint32_t param(const struct fbcon *c, uint32_t i, uint32_t dflt)
{
	return i < c->nparams && c->params[i] ? c->params[i] : dflt;
}

static void sgr(struct fbcon *c)
{
	if (c->nparams == 0)
		c->nparams = 1;         /* "CSI m" is "CSI 0 m" */
	for (uint32_t i = 0; i < c->nparams; i++) {
		uint32_t p = c->params[i];
		if (p == 0) {
			c->fg = DEFAULT_FG;
			c->bg = DEFAULT_BG;
			c->bold = false;
		} else if (p == 1) {
			c->bold = true;
		} else if (p == 22) {
			c->bold = false;
		} else if (p >= 30 && p <= 37) {
			c->fg = (uint8_t)(p - 30);
		} else if (p == 39) {
			c->fg = DEFAULT_FG;
		} else if (p >= 40 && p <= 47) {
			c->bg = (uint8_t)(p - 40);
		} else if (p == 49) {
			c->bg = DEFAULT_BG;
		} else if (p >= 90 && p <= 97) {
			c->fg = (uint8_t)(p - 90 + 8);
		} else if (p >= 100 && p <= 107) {
			c->bg = (uint8_t)(p - 100 + 8);
		}
	}
}

static void csi(struct fbcon *c, char final)
{
	uint32_t n = param(c, 0, 1);

	switch (final) {
	case 'm':
		sgr(c);
		break;
	case 'J':
		if (c->nparams && c->params[0] == 2) {
			clear_screen(c);
		} else if (!c->nparams || c->params[0] == 0) {
			clear_cells(c, c->cy, c->cx, c->cols);
			for (uint32_t r = c->cy + 1; r < c->rows; r++)
				clear_cells(c, r, 0, c->cols);
		}
		break;
	case 'K':
		if (c->nparams && c->params[0] == 2)
			clear_cells(c, c->cy, 0, c->cols);
		else if (!c->nparams || c->params[0] == 0)
			clear_cells(c, c->cy, c->cx, c->cols);
		break;
	case 'H':
	case 'f':
		c->cy = MIN(param(c, 0, 1), c->rows) - 1;
		c->cx = MIN(param(c, 1, 1), c->cols) - 1;
		break;
	case 'A':
		c->cy = c->cy > n ? c->cy - n : 0;
		break;
	case 'B':
		c->cy = MIN(c->cy + MIN(n, c->rows), c->rows - 1);
		break;
	case 'C':
		c->cx = MIN(c->cx + MIN(n, c->cols), c->cols - 1);
		break;
	case 'D':
		c->cx = c->cx > n ? c->cx - n : 0;
		break;
	default:
		break;                  /* unsupported: ignored, like a terminal would */
	}
}

static void put_char(struct fbcon *c, uint8_t ch)
{
	switch (ch) {
	case '\n':
		newline(c);
		return;
	case '\r':
		c->cx = 0;
		return;
	case '\b':
		if (c->cx)
			c->cx--;
		return;
	case '\t': {
		/* To the next multiple of 8, or the end of the line. */
		if (c->cx >= c->cols)
			newline(c);
		uint32_t stop = MIN((c->cx / 8 + 1) * 8, c->cols);
		while (c->cx < stop)
			put_char(c, ' ');
		return;
	}
	case 0x07:                      /* bell */
		return;
	default:
		break;
	}
	if (c->cx >= c->cols)
		newline(c);
	draw_glyph(c, ch);
	c->cx++;
}

void fbcon_write(struct fbcon *c, const char *s, size_t n)
{
	if (!c->pixels)
		return;
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = (uint8_t)s[i];
		switch (c->esc) {
		case ESC_NONE:
			if (ch == 0x1b)
				c->esc = ESC_SEEN;
			else
				put_char(c, ch);
			break;
		case ESC_SEEN:
			if (ch == '[') {
				c->esc = ESC_CSI;
				c->nparams = 0;
				memset(c->params, 0, sizeof(c->params));
			} else {
				c->esc = ESC_NONE;      /* two-byte escapes: ignored */
			}
			break;
		case ESC_CSI:
			if (ch >= '0' && ch <= '9') {
				if (c->nparams == 0)
					c->nparams = 1;
				uint32_t *p = &c->params[c->nparams - 1];
				if (*p < 10000)
					*p = *p * 10 + (ch - '0');
			} else if (ch == ';') {
				if (c->nparams == 0)
					c->nparams = 1;
				if (c->nparams < ARRAY_SIZE(c->params))
					c->nparams++;
			} else if (ch >= 0x40 && ch <= 0x7e) {
				csi(c, (char)ch);
				c->esc = ESC_NONE;
			} else if (ch == '?' || ch == ' ') {
				/* private or intermediate bytes: keep collecting */
			} else {
				c->esc = ESC_NONE;      /* malformed: drop the sequence */
			}
			break;
		}
	}
}
