/*
 * init's pure parts (config.c, names.c), which the host tests compile too: the services
 * etc/init.conf lists, and the name directory's table.
 */
#ifndef INIT_H
#define INIT_H

#include <types.h>
#include <kerr.h>
#include <mnos/names.h>

#define SERVICE_MAX             31      /* two supervisor bits each in one word */
#define SERVICE_NAME_MAX        16      /* with the NUL: a start-information name */
#define SERVICE_PATH_MAX        96
#define SERVICE_MAX_ARGS        8
#define SERVICE_MAX_GRANTS      12
#define SERVICE_ARGS_BYTES      256
#define RESTART_ALWAYS          (~0u)

struct grant {
	char name[SERVICE_NAME_MAX];    /* a boot capability, or proc:<service> */
	int service;                    /* proc:<service>: that service's index; else -1 */
};

struct service {
	/* From the configuration. */
	char name[SERVICE_NAME_MAX];
	char path[SERVICE_PATH_MAX];
	char argbuf[SERVICE_ARGS_BYTES];
	const char *args[SERVICE_MAX_ARGS];
	unsigned nargs;
	struct grant grants[SERVICE_MAX_GRANTS];
	unsigned ngrants;
	uint32_t slots;
	uint64_t quota;
	unsigned max_restarts;          /* RESTART_ALWAYS: no limit */
	char unless[SERVICE_NAME_MAX];  /* not started if the kernel command line has this
					 * word ("" : always started) */
	/* While init runs it. */
	uint64_t badge;                 /* of its capability to the name directory */
	uint32_t names_slot, sup_slot;  /* init's badged capabilities it is given */
	uint32_t report_slot;           /* and its "init" (INIT_EXIT), given SEND only */
	uint32_t proc, thread;          /* while running */
	bool running;
	bool exit_reported;             /* [init's lock] INIT_EXIT came from this run */
	int exit_status;                /* [init's lock] what it said */
	unsigned starts, restarts_done;
};

struct services {
	struct service s[SERVICE_MAX];
	unsigned n;
};

/*
 * Parse a configuration file (docs/INIT.md, "etc/init.conf") into ss, after what is
 * there already. false, with "line N: why" in err, for any malformed line (nothing of
 * that file is kept then).
 */
bool config_parse(struct services *ss, const char *text, size_t len, char *err,
		  size_t errsize);

/* ---- the name directory ---- */

#define NAMES_MAX               64

struct name_entry {
	char name[MNOS_NAME_MAX];
	uint32_t slot;                  /* init's capability to the endpoint */
	uint64_t owner;                 /* the badge of the service that registered it */
	uint64_t gen;                   /* which registration: never the same twice */
	bool used;
};

struct names {
	struct name_entry e[NAMES_MAX];
	uint64_t next_gen;
};

/* A name is 1 .. MNOS_NAME_MAX - 1 bytes of [A-Za-z0-9._-]. */
bool name_valid(const char *name, size_t len);

/* E_EXISTS: taken; E_NO_MEMORY: the table is full; E_INVAL: a bad name. */
kerr_t names_register(struct names *t, const char *name, uint32_t slot, uint64_t owner);
/* E_NOT_FOUND, or the entry's slot and generation (gen may be NULL). */
kerr_t names_lookup(const struct names *t, const char *name, uint32_t *slot, uint64_t *gen);
/* Only the owner: E_PERM otherwise; E_NOT_FOUND. *slot gets what to delete. */
kerr_t names_unregister(struct names *t, const char *name, uint64_t owner, uint32_t *slot);
/* Every name owner holds: their slots into slots[] (up to max); the count. */
unsigned names_drop_owner(struct names *t, uint64_t owner, uint32_t *slots, unsigned max);

#endif
