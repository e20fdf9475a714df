/*
 * The ustar reader (ustar.h; docs/INITRAMFS.md says what is accepted and why). Pure
 * logic over an untrusted buffer: fields are read byte by byte (the archive may lie at
 * any address), never past their width, and every offset is compared with what is left
 * of the archive before it is added, so nothing can wrap. tests/host/test_ustar.c runs
 * it on the corpus in tests/tar/; tests/fuzz/fuzz_ustar.c fuzzes it under ASan + UBSan.
 */
#include <ustar.h>
#include <klib.h>

/* Header field offsets and widths (POSIX.1-1988 ustar). */
#define H_NAME          0
#define W_NAME          100
#define H_MODE          100
#define H_UID           108
#define H_GID           116
#define W_ID            8       /* mode, uid, gid */
#define H_SIZE          124
#define H_MTIME         136
#define W_NUM12         12      /* size, mtime */
#define H_CHKSUM        148
#define W_CHKSUM        8
#define H_TYPE          156
#define H_MAGIC         257
#define H_VERSION       263
#define H_PREFIX        345
#define W_PREFIX        155

/* The longest field holds 11 digits and its terminator: 33 bits, so the octal parser
 * cannot overflow its 64-bit result and needs no check for it. */
_Static_assert(3 * (W_NUM12 - 1) < 64, "octal fields fit 64 bits");
_Static_assert(W_PREFIX + 1 + W_NAME >= USTAR_PATH_MAX, "a raw path can be too long");

static const struct {
	const char *name;
	const char *what;
} errors[USTAR_ERRORS] = {
	[USTAR_OK]              = { "ok", "no error" },
	[USTAR_END]             = { "end", "end of the archive" },
	[USTAR_E_TRUNCATED]     = { "truncated",
				    "archive ends inside a header or before its two zero blocks" },
	[USTAR_E_LONE_ZERO]     = { "lone_zero", "a single zero block before a header" },
	[USTAR_E_MAGIC]         = { "magic", "not a POSIX ustar header (magic)" },
	[USTAR_E_VERSION]       = { "version", "unknown ustar version (not \"00\")" },
	[USTAR_E_CHECKSUM]      = { "checksum", "header checksum does not match" },
	[USTAR_E_OCTAL]         = { "octal",
				    "a numeric field is not octal digits and a terminator" },
	[USTAR_E_MODE]          = { "mode", "mode has bits beyond 07777" },
	[USTAR_E_TYPE]          = { "type",
				    "entry type is neither a regular file nor a directory" },
	[USTAR_E_NAME_NUL]      = { "name_nul", "name or prefix has bytes after its NUL" },
	[USTAR_E_PATH_EMPTY]    = { "path_empty", "empty path" },
	[USTAR_E_PATH_ABSOLUTE] = { "path_absolute", "absolute path" },
	[USTAR_E_PATH_DOTDOT]   = { "path_dotdot", "path has a '..' component" },
	[USTAR_E_PATH_TOO_LONG] = { "path_too_long", "path too long" },
	[USTAR_E_PATH_SLASH]    = { "path_slash", "regular file's path ends in '/' or '/.'" },
	[USTAR_E_DIR_SIZE]      = { "dir_size", "directory with a nonzero size" },
	[USTAR_E_SIZE]          = { "size", "entry's data runs past the end of the archive" },
	[USTAR_E_NOT_FOUND]     = { "not_found", "no such file in the archive" },
	[USTAR_E_DUPLICATE]     = { "duplicate", "path is in the archive twice" },
};

const char *ustar_strerror(enum ustar_error e)
{
	return (unsigned)e < USTAR_ERRORS ? errors[e].what : "unknown error";
}

const char *ustar_errname(enum ustar_error e)
{
	return (unsigned)e < USTAR_ERRORS ? errors[e].name : "unknown";
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * A numeric field: one or more octal digits, then a NUL or space, then only NULs and
 * spaces to the end of the field. No leading spaces, no sign, no GNU base-256 (a field
 * with its top bit set), and no field that is all digits: POSIX asks for a terminator,
 * and both Python's tarfile and GNU tar write one.
 */
static bool octal(const uint8_t *f, size_t width, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	while (i < width && f[i] >= '0' && f[i] <= '7')
		v = v * 8 + (uint64_t)(f[i++] - '0');
	if (i == 0 || i == width)
		return false;
	for (; i < width; i++)
		if (f[i] != '\0' && f[i] != ' ')
			return false;
	*out = v;
	return true;
}

/* POSIX's checksum: the unsigned sum of the header's bytes, the checksum field counted
 * as eight spaces. (Some historic tars summed signed chars; the two agree on any header
 * of ASCII bytes, and only the unsigned one is POSIX. We accept that one alone.)
 * Eight bytes at a time: each word's bytes are added into four 16-bit lanes (at most
 * 64 words x 2 bytes x 255 = 32,640 a lane, so no lane carries into the next), which
 * are added at the end. A byte at a time it was most of the cost of walking an archive:
 * init, initfs and proc walk the whole initramfs, 169 headers, each time. */
static uint64_t header_sum(const uint8_t *h)
{
	const uint64_t low = 0x00ff00ff00ff00ffull;
	uint64_t lanes = 0, sum;

	for (size_t i = 0; i < USTAR_BLOCK; i += 8) {
		uint64_t w;
		__builtin_memcpy(&w, h + i, sizeof(w));         /* h may be unaligned */
		lanes += (w & low) + ((w >> 8) & low);
	}
	sum = (lanes & 0xffff) + ((lanes >> 16) & 0xffff) + ((lanes >> 32) & 0xffff) +
	      (lanes >> 48);
	for (size_t i = H_CHKSUM; i < H_CHKSUM + W_CHKSUM; i++)
		sum -= h[i];
	return sum + W_CHKSUM * (uint64_t)' ';
}

/* The length of a string field that may fill its whole width (POSIX: the NUL is then
 * absent); false if a non-NUL byte follows its first NUL. */
static bool field_len(const uint8_t *f, size_t width, size_t *len)
{
	size_t n = 0;

	while (n < width && f[n])
		n++;
	if (!all_zero(f + n, width - n))
		return false;
	*len = n;
	return true;
}

/*
 * prefix + '/' + name, normalised into out: empty and "." components dropped, ".."
 * and a leading '/' refused. *last_dot is set when the last raw component was empty or
 * "." (a trailing '/' or "/."), which a regular file may not have.
 */
static enum ustar_error make_path(const uint8_t *h, char out[USTAR_PATH_MAX], bool *last_dot)
{
	char raw[W_PREFIX + 1 + W_NAME + 1];
	size_t nlen, plen, r = 0, o = 0;

	if (!field_len(h + H_NAME, W_NAME, &nlen) || !field_len(h + H_PREFIX, W_PREFIX, &plen))
		return USTAR_E_NAME_NUL;
	if (nlen == 0)
		return USTAR_E_PATH_EMPTY;
	if (plen) {
		memcpy(raw, h + H_PREFIX, plen);
		raw[plen] = '/';
		r = plen + 1;
	}
	memcpy(raw + r, h + H_NAME, nlen);
	r += nlen;
	raw[r] = '\0';
	if (raw[0] == '/')
		return USTAR_E_PATH_ABSOLUTE;

	*last_dot = false;
	for (size_t i = 0; i <= r;) {
		size_t j = i;
		while (j < r && raw[j] != '/')
			j++;
		size_t clen = j - i;
		bool dot = clen == 0 || (clen == 1 && raw[i] == '.');
		if (clen == 2 && raw[i] == '.' && raw[i + 1] == '.')
			return USTAR_E_PATH_DOTDOT;
		if (!dot) {
			/* The component, after a '/' unless it is the first, and the NUL. */
			size_t need = (o ? 1 : 0) + clen + 1;
			if (need > USTAR_PATH_MAX - o)
				return USTAR_E_PATH_TOO_LONG;
			if (o)
				out[o++] = '/';
			memcpy(out + o, raw + i, clen);
			o += clen;
		}
		*last_dot = dot;
		i = j + 1;
	}
	out[o] = '\0';
	return USTAR_OK;
}

/* Check the header at it->off and fill e; *root is set for a directory that names the
 * archive's root, which the caller skips. The data's extent is checked too. */
static enum ustar_error parse_header(const struct ustar_iter *it, struct ustar_entry *e,
				     bool *root)
{
	const uint8_t *h = it->base + it->off;
	uint64_t chksum, mode, uid, gid, size, mtime;
	bool last_dot;

	if (memcmp(h + H_MAGIC, "ustar", 6) != 0)
		return USTAR_E_MAGIC;
	if (h[H_VERSION] != '0' || h[H_VERSION + 1] != '0')
		return USTAR_E_VERSION;
	if (!octal(h + H_CHKSUM, W_CHKSUM, &chksum))
		return USTAR_E_OCTAL;
	if (chksum != header_sum(h))
		return USTAR_E_CHECKSUM;
	if (!octal(h + H_MODE, W_ID, &mode) || !octal(h + H_UID, W_ID, &uid) ||
	    !octal(h + H_GID, W_ID, &gid) || !octal(h + H_SIZE, W_NUM12, &size) ||
	    !octal(h + H_MTIME, W_NUM12, &mtime))
		return USTAR_E_OCTAL;
	if (mode & ~07777ull)
		return USTAR_E_MODE;
	switch (h[H_TYPE]) {
	case '0':
	case '\0':              /* pre-POSIX tars wrote regular files so */
		e->type = USTAR_FILE;
		break;
	case '5':
		e->type = USTAR_DIR;
		break;
	default:
		/* Links, devices, FIFOs, and the pax and GNU extension headers, which would
		 * change what the next entry means: refused, not skipped. */
		return USTAR_E_TYPE;
	}
	enum ustar_error err = make_path(h, e->path, &last_dot);
	if (err != USTAR_OK)
		return err;
	*root = e->path[0] == '\0' && e->type == USTAR_DIR;
	if (e->type == USTAR_FILE) {
		if (e->path[0] == '\0')
			return USTAR_E_PATH_EMPTY;
		if (last_dot)
			return USTAR_E_PATH_SLASH;
	}
	if (e->type == USTAR_DIR && size != 0)
		return USTAR_E_DIR_SIZE;
	/* The data and its padding to a whole block, inside what follows the header
	 * (it->off + USTAR_BLOCK <= it->size: the caller checked). */
	if (ALIGN_UP(size, (uint64_t)USTAR_BLOCK) > it->size - it->off - USTAR_BLOCK)
		return USTAR_E_SIZE;
	e->mode = (uint32_t)mode;
	e->size = size;
	e->data = h + USTAR_BLOCK;
	return USTAR_OK;
}

void ustar_iter_init(struct ustar_iter *it, const void *archive, size_t size)
{
	it->base = archive;
	it->size = archive ? size : 0;
	it->off = 0;
	it->stop = USTAR_OK;
}

enum ustar_error ustar_next(struct ustar_iter *it, struct ustar_entry *e)
{
	while (it->stop == USTAR_OK) {
		bool root = false;
		enum ustar_error err;

		e->offset = it->off;
		if (it->size - it->off < USTAR_BLOCK) {
			err = USTAR_E_TRUNCATED;
		} else if (all_zero(it->base + it->off, USTAR_BLOCK)) {
			e->offset = it->off + USTAR_BLOCK;
			if (it->size - it->off < 2 * USTAR_BLOCK)
				err = USTAR_E_TRUNCATED;
			else if (all_zero(it->base + it->off + USTAR_BLOCK, USTAR_BLOCK))
				err = USTAR_END;
			else
				err = USTAR_E_LONE_ZERO;
		} else {
			err = parse_header(it, e, &root);
		}
		if (err != USTAR_OK) {
			it->stop = err;
			break;
		}
		it->off += USTAR_BLOCK + (size_t)ALIGN_UP(e->size, (uint64_t)USTAR_BLOCK);
		if (!root)
			return USTAR_OK;
	}
	return it->stop;
}

enum ustar_error ustar_check(const void *archive, size_t size, size_t *count, size_t *where)
{
	struct ustar_iter it;
	struct ustar_entry e;
	enum ustar_error err;
	size_t n = 0;

	ustar_iter_init(&it, archive, size);
	while ((err = ustar_next(&it, &e)) == USTAR_OK)
		n++;
	if (err != USTAR_END) {
		if (where)
			*where = e.offset;
		return err;
	}
	if (count)
		*count = n;
	return USTAR_OK;
}

enum ustar_error ustar_find(const void *archive, size_t size, const char *path,
			    struct ustar_entry *e)
{
	struct ustar_iter it;
	struct ustar_entry cur;
	enum ustar_error err;
	bool found = false;

	ustar_iter_init(&it, archive, size);
	while ((err = ustar_next(&it, &cur)) == USTAR_OK) {
		if (strcmp(cur.path, path) != 0)
			continue;
		if (found)
			return USTAR_E_DUPLICATE;
		found = true;
		*e = cur;
	}
	if (err != USTAR_END)
		return err;
	return found ? USTAR_OK : USTAR_E_NOT_FOUND;
}
