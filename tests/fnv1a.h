/*
 * FNV-1a, 64 bits: the hash the initramfs and tar-corpus manifests give for file data
 * (tools/mkinitramfs.py, tools/mk_tar_corpus.py), for the host and in-guest tests that
 * compare data with them.
 */
#ifndef TESTS_FNV1A_H
#define TESTS_FNV1A_H

#include <stdint.h>

static inline uint64_t fnv1a64(const void *p, uint64_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	for (uint64_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

#endif
