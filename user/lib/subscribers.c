/* Subscribers' notifications (mnos/subscribers.h). */
#include <mnos.h>
#include <mnos/subscribers.h>

int mnos_subscribers_add(struct mnos_subscribers *s, const struct mnos_rpc_request *r)
{
	if (r->in.ncaps == 1 && r->in.caps[0]) {
		mnos_lock(&s->lock);
		for (unsigned i = 0; i < MNOS_SUBSCRIBERS_MAX; i++)
			if (!s->slot[i]) {
				s->slot[i] = r->in.caps[0];
				mnos_unlock(&s->lock);
				return E_OK;
			}
		mnos_unlock(&s->lock);
	}
	for (unsigned i = 0; i < r->in.ncaps; i++)
		if (r->in.caps[i])
			mnos_slot_free(r->in.caps[i]);
	return r->in.ncaps == 1 && r->in.caps[0] ? E_NO_MEMORY : E_INVAL;
}

void mnos_subscribers_signal(struct mnos_subscribers *s)
{
	uint32_t to[MNOS_SUBSCRIBERS_MAX];

	/* Signalling under the lock would hold a subscribe up for every system call. */
	mnos_lock(&s->lock);
	memcpy(to, s->slot, sizeof(to));
	mnos_unlock(&s->lock);
	for (unsigned i = 0; i < MNOS_SUBSCRIBERS_MAX; i++)
		if (to[i] && mnos_notify_signal(to[i], 1) != E_OK) {
			mnos_lock(&s->lock);    /* gone: forget it */
			if (s->slot[i] == to[i]) {
				mnos_slot_free(s->slot[i]);
				s->slot[i] = 0;
			}
			mnos_unlock(&s->lock);
		}
}
