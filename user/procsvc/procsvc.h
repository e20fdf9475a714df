/*
 * The process service's table (table.c, pure: the host tests compile it too): which
 * processes exist, whose children they are, how they ended, and who waits for them.
 * procsvc.c does the system calls around it and keeps the lock; docs/PROCESSES.md says
 * what each rule is for.
 *
 * Clients are named by the badge of the capability they call with: a process the
 * service started speaks with its pid; any other program connects for a session,
 * badge PT_SESSION_BASE + n; badge 0 (what the name directory hands out) may only
 * connect.
 */
#ifndef PROCSVC_H
#define PROCSVC_H

#include <types.h>
#include <kerr.h>
#include <mnos/proc.h>

#define PT_MAX                  64      /* processes, ended ones not yet waited for too */
#define PT_GROUP                32      /* two supervisor bits each in a notification */
#define PT_GROUPS               (PT_MAX / PT_GROUP)
#define PT_SESSIONS             16      /* connected clients */
#define PT_CHILDREN_MAX         MNOS_PROC_CHILDREN_MAX
#define PT_WAITERS              32      /* waits the service holds open, in all */
#define PT_WAITS_MAX            4       /* ... for one client */
#define PT_SESSION_BASE         (1ull << 32)
#define PT_PID_MAX              0x7fffffffu     /* pids fit an int; then they wrap */

#define PT_DEFER                1000    /* pt_wait: the wait is held open */
#define PT_DROP                 (-1)    /* a pt_answer to nobody: free the reply object */

struct pt_proc {
	uint32_t pid;                   /* 0: a free entry */
	uint8_t state;                  /* enum mnos_proc_state; 0 while it is being made */
	bool killed;                    /* kill() was asked before any exit report */
	bool faulted;                   /* a thread of it died of a fault */
	int status;                     /* the exit code reported, then how it ended */
	uint64_t parent;                /* the parent's badge; 0: none */
	char name[MNOS_PROC_NAME];
	uint64_t mem, quota;
	uint32_t proc, thread;          /* procsvc.c's capabilities to it, while it runs */
};

struct pt_waiter {
	uint64_t client;                /* 0: a free entry */
	uint32_t pid;                   /* 0: any child */
	uint32_t reply;                 /* the reply object the caller waits on */
};

/* An answer for a held wait: err E_OK with pid and status, or an error, or PT_DROP. */
struct pt_answer {
	uint32_t reply;
	int err;
	uint32_t pid;
	int status;
};

struct ptable {
	struct pt_proc p[PT_MAX];
	struct pt_waiter w[PT_WAITERS];
	bool session[PT_SESSIONS];
	uint32_t next_pid;
};

void pt_init(struct ptable *t);

/* A new session's badge; 0 when all are taken. */
uint64_t pt_connect(struct ptable *t);

/* Whether badge names a live client: a connected session, or a process of the table
 * that has not ended. */
bool pt_client_valid(const struct ptable *t, uint64_t badge);

/* The entry of pid, or -1. */
int pt_find(const struct ptable *t, uint32_t pid);

/*
 * An entry (in *idx) and a pid for a child of client called name, being made: E_PERM if
 * client is not valid; E_NO_MEMORY when client has PT_CHILDREN_MAX children or the
 * table is full. Then pt_started, or pt_release if it could not be made.
 */
kerr_t pt_reserve(struct ptable *t, uint64_t client, const char *name, int *idx);
void pt_started(struct ptable *t, int idx, uint32_t proc, uint32_t thread, uint64_t mem,
		uint64_t quota);
void pt_release(struct ptable *t, int idx);

/* client reports its exit status: E_PERM unless it is a running process of the table
 * (a second report changes nothing). */
kerr_t pt_exit(struct ptable *t, uint64_t client, int code);

/*
 * May client kill the process of entry i? Yes if it is that process, or one of its
 * ancestors (parent, grandparent, ...), or if the client's own parent is one: a program
 * may end what it started and what its parent started (its siblings: a shell's other
 * jobs, for a kill the shell runs) and their descendants — never its parent, nor
 * anything another client started.
 */
bool pt_may_kill(const struct ptable *t, uint64_t client, int i);

/*
 * client kills pid. E_NOT_FOUND: no such process; E_PERM: pt_may_kill says no.
 * E_OK: *idx is the entry to kill (marked killed unless it has reported an exit), or -1
 * if it has ended already.
 */
kerr_t pt_kill(struct ptable *t, uint64_t client, uint32_t pid, int *idx);

/*
 * The process of entry idx has ended (its capabilities are gone; faulted: a thread of
 * it died of a fault). Its status is settled, its children go to its parent (or to
 * nobody), its own open waits are dropped, and waits it ends are answered: the answers
 * in ans (room for PT_WAITERS), their count returned.
 */
unsigned pt_ended(struct ptable *t, int idx, bool faulted, struct pt_answer *ans);

/*
 * client waits for its child pid (0: any). E_OK: *now has the pid and status, and the
 * entry is gone. PT_DEFER: held open on reply until pt_ended answers it. Errors:
 * E_PERM (client not valid, or pid not its child), E_NOT_FOUND (no such process, or no
 * children), E_WOULD_BLOCK (nohang and none has ended), E_NO_MEMORY (too many waits
 * open, or reply 0: no reply object to hold it with).
 */
int pt_wait(struct ptable *t, uint64_t client, uint32_t pid, bool nohang, uint32_t reply,
	    struct pt_answer *now);

/* Up to max lines, from the lowest pid ≥ from, in pid order; *next: the pid to ask
 * from next, 0 when that was all. */
size_t pt_list(const struct ptable *t, uint32_t from, struct mnos_proc_info *out,
	       size_t max, uint32_t *next);

#endif
