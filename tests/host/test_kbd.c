/*
 * The keyboard's pure parts on the host under ASan and UBSan (docs/DRIVERS.md): the
 * scancode set 1 decoder (user/kbd/scancode.c) fed byte by byte — every printable key
 * with and without either Shift, Caps Lock, Ctrl and Alt, the 0xe0 keys and the fake
 * shifts around them, Print Screen and Pause, modifiers following their releases — and
 * the terminal bytes of key events (user/lib/keyterm.c); then random byte streams,
 * which must never crash the decoder nor make an event out of range.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "scancode.h"
#include "host_rng.h"

static struct kbd_decoder dec;
static struct mnos_key_event evs[64];
static unsigned nevs;

/* Feed bytes; the events they make land in evs[0..nevs). */
static void feed(const uint8_t *b, size_t n)
{
	nevs = 0;
	for (size_t i = 0; i < n; i++) {
		struct mnos_key_event ev[KBD_DECODE_MAX];
		unsigned k = kbd_decode(&dec, b[i], ev);
		cr_assert_leq(k, KBD_DECODE_MAX);
		for (unsigned j = 0; j < k; j++) {
			cr_assert_lt(nevs, sizeof(evs) / sizeof(evs[0]));
			evs[nevs++] = ev[j];
		}
	}
}

#define FEED(...)                                                                     \
	do {                                                                          \
		static const uint8_t b_[] = { __VA_ARGS__ };                          \
		feed(b_, sizeof(b_));                                                 \
	} while (0)

static void reset(void)
{
	kbd_decoder_init(&dec);
	nevs = 0;
}

static void expect_event(unsigned i, unsigned key, bool pressed, uint8_t mods, uint32_t ch)
{
	cr_assert_lt(i, nevs, "event %u of %u", i, nevs);
	cr_assert_eq(evs[i].key, key, "event %u: key %#x, want %#x", i, evs[i].key, key);
	cr_assert_eq(evs[i].pressed, pressed, "event %u (%s): pressed", i, mnos_key_name(key));
	cr_assert_eq(evs[i].mods, mods, "event %u (%s): mods %#x, want %#x", i,
		     mnos_key_name(key), evs[i].mods, mods);
	cr_assert_eq(evs[i].ch, ch, "event %u (%s): ch %#x, want %#x", i, mnos_key_name(key),
		     evs[i].ch, ch);
}

/* The bytes of event i, as a C string (no NUL inside). */
static const char *bytes_of(unsigned i)
{
	static char s[9];
	size_t n = mnos_key_to_bytes(&evs[i], s);

	cr_assert_leq(n, 8);
	s[n] = 0;
	return s;
}

static size_t bytes_of_event(struct mnos_key_event ev, char out[8])
{
	return mnos_key_to_bytes(&ev, out);
}

/* The US layout by scancode: the character unshifted and shifted. Written out apart
 * from the decoder's tables, from the keyboard's rows. */
static const struct {
	uint8_t code;
	char lower, upper;
} layout[] = {
	{ 0x02, '1', '!' }, { 0x03, '2', '@' }, { 0x04, '3', '#' }, { 0x05, '4', '$' },
	{ 0x06, '5', '%' }, { 0x07, '6', '^' }, { 0x08, '7', '&' }, { 0x09, '8', '*' },
	{ 0x0a, '9', '(' }, { 0x0b, '0', ')' }, { 0x0c, '-', '_' }, { 0x0d, '=', '+' },
	{ 0x10, 'q', 'Q' }, { 0x11, 'w', 'W' }, { 0x12, 'e', 'E' }, { 0x13, 'r', 'R' },
	{ 0x14, 't', 'T' }, { 0x15, 'y', 'Y' }, { 0x16, 'u', 'U' }, { 0x17, 'i', 'I' },
	{ 0x18, 'o', 'O' }, { 0x19, 'p', 'P' }, { 0x1a, '[', '{' }, { 0x1b, ']', '}' },
	{ 0x1e, 'a', 'A' }, { 0x1f, 's', 'S' }, { 0x20, 'd', 'D' }, { 0x21, 'f', 'F' },
	{ 0x22, 'g', 'G' }, { 0x23, 'h', 'H' }, { 0x24, 'j', 'J' }, { 0x25, 'k', 'K' },
	{ 0x26, 'l', 'L' }, { 0x27, ';', ':' }, { 0x28, '\'', '"' }, { 0x29, '`', '~' },
	{ 0x2b, '\\', '|' }, { 0x2c, 'z', 'Z' }, { 0x2d, 'x', 'X' }, { 0x2e, 'c', 'C' },
	{ 0x2f, 'v', 'V' }, { 0x30, 'b', 'B' }, { 0x31, 'n', 'N' }, { 0x32, 'm', 'M' },
	{ 0x33, ',', '<' }, { 0x34, '.', '>' }, { 0x35, '/', '?' }, { 0x39, ' ', ' ' },
};
#define NLAYOUT (sizeof(layout) / sizeof(layout[0]))

static bool is_letter(char c)
{
	return c >= 'a' && c <= 'z';
}

/* Press and release each printable key once, with the modifier bytes around it. */
static void type_all(const uint8_t *down, size_t ndown, const uint8_t *up, size_t nup,
		     uint8_t mods, bool caps)
{
	for (size_t i = 0; i < NLAYOUT; i++) {
		char lower = layout[i].lower;
		bool shift = mods & MNOS_KMOD_SHIFT;
		if (caps && is_letter(lower))
			shift = !shift;
		char want = shift ? layout[i].upper : lower;
		uint8_t m = mods | (caps ? MNOS_KMOD_CAPS : 0);

		feed(down, ndown);
		uint8_t b[2] = { layout[i].code, (uint8_t)(layout[i].code | 0x80) };
		feed(b, 2);
		cr_assert_eq(nevs, 2, "key %#x", layout[i].code);
		expect_event(0, (unsigned char)lower, true, m, (unsigned char)want);
		expect_event(1, (unsigned char)lower, false, m, 0);
		if (!(mods & (MNOS_KMOD_CTRL | MNOS_KMOD_ALT))) {
			char s[2] = { want, 0 };
			cr_assert_str_eq(bytes_of(0), s, "key %c", lower);
		}
		cr_assert_str_eq(bytes_of(1), "", "a release sends nothing");
		feed(up, nup);
	}
}

Test(kbd, printable_keys_plain_and_shifted)
{
	static const uint8_t lshift[] = { 0x2a }, lshift_up[] = { 0xaa };
	static const uint8_t rshift[] = { 0x36 }, rshift_up[] = { 0xb6 };

	reset();
	type_all(NULL, 0, NULL, 0, 0, false);
	type_all(lshift, 1, lshift_up, 1, MNOS_KMOD_SHIFT, false);
	type_all(rshift, 1, rshift_up, 1, MNOS_KMOD_SHIFT, false);
	/* Held across many keys, too. */
	FEED(0x2a);
	expect_event(0, MNOS_KEY_LSHIFT, true, MNOS_KMOD_SHIFT, 0);
	cr_assert_str_eq(bytes_of(0), "", "a bare modifier sends nothing");
	type_all(NULL, 0, NULL, 0, MNOS_KMOD_SHIFT, false);
	FEED(0xaa);
	expect_event(0, MNOS_KEY_LSHIFT, false, 0, 0);
	type_all(NULL, 0, NULL, 0, 0, false);
}

Test(kbd, caps_lock_shifts_letters_only)
{
	static const uint8_t lshift[] = { 0x2a }, lshift_up[] = { 0xaa };

	reset();
	FEED(0x3a, 0xba);
	expect_event(0, MNOS_KEY_CAPS_LOCK, true, MNOS_KMOD_CAPS, 0);
	expect_event(1, MNOS_KEY_CAPS_LOCK, false, MNOS_KMOD_CAPS, 0);
	type_all(NULL, 0, NULL, 0, 0, true);
	/* With Shift, letters go back to lower case; the rest is shifted as ever. */
	type_all(lshift, 1, lshift_up, 1, MNOS_KMOD_SHIFT, true);
	/* Typematic repeats of Caps Lock do not toggle it again; the next press does. */
	FEED(0x3a, 0x3a, 0x3a, 0xba);
	cr_assert_eq(nevs, 4);
	for (unsigned i = 0; i < 3; i++)
		expect_event(i, MNOS_KEY_CAPS_LOCK, true, 0, 0);
	expect_event(3, MNOS_KEY_CAPS_LOCK, false, 0, 0);
	type_all(NULL, 0, NULL, 0, 0, false);
	FEED(0x3a, 0xba, 0x1e, 0x3a, 0xba, 0x1e);
	expect_event(2, 'a', true, MNOS_KMOD_CAPS, 'A');
	expect_event(5, 'a', true, 0, 'a');
}

Test(kbd, ctrl_and_alt_combinations)
{
	reset();
	FEED(0x1d, 0x2e, 0xae, 0x20, 0xa0, 0x9d);       /* left Ctrl: C, D */
	expect_event(0, MNOS_KEY_LCTRL, true, MNOS_KMOD_CTRL, 0);
	expect_event(1, 'c', true, MNOS_KMOD_CTRL, 'c');
	cr_assert_str_eq(bytes_of(1), "\x03");
	expect_event(3, 'd', true, MNOS_KMOD_CTRL, 'd');
	cr_assert_str_eq(bytes_of(3), "\x04");
	expect_event(5, MNOS_KEY_LCTRL, false, 0, 0);

	FEED(0xe0, 0x1d, 0x2e, 0xe0, 0x9d, 0x2e);       /* right Ctrl, then C alone */
	expect_event(0, MNOS_KEY_RCTRL, true, MNOS_KMOD_CTRL, 0);
	cr_assert_str_eq(bytes_of(1), "\x03");
	expect_event(2, MNOS_KEY_RCTRL, false, 0, 0);
	expect_event(3, 'c', true, 0, 'c');
	cr_assert_str_eq(bytes_of(3), "c");

	/* Every letter: Ctrl gives its control code, with Shift or without. */
	for (size_t i = 0; i < NLAYOUT; i++) {
		if (!is_letter(layout[i].lower))
			continue;
		uint8_t b[] = { 0x1d, layout[i].code, 0x2a, layout[i].code, 0xaa, 0x9d };
		feed(b, sizeof(b));
		char want[2] = { (char)(layout[i].lower & 0x1f), 0 };
		cr_assert_str_eq(bytes_of(1), want, "ctrl-%c", layout[i].lower);
		cr_assert_str_eq(bytes_of(3), want, "ctrl-shift-%c", layout[i].lower);
	}

	FEED(0x1d, 0x1a, 0x2b, 0x1b, 0x9d);             /* Ctrl-[ \ ] */
	cr_assert_str_eq(bytes_of(1), "\x1b");
	cr_assert_str_eq(bytes_of(2), "\x1c");
	cr_assert_str_eq(bytes_of(3), "\x1d");
	FEED(0x1d, 0x39, 0x9d);                         /* Ctrl-Space: one NUL */
	char s[8];
	cr_assert_eq(mnos_key_to_bytes(&evs[1], s), 1);
	cr_assert_eq(s[0], 0);

	FEED(0x38, 0x2d, 0xad, 0xe0, 0x38, 0xb8, 0x2d, 0xe0, 0xb8);     /* Alt-x */
	expect_event(0, MNOS_KEY_LALT, true, MNOS_KMOD_ALT, 0);
	expect_event(1, 'x', true, MNOS_KMOD_ALT, 'x');
	cr_assert_str_eq(bytes_of(1), "\x1bx");
	expect_event(3, MNOS_KEY_RALT, true, MNOS_KMOD_ALT, 0);
	expect_event(4, MNOS_KEY_LALT, false, MNOS_KMOD_ALT, 0);        /* right still held */
	expect_event(5, 'x', true, MNOS_KMOD_ALT, 'x');
	expect_event(6, MNOS_KEY_RALT, false, 0, 0);
	FEED(0x1d, 0x38, 0x2e, 0xb8, 0x9d);             /* Ctrl-Alt-C */
	expect_event(2, 'c', true, MNOS_KMOD_CTRL | MNOS_KMOD_ALT, 'c');
	cr_assert_str_eq(bytes_of(2), "\x1b\x03");
}

Test(kbd, extended_keys)
{
	static const struct {
		uint8_t code;
		unsigned key;
		const char *bytes;
		uint32_t ch;
	} e0[] = {
		{ 0x48, MNOS_KEY_UP, "\x1b[A", 0 }, { 0x50, MNOS_KEY_DOWN, "\x1b[B", 0 },
		{ 0x4d, MNOS_KEY_RIGHT, "\x1b[C", 0 }, { 0x4b, MNOS_KEY_LEFT, "\x1b[D", 0 },
		{ 0x47, MNOS_KEY_HOME, "\x1b[H", 0 }, { 0x4f, MNOS_KEY_END, "\x1b[F", 0 },
		{ 0x52, MNOS_KEY_INSERT, "\x1b[2~", 0 }, { 0x53, MNOS_KEY_DELETE, "\x1b[3~", 0 },
		{ 0x49, MNOS_KEY_PAGE_UP, "\x1b[5~", 0 }, { 0x51, MNOS_KEY_PAGE_DOWN, "\x1b[6~", 0 },
		{ 0x1c, MNOS_KEY_KP_ENTER, "\r", 0 }, { 0x35, MNOS_KEY_KP_SLASH, "/", '/' },
		{ 0x1d, MNOS_KEY_RCTRL, "", 0 }, { 0x38, MNOS_KEY_RALT, "", 0 },
		{ 0x5b, MNOS_KEY_LGUI, "", 0 }, { 0x5c, MNOS_KEY_RGUI, "", 0 },
		{ 0x5d, MNOS_KEY_MENU, "", 0 },
	};

	reset();
	for (size_t i = 0; i < sizeof(e0) / sizeof(e0[0]); i++) {
		uint8_t b[] = { 0xe0, e0[i].code, 0xe0, (uint8_t)(e0[i].code | 0x80) };
		feed(b, sizeof(b));
		cr_assert_eq(nevs, 2, "e0 %02x", e0[i].code);
		uint8_t m = e0[i].key == MNOS_KEY_RCTRL ? MNOS_KMOD_CTRL :
			    e0[i].key == MNOS_KEY_RALT ? MNOS_KMOD_ALT : 0;
		expect_event(0, e0[i].key, true, m, e0[i].ch);
		expect_event(1, e0[i].key, false, 0, 0);
		cr_assert_str_eq(bytes_of(0), e0[i].bytes, "e0 %02x", e0[i].code);
		cr_assert_not_null(mnos_key_name(e0[i].key));
	}
	/* Without the prefix the same codes are the keypad's, which types digits. */
	FEED(0x48, 0xc8, 0x4b, 0x52, 0x53, 0x37, 0x4a, 0x4e);
	expect_event(0, MNOS_KEY_KP_8, true, 0, '8');
	expect_event(1, MNOS_KEY_KP_8, false, 0, 0);
	expect_event(2, MNOS_KEY_KP_4, true, 0, '4');
	expect_event(3, MNOS_KEY_KP_0, true, 0, '0');
	expect_event(4, MNOS_KEY_KP_DOT, true, 0, '.');
	expect_event(5, MNOS_KEY_KP_STAR, true, 0, '*');
	expect_event(6, MNOS_KEY_KP_MINUS, true, 0, '-');
	expect_event(7, MNOS_KEY_KP_PLUS, true, 0, '+');
	cr_assert_str_eq(bytes_of(0), "8");
	/* Arrows keep their sequences with Ctrl, Alt or Shift held. */
	FEED(0x1d, 0xe0, 0x48, 0x9d, 0x2a, 0xe0, 0x4b, 0xaa);
	cr_assert_str_eq(bytes_of(1), "\x1b[A");
	cr_assert_str_eq(bytes_of(4), "\x1b[D");
}

Test(kbd, other_special_keys)
{
	reset();
	FEED(0x1c, 0x0f, 0x0e, 0x01, 0x3b, 0x3e, 0x3f, 0x44, 0x57, 0x58);
	expect_event(0, MNOS_KEY_ENTER, true, 0, 0);
	cr_assert_str_eq(bytes_of(0), "\r");
	expect_event(1, MNOS_KEY_TAB, true, 0, 0);
	cr_assert_str_eq(bytes_of(1), "\t");
	expect_event(2, MNOS_KEY_BACKSPACE, true, 0, 0);
	cr_assert_str_eq(bytes_of(2), "\x7f");
	expect_event(3, MNOS_KEY_ESCAPE, true, 0, 0);
	cr_assert_str_eq(bytes_of(3), "\x1b");
	expect_event(4, MNOS_KEY_F1, true, 0, 0);
	cr_assert_str_eq(bytes_of(4), "\x1bOP");
	cr_assert_str_eq(bytes_of(5), "\x1bOS");
	cr_assert_str_eq(bytes_of(6), "\x1b[15~");
	cr_assert_str_eq(bytes_of(7), "\x1b[21~");
	expect_event(8, MNOS_KEY_F11, true, 0, 0);
	cr_assert_str_eq(bytes_of(9), "\x1b[24~");
	FEED(0x2a, 0x0f, 0xaa);                         /* Shift-Tab */
	cr_assert_str_eq(bytes_of(1), "\x1b[Z");
	FEED(0x45, 0xc5, 0x46, 0xc6);                   /* the locks report, send nothing */
	expect_event(0, MNOS_KEY_NUM_LOCK, true, 0, 0);
	expect_event(2, MNOS_KEY_SCROLL_LOCK, true, 0, 0);
	cr_assert_str_eq(bytes_of(0), "");
	/* The ISO key and codes no key has make no event. */
	FEED(0x56, 0xd6, 0x55, 0x59, 0x7f, 0x00, 0xe0, 0x10, 0xe0, 0x7f);
	cr_assert_eq(nevs, 0);
}

Test(kbd, fake_shifts_and_print_screen)
{
	reset();
	/* Num Lock on: e0 2a before a gray key, e0 aa after it. */
	FEED(0xe0, 0x2a, 0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0xaa);
	cr_assert_eq(nevs, 2);
	expect_event(0, MNOS_KEY_UP, true, 0, 0);
	expect_event(1, MNOS_KEY_UP, false, 0, 0);
	/* Shift held: the keyboard pretends to release it around the gray key. It
	 * is still held. */
	FEED(0x2a, 0xe0, 0xaa, 0xe0, 0x4f, 0xe0, 0xcf, 0xe0, 0x2a, 0x1e, 0xaa);
	cr_assert_eq(nevs, 5);
	expect_event(1, MNOS_KEY_END, true, MNOS_KMOD_SHIFT, 0);
	expect_event(3, 'a', true, MNOS_KMOD_SHIFT, 'A');
	expect_event(4, MNOS_KEY_LSHIFT, false, 0, 0);
	FEED(0x36, 0xe0, 0xb6, 0xe0, 0x35, 0xe0, 0xb5, 0xe0, 0x36, 0xb6);
	expect_event(1, MNOS_KEY_KP_SLASH, true, MNOS_KMOD_SHIFT, '/');
	expect_event(3, MNOS_KEY_RSHIFT, false, 0, 0);
	/* Print Screen: e0 2a e0 37, e0 b7 e0 aa; with Alt, 54 / d4 (SysRq). */
	FEED(0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa, 0x1e);
	cr_assert_eq(nevs, 3);
	expect_event(0, MNOS_KEY_PRINT_SCREEN, true, 0, 0);
	expect_event(1, MNOS_KEY_PRINT_SCREEN, false, 0, 0);
	expect_event(2, 'a', true, 0, 'a');
	FEED(0x38, 0x54, 0xd4, 0xb8);
	expect_event(1, MNOS_KEY_PRINT_SCREEN, true, MNOS_KMOD_ALT, 0);
	cr_assert_str_eq(bytes_of(1), "");
}

Test(kbd, releases_update_modifiers)
{
	reset();
	FEED(0x2a, 0x36, 0xaa, 0x1e, 0xb6, 0x1e);       /* both Shifts: one goes up */
	expect_event(2, MNOS_KEY_LSHIFT, false, MNOS_KMOD_SHIFT, 0);
	expect_event(3, 'a', true, MNOS_KMOD_SHIFT, 'A');
	expect_event(4, MNOS_KEY_RSHIFT, false, 0, 0);
	expect_event(5, 'a', true, 0, 'a');
	FEED(0x1d, 0xe0, 0x1d, 0x9d, 0x2e, 0xe0, 0x9d, 0x2e);
	expect_event(2, MNOS_KEY_LCTRL, false, MNOS_KMOD_CTRL, 0);
	cr_assert_str_eq(bytes_of(3), "\x03");
	expect_event(5, 'c', true, 0, 'c');
	/* A release of a modifier never pressed changes nothing. */
	FEED(0xaa, 0xb8, 0x9d, 0x1e);
	expect_event(3, 'a', true, 0, 'a');
	/* Typematic repeats of a modifier, then one release. */
	FEED(0x2a, 0x2a, 0x2a, 0x1e, 0xaa, 0x1e);
	expect_event(3, 'a', true, MNOS_KMOD_SHIFT, 'A');
	expect_event(5, 'a', true, 0, 'a');
}

Test(kbd, pause_in_the_middle_of_typing)
{
	reset();
	FEED(0x1e, 0x9e, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x30, 0xb0);
	cr_assert_eq(nevs, 6);
	expect_event(0, 'a', true, 0, 'a');
	expect_event(1, 'a', false, 0, 0);
	expect_event(2, MNOS_KEY_PAUSE, true, 0, 0);
	expect_event(3, MNOS_KEY_PAUSE, false, 0, 0);
	expect_event(4, 'b', true, 0, 'b');             /* its 1d was no Ctrl */
	expect_event(5, 'b', false, 0, 0);
	cr_assert_str_eq(bytes_of(2), "");
	/* Inside Shift; then Ctrl-Pause, which is e0 46 (Break). */
	FEED(0x2a, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x1e, 0xaa);
	expect_event(1, MNOS_KEY_PAUSE, true, MNOS_KMOD_SHIFT, 0);
	expect_event(3, 'a', true, MNOS_KMOD_SHIFT, 'A');
	FEED(0x1d, 0xe0, 0x46, 0xe0, 0xc6, 0x9d, 0x1e);
	expect_event(1, MNOS_KEY_PAUSE, true, MNOS_KMOD_CTRL, 0);
	expect_event(2, MNOS_KEY_PAUSE, false, MNOS_KMOD_CTRL, 0);
	expect_event(4, 'a', true, 0, 'a');
	/* A sequence cut short (a byte lost) does not swallow the key after it, and a
	 * Pause reported pressed is released. */
	FEED(0xe1, 0x1d, 0x45, 0x1e, 0x9e);
	cr_assert_eq(nevs, 4);
	expect_event(0, MNOS_KEY_PAUSE, true, 0, 0);
	expect_event(1, MNOS_KEY_PAUSE, false, 0, 0);
	expect_event(2, 'a', true, 0, 'a');
	FEED(0xe1, 0x30, 0xb0, 0xe1, 0x1d, 0xe0, 0x48);
	cr_assert_eq(nevs, 3);
	expect_event(0, 'b', true, 0, 'b');
	expect_event(2, MNOS_KEY_UP, true, 0, 0);
}

Test(kbd, bytes_of_events_made_by_hand)
{
	char s[8];

	/* Releases and keys that send nothing. */
	cr_assert_eq(bytes_of_event((struct mnos_key_event){ 'a', 0, 0, 'a' }, s), 0);
	cr_assert_eq(bytes_of_event((struct mnos_key_event){ MNOS_KEY_LSHIFT, 1, 1, 0 }, s), 0);
	cr_assert_eq(bytes_of_event((struct mnos_key_event){ 0xffff, 0xff, 1, 0 }, s), 0);
	/* Characters beyond ASCII, for layouts to come: UTF-8. */
	cr_assert_eq(bytes_of_event((struct mnos_key_event){ 'e', 0, 1, 0xe9 }, s), 2);
	cr_assert_eq(memcmp(s, "\xc3\xa9", 2), 0);
	cr_assert_eq(bytes_of_event((struct mnos_key_event){ 'e', MNOS_KMOD_ALT, 1, 0x20ac },
				    s), 4);
	cr_assert_eq(memcmp(s, "\x1b\xe2\x82\xac", 4), 0);
	cr_assert_eq(bytes_of_event((struct mnos_key_event){ 'e', MNOS_KMOD_ALT | MNOS_KMOD_CTRL, 1,
							     0x1f600 }, s), 5);
	cr_assert_eq(memcmp(s, "\x1b\xf0\x9f\x98\x80", 5), 0);
	cr_assert_eq(bytes_of_event((struct mnos_key_event){ 'e', MNOS_KMOD_ALT, 1, 0xd800 }, s),
		     0);
	cr_assert_eq(bytes_of_event((struct mnos_key_event){ 'e', 0, 1, 0x110000 }, s), 0);
	cr_assert_eq(bytes_of_event((struct mnos_key_event){ 'e', 0, 1, 0xffffffffu }, s), 0);
}

Test(kbd, key_names)
{
	cr_assert_str_eq(mnos_key_name('a'), "a");
	cr_assert_str_eq(mnos_key_name(' '), "space");
	cr_assert_str_eq(mnos_key_name('\\'), "\\");
	cr_assert_str_eq(mnos_key_name(MNOS_KEY_ENTER), "enter");
	cr_assert_str_eq(mnos_key_name(MNOS_KEY_UP), "up");
	cr_assert_str_eq(mnos_key_name(MNOS_KEY_F12), "f12");
	cr_assert_str_eq(mnos_key_name(MNOS_KEY_KP_SLASH), "kp_slash");
	cr_assert_str_eq(mnos_key_name(MNOS_KEY_PAUSE), "pause");
	cr_assert_null(mnos_key_name(MNOS_KEY_NONE));
	cr_assert_null(mnos_key_name('A'));
	cr_assert_null(mnos_key_name(0x7f));
	cr_assert_null(mnos_key_name(MNOS_KEY_F12 + 1));
	cr_assert_null(mnos_key_name(MNOS_KEY_KP_SLASH + 1));
	cr_assert_null(mnos_key_name(0xffffffffu));
	/* Every byte, alone or after 0xe0, makes only named keys. */
	for (unsigned b = 0; b < 256; b++)
		for (unsigned pre = 0; pre < 2; pre++) {
			reset();
			uint8_t s[2] = { 0xe0, (uint8_t)b };
			feed(s + 1 - pre, 1 + pre);
			for (unsigned i = 0; i < nevs; i++)
				cr_assert_not_null(mnos_key_name(evs[i].key), "byte %#x", b);
		}
}

/* Random streams: bytes from anywhere, and, more often, the bytes that start or
 * continue sequences. */
static uint8_t random_byte(void)
{
	static const uint8_t hot[] = { 0xe0, 0xe1, 0x1d, 0x45, 0x9d, 0xc5, 0x2a, 0xaa, 0x36,
				       0xb6, 0x3a, 0xba, 0x38, 0xb8, 0x37, 0xb7 };
	uint64_t r = rng_next();

	return r & 0x100 ? hot[(r >> 12) % sizeof(hot)] : (uint8_t)r;
}

static void check_event(const struct mnos_key_event *ev)
{
	char s[8];

	cr_assert_not_null(mnos_key_name(ev->key), "key %#x", ev->key);
	cr_assert_eq(ev->mods & ~(MNOS_KMOD_SHIFT | MNOS_KMOD_CTRL | MNOS_KMOD_ALT |
				   MNOS_KMOD_CAPS), 0, "mods %#x", ev->mods);
	cr_assert(ev->pressed == 0 || ev->pressed == 1);
	cr_assert(ev->ch == 0 || (ev->ch >= 0x20 && ev->ch < 0x7f), "ch %#x", ev->ch);
	cr_assert(ev->pressed || ev->ch == 0);
	size_t n = mnos_key_to_bytes(ev, s);
	cr_assert_leq(n, 8);
	cr_assert(ev->pressed || n == 0);
}

Test(kbd, random_streams)
{
	for (unsigned seed = 1; seed <= 200; seed++) {
		rng = 0x9e3779b97f4a7c15ull * seed;
		reset();
		for (unsigned i = 0; i < 5000; i++) {
			struct mnos_key_event ev[KBD_DECODE_MAX];
			unsigned n = kbd_decode(&dec, random_byte(), ev);
			cr_assert_leq(n, KBD_DECODE_MAX);
			for (unsigned k = 0; k < n; k++)
				check_event(&ev[k]);
			cr_assert(dec.prefix == 0 || dec.prefix == 0xe0 || dec.prefix == 0xe1);
			cr_assert_lt(dec.matched, 5);
		}
		/* Whatever came before: two bytes that mean nothing end any sequence, and
		 * releasing every modifier clears them all but Caps Lock. */
		FEED(0x00, 0x00, 0xaa, 0xb6, 0x9d, 0xe0, 0x9d, 0xb8, 0xe0, 0xb8, 0xba, 0x1e);
		cr_assert_eq(evs[nevs - 1].key, 'a', "seed %u", seed);
		cr_assert_eq(evs[nevs - 1].mods & ~MNOS_KMOD_CAPS, 0, "seed %u", seed);
		cr_assert_eq(evs[nevs - 1].ch, evs[nevs - 1].mods & MNOS_KMOD_CAPS ? 'A' : 'a');
	}
}
