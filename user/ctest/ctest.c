/*
 * ctest: the end-to-end test of life outside the kernel (docs/INIT.md, "Testing"). init
 * starts it from etc/init-test.conf when the kernel command line says init.test, with
 * the console service's process capability ("proc:console") and QEMU's exit port, and
 * runs the process service's tests (user/ptest) through that service. It talks to the
 * framebuffer console (user/fbcon), whose screen the harness reads back. It
 * reports in KTAP through the console service itself, on the serial line the test
 * harness reads, and ends QEMU with pass or fail. Its last test starts the file tests
 * (user/ftest, docs/VFS.md), read from the initramfs through the VFS.
 */
#include <mnos.h>
#include <mnos/fbcon.h>

#define QEMU_EXIT_PASS  0x10
#define QEMU_EXIT_FAIL  0x11
#define TESTS           9

static unsigned n, failed;

static void result(bool ok, const char *name)
{
	n++;
	failed += !ok;
	printf("%s %u init.%s\n", ok ? "ok" : "not ok", n, name);
}

/* Look "console" up until it answers (it may start after this program), up to 5 s. */
static bool console_found(void)
{
	return mnos_console_open_wait(5000) == E_OK;
}

/* The framebuffer console service (user/fbcon) answers: its size, a line written
 * through it (the harness reads it back from the screen, tests/screen.py, while this
 * program waits for its typed line), and E_NOSYS for an operation it does not know. */
static bool fbcon_answers(void)
{
	static const char line[] = "\x1b[1;32mctest:\x1b[0m written on the framebuffer\n";
	uint32_t ep = 0;
	uint64_t info[MNOS_RPC_WORDS] = { 0 };

	for (int i = 0; i < 500 && mnos_name_lookup("fbcon", &ep) != E_OK; i++)
		mnos_sleep(10000000);   /* it may register after this client starts */
	if (!ep) {
		printf("# ctest: no fbcon registered\n");
		return false;
	}
	int e = mnos_rpc_call_words(ep, FBCON_INFO, NULL, info);
	bool ok = e == E_OK && info[0] && info[1] && info[0] * 8 <= info[2] &&
		  info[1] * 16 <= info[3];
	printf("ctest: fbcon: %llu x %llu cells on %llu x %llu pixels (%s)\n",
	       (unsigned long long)info[0], (unsigned long long)info[1],
	       (unsigned long long)info[2], (unsigned long long)info[3],
	       kerr_name((kerr_t)e));
	struct mnos_rpc_msg req = { .data = (void *)line, .len = sizeof(line) - 1 };
	struct mnos_rpc_msg rep = { 0 };
	e = mnos_rpc_call(ep, mnos_ipc_buffer(), FBCON_WRITE, &req, &rep);
	if (e != E_OK || rep.w[0] != req.len) {
		printf("# ctest: FBCON_WRITE: %s, %llu of %zu bytes\n", kerr_name((kerr_t)e),
		       (unsigned long long)rep.w[0], req.len);
		ok = false;
	}
	if ((e = mnos_rpc_call_words(ep, 99, NULL, NULL)) != E_NOSYS) {
		printf("# ctest: an unknown operation got %s\n", kerr_name((kerr_t)e));
		ok = false;
	}
	mnos_slot_free(ep);
	return ok;
}

/* A thread that tries to use COM1's ports directly: IOPL 0 and no permission bitmap,
 * so the instruction faults; had it worked, the thread would signal. */
static uint32_t flag;

static void raw_port_access(void *unused)
{
	uint8_t v;

	__asm__ volatile("inb %%dx, %%al" : "=a"(v) : "d"(0x3fd));
	mnos_notify_signal(flag, 1);
}

/* No capability this program was not given reaches COM1 or its interrupt. */
static bool cannot_use_ungranted(void)
{
	uint32_t nslots = mnos_start_info->nslots;
	bool ok = true;

	for (uint32_t s = 0; s <= nslots; s++) {
		uint64_t v;
		if (mnos_ioport_in(s, 0x3fd, 1, &v) == E_OK || mnos_irq_ack(s) == E_OK) {
			printf("# slot %u reaches COM1\n", s);
			ok = false;
		}
	}
	flag = mnos_slot_alloc();
	if (!flag || mnos_obj_create(MNOS_OBJ_NOTIFICATION, flag, 0, 0) != E_OK ||
	    mnos_thread_start(raw_port_access, NULL, 0, NULL) != E_OK)
		return false;
	mnos_sleep(50000000);
	uint64_t bits = 0;
	mnos_notify_poll(flag, &bits);
	if (bits) {
		printf("# the in instruction worked from ring 3\n");
		ok = false;
	}
	return ok;
}

/* Kill the console service; init must start it again, and a client can find it: a
 * registration of a new generation (the old one may linger until init sees the end). */
static bool console_comes_back(void)
{
	uint32_t console = mnos_start_cap("proc:console"), ep;
	uint64_t old_gen = 0, gen = 0;

	if (!console || mnos_name_lookup_gen("console", &ep, &old_gen) != E_OK)
		return false;
	mnos_slot_free(ep);
	mnos_set_output(NULL, NULL, NULL);      /* nobody to print through for a while */
	if (mnos_proc_kill(console) != E_OK)
		return false;
	for (int i = 0; i < 1000 && gen == 0; i++) {
		if (mnos_name_lookup_gen("console", &ep, &gen) == E_OK) {
			mnos_slot_free(ep);
			if (gen == old_gen)
				gen = 0;
		}
		if (!gen)
			mnos_sleep(5000000);
	}
	bool ok = gen && console_found();
	mnos_console_use_for_output();
	if (ok)
		printf("ctest: the console is back\n");
	return ok;
}

/* The process service's own tests (user/ptest), started through the service like any
 * program: they report their subtests through the console and exit with the number of
 * failures, which this client's wait gets. */
static bool process_tests_pass(void)
{
	const char *argv[] = { "ptest", NULL };
	int status = -1, pid, got;

	for (int i = 0; i < 500 && !mnos_process_cap(); i++)
		mnos_sleep(10000000);           /* it may register after this client starts */
	if ((pid = spawn("test/ptest", argv, NULL)) <= 0) {
		printf("# ctest: cannot start ptest: %s\n", kerr_name((kerr_t)-pid));
		return false;
	}
	if ((got = wait(pid, &status)) != pid) {
		printf("# ctest: cannot wait for ptest: %s\n", kerr_name((kerr_t)-got));
		return false;
	}
	printf("ctest: ptest ended with status %#x\n", status);
	return status == MNOS_PROC_STATUS(MNOS_PROC_EXITED, 0);
}

/*
 * The file tests: user/ftest, read from the initramfs through the VFS and started
 * here, reports its own subtests through the console and signals done with bit 0
 * (passed) or bit 1 (failed); a fault of its shows on bit 2 (the fault notification is
 * a copy badged 4), its end on bit 3.
 */
static bool files_pass(void)
{
	struct stat st;
	int fd = open("/test/ftest", O_RDONLY);
	void *img = NULL;

	if (fd < 0 || fstat(fd, &st) != 0 || !(img = malloc(st.st_size)) ||
	    read(fd, img, st.st_size) != (ssize_t)st.st_size) {
		printf("# ctest: cannot read /test/ftest (%s)\n", mnos_fs_strerror(fd < 0 ? fd : 0));
		return false;
	}
	close(fd);
	uint32_t done = mnos_slot_alloc(), fault = mnos_slot_alloc();
	if (!done || !fault || mnos_obj_create(MNOS_OBJ_NOTIFICATION, done, 0, 0) != E_OK ||
	    mnos_cap_mint(done, fault, CAP_R_SIGNAL | CAP_R_DERIVE, 4) != E_OK)
		return false;
	const char *argv[] = { "ftest" };
	struct mnos_spawn_cap caps[] = {
		{ mnos_start_cap("names"), MNOS_OBJ_ENDPOINT, CAP_R_SEND | CAP_R_DERIVE, "names" },
		{ done, MNOS_OBJ_NOTIFICATION, CAP_R_SIGNAL, "done" },
	};
	struct mnos_spawn_args a = { .argv = argv, .argc = 1, .caps = caps, .ncaps = 2,
				     .quota = 12ull << 20, .fault = fault };
	struct mnos_spawned out;
	int e = mnos_spawn(img, st.st_size, &a, &out);
	free(img);
	if (e != E_OK) {
		printf("# ctest: cannot start ftest: %s\n", mnos_fs_strerror(e));
		return false;
	}
	uint64_t bits = 0, b;
	for (int i = 0; i < 15000 && !(bits & 7); i++) {
		if (mnos_notify_poll(done, &b) == E_OK)
			bits |= b;
		if (!(bits & 7))
			mnos_sleep(10000000);
	}
	if (bits & 4)
		printf("# ctest: ftest died of a fault\n");
	return bits == 1 || (bits & 7) == 1;
}

static void qemu_exit(bool pass)
{
	uint32_t port = mnos_start_cap("qemu_exit");

	if (port)
		mnos_ioport_out(port, 0xf4, 4, pass ? QEMU_EXIT_PASS : QEMU_EXIT_FAIL);
}

int main(int argc, char **argv)
{
	bool found = console_found();

	if (found)
		mnos_console_use_for_output();
	printf("KTAP version 1\n1..%u\n", TESTS);
	result(found, "console_found_by_name");
	printf("ctest: hello through the console\n");
	result(found, "client_prints_through_the_console");

	result(fbcon_answers(), "framebuffer_console_answers");

	char line[64];
	printf("# ctest: type a line\n");
	long len = found ? mnos_console_read_line(line, sizeof(line)) : -1;
	if (len >= 0)
		printf("ctest: read '%s'\n", line);
	result(len == 4 && strcmp(line, "ping") == 0, "client_reads_typed_input");

	result(cannot_use_ungranted(), "service_cannot_use_capabilities_not_granted");
	bool back = console_comes_back();
	result(back, "killed_console_is_restarted_and_found_again");
	printf("ctest: after the restart\n");
	result(back && mnos_console_write("ctest: written again\n", 21) == E_OK,
	       "client_prints_after_the_restart");
	result(process_tests_pass(), "process_service_tests_pass");
	result(files_pass(), "file_tests_through_the_vfs");
	printf("# ctest: %u passed, %u failed\n", n - failed, failed);
	qemu_exit(!failed && n == TESTS);
	return 0;
}
