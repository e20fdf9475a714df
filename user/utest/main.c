/*
 * The user-mode test program: runs every UTEST in name order, reports each as a KTAP
 * subtest line, and tells the kernel's test (tests/kernel/test_utest.c) the outcome on
 * the "result" notification: bit 0 when it has finished, bit 1 if anything failed.
 *
 * Usage: utest [test-name-prefix]
 */
#include "utest.h"

extern const struct utest __utests_start[], __utests_end[];

void ut_env_init(void);

static const struct utest *running;
static bool failed, skipped;
static const char *skip_why;

void utest_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("    # %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed = true;
}

void utest_skip(const char *why)
{
	skipped = true;
	skip_why = why;
}

/* Does the name prefix only (maybe "") select t? An explicit test needs a prefix. */
static bool selected(const struct utest *t, const char *only)
{
	return strncmp(t->name, only, strlen(only)) == 0 && (!t->explicit_only || *only);
}

/* entry.S: run fn; utest_abort() returns from here at once. */
void ut_run_one(void (*fn)(void));

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : "";
	unsigned n = 0, nfailed = 0, i = 0;

	ut_env_init();
	if (!ut_self || !ut_result || !ut_nslots) {
		printf("utest: started without its capabilities\n");
		return 1;
	}
	for (const struct utest *t = __utests_start; t < __utests_end; t++)
		n += selected(t, only);
	printf("    1..%u\n", n);
	for (const struct utest *t = __utests_start; t < __utests_end; t++) {
		if (!selected(t, only))
			continue;
		running = t;
		failed = skipped = false;
		ut_run_one(t->fn);
		ut_free_all();
		i++;
		if (skipped && !failed)
			printf("    ok %u utest.%s # SKIP %s\n", i, t->name, skip_why);
		else
			printf("    %s %u utest.%s\n", failed ? "not ok" : "ok", i, t->name);
		nfailed += failed;
	}
	printf("    # utest: %u passed, %u failed\n", n - nfailed, nfailed);
	mnos_notify_signal(ut_result, 1 | (nfailed ? 2 : 0));
	return 0;
}
