/* The process service's table (procsvc.h). Pure: the host tests compile it. */
#include "procsvc.h"
#include <klib.h>

void pt_init(struct ptable *t)
{
	memset(t, 0, sizeof(*t));
	t->next_pid = 1;
}

uint64_t pt_connect(struct ptable *t)
{
	for (unsigned i = 0; i < PT_SESSIONS; i++)
		if (!t->session[i]) {
			t->session[i] = true;
			return PT_SESSION_BASE + i;
		}
	return 0;
}

int pt_find(const struct ptable *t, uint32_t pid)
{
	for (int i = 0; pid && i < PT_MAX; i++)
		if (t->p[i].pid == pid)
			return i;
	return -1;
}

bool pt_client_valid(const struct ptable *t, uint64_t badge)
{
	if (badge >= PT_SESSION_BASE)
		return badge - PT_SESSION_BASE < PT_SESSIONS &&
		       t->session[badge - PT_SESSION_BASE];
	int i = badge <= PT_PID_MAX ? pt_find(t, (uint32_t)badge) : -1;
	return i >= 0 && (t->p[i].state == MNOS_PROC_RUNNING ||
			  t->p[i].state == MNOS_PROC_EXITING);
}

static unsigned children(const struct ptable *t, uint64_t client)
{
	unsigned n = 0;

	for (unsigned i = 0; i < PT_MAX; i++)
		n += t->p[i].pid && t->p[i].parent == client;
	return n;
}

static uint32_t new_pid(struct ptable *t)
{
	for (;;) {
		uint32_t pid = t->next_pid;
		t->next_pid = pid == PT_PID_MAX ? 1 : pid + 1;
		if (pt_find(t, pid) < 0)        /* PT_MAX entries: one is free soon */
			return pid;
	}
}

kerr_t pt_reserve(struct ptable *t, uint64_t client, const char *name, int *idx)
{
	if (!pt_client_valid(t, client))
		return E_PERM;
	if (children(t, client) >= PT_CHILDREN_MAX)
		return E_NO_MEMORY;
	for (int i = 0; i < PT_MAX; i++)
		if (!t->p[i].pid) {
			struct pt_proc *p = &t->p[i];
			memset(p, 0, sizeof(*p));
			p->pid = new_pid(t);
			p->parent = client;
			strlcpy(p->name, name, sizeof(p->name));
			*idx = i;
			return E_OK;
		}
	return E_NO_MEMORY;
}

void pt_started(struct ptable *t, int idx, uint32_t proc, uint32_t thread, uint64_t mem,
		uint64_t quota)
{
	struct pt_proc *p = &t->p[idx];

	p->state = MNOS_PROC_RUNNING;
	p->proc = proc;
	p->thread = thread;
	p->mem = mem;
	p->quota = quota;
}

void pt_release(struct ptable *t, int idx)
{
	memset(&t->p[idx], 0, sizeof(t->p[idx]));
}

kerr_t pt_exit(struct ptable *t, uint64_t client, int code)
{
	int i = client && client <= PT_PID_MAX ? pt_find(t, (uint32_t)client) : -1;

	if (i < 0 || (t->p[i].state != MNOS_PROC_RUNNING && t->p[i].state != MNOS_PROC_EXITING))
		return E_PERM;
	if (t->p[i].state == MNOS_PROC_RUNNING) {
		t->p[i].state = MNOS_PROC_EXITING;
		t->p[i].status = code;
	}
	return E_OK;
}

/* Is anc (a badge, not 0) an ancestor of entry i: its parent, its parent's parent, ...?
 * The chain ends at a session (no parent above it) or at 0; it is never longer than the
 * table, which bounds the walk even if the links were ever wrong. */
static bool descends_from(const struct ptable *t, int i, uint64_t anc)
{
	for (unsigned n = 0; n < PT_MAX; n++) {
		uint64_t up = t->p[i].parent;
		if (up == anc)
			return true;
		if (!up || up > PT_PID_MAX)
			return false;
		if ((i = pt_find(t, (uint32_t)up)) < 0)
			return false;
	}
	return false;
}

bool pt_may_kill(const struct ptable *t, uint64_t client, int i)
{
	if (!client)
		return false;
	if (t->p[i].pid == client || descends_from(t, i, client))
		return true;
	/* The client's parent: a process of the table, or a session. */
	int c = client <= PT_PID_MAX ? pt_find(t, (uint32_t)client) : -1;
	return c >= 0 && t->p[c].parent && descends_from(t, i, t->p[c].parent);
}

kerr_t pt_kill(struct ptable *t, uint64_t client, uint32_t pid, int *idx)
{
	int i = pt_find(t, pid);

	if (i < 0 || !t->p[i].state)
		return E_NOT_FOUND;
	struct pt_proc *p = &t->p[i];
	if (!pt_may_kill(t, client, i))
		return E_PERM;
	*idx = -1;
	if (p->state == MNOS_PROC_ZOMBIE)
		return E_OK;
	if (p->state == MNOS_PROC_RUNNING)
		p->killed = true;
	*idx = i;
	return E_OK;
}

/* The wait w is answered: with the ended child j (reaped), or with err. */
static void answer(struct ptable *t, struct pt_waiter *w, int j, int err,
		   struct pt_answer *a)
{
	*a = (struct pt_answer){ .reply = w->reply, .err = err };
	if (j >= 0) {
		a->pid = t->p[j].pid;
		a->status = t->p[j].status;
		memset(&t->p[j], 0, sizeof(t->p[j]));
	}
	memset(w, 0, sizeof(*w));
}

/* An ended child of client that pid (0: any) matches: its entry, else -1; *any says
 * whether any child matches at all. */
static int ended_child(const struct ptable *t, uint64_t client, uint32_t pid, bool *any)
{
	*any = false;
	for (int i = 0; i < PT_MAX; i++) {
		const struct pt_proc *p = &t->p[i];
		if (!p->pid || p->parent != client || (pid && p->pid != pid))
			continue;
		*any = true;
		if (p->state == MNOS_PROC_ZOMBIE)
			return i;
	}
	return -1;
}

/* Answer every open wait that can be now. */
static unsigned settle(struct ptable *t, struct pt_answer *ans, unsigned n)
{
	for (unsigned k = 0; k < PT_WAITERS; k++) {
		struct pt_waiter *w = &t->w[k];
		bool any;
		if (!w->client)
			continue;
		int j = ended_child(t, w->client, w->pid, &any);
		if (j >= 0)
			answer(t, w, j, E_OK, &ans[n++]);
		else if (!any)
			answer(t, w, -1, E_NOT_FOUND, &ans[n++]);
	}
	return n;
}

unsigned pt_ended(struct ptable *t, int idx, bool faulted, struct pt_answer *ans)
{
	struct pt_proc *p = &t->p[idx];
	uint64_t self = p->pid;
	unsigned n = 0;

	if (p->state == MNOS_PROC_EXITING)
		p->status = MNOS_PROC_STATUS(MNOS_PROC_EXITED, p->status);
	else if (p->killed)
		p->status = MNOS_PROC_STATUS(MNOS_PROC_KILLED, 0);
	else if (faulted || p->faulted)
		p->status = MNOS_PROC_STATUS(MNOS_PROC_FAULTED, 0);
	else
		p->status = MNOS_PROC_STATUS(MNOS_PROC_VANISHED, 0);
	p->state = MNOS_PROC_ZOMBIE;
	p->proc = p->thread = 0;

	/* Its children go to its parent; with none, ended ones are forgotten at once. */
	for (int i = 0; i < PT_MAX; i++) {
		struct pt_proc *c = &t->p[i];
		if (!c->pid || c->parent != self)
			continue;
		c->parent = p->parent;
		if (!c->parent && c->state == MNOS_PROC_ZOMBIE)
			memset(c, 0, sizeof(*c));
	}
	/* Its own waits: nobody is left to answer. */
	for (unsigned k = 0; k < PT_WAITERS; k++)
		if (t->w[k].client == self)
			answer(t, &t->w[k], -1, PT_DROP, &ans[n++]);
	if (!p->parent)
		memset(p, 0, sizeof(*p));
	return settle(t, ans, n);
}

int pt_wait(struct ptable *t, uint64_t client, uint32_t pid, bool nohang, uint32_t reply,
	    struct pt_answer *now)
{
	bool any;

	if (!pt_client_valid(t, client))
		return E_PERM;
	if (pid) {
		int i = pt_find(t, pid);
		if (i < 0 || !t->p[i].state)
			return E_NOT_FOUND;
		if (t->p[i].parent != client)
			return E_PERM;
	}
	int j = ended_child(t, client, pid, &any);
	if (!any)
		return E_NOT_FOUND;
	if (j >= 0) {
		struct pt_waiter w = { .client = client };
		answer(t, &w, j, E_OK, now);
		return E_OK;
	}
	if (nohang)
		return E_WOULD_BLOCK;
	unsigned open = 0;
	int free_w = -1;
	for (int k = 0; k < PT_WAITERS; k++) {
		open += t->w[k].client == client;
		if (!t->w[k].client && free_w < 0)
			free_w = k;
	}
	if (!reply || open >= PT_WAITS_MAX || free_w < 0)
		return E_NO_MEMORY;
	t->w[free_w] = (struct pt_waiter){ .client = client, .pid = pid, .reply = reply };
	return PT_DEFER;
}

size_t pt_list(const struct ptable *t, uint32_t from, struct mnos_proc_info *out,
	       size_t max, uint32_t *next)
{
	size_t n = 0;

	*next = 0;
	for (;;) {
		int best = -1;
		for (int i = 0; i < PT_MAX; i++)
			if (t->p[i].state && t->p[i].pid >= from &&
			    (best < 0 || t->p[i].pid < t->p[best].pid))
				best = i;
		if (best < 0)
			return n;
		const struct pt_proc *p = &t->p[best];
		if (n == max) {
			*next = p->pid;
			return n;
		}
		struct mnos_proc_info *o = &out[n++];
		memset(o, 0, sizeof(*o));
		o->pid = p->pid;
		o->ppid = p->parent <= PT_PID_MAX ? (uint32_t)p->parent : 0;
		o->state = p->state;
		o->status = p->state == MNOS_PROC_ZOMBIE ? p->status : 0;
		o->mem = p->mem;
		o->quota = p->quota;
		strlcpy(o->name, p->name, sizeof(o->name));
		if (p->pid == PT_PID_MAX)
			return n;
		from = p->pid + 1;
	}
}
