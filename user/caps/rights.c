/* caps's names for types and rights (rights.h). Pure: the host tests compile it. */
#include <klib.h>
#include <mnos/abi.h>
#include <mnos/stdio.h>
#include "rights.h"

static const char *const type_names[] = {
	[MNOS_OBJ_NONE] = "none",
	[MNOS_OBJ_PROCESS] = "process",
	[MNOS_OBJ_THREAD] = "thread",
	[MNOS_OBJ_ENDPOINT] = "endpoint",
	[MNOS_OBJ_REPLY] = "reply",
	[MNOS_OBJ_NOTIFICATION] = "notification",
	[MNOS_OBJ_MEMORY] = "memory",
	[MNOS_OBJ_IRQ] = "irq",
	[MNOS_OBJ_IOPORT] = "ioport",
};
_Static_assert(sizeof(type_names) / sizeof(type_names[0]) == MNOS_OBJ_TYPES,
	       "every type has its name");

const char *caps_type_name(uint32_t type, char *buf, size_t size)
{
	if (type < MNOS_OBJ_TYPES)
		return type_names[type];
	snprintf(buf, size, "type %u", type);
	return buf;
}

struct letter {
	uint32_t right;
	char c;
};

/* Each type's rights, in the order they are shown. */
static const struct letter common[] = { { CAP_R_DERIVE, 'd' }, { CAP_R_GRANT, 'g' } };
static const struct letter endpoint[] = { { CAP_R_SEND, 's' }, { CAP_R_RECV, 'r' } };
static const struct letter reply[] = { { CAP_R_SEND, 's' } };
static const struct letter notification[] = { { CAP_R_SIGNAL, 's' }, { CAP_R_WAIT, 'w' } };
static const struct letter memory[] = { { CAP_R_READ, 'r' }, { CAP_R_WRITE, 'w' },
					 { CAP_R_EXEC, 'x' } };
static const struct letter control[] = { { CAP_R_CONTROL, 'c' } };

static size_t put(char *buf, size_t size, size_t n, const struct letter *l, size_t count,
		  uint32_t rights)
{
	for (size_t i = 0; i < count && n + 1 < size; i++)
		buf[n++] = rights & l[i].right ? l[i].c : '-';
	return n;
}

char *caps_rights(uint32_t type, uint32_t rights, char *buf, size_t size)
{
	const struct letter *own = NULL;
	size_t count = 0, n = 0;

	switch (type) {
	case MNOS_OBJ_ENDPOINT: own = endpoint; count = 2; break;
	case MNOS_OBJ_REPLY: own = reply; count = 1; break;
	case MNOS_OBJ_NOTIFICATION: own = notification; count = 2; break;
	case MNOS_OBJ_MEMORY: own = memory; count = 3; break;
	case MNOS_OBJ_PROCESS: case MNOS_OBJ_THREAD: case MNOS_OBJ_IRQ: case MNOS_OBJ_IOPORT:
		own = control; count = 1; break;
	}
	uint32_t known = 0;
	if (type != MNOS_OBJ_REPLY && type != MNOS_OBJ_NONE && type < MNOS_OBJ_TYPES) {
		n = put(buf, size, n, common, 2, rights);
		known |= CAP_R_DERIVE | CAP_R_GRANT;
	}
	n = put(buf, size, n, own, count, rights);
	for (size_t i = 0; i < count; i++)
		known |= own[i].right;
	buf[n] = '\0';
	if (rights & ~known)
		snprintf(buf + n, size - n, "+%#x", rights & ~known);
	return buf;
}
