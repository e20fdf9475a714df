/* Names of kernel error codes, for log messages. */
#include <kerr.h>

const char *kerr_name(kerr_t e)
{
	static const char *const names[] = {
		[E_OK] = "ok", [E_INVAL] = "invalid argument", [E_NO_MEMORY] = "out of memory",
		[E_EXISTS] = "already exists", [E_NOT_FOUND] = "not found",
		[E_RANGE] = "out of range", [E_PERM] = "right missing",
		[E_TYPE] = "wrong object type", [E_DELETED] = "object deleted",
		[E_TIMEOUT] = "timed out", [E_WOULD_BLOCK] = "would block",
		[E_CANCELED] = "cancelled", [E_FAULT] = "bad user address",
		[E_NOSYS] = "no such system call",
	};

	if ((unsigned)e < sizeof(names) / sizeof(names[0]) && names[e])
		return names[e];
	return "unknown error";
}
