/*
 * The process service's client side (mnos/proc.h; the service is user/procsvc,
 * docs/PROCESSES.md): spawn, wait, kill, the process list, the exit report, and the
 * environment a program was started with.
 */
#include <mnos.h>
#include <mnos/proc.h>

char **environ;

char *getenv(const char *name)
{
	return mnos_env_find(environ, name);
}

uint32_t mnos_process_cap(void)
{
	static uint32_t cap;
	static struct mnos_lock lock;
	uint32_t c = mnos_start_cap("proc"), ep = 0;

	if (c)
		return c;
	mnos_lock(&lock);
	if (!cap && mnos_name_lookup("proc", &ep) == E_OK) {
		/* A session of this program's own: its children are told apart from
		 * everyone else's by the session's badge. */
		struct mnos_rpc_msg rep = { 0 };
		int e = mnos_rpc_call(ep, mnos_ipc_buffer(), PROC_CONNECT, NULL, &rep);
		if (e == E_OK && rep.ncaps == 1 && rep.caps[0])
			cap = rep.caps[0];
		else
			for (unsigned i = 0; i < rep.ncaps; i++)
				if (rep.caps[i])
					mnos_slot_free(rep.caps[i]);
		mnos_slot_free(ep);
	}
	c = cap;
	mnos_unlock(&lock);
	return c;
}

int mnos_process_spawn(const struct mnos_proc_spawn *a, uint32_t *pid, int *elf_err)
{
	uint32_t svc = mnos_process_cap();
	struct mnos_ipc_buffer *buf = mnos_ipc_buffer();
	char data[MNOS_RPC_MAX_DATA];
	size_t len = 0;
	int e;

	if (elf_err)
		*elf_err = 0;
	if (!a || !a->path || !pid || a->ncaps > MNOS_RPC_MAX_CAPS || a->argc > 0xffff ||
	    a->envc > 0xffff)
		return E_INVAL;
	if (!svc)
		return E_NOT_FOUND;
	if (!buf)
		return E_NO_MEMORY;
	e = mnos_strv_pack(data, sizeof(data), &len, &a->path, 1);
	if (e == E_OK)
		e = mnos_strv_pack(data, sizeof(data), &len, a->argv, a->argc);
	if (e == E_OK)
		e = mnos_strv_pack(data, sizeof(data), &len, a->envp, a->envc);
	if (e == E_OK)
		e = mnos_strv_pack(data, sizeof(data), &len, a->cap_names, a->ncaps);
	if (e != E_OK)
		return e;
	struct mnos_rpc_msg req = {
		.w = { MNOS_PROC_COUNTS(a->argc, a->envc, a->ncaps),
		       (a->quota + 1023) / 1024, a->nslots },
		.data = data, .len = len, .ncaps = a->ncaps,
	};
	for (uint32_t i = 0; i < a->ncaps; i++) {
		req.caps[i] = a->caps[i];
		req.rights[i] = CAP_R_ALL;
	}
	struct mnos_rpc_msg rep = { 0 };
	e = mnos_rpc_call(svc, buf, PROC_SPAWN, &req, &rep);
	if (e == E_OK)
		*pid = (uint32_t)rep.w[0];
	else if (e == E_INVAL && elf_err)
		*elf_err = (int)rep.w[1];
	return e;
}

int mnos_process_wait(uint32_t pid, unsigned flags, uint32_t *got, int *status)
{
	uint32_t svc = mnos_process_cap();
	uint64_t in[MNOS_RPC_WORDS] = { pid, flags }, out[MNOS_RPC_WORDS];

	if (!svc)
		return E_NOT_FOUND;
	int e = mnos_rpc_call_words(svc, PROC_WAIT, in, out);
	if (e == E_OK) {
		if (got)
			*got = (uint32_t)out[0];
		if (status)
			*status = (int)out[1];
	}
	return e;
}

int mnos_process_kill(uint32_t pid)
{
	uint32_t svc = mnos_process_cap();
	uint64_t in[MNOS_RPC_WORDS] = { pid };

	return svc ? mnos_rpc_call_words(svc, PROC_KILL, in, NULL) : E_NOT_FOUND;
}

int mnos_process_list(struct mnos_proc_info *out, size_t max, size_t *n)
{
	uint32_t svc = mnos_process_cap();
	struct mnos_ipc_buffer *buf = mnos_ipc_buffer();
	struct mnos_proc_info page[MNOS_PROC_LIST_MAX];
	uint64_t from = 1;

	*n = 0;
	if (!svc)
		return E_NOT_FOUND;
	if (!buf)
		return E_NO_MEMORY;
	do {
		struct mnos_rpc_msg req = { .w = { from } };
		struct mnos_rpc_msg rep = { .data = page, .size = sizeof(page) };
		int e = mnos_rpc_call(svc, buf, PROC_LIST, &req, &rep);
		if (e != E_OK)
			return e;
		size_t got = rep.len / sizeof(page[0]);
		if (got != rep.w[0] || rep.len % sizeof(page[0]))
			return E_INVAL;
		for (size_t i = 0; i < got; i++) {
			if (*n == max)
				return E_RANGE;
			out[(*n)++] = page[i];
		}
		from = rep.w[1];
	} while (from);
	return E_OK;
}

void mnos_process_report_exit(int status)
{
	uint32_t svc = mnos_start_cap("proc"), init = mnos_start_cap("init");
	uint64_t in[MNOS_RPC_WORDS] = { (uint32_t)status };

	if (svc)
		mnos_rpc_call_words(svc, PROC_EXIT, in, NULL);
	else if (init)
		mnos_rpc_call_words(init, INIT_EXIT, in, NULL);
}

/* ---- the short forms ---- */

int spawn(const char *path, const char *const argv[], const char *const envp[])
{
	struct mnos_proc_spawn a = { .path = path, .argv = argv, .envp = envp };
	uint32_t pid;

	while (argv && argv[a.argc])
		a.argc++;
	while (envp && envp[a.envc])
		a.envc++;
	int e = mnos_process_spawn(&a, &pid, NULL);
	return e == E_OK ? (int)pid : -e;
}

int wait(int pid, int *status)
{
	uint32_t got;

	if (pid < 0)
		return -E_INVAL;
	int e = mnos_process_wait((uint32_t)pid, 0, &got, status);
	return e == E_OK ? (int)got : -e;
}

int kill(int pid)
{
	if (pid <= 0)
		return -E_INVAL;
	return -mnos_process_kill((uint32_t)pid);
}
