/*
 * The framebuffer console service (user/fbcon, docs/INIT.md "The framebuffer
 * console"): a text console on the framebuffer, in ring 3. Found in the name directory
 * as "fbcon". Operations (RPC, mnos/rpc.h):
 *
 *   FBCON_WRITE  payload: bytes to draw (up to MNOS_RPC_MAX_DATA): Latin-1 text, control
 *                characters and the escapes of kernel/include/fbcon.h (the usual VT100 /
 *                ANSI ones: cursor moves and position, erase, colours, ?25h / ?25l);
 *                reply w[0]: the bytes consumed (all of them). An escape sequence may
 *                be split across writes.
 *   FBCON_INFO   reply w[0]: columns, w[1]: rows, w[2]: width in pixels, w[3]: height
 *
 * Other operations get E_NOSYS; capabilities sent along are deleted. Without a
 * framebuffer the service says so in the log and exits with status 0 (init does not
 * start it again), so "fbcon" is then never registered.
 */
#ifndef MNOS_FBCON_H
#define MNOS_FBCON_H

enum {
	FBCON_WRITE = 1,
	FBCON_INFO = 2,
};

#endif
