/*
 * A small program that utest spawns from user space (user/utest/tests_lib.c): it shows
 * that its arguments, its capabilities and the library's start-up reached it.
 *
 * Usage: hello <number> <word>. It signals its "done" notification with
 *   number | strlen(word) << 32 | bit 63 if malloc, strdup and the slot allocator work,
 * or with bit 62 alone if its start information or arguments are not as expected.
 */
#include <mnos.h>

int main(int argc, char **argv)
{
	uint32_t done = mnos_start_cap("done");
	uint64_t bits = 1ull << 62;

	if (!done)
		return 1;
	if (argc == 3 && strcmp(argv[0], "hello") == 0 && mnos_start_info->nslots == 16 &&
	    argv[3] == NULL) {
		char *end;
		bits = strtoul(argv[1], &end, 0) | (uint64_t)strlen(argv[2]) << 32;
		char *copy = strdup(argv[2]);
		uint32_t slot = mnos_slot_alloc();
		if (*end == '\0' && copy && strcmp(copy, argv[2]) == 0 && slot == 15 &&
		    mnos_slot_taken(done))
			bits |= 1ull << 63;
		free(copy);
		mnos_slot_free(slot);
		printf("hello: %s %s %s\n", argv[0], argv[1], argv[2]);
	}
	mnos_notify_signal(done, bits);
	return 0;
}
