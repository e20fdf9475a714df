/*
 * Text console on a linear framebuffer: 8x16 glyphs from the build's PSF font, 16-colour
 * ANSI palette, scrolling by moving memory. Pure logic over a pixel buffer, so it is
 * unit-tested on the host with odd pitches and depths (tests/host/test_fbcon.c).
 *
 * Escape sequences: CSI n m (SGR: 0, 1, 22, 30-37, 39, 40-47, 49, 90-97, 100-107),
 * CSI n J (0: to end of screen, 2: whole screen), CSI n K (0: to end of line, 2: line),
 * CSI r;c H and f (cursor position, 1-based), CSI n A/B/C/D (cursor moves).
 */
#ifndef FBCON_H
#define FBCON_H

#include <types.h>
#include <bootinfo.h>

#define FONT_W 8
#define FONT_H 16

extern const uint8_t font_8x16[256][16];

enum fbcon_esc { ESC_NONE, ESC_SEEN, ESC_CSI };

struct fbcon {
	uint8_t *pixels;                /* start of the visible framebuffer */
	uint32_t width, height, pitch;  /* pixels, pixels, bytes per line */
	uint32_t bytes_pp;              /* 3 or 4 */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;

	uint32_t cols, rows;            /* text cells */
	uint32_t cx, cy;                /* cursor cell */
	uint8_t fg, bg;                 /* palette indices */
	bool bold;
	uint32_t palette[16];           /* packed pixel values */

	enum fbcon_esc esc;
	uint32_t params[8];
	uint32_t nparams;
};

/* Set up a console over pixels (the framebuffer described by fb, already mapped).
 * Returns false, leaving c unusable, when fb cannot hold a console. Clears the screen. */
bool fbcon_init(struct fbcon *c, const struct boot_fb *fb, void *pixels);
void fbcon_write(struct fbcon *c, const char *s, size_t n);

/* The packed pixel value of an RGB colour in c's pixel format. */
uint32_t fbcon_pack(const struct fbcon *c, uint32_t rgb);

#endif
