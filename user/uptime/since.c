/* uptime's formatting (since.h). Pure: the host tests compile it. */
#include <mnos/stdio.h>
#include "since.h"

char *uptime_format(char *buf, size_t size, uint64_t ns)
{
	uint64_t s = ns / 1000000000ull;
	uint64_t days = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	if (days)
		snprintf(buf, size, "up %llu day%s, %llu:%02llu:%02llu", (unsigned long long)days,
			 days == 1 ? "" : "s", (unsigned long long)h, (unsigned long long)m,
			 (unsigned long long)(s % 60));
	else
		snprintf(buf, size, "up %llu:%02llu:%02llu", (unsigned long long)h,
			 (unsigned long long)m, (unsigned long long)(s % 60));
	return buf;
}
