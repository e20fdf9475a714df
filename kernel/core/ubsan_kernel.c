/*
 * The kernel's side of the sanitizer (ubsan.h; `make UBSAN=1`): a failed check panics
 * with its kind and source location, unless the self-test has asked for them to be
 * counted instead (ubsan_expect).
 */
#include <ubsan.h>
#include <panic.h>
#include <log.h>
#include <kubsan.h>

static bool counting;                   /* [boot thread: the self-test] */
static uint64_t reports;                /* [a] */
static const char *last_kind;

void ubsan_report(const char *kind, const struct ubsan_loc *loc)
{
	__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED);
	last_kind = kind;
	if (counting) {
		pr_info("ubsan: %s at %s:%u:%u", kind, loc->file, loc->line, loc->column);
		return;
	}
	panic("ubsan: %s at %s:%u:%u", kind, loc->file, loc->line, loc->column);
}

void ubsan_expect(bool on)
{
	counting = on;
}

uint64_t ubsan_reports(const char **kind)
{
	if (kind)
		*kind = last_kind;
	return __atomic_load_n(&reports, __ATOMIC_RELAXED);
}
