/*
 * proc: the process service (docs/PROCESSES.md; the protocol is mnos/proc.h). init
 * starts it from etc/init.conf with the initramfs and the boot information; it
 * registers "proc" in the name directory and then starts programs by path for its
 * clients, tells a parent how its children ended, kills them on request and lists them.
 *
 * Threads: the main one serves requests; one watcher a group of PT_GROUP processes
 * waits on that group's supervisor notification (two bits a process, as init does for
 * services) and settles each process that ends. The table (table.c) is under one lock,
 * held across a whole spawn, so a watcher never sees a process half made.
 */
#include <mnos.h>
#include <ustar.h>
#include <mnos/bootinfo.h>
#include "procsvc.h"
#include "programs.h"

#define QUOTA_DEFAULT_KIB       1024
#define QUOTA_MAX_KIB           (16 * 1024)
#define SLOTS_DEFAULT           256
#define SLOTS_MAX               4096
#define SPAWN_STRINGS           (1 + 2 * ELF_MAX_ARGS + MNOS_RPC_MAX_CAPS)

static struct {
	const void *archive;            /* the initramfs, mapped read-only */
	size_t archive_size;
	uint32_t ramfs;                 /* its memory object: programs' text maps from it */
	struct prog_index programs;     /* [I] its entries, found by path */
	uint32_t ep;                    /* the service's endpoint (every right) */
	uint32_t names;                 /* this service's directory capability, or 0 */
	uint32_t sup[PT_GROUPS];        /* the supervisor notifications */
	uint32_t session_cap[PT_SESSIONS];
	uint32_t pool[PT_WAITERS];      /* [lock] free reply objects for held waits */
	unsigned npool;                 /* [lock] */
	struct ptable t;                /* [lock] */
	struct mnos_lock lock;
	uint8_t req_buf[MNOS_RPC_MAX_DATA];
	struct mnos_proc_info list_buf[MNOS_PROC_LIST_MAX];
} st;

/* ---- programs ---- */

/*
 * The executable at path, in [*img, *img + *size): today a file of the initramfs
 * ("bin/exitcode"; a leading '/' is ignored), found in the index made at start-up
 * (programs.c). The one place that knows where programs come from, for when there are
 * other file systems.
 */
static enum mnos_error program_find(const char *path, const void **img, size_t *size)
{
	const struct prog_entry *p;
	enum mnos_error e = prog_index_find(&st.programs, path, &p);

	if (e != E_OK)
		return e;
	*img = p->data;
	*size = p->size;
	return E_OK;
}

/* ---- requests ---- */

static void drop_caps(struct mnos_rpc_msg *m)
{
	for (unsigned i = 0; i < m->ncaps; i++)
		if (m->caps[i])
			mnos_slot_free(m->caps[i]);
	m->ncaps = 0;
}

static int do_connect(struct mnos_rpc_request *r)
{
	if (r->badge != 0)
		return E_PERM;                  /* a client is one already */
	uint32_t slot = mnos_slot_alloc();
	mnos_lock(&st.lock);
	uint64_t badge = slot ? pt_connect(&st.t) : 0;
	mnos_unlock(&st.lock);
	if (!badge) {
		if (slot)
			mnos_slot_free(slot);
		return E_NO_MEMORY;
	}
	/* The service keeps the session's capability (it cannot be taken back from the
	 * client otherwise), and the client gets a copy of it. */
	int e = mnos_cap_mint(st.ep, slot, CAP_R_SEND | CAP_R_GRANT, badge);
	if (e != E_OK) {
		mnos_slot_free(slot);
		mnos_lock(&st.lock);
		st.t.session[badge - PT_SESSION_BASE] = false;
		mnos_unlock(&st.lock);
		return e;
	}
	st.session_cap[badge - PT_SESSION_BASE] = slot;
	r->out.caps[0] = slot;
	r->out.rights[0] = CAP_R_SEND | CAP_R_GRANT;   /* a spawn carries capabilities */
	r->out.ncaps = 1;
	return E_OK;
}

/* What a spawn request asks for, checked and unpacked. */
struct spawn_req {
	const char *s[SPAWN_STRINGS];   /* path, argv, envp, capability names */
	uint32_t argc, envc, ncaps;
	uint64_t quota;
	uint32_t nslots;
};

static int spawn_unpack(struct mnos_rpc_request *r, struct spawn_req *q)
{
	q->argc = MNOS_PROC_ARGC(r->in.w[0]);
	q->envc = MNOS_PROC_ENVC(r->in.w[0]);
	q->ncaps = MNOS_PROC_NCAPS(r->in.w[0]);
	if (q->argc > ELF_MAX_ARGS || q->envc > ELF_MAX_ARGS)
		return E_RANGE;
	if (q->ncaps != r->in.ncaps)
		return E_INVAL;
	for (unsigned i = 0; i < q->ncaps; i++)
		if (!r->in.caps[i])
			return E_INVAL;         /* it did not arrive */
	if (mnos_strv_unpack(r->in.data, r->in.len, q->s, 1 + q->argc + q->envc + q->ncaps))
		return E_INVAL;
	uint64_t kib = r->in.w[1] ? r->in.w[1] : QUOTA_DEFAULT_KIB;
	q->nslots = r->in.w[2] ? (uint32_t)r->in.w[2] : SLOTS_DEFAULT;
	if (kib > QUOTA_MAX_KIB || r->in.w[2] > SLOTS_MAX)
		return E_RANGE;
	q->quota = kib * 1024;
	return E_OK;
}

/* The program's name: the path's last component. */
static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

/* Start the program of q as a child of client (lock held): its entry in *idx. */
static int spawn_locked(uint64_t client, const struct spawn_req *q, const uint32_t *given,
			int *idx, int *elf_err)
{
	const void *img;
	size_t size;
	int e = program_find(q->s[0], &img, &size);

	if (e != E_OK)
		return e;
	e = pt_reserve(&st.t, client, base_name(q->s[0]), idx);
	if (e != E_OK)
		return e;
	struct pt_proc *p = &st.t.p[*idx];
	uint32_t mine = mnos_slot_alloc(), sup = mnos_slot_alloc();
	if (!mine || !sup ||
	    mnos_cap_mint(st.ep, mine, CAP_R_SEND | CAP_R_DERIVE, p->pid) != E_OK ||
	    mnos_cap_mint(st.sup[*idx / PT_GROUP], sup, CAP_R_SIGNAL | CAP_R_DERIVE,
			  1ull << (2 * (*idx % PT_GROUP))) != E_OK) {
		e = E_NO_MEMORY;
		goto out;
	}
	struct mnos_spawn_cap caps[MNOS_START_MAX_CAPS];
	uint32_t n = 0;
	caps[n++] = (struct mnos_spawn_cap){ mine, MNOS_OBJ_ENDPOINT, CAP_R_SEND, "proc" };
	if (st.names)
		caps[n++] = (struct mnos_spawn_cap){ st.names, MNOS_OBJ_ENDPOINT, CAP_R_SEND,
						     "names" };
	for (uint32_t i = 0; i < q->ncaps; i++)
		caps[n++] = (struct mnos_spawn_cap){ given[i], 0, CAP_R_ALL,
						     q->s[1 + q->argc + q->envc + i] };
	const char *name = p->name;
	struct mnos_spawn_args a = {
		.argv = q->argc ? q->s + 1 : &name, .argc = q->argc ? q->argc : 1,
		.envp = q->s + 1 + q->argc, .envc = q->envc,
		.caps = caps, .ncaps = n, .nslots = q->nslots, .quota = q->quota, .fault = sup,
		.image_mem = st.ramfs,
		.image_offset = (uint64_t)((const uint8_t *)img - (const uint8_t *)st.archive),
	};
	struct mnos_spawned sp;
	e = mnos_spawn(img, size, &a, &sp);
	if (e == E_OK)
		pt_started(&st.t, *idx, sp.proc, sp.thread, sp.bytes, q->quota);
	else if (e == E_INVAL)
		*elf_err = sp.error;
out:
	/* The process holds its own references: these copies are not needed. */
	if (mine)
		mnos_slot_free(mine);
	if (sup)
		mnos_slot_free(sup);
	if (e != E_OK)
		pt_release(&st.t, *idx);
	return e;
}

static int do_spawn(struct mnos_rpc_request *r)
{
	struct spawn_req q;
	int idx = -1, elf_err = 0;
	int e = spawn_unpack(r, &q);

	if (e == E_OK) {
		mnos_lock(&st.lock);
		e = spawn_locked(r->badge, &q, r->in.caps, &idx, &elf_err);
		uint32_t pid = e == E_OK ? st.t.p[idx].pid : 0;
		mnos_unlock(&st.lock);
		if (e == E_OK)
			r->out.w[0] = pid;
	}
	if (e == E_INVAL)
		r->out.w[1] = (uint64_t)elf_err;
	drop_caps(&r->in);                      /* the child has its copies */
	return e;
}

static int do_wait(struct mnos_rpc_request *r)
{
	struct pt_answer now;

	if (r->in.w[1] & ~(uint64_t)MNOS_PROC_NOHANG || r->in.w[0] > PT_PID_MAX)
		return E_INVAL;
	mnos_lock(&st.lock);
	uint32_t spare = st.npool ? st.pool[st.npool - 1] : 0;
	int e = pt_wait(&st.t, r->badge, (uint32_t)r->in.w[0], r->in.w[1] & MNOS_PROC_NOHANG,
			spare ? r->reply : 0, &now);
	if (e == PT_DEFER) {
		/* The caller stays bound to this reply object until its child ends; the
		 * loop receives with a spare from now on. */
		st.npool--;
		r->defer = true;
		r->reply = spare;
	}
	mnos_unlock(&st.lock);
	if (e == E_OK) {
		r->out.w[0] = now.pid;
		r->out.w[1] = (uint64_t)(uint32_t)now.status;
	}
	return e == PT_DEFER ? E_OK : e;
}

static int do_kill(struct mnos_rpc_request *r)
{
	int idx;

	if (!r->in.w[0] || r->in.w[0] > PT_PID_MAX)
		return E_INVAL;
	mnos_lock(&st.lock);
	kerr_t e = pt_kill(&st.t, r->badge, (uint32_t)r->in.w[0], &idx);
	if (e == E_OK && idx >= 0)
		e = mnos_proc_kill(st.t.p[idx].proc);
	mnos_unlock(&st.lock);
	return e;
}

static int do_list(struct mnos_rpc_request *r)
{
	uint32_t next;

	if (r->in.w[0] > PT_PID_MAX)
		return E_INVAL;
	mnos_lock(&st.lock);
	size_t n = pt_list(&st.t, r->in.w[0] ? (uint32_t)r->in.w[0] : 1, st.list_buf,
			   MNOS_PROC_LIST_MAX, &next);
	mnos_unlock(&st.lock);
	r->out.data = st.list_buf;
	r->out.len = n * sizeof(st.list_buf[0]);
	r->out.w[0] = n;
	r->out.w[1] = next;
	return E_OK;
}

static int handle(void *ctx, struct mnos_rpc_request *r)
{
	if (r->op != PROC_SPAWN)
		drop_caps(&r->in);              /* only a spawn takes capabilities */
	if (r->op != PROC_CONNECT && r->op != PROC_SPAWN && r->in.len)
		return E_INVAL;
	if (r->badge == 0 && r->op != PROC_CONNECT) {
		drop_caps(&r->in);
		return E_PERM;                  /* connect first */
	}
	switch (r->op) {
	case PROC_CONNECT:
		return do_connect(r);
	case PROC_SPAWN:
		return do_spawn(r);
	case PROC_WAIT:
		return do_wait(r);
	case PROC_KILL:
		return do_kill(r);
	case PROC_EXIT: {
		mnos_lock(&st.lock);
		kerr_t e = pt_exit(&st.t, r->badge, (int)r->in.w[0]);
		mnos_unlock(&st.lock);
		return e;
	}
	case PROC_LIST:
		return do_list(r);
	default:
		return E_NOSYS;
	}
}

/* ---- the watchers ---- */

static const char *how_name(int status)
{
	static const char *const how[] = { "exit", "killed", "fault", "ended without exit" };
	unsigned h = MNOS_PROC_HOW(status);

	return h < ARRAY_SIZE(how) ? how[h] : "?";
}

/* Answer held waits, then give their reply objects back. */
static void send_answers(const struct pt_answer *ans, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (ans[i].err != PT_DROP) {
			struct mnos_rpc_msg m = { .w = { ans[i].pid, (uint32_t)ans[i].status } };
			mnos_rpc_reply(ans[i].reply, NULL, ans[i].err, &m);
		}
		mnos_lock(&st.lock);
		st.pool[st.npool++] = ans[i].reply;
		mnos_unlock(&st.lock);
	}
}

static void watch(void *arg)
{
	unsigned g = (unsigned)(uintptr_t)arg;
	struct pt_answer ans[PT_WAITERS];

	for (;;) {
		uint64_t bits = 0;
		unsigned n = 0;

		if (mnos_notify_wait(st.sup[g], &bits) != E_OK) {
			printf("proc: supervisor notification %u failed\n", g);
			mnos_thread_exit();
		}
		mnos_lock(&st.lock);
		for (unsigned i = 0; i < PT_GROUP; i++) {
			uint64_t b = (bits >> (2 * i)) & 3;
			int idx = (int)(g * PT_GROUP + i);
			struct pt_proc *p = &st.t.p[idx];
			if (!b || !p->pid || !p->proc)
				continue;               /* not running: nothing of it left */
			p->faulted |= b & 1;
			if (!(b & 2))
				continue;
			uint32_t pid = p->pid;
			char name[MNOS_PROC_NAME];
			strlcpy(name, p->name, sizeof(name));
			mnos_slot_free(p->thread);
			mnos_slot_free(p->proc);        /* its last capability: it goes */
			unsigned first = n;
			n += pt_ended(&st.t, idx, b & 1, ans + n);
			/* Its status: in its entry, or already in a parent's answer. */
			int k = pt_find(&st.t, pid), status = k >= 0 ? st.t.p[k].status : -1;
			for (unsigned a = first; a < n; a++)
				if (ans[a].err == E_OK && ans[a].pid == pid)
					status = ans[a].status;
			/* The log (the kernel's, where a service's output goes) hears of
			 * the ends worth a look, not of every command a shell runs: two
			 * lines a program cost 5% of a spawn and buried the rest. */
			if (status < 0)
				printf("proc: %u (%s) ended; no parent to tell\n", pid, name);
			else if (MNOS_PROC_HOW(status) != MNOS_PROC_EXITED)
				printf("proc: %u (%s) ended: %s\n", pid, name, how_name(status));
		}
		mnos_unlock(&st.lock);
		send_answers(ans, n);
	}
}

/* ---- start-up ---- */

static bool make_objects(void)
{
	st.ep = mnos_slot_alloc();
	if (!st.ep || mnos_obj_create(MNOS_OBJ_ENDPOINT, st.ep, 0, 0) != E_OK)
		return false;
	for (unsigned g = 0; g < PT_GROUPS; g++) {
		st.sup[g] = mnos_slot_alloc();
		if (!st.sup[g] || mnos_obj_create(MNOS_OBJ_NOTIFICATION, st.sup[g], 0, 0) != E_OK)
			return false;
	}
	/* One reply object each wait held open: a spare for the loop each time. */
	for (unsigned i = 0; i < PT_WAITERS; i++) {
		uint32_t s = mnos_slot_alloc();
		if (!s || mnos_obj_create(MNOS_OBJ_REPLY, s, 0, 0) != E_OK)
			return false;
		st.pool[st.npool++] = s;
	}
	return true;
}

int main(int argc, char **argv)
{
	uint32_t ramfs = mnos_start_cap("initramfs"), bim = mnos_start_cap("bootinfo");
	const struct mnos_bootinfo *bi = bim ? mnos_map_ro(bim, sizeof(*bi)) : NULL;

	if (!bi || bi->magic != MNOS_BOOTINFO_MAGIC || !ramfs ||
	    !(st.archive = mnos_map_ro(ramfs, bi->initramfs_size))) {
		printf("proc: started without the initramfs and the boot information\n");
		return 1;
	}
	st.archive_size = bi->initramfs_size;
	st.ramfs = ramfs;
	if (prog_index_build(&st.programs, st.archive, st.archive_size) != E_OK) {
		printf("proc: no memory for the index of the initramfs\n");
		return 1;
	}
	if (st.programs.err != USTAR_OK)
		printf("proc: the initramfs is malformed (%s): no program can start\n",
		       ustar_strerror(st.programs.err));
	st.names = mnos_start_cap("names");
	pt_init(&st.t);
	uint32_t reply = mnos_slot_alloc();
	if (!reply || mnos_obj_create(MNOS_OBJ_REPLY, reply, 0, 0) != E_OK || !make_objects()) {
		printf("proc: cannot make its objects\n");
		return 1;
	}
	for (unsigned g = 0; g < PT_GROUPS; g++)
		if (mnos_thread_start(watch, (void *)(uintptr_t)g, 0, NULL) != E_OK) {
			printf("proc: cannot start its watchers\n");
			return 1;
		}
	int e = mnos_name_register("proc", st.ep);
	if (e != E_OK) {
		printf("proc: cannot register its name: %s\n", kerr_name((kerr_t)e));
		return 1;
	}
	struct mnos_rpc_server srv = {
		.ep = st.ep, .reply = reply, .buf = mnos_ipc_buffer(),
		.data = st.req_buf, .size = sizeof(st.req_buf), .handle = handle,
	};
	printf("proc: ready, %llu KiB initramfs\n", (unsigned long long)(st.archive_size >> 10));
	e = mnos_rpc_serve(&srv);
	printf("proc: the service stopped: %s\n", kerr_name((kerr_t)e));
	return 1;
}
