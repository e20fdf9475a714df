/* caps's names for types and rights (rights.c): pure, host-tested in test_cmd.c. */
#ifndef CAPS_RIGHTS_H
#define CAPS_RIGHTS_H

#include <types.h>

/* "endpoint", "memory", ...; "type N" (in buf) for a number the ABI does not name. */
const char *caps_type_name(uint32_t type, char *buf, size_t size);

/*
 * The rights of a capability of type as letters, one place each for the rights the
 * type has, '-' where one is missing: d derive, g grant, then per type — endpoint
 * s send, r receive; reply s send; notification s signal, w wait; memory r read,
 * w write, x execute; process, thread, IRQ, I/O ports c control. An endpoint with
 * every right is "dgsr", a read-only memory copy "--r--". Bits the type does not have
 * (none, if the kernel is right) follow as "+0x...". Into buf (size ≥ 24); returns buf.
 */
char *caps_rights(uint32_t type, uint32_t rights, char *buf, size_t size);

#endif
