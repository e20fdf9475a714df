/*
 * ELF64 validation (kernel/exec/elf_check.c) against the corpus in tests/elf/ (written
 * by tools/mk_elf_corpus.py): every file gets exactly the error its MANIFEST line names,
 * at the program header it names, and the valid ones pass with the segments they hold.
 * Then random mutations of the valid program: elf_check never reads outside the buffer
 * (each image is copied into a block of exactly its size, at an odd address, so ASan
 * sees any overread and UBSan any unaligned access), and whatever it accepts satisfies
 * every invariant the loader relies on. Run from the top of the tree (make host-test).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include "host_rng.h"
#include "host_corpus.h"

#define CORPUS "tests/elf/"

static uint8_t *read_file(const char *name, size_t *size)
{
	return corpus_read(CORPUS, name, 0, size);
}

static enum elf_error error_named(const char *name)
{
	for (int e = 0; e < ELF_ERRORS; e++)
		if (strcmp(elf_errname((enum elf_error)e), name) == 0)
			return (enum elf_error)e;
	cr_assert_fail("MANIFEST names an unknown error '%s'", name);
	return ELF_ERRORS;
}

/* Check img as if it lay at an odd address in a block of exactly its size. */
static enum elf_error check_exact(const uint8_t *img, size_t size, struct elf_info *info)
{
	uint8_t *block = malloc(size + 1);
	cr_assert(block);
	memcpy(block + 1, img, size);
	/* Only [block + 1, block + 1 + size) is the image; the byte before is poison. */
	enum elf_error e = elf_check(block + 1, size, info);
	free(block);
	return e;
}

Test(elf, corpus_files_get_exactly_their_errors)
{
	FILE *m = fopen(CORPUS "MANIFEST", "r");
	char line[256], file[128], want[64];
	int phdr, bad = 0, good = 0;
	bool seen[ELF_ERRORS] = { false };

	cr_assert(m, "cannot open " CORPUS "MANIFEST (run from the top of the tree)");
	while (fgets(line, sizeof(line), m)) {
		if (line[0] == '#')
			continue;
		cr_assert_eq(sscanf(line, "%127s %63s %d", file, want, &phdr), 3, "%s", line);
		size_t size;
		uint8_t *img = read_file(file, &size);
		struct elf_info info;
		enum elf_error e = check_exact(img, size, &info);
		enum elf_error w = error_named(want);
		cr_expect_eq(e, w, "%s: got %s (%s), want %s", file, elf_errname(e),
			     elf_strerror(e), want);
		cr_expect_eq(info.bad_phdr, phdr, "%s: program header %d, want %d", file,
			     info.bad_phdr, phdr);
		char why[128];
		elf_explain(e, &info, why, sizeof(why));
		if (phdr >= 0) {
			char prefix[32];
			snprintf(prefix, sizeof(prefix), "program header %d: ", phdr);
			cr_expect(strncmp(why, prefix, strlen(prefix)) == 0, "%s: '%s'", file, why);
		}
		cr_expect(strstr(why, elf_strerror(e)) != NULL);
		seen[e] = true;
		if (w == ELF_OK)
			good++;
		else
			bad++;
		free(img);
	}
	fclose(m);
	cr_expect_geq(bad, 25, "only %d malformed files", bad);
	cr_expect_geq(good, 1);
	/* Every defect the checker knows has a file that shows it. */
	for (int e = 0; e < ELF_ERRORS; e++)
		cr_expect(seen[e], "no corpus file for %s", elf_errname((enum elf_error)e));
}

Test(elf, valid_program_is_described_exactly)
{
	size_t size;
	uint8_t *img = read_file("hello.elf", &size);
	struct elf_info info;

	cr_assert_eq(check_exact(img, size, &info), ELF_OK);
	cr_expect_eq(info.entry, 0x400100);
	cr_expect_eq(info.bad_phdr, -1);
	cr_assert_eq(info.nsegs, 2);
	cr_expect_eq(info.segs[0].vaddr, 0x400000);
	cr_expect_eq(info.segs[0].offset, 0);
	cr_expect_eq(info.segs[0].flags, PF_R | PF_X);
	cr_expect_eq(info.segs[0].filesz, info.segs[0].memsz);
	cr_expect_eq(info.segs[1].vaddr, 0x600200);
	cr_expect_eq(info.segs[1].offset, 0x200);
	cr_expect_eq(info.segs[1].filesz, 24);
	cr_expect_eq(info.segs[1].memsz, 0x2e00);
	cr_expect_eq(info.segs[1].flags, PF_R | PF_W);
	free(img);
}

Test(elf, every_error_has_a_distinct_name_and_a_message)
{
	for (int a = 0; a < ELF_ERRORS; a++) {
		cr_expect(elf_strerror((enum elf_error)a)[0]);
		for (int b = a + 1; b < ELF_ERRORS; b++)
			cr_expect_neq(strcmp(elf_errname((enum elf_error)a),
					     elf_errname((enum elf_error)b)), 0);
	}
	cr_expect_str_eq(elf_strerror(ELF_ERRORS), "unknown error");
	cr_expect_str_eq(elf_errname((enum elf_error)-1), "unknown");
	char buf[8];
	elf_explain(ELF_E_SEG_WX, &(struct elf_info){ .bad_phdr = 3 }, buf, sizeof(buf));
	cr_expect_str_eq(buf, "program");       /* truncated, terminated */
}

/* ---- random mutations ---- */

/* Values that sit on the edges the checks compare against. */
static uint64_t edge_value(size_t size)
{
	static const uint64_t v[] = {
		0, 1, 2, 7, 8, 56, 64, 0xfff, 0x1000, 0x1001, 0x200000, USER_BASE - 1,
		USER_BASE, USER_STACK_REGION_BASE - 1, USER_STACK_REGION_BASE, USER_STACK_TOP,
		USER_TOP, 0x7fffffffffffull, 0x800000000000ull, 0xffff800000000000ull,
		INT64_MAX, (uint64_t)INT64_MAX + 1, UINT64_MAX - 0xfff, UINT64_MAX - 1,
		UINT64_MAX,
	};
	switch (rng_next() % 4) {
	case 0:
		return size + (rng_next() % 3) - 1;
	case 1:
		return rng_next();
	default:
		return v[rng_next() % (sizeof(v) / sizeof(v[0]))] + (rng_next() % 3) - 1;
	}
}

static void mutate(uint8_t *img, size_t *size)
{
	unsigned n = 1 + rng_next() % 4;

	for (unsigned k = 0; k < n; k++) {
		/* Mostly the headers: that is where the checks look. */
		size_t span = rng_next() % 4 && *size > 64 + 3 * 56 ? 64 + 3 * 56 : *size;
		if (span == 0)
			return;
		size_t at = rng_next() % span;
		switch (rng_next() % 5) {
		case 0:
			img[at] ^= (uint8_t)(1u << (rng_next() % 8));
			break;
		case 1:
			img[at] = (uint8_t)rng_next();
			break;
		case 2:
		case 3:
			if (at + 8 <= *size) {
				at &= ~(size_t)7;       /* headers' 64-bit fields are aligned */
				uint64_t v = edge_value(*size);
				memcpy(img + at, &v, 8);
			}
			break;
		default:
			if (rng_next() % 8 == 0)
				*size = rng_next() % (*size + 1);
			break;
		}
	}
}

/* What the loader relies on, for an accepted image. */
static void expect_invariants(const struct elf_info *in, size_t size)
{
	bool entry = false;

	cr_assert(in->nsegs >= 1 && in->nsegs <= ELF_MAX_LOADS);
	cr_assert_eq(in->bad_phdr, -1);
	for (unsigned i = 0; i < in->nsegs; i++) {
		const struct elf_segment *s = &in->segs[i];
		cr_assert(s->offset <= size && s->filesz <= size - s->offset);
		cr_assert(s->filesz <= s->memsz && s->memsz > 0);
		cr_assert(s->vaddr >= USER_BASE);
		cr_assert(s->memsz <= USER_STACK_REGION_BASE - s->vaddr);
		cr_assert((s->flags & (PF_W | PF_X)) != (PF_W | PF_X));
		cr_assert_eq(s->flags & ~(uint32_t)(PF_R | PF_W | PF_X), 0);
		for (unsigned j = 0; j < i; j++) {
			const struct elf_segment *t = &in->segs[j];
			uint64_t s0 = s->vaddr & ~0xfffull, s1 = (s->vaddr + s->memsz + 0xfff) & ~0xfffull;
			uint64_t t0 = t->vaddr & ~0xfffull, t1 = (t->vaddr + t->memsz + 0xfff) & ~0xfffull;
			cr_assert(s1 <= t0 || t1 <= s0, "segments %u and %u share a page", j, i);
		}
		if ((s->flags & PF_X) && in->entry >= s->vaddr && in->entry - s->vaddr < s->filesz)
			entry = true;
	}
	cr_assert(entry);
}

Test(elf, random_mutations_never_overread_and_accepted_ones_are_sound, .timeout = 120)
{
	size_t size;
	uint8_t *orig = read_file("hello.elf", &size);
	uint8_t *img = malloc(size);
	unsigned accepted = 0, refused[ELF_ERRORS] = { 0 };

	cr_assert(img);
	for (unsigned iter = 0; iter < 200000; iter++) {
		size_t n = size;
		memcpy(img, orig, size);
		mutate(img, &n);
		struct elf_info info;
		enum elf_error e = check_exact(img, n, &info);
		cr_assert(e < ELF_ERRORS);
		if (e == ELF_OK) {
			accepted++;
			expect_invariants(&info, n);
		} else {
			refused[e]++;
		}
	}
	/* The mutations reach both sides and many different checks. */
	unsigned kinds = 0;
	for (int e = 1; e < ELF_ERRORS; e++)
		kinds += refused[e] != 0;
	cr_expect_gt(accepted, 100);
	cr_expect_geq(kinds, 20, "only %u kinds of refusal", kinds);
	free(img);
	free(orig);
}
