/*
 * The notifications a service signals when something arrives for its clients — the
 * console's input, the keyboard's events (user/lib/subscribers.c). A client subscribes
 * by sending a notification capability (SIGNAL) in an RPC; the service signals each with
 * bit 0 (its badge, if badged) and forgets one whose signal fails.
 */
#ifndef MNOS_SUBSCRIBERS_H
#define MNOS_SUBSCRIBERS_H

#include <types.h>
#include <mnos/rpc.h>
#include <mnos/runtime.h>

#define MNOS_SUBSCRIBERS_MAX    16

/* Zero-initialised is empty. */
struct mnos_subscribers {
	struct mnos_lock lock;
	uint32_t slot[MNOS_SUBSCRIBERS_MAX];    /* [lock] notification slots, 0: free */
};

/* Keep the notification a subscribe request brought as its capability 0: E_OK. E_INVAL
 * if the request brought anything else, E_NO_MEMORY when the set is full; what it
 * brought is then deleted. */
int mnos_subscribers_add(struct mnos_subscribers *s, const struct mnos_rpc_request *r);
/* Signal every subscriber, forgetting those whose signal fails. Called without the
 * lock; safe against a concurrent mnos_subscribers_add. */
void mnos_subscribers_signal(struct mnos_subscribers *s);

#endif
