/*
 * Processes for programs (docs/PROCESSES.md): the process service ("proc", user/procsvc)
 * starts programs by path, tells a parent how its children ended, kills them on request
 * and lists what runs. Its client side is here (user/lib/proc.c, the packing in
 * user/lib/procmsg.c): spawn, wait, kill, and exit, which reports the status before the
 * process ends.
 *
 * A program the service started has a capability to it in its start information,
 * "proc", whose badge is the program's pid: its requests speak for it. Any other program
 * looks "proc" up in the name directory and connects (PROC_CONNECT) for a session of its
 * own; the library does both on first use.
 */
#ifndef MNOS_PROC_H
#define MNOS_PROC_H

#include <types.h>
#include <mnos/abi.h>
#include <mnos/rpc.h>

/* Operations (RPC labels, mnos/rpc.h). */
enum {
	PROC_CONNECT = 1,       /* reply capability 0: a session's endpoint (SEND, GRANT) */
	PROC_SPAWN = 2,         /* payload: path, argv, envp, capability names (packed
				 * strings); w[0]: counts (MNOS_PROC_COUNTS); w[1]: quota in
				 * KiB (0: the default); w[2]: capability slots (0: default);
				 * capabilities: given to the program under those names.
				 * Reply w[0]: the pid; on E_INVAL w[1]: the elf_error */
	PROC_WAIT = 3,          /* w[0]: a child's pid, 0: any child; w[1]: MNOS_PROC_NOHANG.
				 * Reply w[0]: the pid, w[1]: its status */
	PROC_KILL = 4,          /* w[0]: the pid of a child */
	PROC_EXIT = 5,          /* w[0]: the status; only a program the service started */
	PROC_LIST = 6,          /* w[0]: the lowest pid to list. Reply payload: struct
				 * mnos_proc_info[w[0]]; w[1]: the pid to ask from next
				 * (0: that was all) */
};

#define MNOS_PROC_CHILDREN_MAX  16      /* a client's children at once, ended ones it
					 * has not waited for included */
#define MNOS_PROC_NOHANG        1       /* PROC_WAIT: E_WOULD_BLOCK instead of waiting */

/* PROC_SPAWN's w[0]: how many strings of each kind the payload holds after the path. */
#define MNOS_PROC_COUNTS(argc, envc, ncaps) \
	((uint64_t)(argc) | (uint64_t)(envc) << 16 | (uint64_t)(ncaps) << 32)
#define MNOS_PROC_ARGC(w)       ((uint32_t)((w) & 0xffff))
#define MNOS_PROC_ENVC(w)       ((uint32_t)(((w) >> 16) & 0xffff))
#define MNOS_PROC_NCAPS(w)      ((uint32_t)((w) >> 32))

/*
 * A status says how a program ended: bits 8-15 how (MNOS_PROC_EXITED and the rest),
 * bits 0-7 the code it gave exit() (modulo 256, as POSIX does), zero otherwise.
 */
enum mnos_proc_how {
	MNOS_PROC_EXITED = 0,   /* it called exit(code) (or main returned code) */
	MNOS_PROC_KILLED = 1,   /* kill() through the service */
	MNOS_PROC_FAULTED = 2,  /* its last thread ended after a thread died of a fault */
	MNOS_PROC_VANISHED = 3, /* its last thread ended without exit() or a fault */
};

#define MNOS_PROC_STATUS(how, code)     ((int)((how) << 8 | ((code) & 0xff)))
#define MNOS_PROC_HOW(status)           (((status) >> 8) & 0xff)
#define MNOS_PROC_CODE(status)          ((status) & 0xff)

enum mnos_proc_state {
	MNOS_PROC_RUNNING = 1,
	MNOS_PROC_EXITING = 2,  /* it has reported its status; its threads are ending */
	MNOS_PROC_ZOMBIE = 3,   /* ended; its status waits for its parent */
};

#define MNOS_PROC_NAME          16      /* bytes with the NUL */

/* One line of PROC_LIST. mem is what the service knows: the image and stack it made;
 * quota is what the program may charge for everything it makes itself (the kernel does
 * not say how much of it is used). */
struct mnos_proc_info {
	uint32_t pid;
	uint32_t ppid;                  /* 0: none, or a client the service did not start */
	uint32_t state;                 /* enum mnos_proc_state */
	int32_t status;                 /* for a zombie */
	uint64_t mem;                   /* bytes */
	uint64_t quota;                 /* bytes */
	char name[MNOS_PROC_NAME];
};
_Static_assert(sizeof(struct mnos_proc_info) == 48, "proc info");

#define MNOS_PROC_LIST_MAX      (MNOS_RPC_MAX_DATA / sizeof(struct mnos_proc_info))

/* ---- packing (user/lib/procmsg.c: pure, host-tested) ---- */

/*
 * Lay out the n strings of v one after another with their NULs at buf (size bytes), after
 * the *len bytes already there; *len grows. E_RANGE if they do not fit (buf is then
 * unchanged past *len), E_INVAL for a NULL string.
 */
int mnos_strv_pack(char *buf, size_t size, size_t *len, const char *const *v, uint32_t n);

/*
 * Split len bytes at buf into exactly n strings, each ending in its NUL, with nothing
 * after the last; their starts go to v (room for n). E_INVAL otherwise (too few or too
 * many NULs, bytes after the last).
 */
int mnos_strv_unpack(const char *buf, size_t len, const char **v, uint32_t n);

/* The value of the first "name=value" in the NULL-terminated env (NULL: none). */
char *mnos_env_find(char *const *env, const char *name);

/* ---- the client ---- */

/* Everything PROC_SPAWN can say. */
struct mnos_proc_spawn {
	const char *path;               /* "bin/exitcode" (a leading '/' is ignored) */
	const char *const *argv;        /* argc strings; argc 0: argv[0] is the path's name */
	uint32_t argc;
	const char *const *envp;        /* envc strings, "NAME=value" */
	uint32_t envc;
	uint32_t caps[MNOS_RPC_MAX_CAPS];       /* capabilities to give it (need GRANT) */
	const char *cap_names[MNOS_RPC_MAX_CAPS];
	uint32_t ncaps;
	uint64_t quota;                 /* bytes, rounded up to KiB; 0: the default */
	uint32_t nslots;                /* 0: the default */
};

/* The service's capability for this program: its start capability "proc", else a
 * session connected to the one the name directory knows (made once). 0 if neither. */
uint32_t mnos_process_cap(void);

/* Start a program; its pid in *pid. *elf_err (may be NULL) says why on E_INVAL. */
int mnos_process_spawn(const struct mnos_proc_spawn *a, uint32_t *pid, int *elf_err);
/* Wait for a child (pid 0: any) to end; its pid and status. flags: MNOS_PROC_NOHANG. */
int mnos_process_wait(uint32_t pid, unsigned flags, uint32_t *got, int *status);
int mnos_process_kill(uint32_t pid);
/* Up to max lines from the lowest pid on, in *n; E_RANGE when more did not fit. */
int mnos_process_list(struct mnos_proc_info *out, size_t max, size_t *n);

/*
 * The short forms. spawn: the pid (> 0), or a negative enum mnos_error. wait: the pid
 * waited for, its status in *status (may be NULL), or a negative error. kill: 0 or a
 * negative error.
 */
int spawn(const char *path, const char *const argv[], const char *const envp[]);
int wait(int pid, int *status);
int kill(int pid);

/* The environment: envp as the program's creator gave it (NULL-terminated), and the
 * value of NAME=value in it (NULL: none). */
extern char **environ;
char *getenv(const char *name);

/* Report status to the process service, if it started this program, or else to init,
 * if this program is a service of init's ("init" start capability, INIT_EXIT in
 * mnos/names.h): exit() calls it. */
void mnos_process_report_exit(int status);

#endif
