/*
 * Scancode set 1 to key events (scancode.c): the keyboard driver's pure part, which the
 * host tests drive byte by byte (tests/host/test_kbd.c). Set 1 is what the i8042
 * controller hands over with translation on, whatever set the keyboard speaks.
 */
#ifndef KBD_SCANCODE_H
#define KBD_SCANCODE_H

#include <types.h>
#include <mnos/kbd.h>

/* Modifier keys held, one bit a key (both Shifts may be down at once). */
#define KBD_HELD_LSHIFT         0x01
#define KBD_HELD_RSHIFT         0x02
#define KBD_HELD_LCTRL          0x04
#define KBD_HELD_RCTRL          0x08
#define KBD_HELD_LALT           0x10
#define KBD_HELD_RALT           0x20
#define KBD_HELD_CAPS           0x40    /* the Caps Lock key itself, not its state */

struct kbd_decoder {
	uint8_t prefix;         /* 0, or 0xe0 / 0xe1: the sequence the last bytes began */
	uint8_t matched;        /* after 0xe1: how many bytes of the Pause sequence came */
	uint8_t held;           /* KBD_HELD_* */
	bool caps;              /* Caps Lock is on */
};

void kbd_decoder_init(struct kbd_decoder *d);

/* The most events one byte can complete: a Pause sequence cut short ends with the
 * release of Pause before the key of the byte that cut it. */
#define KBD_DECODE_MAX          2

/* Feed one byte from the controller: how many key events it completes (0 for a prefix
 * or a byte that means nothing), stored in ev. Any byte is accepted. */
unsigned kbd_decode(struct kbd_decoder *d, uint8_t byte,
		    struct mnos_key_event ev[KBD_DECODE_MAX]);

#endif
