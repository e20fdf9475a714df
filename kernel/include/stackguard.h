/*
 * Making a stack-protector guard, for the kernel (kernel/core/stackprot.c) and user
 * programs (user/lib/start.c) alike: RDRAND where CPUID says the CPU has it, mixed with
 * the TSC (splitmix64), its lowest byte zero as glibc's — a string copy that overruns a
 * buffer stops at that byte, so it cannot write the guard's value back. Freestanding:
 * no kernel headers.
 */
#ifndef STACKGUARD_H
#define STACKGUARD_H

#include <stdint.h>
#include <stdbool.h>

static inline __attribute__((always_inline)) uint64_t stack_guard_make(bool *hw)
{
	uint32_t a, b, c, d, lo, hi;
	uint64_t r = 0;

	*hw = false;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	for (int i = 0; (c & (1u << 30)) && i < 10 && !*hw; i++)
		__asm__ volatile("rdrand %0; setc %1" : "=r"(r), "=qm"(*hw));
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	uint64_t z = r ^ ((uint64_t)hi << 32 | lo) ^ 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return z & ~0xffull;
}

#endif
