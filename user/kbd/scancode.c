/*
 * Scancode set 1 to key events (scancode.h). A byte is a key's make code (bit 7 clear)
 * or break code (bit 7 set); 0xe0 before it selects the second table (the keys IBM
 * added with the 101-key keyboard: arrows, the block above them, right Ctrl and Alt,
 * keypad Enter and '/'), and Pause alone sends six bytes beginning with 0xe1.
 *
 * Keyboards also send "fake shifts" around the gray keys — e0 2a / e0 aa and e0 36 /
 * e0 b6, so that an old driver sees the arrow of a keypad without Num Lock — and Print
 * Screen is one of them (e0 2a e0 37). They carry nothing a driver that knows the e0
 * table needs, and they would make a Shift look pressed, so they are dropped.
 */
#include "scancode.h"

/* Make codes without a prefix. 0x54 is Print Screen pressed with Alt (SysRq); 0x56,
 * the extra key of ISO keyboards, has no key in the US layout. */
static const uint16_t plain[0x59] = {
	[0x01] = MNOS_KEY_ESCAPE,
	[0x02] = '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=',
	[0x0e] = MNOS_KEY_BACKSPACE, MNOS_KEY_TAB,
	[0x10] = 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']',
	[0x1c] = MNOS_KEY_ENTER, MNOS_KEY_LCTRL,
	[0x1e] = 'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`',
	[0x2a] = MNOS_KEY_LSHIFT, '\\',
	[0x2c] = 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/',
	[0x36] = MNOS_KEY_RSHIFT, MNOS_KEY_KP_STAR, MNOS_KEY_LALT, ' ', MNOS_KEY_CAPS_LOCK,
	[0x3b] = MNOS_KEY_F1, MNOS_KEY_F2, MNOS_KEY_F3, MNOS_KEY_F4, MNOS_KEY_F5,
	MNOS_KEY_F6, MNOS_KEY_F7, MNOS_KEY_F8, MNOS_KEY_F9, MNOS_KEY_F10,
	[0x45] = MNOS_KEY_NUM_LOCK, MNOS_KEY_SCROLL_LOCK,
	[0x47] = MNOS_KEY_KP_7, MNOS_KEY_KP_8, MNOS_KEY_KP_9, MNOS_KEY_KP_MINUS,
	[0x4b] = MNOS_KEY_KP_4, MNOS_KEY_KP_5, MNOS_KEY_KP_6, MNOS_KEY_KP_PLUS,
	[0x4f] = MNOS_KEY_KP_1, MNOS_KEY_KP_2, MNOS_KEY_KP_3, MNOS_KEY_KP_0, MNOS_KEY_KP_DOT,
	[0x54] = MNOS_KEY_PRINT_SCREEN,
	[0x57] = MNOS_KEY_F11, MNOS_KEY_F12,
};

/* Make codes after 0xe0. e0 46 is Pause pressed with Ctrl (Break). Codes not here —
 * the fake shifts, the media and power keys — are dropped. */
static const uint16_t extended[0x5e] = {
	[0x1c] = MNOS_KEY_KP_ENTER, MNOS_KEY_RCTRL,
	[0x35] = MNOS_KEY_KP_SLASH,
	[0x37] = MNOS_KEY_PRINT_SCREEN, MNOS_KEY_RALT,
	[0x46] = MNOS_KEY_PAUSE, MNOS_KEY_HOME, MNOS_KEY_UP, MNOS_KEY_PAGE_UP,
	[0x4b] = MNOS_KEY_LEFT,
	[0x4d] = MNOS_KEY_RIGHT,
	[0x4f] = MNOS_KEY_END, MNOS_KEY_DOWN, MNOS_KEY_PAGE_DOWN, MNOS_KEY_INSERT,
	MNOS_KEY_DELETE,
	[0x5b] = MNOS_KEY_LGUI, MNOS_KEY_RGUI, MNOS_KEY_MENU,
};

/* What follows 0xe1 for Pause: its make (1d 45) and break (e1 9d c5) codes, always
 * sent together when the key goes down; nothing comes when it goes up. */
static const uint8_t pause_seq[5] = { 0x1d, 0x45, 0xe1, 0x9d, 0xc5 };

/* The shifted character of each printable key, indexed by its key code. */
static const char shifted[128] = {
	[' '] = ' ', ['1'] = '!', ['2'] = '@', ['3'] = '#', ['4'] = '$', ['5'] = '%',
	['6'] = '^', ['7'] = '&', ['8'] = '*', ['9'] = '(', ['0'] = ')', ['-'] = '_',
	['='] = '+', ['['] = '{', [']'] = '}', ['\\'] = '|', [';'] = ':', ['\''] = '"',
	['`'] = '~', [','] = '<', ['.'] = '>', ['/'] = '?',
	['a'] = 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
	'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z',
};

/* What the keypad types. */
static const char keypad[MNOS_KEY_KP_SLASH - MNOS_KEY_KP_0 + 1] = {
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '.', 0, '+', '-', '*', '/',
};

void kbd_decoder_init(struct kbd_decoder *d)
{
	*d = (struct kbd_decoder){ 0 };
}

static uint8_t held_bit(unsigned key)
{
	switch (key) {
	case MNOS_KEY_LSHIFT: return KBD_HELD_LSHIFT;
	case MNOS_KEY_RSHIFT: return KBD_HELD_RSHIFT;
	case MNOS_KEY_LCTRL: return KBD_HELD_LCTRL;
	case MNOS_KEY_RCTRL: return KBD_HELD_RCTRL;
	case MNOS_KEY_LALT: return KBD_HELD_LALT;
	case MNOS_KEY_RALT: return KBD_HELD_RALT;
	case MNOS_KEY_CAPS_LOCK: return KBD_HELD_CAPS;
	default: return 0;
	}
}

static uint8_t mods(const struct kbd_decoder *d)
{
	uint8_t m = 0;

	if (d->held & (KBD_HELD_LSHIFT | KBD_HELD_RSHIFT))
		m |= MNOS_KMOD_SHIFT;
	if (d->held & (KBD_HELD_LCTRL | KBD_HELD_RCTRL))
		m |= MNOS_KMOD_CTRL;
	if (d->held & (KBD_HELD_LALT | KBD_HELD_RALT))
		m |= MNOS_KMOD_ALT;
	if (d->caps)
		m |= MNOS_KMOD_CAPS;
	return m;
}

static uint32_t typed(unsigned key, uint8_t m)
{
	if (key >= MNOS_KEY_KP_0 && key <= MNOS_KEY_KP_SLASH)
		return (uint32_t)keypad[key - MNOS_KEY_KP_0];
	if (key >= 128 || !shifted[key])
		return 0;
	bool shift = m & MNOS_KMOD_SHIFT;
	if (key >= 'a' && key <= 'z' && (m & MNOS_KMOD_CAPS))
		shift = !shift;
	return shift ? (uint32_t)(uint8_t)shifted[key] : key;
}

/* The event of key going down or up, after updating the modifier state with it. */
static bool key_event(struct kbd_decoder *d, unsigned key, bool pressed,
		      struct mnos_key_event *ev)
{
	uint8_t bit = held_bit(key);

	if (!key)
		return false;
	if (bit == KBD_HELD_CAPS && pressed && !(d->held & bit))
		d->caps = !d->caps;     /* on the first press, not on its typematic repeats */
	if (pressed)
		d->held |= bit;
	else
		d->held &= (uint8_t)~bit;
	uint8_t m = mods(d);
	*ev = (struct mnos_key_event){
		.key = (uint16_t)key, .mods = m, .pressed = pressed,
		.ch = pressed ? typed(key, m) : 0,
	};
	return true;
}

/* One byte outside the Pause sequence: at most one event. */
static unsigned decode_one(struct kbd_decoder *d, uint8_t byte, struct mnos_key_event *ev)
{
	uint8_t code = byte & 0x7f;
	bool pressed = !(byte & 0x80);

	if (byte == 0xe0 || byte == 0xe1) {
		d->prefix = byte;
		d->matched = 0;
		return 0;
	}
	if (d->prefix == 0xe0) {
		d->prefix = 0;
		return code < sizeof(extended) / sizeof(extended[0]) &&
		       key_event(d, extended[code], pressed, ev);
	}
	return code < sizeof(plain) / sizeof(plain[0]) && key_event(d, plain[code], pressed, ev);
}

unsigned kbd_decode(struct kbd_decoder *d, uint8_t byte,
		    struct mnos_key_event ev[KBD_DECODE_MAX])
{
	unsigned n = 0;

	if (d->prefix == 0xe1) {
		if (byte == pause_seq[d->matched]) {
			d->matched++;
			if (d->matched == 2)
				return key_event(d, MNOS_KEY_PAUSE, true, ev);
			if (d->matched < sizeof(pause_seq))
				return 0;
			d->prefix = 0;
			return key_event(d, MNOS_KEY_PAUSE, false, ev);
		}
		/* Not Pause after all (a byte was lost): this byte is read afresh. A Pause
		 * reported pressed is released first, so no reader thinks it held. */
		d->prefix = 0;
		if (d->matched >= 2)
			n = key_event(d, MNOS_KEY_PAUSE, false, ev);
	}
	return n + decode_one(d, byte, ev + n);
}
