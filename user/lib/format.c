/* snprintf and vsnprintf (mnos/stdio.h): kformat's, under their C names. Pure: the host
 * tests compile it. */
#include <mnos/stdio.h>
#include <kformat.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return kvsnprintf(buf, size, fmt, ap);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
