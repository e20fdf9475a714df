/*
 * The kernel's own consoles: COM1, QEMU's debugcon and the framebuffer text console.
 * (console.h is the generic list they register on.)
 */
#ifndef CONSOLES_H
#define CONSOLES_H

#include <types.h>
#include <bootinfo.h>
#include <fbcon.h>

struct early_consoles {
	bool serial;            /* a 16550 answered at COM1 */
	bool debugcon;          /* QEMU isa-debugcon at port 0xe9 */
};

/* Phase 1: serial and debugcon, before anything is printed. */
struct early_consoles consoles_init_early(void);

/* What phase 1 found. */
struct early_consoles consoles_found(void);

/* Phase 2: the framebuffer console, if the boot loader set up a usable framebuffer.
 * Logs why not otherwise. */
bool consoles_init_fb(const struct boot_fb *fb);

/* Phase 3 moves the framebuffer from the boot direct map to a write-combining mapping
 * in the kernel's own tables: fb_map() makes the new mapping (before the switch),
 * fb_moved() points the console at it (right after; nothing may print in between). */
void *consoles_fb_map(void);
void consoles_fb_moved(void *pixels);

/* COM1 found at boot; and giving it to a user driver: from then on the kernel writes
 * to it only when it panics. */
bool consoles_serial_present(void);
void consoles_serial_handover(void);

/* Giving the framebuffer to user space (the "fb" boot capability): from then on the
 * kernel draws on it only when it panics, and then on a cleared screen. */
void consoles_fb_handover(void);

/* The framebuffer console's state (NULL when there is none), for tests. */
struct fbcon *consoles_fbcon(void);

#endif
