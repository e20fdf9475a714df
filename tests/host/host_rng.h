/*
 * For host tests: a small deterministic generator (xorshift64), so that a failing
 * random test replays exactly. One state per test file.
 */
#ifndef HOST_RNG_H
#define HOST_RNG_H

#include <stdint.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static inline uint64_t rng_next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

#endif
