/*
 * The console service: COM1's driver, in ring 3, and the one console of the system
 * (docs/INIT.md, "The console").
 *
 * It holds COM1's I/O-port capability and its IRQ-4 line, bound to a notification: an
 * interrupt thread waits there, drains the receive FIFO through the line discipline
 * (ldisc.c), acknowledges the line and signals the readers' notifications. A keyboard
 * thread does the same with the key presses of the keyboard driver ("kbd"), turned into
 * the bytes a terminal sends. The main thread serves write, read, subscribe, mode and
 * interrupt requests (mnos/console.h) from any number of clients over the endpoint it
 * registers as "console"; what is written goes to COM1 and to the framebuffer console.
 * Without COM1 (debug.serial, or no UART) it is the keyboard and the screen alone.
 */
#include <mnos.h>
#include <mnos/console.h>
#include <mnos/names.h>
#include <mnos/subscribers.h>
#include <mnos/kbd.h>
#include <mnos/fbcon.h>
#include "ldisc.h"

#define COM_RBR 0       /* receive buffer (read) */
#define COM_THR 0       /* transmit holding (write) */
#define COM_IER 1
#define COM_FCR 2
#define COM_LCR 3
#define COM_MCR 4
#define COM_LSR 5
#define LSR_DR  0x01
#define LSR_THRE 0x20

#define BASE 0x3f8

static uint32_t ports, irq, irq_ntf;
static struct mnos_lock lock;
static struct ldisc ld;                         /* [lock] */
static struct mnos_subscribers subs;            /* the readers' notifications */
static uint32_t intr_ntf;                       /* [lock] the armed Ctrl-C's, or 0 */
static struct mnos_lock out_lock;               /* one writer at a time */
static uint32_t probe;                          /* an endpoint nobody sends to */

/* Readers waiting for input (CONSOLE_READ_WAIT): parked replies, answered in order. */
#define MAX_WAITERS     16
static struct {
	uint32_t reply;                         /* 0: free */
	size_t want;
} waiters[MAX_WAITERS];                         /* [lock] */
static uint64_t waiters_head, waiters_tail;     /* [lock] queue of indices */
static uint8_t waiter_queue[MAX_WAITERS];       /* [lock] */
static uint8_t req_buf[MNOS_RPC_MAX_DATA];

_Static_assert(CONSOLE_MAX_SUBSCRIBERS == MNOS_SUBSCRIBERS_MAX,
	       "the protocol's limit is the set's");

static uint8_t in(unsigned reg)
{
	uint64_t v = 0;

	mnos_ioport_in(ports, BASE + reg, 1, &v);
	return (uint8_t)v;
}

static void out(unsigned reg, uint8_t v)
{
	mnos_ioport_out(ports, BASE + reg, 1, v);
}

static void put(char c)
{
	for (int i = 0; i < 100000 && !(in(COM_LSR) & LSR_THRE); i++)
		;
	out(COM_THR, (uint8_t)c);
}

/*
 * The framebuffer console ("fbcon", mnos/fbcon.h) gets a copy of everything written. It
 * may start after the console, be restarted, or not exist (no framebuffer): look it up
 * again at most every 500 ms while it is not there.
 */
#define FB_RETRY_NS     500000000ull

static uint32_t fb_ep;                          /* [out_lock] 0: not found */
static uint64_t fb_next_lookup;                 /* [out_lock] clock time */

static void fb_write(const char *s, size_t n)
{
	uint64_t now = 0;

	if (!fb_ep) {
		mnos_clock(&now);
		if (now < fb_next_lookup)
			return;
		fb_next_lookup = now + FB_RETRY_NS;
		if (mnos_name_lookup("fbcon", &fb_ep) != E_OK) {
			fb_ep = 0;
			return;
		}
	}
	while (n) {
		struct mnos_rpc_msg req = { .data = (void *)s, .len = MIN(n, (size_t)MNOS_RPC_MAX_DATA) };
		if (mnos_rpc_call(fb_ep, mnos_ipc_buffer(), FBCON_WRITE, &req, NULL) != E_OK) {
			mnos_slot_free(fb_ep);  /* gone (restarted): found again later */
			fb_ep = 0;
			return;
		}
		s += req.len;
		n -= req.len;
	}
}

static size_t write_bytes(const char *s, size_t n)
{
	mnos_lock(&out_lock);
	if (ports) {
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '\n')
				put('\r');
			put(s[i]);
		}
	}
	fb_write(s, n);
	mnos_unlock(&out_lock);
	return n;
}


/* Answer waiting readers while there is input for them; forget those that no longer
 * wait (killed), before taking input for them. */
static void answer_waiters(void)
{
	static struct mnos_lock answer_lock;
	char buf[MNOS_RPC_MAX_DATA];

	mnos_lock(&answer_lock);
	for (;;) {
		mnos_lock(&lock);
		if (waiters_head == waiters_tail) {
			mnos_unlock(&lock);
			break;
		}
		unsigned w = waiter_queue[waiters_tail % MAX_WAITERS];
		uint32_t reply = waiters[w].reply;
		mnos_unlock(&lock);
		bool alive = mnos_rpc_parked(reply, probe), eof = false;
		size_t n = 0;
		mnos_lock(&lock);
		if (alive)
			n = ldisc_read(&ld, buf, waiters[w].want, &eof);
		if (alive && !n && !eof) {
			mnos_unlock(&lock);
			break;                  /* nothing for it yet */
		}
		waiters_tail++;
		waiters[w].reply = 0;
		mnos_unlock(&lock);
		if (alive) {
			struct mnos_rpc_msg m = { .data = buf, .len = n };
			mnos_rpc_reply(reply, mnos_ipc_buffer(), E_OK, &m);
		}
		mnos_slot_free(reply);
	}
	mnos_unlock(&answer_lock);
}

/*
 * Park a read until input comes (lock held): the caller's reply object joins the
 * queue, and the loop goes on with the spare made beforehand (ready_spare). The check
 * for input and the parking happen under one hold of the lock: input that came between
 * them would otherwise find no reader to answer, and the reader would wait for the
 * next key.
 */
static uint32_t spare;                          /* [main thread] a fresh reply object */

static int ready_spare(void)
{
	if (spare)
		return E_OK;
	uint32_t s = mnos_slot_alloc();
	if (!s)
		return E_NO_MEMORY;
	int e = mnos_obj_create(MNOS_OBJ_REPLY, s, 0, 0);
	if (e != E_OK) {
		mnos_slot_free(s);
		return e;
	}
	spare = s;
	return E_OK;
}

static int park_reader(struct mnos_rpc_request *r, size_t want)
{
	if (!spare)
		return E_NO_MEMORY;
	for (unsigned w = 0; w < MAX_WAITERS; w++)
		if (!waiters[w].reply) {
			waiters[w].reply = r->reply;
			waiters[w].want = want;
			waiter_queue[waiters_head++ % MAX_WAITERS] = (uint8_t)w;
			r->park = spare;
			spare = 0;
			return E_OK;
		}
	return E_NO_MEMORY;
}

/* Tell the readers that input came: answer those waiting, signal the subscribers. */
static void wake_readers(void)
{
	answer_waiters();
	mnos_subscribers_signal(&subs);
}

/* Typed bytes, from COM1 or the keyboard, through the line discipline. */
static void input(const char *s, size_t n)
{
	static char echo[LDISC_ECHO];   /* [in_lock] */
	static struct mnos_lock in_lock;
	unsigned what = 0;

	mnos_lock(&in_lock);
	for (size_t i = 0; i < n; i++) {
		size_t elen;
		mnos_lock(&lock);
		unsigned w = ldisc_input(&ld, s[i], echo, &elen);
		uint32_t ntf = intr_ntf;
		mnos_unlock(&lock);
		if (elen)
			write_bytes(echo, elen);
		if ((w & LDISC_INTR) && ntf)
			mnos_notify_signal(ntf, 1);
		what |= w;
	}
	mnos_unlock(&in_lock);
	if (what & LDISC_WAKE)
		wake_readers();
}

/*
 * Keyboard thread: key presses from the keyboard driver become input. The driver may
 * start after the console, be restarted, or be absent (no PS/2 controller): look it up
 * every 100 ms for the first 5 s, then every 2 s.
 */
static void kbd_thread(void *unused)
{
	struct mnos_kbd k = { 0 };
	struct mnos_key_event ev[16];

	for (unsigned tries = 0;; tries++) {
		if (mnos_kbd_open(&k, 0) != E_OK) {
			mnos_sleep(tries < 50 ? 100000000ull : 2000000000ull);
			continue;
		}
		tries = 0;
		long n;
		while ((n = mnos_kbd_read(&k, ev, ARRAY_SIZE(ev), true)) >= 0)
			for (long i = 0; i < n; i++) {
				char b[8];
				size_t len = mnos_key_to_bytes(&ev[i], b);
				input(b, len);
			}
	}
}

/*
 * Interrupt thread: acknowledge, then drain and hand the bytes to the line discipline.
 * The line is edge-triggered and masked from a delivery until its acknowledgement, and
 * the UART keeps it raised while a byte waits: a byte that came after a drain but before
 * the acknowledgement would raise it while masked, and no edge would ever announce it
 * (the session then stalls until the next byte is typed). Acknowledging first closes
 * that window: whatever comes after the last look at the status raises an unmasked line,
 * and an interrupt during the drain only makes the next wait return at once.
 */
static void irq_thread(void *unused)
{
	for (;;) {
		uint64_t bits;
		char got[64];
		size_t n = 0;

		if (mnos_notify_wait(irq_ntf, &bits) != E_OK) {
			printf("console: waiting for interrupts failed\n");
			return;
		}
		mnos_irq_ack(irq);
		for (;;) {
			while (n < sizeof(got) && (in(COM_LSR) & LSR_DR))
				got[n++] = (char)in(COM_RBR);
			if (n < sizeof(got))
				break;
			input(got, n);
			n = 0;
		}
		input(got, n);
	}
}

static int handle(void *ctx, struct mnos_rpc_request *r)
{
	switch (r->op) {
	case CONSOLE_WRITE:
		r->out.w[0] = write_bytes(r->in.data, r->in.len);
		return E_OK;
	case CONSOLE_READ: {
		size_t want = r->in.w[0] < MNOS_RPC_MAX_DATA ? r->in.w[0] : MNOS_RPC_MAX_DATA;
		bool eof = false;
		bool wait = want && (r->in.w[1] & CONSOLE_READ_WAIT);
		if (r->in.w[1] & ~(uint64_t)CONSOLE_READ_WAIT)
			return E_INVAL;
		if (wait)
			ready_spare();  /* failing, a read with input still succeeds */
		mnos_lock(&lock);
		bool queued = waiters_head != waiters_tail;     /* they come first */
		size_t n = queued ? 0 : ldisc_read(&ld, (char *)req_buf, want, &eof);
		int e = n || eof || !want ? E_OK : wait ? park_reader(r, want) : E_WOULD_BLOCK;
		mnos_unlock(&lock);
		r->out.data = req_buf;
		r->out.len = n;
		if (queued && r->park)
			answer_waiters();       /* those before it may have gone (killed) */
		return e;
	}
	case CONSOLE_MODE: {
		static char ahead[LDISC_RX];
		size_t n = 0;
		bool eof;
		if (r->in.w[0] != CONSOLE_RAW && r->in.w[0] != CONSOLE_COOKED)
			return E_INVAL;
		mnos_lock(&lock);
		r->out.w[0] = (uint64_t)ld.mode;
		/* Raw bytes typed ahead of a switch to cooked were meant for the program the
		 * switch is for (the shell sets cooked just before starting it): they go
		 * through the cooked discipline again, so a Ctrl-D or Ctrl-C typed a moment
		 * too early still ends the input or interrupts. */
		if (ld.mode == CONSOLE_RAW && r->in.w[0] == CONSOLE_COOKED)
			n = ldisc_read(&ld, ahead, sizeof(ahead), &eof);
		ldisc_set_mode(&ld, (int)r->in.w[0]);
		mnos_unlock(&lock);
		if (n)
			input(ahead, n);
		wake_readers();         /* an unfinished cooked line may be theirs now */
		return E_OK;
	}
	case CONSOLE_INTR: {
		bool arm = r->in.w[0] == 1;
		if (r->in.w[0] > 1 || r->in.ncaps != (arm ? 1u : 0u) || (arm && !r->in.caps[0])) {
			for (unsigned i = 0; i < r->in.ncaps; i++)
				if (r->in.caps[i])
					mnos_slot_free(r->in.caps[i]);
			return E_INVAL;
		}
		mnos_lock(&lock);
		uint32_t old = intr_ntf;
		intr_ntf = arm ? r->in.caps[0] : 0;
		ld.intr = arm;
		mnos_unlock(&lock);
		if (old)
			mnos_slot_free(old);
		return E_OK;
	}
	case CONSOLE_SUBSCRIBE:
		return mnos_subscribers_add(&subs, r);
	default:
		for (unsigned i = 0; i < r->in.ncaps; i++)
			if (r->in.caps[i])
				mnos_slot_free(r->in.caps[i]);
		return E_NOSYS;
	}
}

static void uart_setup(void)
{
	out(COM_IER, 0);
	out(COM_LCR, 0x80);     /* divisor latch */
	out(0, 1);              /* 115200 baud */
	out(1, 0);
	out(COM_LCR, 0x03);     /* 8N1 */
	out(COM_FCR, 0xc7);     /* FIFOs on, cleared, 14-byte trigger */
	out(COM_MCR, 0x0b);     /* DTR, RTS, OUT2 (the interrupt line) */
	while (in(COM_LSR) & LSR_DR)
		in(COM_RBR);
	out(COM_IER, 0x01);     /* received data available */
}

/* COM1's driver: the UART programmed, IRQ 4 bound to irq_ntf, its thread started. */
static int serial_start(void)
{
	irq_ntf = mnos_slot_alloc();
	if (!irq_ntf || mnos_obj_create(MNOS_OBJ_NOTIFICATION, irq_ntf, 0, 0) != E_OK) {
		printf("console: out of memory\n");
		return -1;
	}
	uart_setup();
	mnos_irq_unbind(irq);           /* a predecessor's binding, if it died bound */
	int e = mnos_irq_bind(irq, irq_ntf, 1);
	if (e == E_OK)
		e = mnos_irq_ack(irq);  /* a delivery a predecessor never acknowledged */
	if (e != E_OK && e != E_INVAL)
		printf("console: cannot bind IRQ 4: %s\n", kerr_name((kerr_t)e));
	if (mnos_thread_start(irq_thread, NULL, 0, NULL) != E_OK) {
		printf("console: cannot start the interrupt thread\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t ep = mnos_slot_alloc(), reply = mnos_slot_alloc();

	/* Without COM1 (the kernel kept it for its log, debug.serial, or the machine has
	 * none) the console is the keyboard and the screen alone: a person at the machine
	 * still gets a shell. */
	ports = mnos_start_cap("com1");
	irq = mnos_start_cap("irq4");
	if (!ports || !irq) {
		if (ports || irq)
			mnos_slot_free(ports ? ports : irq);     /* half of COM1 is none */
		ports = irq = 0;
	}
	probe = mnos_slot_alloc();
	if (!ep || !reply || !probe ||
	    mnos_obj_create(MNOS_OBJ_ENDPOINT, probe, 0, 0) != E_OK ||
	    mnos_obj_create(MNOS_OBJ_ENDPOINT, ep, 0, 0) != E_OK ||
	    mnos_obj_create(MNOS_OBJ_REPLY, reply, 0, 0) != E_OK) {
		printf("console: out of memory\n");
		return 1;
	}
	if (ports && serial_start() != 0)
		return 1;
	if (mnos_thread_start(kbd_thread, NULL, 0, NULL) != E_OK) {
		if (!ports) {
			printf("console: cannot start the keyboard thread, and there is no COM1\n");
			return 1;
		}
		printf("console: cannot start the keyboard thread; serial input only\n");
	}
	struct mnos_rpc_server srv = {
		.ep = ep, .reply = reply, .buf = mnos_ipc_buffer(), .data = req_buf,
		.size = sizeof(req_buf), .handle = handle,
	};
	int e;
	if (!srv.buf || (e = mnos_name_register("console", ep)) != E_OK) {
		printf("console: cannot register: %s\n", kerr_name((kerr_t)(srv.buf ? e : E_NO_MEMORY)));
		return 1;
	}
	if (ports)
		write_bytes("console: COM1 driver ready\n", 27);
	else
		printf("console: no COM1; the keyboard and the screen only\n");
	e = mnos_rpc_serve(&srv);
	printf("console: serving stopped: %s\n", kerr_name((kerr_t)e));
	return 1;
}
