/*
 * The process service's pure parts on the host under ASan and UBSan (docs/PROCESSES.md):
 * the request packing (user/lib/procmsg.c), the table (user/procsvc/table.c) — limits,
 * statuses, orphans, held waits, the list — the start-up stack with an environment
 * (kernel/exec/elf_stack.c), and the index of the programs (user/procsvc/programs.c) over
 * archives of the ustar corpus (tests/tar/).
 */
#include <criterion/criterion.h>
#include <string.h>
#include <elf.h>
#include <mnos/start.h>
#include "../../user/procsvc/procsvc.h"
#include "../../user/procsvc/programs.h"
#include "host_corpus.h"

#include "host_strlcpy.h"

/* ---- packing ---- */

Test(strv, packs_and_unpacks_what_it_packed)
{
	const char *a[] = { "bin/x", "", "arg two" }, *b[] = { "K=v" }, *out[4];
	char buf[64];
	size_t len = 0;

	cr_assert_eq(mnos_strv_pack(buf, sizeof(buf), &len, a, 3), E_OK);
	cr_assert_eq(mnos_strv_pack(buf, sizeof(buf), &len, b, 1), E_OK);
	cr_assert_eq(mnos_strv_pack(buf, sizeof(buf), &len, NULL, 0), E_OK);
	cr_assert_eq(len, 6 + 1 + 8 + 4);
	cr_assert_eq(mnos_strv_unpack(buf, len, out, 4), E_OK);
	cr_assert_str_eq(out[0], "bin/x");
	cr_assert_str_eq(out[1], "");
	cr_assert_str_eq(out[2], "arg two");
	cr_assert_str_eq(out[3], "K=v");
	/* Other counts than were packed are refused. */
	cr_assert_eq(mnos_strv_unpack(buf, len, out, 3), E_INVAL);      /* bytes left over */
	const char *five[5];
	cr_assert_eq(mnos_strv_unpack(buf, len, five, 5), E_INVAL);     /* too few */
	cr_assert_eq(mnos_strv_unpack(buf, 0, out, 0), E_OK);
}

Test(strv, refuses_what_does_not_fit_or_is_not_there)
{
	const char *a[] = { "0123456789" }, *nul[] = { "a", NULL }, *out[2];
	char buf[16];
	size_t len = 0;

	cr_assert_eq(mnos_strv_pack(buf, sizeof(buf), &len, a, 1), E_OK);
	cr_assert_eq(mnos_strv_pack(buf, sizeof(buf), &len, a, 1), E_RANGE);
	cr_assert_eq(len, 11);                                          /* unchanged */
	cr_assert_eq(mnos_strv_pack(buf, sizeof(buf), &len, nul, 2), E_INVAL);
	cr_assert_eq(mnos_strv_pack(buf, sizeof(buf), &len, NULL, 1), E_INVAL);
	cr_assert_eq(len, 11);
	/* No NUL at the end: the last string is cut off. */
	cr_assert_eq(mnos_strv_unpack("abc", 3, out, 1), E_INVAL);
	cr_assert_eq(mnos_strv_unpack("a\0bc", 4, out, 2), E_INVAL);
}

Test(env, finds_names_exactly)
{
	char *env[] = { "PATHX=1", "PATH=/bin", "EMPTY=", "=odd", "NOEQ", NULL };

	cr_assert_str_eq(mnos_env_find(env, "PATH"), "/bin");
	cr_assert_str_eq(mnos_env_find(env, "EMPTY"), "");
	cr_assert_null(mnos_env_find(env, "PAT"));
	cr_assert_null(mnos_env_find(env, "NOEQ"));
	cr_assert_null(mnos_env_find(env, ""));
	cr_assert_null(mnos_env_find(env, "A=B"));
	cr_assert_null(mnos_env_find(NULL, "PATH"));
}

/* ---- the table ---- */

static struct ptable t;
static struct pt_answer ans[PT_WAITERS];

/* A running child of client, named x: its entry. */
static int start(uint64_t client)
{
	int idx;

	cr_assert_eq(pt_reserve(&t, client, "x", &idx), E_OK);
	pt_started(&t, idx, 100 + idx, 200 + idx, 4096, 1 << 20);
	return idx;
}

static uint32_t pid_of(int idx)
{
	return t.p[idx].pid;
}

Test(table, clients_are_sessions_or_running_processes)
{
	pt_init(&t);
	cr_assert(!pt_client_valid(&t, 0));
	uint64_t s = pt_connect(&t);
	cr_assert_eq(s, PT_SESSION_BASE);
	cr_assert(pt_client_valid(&t, s));
	cr_assert(!pt_client_valid(&t, s + 1));
	cr_assert(!pt_client_valid(&t, PT_SESSION_BASE + PT_SESSIONS));
	int idx;
	cr_assert_eq(pt_reserve(&t, 5, "x", &idx), E_PERM);             /* no such pid */
	int a = start(s);
	cr_assert(pt_client_valid(&t, pid_of(a)));
	for (unsigned i = 1; i < PT_SESSIONS; i++)
		cr_assert_neq(pt_connect(&t), 0);
	cr_assert_eq(pt_connect(&t), 0);                                /* all taken */
}

Test(table, a_client_has_at_most_its_children_and_the_table_its_size)
{
	pt_init(&t);
	uint64_t s = pt_connect(&t), s2 = pt_connect(&t);
	int idx;

	for (int i = 0; i < PT_CHILDREN_MAX; i++)
		start(s);
	cr_assert_eq(pt_reserve(&t, s, "x", &idx), E_NO_MEMORY);
	/* One ended and waited for: room again. */
	cr_assert_eq(pt_ended(&t, 0, false, ans), 0);
	struct pt_answer now;
	cr_assert_eq(pt_wait(&t, s, 0, false, 0, &now), E_OK);
	cr_assert_eq(pt_reserve(&t, s, "x", &idx), E_OK);
	pt_release(&t, idx);
	/* The table fills with several clients' children and grandchildren. */
	const uint64_t parents[] = { s2, pid_of(1), pid_of(2), pid_of(3) };
	for (int used = PT_CHILDREN_MAX - 1, k = 0, c = 0; used < PT_MAX; used++, c++) {
		if (c == PT_CHILDREN_MAX) {
			k++;
			c = 0;
		}
		start(parents[k]);
	}
	cr_assert_eq(pt_reserve(&t, pid_of(4), "x", &idx), E_NO_MEMORY);
}

Test(table, pids_are_not_reused_while_taken_and_wrap)
{
	pt_init(&t);
	uint64_t s = pt_connect(&t);
	int a = start(s), b = start(s);

	cr_assert_eq(pid_of(a), 1);
	cr_assert_eq(pid_of(b), 2);
	t.next_pid = PT_PID_MAX;
	int c = start(s);
	cr_assert_eq(pid_of(c), PT_PID_MAX);
	int d = start(s);
	cr_assert_eq(pid_of(d), 3);                     /* 1 and 2 are taken */
	cr_assert_eq(pt_find(&t, 3), d);
	cr_assert_eq(pt_find(&t, 0), -1);
}

Test(table, statuses_say_how_a_program_ended)
{
	pt_init(&t);
	uint64_t s = pt_connect(&t);
	int ex = start(s), ex2 = start(s), kl = start(s), kx = start(s), fl = start(s),
	    fl2 = start(s), vn = start(s);
	int idx;

	cr_assert_eq(pt_exit(&t, pid_of(ex), 300), E_OK);
	cr_assert_eq(pt_exit(&t, pid_of(ex), 5), E_OK);                 /* the first stays */
	cr_assert_eq(pt_exit(&t, s, 1), E_PERM);                        /* not a process */
	cr_assert_eq(pt_exit(&t, pid_of(ex2), -1), E_OK);
	cr_assert_eq(pt_kill(&t, s, pid_of(kl), &idx), E_OK);
	cr_assert_eq(idx, kl);
	cr_assert_eq(pt_exit(&t, pid_of(kx), 4), E_OK);                 /* exit, then kill */
	cr_assert_eq(pt_kill(&t, s, pid_of(kx), &idx), E_OK);
	t.p[fl2].faulted = true;                                        /* a thread earlier */
	pt_ended(&t, ex, false, ans);
	pt_ended(&t, ex2, true, ans);
	pt_ended(&t, kl, true, ans);
	pt_ended(&t, kx, false, ans);
	pt_ended(&t, fl, true, ans);
	pt_ended(&t, fl2, false, ans);
	pt_ended(&t, vn, false, ans);
	cr_assert_eq(t.p[ex].status, MNOS_PROC_STATUS(MNOS_PROC_EXITED, 300 & 0xff));
	cr_assert_eq(t.p[ex2].status, MNOS_PROC_STATUS(MNOS_PROC_EXITED, 255));
	cr_assert_eq(t.p[kl].status, MNOS_PROC_STATUS(MNOS_PROC_KILLED, 0));
	cr_assert_eq(t.p[kx].status, MNOS_PROC_STATUS(MNOS_PROC_EXITED, 4));
	cr_assert_eq(t.p[fl].status, MNOS_PROC_STATUS(MNOS_PROC_FAULTED, 0));
	cr_assert_eq(t.p[fl2].status, MNOS_PROC_STATUS(MNOS_PROC_FAULTED, 0));
	cr_assert_eq(t.p[vn].status, MNOS_PROC_STATUS(MNOS_PROC_VANISHED, 0));
	cr_assert_eq(t.p[vn].state, MNOS_PROC_ZOMBIE);
	cr_assert_eq(t.p[vn].proc, 0);
	/* An ended one is no client any more, and killing it again does nothing. */
	cr_assert(!pt_client_valid(&t, pid_of(vn)));
	cr_assert_eq(pt_kill(&t, s, pid_of(vn), &idx), E_OK);
	cr_assert_eq(idx, -1);
}

/*
 * The kill rule: a client may kill what it or its parent started, and their
 * descendants. The tree: session s started a and b (a shell and a job, say); a
 * started a1 (the shell's job) and k (a kill the shell runs); a1 started g; session
 * other started o; b started b1.
 */
Test(table, kill_reaches_what_the_client_or_its_parent_started)
{
	pt_init(&t);
	uint64_t s = pt_connect(&t), other = pt_connect(&t);
	int a = start(s), b = start(s), o = start(other);
	int a1 = start(pid_of(a)), k = start(pid_of(a)), b1 = start(pid_of(b));
	int g = start(pid_of(a1));
	uint64_t kc = pid_of(k);

	/* k: its siblings, their descendants, itself. */
	cr_assert(pt_may_kill(&t, kc, a1));
	cr_assert(pt_may_kill(&t, kc, g));
	cr_assert(pt_may_kill(&t, kc, k));
	/* Not its parent, its parent's siblings or their children, nor another client's. */
	cr_assert(!pt_may_kill(&t, kc, a));
	cr_assert(!pt_may_kill(&t, kc, b));
	cr_assert(!pt_may_kill(&t, kc, b1));
	cr_assert(!pt_may_kill(&t, kc, o));
	/* An ancestor reaches every descendant; a session has no parent to widen it. */
	cr_assert(pt_may_kill(&t, s, g));
	cr_assert(pt_may_kill(&t, pid_of(a), g));
	cr_assert(!pt_may_kill(&t, other, a));
	cr_assert(!pt_may_kill(&t, other, g));
	cr_assert(!pt_may_kill(&t, pid_of(g), a1));     /* g's parent is a1 itself */
	cr_assert(pt_may_kill(&t, pid_of(b1), b1));
	cr_assert(!pt_may_kill(&t, pid_of(b1), a));
	cr_assert(!pt_may_kill(&t, 0, a));              /* badge 0 is nobody */
	int idx;
	cr_assert_eq(pt_kill(&t, kc, pid_of(g), &idx), E_OK);
	cr_assert_eq(idx, g);
	cr_assert(t.p[g].killed);
	cr_assert_eq(pt_kill(&t, kc, pid_of(a), &idx), E_PERM);
	cr_assert(!t.p[a].killed);
	cr_assert_eq(pt_kill(&t, kc, pid_of(o), &idx), E_PERM);
	/* a1 ends: g goes to a, and k reaches it still (now its sibling). */
	pt_ended(&t, a1, false, ans);
	cr_assert_eq(t.p[g].parent, pid_of(a));
	cr_assert(pt_may_kill(&t, kc, g));
	/* Parentless (the parent's own parent gone): a program reaches only its own. */
	t.p[a].parent = 0;
	cr_assert(!pt_may_kill(&t, pid_of(a), b));
	cr_assert(pt_may_kill(&t, pid_of(a), g));
}

/* The ancestor walk ends even if the links were ever to form a cycle. */
Test(table, the_ancestor_walk_is_bounded)
{
	pt_init(&t);
	uint64_t s = pt_connect(&t), other = pt_connect(&t);
	int a = start(s), b = start(pid_of(a));

	t.p[a].parent = pid_of(b);                      /* a cycle: a -> b -> a */
	cr_assert(!pt_may_kill(&t, other, a));
	cr_assert(pt_may_kill(&t, pid_of(a), b));
}

Test(table, only_the_parent_may_wait_and_strangers_may_not_kill)
{
	pt_init(&t);
	uint64_t s = pt_connect(&t), other = pt_connect(&t);
	int a = start(s), idx;
	struct pt_answer now;

	cr_assert_eq(pt_kill(&t, other, pid_of(a), &idx), E_PERM);
	cr_assert_eq(pt_kill(&t, s, 999, &idx), E_NOT_FOUND);
	cr_assert_eq(pt_kill(&t, pid_of(a), pid_of(a), &idx), E_OK);    /* itself */
	cr_assert_eq(pt_wait(&t, other, pid_of(a), true, 0, &now), E_PERM);
	cr_assert_eq(pt_wait(&t, s, 999, true, 0, &now), E_NOT_FOUND);
	cr_assert_eq(pt_wait(&t, other, 0, true, 0, &now), E_NOT_FOUND);    /* no children */
	cr_assert_eq(pt_wait(&t, 0, 0, true, 0, &now), E_PERM);
	cr_assert_eq(pt_wait(&t, s, pid_of(a), true, 0, &now), E_WOULD_BLOCK);
}

Test(table, held_waits_are_answered_when_a_child_ends)
{
	pt_init(&t);
	uint64_t s = pt_connect(&t);
	int a = start(s), b = start(s);
	uint32_t pa = pid_of(a), pb = pid_of(b);
	struct pt_answer now;

	cr_assert_eq(pt_wait(&t, s, pb, false, 0, &now), E_NO_MEMORY);  /* no reply object */
	cr_assert_eq(pt_wait(&t, s, pb, false, 11, &now), PT_DEFER);
	cr_assert_eq(pt_wait(&t, s, 0, false, 12, &now), PT_DEFER);
	/* a ends: the wait for any takes it; the wait for b stays. */
	cr_assert_eq(pt_exit(&t, pa, 3), E_OK);
	cr_assert_eq(pt_ended(&t, a, false, ans), 1);
	cr_assert_eq(ans[0].reply, 12);
	cr_assert_eq(ans[0].err, E_OK);
	cr_assert_eq(ans[0].pid, pa);
	cr_assert_eq(ans[0].status, MNOS_PROC_STATUS(MNOS_PROC_EXITED, 3));
	cr_assert_eq(pt_find(&t, pa), -1);                              /* reaped */
	cr_assert_eq(pt_ended(&t, b, false, ans), 1);
	cr_assert_eq(ans[0].reply, 11);
	cr_assert_eq(ans[0].pid, pb);
	/* Every wait at once: the limit per client. */
	int c = start(s);
	for (int i = 0; i < PT_WAITS_MAX; i++)
		cr_assert_eq(pt_wait(&t, s, 0, false, 20 + i, &now), PT_DEFER);
	cr_assert_eq(pt_wait(&t, s, 0, false, 30, &now), E_NO_MEMORY);
	/* c ends: one wait gets it, the others have nothing left to wait for. */
	unsigned n = pt_ended(&t, c, false, ans);
	cr_assert_eq(n, PT_WAITS_MAX);
	unsigned got = 0, none = 0;
	for (unsigned i = 0; i < n; i++) {
		got += ans[i].err == E_OK;
		none += ans[i].err == E_NOT_FOUND;
	}
	cr_assert_eq(got, 1);
	cr_assert_eq(none, PT_WAITS_MAX - 1);
}

/* A fresh table with a session s, its child p (pid pp), and p's children c1 and c2. */
struct family {
	uint64_t s;
	int p, c1, c2;
	uint32_t pp;
};

static struct family family(void)
{
	struct family f;

	pt_init(&t);
	f.s = pt_connect(&t);
	f.p = start(f.s);
	f.pp = pid_of(f.p);
	f.c1 = start(f.pp);
	f.c2 = start(f.pp);
	return f;
}

Test(table, orphans_go_to_the_grandparent_and_an_ending_waiter_is_dropped)
{
	struct family f = family();
	uint64_t s = f.s;
	int p = f.p, c1 = f.c1, c2 = f.c2;
	uint32_t pp = f.pp;
	struct pt_answer now;

	cr_assert_eq(pt_wait(&t, pp, pid_of(c1), false, 40, &now), PT_DEFER);
	cr_assert_eq(pt_ended(&t, c2, false, ans), 0);                  /* a zombie of p's */
	int idx;
	cr_assert_eq(pt_kill(&t, s, pp, &idx), E_OK);
	unsigned n = pt_ended(&t, p, false, ans);
	cr_assert_eq(n, 1);
	cr_assert_eq(ans[0].reply, 40);
	cr_assert_eq(ans[0].err, PT_DROP);
	cr_assert_eq(t.p[c1].parent, s);
	cr_assert_eq(t.p[c2].parent, s);
	/* s now waits for all three. */
	cr_assert_eq(pt_wait(&t, s, pid_of(c2), false, 0, &now), E_OK);
	cr_assert_eq(pt_wait(&t, s, pp, false, 0, &now), E_OK);
	cr_assert_eq(now.status, MNOS_PROC_STATUS(MNOS_PROC_KILLED, 0));
	cr_assert_eq(pt_kill(&t, s, pid_of(c1), &idx), E_OK);
	cr_assert_eq(idx, c1);
}

Test(table, without_a_grandparent_ended_orphans_go_at_once)
{
	struct family f = family();
	int p = f.p, c1 = f.c1, c2 = f.c2;
	int g = start(pid_of(c1));

	t.p[p].parent = 0;                      /* as if its own parent had gone */
	pt_ended(&t, c2, false, ans);
	pt_ended(&t, p, false, ans);
	cr_assert_eq(t.p[p].pid, 0);            /* nobody to wait for it */
	cr_assert_eq(t.p[c2].pid, 0);
	cr_assert_eq(t.p[c1].parent, 0);        /* runs on, parentless */
	pt_ended(&t, c1, false, ans);
	cr_assert_eq(t.p[c1].pid, 0);
	cr_assert_eq(t.p[g].parent, 0);
}

Test(table, the_list_pages_in_pid_order)
{
	pt_init(&t);
	uint64_t s = pt_connect(&t), s2 = pt_connect(&t);
	struct mnos_proc_info out[PT_MAX];
	uint32_t next;
	int idx;

	for (int i = 0; i < 20; i++)
		start(i < 10 ? s : s2);
	cr_assert_eq(pt_reserve(&t, s, "being-made", &idx), E_OK);      /* not listed */
	t.p[3].pid = 1000;                                              /* out of order */
	size_t n = pt_list(&t, 1, out, 8, &next);
	cr_assert_eq(n, 8);
	cr_assert_eq(out[0].pid, 1);
	cr_assert_eq(out[3].pid, 5);
	cr_assert_eq(next, 10);
	cr_assert_str_eq(out[0].name, "x");
	cr_assert_eq(out[0].ppid, 0);                   /* a session: no pid */
	cr_assert_eq(out[0].state, MNOS_PROC_RUNNING);
	cr_assert_eq(out[0].mem, 4096);
	size_t total = n;
	while (next) {
		n = pt_list(&t, next, out, 8, &next);
		total += n;
	}
	cr_assert_eq(total, 20);
	cr_assert_eq(out[n - 1].pid, 1000);
	cr_assert_eq(pt_list(&t, 1001, out, 8, &next), 0);
	cr_assert_eq(next, 0);
}

/* ---- the start-up stack ---- */

static uint8_t stack[64 * 1024];
static struct elf_stack layout;

static void put(void *ctx, uint64_t off, const void *src, size_t len)
{
	cr_assert_leq(off + len, sizeof(stack));
	memcpy(stack + off, src, len);
}

static uint64_t word(uint64_t va)
{
	uint64_t w;

	memcpy(&w, stack + (va - layout.base), sizeof(w));
	return w;
}

static const char *str(uint64_t va)
{
	return (const char *)stack + (va - layout.base);
}

Test(stack, the_environment_follows_argv)
{
	const char *argv[] = { "prog", "a1" }, *envp[] = { "A=1", "HOME=/x", "Z=" };
	struct mnos_start_info si = { 0 };

	memset(stack, 0, sizeof(stack));
	cr_assert_eq(elf_stack_plan(2, 3, 5 + 3 + 4 + 8 + 3, sizeof(stack), &layout), E_OK);
	elf_stack_fill(&layout, argv, 2, envp, 3, &si, put, NULL);
	uint64_t sp = layout.sp;
	cr_assert_eq(sp % 16, 0);
	cr_assert_eq(word(sp), 2);
	cr_assert_str_eq(str(word(sp + 8)), "prog");
	cr_assert_str_eq(str(word(sp + 16)), "a1");
	cr_assert_eq(word(sp + 24), 0);
	cr_assert_str_eq(str(word(sp + 32)), "A=1");
	cr_assert_str_eq(str(word(sp + 40)), "HOME=/x");
	cr_assert_str_eq(str(word(sp + 48)), "Z=");
	cr_assert_eq(word(sp + 56), 0);
	cr_assert_eq(si.argv, sp + 8);
	cr_assert_lt(word(sp + 48) + 3, layout.info + 1);
	/* Without an environment: argv's NULL, then envp's. */
	memset(stack, 0, sizeof(stack));
	cr_assert_eq(elf_stack_plan(1, 0, 5, sizeof(stack), &layout), E_OK);
	elf_stack_fill(&layout, argv, 1, NULL, 0, &si, put, NULL);
	cr_assert_eq(word(layout.sp + 16), 0);
	cr_assert_eq(word(layout.sp + 24), 0);
	cr_assert_eq(elf_stack_plan(1, ELF_MAX_ARGS + 1, 5, sizeof(stack), &layout), E_RANGE);
}

/* ---- the index of the programs ---- */

/* An archive of the corpus and its index; the entries point into the archive. */
struct indexed {
	uint8_t *buf;
	struct prog_index ix;
};

static struct indexed index_of(const char *name)
{
	size_t size;
	struct indexed a = { .buf = corpus_read("tests/tar/", name, 1, &size) };

	cr_assert_eq(prog_index_build(&a.ix, a.buf + 1, size), E_OK);
	return a;
}

static void index_free(struct indexed *a)
{
	free(a->ix.e);
	free(a->buf);
}

static enum mnos_error find(const struct prog_index *ix, const char *path)
{
	const struct prog_entry *p = NULL;
	enum mnos_error e = prog_index_find(ix, path, &p);

	cr_assert_eq(e == E_OK, p != NULL, "%s", path);
	return e;
}

Test(programs, finds_files_and_refuses_what_is_not_one)
{
	struct indexed a = index_of("ok_basic.tar");
	struct prog_index ix = a.ix;
	const struct prog_entry *p;

	cr_assert_eq(ix.err, USTAR_OK);
	cr_assert_eq(ix.n, 5);
	for (size_t i = 1; i < ix.n; i++)
		cr_assert_lt(strcmp(ix.e[i - 1].path, ix.e[i].path), 0, "sorted");
	cr_assert_eq(prog_index_find(&ix, "bin/hello", &p), E_OK);
	cr_assert_eq(p->size, 17);
	cr_assert_eq(memcmp(p->data, "hello, initramfs\n", 17), 0);
	cr_assert_eq(prog_index_find(&ix, "//bin/hello", &p), E_OK);   /* leading '/'s */
	cr_assert_eq(prog_index_find(&ix, "etc/empty", &p), E_OK);
	cr_assert_eq(p->size, 0);
	cr_assert_eq(prog_index_find(&ix, "etc/init.conf", &p), E_OK);
	cr_assert_eq(p->size, 690);
	cr_assert_eq(find(&ix, "bin"), E_TYPE);
	cr_assert_eq(find(&ix, "/etc"), E_TYPE);
	cr_assert_eq(find(&ix, "bin/hell"), E_NOT_FOUND);
	cr_assert_eq(find(&ix, "bin/hello/"), E_NOT_FOUND);
	cr_assert_eq(find(&ix, "aaa"), E_NOT_FOUND);             /* before the first */
	cr_assert_eq(find(&ix, "zzz"), E_NOT_FOUND);             /* after the last */
	cr_assert_eq(find(&ix, ""), E_INVAL);
	cr_assert_eq(find(&ix, "/"), E_INVAL);
	cr_assert_eq(find(&ix, "bin/../bin/hello"), E_INVAL);
	cr_assert_eq(find(&ix, ".."), E_INVAL);
	cr_assert_eq(find(&ix, "bin/.."), E_INVAL);
	char lng[USTAR_PATH_MAX + 1];
	memset(lng, 'a', sizeof(lng) - 1);
	lng[USTAR_PATH_MAX] = 0;
	cr_assert_eq(find(&ix, lng), E_INVAL);
	index_free(&a);
}

Test(programs, a_path_twice_or_a_malformed_archive_is_refused)
{
	/* "a" twice (once as "./a"): refused, as ustar_find refuses it; "b" is fine. */
	struct indexed a = index_of("ok_duplicate.tar");
	cr_assert_eq(a.ix.n, 2);
	cr_assert_eq(find(&a.ix, "a"), E_INVAL);
	cr_assert_eq(find(&a.ix, "b"), E_OK);
	index_free(&a);
	/* The root's own entry ("./") is no entry at all. */
	a = index_of("ok_dot_root.tar");
	cr_assert_eq(a.ix.n, 2);
	index_free(&a);
	/* A bad checksum in the second header: nothing is found, not even the first. */
	a = index_of("checksum_stale.tar");
	cr_assert_eq(a.ix.err, USTAR_E_CHECKSUM);
	cr_assert_eq(a.ix.n, 0);
	cr_assert_eq(find(&a.ix, "bin"), E_INVAL);
	cr_assert_eq(find(&a.ix, "anything"), E_INVAL);
	index_free(&a);
	a = index_of("ok_empty.tar");
	cr_assert_eq(a.ix.err, USTAR_OK);
	cr_assert_eq(find(&a.ix, "bin/hello"), E_NOT_FOUND);
	index_free(&a);
}
