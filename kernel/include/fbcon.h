/*
 * A text console on a linear framebuffer (kernel/lib/fbcon.c): 8x16 glyphs from the
 * build's PSF font, the 16-colour ANSI palette, and the VT100/ANSI escapes a shell uses.
 * Pure logic over a pixel buffer and two cell grids the caller provides, shared by the
 * kernel's boot console (kernel/console/consoles.c) and the ring-3 framebuffer console
 * (user/fbcon), and unit-tested on the host (tests/host/test_fbcon.c).
 *
 * The console keeps what every cell should show (cells) and what the framebuffer shows
 * now (shown). Writing changes cells only; at the end of each fbcon_write the cells
 * that differ from shown are drawn, so a burst of output that scrolls many times is
 * drawn once, scrolling never reads the framebuffer back, and an unchanged cell is
 * never drawn again.
 *
 * What it understands (docs/INIT.md, "The framebuffer console"):
 * - printable Latin-1; \n (line feed, with carriage return), \r, \b, \t (stops every 8
 *   columns), BEL ignored; wrap at the right edge (deferred, as a VT100 does: the
 *   cursor waits on the last column until the next character), scrolling at the bottom;
 * - ESC 7 / ESC 8 (save / restore the cursor), ESC c (reset);
 * - CSI n A/B/C/D (cursor up/down/forward/back), E/F (next/previous line), G (column),
 *   d (row), H and f (row;column, 1-based), J (0 below, 1 above, 2 and 3 all), K (0 to
 *   the end of the line, 1 to its start, 2 all of it), @ / P / X (insert, delete, erase
 *   characters), s / u (save / restore the cursor), m (SGR: 0, 1, 22, 7, 27, 30-37, 39,
 *   40-47, 49, 90-97, 100-107; 38/48;5;n for n < 16, other extended colours skipped),
 *   ?25h / ?25l (show / hide the cursor), ?7h / ?7l (wrap at the right edge or not);
 * - OSC strings (ESC ] ... BEL or ESC \) are consumed. Any other sequence is consumed
 *   and ignored; a control character inside one acts as it would outside, ESC starts
 *   over, CAN and SUB cancel, as on a VT100. Nothing of a sequence is ever drawn.
 */
#ifndef FBCON_H
#define FBCON_H

#include <types.h>

#define FONT_W 8
#define FONT_H 16

extern const uint8_t font_8x16[256][16];

/* The framebuffer's geometry and pixel format. */
struct fbcon_format {
	uint32_t width, height;         /* pixels */
	uint32_t pitch;                 /* bytes from one pixel row to the next */
	uint32_t bpp;                   /* bits per pixel: 24 or 32 */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

/* One text cell: a Latin-1 character and the palette indices it is drawn in (bold and
 * reverse video already applied). */
struct fbcon_cell {
	uint8_t ch;
	uint8_t attr;                   /* FBCON_ATTR(fg, bg) */
};

#define FBCON_ATTR(fg, bg)      ((uint8_t)(((fg) & 15) | ((bg) & 15) << 4))
#define FBCON_FG(attr)          ((uint8_t)((attr) & 15))
#define FBCON_BG(attr)          ((uint8_t)((attr) >> 4))

#define FBCON_DEFAULT_FG        7
#define FBCON_DEFAULT_BG        0
#define FBCON_MAX_PARAMS        16

enum fbcon_state {
	FBCON_GROUND,           /* text */
	FBCON_ESC,              /* after ESC */
	FBCON_ESC_IGNORE,       /* ESC and intermediate bytes (ESC ( B): up to the final */
	FBCON_CSI,              /* after ESC [: parameters */
	FBCON_CSI_IGNORE,       /* a CSI sequence that will be ignored: up to its end */
	FBCON_OSC,              /* after ESC ]: a string, up to BEL or ESC \ */
	FBCON_OSC_ESC,          /* ESC inside it */
};

/* The cursor and the colours: what ESC 7 and CSI s save. */
struct fbcon_pen {
	uint32_t cx, cy;                /* cx == cols: the last column, a wrap pending */
	uint8_t fg, bg;                 /* palette indices as set by SGR */
	bool bold, reverse;
};

struct fbcon {
	uint8_t *pixels;                /* the framebuffer's first pixel */
	uint32_t width, height, pitch;  /* pixels, pixels, bytes a line */
	uint32_t bytes_pp;              /* 3 or 4 */
	struct fbcon_format fmt;
	uint32_t palette[16];           /* the ANSI colours as pixel values */
	uint32_t cols, rows;            /* text cells */

	struct fbcon_cell *cells;       /* cols * rows, row by row: what each cell shows */
	struct fbcon_cell *shown;       /* cols * rows: what the framebuffer shows */
	uint32_t dirty_lo, dirty_hi;    /* rows [lo, hi) may differ from shown */
	uint32_t cursor_at;             /* the cell the cursor is drawn on, or UINT32_MAX */

	struct fbcon_pen pen, saved;
	bool cursor_on;                 /* ?25h */
	bool autowrap;                  /* ?7h */

	enum fbcon_state state;
	uint32_t params[FBCON_MAX_PARAMS];
	uint32_t nparams;
	char priv;                      /* a private-parameter prefix ('?'), or 0 */
	uint32_t osc_len;               /* bytes of the OSC string so far */
};

/* Cells the storage passed to fbcon_init needs for a whole screen of f. */
size_t fbcon_cells_needed(const struct fbcon_format *f);

/*
 * Set up a console over pixels, the framebuffer f describes (mapped, writable), with
 * cells (room for ncells) as its two grids. Clears the whole framebuffer; the cursor is
 * shown (the kernel hides it with CSI ?25l). false, leaving c unusable (fbcon_write does
 * nothing), when f is not a 24 or 32 bpp format with room for a cell, or pixels or cells
 * are missing. Fewer cells than fbcon_cells_needed make a console of fewer rows (and
 * columns), in the top left of the screen.
 */
bool fbcon_init(struct fbcon *c, const struct fbcon_format *f, void *pixels,
		struct fbcon_cell *cells, size_t ncells);

/* Interpret n bytes and bring the framebuffer up to date. */
void fbcon_write(struct fbcon *c, const char *s, size_t n);

/* Start afresh on a framebuffer someone else has drawn on: the whole of it is cleared
 * and every cell drawn again; the cursor goes home and the colours to their defaults.
 * (The kernel's panic, after the framebuffer was user space's.) */
void fbcon_reset(struct fbcon *c);

/* The packed pixel value of an RGB colour (0xrrggbb) in c's pixel format. */
uint32_t fbcon_pack(const struct fbcon *c, uint32_t rgb);

/* The cell at (col, row). */
static inline struct fbcon_cell fbcon_cell_at(const struct fbcon *c, uint32_t col,
					      uint32_t row)
{
	return c->cells[(size_t)row * c->cols + col];
}

#endif
