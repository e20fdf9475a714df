/*
 * QEMU's debug devices, used by the test harness: isa-debugcon (a byte sink at port 0xe9
 * that reads back 0xe9 when present) and isa-debug-exit (a write of v ends QEMU with
 * exit status (v << 1) | 1).
 */
#ifndef QEMU_H
#define QEMU_H

#include <types.h>

/* The devices' ports (tests/qemu.py places isa-debug-exit, 4 ports wide). */
#define DEBUGCON_PORT   0xe9
#define DEBUG_EXIT_PORT 0xf4

/* Exit codes the host runner (tests/run.py) understands. */
enum qemu_exit_code {
	QEMU_EXIT_PASS = 0x10,          /* QEMU exits 33 */
	QEMU_EXIT_FAIL = 0x11,          /* 35 */
	QEMU_EXIT_PANIC = 0x12,         /* 37 */
};

bool debugcon_present(void);
void debugcon_write(const char *s, size_t n);

/* Ends QEMU if the isa-debug-exit device is there; returns if it is not. */
void qemu_exit(enum qemu_exit_code code);

#endif
