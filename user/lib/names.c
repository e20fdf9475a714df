/* The name directory's client side (mnos/names.h). */
#include <mnos.h>
#include <mnos/names.h>

static int name_call(uint64_t op, const char *name, uint32_t cap, uint32_t *got,
		     uint64_t *gen)
{
	uint32_t dir = mnos_start_cap("names");
	struct mnos_ipc_buffer *buf = mnos_ipc_buffer();
	size_t len = strnlen(name, MNOS_NAME_MAX);

	if (!dir)
		return E_NOT_FOUND;
	if (!buf)
		return E_NO_MEMORY;
	if (len == 0 || len >= MNOS_NAME_MAX)
		return E_INVAL;
	struct mnos_rpc_msg req = { .data = (void *)name, .len = len };
	struct mnos_rpc_msg rep = { 0 };
	if (cap) {
		req.caps[0] = cap;
		req.rights[0] = CAP_R_SEND | CAP_R_GRANT;
		req.ncaps = 1;
	}
	int e = mnos_rpc_call(dir, buf, op, &req, &rep);
	if (e == E_OK && got) {
		if (rep.ncaps != 1 || !rep.caps[0])
			return E_NOT_FOUND;
		*got = rep.caps[0];
		if (gen)
			*gen = rep.w[0];
	} else {
		for (unsigned i = 0; i < rep.ncaps; i++)
			if (rep.caps[i])
				mnos_slot_free(rep.caps[i]);
	}
	return e;
}

int mnos_name_register(const char *name, uint32_t ep)
{
	return name_call(NAMES_REGISTER, name, ep, NULL, NULL);
}

int mnos_name_lookup(const char *name, uint32_t *ep)
{
	return name_call(NAMES_LOOKUP, name, 0, ep, NULL);
}

int mnos_name_lookup_gen(const char *name, uint32_t *ep, uint64_t *gen)
{
	return name_call(NAMES_LOOKUP, name, 0, ep, gen);
}

int mnos_name_unregister(const char *name)
{
	return name_call(NAMES_UNREGISTER, name, 0, NULL, NULL);
}
