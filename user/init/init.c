/*
 * init: the first user process (docs/INIT.md).
 *
 * The kernel starts it with every boot capability. It keeps the name directory — a
 * service registers a name for an endpoint, clients look names up, only the holder of
 * a name may unregister it — and starts the services etc/init.conf lists (and, with
 * init.test on the kernel command line, etc/init-test.conf), each with only the
 * capabilities its line grants, and restarts a service whose last thread has ended, a
 * bounded number of times, saying so in the log.
 *
 * Two threads: the main one supervises (one notification, two bits per service, set by
 * the kernel when a service faults or ends), the other serves the name directory and
 * the services' exit reports (INIT_EXIT: a service that exits with status 0 is done,
 * and is not restarted).
 */
#include <mnos.h>
#include <cmdline.h>
#include <ustar.h>
#include <mnos/bootinfo.h>
#include "init.h"

static struct {
	const void *archive;            /* the initramfs, mapped read-only */
	size_t archive_size;
	uint32_t sup;                   /* the supervisor notification: two bits a service */
	uint32_t names_ep, names_reply; /* the name directory's endpoint and reply object */
	struct services svc;
	struct names names;             /* [lock] */
	struct mnos_lock lock;
	uint8_t req_buf[MNOS_RPC_MAX_DATA];
} st;

/* The badge of a service's "init" capability: its directory badge with this bit. */
#define REPORT_BADGE    (1ull << 32)

/* ---- boot capabilities ---- */

static uint32_t boot_cap(const char *name, uint32_t *type)
{
	const struct mnos_start_info *si = mnos_start_info;

	for (uint32_t i = 0; i < si->ncaps; i++)
		if (strncmp(si->caps[i].name, name, MNOS_START_CAP_NAME) == 0) {
			*type = si->caps[i].type;
			return si->caps[i].slot;
		}
	return 0;
}

/* ---- services ---- */

static enum mnos_error start_service(struct service *s)
{
	struct ustar_entry e;
	enum ustar_error ue = ustar_find(st.archive, st.archive_size, s->path, &e);

	if (ue != USTAR_OK || e.type != USTAR_FILE) {
		printf("init: %s: no program %s in the initramfs (%s)\n", s->name, s->path,
		       ue == USTAR_OK ? "a directory" : ustar_strerror(ue));
		return E_NOT_FOUND;
	}
	struct mnos_spawn_cap caps[MNOS_START_MAX_CAPS];
	uint32_t n = 0;

	/* DERIVE: a service may hand its identity on to programs it starts (the process
	 * service does). */
	caps[n++] = (struct mnos_spawn_cap){ s->names_slot, MNOS_OBJ_ENDPOINT,
					     CAP_R_SEND | CAP_R_DERIVE, "names" };
	/* No DERIVE, no GRANT: only the service itself can report its exit. */
	caps[n++] = (struct mnos_spawn_cap){ s->report_slot, MNOS_OBJ_ENDPOINT, CAP_R_SEND,
					     "init" };
	for (unsigned i = 0; i < s->ngrants; i++) {
		const struct grant *g = &s->grants[i];
		uint32_t slot = 0, type = 0;

		if (g->service >= 0) {
			struct service *o = &st.svc.s[g->service];
			slot = o->running ? o->proc : 0;
			type = MNOS_OBJ_PROCESS;
		} else {
			slot = boot_cap(g->name, &type);
			if (!slot) {
				/* This machine has none (no framebuffer: no "fb"), or the
				 * kernel kept it (debug.serial): the service starts without
				 * it and decides what that means. */
				if (!s->starts)
					printf("init: %s: no boot capability %s to grant; "
					       "started without it\n", s->name, g->name);
				continue;
			}
		}
		if (!slot) {
			printf("init: %s: cannot grant %s: init has no such capability now\n",
			       s->name, g->name);
			return E_NOT_FOUND;
		}
		caps[n++] = (struct mnos_spawn_cap){ slot, type, CAP_R_ALL, g->name };
	}
	const char *argv[SERVICE_MAX_ARGS + 1];
	argv[0] = s->name;
	for (unsigned i = 0; i < s->nargs; i++)
		argv[1 + i] = s->args[i];
	struct mnos_spawn_args a = {
		.argv = argv, .argc = 1 + s->nargs, .caps = caps, .ncaps = n,
		.nslots = s->slots, .quota = s->quota, .fault = s->sup_slot,
	};
	struct mnos_spawned sp;
	mnos_lock(&st.lock);
	s->exit_reported = false;
	mnos_unlock(&st.lock);
	enum mnos_error err = mnos_spawn(e.data, e.size, &a, &sp);

	if (err != E_OK) {
		char why[96] = "";
		if (err == E_INVAL)
			snprintf(why, sizeof(why), ": %s", elf_strerror(sp.error));
		printf("init: %s: cannot start %s: %s%s\n", s->name, s->path,
		       kerr_name((kerr_t)err), why);
		return err;
	}
	s->proc = sp.proc;
	s->thread = sp.thread;
	s->running = true;
	s->starts++;
	return E_OK;
}

/* The service has no threads left: forget it, its names, and start it again if it may. */
static void service_ended(struct service *s, bool faulted)
{
	uint32_t slots[NAMES_MAX];
	mnos_lock(&st.lock);
	unsigned dropped = names_drop_owner(&st.names, s->badge, slots, NAMES_MAX);
	mnos_unlock(&st.lock);
	for (unsigned i = 0; i < dropped; i++)
		mnos_slot_free(slots[i]);
	mnos_slot_free(s->thread);
	mnos_slot_free(s->proc);            /* its last capability: the process goes */
	s->running = false;
	mnos_lock(&st.lock);
	bool reported = s->exit_reported;
	int status = s->exit_status;
	mnos_unlock(&st.lock);
	char how[48] = "";
	if (faulted)
		snprintf(how, sizeof(how), " after a fault");
	else if (reported)
		snprintf(how, sizeof(how), " with exit status %d", status);
	/* A service restarted always (the shell) comes back whatever its status. */
	if (!faulted && reported && status == 0 && s->max_restarts != RESTART_ALWAYS) {
		printf("init: %s finished%s; %u name(s) dropped; not restarted\n", s->name, how,
		       dropped);
		return;
	}
	if (s->restarts_done >= s->max_restarts) {
		printf("init: %s ended%s; %u name(s) dropped; not restarted (%u restarts "
		       "already)\n", s->name, how, dropped, s->restarts_done);
		return;
	}
	s->restarts_done++;
	if (s->max_restarts == RESTART_ALWAYS) {
		printf("init: %s ended%s; %u name(s) dropped; restarting it\n", s->name, how,
		       dropped);
		mnos_sleep(100000000);  /* a program that ends at once does not spin */
	} else {
		printf("init: %s ended%s; %u name(s) dropped; restarting it (%u of %u)\n",
		       s->name, how, dropped, s->restarts_done, s->max_restarts);
	}
	start_service(s);
}

static void supervise(void)
{
	for (;;) {
		uint64_t bits = 0;

		if (mnos_notify_wait(st.sup, &bits) != E_OK) {
			printf("init: the supervisor notification failed\n");
			return;
		}
		for (unsigned i = 0; i < st.svc.n; i++) {
			struct service *s = &st.svc.s[i];
			uint64_t b = (bits >> (2 * i)) & 3;

			if ((b & 1) && !(b & 2))
				printf("init: %s: a thread died of a fault\n", s->name);
			if ((b & 2) && s->running)
				service_ended(s, b & 1);
		}
	}
}

/* ---- the name directory's server thread ---- */

static void drop_caps(struct mnos_rpc_msg *m)
{
	for (unsigned i = 0; i < m->ncaps; i++)
		if (m->caps[i])
			mnos_slot_free(m->caps[i]);
	m->ncaps = 0;
}

/* INIT_EXIT, through a service's "init" capability (badge: REPORT_BADGE | index + 1). */
static int exit_report(struct mnos_rpc_request *r)
{
	uint64_t i = (r->badge & ~REPORT_BADGE) - 1;

	drop_caps(&r->in);
	if (r->op != INIT_EXIT || r->in.len)
		return E_INVAL;
	if (i >= st.svc.n)
		return E_PERM;
	mnos_lock(&st.lock);
	st.svc.s[i].exit_reported = true;
	st.svc.s[i].exit_status = (int)r->in.w[0];
	mnos_unlock(&st.lock);
	return E_OK;
}

static int names_handle(void *ctx, struct mnos_rpc_request *r)
{
	char name[MNOS_NAME_MAX];
	uint32_t slot = 0;
	kerr_t e;

	if (r->badge & REPORT_BADGE)
		return exit_report(r);

	if (r->in.len == 0 || r->in.len >= MNOS_NAME_MAX) {
		drop_caps(&r->in);
		return E_INVAL;
	}
	memcpy(name, r->in.data, r->in.len);
	name[r->in.len] = 0;
	if (!name_valid(name, r->in.len)) {
		drop_caps(&r->in);
		return E_INVAL;
	}
	switch (r->op) {
	case NAMES_REGISTER:
		if (r->in.ncaps != 1 || !r->in.caps[0]) {
			drop_caps(&r->in);
			return E_INVAL;
		}
		mnos_lock(&st.lock);
		e = names_register(&st.names, name, r->in.caps[0], r->badge);
		mnos_unlock(&st.lock);
		if (e != E_OK)
			drop_caps(&r->in);
		else
			printf("init: %s is now registered\n", name);
		return e;
	case NAMES_LOOKUP:
		drop_caps(&r->in);
		mnos_lock(&st.lock);
		e = names_lookup(&st.names, name, &slot, &r->out.w[0]);
		mnos_unlock(&st.lock);
		if (e == E_OK) {
			r->out.caps[0] = slot;
			r->out.rights[0] = CAP_R_SEND;
			r->out.ncaps = 1;
		}
		return e;
	case NAMES_UNREGISTER:
		drop_caps(&r->in);
		mnos_lock(&st.lock);
		e = names_unregister(&st.names, name, r->badge, &slot);
		mnos_unlock(&st.lock);
		if (e == E_OK)
			mnos_slot_free(slot);
		return e;
	default:
		drop_caps(&r->in);
		return E_NOSYS;
	}
}

static void names_thread(void *unused)
{
	struct mnos_rpc_server srv = {
		.ep = st.names_ep, .reply = st.names_reply, .buf = mnos_ipc_buffer(),
		.data = st.req_buf, .size = sizeof(st.req_buf), .handle = names_handle, .ctx = &st,
	};

	if (!srv.buf) {
		printf("init: no IPC buffer for the name directory\n");
		mnos_thread_exit();
	}
	int e = mnos_rpc_serve(&srv);
	printf("init: the name directory stopped: %s\n", kerr_name((kerr_t)e));
	mnos_thread_exit();
}

/* ---- start-up ---- */

static bool load_config(const char *path, bool required)
{
	struct ustar_entry e;
	enum ustar_error ue = ustar_find(st.archive, st.archive_size, path, &e);

	if (ue != USTAR_OK) {
		if (required || ue != USTAR_E_NOT_FOUND)
			printf("init: %s: %s\n", path, ustar_strerror(ue));
		return false;
	}
	char err[128];
	if (!config_parse(&st.svc, e.data, e.size, err, sizeof(err))) {
		printf("init: %s: %s\n", path, err);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	uint32_t type;
	uint32_t ramfs = boot_cap("initramfs", &type), bim = boot_cap("bootinfo", &type);

	const struct mnos_bootinfo *bi = bim ? mnos_map_ro(bim, sizeof(*bi)) : NULL;
	if (!bi || bi->magic != MNOS_BOOTINFO_MAGIC || !ramfs) {
		printf("init: started without its boot information or initramfs\n");
		return 1;
	}
	st.archive_size = bi->initramfs_size;
	st.archive = mnos_map_ro(ramfs, st.archive_size);
	if (!st.archive) {
		printf("init: cannot map the initramfs\n");
		return 1;
	}
	printf("init: %llu MiB of memory, %u CPU(s), %llu KiB initramfs\n",
	       (unsigned long long)(bi->mem_total >> 20), bi->cpus,
	       (unsigned long long)(bi->initramfs_size >> 10));

	st.sup = mnos_slot_alloc();
	st.names_ep = mnos_slot_alloc();
	st.names_reply = mnos_slot_alloc();
	if (!st.sup || !st.names_ep || !st.names_reply ||
	    mnos_obj_create(MNOS_OBJ_NOTIFICATION, st.sup, 0, 0) != E_OK ||
	    mnos_obj_create(MNOS_OBJ_ENDPOINT, st.names_ep, 0, 0) != E_OK ||
	    mnos_obj_create(MNOS_OBJ_REPLY, st.names_reply, 0, 0) != E_OK) {
		printf("init: cannot make the name directory's objects\n");
		return 1;
	}
	if (!load_config("etc/init.conf", true))
		return 1;
	if (cmdline_has(bi->cmdline, "init.test"))
		load_config("etc/init-test.conf", true);

	/* Each service: a badged capability to the directory (the badge says who asks)
	 * and one to the supervisor notification (its two bits). */
	for (unsigned i = 0; i < st.svc.n; i++) {
		struct service *s = &st.svc.s[i];
		s->badge = i + 1;
		s->names_slot = mnos_slot_alloc();
		s->sup_slot = mnos_slot_alloc();
		s->report_slot = mnos_slot_alloc();
		if (!s->names_slot || !s->sup_slot || !s->report_slot ||
		    mnos_cap_mint(st.names_ep, s->names_slot, CAP_R_SEND | CAP_R_DERIVE,
				  s->badge) != E_OK ||
		    mnos_cap_mint(st.names_ep, s->report_slot, CAP_R_SEND | CAP_R_DERIVE,
				  s->badge | REPORT_BADGE) != E_OK ||
		    mnos_cap_mint(st.sup, s->sup_slot, CAP_R_SIGNAL | CAP_R_DERIVE,
				  1ull << (2 * i)) != E_OK) {
			printf("init: out of slots for the services\n");
			return 1;
		}
	}
	if (mnos_thread_start(names_thread, NULL, 0, NULL) != E_OK) {
		printf("init: cannot start the name directory\n");
		return 1;
	}
	for (unsigned i = 0; i < st.svc.n; i++) {
		struct service *s = &st.svc.s[i];
		if (s->unless[0] && cmdline_has(bi->cmdline, s->unless))
			printf("init: %s not started (the command line says %s)\n", s->name, s->unless);
		else if (start_service(s) == E_OK)
			printf("init: started %s (%s)\n", s->name, s->path);
	}
	supervise();
	return 0;
}
