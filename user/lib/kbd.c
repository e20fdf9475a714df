/* The keyboard service's client side (mnos/kbd.h). */
#include <mnos.h>
#include <mnos/kbd.h>

int mnos_kbd_open(struct mnos_kbd *k, uint32_t ntf)
{
	return mnos_kbd_open_name(k, "kbd", ntf);
}

int mnos_kbd_open_name(struct mnos_kbd *k, const char *name, uint32_t ntf)
{
	uint32_t ep;
	int e;

	if (k->ep) {
		mnos_slot_free(k->ep);
		k->ep = 0;
	}
	if ((e = mnos_name_lookup(name, &ep)) != E_OK)
		return e;
	if (ntf)
		k->ntf = ntf;
	else if (!k->ntf) {
		uint32_t n = mnos_slot_alloc();
		if (!n || (e = mnos_obj_create(MNOS_OBJ_NOTIFICATION, n, 0, 0)) != E_OK) {
			if (n)
				mnos_slot_free(n);
			mnos_slot_free(ep);
			return n ? e : E_NO_MEMORY;
		}
		k->ntf = n;
	}
	struct mnos_rpc_msg req = { .caps = { k->ntf }, .rights = { CAP_R_SIGNAL }, .ncaps = 1 };
	e = mnos_rpc_call(ep, mnos_ipc_buffer(), KBD_SUBSCRIBE, &req, NULL);
	if (e != E_OK) {
		mnos_slot_free(ep);
		return e;
	}
	k->ep = ep;
	return E_OK;
}

long mnos_kbd_read(struct mnos_kbd *k, struct mnos_key_event *ev, size_t max, bool wait)
{
	if (!k->ep)
		return -E_NOT_FOUND;
	if (max > KBD_READ_MAX)
		max = KBD_READ_MAX;
	for (;;) {
		struct mnos_rpc_msg req = { .w = { max } };
		struct mnos_rpc_msg rep = { .data = ev, .size = max * sizeof(*ev) };
		int e = mnos_rpc_call(k->ep, mnos_ipc_buffer(), KBD_READ, &req, &rep);
		uint64_t bits;
		if (e == E_OK)
			return (long)(rep.len / sizeof(*ev));
		if (e != E_WOULD_BLOCK)
			return -e;
		if (!wait)
			return 0;
		if ((e = mnos_notify_wait(k->ntf, &bits)) != E_OK)
			return -e;
	}
}
