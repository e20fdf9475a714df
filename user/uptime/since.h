/* uptime's formatting (since.c): pure, host-tested in tests/host/test_cmd.c. */
#ifndef UPTIME_SINCE_H
#define UPTIME_SINCE_H

#include <types.h>

/* "up 0:00:12", "up 1 day, 2:03:04", "up 12 days, 0:00:00" for ns since boot, into buf
 * (size ≥ 40). Returns buf. */
char *uptime_format(char *buf, size_t size, uint64_t ns);

#endif
