/* sleep's operand (duration.h). Pure: the host tests compile it. */
#include <kerr.h>
#include "duration.h"

int sleep_parse(const char *s, uint64_t *ns)
{
	unsigned __int128 whole = 0;        /* multiplied only: no division helper needed */
	uint64_t frac = 0, scale = 1000000000;
	bool digits = false;

	for (; *s >= '0' && *s <= '9'; s++) {
		whole = whole * 10 + (unsigned)(*s - '0');
		if (whole > UINT64_MAX)
			return E_RANGE;
		digits = true;
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (scale > 1) {
				scale /= 10;
				frac += (unsigned)(*s - '0') * scale;
			}
			digits = true;
		}
	}
	if (!digits)
		return E_INVAL;
	unsigned mult = 1;
	switch (*s) {
	case '\0': case 's': break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	default: return E_INVAL;
	}
	if (*s && s[1])
		return E_INVAL;
	unsigned __int128 t = (whole * 1000000000 + frac) * mult;
	if (t > UINT64_MAX)
		return E_RANGE;
	*ns = (uint64_t)t;
	return E_OK;
}
