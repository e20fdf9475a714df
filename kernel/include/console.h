/*
 * Console output devices (serial, QEMU debugcon, framebuffer). Each registers once; all
 * log output goes to every registered console. Registering replays the log buffer, so
 * every console starts with the banner.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <types.h>

struct console {
	const char *name;                               /* [I] */
	void (*write)(struct console *c, const char *s, size_t n);  /* [I] */
	struct console *next;                           /* [console lock] */
};

void console_register(struct console *c);

/* Return once no console write is in progress: a console that its owner has switched
 * off (a flag its write function checks) gets nothing more after this. */
void console_quiesce(void);

/* Panic path: from now on output skips the console lock, whose holder may be the CPU
 * that panicked or one that will never run again. */
void console_panic_mode(void);
bool console_panicking(void);

#endif
