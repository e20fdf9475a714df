/*
 * The console service's client side (mnos/console.h). A read that finds nothing waits
 * in the service (CONSOLE_READ_WAIT): the service answers it when input comes, and
 * forgets it if the reader ends first — so a reader takes no place in the service
 * once it has gone (a subscription would hold one for as long as its notification
 * lived).
 */
#include <mnos.h>
#include <mnos/console.h>
#include <mnos/names.h>

static uint32_t con_ep;         /* the service's endpoint, or 0 */

int mnos_console_open(void)
{
	uint32_t ep;
	int e;

	if (con_ep) {
		mnos_slot_free(con_ep);
		con_ep = 0;
	}
	if ((e = mnos_name_lookup("console", &ep)) != E_OK)
		return e;
	con_ep = ep;
	return E_OK;
}

int mnos_console_open_wait(unsigned ms)
{
	int e;

	/* Any error, not only E_NOT_FOUND: a restarted service's old registration may
	 * linger a moment, and calls through it fail with E_DELETED. */
	for (unsigned waited = 0; (e = mnos_console_open()) != E_OK && waited < ms; waited += 10)
		mnos_sleep(10000000);
	return e;
}

int mnos_console_write(const char *s, size_t len)
{
	struct mnos_ipc_buffer *buf = mnos_ipc_buffer();

	if (!con_ep)
		return E_NOT_FOUND;
	while (len) {
		size_t n = len < MNOS_RPC_MAX_DATA ? len : MNOS_RPC_MAX_DATA;
		struct mnos_rpc_msg req = { .data = (void *)s, .len = n };
		int e = mnos_rpc_call(con_ep, buf, CONSOLE_WRITE, &req, NULL);
		if (e != E_OK)
			return e;
		s += n;
		len -= n;
	}
	return E_OK;
}

long mnos_console_read(char *out, size_t size)
{
	if (!con_ep)
		return -E_NOT_FOUND;
	if (size > MNOS_RPC_MAX_DATA)
		size = MNOS_RPC_MAX_DATA;
	struct mnos_rpc_msg req = { .w = { size, CONSOLE_READ_WAIT } };
	struct mnos_rpc_msg rep = { .data = out, .size = size };
	int e = mnos_rpc_call(con_ep, mnos_ipc_buffer(), CONSOLE_READ, &req, &rep);

	return e == E_OK ? (long)rep.len : -e;
}

long mnos_console_read_line(char *buf, size_t size)
{
	size_t n = 0;

	if (!size)
		return -E_INVAL;
	for (;;) {
		char c;
		long r = mnos_console_read(&c, 1);
		if (r < 0)
			return r;
		if (c == '\r' || c == '\n') {
			mnos_console_write("\n", 1);
			buf[n] = 0;
			return (long)n;
		}
		if ((c == 0x7f || c == '\b') && n) {
			n--;
			mnos_console_write("\b \b", 3);
		} else if (c >= ' ' && n + 1 < size) {
			buf[n++] = c;
			mnos_console_write(&c, 1);
		}
	}
}

int mnos_console_mode(int mode)
{
	uint64_t in[MNOS_RPC_WORDS] = { (uint64_t)mode }, out[MNOS_RPC_WORDS] = { 0 };
	int e;

	if (!con_ep && (e = mnos_console_open()) != E_OK)
		return -e;
	e = mnos_rpc_call_words(con_ep, CONSOLE_MODE, in, out);
	return e == E_OK ? (int)out[0] : -e;
}

int mnos_console_intr(uint32_t ntf)
{
	struct mnos_rpc_msg req = { .w = { ntf != 0 }, .caps = { ntf },
				    .rights = { CAP_R_SIGNAL }, .ncaps = ntf != 0 };
	int e;

	if (!con_ep && (e = mnos_console_open()) != E_OK)
		return e;
	return mnos_rpc_call(con_ep, mnos_ipc_buffer(), CONSOLE_INTR, &req, NULL);
}

static void sink(void *ctx, const char *s, size_t len)
{
	mnos_console_write(s, len);
}

void mnos_console_use_for_output(void)
{
	mnos_set_output(sink, NULL, NULL);
}
