/*
 * Path resolution (user/lib/path.c, docs/VFS.md "Paths") on the host under ASan and
 * UBSan: absolute and relative paths, ".", "..", repeated and trailing slashes, the
 * length bounds on both sides of MNOS_PATH_MAX, NUL inside a path, climbing above the
 * root, and the mount-prefix match; then random paths against a model.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <mnos/fs.h>

static char out[MNOS_PATH_MAX];

static int res(const char *cwd, const char *p)
{
	memset(out, 0x5a, sizeof(out));
	return mnos_path_resolve(cwd, p, strlen(p), out);
}

#define OK(cwd, p, want)                                                              \
	do {                                                                          \
		cr_assert_eq(res(cwd, p), E_OK, "%s", p);                               \
		cr_assert_str_eq(out, want, "%s", p);                                   \
	} while (0)

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

Test(path, absolute)
{
	OK(NULL, "/", "/");
	OK(NULL, "/etc/init.conf", "/etc/init.conf");
	OK("/tmp", "/etc", "/etc");
	OK(NULL, "//etc///init.conf", "/etc/init.conf");
	OK(NULL, "/etc/", "/etc");
	OK(NULL, "/./etc/./", "/etc");
	OK(NULL, "/etc/../bin", "/bin");
	OK(NULL, "/a/b/c/../../d/.", "/a/d");
	OK(NULL, "/a/..", "/");
	OK(NULL, "/...", "/...");                       /* a name, not a climb */
	OK(NULL, "/..a/.b", "/..a/.b");
}

Test(path, relative)
{
	OK("/", "etc", "/etc");
	OK(NULL, "etc", "/etc");
	OK("/etc", "init.conf", "/etc/init.conf");
	OK("/etc", "./init.conf", "/etc/init.conf");
	OK("/etc", "..", "/");
	OK("/a/b", "../c", "/a/c");
	OK("/a/b", ".", "/a/b");
	OK("/a/b", "x//y/", "/a/b/x/y");
}

Test(path, above_root_refused)
{
	cr_assert_eq(res(NULL, "/.."), E_FS_ABOVE_ROOT);
	cr_assert_eq(res(NULL, "/etc/../.."), E_FS_ABOVE_ROOT);
	cr_assert_eq(res(NULL, "/../etc"), E_FS_ABOVE_ROOT);
	cr_assert_eq(res("/", ".."), E_FS_ABOVE_ROOT);
	cr_assert_eq(res("/a", "../.."), E_FS_ABOVE_ROOT);
	/* out is untouched */
	cr_assert_eq((unsigned char)out[0], 0x5a);
}

Test(path, bad_input)
{
	char buf[MNOS_PATH_MAX + 8];

	cr_assert_eq(res(NULL, ""), E_INVAL);
	cr_assert_eq(mnos_path_resolve(NULL, NULL, 3, out), E_INVAL);
	cr_assert_eq(mnos_path_resolve(NULL, "/etc\0x", 6, out), E_INVAL);
	cr_assert_eq(mnos_path_resolve(NULL, "\0", 1, out), E_INVAL);
	cr_assert_eq(res("etc", "x"), E_INVAL);          /* cwd not absolute */
	/* len counts: the bytes after it are not read */
	cr_assert_eq(mnos_path_resolve(NULL, "/etcXYZ", 4, out), E_OK);
	cr_assert_str_eq(out, "/etc");

	/* The length bound: MNOS_PATH_MAX - 1 bytes fit, MNOS_PATH_MAX do not. */
	memset(buf, 0, sizeof(buf));
	for (size_t i = 0; i < MNOS_PATH_MAX - 1; i++)
		buf[i] = i % 32 == 0 ? '/' : 'a';
	cr_assert_eq(mnos_path_resolve(NULL, buf, MNOS_PATH_MAX - 1, out), E_OK);
	cr_assert_eq(strlen(out), MNOS_PATH_MAX - 1);
	buf[MNOS_PATH_MAX - 1] = 'a';
	cr_assert_eq(mnos_path_resolve(NULL, buf, MNOS_PATH_MAX, out), E_FS_NAME_TOO_LONG);
	/* A long input that resolves short is still refused: the bound is on what is sent. */
	memset(buf, '/', sizeof(buf));
	cr_assert_eq(mnos_path_resolve(NULL, buf, MNOS_PATH_MAX + 8, out), E_FS_NAME_TOO_LONG);
	/* A result too long through the working directory. */
	char cwd[MNOS_PATH_MAX];
	for (size_t i = 0; i < MNOS_PATH_MAX - 1; i++)
		cwd[i] = i % 32 == 0 ? '/' : 'b';
	cwd[MNOS_PATH_MAX - 1] = 0;
	cr_assert_eq(res(cwd, "x"), E_FS_NAME_TOO_LONG);
	char *parent = dup_n(cwd, (size_t)(strrchr(cwd, '/') - cwd));
	OK(cwd, "..", parent);
	free(parent);
	/* A component of MNOS_FS_NAME_MAX bytes is too long, one byte less is not. */
	memset(buf, 'c', sizeof(buf));
	buf[0] = '/';
	cr_assert_eq(mnos_path_resolve(NULL, buf, MNOS_FS_NAME_MAX, out), E_OK);
	cr_assert_eq(mnos_path_resolve(NULL, buf, MNOS_FS_NAME_MAX + 1, out), E_FS_NAME_TOO_LONG);
}

Test(path, under)
{
	cr_assert_str_eq(mnos_path_under("/etc/init.conf", "/"), "etc/init.conf");
	cr_assert_str_eq(mnos_path_under("/", "/"), "");
	cr_assert_str_eq(mnos_path_under("/tmp", "/tmp"), "");
	cr_assert_str_eq(mnos_path_under("/tmp/a/b", "/tmp"), "a/b");
	cr_assert_null(mnos_path_under("/tmpx", "/tmp"));
	cr_assert_null(mnos_path_under("/tm", "/tmp"));
	cr_assert_null(mnos_path_under("/etc", "/tmp"));
	cr_assert_str_eq(mnos_path_under("/a/b/c", "/a/b"), "c");
}

/* A model: split on '/', apply ".", "..", check the bounds the same way. */
static int model(const char *p, size_t len, char *m)
{
	char *comp[MNOS_PATH_MAX];
	int n = 0;
	char *dup = dup_n(p, len);

	if (len >= MNOS_PATH_MAX) {
		free(dup);
		return E_FS_NAME_TOO_LONG;
	}
	for (char *t = strtok(dup, "/"); t; t = strtok(NULL, "/")) {
		if (strcmp(t, ".") == 0)
			continue;
		if (strcmp(t, "..") == 0) {
			if (!n) {
				free(dup);
				return E_FS_ABOVE_ROOT;
			}
			n--;
			continue;
		}
		if (strlen(t) >= MNOS_FS_NAME_MAX) {
			free(dup);
			return E_FS_NAME_TOO_LONG;
		}
		comp[n++] = t;
	}
	m[0] = 0;
	for (int i = 0; i < n; i++) {
		strcat(m, "/");
		strcat(m, comp[i]);
	}
	if (!n)
		strcpy(m, "/");
	free(dup);
	return E_OK;
}

Test(path, random_against_a_model)
{
	static const char *parts[] = { "/", "/", "//", ".", "..", "a", "bb", "ccc", "...", ".x" };
	char p[400], m[1024];

	srand(7);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 1;
		p[0] = '/';
		int k = rand() % 40;
		for (int i = 0; i < k; i++) {
			const char *s = parts[rand() % 10];
			if (len + strlen(s) + 1 >= sizeof(p))
				break;
			strcpy(p + len, s);
			len += strlen(s);
			if (rand() % 2)
				p[len++] = '/';
			p[len] = 0;
		}
		int want = model(p, len, m);
		int got = mnos_path_resolve(NULL, p, len, out);
		/* The model does not bound intermediate results: compare where it is OK
		 * and the result fits, or it refuses. */
		if (want == E_OK && strlen(m) < MNOS_PATH_MAX) {
			cr_assert_eq(got, E_OK, "%s", p);
			cr_assert_str_eq(out, m, "%s", p);
		} else if (want != E_OK) {
			cr_assert_eq(got, want, "%s", p);
		}
		/* Resolving a result again changes nothing. */
		if (got == E_OK) {
			char again[MNOS_PATH_MAX];
			cr_assert_eq(mnos_path_resolve(NULL, out, strlen(out), again), E_OK);
			cr_assert_str_eq(again, out);
		}
	}
}
