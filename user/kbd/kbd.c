/*
 * The keyboard service: the PS/2 keyboard's driver, in ring 3 (docs/DRIVERS.md).
 *
 * It holds the i8042 controller's data and command ports and IRQ 1, bound to a
 * notification. At start it sets the controller up (port 1 only, translation to
 * scancode set 1, the port-1 interrupt) and tells the keyboard to scan. An interrupt
 * thread then drains the controller's output buffer, decodes the bytes into key events
 * (scancode.c) kept in a ring buffer, acknowledges the line and signals the
 * subscribers; the main thread serves KBD_READ and KBD_SUBSCRIBE (mnos/kbd.h) over the
 * endpoint it registers as "kbd".
 *
 * With kbd.echo on the kernel command line (a test hook, tests/guest_configs.py) a
 * third thread reads the events back through the service like any client and prints
 * each one through the console service, on the serial line.
 */
#include <mnos.h>
#include <cmdline.h>
#include <mnos/bootinfo.h>
#include <mnos/kbd.h>
#include <mnos/subscribers.h>
#include "scancode.h"

#define PS2_DATA        0x60
#define PS2_STATUS      0x64    /* read */
#define PS2_CMD         0x64    /* write */

#define ST_OUT_FULL     0x01    /* a byte waits in 0x60 for us */
#define ST_IN_FULL      0x02    /* the controller has not taken our last byte yet */
#define ST_AUX          0x20    /* the waiting byte is from port 2 (a mouse) */

#define CMD_READ_CONFIG         0x20
#define CMD_WRITE_CONFIG        0x60
#define CMD_DISABLE_PORT2       0xa7
#define CMD_DISABLE_PORT1       0xad
#define CMD_ENABLE_PORT1        0xae

#define CFG_IRQ1        0x01
#define CFG_IRQ12       0x02
#define CFG_CLOCK1_OFF  0x10
#define CFG_CLOCK2_OFF  0x20
#define CFG_TRANSLATE   0x40

#define KB_ENABLE_SCAN  0xf4
#define KB_ACK          0xfa
#define KB_RESEND       0xfe

/* Each wait for the controller: it answers in microseconds, so this only bounds how
 * long a machine without one (or a dead one) keeps the driver. */
#define WAIT_NS         100000000ull
#define EVENTS          256     /* the ring buffer: a power of two */

_Static_assert(KBD_MAX_SUBSCRIBERS == MNOS_SUBSCRIBERS_MAX,
	       "the protocol's limit is the set's");

static uint32_t data_port, cmd_port, irq, irq_ntf;
static struct mnos_lock lock;
static struct kbd_decoder dec;                          /* [irq thread] */
static struct mnos_key_event events[EVENTS];            /* [lock] */
static uint64_t ev_head, ev_tail;                       /* [lock] */
static uint64_t dropped;                                /* [lock] */
static struct mnos_subscribers subs;
static uint8_t req_buf[MNOS_RPC_MAX_DATA];
static struct mnos_key_event reply_ev[KBD_READ_MAX];   /* [main thread] */

static uint8_t in(uint32_t cap, unsigned port)
{
	uint64_t v = 0xff;      /* what a port nobody answers reads as */

	mnos_ioport_in(cap, port, 1, &v);
	return (uint8_t)v;
}

static void out(uint32_t cap, unsigned port, uint8_t v)
{
	mnos_ioport_out(cap, port, 1, v);
}

static uint8_t status(void)
{
	return in(cmd_port, PS2_STATUS);
}

/* Wait until the status bits in mask equal want, for at most WAIT_NS. */
static bool wait_status(uint8_t mask, uint8_t want)
{
	uint64_t deadline = 0, now = 0;

	mnos_clock(&deadline);
	deadline += WAIT_NS;
	do {
		if ((status() & mask) == want)
			return true;
		mnos_clock(&now);
	} while (now < deadline);
	return false;
}

static bool send(unsigned port, uint8_t v)
{
	if (!wait_status(ST_IN_FULL, 0))
		return false;
	out(port == PS2_DATA ? data_port : cmd_port, port, v);
	return true;
}

/* The next byte the controller hands over, or -1 if none comes in time. */
static int receive(void)
{
	if (!wait_status(ST_OUT_FULL, ST_OUT_FULL))
		return -1;
	return in(data_port, PS2_DATA);
}

/* Read and drop whatever waits (keys pressed during boot, firmware's leftovers). The
 * controller's buffer is one byte, the keyboard's a few more: a bound keeps a stuck
 * status bit from holding us here. */
static void flush(void)
{
	for (int i = 0; i < 64 && (status() & ST_OUT_FULL); i++)
		in(data_port, PS2_DATA);
}

static bool write_config(uint8_t cfg)
{
	return send(PS2_CMD, CMD_WRITE_CONFIG) && send(PS2_DATA, cfg);
}

/* Tell the keyboard to send scancodes; it answers ACK, or RESEND to be asked again. A
 * scancode of a key pressed meanwhile is skipped. */
static bool keyboard_command(uint8_t cmd)
{
	for (int tries = 0; tries < 3; tries++) {
		if (!send(PS2_DATA, cmd))
			return false;
		for (int i = 0; i < 16; i++) {
			int b = receive();
			if (b < 0 || b == KB_RESEND)
				break;
			if (b == KB_ACK)
				return true;
		}
	}
	return false;
}

/*
 * Set the controller up, with its interrupts off until the line is bound: both ports
 * off (so no byte arrives while we change the configuration), the output buffer
 * empty, then the configuration byte: port 1's clock on, port 2's off (a mouse driver
 * would enable it), translation on so that the keyboard's bytes reach us in scancode
 * set 1 whatever set it speaks. Returns the configuration, or -1 with a message.
 */
static int controller_setup(void)
{
	if (status() == 0xff) {
		printf("kbd: no PS/2 controller (its status port reads 0xff)\n");
		return -1;
	}
	if (!send(PS2_CMD, CMD_DISABLE_PORT1) || !send(PS2_CMD, CMD_DISABLE_PORT2)) {
		printf("kbd: the PS/2 controller does not take commands\n");
		return -1;
	}
	flush();
	int cfg;
	if (!send(PS2_CMD, CMD_READ_CONFIG) || (cfg = receive()) < 0) {
		printf("kbd: the PS/2 controller does not answer\n");
		return -1;
	}
	cfg &= ~(CFG_IRQ1 | CFG_IRQ12 | CFG_CLOCK1_OFF);
	cfg |= CFG_CLOCK2_OFF | CFG_TRANSLATE;
	if (!write_config((uint8_t)cfg) || !send(PS2_CMD, CMD_ENABLE_PORT1)) {
		printf("kbd: the PS/2 controller does not take its configuration\n");
		return -1;
	}
	flush();
	/* No keyboard, or a silent one, is no reason to stop: one plugged in later
	 * scans by default after its power-on self-test. */
	if (!keyboard_command(KB_ENABLE_SCAN))
		printf("kbd: the keyboard does not acknowledge 'enable scanning'\n");
	return cfg;
}

/* Decode what waits in the controller into the buffer; whether any event came. */
static bool drain(void)
{
	bool got = false;

	mnos_lock(&lock);
	for (int i = 0; i < 64; i++) {
		uint8_t st = status();
		if (!(st & ST_OUT_FULL))
			break;
		uint8_t b = in(data_port, PS2_DATA);
		if (st & ST_AUX)
			continue;       /* port 2 is off; a byte from it is stale */
		struct mnos_key_event ev[KBD_DECODE_MAX];
		unsigned n = kbd_decode(&dec, b, ev);
		for (unsigned k = 0; k < n; k++) {
			if (ev_head - ev_tail == EVENTS) {
				dropped++;
				continue;
			}
			events[ev_head++ % EVENTS] = ev[k];
			got = true;
		}
	}
	mnos_unlock(&lock);
	return got;
}

/*
 * Interrupt thread: drain, acknowledge, tell the subscribers, wait. The line is
 * edge-triggered and masked from a delivery until its acknowledgement, and the
 * controller keeps it raised while a byte waits: a byte that came after the drain but
 * before the acknowledgement raised it while masked, so no edge will ever announce it.
 * Hence the second look at the status after each acknowledgement.
 */
static void irq_thread(void *unused)
{
	for (;;) {
		bool got = false;
		for (int round = 0; round < 16; round++) {
			got |= drain();
			mnos_irq_ack(irq);
			if (!(status() & ST_OUT_FULL))
				break;
		}
		if (got)
			mnos_subscribers_signal(&subs);
		uint64_t bits;
		if (mnos_notify_wait(irq_ntf, &bits) != E_OK) {
			printf("kbd: waiting for interrupts failed\n");
			return;
		}
	}
}

static int handle(void *ctx, struct mnos_rpc_request *r)
{
	if (r->op == KBD_SUBSCRIBE)
		return mnos_subscribers_add(&subs, r);
	if (r->op != KBD_READ || r->in.ncaps) {
		/* Capabilities that came with a request we do not take are not kept. */
		for (unsigned i = 0; i < r->in.ncaps; i++)
			if (r->in.caps[i])
				mnos_slot_free(r->in.caps[i]);
		return r->op == KBD_READ ? E_INVAL : E_NOSYS;
	}
	size_t want = r->in.w[0] < KBD_READ_MAX ? r->in.w[0] : KBD_READ_MAX;
	struct mnos_key_event *ev = reply_ev;
	size_t n = 0;
	mnos_lock(&lock);
	while (n < want && ev_tail != ev_head)
		ev[n++] = events[ev_tail++ % EVENTS];
	r->out.w[1] = dropped;
	mnos_unlock(&lock);
	r->out.w[0] = n;
	r->out.data = ev;
	r->out.len = n * sizeof(*ev);
	return n || !want ? E_OK : E_WOULD_BLOCK;
}

/* kbd.echo: print every event, read back through the service as a client would. The
 * driver is registered as "kbd.echo" then, so the console does not take the events. */
static void echo_thread(void *unused)
{
	struct mnos_kbd k = { 0 };
	struct mnos_key_event ev[16];
	int e = mnos_kbd_open_name(&k, "kbd.echo", 0);

	if (e != E_OK) {
		printf("kbd: echo: cannot open the service: %s\n", kerr_name((kerr_t)e));
		return;
	}
	for (;;) {
		long n = mnos_kbd_read(&k, ev, 16, true);
		if (n < 0) {
			printf("kbd: echo: reading failed: %s\n", kerr_name((kerr_t)-n));
			return;
		}
		for (long i = 0; i < n; i++) {
			const char *name = mnos_key_name(ev[i].key);
			char mods[32] = "", ch[8] = "none", hex[17] = "none", bytes[8];
			static const char *const mod_names[] = { "shift", "ctrl", "alt", "caps" };
			for (unsigned b = 0; b < 4; b++)
				if (ev[i].mods & (1u << b))
					snprintf(mods + strlen(mods), sizeof(mods) - strlen(mods),
						 "%s%s", mods[0] ? "+" : "", mod_names[b]);
			if (ev[i].ch)
				snprintf(ch, sizeof(ch), "'%c'", (char)ev[i].ch);
			size_t nb = mnos_key_to_bytes(&ev[i], bytes);
			for (size_t b = 0; b < nb; b++)
				snprintf(hex + 2 * b, sizeof(hex) - 2 * b, "%02x",
					 (unsigned char)bytes[b]);
			printf("kbd: %s %s mods=%s ch=%s bytes=%s\n",
			       ev[i].pressed ? "press" : "release", name ? name : "?",
			       mods[0] ? mods : "none", ch, hex);
		}
	}
}

/* Whether the kernel command line holds the word w. */
static bool cmdline_word(const char *w)
{
	uint32_t bim = mnos_start_cap("bootinfo");
	const struct mnos_bootinfo *bi = bim ? mnos_map_ro(bim, sizeof(*bi)) : NULL;

	return bi && bi->magic == MNOS_BOOTINFO_MAGIC && cmdline_has(bi->cmdline, w);
}

int main(int argc, char **argv)
{
	uint32_t ep = mnos_slot_alloc(), reply = mnos_slot_alloc();
	bool echo = cmdline_word("kbd.echo");

	if (echo && mnos_console_open_wait(5000) == E_OK)
		mnos_console_use_for_output();
	data_port = mnos_start_cap("ps2data");
	cmd_port = mnos_start_cap("ps2cmd");
	irq = mnos_start_cap("irq1");
	irq_ntf = mnos_slot_alloc();
	if (!data_port || !cmd_port || !irq) {
		printf("kbd: started without the PS/2 controller's ports or IRQ 1\n");
		return 1;
	}
	if (!ep || !reply || !irq_ntf ||
	    mnos_obj_create(MNOS_OBJ_NOTIFICATION, irq_ntf, 0, 0) != E_OK ||
	    mnos_obj_create(MNOS_OBJ_ENDPOINT, ep, 0, 0) != E_OK ||
	    mnos_obj_create(MNOS_OBJ_REPLY, reply, 0, 0) != E_OK) {
		printf("kbd: out of memory\n");
		return 1;
	}
	kbd_decoder_init(&dec);
	int cfg = controller_setup();
	if (cfg < 0)
		return 1;
	mnos_irq_unbind(irq);           /* a predecessor's binding, if it died bound */
	int e = mnos_irq_bind(irq, irq_ntf, 1);
	if (e == E_OK)
		e = mnos_irq_ack(irq);  /* a delivery a predecessor never acknowledged */
	if (e != E_OK) {
		printf("kbd: cannot bind IRQ 1: %s\n", kerr_name((kerr_t)e));
		return 1;
	}
	/* The line is bound: now the controller may raise it. */
	if (!write_config((uint8_t)(cfg | CFG_IRQ1))) {
		printf("kbd: the PS/2 controller does not take its configuration\n");
		return 1;
	}
	if (mnos_thread_start(irq_thread, NULL, 0, NULL) != E_OK) {
		printf("kbd: cannot start the interrupt thread\n");
		return 1;
	}
	struct mnos_rpc_server srv = {
		.ep = ep, .reply = reply, .buf = mnos_ipc_buffer(), .data = req_buf,
		.size = sizeof(req_buf), .handle = handle,
	};
	if (!srv.buf || (e = mnos_name_register(echo ? "kbd.echo" : "kbd", ep)) != E_OK) {
		printf("kbd: cannot register: %s\n", kerr_name((kerr_t)(srv.buf ? e : E_NO_MEMORY)));
		return 1;
	}
	if (echo && mnos_thread_start(echo_thread, NULL, 0, NULL) != E_OK)
		printf("kbd: cannot start the echo thread\n");
	printf("kbd: PS/2 keyboard ready\n");
	e = mnos_rpc_serve(&srv);
	printf("kbd: serving stopped: %s\n", kerr_name((kerr_t)e));
	return 1;
}
