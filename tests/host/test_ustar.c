/*
 * The ustar reader (kernel/lib/ustar.c) against the corpus in tests/tar/ (written by
 * tools/mk_tar_corpus.py): every archive gets exactly the error its MANIFEST line
 * names, at the header it names, and the valid ones list exactly the entries the
 * manifest gives (path, type, mode, size, a hash of the data). Each archive is copied
 * into a block of exactly its size at an odd address, so ASan sees any read past it.
 * Then ustar_find's cases and random mutations of a valid archive (the libFuzzer target,
 * tests/fuzz/fuzz_ustar.c, searches much further). Run from the top of the tree.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ustar.h>
#include "host_rng.h"
#include "host_corpus.h"
#include "../fnv1a.h"

#define CORPUS "tests/tar/"

/* One byte before the archive, so it lies at an odd address; none after it. */
static uint8_t *read_file(const char *name, size_t *size)
{
	return corpus_read(CORPUS, name, 1, size);
}

static enum ustar_error error_named(const char *name)
{
	for (int e = 0; e < USTAR_ERRORS; e++)
		if (strcmp(ustar_errname((enum ustar_error)e), name) == 0)
			return (enum ustar_error)e;
	cr_assert_fail("MANIFEST names an unknown error '%s'", name);
	return USTAR_ERRORS;
}

/* The next manifest line that is not a comment, or NULL at the end. */
static char *next_line(FILE *m, char *line, size_t size)
{
	while (fgets(line, (int)size, m))
		if (line[0] != '#')
			return line;
	return NULL;
}

Test(ustar, corpus_archives_get_exactly_their_results)
{
	FILE *m = fopen(CORPUS "MANIFEST", "r");
	char line[1024], name[128], want[64];
	long where, count;
	int bad = 0, good = 0;
	bool seen[USTAR_ERRORS] = { false };

	cr_assert(m, "cannot open " CORPUS "MANIFEST (run from the top of the tree)");
	char *l = next_line(m, line, sizeof(line));
	while (l) {
		cr_assert_eq(sscanf(l, "%127s %63s %ld %ld", name, want, &where, &count), 4,
			     "%s", l);
		size_t size, n = 0, at = 0;
		uint8_t *buf = read_file(name, &size);
		const uint8_t *tar = buf + 1;
		enum ustar_error w = error_named(want);
		enum ustar_error e = ustar_check(tar, size, &n, &at);

		cr_expect_eq(e, w, "%s: got %s (%s), want %s", name, ustar_errname(e),
			     ustar_strerror(e), want);
		if (w != USTAR_OK)
			cr_expect_eq((long)at, where, "%s: header at %zu, want %ld", name, at, where);
		else
			cr_expect_eq((long)n, count, "%s: %zu entries, want %ld", name, n, count);
		seen[e] = true;
		*(w == USTAR_OK ? &good : &bad) += 1;

		/* The entries: the manifest's "=" lines, in order. */
		struct ustar_iter it;
		struct ustar_entry ent;
		ustar_iter_init(&it, tar, size);
		while ((l = next_line(m, line, sizeof(line))) && l[0] == '=') {
			char path[512], type[8];
			unsigned mode;
			unsigned long long esize, hash;
			cr_assert_eq(sscanf(l, "= %511s %7s %o %llu %llx", path, type, &mode, &esize,
					    &hash), 5, "%s", l);
			cr_assert_eq(ustar_next(&it, &ent), USTAR_OK, "%s: no entry for %s", name, path);
			cr_expect_str_eq(ent.path, path, "%s", name);
			cr_expect_eq(ent.type, strcmp(type, "dir") == 0 ? USTAR_DIR : USTAR_FILE,
				     "%s: %s", name, path);
			cr_expect_eq(ent.mode, mode, "%s: %s", name, path);
			cr_expect_eq(ent.size, esize, "%s: %s", name, path);
			cr_expect_eq(fnv1a64(ent.data, ent.size), hash, "%s: %s data", name, path);
			cr_expect((const uint8_t *)ent.data >= tar + USTAR_BLOCK &&
				  (const uint8_t *)ent.data + ent.size <= tar + size);
		}
		/* The walk ends as the check did (a refused archive's good entries first),
		 * and stays ended. */
		enum ustar_error end;
		while ((end = ustar_next(&it, &ent)) == USTAR_OK && w != USTAR_OK)
			;
		cr_expect_eq(end, w == USTAR_OK ? USTAR_END : w, "%s: walk ended with %s", name,
			     ustar_errname(end));
		cr_expect_eq(ustar_next(&it, &ent), end);
		free(buf);
	}
	fclose(m);
	cr_expect_geq(bad, 20, "only %d malformed archives", bad);
	cr_expect_geq(good, 5);
	/* Every defect ustar_check can find has an archive that shows it. */
	for (int e = USTAR_E_TRUNCATED; e < USTAR_E_NOT_FOUND; e++)
		cr_expect(seen[e], "no corpus archive for %s", ustar_errname((enum ustar_error)e));
}

Test(ustar, find_locates_files_and_refuses_what_is_ambiguous)
{
	size_t size;
	uint8_t *buf = read_file("ok_basic.tar", &size);
	const uint8_t *tar = buf + 1;
	struct ustar_entry e;

	cr_assert_eq(ustar_find(tar, size, "bin/hello", &e), USTAR_OK);
	cr_expect_eq(e.type, USTAR_FILE);
	cr_expect_eq(e.size, 17);
	cr_expect_eq(e.mode, 0755);
	cr_expect_eq(memcmp(e.data, "hello, initramfs\n", 17), 0);
	cr_expect_eq(e.offset, 512);
	cr_assert_eq(ustar_find(tar, size, "etc", &e), USTAR_OK);
	cr_expect_eq(e.type, USTAR_DIR);
	cr_expect_eq(e.size, 0);
	cr_expect_eq(ustar_find(tar, size, "etc/empty", &e), USTAR_OK);
	cr_expect_eq(e.size, 0);
	/* Paths are compared normalised: the query must be too. */
	cr_expect_eq(ustar_find(tar, size, "bin/hello/", &e), USTAR_E_NOT_FOUND);
	cr_expect_eq(ustar_find(tar, size, "/bin/hello", &e), USTAR_E_NOT_FOUND);
	cr_expect_eq(ustar_find(tar, size, "bin/hell", &e), USTAR_E_NOT_FOUND);
	cr_expect_eq(ustar_find(tar, size, "", &e), USTAR_E_NOT_FOUND);
	/* A defect after the entry is still found: the whole archive is walked. */
	cr_expect_eq(ustar_find(tar, 4096, "bin/hello", &e), USTAR_E_TRUNCATED);
	free(buf);

	/* "a" and "./a": one path, twice. */
	buf = read_file("ok_duplicate.tar", &size);
	cr_expect_eq(ustar_find(buf + 1, size, "a", &e), USTAR_E_DUPLICATE);
	cr_expect_eq(ustar_find(buf + 1, size, "b", &e), USTAR_OK);
	free(buf);

	/* The root entry of a "tar -C dir ." archive is skipped, not found as "". */
	buf = read_file("ok_dot_root.tar", &size);
	cr_expect_eq(ustar_find(buf + 1, size, "", &e), USTAR_E_NOT_FOUND);
	cr_expect_eq(ustar_find(buf + 1, size, "sbin/x/y", &e), USTAR_OK);
	free(buf);

	/* No archive at all. */
	cr_expect_eq(ustar_find(NULL, 0, "a", &e), USTAR_E_TRUNCATED);
	cr_expect_eq(ustar_check(NULL, 1024, NULL, NULL), USTAR_E_TRUNCATED);
}

Test(ustar, every_error_has_a_distinct_name_and_a_message)
{
	for (int a = 0; a < USTAR_ERRORS; a++) {
		cr_expect(ustar_strerror((enum ustar_error)a)[0]);
		for (int b = a + 1; b < USTAR_ERRORS; b++)
			cr_expect_neq(strcmp(ustar_errname((enum ustar_error)a),
					     ustar_errname((enum ustar_error)b)), 0);
	}
	cr_expect_str_eq(ustar_strerror(USTAR_ERRORS), "unknown error");
	cr_expect_str_eq(ustar_errname((enum ustar_error)-1), "unknown");
}

/* ---- random mutations ---- */

/* What an accepted entry must satisfy, whatever the archive held. */
static void check_entry(const uint8_t *tar, size_t size, const struct ustar_entry *e)
{
	const char *nul = memchr(e->path, 0, USTAR_PATH_MAX);

	cr_assert(nul, "path not terminated");
	size_t len = (size_t)(nul - e->path);

	cr_assert_lt(len, USTAR_PATH_MAX);
	cr_assert(len > 0);
	cr_assert_neq(e->path[0], '/');
	cr_assert_neq(e->path[len - 1], '/');
	cr_assert_null(strstr(e->path, "//"));
	/* No "." or ".." component. */
	for (const char *c = e->path; c;) {
		const char *s = strchr(c, '/');
		size_t n = s ? (size_t)(s - c) : strlen(c);
		cr_assert(!(n == 1 && c[0] == '.'), "%s", e->path);
		cr_assert(!(n == 2 && c[0] == '.' && c[1] == '.'), "%s", e->path);
		c = s ? s + 1 : NULL;
	}
	cr_assert_leq(e->mode, 07777);
	cr_assert(e->type == USTAR_FILE || e->type == USTAR_DIR);
	cr_assert(e->type == USTAR_FILE || e->size == 0);
	const uint8_t *d = e->data;
	cr_assert(d >= tar + USTAR_BLOCK && d <= tar + size);
	cr_assert_leq(e->size, (uint64_t)(tar + size - d));
}

Test(ustar, random_mutations_never_read_outside_and_keep_invariants)
{
	size_t size;
	uint8_t *buf = read_file("ok_trimmed.tar", &size);
	uint8_t *work = malloc(size + 1);
	unsigned accepted = 0;

	cr_assert(work);
	for (int round = 0; round < 20000; round++) {
		memcpy(work + 1, buf + 1, size);
		/* A few random bytes, sometimes in a numeric field, sometimes a cut. */
		int n = 1 + (int)(rng_next() % 4);
		for (int i = 0; i < n; i++) {
			size_t at = (size_t)(rng_next() % size);
			if (rng_next() % 3 == 0)
				at = (at / USTAR_BLOCK) * USTAR_BLOCK + 100 + rng_next() % 60;
			if (at < size)
				work[1 + at] = (uint8_t)rng_next();
		}
		size_t len = rng_next() % 8 == 0 ? (size_t)(rng_next() % (size + 1)) : size;
		/* The archive is copied to a block of exactly len bytes. */
		uint8_t *exact = malloc(len ? len : 1);
		cr_assert(exact);
		memcpy(exact, work + 1, len);
		struct ustar_iter it;
		struct ustar_entry e;
		enum ustar_error err;
		size_t count = 0, checked = 0;
		ustar_iter_init(&it, exact, len);
		while ((err = ustar_next(&it, &e)) == USTAR_OK) {
			check_entry(exact, len, &e);
			count++;
		}
		cr_assert(err != USTAR_OK && (unsigned)err < USTAR_E_NOT_FOUND);
		enum ustar_error ce = ustar_check(exact, len, &checked, NULL);
		cr_assert_eq(ce, err == USTAR_END ? USTAR_OK : err);
		if (ce == USTAR_OK) {
			cr_assert_eq(checked, count);
			accepted++;
			/* Each entry is found, at its own header, unless its path is there twice. */
			ustar_iter_init(&it, exact, len);
			while (ustar_next(&it, &e) == USTAR_OK) {
				struct ustar_entry f;
				enum ustar_error fe = ustar_find(exact, len, e.path, &f);
				cr_assert(fe == USTAR_OK || fe == USTAR_E_DUPLICATE);
				cr_assert(fe != USTAR_OK || f.offset == e.offset);
			}
		}
		free(exact);
	}
	/* Not every mutation hit something the reader checks (data bytes, uname...). */
	cr_expect_gt(accepted, 100);
	free(work);
	free(buf);
}
