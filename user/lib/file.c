/*
 * The file API (mnos/file.h): this process's session with the VFS (docs/VFS.md), and
 * file descriptors on top of it. Descriptor fd ≥ 3 is the VFS's handle fd - 3; 0, 1
 * and 2 are the console, a stream or a redirected file (below).
 *
 * The session opens on first use: VFS_SESSION gives a badged endpoint and the shared
 * memory, which is mapped here; then a thread of its own parks in VFS_WATCH, where it
 * waits for as long as this process lives — that is how the VFS learns that the process
 * has gone, whatever way it went. exit() ends the session (mnos_atexit), which answers
 * the watch, so the thread ends too.
 */
#include <mnos.h>
#include <mnos/file.h>

#define FD_BASE         3
#define LOOKUP_TRIES    200     /* the VFS may start after this program: ~2 s */

static struct {
	struct mnos_lock lock;          /* the session's set-up, and the shared memory */
	bool open;
	uint32_t ep;                    /* the session */
	uint8_t *mem;
	size_t size;
} sess;

static char cwd[MNOS_PATH_MAX] = "/";
static bool cwd_set;

/* The working directory: "/", or where the starter was (PWD), until chdir. */
static const char *cwd_now(void)
{
	const char *pwd;

	if (!cwd_set) {
		cwd_set = true;
		if ((pwd = getenv("PWD")) != NULL && pwd[0] == '/')
			mnos_path_resolve("/", pwd, strnlen(pwd, MNOS_PATH_MAX), cwd);
	}
	return cwd;
}

static const char *const fs_errors[] = {
	[E_FS_NAME_TOO_LONG - E_FS_NAME_TOO_LONG] = "name too long",
	[E_FS_ABOVE_ROOT - E_FS_NAME_TOO_LONG] = "path climbs above the root",
	[E_FS_READ_ONLY - E_FS_NAME_TOO_LONG] = "read-only filesystem",
	[E_FS_NO_SPACE - E_FS_NAME_TOO_LONG] = "no space left",
	[E_FS_TOO_MANY_OPEN - E_FS_NAME_TOO_LONG] = "too many open files",
	[E_FS_BAD_FD - E_FS_NAME_TOO_LONG] = "bad file descriptor",
	[E_FS_NOT_DIR - E_FS_NAME_TOO_LONG] = "not a directory",
	[E_FS_IS_DIR - E_FS_NAME_TOO_LONG] = "is a directory",
	[E_FS_NOT_EMPTY - E_FS_NAME_TOO_LONG] = "directory not empty",
	[E_FS_CROSS_MOUNT - E_FS_NAME_TOO_LONG] = "rename across filesystems",
	[E_FS_STALE - E_FS_NAME_TOO_LONG] = "file was removed",
	[E_FS_NO_SERVICE - E_FS_NAME_TOO_LONG] = "filesystem service unavailable",
	[E_FS_BROKEN_PIPE - E_FS_NAME_TOO_LONG] = "broken pipe",
};
_Static_assert(sizeof(fs_errors) / sizeof(fs_errors[0]) == E_FS_LAST - E_FS_NAME_TOO_LONG,
	       "every status has its text");

const char *mnos_fs_strerror(int e)
{
	if (e < 0)
		e = -e;
	if (e >= E_FS_NAME_TOO_LONG && e < E_FS_LAST)
		return fs_errors[e - E_FS_NAME_TOO_LONG];
	return kerr_name((kerr_t)e);
}

/* ---- the session ---- */

static void watcher(void *unused)
{
	/* Returns when the session ends (VFS_END) or the VFS goes: either way, done. */
	mnos_rpc_call_words(sess.ep, VFS_WATCH, NULL, NULL);
}

/* At exit: write out the streams' buffers, then end the session. */
static void session_end(void)
{
	fflush(NULL);
	mnos_lock(&sess.lock);
	if (sess.open) {
		mnos_rpc_call_words(sess.ep, VFS_END, NULL, NULL);
		mnos_mem_unmap(0, (uint64_t)(uintptr_t)sess.mem);
		mnos_slot_free(sess.ep);        /* the VFS revoked it: an empty slot back */
		sess.open = false;
	}
	mnos_unlock(&sess.lock);
}

/* The session, opened if it is not (sess.lock held). */
static int session_locked(void)
{
	struct mnos_rpc_msg rep = { 0 };
	uint32_t ep = 0;
	int e = E_NOT_FOUND;

	if (sess.open)
		return E_OK;
	for (int i = 0; i < LOOKUP_TRIES && (e = mnos_name_lookup("vfs", &ep)) == E_NOT_FOUND; i++)
		mnos_sleep(10000000);
	if (e != E_OK)
		return E_FS_NO_SERVICE;
	e = mnos_rpc_call(ep, mnos_ipc_buffer(), VFS_SESSION, NULL, &rep);
	mnos_slot_free(ep);
	if (e != E_OK)
		return e;
	uint64_t bytes;
	if (mnos_grant_take(&rep, &sess.ep, &sess.mem, &bytes) != E_OK)
		return E_FS_NO_SERVICE;
	sess.size = bytes;
	if ((e = mnos_thread_start(watcher, NULL, 8192, NULL)) != E_OK) {
		mnos_rpc_call_words(sess.ep, VFS_END, NULL, NULL);
		mnos_mem_unmap(0, (uint64_t)(uintptr_t)sess.mem);
		mnos_slot_free(sess.ep);
		return e;
	}
	sess.open = true;
	mnos_atexit(session_end);
	return E_OK;
}

static int session(void)
{
	mnos_lock(&sess.lock);
	int e = session_locked();
	mnos_unlock(&sess.lock);
	return e;
}

/* One request of this session, words in w (results back in w), payload [data,
 * data + len), reply payload into [out, out + size). */
static int call(uint64_t op, uint64_t w[MNOS_RPC_WORDS], const void *data, size_t len,
		void *out, size_t size)
{
	struct mnos_rpc_msg req = { .data = (void *)data, .len = len };
	struct mnos_rpc_msg rep = { .data = out, .size = size };
	int e = session();

	if (e != E_OK)
		return e;
	memcpy(req.w, w, sizeof(req.w));
	e = mnos_rpc_call(sess.ep, mnos_ipc_buffer(), op, &req, &rep);
	memcpy(w, rep.w, sizeof(rep.w));
	return e;
}

/* path resolved against the working directory, into abs. */
static int resolve(const char *path, char *abs)
{
	if (!path)
		return E_INVAL;
	return mnos_path_resolve(cwd_now(), path, strnlen(path, MNOS_PATH_MAX), abs);
}

/* A call on one path: the status, as 0 or -status. */
static int path_call(uint64_t op, const char *path, uint64_t w0, uint64_t w[MNOS_RPC_WORDS])
{
	char abs[MNOS_PATH_MAX];
	uint64_t x[MNOS_RPC_WORDS] = { w0 };
	int e = resolve(path, abs);

	if (e == E_OK)
		e = call(op, w ? w : x, abs, strlen(abs), NULL, 0);
	return -e;
}

/* ---- descriptors ---- */

int open(const char *path, int flags, ...)
{
	uint64_t w[MNOS_RPC_WORDS] = { (uint32_t)flags };
	int e = path_call(VFS_OPEN, path, 0, w);

	return e ? e : (int)w[0] + FD_BASE;
}

int close(int fd)
{
	uint64_t w[MNOS_RPC_WORDS] = { (uint64_t)fd - FD_BASE };

	if (fd >= 0 && fd < FD_BASE)
		return 0;
	if (fd < 0)
		return -E_FS_BAD_FD;
	return -call(VFS_CLOSE, w, NULL, 0, NULL, 0);
}

/* One transfer of at most what the payload or the shared memory holds: the count. */
static ssize_t transfer(uint64_t op, int fd, void *buf, size_t n)
{
	bool grant = n > MNOS_RPC_MAX_DATA;
	struct mnos_rpc_msg req = { .w = { (uint64_t)fd - FD_BASE, n, grant ? VFS_VIA_GRANT : 0 } };
	struct mnos_rpc_msg rep = { 0 };

	if (!grant && op == VFS_WRITE) {
		req.data = buf;
		req.len = n;
	} else if (!grant) {
		rep.data = buf;
		rep.size = n;
	} else {
		mnos_lock(&sess.lock);          /* the shared memory is one for all threads */
		if (op == VFS_WRITE)
			memcpy(sess.mem, buf, n);
	}
	int e = mnos_rpc_call(sess.ep, mnos_ipc_buffer(), op, &req, &rep);
	size_t got = e == E_OK ? (size_t)MIN(rep.w[0], (uint64_t)n) : 0;
	if (grant) {
		if (op == VFS_READ)
			memcpy(buf, sess.mem, got);
		mnos_unlock(&sess.lock);
	}
	return e != E_OK ? -e : (ssize_t)got;
}

/*
 * Descriptors 0-2 (docs/USERSPACE.md, "Standard input and output"), settled on first
 * use: a stream the program's starter gave it ("stdin", "stdout", "stderr" among the
 * start capabilities: a pipe's end); else a file the environment names (MNOS_STDIN,
 * MNOS_STDOUT, MNOS_STDERR: a shell's redirection; output files are opened to append,
 * the shell has made or emptied them); else the console.
 */
enum { STD_UNSET, STD_CONSOLE, STD_STREAM, STD_FILE, STD_CLOSED };

static struct {
	int kind;
	uint32_t cap;                   /* STD_STREAM */
	int fd;                         /* STD_FILE: the VFS's descriptor */
} std[FD_BASE];                         /* [std_lock] */
static struct mnos_lock std_lock;

static int std_kind(int fd)
{
	static const char *const cap[FD_BASE] = { "stdin", "stdout", "stderr" };
	static const char *const env[FD_BASE] = { "MNOS_STDIN", "MNOS_STDOUT", "MNOS_STDERR" };

	mnos_lock(&std_lock);
	if (std[fd].kind == STD_UNSET) {
		const char *path;
		if ((std[fd].cap = mnos_start_cap(cap[fd])) != 0) {
			std[fd].kind = STD_STREAM;
		} else if ((path = getenv(env[fd])) != NULL) {
			int f = open(path, fd ? O_WRONLY | O_CREAT | O_APPEND : O_RDONLY);
			std[fd].kind = f >= 0 ? STD_FILE : STD_CLOSED;
			std[fd].fd = f;
			if (f < 0)
				printf("%s: %s\n", path, mnos_fs_strerror(f));
		} else {
			std[fd].kind = STD_CONSOLE;
		}
	}
	int k = std[fd].kind;
	mnos_unlock(&std_lock);
	return k;
}

/* The VFS descriptor behind fd: fd itself, or for 0-2 the file they were redirected
 * to; -1 for a descriptor the VFS does not serve. */
static int vfs_fd(int fd)
{
	if (fd >= FD_BASE)
		return fd;
	return fd >= 0 && std_kind(fd) == STD_FILE ? std[fd].fd : -1;
}

int isatty(int fd)
{
	return fd >= 0 && fd < FD_BASE && std_kind(fd) == STD_CONSOLE;
}

/* The console, looked up (again) when it is not open. */
static ssize_t console_rw(uint64_t op, int fd, void *buf, size_t n)
{
	for (int tries = 0; tries < 2; tries++) {
		if (op == VFS_WRITE && fd > 0) {
			int e = mnos_console_write(buf, n);
			if (e == E_OK)
				return (ssize_t)n;
			if (e != E_NOT_FOUND && e != E_DELETED)
				return -e;
		} else if (op == VFS_READ && fd == 0) {
			long got = mnos_console_read(buf, n);
			if (got != -E_NOT_FOUND && got != -E_DELETED)
				return got;
		} else {
			return -E_FS_BAD_FD;
		}
		if (tries == 0 && mnos_console_open() != E_OK)
			break;
	}
	return -E_FS_NO_SERVICE;
}

static ssize_t std_rw(uint64_t op, int fd, void *buf, size_t n)
{
	switch (std_kind(fd)) {
	case STD_CONSOLE:
		return console_rw(op, fd, buf, n);
	case STD_STREAM:
		if ((op == VFS_READ) != (fd == 0))
			return -E_FS_BAD_FD;
		if (op == VFS_READ)
			return mnos_stream_read(std[fd].cap, buf, n);
		return mnos_stream_write(std[fd].cap, buf, n);
	default:
		return -E_FS_BAD_FD;
	}
}

static ssize_t rw(uint64_t op, int fd, void *buf, size_t n)
{
	size_t done = 0;

	if (fd < 0 || !buf)
		return -E_INVAL;
	if (fd < FD_BASE) {
		int v = vfs_fd(fd);
		if (v < 0)
			return std_rw(op, fd, buf, n);
		fd = v;
	}
	int e = session();
	if (e != E_OK)
		return -e;
	while (done < n) {
		size_t k = MIN(n - done, sess.size);
		ssize_t got = transfer(op, fd, (uint8_t *)buf + done, k);
		if (got < 0)
			return done ? (ssize_t)done : got;
		done += (size_t)got;
		if ((size_t)got < k)
			break;
	}
	return (ssize_t)done;
}

ssize_t read(int fd, void *buf, size_t n)
{
	return rw(VFS_READ, fd, buf, n);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	return rw(VFS_WRITE, fd, (void *)buf, n);
}

off_t lseek(int fd, off_t off, int whence)
{
	if (fd >= 0 && fd < FD_BASE && vfs_fd(fd) >= 0)
		fd = vfs_fd(fd);                /* redirected to a file */
	uint64_t w[MNOS_RPC_WORDS] = { (uint64_t)fd - FD_BASE, (uint64_t)off, (uint64_t)whence };

	if (fd < FD_BASE)
		return fd < 0 ? -E_FS_BAD_FD : -E_INVAL;        /* the console cannot seek */
	int e = call(VFS_SEEK, w, NULL, 0, NULL, 0);
	return e ? -e : (off_t)w[0];
}

static int stat_of(int e, const uint64_t w[MNOS_RPC_WORDS], struct stat *st)
{
	if (e == 0 && st) {
		st->st_type = (uint32_t)w[0];
		st->st_size = w[1];
	}
	return e;
}

int stat(const char *path, struct stat *st)
{
	uint64_t w[MNOS_RPC_WORDS] = { 0 };

	return stat_of(path_call(VFS_STAT, path, 0, w), w, st);
}

int fstat(int fd, struct stat *st)
{
	if (fd >= 0 && fd < FD_BASE && vfs_fd(fd) >= 0)
		fd = vfs_fd(fd);
	uint64_t w[MNOS_RPC_WORDS] = { (uint64_t)fd - FD_BASE };

	if (fd < FD_BASE)
		return fd < 0 ? -E_FS_BAD_FD : -E_INVAL;
	return stat_of(-call(VFS_FSTAT, w, NULL, 0, NULL, 0), w, st);
}

int mkdir(const char *path, ...)
{
	return path_call(VFS_MKDIR, path, 0, NULL);
}

int unlink(const char *path)
{
	return path_call(VFS_UNLINK, path, 0, NULL);
}

int rmdir(const char *path)
{
	return path_call(VFS_UNLINK, path, 1, NULL);
}

int rename(const char *from, const char *to)
{
	char both[2 * MNOS_PATH_MAX];
	uint64_t w[MNOS_RPC_WORDS] = { 0 };
	int e = resolve(from, both);

	if (e == E_OK)
		e = resolve(to, both + strlen(both) + 1);
	if (e != E_OK)
		return -e;
	size_t a = strlen(both) + 1, b = strlen(both + a);
	if (a + b > MNOS_RPC_MAX_DATA)
		return -E_FS_NAME_TOO_LONG;
	return -call(VFS_RENAME, w, both, a + b, NULL, 0);
}

int chdir(const char *path)
{
	char abs[MNOS_PATH_MAX];
	struct stat st;
	int e = resolve(path, abs);

	if (e != E_OK)
		return -e;
	if ((e = stat(abs, &st)) != 0)
		return e;
	if (st.st_type != FS_TYPE_DIR)
		return -E_FS_NOT_DIR;
	cwd_set = true;
	strlcpy(cwd, abs, sizeof(cwd));
	return 0;
}

const char *getcwd(void)
{
	return cwd_now();
}

/* ---- directories ---- */

struct mnos_dir {
	int fd;
	struct dirent ent;
};

DIR *mnos_opendir(const char *path, int *err)
{
	DIR *d = malloc(sizeof(*d));
	int fd = d ? open(path, O_RDONLY | O_DIRECTORY) : -E_NO_MEMORY;

	if (fd < 0) {
		free(d);
		if (err)
			*err = fd;
		return NULL;
	}
	d->fd = fd;
	return d;
}

DIR *opendir(const char *path)
{
	return mnos_opendir(path, NULL);
}

struct dirent *readdir(DIR *d)
{
	char name[MNOS_FS_NAME_MAX];
	struct mnos_rpc_msg req = { 0 }, rep = { .data = name, .size = sizeof(name) - 1 };

	if (!d)
		return NULL;
	req.w[0] = (uint64_t)d->fd - FD_BASE;
	if (session() != E_OK || mnos_rpc_call(sess.ep, mnos_ipc_buffer(), VFS_READDIR, &req,
					       &rep) != E_OK || !rep.len)
		return NULL;
	memcpy(d->ent.d_name, name, rep.len);
	d->ent.d_name[rep.len] = 0;
	d->ent.d_type = (uint32_t)rep.w[0];
	d->ent.d_size = rep.w[1];
	return &d->ent;
}

int closedir(DIR *d)
{
	if (!d)
		return -E_INVAL;
	int e = close(d->fd);
	free(d);
	return e;
}

int mnos_vfs_stats(uint64_t *sessions, uint64_t *open, uint64_t *reclaimed)
{
	uint64_t w[MNOS_RPC_WORDS] = { 0 };
	uint32_t ep;
	int e = mnos_name_lookup("vfs", &ep);

	if (e != E_OK)
		return -E_FS_NO_SERVICE;
	e = mnos_rpc_call_words(ep, VFS_STATS, w, w);
	mnos_slot_free(ep);
	if (e == E_OK) {
		*sessions = w[0];
		*open = w[1];
		*reclaimed = w[2];
	}
	return -e;
}
