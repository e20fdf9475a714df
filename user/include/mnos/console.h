/*
 * The console service (user/console: the COM1 driver in ring 3) and its client side
 * (user/lib/console.c). Found in the name directory as "console". Operations (RPC,
 * mnos/rpc.h):
 *
 *   CONSOLE_WRITE      payload: the bytes; reply w[0]: how many were written
 *   CONSOLE_READ       w[0]: at most this many bytes; reply payload: what was buffered
 *                      (E_WOULD_BLOCK when nothing is)
 *   CONSOLE_SUBSCRIBE  capability 0: a notification (SIGNAL) the service signals with
 *                      bit 0 whenever input arrives, so a reader waits without polling
 */
#ifndef MNOS_CONSOLE_H
#define MNOS_CONSOLE_H

#include <types.h>

enum {
	CONSOLE_WRITE = 1,
	CONSOLE_READ = 2,
	CONSOLE_SUBSCRIBE = 3,
};

#define CONSOLE_MAX_SUBSCRIBERS 16

/* Look the console up and subscribe to its input (this thread's IPC buffer is used).
 * E_NOT_FOUND until the service has registered. */
int mnos_console_open(void);
/* Write len bytes: E_DELETED when the service has gone (open it again). */
int mnos_console_write(const char *s, size_t len);
/* Read up to size bytes, waiting for input if there is none: the count, or -error. */
long mnos_console_read(char *buf, size_t size);
/* Read a line (without its end) into buf, echoing what is typed; the length or -error. */
long mnos_console_read_line(char *buf, size_t size);
/* Send printf's output to the console (mnos_set_output). */
void mnos_console_use_for_output(void);

#endif
