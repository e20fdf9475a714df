/*
 * The console service (user/console: the COM1 driver in ring 3) and its client side
 * (user/lib/console.c). Found in the name directory as "console". Operations (RPC,
 * mnos/rpc.h):
 *
 *   CONSOLE_WRITE      payload: the bytes; reply w[0]: how many were written
 *   CONSOLE_READ       w[0]: at most this many bytes, w[1]: CONSOLE_READ_WAIT or 0;
 *                      reply payload: what was buffered; with nothing buffered, the
 *                      reply waits for input with CONSOLE_READ_WAIT (up to 16 readers
 *                      wait at once, answered in order; E_NO_MEMORY past that), else
 *                      E_WOULD_BLOCK; an empty payload once after
 *                      Ctrl-D on an empty line in cooked mode: the end of the input
 *   CONSOLE_SUBSCRIBE  capability 0: a notification (SIGNAL) the service signals with
 *                      bit 0 whenever input arrives, so a reader waits without polling
 *   CONSOLE_MODE       w[0]: CONSOLE_RAW or CONSOLE_COOKED → w[0]: the mode before
 *   CONSOLE_INTR       w[0] 1: arm Ctrl-C with capability 0, a notification (SIGNAL):
 *                      from then on Ctrl-C signals it with bit 0 and throws away the
 *                      input not yet read, instead of being input; w[0] 0: disarm
 *
 * The modes. Raw (the default): bytes reach readers as they come, unechoed — a line
 * editor (the shell's) does its own echo. Cooked: the service edits a line (echo,
 * backspace, Ctrl-U kills it, Ctrl-D ends the input) and readers get it when Enter is
 * pressed; escape sequences (arrow keys) are dropped. Input comes from COM1 and from the
 * keyboard driver ("kbd", mnos/kbd.h); output goes to COM1 and to the framebuffer
 * console ("fbcon", mnos/fbcon.h) when there is one.
 */
#ifndef MNOS_CONSOLE_H
#define MNOS_CONSOLE_H

#include <types.h>

enum {
	CONSOLE_WRITE = 1,
	CONSOLE_READ = 2,
	CONSOLE_SUBSCRIBE = 3,
	CONSOLE_MODE = 4,
	CONSOLE_INTR = 5,
};

#define CONSOLE_READ_WAIT       1

enum {
	CONSOLE_RAW = 0,
	CONSOLE_COOKED = 1,
};

#define CONSOLE_MAX_SUBSCRIBERS 16

/* Look the console up (this thread's IPC buffer is used); the first read subscribes to
 * its input. E_NOT_FOUND until the service has registered. */
int mnos_console_open(void);
/* The same, trying again every 10 ms for up to ms milliseconds while it fails (the
 * service may start after the caller, or be restarting): the last error. */
int mnos_console_open_wait(unsigned ms);
/* Write len bytes: E_DELETED when the service has gone (open it again). */
int mnos_console_write(const char *s, size_t len);
/* Read up to size bytes, waiting for input if there is none: the count, or -error. */
long mnos_console_read(char *buf, size_t size);
/* Read a line (without its end) into buf, echoing what is typed; the length or -error. */
long mnos_console_read_line(char *buf, size_t size);
/* CONSOLE_MODE: the mode before, or -error. */
int mnos_console_mode(int mode);
/* CONSOLE_INTR: arm Ctrl-C to signal the notification ntf (0: disarm). */
int mnos_console_intr(uint32_t ntf);
/* Send printf's output to the console (mnos_set_output). */
void mnos_console_use_for_output(void);

#endif
