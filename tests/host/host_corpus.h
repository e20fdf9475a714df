/*
 * For host tests that read a corpus kept in the tree (tests/elf/, tests/tar/): a whole
 * file in a block of exactly lead + its size bytes, the file at block + lead, so ASan
 * sees any read past its end (and, with lead 1, it lies at an odd address). Run from
 * the top of the tree.
 */
#ifndef HOST_CORPUS_H
#define HOST_CORPUS_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline uint8_t *corpus_read(const char *dir, const char *name, size_t lead,
				   size_t *size)
{
	char path[256];
	snprintf(path, sizeof(path), "%s%s", dir, name);
	FILE *f = fopen(path, "rb");
	cr_assert(f, "cannot open %s (run from the top of the tree)", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc(lead + (size_t)n ? lead + (size_t)n : 1);
	cr_assert(buf);
	cr_assert_eq(fread(buf + lead, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

#endif
