/*
 * The in-guest test runner (ktest.h): selects tests from the command line, runs them
 * one after another on the boot CPU and prints KTAP. The host side is tests/run.py.
 */
#include <ktest.h>
#include <log.h>
#include <klib.h>

extern const struct ktest __ktests_start[], __ktests_end[];

static bool cur_failed;
static const char *cur_skip;

void ktest_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	cur_failed = true;
	kprintf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
}

void ktest_skip(const char *reason)
{
	cur_skip = reason;
}

bool ktest_failed(void)
{
	return cur_failed;
}

/* Does pattern (one element of the selection: an ID, or a prefix ending in '*') pick t? */
static bool pattern_matches(const char *pat, size_t len, const struct ktest *t)
{
	if (len == 3 && strncmp(pat, "all", 3) == 0)
		return !(t->flags & KTEST_EXPLICIT);
	if (len && pat[len - 1] == '*') {
		if (t->flags & KTEST_EXPLICIT)
			return false;
		return strncmp(t->id, pat, len - 1) == 0;
	}
	return strlen(t->id) == len && strncmp(t->id, pat, len) == 0;
}

/* Calls fn for each pattern in the comma-separated selection. */
static bool selected(const char *sel, const struct ktest *t)
{
	for (const char *p = sel; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len && pattern_matches(p, len, t))
			return true;
		p += len + (end ? 1 : 0);
	}
	return false;
}

/* Patterns that match nothing: each is reported and counts as a failure. */
static unsigned unmatched_patterns(const char *sel)
{
	unsigned bad = 0;

	for (const char *p = sel; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		bool hit = false;
		for (const struct ktest *t = __ktests_start; t < __ktests_end && len; t++)
			hit |= pattern_matches(p, len, t);
		if (len && !hit) {
			kprintf("# ktest: no test matches '%.*s'\n", (int)len, p);
			bad++;
		}
		p += len + (end ? 1 : 0);
	}
	return bad;
}

unsigned ktest_run(const char *sel)
{
	unsigned total = 0, failed = 0, skipped = 0, n = 0;
	unsigned bad = unmatched_patterns(sel);

	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++)
		total += selected(sel, t);

	kprintf("KTAP version 1\n1..%u\n", total + bad);
	for (unsigned i = 0; i < bad; i++)
		kprintf("not ok %u ktest.selection # no test matches a pattern\n", ++n);

	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++) {
		if (!selected(sel, t))
			continue;
		cur_failed = false;
		cur_skip = NULL;
		t->fn();
		n++;
		if (cur_failed) {
			failed++;
			kprintf("not ok %u %s\n", n, t->id);
		} else if (cur_skip) {
			skipped++;
			kprintf("ok %u %s # SKIP %s\n", n, t->id, cur_skip);
		} else {
			kprintf("ok %u %s\n", n, t->id);
		}
	}
	kprintf("# ktest: %u passed, %u failed, %u skipped\n",
		total - failed - skipped, failed + bad, skipped);
	return failed + bad;
}
