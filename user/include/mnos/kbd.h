/*
 * The keyboard (docs/DRIVERS.md): key events, the bytes a terminal sends for them
 * (user/lib/keyterm.c), and the keyboard service — user/kbd, the PS/2 driver in ring 3
 * — with its client side (user/lib/kbd.c). The service is found in the name directory
 * as "kbd". Operations (RPC, mnos/rpc.h):
 *
 *   KBD_READ       w[0]: at most this many events. Reply payload: up to that many
 *                  struct mnos_key_event, oldest first, never more than KBD_READ_MAX;
 *                  w[0]: how many; w[1]: how many events the driver has dropped since
 *                  it started because its buffer was full. E_WOULD_BLOCK when none are
 *                  buffered (w[0] = 0 asks nothing and gets E_OK).
 *   KBD_SUBSCRIBE  capability 0: a notification (SIGNAL) that the service signals with
 *                  bit 0 (or the capability's badge, if it has one) whenever events
 *                  arrive, so a reader waits without polling. E_INVAL without one;
 *                  E_NO_MEMORY past KBD_MAX_SUBSCRIBERS. A subscriber whose
 *                  notification can no longer be signalled is forgotten.
 *
 * Every reader takes events from the one buffer: two readers share the stream, they do
 * not each get a copy. The console service is meant to be the one reader.
 */
#ifndef MNOS_KBD_H
#define MNOS_KBD_H

#include <types.h>
#include <mnos/rpc.h>

enum {
	KBD_READ = 1,
	KBD_SUBSCRIBE = 2,
};

#define KBD_MAX_SUBSCRIBERS     16

/*
 * Key codes: which key, whatever the modifiers. A key that types a character in the US
 * layout is named by the ASCII code of what it types unshifted: 'a'..'z', '0'..'9',
 * ' ', and - = [ ] \ ; ' ` , . / — so the A key is 'a' with or without Shift. The four
 * keys whose names are ASCII control codes have those codes (Backspace 0x08, Tab 0x09,
 * Enter 0x0d, Escape 0x1b). Every other key is above 0xff.
 */
enum mnos_key {
	MNOS_KEY_NONE = 0,
	MNOS_KEY_BACKSPACE = 0x08,
	MNOS_KEY_TAB = 0x09,
	MNOS_KEY_ENTER = 0x0d,
	MNOS_KEY_ESCAPE = 0x1b,

	MNOS_KEY_F1 = 0x100, MNOS_KEY_F2, MNOS_KEY_F3, MNOS_KEY_F4, MNOS_KEY_F5, MNOS_KEY_F6,
	MNOS_KEY_F7, MNOS_KEY_F8, MNOS_KEY_F9, MNOS_KEY_F10, MNOS_KEY_F11, MNOS_KEY_F12,

	MNOS_KEY_UP = 0x120, MNOS_KEY_DOWN, MNOS_KEY_LEFT, MNOS_KEY_RIGHT,
	MNOS_KEY_HOME, MNOS_KEY_END, MNOS_KEY_PAGE_UP, MNOS_KEY_PAGE_DOWN,
	MNOS_KEY_INSERT, MNOS_KEY_DELETE,

	MNOS_KEY_LSHIFT = 0x140, MNOS_KEY_RSHIFT, MNOS_KEY_LCTRL, MNOS_KEY_RCTRL,
	MNOS_KEY_LALT, MNOS_KEY_RALT, MNOS_KEY_LGUI, MNOS_KEY_RGUI, MNOS_KEY_MENU,
	MNOS_KEY_CAPS_LOCK, MNOS_KEY_NUM_LOCK, MNOS_KEY_SCROLL_LOCK,
	MNOS_KEY_PRINT_SCREEN, MNOS_KEY_PAUSE,

	/* The keypad: it always types its digits (Num Lock is not followed). */
	MNOS_KEY_KP_0 = 0x160, MNOS_KEY_KP_1, MNOS_KEY_KP_2, MNOS_KEY_KP_3, MNOS_KEY_KP_4,
	MNOS_KEY_KP_5, MNOS_KEY_KP_6, MNOS_KEY_KP_7, MNOS_KEY_KP_8, MNOS_KEY_KP_9,
	MNOS_KEY_KP_DOT, MNOS_KEY_KP_ENTER, MNOS_KEY_KP_PLUS, MNOS_KEY_KP_MINUS,
	MNOS_KEY_KP_STAR, MNOS_KEY_KP_SLASH,
};

/* Modifiers held (either side) or, for Caps Lock, switched on. */
#define MNOS_KMOD_SHIFT         0x01
#define MNOS_KMOD_CTRL          0x02
#define MNOS_KMOD_ALT           0x04
#define MNOS_KMOD_CAPS          0x08

/*
 * One key going down (pressed = 1; the keyboard's typematic repeat is more presses) or
 * up (pressed = 0). mods is the modifier state after this event: a Shift press carries
 * MNOS_KMOD_SHIFT, its release no longer does. ch is what a press types in the US
 * layout with Shift and Caps Lock applied (Caps Lock shifts letters only; Ctrl and Alt
 * do not change it) — a printable ASCII character, or 0 for a key that types none
 * (Enter, Tab, Backspace, Escape, arrows, modifiers...) and for every release.
 */
struct mnos_key_event {
	uint16_t key;                   /* enum mnos_key */
	uint8_t mods;                   /* MNOS_KMOD_* */
	uint8_t pressed;
	uint32_t ch;
};

_Static_assert(sizeof(struct mnos_key_event) == 8, "key events travel in RPC payloads");

#define KBD_READ_MAX    (MNOS_RPC_MAX_DATA / sizeof(struct mnos_key_event))

/*
 * What a VT100-style terminal sends for ev, into out; returns how many bytes (0 for a
 * release, a bare modifier, or a key that sends nothing). A printable character as is
 * (Alt before it adds ESC); Ctrl with a letter or one of @ [ \ ] ^ _ its control code
 * (Ctrl-C 0x03, Ctrl-D 0x04), Ctrl-Space NUL; Enter and keypad Enter '\r'; Backspace
 * 0x7f; Tab '\t' (Shift-Tab ESC [ Z); Escape 0x1b; arrows ESC [ A/B/C/D (up, down,
 * right, left); Home ESC [ H; End ESC [ F; Insert, Delete, Page Up, Page Down
 * ESC [ 2/3/5/6 ~; F1-F4 ESC O P..S; F5-F12 ESC [ 15 ~ .. ESC [ 24 ~.
 */
size_t mnos_key_to_bytes(const struct mnos_key_event *ev, char out[8]);

/* A short name for a key ("a", "space", "enter", "up", "kp_enter", "f5"...), NULL for a
 * number that is no key. */
const char *mnos_key_name(unsigned key);

/*
 * The client side. mnos_kbd_open looks "kbd" up and subscribes ntf (a notification
 * capability of the caller's, sent with SIGNAL; badged, it tells the keyboard apart
 * from other sources the caller waits for) or, with ntf 0, a notification of its own
 * that mnos_kbd_read then waits on. It uses this thread's IPC buffer. E_NOT_FOUND until
 * the service has registered. Calling it again (after E_DELETED: the service was
 * restarted) connects anew.
 */
struct mnos_kbd {
	uint32_t ep;                    /* the service's endpoint, 0 while closed */
	uint32_t ntf;                   /* what the service signals */
};

int mnos_kbd_open(struct mnos_kbd *k, uint32_t ntf);
/* The same with the driver registered under another name (its test mode's "kbd.echo"). */
int mnos_kbd_open_name(struct mnos_kbd *k, const char *name, uint32_t ntf);
/* Up to max events into ev: how many, or -error. With none buffered: 0 if wait is
 * false, else wait on k->ntf for some. */
long mnos_kbd_read(struct mnos_kbd *k, struct mnos_key_event *ev, size_t max, bool wait);

#endif
