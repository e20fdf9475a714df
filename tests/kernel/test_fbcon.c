/*
 * The framebuffer console on the real framebuffer: glyphs land where the font says,
 * in the colours ANSI asks for, and scrolling moves the picture up one text row.
 */
#include <ktest.h>
#include <consoles.h>
#include <fbcon.h>
#include <klib.h>
#include <kformat.h>

static uint32_t pixel_at(const struct fbcon *c, uint32_t x, uint32_t y)
{
	const uint8_t *p = c->pixels + (size_t)y * c->pitch + (size_t)x * c->bytes_pp;

	if (c->bytes_pp == 4)
		return *(const uint32_t *)p;
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

/* Does text cell (col, row) show glyph ch in colours fg/bg (palette indices)? */
static bool cell_shows(const struct fbcon *c, uint32_t col, uint32_t row, uint8_t ch,
		       uint8_t fg, uint8_t bg)
{
	for (uint32_t y = 0; y < FONT_H; y++)
		for (uint32_t x = 0; x < FONT_W; x++) {
			bool on = font_8x16[ch][y] & (0x80 >> x);
			uint32_t want = c->palette[on ? fg : bg];
			if (pixel_at(c, col * FONT_W + x, row * FONT_H + y) != want)
				return false;
		}
	return true;
}

KTEST(fbcon, draws_glyphs_in_ansi_colours)
{
	struct fbcon *c = consoles_fbcon();

	if (!c) {
		ktest_skip("no framebuffer console");
		return;
	}
	struct fbcon_pen pen = c->pen;
	const char *seq = "\x1b[1;1H\x1b[31;44mA\x1b[0mB";
	fbcon_write(c, seq, strlen(seq));
	KT_EXPECT(cell_shows(c, 0, 0, 'A', 1, 4));
	KT_EXPECT(cell_shows(c, 1, 0, 'B', 7, 0));
	KT_EXPECT(!cell_shows(c, 1, 0, 'A', 7, 0));
	/* Red must really be red in this pixel format. */
	KT_EXPECT_EQ(c->palette[1], fbcon_pack(c, 0xaa0000));
	KT_EXPECT(c->palette[1] != c->palette[4]);
	c->pen = pen;
}

KTEST(fbcon, scroll_moves_rows_up)
{
	struct fbcon *c = consoles_fbcon();

	if (!c) {
		ktest_skip("no framebuffer console");
		return;
	}
	uint32_t last = c->rows - 1;
	char seq[32];
	int n = ksnprintf(seq, sizeof(seq), "\x1b[%u;1H\x1b[32mQ\x1b[0m\n", last + 1);
	fbcon_write(c, seq, (size_t)n);
	/* Q was drawn on the last row, the newline scrolled: now it is one row up, and
	 * the last row is blank. */
	KT_EXPECT(cell_shows(c, 0, last - 1, 'Q', 2, 0));
	KT_EXPECT(cell_shows(c, 0, last, ' ', 7, 0));
	KT_EXPECT_EQ(c->pen.cy, last);
	KT_EXPECT_EQ(c->pen.cx, 0);
}
