/* sleep's operand (duration.c): pure, host-tested in tests/host/test_cmd.c. */
#ifndef SLEEP_DURATION_H
#define SLEEP_DURATION_H

#include <types.h>

/*
 * A duration: a decimal number of seconds with an optional fraction ("5", "0.5", ".25",
 * "1.000000001"; digits past nanoseconds are dropped) and an optional unit, s, m, h or
 * d. In *ns. E_INVAL for anything else (empty, a sign, a second point, other
 * characters); E_RANGE past 2^64 - 1 ns (about 584 years).
 */
int sleep_parse(const char *s, uint64_t *ns);

#endif
