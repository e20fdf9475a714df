/*
 * Key events as a terminal sends them, and key names (mnos/kbd.h). Pure: the host
 * tests link it (tests/host/test_kbd.c), and the console service uses it to turn the
 * keyboard's events into the bytes a program reads, as it would get them from a serial
 * terminal.
 */
#include <mnos/kbd.h>

#define ESC "\x1b"

/* The escape sequences of keys that type no character (VT100 and xterm's). */
static const char *sequence(unsigned key, uint8_t mods)
{
	switch (key) {
	case MNOS_KEY_ENTER:
	case MNOS_KEY_KP_ENTER: return "\r";
	case MNOS_KEY_BACKSPACE: return "\x7f";
	case MNOS_KEY_TAB: return mods & MNOS_KMOD_SHIFT ? ESC "[Z" : "\t";
	case MNOS_KEY_ESCAPE: return ESC;
	case MNOS_KEY_UP: return ESC "[A";
	case MNOS_KEY_DOWN: return ESC "[B";
	case MNOS_KEY_RIGHT: return ESC "[C";
	case MNOS_KEY_LEFT: return ESC "[D";
	case MNOS_KEY_HOME: return ESC "[H";
	case MNOS_KEY_END: return ESC "[F";
	case MNOS_KEY_INSERT: return ESC "[2~";
	case MNOS_KEY_DELETE: return ESC "[3~";
	case MNOS_KEY_PAGE_UP: return ESC "[5~";
	case MNOS_KEY_PAGE_DOWN: return ESC "[6~";
	case MNOS_KEY_F1: return ESC "OP";
	case MNOS_KEY_F2: return ESC "OQ";
	case MNOS_KEY_F3: return ESC "OR";
	case MNOS_KEY_F4: return ESC "OS";
	case MNOS_KEY_F5: return ESC "[15~";
	case MNOS_KEY_F6: return ESC "[17~";
	case MNOS_KEY_F7: return ESC "[18~";
	case MNOS_KEY_F8: return ESC "[19~";
	case MNOS_KEY_F9: return ESC "[20~";
	case MNOS_KEY_F10: return ESC "[21~";
	case MNOS_KEY_F11: return ESC "[23~";
	case MNOS_KEY_F12: return ESC "[24~";
	default: return NULL;
	}
}

/* The UTF-8 of c (at most 4 bytes) into out; 0 for what is no character. */
static size_t utf8(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if ((c >= 0xd800 && c < 0xe000) || c > 0x10ffff)
		return 0;
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | c >> 12);
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | c >> 18);
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

size_t mnos_key_to_bytes(const struct mnos_key_event *ev, char out[8])
{
	if (!ev->pressed)
		return 0;
	uint32_t c = ev->ch;
	if (!c) {
		const char *s = sequence(ev->key, ev->mods);
		size_t n = 0;
		while (s && s[n] && n < 8) {
			out[n] = s[n];
			n++;
		}
		return n;
	}
	size_t n = 0;
	if (ev->mods & MNOS_KMOD_ALT)
		out[n++] = 0x1b;        /* "meta sends escape", as xterm and Linux do */
	if (ev->mods & MNOS_KMOD_CTRL) {
		/* Ctrl clears bits 5 and 6 of @ A-Z [ \ ] ^ _ and of the lower-case
		 * letters (Ctrl-C is 0x03 with Shift or without); Ctrl-Space is NUL. */
		if (c == ' ')
			c = 0;
		else if ((c >= '@' && c <= '_') || (c >= 'a' && c <= 'z'))
			c &= 0x1f;
	}
	size_t k = utf8(c, out + n);
	return k ? n + k : 0;
}

static const char *const special[] = {
	[MNOS_KEY_F1 - 0x100] = "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10",
	"f11", "f12",
	[MNOS_KEY_UP - 0x100] = "up", "down", "left", "right", "home", "end", "pgup", "pgdn",
	"insert", "delete",
	[MNOS_KEY_LSHIFT - 0x100] = "lshift", "rshift", "lctrl", "rctrl", "lalt", "ralt",
	"lgui", "rgui", "menu", "capslock", "numlock", "scrolllock", "print", "pause",
	[MNOS_KEY_KP_0 - 0x100] = "kp_0", "kp_1", "kp_2", "kp_3", "kp_4", "kp_5", "kp_6",
	"kp_7", "kp_8", "kp_9", "kp_dot", "kp_enter", "kp_plus", "kp_minus", "kp_star",
	"kp_slash",
};

/* The printable keys (mnos/kbd.h): one name each, the character itself. */
static const char printable[] = "abcdefghijklmnopqrstuvwxyz0123456789-=[]\\;'`,./";
static const char *const printable_names[] = {
	"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q",
	"r", "s", "t", "u", "v", "w", "x", "y", "z", "0", "1", "2", "3", "4", "5", "6", "7",
	"8", "9", "-", "=", "[", "]", "\\", ";", "'", "`", ",", ".", "/",
};

_Static_assert(sizeof(printable) - 1 == sizeof(printable_names) / sizeof(printable_names[0]),
	       "a name for each printable key");

const char *mnos_key_name(unsigned key)
{
	switch (key) {
	case MNOS_KEY_BACKSPACE: return "backspace";
	case MNOS_KEY_TAB: return "tab";
	case MNOS_KEY_ENTER: return "enter";
	case MNOS_KEY_ESCAPE: return "esc";
	case ' ': return "space";
	}
	if (key >= 0x100 && key - 0x100 < sizeof(special) / sizeof(special[0]))
		return special[key - 0x100];
	for (unsigned i = 0; key && printable[i]; i++)
		if ((unsigned char)printable[i] == key)
			return printable_names[i];
	return NULL;
}
