/*
 * ftest: the end-to-end test of files (docs/VFS.md, "Testing"). ctest (user/ctest)
 * reads it from the initramfs through the VFS and starts it; it reports each test as a
 * KTAP subtest ("    ok 3 vfs.name") through the console and signals ctest's
 * notification with bit 0 when all passed, bit 1 when one failed. Every operation of the
 * file API and every kind of bad input of the issue is tried, through libmnos and, for
 * what libmnos would refuse before sending, through the VFS's protocol by hand.
 *
 * Started as `ftest child <role>` it is a second client for the tests that need one:
 * sharing a file, holding files open until it is killed, being killed in the middle of
 * requests, leaving buffered stdio output for exit() to write.
 */
#include <mnos.h>

#define CHECK(c)                                                                        \
	do {                                                                            \
		if (!(c)) {                                                             \
			printf("    # %s:%d: expected %s\n", __FILE__, __LINE__, #c);      \
			return false;                                                   \
		}                                                                       \
	} while (0)
#define CHECK_EQ(a, b)                                                                  \
	do {                                                                            \
		long long a_ = (long long)(a), b_ = (long long)(b);                     \
		if (a_ != b_) {                                                         \
			printf("    # %s:%d: %s == %s: %lld != %lld\n", __FILE__, __LINE__, \
			       #a, #b, a_, b_);                                         \
			return false;                                                   \
		}                                                                       \
	} while (0)

#define MIB             (1024 * 1024)
#define CHILD_QUOTA     (2ull << 20)

static void *self_img;                  /* /test/ftest, to start children from */
static size_t self_size;

/* ---- helpers ---- */

static ssize_t write_str(int fd, const char *s)
{
	return write(fd, s, strlen(s));
}

/* The whole file at path into a new buffer (NUL-terminated), its size in *size. */
static char *slurp(const char *path, size_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) != 0)
		return NULL;
	char *buf = malloc(st.st_size + 1);
	ssize_t n = buf ? read(fd, buf, st.st_size) : -1;
	close(fd);
	if (n != (ssize_t)st.st_size) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	if (size)
		*size = (size_t)n;
	return buf;
}

static bool file_is(const char *path, const char *want)
{
	size_t n;
	char *s = slurp(path, &n);
	bool ok = s && n == strlen(want) && memcmp(s, want, n) == 0;

	if (!ok)
		printf("    # %s holds '%s', not '%s'\n", path, s ? s : "(unreadable)", want);
	free(s);
	return ok;
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* A child: `ftest child role`, with our names capability and a notification it
 * signals (bit 0: ready or done); its end signals bit 1 of done (the fault
 * notification, badged 2: faults on bit 1 too, ends on bit 2). */
struct child {
	uint32_t proc, thread, done, ended;
	uint64_t bits;                  /* what came on done so far */
};

static bool child_start(const char *role, struct child *c)
{
	const char *argv[] = { "ftest", "child", role };
	uint32_t names = mnos_start_cap("names");

	memset(c, 0, sizeof(*c));
	c->done = mnos_slot_alloc();
	c->ended = mnos_slot_alloc();
	if (!c->done || !c->ended || mnos_obj_create(MNOS_OBJ_NOTIFICATION, c->done, 0, 0) ||
	    mnos_cap_mint(c->done, c->ended, CAP_R_SIGNAL | CAP_R_DERIVE, 2))
		return false;
	struct mnos_spawn_cap caps[] = {
		{ names, MNOS_OBJ_ENDPOINT, CAP_R_SEND, "names" },
		{ c->done, MNOS_OBJ_NOTIFICATION, CAP_R_SIGNAL, "done" },
	};
	struct mnos_spawn_args a = { .argv = argv, .argc = 3, .caps = caps, .ncaps = 2,
				     .quota = CHILD_QUOTA, .fault = c->ended };
	struct mnos_spawned out;
	int e = mnos_spawn(self_img, self_size, &a, &out);
	if (e != E_OK) {
		printf("    # spawning a child: %s\n", mnos_fs_strerror(e));
		return false;
	}
	c->proc = out.proc;
	c->thread = out.thread;
	return true;
}

/* Wait up to ~10 s for any of bits on the child's notification; what has come (its
 * ready bit and its end may come together). */
static uint64_t child_wait(struct child *c, uint64_t bits)
{
	uint64_t b;

	for (int i = 0; i < 1000 && !(c->bits & bits); i++) {
		if (mnos_notify_poll(c->done, &b) == E_OK)
			c->bits |= b;
		if (!(c->bits & bits))
			mnos_sleep(10000000);
	}
	return c->bits;
}

static void child_free(struct child *c)
{
	mnos_slot_free(c->proc);
	mnos_slot_free(c->thread);
	mnos_slot_free(c->ended);
	mnos_slot_free(c->done);
}

/* Wait up to ~5 s for the VFS to count sessions (and open files) again. */
static bool stats_back_to(uint64_t sessions, uint64_t open)
{
	uint64_t s = 0, o = 0, r;

	for (int i = 0; i < 500; i++) {
		if (mnos_vfs_stats(&s, &o, &r) == 0 && s == sessions && o == open)
			return true;
		mnos_sleep(10000000);
	}
	printf("    # the VFS counts %llu sessions, %llu open; expected %llu, %llu\n",
	       (unsigned long long)s, (unsigned long long)o, (unsigned long long)sessions,
	       (unsigned long long)open);
	return false;
}

/* ---- the protocol by hand, for what libmnos refuses before sending ---- */

struct raw {
	uint32_t pub, sess;
	uint8_t *mem;
	uint64_t size;
};

static bool raw_open(struct raw *r)
{
	struct mnos_rpc_msg rep = { 0 };

	memset(r, 0, sizeof(*r));
	return mnos_name_lookup("vfs", &r->pub) == E_OK &&
	       mnos_rpc_call(r->pub, mnos_ipc_buffer(), VFS_SESSION, NULL, &rep) == E_OK &&
	       mnos_grant_take(&rep, &r->sess, &r->mem, &r->size) == E_OK;
}

static int raw_call(uint32_t ep, uint64_t op, uint64_t w0, uint64_t w1, uint64_t w2,
		    const void *data, size_t len, uint64_t *out0)
{
	struct mnos_rpc_msg req = { .w = { w0, w1, w2 }, .data = (void *)data, .len = len };
	struct mnos_rpc_msg rep = { 0 };
	char buf[MNOS_RPC_MAX_DATA];

	rep.data = buf;
	rep.size = sizeof(buf);
	int e = mnos_rpc_call(ep, mnos_ipc_buffer(), op, &req, &rep);
	if (out0)
		*out0 = rep.w[0];
	return e;
}

static void raw_close(struct raw *r)
{
	raw_call(r->sess, VFS_END, 0, 0, 0, NULL, 0, NULL);
	mnos_mem_unmap(0, (uint64_t)(uintptr_t)r->mem);
	mnos_slot_free(r->sess);
	mnos_slot_free(r->pub);
}

/* ---- the tests ---- */

static bool t_read_initramfs(void)
{
	size_t n;
	char *s = slurp("/etc/init.conf", &n);
	struct stat st;

	CHECK(s);
	CHECK(strncmp(s, "# /etc/init.conf", 16) == 0);
	CHECK(strstr(s, "service vfs sbin/vfs"));
	CHECK_EQ(stat("/etc/init.conf", &st), 0);
	CHECK_EQ(st.st_type, FS_TYPE_FILE);
	CHECK_EQ(st.st_size, n);
	CHECK_EQ(stat("/etc", &st), 0);
	CHECK_EQ(st.st_type, FS_TYPE_DIR);
	CHECK_EQ(stat("/", &st), 0);
	CHECK_EQ(st.st_type, FS_TYPE_DIR);
	CHECK_EQ(stat("/tmp", &st), 0);         /* the tmpfs's root */
	CHECK_EQ(st.st_type, FS_TYPE_DIR);
	CHECK_EQ(stat("/etc/nothing", &st), -E_NOT_FOUND);
	CHECK_EQ(stat("/etc/init.conf/x", &st), -E_FS_NOT_DIR);
	free(s);
	return true;
}

static bool t_paths(void)
{
	size_t n1, n2, n3;
	char *a = slurp("/etc/init.conf", &n1);
	char *b = slurp("//etc/./..//etc///init.conf", &n2);

	CHECK(a && b && n1 == n2 && memcmp(a, b, n1) == 0);
	CHECK_EQ(chdir("/etc"), 0);
	CHECK(strcmp(getcwd(), "/etc") == 0);
	char *c = slurp("init.conf", &n3);
	CHECK(c && n3 == n1 && memcmp(a, c, n1) == 0);
	free(c);
	c = slurp("../etc/init.conf", &n3);
	CHECK(c && n3 == n1);
	CHECK_EQ(chdir("init.conf"), -E_FS_NOT_DIR);
	CHECK_EQ(chdir("/"), 0);
	free(a);
	free(b);
	free(c);
	return true;
}

static bool t_readdir(void)
{
	const char *want[] = { "procsvc", "vfs", "initfs", "tmpfs", "console", "init" };
	bool seen[6] = { 0 };
	struct dirent *d;
	int err = 0, n = 0;
	DIR *dir = opendir("/sbin");

	CHECK(dir);
	while ((d = readdir(dir))) {
		n++;
		CHECK_EQ(d->d_type, FS_TYPE_FILE);
		for (int i = 0; i < 6; i++)
			if (strcmp(d->d_name, want[i]) == 0)
				seen[i] = true;
	}
	CHECK_EQ(closedir(dir), 0);
	for (int i = 0; i < 6; i++)
		CHECK(seen[i]);
	struct stat st;
	CHECK_EQ(stat("/sbin", &st), 0);
	CHECK_EQ(st.st_size, n);
	CHECK(!mnos_opendir("/etc/init.conf", &err));
	CHECK_EQ(err, -E_FS_NOT_DIR);
	CHECK(!mnos_opendir("/nowhere", &err));
	CHECK_EQ(err, -E_NOT_FOUND);
	return true;
}

static bool t_write_seek_read(void)
{
	char buf[32] = { 0 };
	int fd = open("/tmp/a", O_RDWR | O_CREAT | O_TRUNC);

	CHECK(fd >= 3);
	CHECK_EQ(write_str(fd, "hello world"), 11);
	CHECK_EQ(lseek(fd, 6, SEEK_SET), 6);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 5);
	CHECK(memcmp(buf, "world", 5) == 0);
	CHECK_EQ(lseek(fd, -5, SEEK_END), 6);
	CHECK_EQ(lseek(fd, -6, SEEK_CUR), 0);
	CHECK_EQ(read(fd, buf, 5), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_EQ(lseek(fd, -1, SEEK_SET), -E_INVAL);
	CHECK_EQ(lseek(fd, 0, 7), -E_INVAL);
	/* Writing past the end leaves zeros between. */
	CHECK_EQ(lseek(fd, 20, SEEK_SET), 20);
	CHECK_EQ(write_str(fd, "!"), 1);
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 21);
	CHECK_EQ(lseek(fd, 11, SEEK_SET), 11);
	memset(buf, 0x55, sizeof(buf));
	CHECK_EQ(read(fd, buf, 10), 10);
	for (int i = 0; i < 9; i++)
		CHECK_EQ(buf[i], 0);
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(close(fd), -E_FS_BAD_FD);
	CHECK_EQ(read(fd, buf, 1), -E_FS_BAD_FD);
	/* O_TRUNC empties, O_APPEND writes at the end, O_EXCL refuses what exists. */
	fd = open("/tmp/a", O_WRONLY | O_TRUNC);
	CHECK(fd >= 3);
	CHECK_EQ(write_str(fd, "one"), 3);
	CHECK_EQ(close(fd), 0);
	fd = open("/tmp/a", O_WRONLY | O_APPEND);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(write_str(fd, "two"), 3);
	CHECK_EQ(close(fd), 0);
	CHECK(file_is("/tmp/a", "onetwo"));
	CHECK_EQ(open("/tmp/a", O_RDWR | O_CREAT | O_EXCL), -E_EXISTS);
	CHECK_EQ(open("/tmp/missing", O_RDONLY), -E_NOT_FOUND);
	CHECK_EQ(open("/tmp", O_RDWR), -E_FS_IS_DIR);
	fd = open("/tmp/a", O_RDONLY);
	CHECK_EQ(write_str(fd, "x"), -E_FS_BAD_FD);         /* not open for writing */
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(unlink("/tmp/a"), 0);
	return true;
}

static bool t_read_past_end(void)
{
	char buf[600];
	int fd = open("/etc/init.conf", O_RDONLY);
	struct stat st;

	CHECK(fd >= 3);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(lseek(fd, 0, SEEK_END), st.st_size);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0);                /* at the end */
	CHECK_EQ(lseek(fd, 1000000, SEEK_SET), 1000000);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0);                /* past it */
	CHECK_EQ(read(fd, buf, 100), 0);
	CHECK_EQ(lseek(fd, st.st_size - 3, SEEK_SET), st.st_size - 3);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 3);                /* a short read */
	CHECK_EQ(close(fd), 0);
	return true;
}

static bool t_dirs_unlink_rename(void)
{
	struct stat st;
	int fd;

	CHECK_EQ(mkdir("/tmp/d"), 0);
	CHECK_EQ(mkdir("/tmp/d"), -E_EXISTS);
	CHECK_EQ(mkdir("/tmp/nope/d"), -E_NOT_FOUND);
	CHECK((fd = open("/tmp/d/f", O_WRONLY | O_CREAT)) >= 3);
	CHECK_EQ(write_str(fd, "in d"), 4);
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(rmdir("/tmp/d"), -E_FS_NOT_EMPTY);
	CHECK_EQ(unlink("/tmp/d"), -E_FS_IS_DIR);
	CHECK_EQ(rmdir("/tmp/d/f"), -E_FS_NOT_DIR);
	DIR *dir = opendir("/tmp/d");
	struct dirent *e = dir ? readdir(dir) : NULL;
	CHECK(e && strcmp(e->d_name, "f") == 0 && e->d_size == 4);
	CHECK(!readdir(dir));
	CHECK_EQ(closedir(dir), 0);
	/* rename: a file, within and between directories, over another file */
	CHECK_EQ(rename("/tmp/d/f", "/tmp/g"), 0);
	CHECK_EQ(stat("/tmp/d/f", &st), -E_NOT_FOUND);
	CHECK(file_is("/tmp/g", "in d"));
	CHECK((fd = open("/tmp/h", O_WRONLY | O_CREAT)) >= 3);
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(rename("/tmp/g", "/tmp/h"), 0);
	CHECK(file_is("/tmp/h", "in d"));
	CHECK_EQ(rename("/tmp/h", "/tmp/d/h2"), 0);
	CHECK_EQ(rename("/tmp/d", "/tmp/d/h2/x"), -E_FS_NOT_DIR);
	CHECK_EQ(rename("/tmp/d", "/tmp/e"), 0);              /* a directory, with what is in it */
	CHECK(file_is("/tmp/e/h2", "in d"));
	CHECK_EQ(rename("/tmp/missing", "/tmp/x"), -E_NOT_FOUND);
	CHECK_EQ(rename("/tmp/e/h2", "/etc/h2"), -E_FS_CROSS_MOUNT);
	CHECK_EQ(unlink("/tmp/e/h2"), 0);
	CHECK_EQ(unlink("/tmp/e/h2"), -E_NOT_FOUND);
	CHECK_EQ(rmdir("/tmp/e"), 0);
	CHECK_EQ(stat("/tmp/e", &st), -E_NOT_FOUND);
	CHECK_EQ(rmdir("/tmp"), -E_PERM);                     /* a mount point stays */
	return true;
}

static bool t_open_file_removed(void)
{
	char c;
	int fd = open("/tmp/gone", O_RDWR | O_CREAT);

	CHECK(fd >= 3);
	CHECK_EQ(unlink("/tmp/gone"), 0);
	CHECK_EQ(read(fd, &c, 1), -E_FS_STALE);
	CHECK_EQ(write(fd, "x", 1), -E_FS_STALE);
	CHECK_EQ(close(fd), 0);
	return true;
}

static bool t_bad_paths(void)
{
	char longp[400];
	struct stat st;

	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[sizeof(longp) - 1] = 0;
	CHECK_EQ(open(longp, O_RDONLY), -E_FS_NAME_TOO_LONG);
	CHECK_EQ(stat(longp, &st), -E_FS_NAME_TOO_LONG);
	/* Short enough in all, one component of 100 bytes is not. */
	longp[101] = 0;
	CHECK_EQ(open(longp, O_RDWR | O_CREAT), -E_FS_NAME_TOO_LONG);
	CHECK_EQ(open("/..", O_RDONLY), -E_FS_ABOVE_ROOT);
	CHECK_EQ(stat("/etc/../../etc", &st), -E_FS_ABOVE_ROOT);
	CHECK_EQ(open("", O_RDONLY), -E_INVAL);
	CHECK_EQ(open(NULL, O_RDONLY), -E_INVAL);
	CHECK_EQ(open("/etc/init.conf", 0x8000000), -E_INVAL);       /* unknown flag */
	CHECK_EQ(open("/etc/init.conf", O_ACCMODE), -E_INVAL);

	/* The same, sent as they are: the VFS checks again. */
	struct raw r;
	uint64_t h;
	CHECK(raw_open(&r));
	CHECK_EQ(raw_call(r.sess, VFS_OPEN, O_RDONLY, 0, 0, "/etc/init.conf\0x", 16, NULL), E_INVAL);
	CHECK_EQ(raw_call(r.sess, VFS_OPEN, O_RDONLY, 0, 0, "/..", 3, NULL), E_FS_ABOVE_ROOT);
	CHECK_EQ(raw_call(r.sess, VFS_OPEN, O_RDONLY, 0, 0, longp, 100, NULL), E_FS_NAME_TOO_LONG);
	CHECK_EQ(raw_call(r.sess, VFS_OPEN, O_RDONLY, 0, 0, NULL, 0, NULL), E_INVAL);
	CHECK_EQ(raw_call(r.sess, VFS_RENAME, 0, 0, 0, "/tmp/a", 6, NULL), E_INVAL);
	/* Without a session, with handles that are not open, asking too much. */
	CHECK_EQ(raw_call(r.pub, VFS_OPEN, O_RDONLY, 0, 0, "/etc", 4, NULL), E_PERM);
	CHECK_EQ(raw_call(r.sess, VFS_READ, 5, 10, 0, NULL, 0, NULL), E_FS_BAD_FD);
	CHECK_EQ(raw_call(r.sess, VFS_CLOSE, 1ull << 40, 0, 0, NULL, 0, NULL), E_FS_BAD_FD);
	CHECK_EQ(raw_call(r.sess, VFS_OPEN, O_RDONLY, 0, 0, "/etc/init.conf", 14, &h), E_OK);
	CHECK_EQ(raw_call(r.sess, VFS_READ, h, r.size + 1, VFS_VIA_GRANT, NULL, 0, NULL), E_RANGE);
	CHECK_EQ(raw_call(r.sess, VFS_READ, h, MNOS_RPC_MAX_DATA + 1, 0, NULL, 0, NULL), E_RANGE);
	CHECK_EQ(raw_call(r.sess, 999, 0, 0, 0, NULL, 0, NULL), E_INVAL);
	raw_close(&r);
	return true;
}

static bool t_read_only(void)
{
	int fd = open("/etc/init.conf", O_RDONLY);

	CHECK(fd >= 3);
	CHECK_EQ(write_str(fd, "x"), -E_FS_BAD_FD);
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(open("/etc/init.conf", O_WRONLY), -E_FS_READ_ONLY);
	CHECK_EQ(open("/etc/init.conf", O_RDWR), -E_FS_READ_ONLY);
	CHECK_EQ(open("/etc/new", O_WRONLY | O_CREAT), -E_FS_READ_ONLY);
	CHECK_EQ(open("/etc/init.conf", O_RDONLY | O_TRUNC), -E_FS_READ_ONLY);
	CHECK_EQ(mkdir("/newdir"), -E_FS_READ_ONLY);
	CHECK_EQ(unlink("/etc/init.conf"), -E_FS_READ_ONLY);
	CHECK_EQ(rename("/etc/init.conf", "/etc/x"), -E_FS_READ_ONLY);
	CHECK(file_is("/etc/init.conf", slurp("/etc/init.conf", NULL)));
	return true;
}

static bool t_large_grant(void)
{
	uint8_t *out = malloc(MIB), *in = malloc(MIB);
	uint64_t x = 0x9e3779b97f4a7c15ull;

	CHECK(out && in);
	for (size_t i = 0; i < MIB; i += 8) {
		uint64_t v = xorshift(&x);
		memcpy(out + i, &v, 8);
	}
	int fd = open("/tmp/big", O_RDWR | O_CREAT | O_TRUNC);
	CHECK(fd >= 3);
	CHECK_EQ(write(fd, out, MIB), MIB);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	memset(in, 0, MIB);
	CHECK_EQ(read(fd, in, MIB), MIB);
	for (size_t i = 0; i < MIB; i++)
		if (in[i] != out[i]) {
			printf("    # byte %zu: %#x, not %#x\n", i, in[i], out[i]);
			return false;
		}
	/* An odd stretch across the shared memory's size, read in payload-sized pieces. */
	CHECK_EQ(lseek(fd, 12345, SEEK_SET), 12345);
	for (size_t at = 12345; at < 12345 + 200000;) {
		ssize_t n = read(fd, in, 300);
		CHECK_EQ(n, 300);
		CHECK(memcmp(in, out + at, 300) == 0);
		at += 300;
	}
	CHECK_EQ(close(fd), 0);
	/* An initramfs file larger than the shared memory: through it, and in small pieces. */
	size_t n;
	char *whole = slurp("/test/utest", &n);
	CHECK(whole && n > 2 * VFS_GRANT_PAGES * MNOS_PAGE_SIZE);
	fd = open("/test/utest", O_RDONLY);
	for (size_t at = 0; at < n;) {
		ssize_t k = read(fd, in, 400);
		CHECK(k > 0 && memcmp(in, whole + at, (size_t)k) == 0);
		at += (size_t)k;
	}
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(unlink("/tmp/big"), 0);
	free(whole);
	free(in);
	free(out);
	return true;
}

static bool t_tmpfs_full(void)
{
	const size_t chunk_size = 300000;       /* not a divisor of the limit */
	uint8_t *chunk = calloc(1, chunk_size);
	int fd = open("/tmp/fill", O_WRONLY | O_CREAT | O_TRUNC);
	uint64_t total = 0;
	ssize_t n = 0;

	CHECK(chunk && fd >= 3);
	for (int i = 0; i < 100 && (n = write(fd, chunk, chunk_size)) == (ssize_t)chunk_size; i++)
		total += (uint64_t)n;
	/* The write that reaches the limit is short; the next one fails. */
	if (n < 0 || n >= (ssize_t)chunk_size)
		printf("    # the last write gave %ld after %llu bytes\n", (long)n,
		       (unsigned long long)total);
	CHECK(n >= 0 && n < (ssize_t)chunk_size);
	total += (uint64_t)n;
	CHECK_EQ(write(fd, chunk, 100), -E_FS_NO_SPACE);
	CHECK_EQ(total, 2 * MIB);               /* the tmpfs's limit; nothing else is in it */
	int fd2 = open("/tmp/more", O_WRONLY | O_CREAT);
	CHECK(fd2 >= 3);
	CHECK_EQ(write(fd2, chunk, 10), -E_FS_NO_SPACE);
	CHECK_EQ(close(fd2), 0);
	CHECK_EQ(close(fd), 0);
	/* Space comes back with the file. */
	CHECK_EQ(unlink("/tmp/fill"), 0);
	fd2 = open("/tmp/more", O_WRONLY);
	CHECK_EQ(write(fd2, chunk, chunk_size), chunk_size);
	CHECK_EQ(close(fd2), 0);
	CHECK_EQ(unlink("/tmp/more"), 0);
	free(chunk);
	return true;
}

static bool t_thousands_of_opens(void)
{
	static int fds[3000];
	int ok = 0, refused = 0;

	for (int i = 0; i < 3000; i++) {
		fds[i] = open("/etc/init.conf", O_RDONLY);
		if (fds[i] >= 3)
			ok++;
		else if (fds[i] == -E_FS_TOO_MANY_OPEN)
			refused++;
	}
	CHECK_EQ(ok, VFS_MAX_OPEN);
	CHECK_EQ(refused, 3000 - VFS_MAX_OPEN);
	for (int i = 0; i < 3000; i++)
		if (fds[i] >= 3)
			CHECK_EQ(close(fds[i]), 0);
	/* And thousands of files: the tmpfs's table fills, cleanly. */
	char name[32];
	int made = 0, e = 0;
	for (int i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "/tmp/n%d", i);
		int fd = open(name, O_WRONLY | O_CREAT);
		if (fd < 0) {
			e = fd;
			break;
		}
		close(fd);
		made++;
	}
	CHECK_EQ(e, -E_FS_NO_SPACE);
	CHECK(made > 1000);
	for (int i = 0; i < made; i++) {
		snprintf(name, sizeof(name), "/tmp/n%d", i);
		CHECK_EQ(unlink(name), 0);
	}
	int fd = open("/etc/init.conf", O_RDONLY);
	CHECK(fd >= 3);
	CHECK_EQ(close(fd), 0);
	return true;
}

static bool t_stdio(void)
{
	char line[64];
	int err = 0;
	FILE *f = fopen("/tmp/s.txt", "w");

	CHECK(f);
	for (int i = 0; i < 200; i++)           /* more than one buffer */
		CHECK(fprintf(f, "line %d of %s\n", i, "stdio") > 0);
	CHECK_EQ(fputs("last\n", f), 0);
	CHECK_EQ(fclose(f), 0);
	f = fopen("/tmp/s.txt", "r");
	CHECK(f);
	for (int i = 0; i < 200; i++) {
		char want[64];
		snprintf(want, sizeof(want), "line %d of stdio\n", i);
		CHECK(fgets(line, sizeof(line), f));
		CHECK(strcmp(line, want) == 0);
	}
	CHECK(fgets(line, sizeof(line), f) && strcmp(line, "last\n") == 0);
	CHECK(!fgets(line, sizeof(line), f));
	CHECK(feof(f));
	CHECK_EQ(fclose(f), 0);
	f = fopen("/tmp/s.txt", "a");
	CHECK(f && fputs("appended\n", f) == 0 && fclose(f) == 0);
	f = fopen("/tmp/s.txt", "r+");
	CHECK(f);
	CHECK_EQ(fseek(f, -9, SEEK_END), 0);
	CHECK(fgets(line, sizeof(line), f) && strcmp(line, "appended\n") == 0);
	CHECK_EQ(fseek(f, 0, SEEK_SET), 0);
	CHECK_EQ(fputc('L', f), 'L');
	CHECK_EQ(ftell(f), 1);
	CHECK_EQ(fgetc(f), 'i');
	CHECK_EQ(fclose(f), 0);
	f = fopen("/tmp/s.txt", "r");
	CHECK(f && fgets(line, sizeof(line), f) && strcmp(line, "Line 0 of stdio\n") == 0);
	CHECK_EQ(fclose(f), 0);
	CHECK(!mnos_fopen("/tmp/none", "r", &err));
	CHECK_EQ(err, -E_NOT_FOUND);
	CHECK(!mnos_fopen("/etc/init.conf", "w", &err));
	CHECK_EQ(err, -E_FS_READ_ONLY);
	CHECK(!mnos_fopen("/tmp/s.txt", "x", &err));
	CHECK_EQ(err, -E_INVAL);
	CHECK_EQ(unlink("/tmp/s.txt"), 0);
	/* The console on descriptors 1 and 2, and stdout. */
	CHECK_EQ(write_str(1, "ftest: written to fd 1\n"), 23);
	CHECK(fprintf(stdout, "ftest: written to %s\n", "stdout") > 0);
	CHECK_EQ(lseek(1, 0, SEEK_SET), -E_INVAL);
	return true;
}

static bool t_two_clients(void)
{
	struct child c;
	int fd = open("/tmp/shared", O_RDWR | O_CREAT | O_TRUNC);

	CHECK(fd >= 3);
	CHECK_EQ(write_str(fd, "parent\n"), 7);
	CHECK(child_start("share", &c));
	CHECK_EQ(child_wait(&c, 1 | 2) & 3, 1);
	/* Its write is seen through our descriptor, at our own offset. */
	char buf[32] = { 0 };
	CHECK_EQ(read(fd, buf, sizeof(buf)), 6);
	CHECK(memcmp(buf, "child\n", 6) == 0);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 13);
	CHECK(memcmp(buf, "parent\nchild\n", 13) == 0);
	CHECK_EQ(close(fd), 0);
	CHECK(child_wait(&c, 4) & 4);           /* it ended, */
	child_free(&c);
	CHECK_EQ(unlink("/tmp/shared"), 0);
	return true;
}

static bool t_client_killed_files_closed(void)
{
	uint64_t s0, o0, r0, s1, o1, r1;
	struct child c;

	CHECK_EQ(mnos_vfs_stats(&s0, &o0, &r0), 0);
	CHECK(child_start("hold", &c));
	CHECK_EQ(child_wait(&c, 1 | 2) & 3, 1);
	CHECK_EQ(mnos_vfs_stats(&s1, &o1, &r1), 0);
	CHECK_EQ(s1, s0 + 1);
	CHECK_EQ(o1, o0 + 10);
	CHECK_EQ(mnos_proc_kill(c.proc), E_OK);
	CHECK(stats_back_to(s0, o0));
	CHECK_EQ(mnos_vfs_stats(&s1, &o1, &r1), 0);
	CHECK_EQ(r1, r0 + 1);                   /* reclaimed, not ended by the client */
	child_free(&c);
	CHECK(file_is("/tmp/held0", "held"));
	for (int i = 0; i < 10; i++) {
		char name[32];
		snprintf(name, sizeof(name), "/tmp/held%d", i);
		CHECK_EQ(unlink(name), 0);
	}
	return true;
}

static bool t_client_killed_mid_request(void)
{
	uint64_t s0, o0, r0;

	CHECK_EQ(mnos_vfs_stats(&s0, &o0, &r0), 0);
	for (int round = 0; round < 5; round++) {
		struct child c;
		CHECK(child_start("busy", &c));
		CHECK_EQ(child_wait(&c, 1 | 2) & 3, 1);
		mnos_sleep((uint64_t)round * 3000000);
		CHECK_EQ(mnos_proc_kill(c.proc), E_OK);
		CHECK(stats_back_to(s0, o0));
		child_free(&c);
	}
	/* The services answer as before. */
	struct stat st;
	CHECK_EQ(stat("/tmp/busy", &st), 0);
	CHECK(st.st_size >= 64 * 1024);
	CHECK_EQ(unlink("/tmp/busy"), 0);
	CHECK(file_is("/etc/init.conf", slurp("/etc/init.conf", NULL)));
	return true;
}

static bool t_stdio_flushed_at_exit(void)
{
	uint64_t s0, o0, r0, s1, o1, r1;
	struct child c;

	CHECK_EQ(mnos_vfs_stats(&s0, &o0, &r0), 0);
	CHECK(child_start("exit", &c));
	CHECK(child_wait(&c, 4) & 4);           /* ended by returning from main */
	CHECK(file_is("/tmp/exit.txt", "written by fprintf, flushed by exit\n"));
	CHECK(stats_back_to(s0, o0));
	CHECK_EQ(mnos_vfs_stats(&s1, &o1, &r1), 0);
	CHECK_EQ(r1, r0);                       /* ended by the client, not reclaimed */
	child_free(&c);
	CHECK_EQ(unlink("/tmp/exit.txt"), 0);
	return true;
}

static const struct {
	const char *name;
	bool (*fn)(void);
} tests[] = {
	{ "read_initramfs_file_and_stat", t_read_initramfs },
	{ "paths_absolute_relative_dots_slashes", t_paths },
	{ "readdir_lists_a_directory", t_readdir },
	{ "tmpfs_write_seek_read_trunc_append", t_write_seek_read },
	{ "read_at_and_past_the_end", t_read_past_end },
	{ "mkdir_unlink_rmdir_rename", t_dirs_unlink_rename },
	{ "open_file_removed_is_stale", t_open_file_removed },
	{ "bad_paths_long_nul_above_root_refused", t_bad_paths },
	{ "initramfs_is_read_only", t_read_only },
	{ "grant_1mib_write_read_byte_for_byte", t_large_grant },
	{ "full_tmpfs_refuses_cleanly", t_tmpfs_full },
	{ "thousands_of_opens_refused_past_limit", t_thousands_of_opens },
	{ "stdio_fopen_fgets_fprintf_fseek", t_stdio },
	{ "two_clients_share_a_file", t_two_clients },
	{ "killed_client_has_its_files_closed", t_client_killed_files_closed },
	{ "client_killed_mid_request", t_client_killed_mid_request },
	{ "stdio_buffers_flushed_at_exit", t_stdio_flushed_at_exit },
};

/* ---- the children ---- */

static void signal_parent(void)
{
	uint32_t done = mnos_start_cap("done");

	if (done)
		mnos_notify_signal(done, 1);
}

static int child(const char *role)
{
	if (strcmp(role, "share") == 0) {
		int fd = open("/tmp/shared", O_RDWR | O_APPEND);
		char buf[16] = { 0 };
		ssize_t r = fd < 0 ? fd : read(fd, buf, sizeof(buf));
		ssize_t w = r == 7 ? write(fd, "child\n", 6) : 0;
		if (fd < 0 || r != 7 || memcmp(buf, "parent\n", 7) || w != 6 || close(fd)) {
			if (mnos_console_open() == E_OK)
				mnos_console_use_for_output();
			printf("    # child: open %d, read %ld, write %ld\n", fd, (long)r, (long)w);
			return 1;
		}
		signal_parent();
		return 0;
	}
	if (strcmp(role, "hold") == 0) {
		for (int i = 0; i < 10; i++) {
			char name[32];
			snprintf(name, sizeof(name), "/tmp/held%d", i);
			int fd = open(name, O_RDWR | O_CREAT);
			if (fd < 0 || write(fd, "held", 4) != 4)
				return 1;
		}
		signal_parent();
		for (;;)
			mnos_sleep(1000000000);
	}
	if (strcmp(role, "busy") == 0) {
		static uint8_t chunk[64 * 1024];
		int fd = open("/tmp/busy", O_RDWR | O_CREAT);
		if (fd < 0 || write(fd, chunk, sizeof(chunk)) != sizeof(chunk))
			return 1;
		signal_parent();
		for (uint64_t i = 0;; i++) {
			lseek(fd, 0, SEEK_SET);
			write(fd, chunk, sizeof(chunk));
			read(fd, chunk, sizeof(chunk));
			int fd2 = open("/etc/init.conf", O_RDONLY);
			close(fd2);
		}
	}
	if (strcmp(role, "exit") == 0) {
		FILE *f = fopen("/tmp/exit.txt", "w");
		if (!f || fprintf(f, "written by %s, flushed by exit\n", "fprintf") <= 0)
			return 1;
		return 0;               /* exit() writes the buffer and ends the session */
	}
	return 1;
}

int main(int argc, char **argv)
{
	unsigned failed = 0, n = sizeof(tests) / sizeof(tests[0]);

	if (argc == 3 && strcmp(argv[1], "child") == 0)
		return child(argv[2]);
	if (mnos_console_open() == E_OK)
		mnos_console_use_for_output();
	self_img = slurp("/test/ftest", &self_size);
	printf("    KTAP version 1\n    1..%u\n", n);
	for (unsigned i = 0; i < n; i++) {
		bool ok = self_img && tests[i].fn();
		failed += !ok;
		printf("    %s %u vfs.%s\n", ok ? "ok" : "not ok", i + 1, tests[i].name);
	}
	printf("# ftest: %u passed, %u failed\n", n - failed, failed);
	uint32_t done = mnos_start_cap("done");
	if (done)
		mnos_notify_signal(done, failed ? 2 : 1);
	return 0;
}
