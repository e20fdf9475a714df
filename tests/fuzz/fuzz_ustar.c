/*
 * libFuzzer target for the ustar reader (kernel/lib/ustar.c), built by clang with
 * -fsanitize=fuzzer,address,undefined (Makefile: build/fuzz/fuzz_ustar). Seeded from
 * the corpus in tests/tar/; `make test` runs it for a few seconds (tests/run.py), `make
 * fuzz` for longer. Any crash, sanitizer report or broken invariant below is a finding:
 * libFuzzer writes the input to build/fuzz/ and exits non-zero.
 *
 * The input is the archive itself, in a buffer of exactly its size (libFuzzer's), so
 * any read past it is an ASan report. For every entry the walk accepts, the invariants
 * the kernel and init rely on are checked; an archive that checks out is then searched
 * for each of its first paths.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ustar.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do {                                                        \
		if (!(cond)) {                                                  \
			fprintf(stderr, "fuzz_ustar: invariant broken: %s (line %d)\n", \
				#cond, __LINE__);                               \
			abort();                                                \
		}                                                               \
	} while (0)

static void check_entry(const uint8_t *tar, size_t size, const struct ustar_entry *e)
{
	const char *nul = memchr(e->path, 0, USTAR_PATH_MAX);

	CHECK(nul != NULL);
	size_t len = (size_t)(nul - e->path);
	CHECK(len > 0);
	CHECK(e->path[0] != '/' && e->path[len - 1] != '/');
	CHECK(strstr(e->path, "//") == NULL);
	for (const char *c = e->path; c;) {
		const char *s = strchr(c, '/');
		size_t n = s ? (size_t)(s - c) : strlen(c);
		CHECK(!(n == 1 && c[0] == '.'));
		CHECK(!(n == 2 && c[0] == '.' && c[1] == '.'));
		c = s ? s + 1 : NULL;
	}
	CHECK(e->mode <= 07777);
	CHECK(e->type == USTAR_FILE || (e->type == USTAR_DIR && e->size == 0));
	CHECK(e->offset % USTAR_BLOCK == 0 && e->offset + USTAR_BLOCK <= size);
	const uint8_t *d = e->data;
	CHECK(d == tar + e->offset + USTAR_BLOCK);
	CHECK(e->size <= (uint64_t)(tar + size - d));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ustar_iter it;
	struct ustar_entry e;
	enum ustar_error err;
	size_t n = 0, counted = 0, where = 0;

	ustar_iter_init(&it, data, size);
	while ((err = ustar_next(&it, &e)) == USTAR_OK) {
		check_entry(data, size, &e);
		n++;
	}
	CHECK(err == USTAR_END || (err > USTAR_END && err < USTAR_E_NOT_FOUND));
	CHECK(ustar_next(&it, &e) == err);
	CHECK(ustar_strerror(err)[0] != '\0');

	enum ustar_error ce = ustar_check(data, size, &counted, &where);
	CHECK(ce == (err == USTAR_END ? USTAR_OK : err));
	if (ce != USTAR_OK) {
		CHECK(where <= size);
		return 0;
	}
	CHECK(counted == n);
	/* Each search walks the whole archive: the first entries only, to keep the
	 * fuzzer fast on archives of many small entries. */
	ustar_iter_init(&it, data, size);
	for (int i = 0; i < 16 && ustar_next(&it, &e) == USTAR_OK; i++) {
		struct ustar_entry f;
		enum ustar_error fe = ustar_find(data, size, e.path, &f);
		CHECK(fe == USTAR_OK || fe == USTAR_E_DUPLICATE);
		if (fe == USTAR_OK)
			CHECK(f.offset == e.offset && f.data == e.data && f.size == e.size);
	}
	return 0;
}
