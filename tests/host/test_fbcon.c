/*
 * The framebuffer console (kernel/console/fbcon.c) on fake framebuffers in host memory:
 * 32 and 24 bpp, RGB and BGR, pitches with padding that must never be written, tiny
 * screens, scrolling, escapes, and random input under AddressSanitizer.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <fbcon.h>

#define PAD_BYTE 0xa5

struct fake {
	struct boot_fb fb;
	uint8_t *mem;
	size_t size;
	struct fbcon con;
};

static void fake_init(struct fake *f, uint32_t w, uint32_t h, uint8_t bpp, uint32_t pitch,
		      bool bgr)
{
	memset(f, 0, sizeof(*f));
	f->fb = (struct boot_fb){
		.kind = BOOT_FB_RGB, .addr = { 0x1000 }, .width = w, .height = h,
		.pitch = pitch, .bpp = bpp,
		.red_pos = bgr ? 0 : 16, .red_size = 8, .green_pos = 8, .green_size = 8,
		.blue_pos = bgr ? 16 : 0, .blue_size = 8,
	};
	f->size = (size_t)pitch * h;
	f->mem = malloc(f->size);
	memset(f->mem, PAD_BYTE, f->size);
}

static void fake_free(struct fake *f)
{
	free(f->mem);
}

static uint32_t px(const struct fake *f, uint32_t x, uint32_t y)
{
	const uint8_t *p = f->mem + (size_t)y * f->fb.pitch + (size_t)x * (f->fb.bpp / 8);
	uint32_t v = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
	return f->fb.bpp == 32 ? v | (uint32_t)p[3] << 24 : v;
}

/* Padding between the visible width and the pitch must hold PAD_BYTE everywhere. */
static bool padding_untouched(const struct fake *f)
{
	size_t vis = (size_t)f->fb.width * (f->fb.bpp / 8);
	for (uint32_t y = 0; y < f->fb.height; y++)
		for (size_t b = vis; b < f->fb.pitch; b++)
			if (f->mem[(size_t)y * f->fb.pitch + b] != PAD_BYTE)
				return false;
	return true;
}

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

static void put(struct fake *f, const char *s)
{
	fbcon_write(&f->con, s, strlen(s));
}

Test(fbcon, init_rejects_unusable_framebuffers)
{
	struct fake f;

	fake_init(&f, 7, 16, 32, 28, false);            /* narrower than one glyph */
	cr_expect(!fbcon_init(&f.con, &f.fb, f.mem));
	fake_free(&f);
	fake_init(&f, 8, 15, 32, 32, false);            /* shorter than one glyph */
	cr_expect(!fbcon_init(&f.con, &f.fb, f.mem));
	fake_free(&f);
	fake_init(&f, 64, 32, 16, 128, false);          /* 16 bpp */
	cr_expect(!fbcon_init(&f.con, &f.fb, f.mem));
	fake_free(&f);
	fake_init(&f, 64, 32, 32, 200, false);          /* pitch < width * 4 */
	cr_expect(!fbcon_init(&f.con, &f.fb, f.mem));
	cr_expect(!fbcon_init(&f.con, &f.fb, NULL));
	f.fb.kind = BOOT_FB_TEXT;
	f.fb.pitch = 256;
	cr_expect(!fbcon_init(&f.con, &f.fb, f.mem));
	fbcon_write(&f.con, "ignored", 7);              /* unusable console: no effect */
	fake_free(&f);
}

Test(fbcon, clears_only_the_visible_area_with_odd_pitch)
{
	struct fake f;

	fake_init(&f, 100, 50, 32, 100 * 4 + 52, false);
	cr_assert(fbcon_init(&f.con, &f.fb, f.mem));
	cr_expect_eq(f.con.cols, 12);
	cr_expect_eq(f.con.rows, 3);
	cr_expect_eq(px(&f, 0, 0), 0);
	cr_expect_eq(px(&f, 99, 49), 0);
	cr_expect(padding_untouched(&f));
	fake_free(&f);
}

Test(fbcon, draws_glyphs_and_colours_32bpp)
{
	struct fake f;

	fake_init(&f, 160, 64, 32, 160 * 4 + 12, false);
	cr_assert(fbcon_init(&f.con, &f.fb, f.mem));
	put(&f, "Hi\x1b[31;42mX\x1b[0m\x1b[1mB\x1b[22m\x1b[94mb\x1b[39;49m.");
	cr_expect(cell_is(&f, 0, 0, 'H', 7, 0));
	cr_expect(cell_is(&f, 1, 0, 'i', 7, 0));
	cr_expect(cell_is(&f, 2, 0, 'X', 1, 2));
	cr_expect(cell_is(&f, 3, 0, 'B', 15, 0));       /* bold white is bright white */
	cr_expect(cell_is(&f, 4, 0, 'b', 12, 0));
	cr_expect(cell_is(&f, 5, 0, '.', 7, 0));
	cr_expect_eq(f.con.palette[1], 0xaa0000);       /* red in an RGB layout */
	cr_expect_eq(f.con.palette[15], 0xffffff);
	cr_expect(padding_untouched(&f));
	fake_free(&f);
}

Test(fbcon, bgr_and_24bpp_with_odd_pitch)
{
	struct fake f;

	fake_init(&f, 81, 40, 24, 81 * 3 + 5, true);
	cr_assert(fbcon_init(&f.con, &f.fb, f.mem));
	cr_expect_eq(f.con.palette[1], 0x0000aa);       /* red, with red in the low byte */
	put(&f, "\x1b[31mR\x1b[44mS");
	cr_expect(cell_is(&f, 0, 0, 'R', 1, 0));
	cr_expect(cell_is(&f, 1, 0, 'S', 1, 4));
	cr_expect_eq(f.con.cols, 10);
	cr_expect(padding_untouched(&f));
	fake_free(&f);
}

Test(fbcon, wraps_and_scrolls_by_moving_rows)
{
	struct fake f;

	fake_init(&f, 32, 48, 32, 32 * 4 + 16, false);  /* 4 x 3 cells */
	cr_assert(fbcon_init(&f.con, &f.fb, f.mem));
	put(&f, "abcdefgh");                            /* two full rows by wrapping */
	cr_expect(cell_is(&f, 0, 1, 'e', 7, 0));
	put(&f, "\n1\n2");                              /* fills row 2, then scrolls */
	cr_expect(cell_is(&f, 0, 0, 'e', 7, 0));        /* row 1 moved up to row 0 */
	cr_expect(cell_is(&f, 0, 1, '1', 7, 0));
	cr_expect(cell_is(&f, 0, 2, '2', 7, 0));
	cr_expect(cell_is(&f, 1, 2, ' ', 7, 0));        /* the new row is blank */
	cr_expect_eq(f.con.cy, 2);
	cr_expect(padding_untouched(&f));
	fake_free(&f);
}

Test(fbcon, control_characters)
{
	struct fake f;

	fake_init(&f, 128, 32, 32, 512, false);         /* 16 x 2 cells */
	cr_assert(fbcon_init(&f.con, &f.fb, f.mem));
	put(&f, "ab\bX\tT\rR\a");
	cr_expect(cell_is(&f, 0, 0, 'R', 7, 0));        /* carriage return went to column 0 */
	cr_expect(cell_is(&f, 1, 0, 'X', 7, 0));        /* backspace then overwrite */
	cr_expect(cell_is(&f, 8, 0, 'T', 7, 0));        /* tab to column 8 */
	cr_expect_eq(f.con.cx, 1);
	fake_free(&f);
}

Test(fbcon, cursor_and_erase_escapes)
{
	struct fake f;

	fake_init(&f, 64, 48, 32, 256, false);          /* 8 x 3 cells */
	cr_assert(fbcon_init(&f.con, &f.fb, f.mem));
	put(&f, "\x1b[2;3HQ");
	cr_expect(cell_is(&f, 2, 1, 'Q', 7, 0));
	put(&f, "\x1b[999;999HZ");                      /* clamped to the last cell */
	cr_expect(cell_is(&f, 7, 2, 'Z', 7, 0));
	put(&f, "\x1b[H\x1b[AW");                       /* home, then up: stays on row 0 */
	cr_expect(cell_is(&f, 0, 0, 'W', 7, 0));
	put(&f, "\x1b[5C\x1b[2DV\x1b[9BU");
	cr_expect(cell_is(&f, 4, 0, 'V', 7, 0));
	cr_expect(cell_is(&f, 5, 2, 'U', 7, 0));
	put(&f, "\x1b[2;3H\x1b[K");                     /* erase to end of line */
	cr_expect(cell_is(&f, 2, 1, ' ', 7, 0));
	put(&f, "\x1b[41m\x1b[2J");                     /* clear screen in red */
	cr_expect_eq(px(&f, 0, 0), f.con.palette[1]);
	cr_expect_eq(px(&f, 63, 47), f.con.palette[1]);
	fake_free(&f);
}

Test(fbcon, malformed_escapes_are_dropped)
{
	struct fake f;

	fake_init(&f, 64, 16, 32, 256, false);
	cr_assert(fbcon_init(&f.con, &f.fb, f.mem));
	put(&f, "\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13m");  /* too many parameters */
	put(&f, "\x1b[99999999999999999999m");          /* huge number */
	put(&f, "\x1b[0m\x1b[\x01" "A");               /* a control byte inside: dropped */
	cr_expect(cell_is(&f, 0, 0, 'A', 7, 0));
	put(&f, "\x1b" "cB");                           /* a two-byte escape: ignored */
	cr_expect(cell_is(&f, 1, 0, 'B', 7, 0));
	fake_free(&f);
}

/* Random bytes (escapes included) into tiny and odd framebuffers; ASan checks that no
 * write leaves the buffer, and the padding check that none lands in the padding. */
Test(fbcon, random_input)
{
	static const uint32_t dims[][4] = {
		{ 8, 16, 32, 32 }, { 9, 17, 24, 31 }, { 100, 50, 32, 404 }, { 33, 70, 24, 100 } };
	uint64_t s = 99;

	for (size_t d = 0; d < 4; d++) {
		struct fake f;
		fake_init(&f, dims[d][0], dims[d][1], (uint8_t)dims[d][2], dims[d][3], d % 2);
		cr_assert(fbcon_init(&f.con, &f.fb, f.mem));
		for (int i = 0; i < 20000; i++) {
			char buf[16];
			for (size_t k = 0; k < sizeof(buf); k++) {
				s = s * 6364136223846793005ull + 1442695040888963407ull;
				uint8_t r = (uint8_t)(s >> 56);
				buf[k] = r < 40 ? "\x1b[;0123456789HJKABCDm\n\r\t\b"[r % 26] : (char)r;
			}
			fbcon_write(&f.con, buf, sizeof(buf));
			cr_assert_lt(f.con.cx, f.con.cols + 1);
			cr_assert_lt(f.con.cy, f.con.rows);
		}
		cr_expect(padding_untouched(&f));
		fake_free(&f);
	}
}
