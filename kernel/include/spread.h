/*
 * The median and spread of a benchmark's runs: what kbench (kernel/test/kbench.c) and
 * the running system's bench (user/bench) report of each figure, sel4bench-style. Pure
 * logic, also in the user library, unit-tested on the host (tests/host/test_spread.c).
 */
#ifndef SPREAD_H
#define SPREAD_H

#include <types.h>

struct spread {
	uint64_t median, min, max;
};

/* Sorts v[0..n) into ascending order and returns its median (the upper one of the two
 * middle values when n is even), min and max; all 0 when n is 0. */
struct spread spread_of(uint64_t *v, size_t n);

#endif
