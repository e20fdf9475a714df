/*
 * The kernel command line: words separated by spaces, each "key" or "key=value"; a value
 * may be double-quoted to hold spaces. Pure logic, unit-tested on the host.
 *
 * Keys the kernel knows: ktest=<sel> (run in-guest tests, test mode; see ktest.h),
 * loglevel=<0..3>, console=<list> (not yet used).
 */
#ifndef CMDLINE_H
#define CMDLINE_H

#include <types.h>

/* The value of the first 'key' word, copied into val (truncated to valsize - 1). A bare
 * "key" gives an empty value. Returns false when the key is absent. */
bool cmdline_get(const char *cmdline, const char *key, char *val, size_t valsize);

static inline bool cmdline_has(const char *cmdline, const char *key)
{
	return cmdline_get(cmdline, key, NULL, 0);
}

#endif
