/* The user library's side of the sanitizer (ubsan.h; `make UBSAN=1`): a failed check is
 * printed with its source location and the thread aborts (a fault its supervisor sees). */
#include <mnos.h>
#include <ubsan.h>

void ubsan_report(const char *kind, const struct ubsan_loc *loc)
{
	printf("ubsan: %s at %s:%u:%u\n", kind, loc->file, loc->line, loc->column);
	abort();
}
