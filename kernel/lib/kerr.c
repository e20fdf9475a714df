/* Names of kernel error codes, for log messages: the ABI table's short texts. */
#include <kerr.h>

const char *kerr_name(kerr_t e)
{
#define ERR_TEXT(name, text) [name] = text,
	static const char *const names[] = { MNOS_ERRORS(ERR_TEXT) };
#undef ERR_TEXT
	_Static_assert(sizeof(names) / sizeof(names[0]) == MNOS_ERROR_COUNT, "every error named");

	if ((unsigned)e < MNOS_ERROR_COUNT)
		return names[e];
	return "unknown error";
}
