/*
 * The name directory init keeps (docs/INIT.md): a service registers an endpoint under a
 * name, clients look names up. Every program init starts has a capability to it, named
 * "names" in its start information. Calls are RPCs (mnos/rpc.h): the name is the
 * payload, the endpoint travels as a capability.
 */
#ifndef MNOS_NAMES_H
#define MNOS_NAMES_H

#include <types.h>
#include <mnos/abi.h>

#define MNOS_NAME_MAX           32      /* bytes with the NUL */

enum {
	NAMES_REGISTER = 1,     /* payload: name; capability 0: the endpoint (SEND, GRANT) */
	NAMES_LOOKUP = 2,       /* payload: name; reply capability 0: the endpoint (SEND),
				 * w[0]: the registration's generation (a new one each time
				 * a name is registered: a restarted service is told apart) */
	NAMES_UNREGISTER = 3,   /* payload: name; only the service that registered it */
	/* Not the directory's: a service's last word to init, through its start
	 * capability "init" (SEND only, so it cannot be passed on; its badge names the
	 * service). exit() sends it (user/lib/proc.c). A service that reported status 0
	 * before it ended has finished its work and is not restarted. */
	INIT_EXIT = 16,         /* w[0]: the exit status */
};

/* Register ep (this process's endpoint capability; it needs GRANT) as name. E_EXISTS:
 * taken; E_INVAL: a bad name; E_NO_MEMORY: the directory is full; E_NOT_FOUND: this
 * program has no "names" capability. */
int mnos_name_register(const char *name, uint32_t ep);
/* The endpoint registered as name, in a fresh slot (*ep): E_NOT_FOUND if none. */
int mnos_name_lookup(const char *name, uint32_t *ep);
/* The same, with the registration's generation (*gen). */
int mnos_name_lookup_gen(const char *name, uint32_t *ep, uint64_t *gen);
/* E_PERM: another service registered it. */
int mnos_name_unregister(const char *name);

#endif
