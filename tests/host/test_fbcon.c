/*
 * The framebuffer console (kernel/lib/fbcon.c, shared by the kernel and user/fbcon) on
 * fake framebuffers in host memory.
 *
 * The grid and the escape parser are checked through the cells (what each text cell
 * holds): cursor moves clamped at the edges, deferred wrap, scrolling, every erase, SGR
 * colours, saving the cursor, and malformed sequences that must vanish. The renderer is
 * checked through the pixels: 32 and 24 bpp, RGB and BGR, pitches with padding that must
 * never be written, the cursor in reverse video — and, after random byte streams, that
 * every cell on the screen is exactly what the grid says (so drawing only what changed
 * never leaves a stale cell) and that nothing was written outside the grid or the
 * visible area (ASan and the padding check).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <fbcon.h>

#define PAD_BYTE 0xa5

struct fake {
	struct fbcon_format fmt;
	uint8_t *mem;
	size_t size;
	struct fbcon_cell *cells;
	size_t ncells;
	struct fbcon con;
};

static void fake_init(struct fake *f, uint32_t w, uint32_t h, uint8_t bpp, uint32_t pitch,
		      bool bgr)
{
	memset(f, 0, sizeof(*f));
	f->fmt = (struct fbcon_format){
		.width = w, .height = h, .pitch = pitch, .bpp = bpp,
		.red_pos = bgr ? 0 : 16, .red_size = 8, .green_pos = 8, .green_size = 8,
		.blue_pos = bgr ? 16 : 0, .blue_size = 8,
	};
	f->size = (size_t)pitch * h;
	f->mem = malloc(f->size);
	memset(f->mem, PAD_BYTE, f->size);
	/* Exactly what the console asks for: ASan catches a cell written past it. */
	f->ncells = fbcon_cells_needed(&f->fmt);
	f->cells = malloc(MAX(f->ncells, (size_t)1) * sizeof(*f->cells));
}

static bool fake_start(struct fake *f)
{
	return fbcon_init(&f->con, &f->fmt, f->mem, f->cells, f->ncells);
}

/* A console of cols x rows cells, 32 bpp, with padding after each pixel row. */
static void grid(struct fake *f, uint32_t cols, uint32_t rows)
{
	fake_init(f, cols * FONT_W, rows * FONT_H, 32, cols * FONT_W * 4 + 8, false);
	cr_assert(fake_start(f));
}

/* Cell storage of exactly n cells: less than the screen needs. */
static void fake_shrink(struct fake *f, size_t n)
{
	free(f->cells);
	f->ncells = n;
	f->cells = malloc(n * sizeof(*f->cells));
}

static void fake_free(struct fake *f)
{
	free(f->mem);
	free(f->cells);
}

static void put(struct fake *f, const char *s)
{
	fbcon_write(&f->con, s, strlen(s));
}

static uint32_t px(const struct fake *f, uint32_t x, uint32_t y)
{
	const uint8_t *p = f->mem + (size_t)y * f->fmt.pitch + (size_t)x * (f->fmt.bpp / 8);
	uint32_t v = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
	return f->fmt.bpp == 32 ? v | (uint32_t)p[3] << 24 : v;
}

/* Padding between the visible width and the pitch must hold PAD_BYTE everywhere. */
static bool padding_untouched(const struct fake *f)
{
	size_t vis = (size_t)f->fmt.width * (f->fmt.bpp / 8);
	for (uint32_t y = 0; y < f->fmt.height; y++)
		for (size_t b = vis; b < f->fmt.pitch; b++)
			if (f->mem[(size_t)y * f->fmt.pitch + b] != PAD_BYTE)
				return false;
	return true;
}

/* Does text cell (col, row) show glyph ch in palette colours fg on bg? */
static bool cell_is(const struct fake *f, uint32_t col, uint32_t row, uint8_t ch, uint8_t fg,
		    uint8_t bg)
{
	for (uint32_t y = 0; y < FONT_H; y++)
		for (uint32_t x = 0; x < FONT_W; x++) {
			bool on = font_8x16[ch][y] & (0x80 >> x);
			if (px(f, col * FONT_W + x, row * FONT_H + y) !=
			    f->con.palette[on ? fg : bg])
				return false;
		}
	return true;
}

/* Every cell on the screen is what the grid holds, the cursor's in reverse video. */
static bool screen_matches_grid(const struct fake *f)
{
	const struct fbcon *c = &f->con;
	uint32_t ccol = MIN(c->pen.cx, c->cols - 1);

	for (uint32_t r = 0; r < c->rows; r++)
		for (uint32_t x = 0; x < c->cols; x++) {
			struct fbcon_cell k = fbcon_cell_at(c, x, r);
			uint8_t fg = FBCON_FG(k.attr), bg = FBCON_BG(k.attr);
			bool cursor = c->cursor_on && r == c->pen.cy && x == ccol;
			if (!cell_is(f, x, r, k.ch, cursor ? bg : fg, cursor ? fg : bg))
				return false;
		}
	return true;
}

/* Row r of the grid as text, trailing blanks dropped. */
static const char *row_text(const struct fake *f, uint32_t r)
{
	static char buf[512];
	uint32_t n = 0;

	for (uint32_t x = 0; x < f->con.cols && x < sizeof(buf) - 1; x++)
		buf[n++] = (char)fbcon_cell_at(&f->con, x, r).ch;
	while (n && buf[n - 1] == ' ')
		n--;
	buf[n] = 0;
	return buf;
}

static uint8_t fg_at(const struct fake *f, uint32_t x, uint32_t y)
{
	return FBCON_FG(fbcon_cell_at(&f->con, x, y).attr);
}

static uint8_t bg_at(const struct fake *f, uint32_t x, uint32_t y)
{
	return FBCON_BG(fbcon_cell_at(&f->con, x, y).attr);
}

#define EXPECT_AT(f, x, y) do { \
	cr_expect_eq((f)->con.pen.cx, (x), "cx %u, want %u", (f)->con.pen.cx, (x)); \
	cr_expect_eq((f)->con.pen.cy, (y), "cy %u, want %u", (f)->con.pen.cy, (y)); \
} while (0)

/* ---- set-up ---- */

Test(fbcon, init_rejects_unusable_framebuffers)
{
	struct fake f;

	fake_init(&f, 7, 16, 32, 28, false);            /* narrower than one glyph */
	cr_expect(!fake_start(&f));
	fake_free(&f);
	fake_init(&f, 8, 15, 32, 32, false);            /* shorter than one glyph */
	cr_expect(!fake_start(&f));
	fake_free(&f);
	fake_init(&f, 64, 32, 16, 128, false);          /* 16 bpp */
	cr_expect(!fake_start(&f));
	fake_free(&f);
	fake_init(&f, 64, 32, 32, 200, false);          /* pitch < width * 4 */
	cr_expect(!fake_start(&f));
	f.fmt.pitch = 256;
	cr_expect(!fbcon_init(&f.con, &f.fmt, NULL, f.cells, f.ncells));
	cr_expect(!fbcon_init(&f.con, &f.fmt, f.mem, NULL, f.ncells));
	cr_expect(!fbcon_init(&f.con, &f.fmt, f.mem, f.cells, 1));     /* not one row */
	f.fmt.red_size = 0;                             /* a channel of no bits */
	cr_expect(!fake_start(&f));
	f.fmt.red_size = 9;                             /* wider than a byte */
	cr_expect(!fake_start(&f));
	f.fmt.red_size = 8;
	f.fmt.red_pos = 30;                             /* past the pixel */
	cr_expect(!fake_start(&f));
	fbcon_write(&f.con, "ignored", 7);              /* unusable console: no effect */
	fbcon_reset(&f.con);
	cr_expect(padding_untouched(&f));
	for (size_t i = 0; i < f.size; i++)
		cr_assert_eq(f.mem[i], PAD_BYTE);
	fake_free(&f);
}

Test(fbcon, clears_only_the_visible_area_with_odd_pitch)
{
	struct fake f;

	fake_init(&f, 100, 50, 32, 100 * 4 + 52, false);
	cr_assert(fake_start(&f));
	cr_expect_eq(f.con.cols, 12);
	cr_expect_eq(f.con.rows, 3);
	cr_expect_eq(px(&f, 99, 0), 0);                 /* the margin right of the cells */
	cr_expect_eq(px(&f, 99, 49), 0);                /* and below them */
	cr_expect(screen_matches_grid(&f));
	cr_expect(padding_untouched(&f));
	fake_free(&f);
}

Test(fbcon, less_storage_gives_fewer_rows)
{
	struct fake f;

	fake_init(&f, 80, 160, 32, 320, false);         /* 10 x 10 cells */
	fake_shrink(&f, 2 * 10 * 4 + 3);
	cr_assert(fake_start(&f));
	cr_expect_eq(f.con.cols, 10);
	cr_expect_eq(f.con.rows, 4);
	put(&f, "1\n2\n3\n4\n5\n6 and a line that wraps");
	cr_expect_str_eq(row_text(&f, 0), "5");
	cr_expect_str_eq(row_text(&f, 3), "aps");
	cr_expect(screen_matches_grid(&f));
	fake_free(&f);
}

/* ---- drawing ---- */

Test(fbcon, draws_glyphs_and_colours_32bpp)
{
	struct fake f;

	fake_init(&f, 160, 64, 32, 160 * 4 + 12, false);
	cr_assert(fake_start(&f));
	put(&f, "Hi\x1b[31;42mX\x1b[0m\x1b[1mB\x1b[22m\x1b[94mb\x1b[39;49m.");
	cr_expect(cell_is(&f, 0, 0, 'H', 7, 0));
	cr_expect(cell_is(&f, 1, 0, 'i', 7, 0));
	cr_expect(cell_is(&f, 2, 0, 'X', 1, 2));
	cr_expect(cell_is(&f, 3, 0, 'B', 15, 0));       /* bold white is bright white */
	cr_expect(cell_is(&f, 4, 0, 'b', 12, 0));
	cr_expect(cell_is(&f, 5, 0, '.', 7, 0));
	cr_expect(cell_is(&f, 6, 0, ' ', 0, 7));        /* the cursor: reverse video */
	cr_expect_eq(f.con.palette[1], 0xaa0000);       /* red in an RGB layout */
	cr_expect_eq(f.con.palette[15], 0xffffff);
	cr_expect(padding_untouched(&f));
	fake_free(&f);
}

Test(fbcon, bgr_and_24bpp_with_odd_pitch)
{
	struct fake f;

	fake_init(&f, 81, 40, 24, 81 * 3 + 5, true);
	cr_assert(fake_start(&f));
	cr_expect_eq(f.con.palette[1], 0x0000aa);       /* red, with red in the low byte */
	put(&f, "\x1b[31mR\x1b[44mS");
	cr_expect(cell_is(&f, 0, 0, 'R', 1, 0));
	cr_expect(cell_is(&f, 1, 0, 'S', 1, 4));
	cr_expect_eq(f.con.cols, 10);
	cr_expect(screen_matches_grid(&f));
	cr_expect(padding_untouched(&f));
	fake_free(&f);
}

Test(fbcon, small_channels_are_scaled)
{
	struct fake f;

	fake_init(&f, 64, 16, 32, 256, false);
	f.fmt = (struct fbcon_format){ .width = 64, .height = 16, .pitch = 256, .bpp = 32,
				       .red_pos = 11, .red_size = 5, .green_pos = 5,
				       .green_size = 6, .blue_pos = 0, .blue_size = 5 };
	cr_assert(fake_start(&f));
	cr_expect_eq(f.con.palette[15], 0xffff);        /* 5-6-5 white */
	cr_expect_eq(f.con.palette[9], (0xff >> 3) << 11 | (0x55 >> 2) << 5 | 0x55 >> 3);
	fake_free(&f);
}

Test(fbcon, cursor_is_reverse_video_and_can_be_hidden)
{
	struct fake f;

	grid(&f, 8, 2);
	put(&f, "ab");
	cr_expect(cell_is(&f, 2, 0, ' ', 0, 7));
	put(&f, "\x1b[D");                              /* onto the b */
	cr_expect(cell_is(&f, 1, 0, 'b', 0, 7));
	cr_expect(cell_is(&f, 2, 0, ' ', 7, 0));        /* the old place is itself again */
	put(&f, "\x1b[?25l");
	cr_expect(cell_is(&f, 1, 0, 'b', 7, 0));
	cr_expect(!f.con.cursor_on);
	put(&f, "\x1b[2;5H\x1b[?25h");
	cr_expect(cell_is(&f, 4, 1, ' ', 0, 7));
	cr_expect(cell_is(&f, 1, 0, 'b', 7, 0));
	put(&f, "\x1b[32;41mx\x1b[D");                  /* green on red, reversed */
	cr_expect(cell_is(&f, 4, 1, 'x', 1, 2));
	cr_expect(screen_matches_grid(&f));
	fake_free(&f);
}

Test(fbcon, reset_redraws_a_scribbled_screen)
{
	struct fake f;

	grid(&f, 6, 3);
	put(&f, "\x1b[?25l\x1b[35mhello\nworld");
	/* Someone else drew over everything (user space, before a kernel panic). */
	for (uint32_t y = 0; y < f.fmt.height; y++)
		memset(f.mem + (size_t)y * f.fmt.pitch, 0x3c, f.fmt.width * 4);
	fbcon_reset(&f.con);
	EXPECT_AT(&f, 0, 0);
	cr_expect(!f.con.cursor_on);                    /* reset keeps it hidden */
	cr_expect_str_eq(row_text(&f, 0), "");
	put(&f, "panic");
	cr_expect(cell_is(&f, 0, 0, 'p', 7, 0));        /* default colours again */
	cr_expect(screen_matches_grid(&f));
	cr_expect(padding_untouched(&f));
	fake_free(&f);
}

/* ---- text, wrap, scroll ---- */

Test(fbcon, control_characters)
{
	struct fake f;

	grid(&f, 16, 2);
	put(&f, "ab\bX\tT\rR\a\x01\x7f");
	cr_expect_str_eq(row_text(&f, 0), "RX      T");
	EXPECT_AT(&f, 1, 0);
	put(&f, "\b\b\b");                              /* stops at column 0 */
	EXPECT_AT(&f, 0, 0);
	put(&f, "\t\t\t");                              /* tab stops at the last column */
	EXPECT_AT(&f, 15, 0);
	put(&f, "\n");
	EXPECT_AT(&f, 0, 1);
	put(&f, "\x85\x9b" "c");                        /* C1 controls are not text */
	cr_expect_str_eq(row_text(&f, 1), "c");
	put(&f, "\r\xe9\xff");                          /* Latin-1 is */
	cr_expect_eq(fbcon_cell_at(&f.con, 0, 1).ch, 0xe9);
	cr_expect_eq(fbcon_cell_at(&f.con, 1, 1).ch, 0xff);
	cr_expect(screen_matches_grid(&f));
	fake_free(&f);
}

Test(fbcon, wrap_is_deferred_to_the_next_character)
{
	struct fake f;

	grid(&f, 4, 3);
	put(&f, "abcd");
	EXPECT_AT(&f, 4, 0);                            /* waiting on the last column */
	cr_expect_str_eq(row_text(&f, 1), "");
	put(&f, "\b");                                  /* back from the last column */
	EXPECT_AT(&f, 2, 0);
	put(&f, "\x1b[1;4HD\r\n");                      /* CR LF at the edge: one new line */
	EXPECT_AT(&f, 0, 1);
	put(&f, "efghi");
	cr_expect_str_eq(row_text(&f, 0), "abcD");
	cr_expect_str_eq(row_text(&f, 1), "efgh");
	cr_expect_str_eq(row_text(&f, 2), "i");
	put(&f, "\x1b[?7l\x1b[3;1Hwxyz12");             /* no wrap: the last column changes */
	cr_expect_str_eq(row_text(&f, 2), "wxy2");
	cr_expect_str_eq(row_text(&f, 0), "abcD");
	put(&f, "\x1b[?7h");
	cr_expect(screen_matches_grid(&f));
	fake_free(&f);
}

Test(fbcon, scrolls_up_with_a_blank_row_in_the_current_background)
{
	struct fake f;

	grid(&f, 4, 3);
	put(&f, "abcdefgh");                            /* two full rows by wrapping */
	put(&f, "\n1\n\x1b[44m2");                      /* row 2, then a scroll */
	cr_expect_str_eq(row_text(&f, 0), "efgh");
	cr_expect_str_eq(row_text(&f, 1), "1");
	cr_expect_str_eq(row_text(&f, 2), "2");
	cr_expect_eq(bg_at(&f, 1, 2), 0);               /* that row was blank before */
	put(&f, "\n");
	cr_expect_str_eq(row_text(&f, 2), "");
	cr_expect_eq(bg_at(&f, 3, 2), 4);               /* the new one is blue */
	EXPECT_AT(&f, 0, 2);
	cr_expect(screen_matches_grid(&f));
	/* Many scrolls in one write: drawn once, right. */
	put(&f, "\x1b[0m1\n2\n3\n4\n5\n6\n7");
	cr_expect_str_eq(row_text(&f, 0), "5");
	cr_expect_str_eq(row_text(&f, 2), "7");
	cr_expect(screen_matches_grid(&f));
	cr_expect(padding_untouched(&f));
	fake_free(&f);
}

/* ---- escapes ---- */

Test(fbcon, cursor_moves_clamp_at_the_edges)
{
	struct fake f;

	grid(&f, 8, 3);
	put(&f, "\x1b[2;3H");
	EXPECT_AT(&f, 2, 1);
	put(&f, "\x1b[999;999H");
	EXPECT_AT(&f, 7, 2);
	put(&f, "\x1b[H");
	EXPECT_AT(&f, 0, 0);
	put(&f, "\x1b[A\x1b[D");                        /* nothing above, nothing left */
	EXPECT_AT(&f, 0, 0);
	put(&f, "\x1b[5C\x1b[2D");
	EXPECT_AT(&f, 3, 0);
	put(&f, "\x1b[9B");
	EXPECT_AT(&f, 3, 2);
	put(&f, "\x1b[99999999999A");                   /* saturates, no overflow */
	EXPECT_AT(&f, 3, 0);
	put(&f, "\x1b[4294967295C");
	EXPECT_AT(&f, 7, 0);
	put(&f, "\x1b[0B");                             /* 0 means 1 */
	EXPECT_AT(&f, 7, 1);
	put(&f, "\x1b[2G");
	EXPECT_AT(&f, 1, 1);
	put(&f, "\x1b[3d");
	EXPECT_AT(&f, 1, 2);
	put(&f, "\x1b[F");
	EXPECT_AT(&f, 0, 1);
	put(&f, "\x1b[5C\x1b[9E");
	EXPECT_AT(&f, 0, 2);
	put(&f, "\x1b[0;0f");                           /* f is H */
	EXPECT_AT(&f, 0, 0);
	put(&f, "\x1b[;5H");                            /* an empty row is row 1 */
	EXPECT_AT(&f, 4, 0);
	put(&f, "abcd");                                /* pending wrap, then moves */
	put(&f, "\x1b[C");
	EXPECT_AT(&f, 7, 0);
	put(&f, "abcd\x1b[B");                          /* wraps: row 1, then down */
	EXPECT_AT(&f, 3, 2);
	cr_expect(screen_matches_grid(&f));
	fake_free(&f);
}

Test(fbcon, erase_in_display)
{
	struct fake f;
	const char *fill = "\x1b[H11111111222222223333333\x1b[2;4H";

	grid(&f, 8, 3);
	put(&f, fill);
	put(&f, "\x1b[J");                              /* 0: from the cursor down */
	cr_expect_str_eq(row_text(&f, 0), "11111111");
	cr_expect_str_eq(row_text(&f, 1), "222");
	cr_expect_str_eq(row_text(&f, 2), "");
	EXPECT_AT(&f, 3, 1);                            /* the cursor stays */
	put(&f, fill);
	put(&f, "\x1b[1J");                             /* 1: up to the cursor, with it */
	cr_expect_str_eq(row_text(&f, 0), "");
	cr_expect_str_eq(row_text(&f, 1), "    2222");
	cr_expect_str_eq(row_text(&f, 2), "3333333");
	put(&f, fill);
	put(&f, "\x1b[41m\x1b[2J");                     /* 2: all, in the background */
	for (uint32_t r = 0; r < 3; r++)
		cr_expect_str_eq(row_text(&f, r), "");
	cr_expect_eq(bg_at(&f, 7, 2), 1);
	cr_expect(screen_matches_grid(&f));
	put(&f, "\x1b[0m" "abc\x1b[3J");                /* 3 (scrollback): all too */
	cr_expect_str_eq(row_text(&f, 1), "");
	put(&f, "\x1b[2;4Habc\x1b[7J");                 /* unknown: nothing */
	cr_expect_str_eq(row_text(&f, 1), "   abc");
	fake_free(&f);
}

Test(fbcon, erase_in_line_and_characters)
{
	struct fake f;

	grid(&f, 8, 2);
	put(&f, "abcdefgh\x1b[1;4H\x1b[K");             /* 0: to the end */
	cr_expect_str_eq(row_text(&f, 0), "abc");
	put(&f, "\x1b[1;1Habcdefgh\x1b[1;4H\x1b[1K");   /* 1: to the start, with the cursor */
	cr_expect_str_eq(row_text(&f, 0), "    efgh");
	put(&f, "\x1b[2K");                             /* 2: all of it */
	cr_expect_str_eq(row_text(&f, 0), "");
	put(&f, "\x1b[1;1Habcdefgh\x1b[1;8H\x1b[K");    /* the last column */
	cr_expect_str_eq(row_text(&f, 0), "abcdefg");
	put(&f, "\x1b[1;1Habcdefgh\x1b[1;3H\x1b[2X");   /* X: erase n, no shift */
	cr_expect_str_eq(row_text(&f, 0), "ab  efgh");
	put(&f, "\x1b[99X");
	cr_expect_str_eq(row_text(&f, 0), "ab");
	put(&f, "\x1b[1;1Habcdefgh\x1b[1;3H\x1b[2P");   /* P: delete, the rest moves left */
	cr_expect_str_eq(row_text(&f, 0), "abefgh");
	EXPECT_AT(&f, 2, 0);
	put(&f, "\x1b[2@");                             /* @: insert blanks */
	cr_expect_str_eq(row_text(&f, 0), "ab  efgh");
	put(&f, "\x1b[99@");
	cr_expect_str_eq(row_text(&f, 0), "ab");
	put(&f, "\x1b[1;1Habcdefgh\x1b[1;3H\x1b[99P");
	cr_expect_str_eq(row_text(&f, 0), "ab");
	cr_expect_str_eq(row_text(&f, 1), "");
	cr_expect(screen_matches_grid(&f));
	fake_free(&f);
}

Test(fbcon, sgr_colours)
{
	struct fake f;

	grid(&f, 32, 2);
	put(&f, "\x1b[31ma\x1b[42mb\x1b[39mc\x1b[49md");
	cr_expect(fg_at(&f, 0, 0) == 1 && bg_at(&f, 0, 0) == 0);
	cr_expect(fg_at(&f, 1, 0) == 1 && bg_at(&f, 1, 0) == 2);
	cr_expect(fg_at(&f, 2, 0) == 7 && bg_at(&f, 2, 0) == 2);
	cr_expect(fg_at(&f, 3, 0) == 7 && bg_at(&f, 3, 0) == 0);
	put(&f, "\x1b[1;34me\x1b[22mf\x1b[97;104mg\x1b[mh");
	cr_expect_eq(fg_at(&f, 4, 0), 12);              /* bold blue is bright blue */
	cr_expect_eq(fg_at(&f, 5, 0), 4);
	cr_expect(fg_at(&f, 6, 0) == 15 && bg_at(&f, 6, 0) == 12);
	cr_expect(fg_at(&f, 7, 0) == 7 && bg_at(&f, 7, 0) == 0);
	put(&f, "\x1b[33;44;7mi\x1b[27mj\x1b[0m");      /* reverse, and back */
	cr_expect(fg_at(&f, 8, 0) == 4 && bg_at(&f, 8, 0) == 3);
	cr_expect(fg_at(&f, 9, 0) == 3 && bg_at(&f, 9, 0) == 4);
	put(&f, "\x1b[7mk\x1b[0m");                     /* reverse of the defaults */
	cr_expect(fg_at(&f, 10, 0) == 0 && bg_at(&f, 10, 0) == 7);
	put(&f, "\x1b[37;40m\x1b[1;7ml\x1b[0m");        /* bold, then reversed */
	cr_expect(fg_at(&f, 11, 0) == 0 && bg_at(&f, 11, 0) == 15);
	/* Extended colours: 5;n for the 16, others skipped without touching the rest. */
	put(&f, "\x1b[38;5;9;48;5;3mm\x1b[0m");
	cr_expect(fg_at(&f, 12, 0) == 9 && bg_at(&f, 12, 0) == 3);
	put(&f, "\x1b[38;5;200;1mn\x1b[0m");
	cr_expect_eq(fg_at(&f, 13, 0), 15);             /* 200 ignored, bold still read */
	put(&f, "\x1b[38;2;255;0;0;32mo\x1b[0m");       /* r;g;b skipped, not "bold" */
	cr_expect_eq(fg_at(&f, 14, 0), 2);
	put(&f, "\x1b[38;9;1mp\x1b[0m");                /* an unknown form: the rest too */
	cr_expect_eq(fg_at(&f, 15, 0), 7);
	put(&f, "\x1b[4;5;3;8;53mq");                   /* not shown: no change */
	cr_expect(fg_at(&f, 16, 0) == 7 && bg_at(&f, 16, 0) == 0);
	put(&f, "\x1b[38m\x1b[48;5mr");                 /* cut short */
	cr_expect(fg_at(&f, 17, 0) == 7 && bg_at(&f, 17, 0) == 0);
	cr_expect(screen_matches_grid(&f));
	fake_free(&f);
}

Test(fbcon, save_and_restore_the_cursor)
{
	struct fake f;

	grid(&f, 8, 3);
	put(&f, "\x1b[2;3H\x1b[31m\x1b[s\x1b[H\x1b[0mx\x1b[u");
	EXPECT_AT(&f, 2, 1);
	put(&f, "y");
	cr_expect_eq(fg_at(&f, 2, 1), 1);               /* the colour came back too */
	put(&f, "\x1b[3;7H\x1b" "7\x1b[H\x1b" "8z");
	cr_expect_eq(fbcon_cell_at(&f.con, 6, 2).ch, 'z');
	put(&f, "\x1b" "c");                            /* full reset */
	EXPECT_AT(&f, 0, 0);
	cr_expect_str_eq(row_text(&f, 1), "");
	put(&f, "\x1b[u");                              /* the saved cursor was reset too */
	EXPECT_AT(&f, 0, 0);
	cr_expect(screen_matches_grid(&f));
	fake_free(&f);
}

Test(fbcon, malformed_and_unknown_sequences_vanish)
{
	struct fake f;

	grid(&f, 40, 3);
	put(&f, "\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20;31m");
	put(&f, "\x1b[99999999999999999999m");           /* huge numbers */
	put(&f, "\x1b[0m" "a");
	put(&f, "\x1b[12;3$p\x1b[>0c\x1b[=1;2X\x1b[1:2:3mb"); /* intermediates, private, ':' */
	put(&f, "\x1b[?1049h\x1b[?2004l\x1b[?1;2;3ic");    /* private modes not known */
	put(&f, "\x1b(B\x1b)0\x1b#8d");                  /* ESC with intermediates */
	put(&f, "\x1b]0;a title\x07" "e");               /* OSC ended by BEL */
	put(&f, "\x1b]2;another\x1b\\f");                /* OSC ended by ST */
	put(&f, "\x1b[1\x18g");                          /* CAN cancels */
	put(&f, "\x1b[1\x1ah");                          /* SUB too */
	put(&f, "\x1b[12\x1b[0mi");                      /* ESC starts over */
	put(&f, "\x1b" "Zj\x1b" "Dk");                   /* two-byte escapes not known */
	put(&f, "\x1b[3\xe9l");                          /* a high byte ends it, unseen */
	put(&f, "\x1b[5\x7f" "Cm");                      /* DEL inside is ignored */
	cr_expect_str_eq(row_text(&f, 0), "abcdefghijkl     m");
	put(&f, "\x1b[2;1H\x1b[1\nA");                   /* LF inside acts: row 3; up one */
	EXPECT_AT(&f, 0, 1);
	put(&f, "\x1b[3;1H\x1b[?25x");                   /* ?25 with another final */
	cr_expect(f.con.cursor_on);
	/* Split anywhere across writes: the same as whole. */
	const char *seq = "\x1b[33;44mS\x1b]0;t\x1b\\T\x1b[2DU";
	for (size_t i = 0; i < strlen(seq); i++)
		fbcon_write(&f.con, seq + i, 1);
	cr_expect_str_eq(row_text(&f, 2), "UT");
	cr_expect(fg_at(&f, 0, 2) == 3 && bg_at(&f, 0, 2) == 4);
	cr_expect(screen_matches_grid(&f));
	fake_free(&f);
}

Test(fbcon, unterminated_osc_is_given_up)
{
	struct fake f;
	char buf[700];

	grid(&f, 8, 2);
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "\x1b]0;", 4);
	fbcon_write(&f.con, buf, sizeof(buf));
	/* 512 bytes of string, then it is text again: what is left shows. */
	cr_expect_eq(f.con.state, FBCON_GROUND);
	cr_expect_str_eq(row_text(&f, 0), "xxxxxxxx");
	fake_free(&f);
}

/* Random bytes (escapes included) into tiny and odd screens, with too little cell
 * storage for some: ASan checks that no write leaves the buffers, the padding check
 * that none lands in the padding, and after each burst the screen shows the grid. */
Test(fbcon, random_streams_stay_inside_the_grid)
{
	static const uint32_t dims[][4] = {
		{ 8, 16, 32, 32 }, { 9, 17, 24, 31 }, { 100, 50, 32, 404 }, { 33, 70, 24, 100 },
		{ 64, 64, 32, 256 } };
	static const char alphabet[] = "\x1b\x1b\x1b[[;;0123456789?]\x07\\HJKABCDEFGdfmsuPX@"
				       "hl78c\n\r\t\b\x18\x9b\x85\xe9";
	uint64_t s = 99;

	for (size_t d = 0; d < ARRAY_SIZE(dims); d++) {
		struct fake f;
		fake_init(&f, dims[d][0], dims[d][1], (uint8_t)dims[d][2], dims[d][3], d % 2);
		if (d == 4)
			fake_shrink(&f, 2 * 8 * 3);     /* 8 x 3 of the 8 x 4 cells */
		cr_assert(fake_start(&f));
		for (int i = 0; i < 20000; i++) {
			char buf[16];
			for (size_t k = 0; k < sizeof(buf); k++) {
				s = s * 6364136223846793005ull + 1442695040888963407ull;
				uint8_t r = (uint8_t)(s >> 56);
				buf[k] = r < 160 ? alphabet[r % (sizeof(alphabet) - 1)] : (char)r;
			}
			fbcon_write(&f.con, buf, sizeof(buf));
			cr_assert_leq(f.con.pen.cx, f.con.cols);
			cr_assert_lt(f.con.pen.cy, f.con.rows);
			cr_assert_leq(f.con.saved.cx, f.con.cols);
			cr_assert_lt(f.con.saved.cy, f.con.rows);
			cr_assert_leq(f.con.nparams, FBCON_MAX_PARAMS + 1);
			if (i % 1000 == 0)
				cr_assert(screen_matches_grid(&f), "screen differs after burst %d", i);
		}
		cr_expect(screen_matches_grid(&f));
		cr_expect(padding_untouched(&f));
		fake_free(&f);
	}
}
