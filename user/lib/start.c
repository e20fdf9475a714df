/* Program start-up (mnos.h): from crt0's _start to main and back out. */
#include <mnos.h>

const struct mnos_start_info *mnos_start_info;

__attribute__((noreturn)) void __mnos_start(const struct mnos_start_info *si);

__attribute__((noreturn)) void __mnos_start(const struct mnos_start_info *si)
{
	static const struct mnos_start_info none = { .magic = MNOS_START_MAGIC,
						     .version = MNOS_START_VERSION,
						     .size = sizeof(none) };
	char *no_args[] = { NULL };

	if (!si || si->magic != MNOS_START_MAGIC || si->version != MNOS_START_VERSION)
		si = &none;
	mnos_start_info = si;
	main((int)si->argc, si->argc ? (char **)(uintptr_t)si->argv : no_args);
	mnos_thread_exit();
}

uint32_t mnos_start_cap(const char *name)
{
	const struct mnos_start_info *si = mnos_start_info;

	for (uint32_t i = 0; i < si->ncaps && i < MNOS_START_MAX_CAPS; i++)
		if (strncmp(si->caps[i].name, name, MNOS_START_CAP_NAME) == 0)
			return si->caps[i].slot;
	return 0;
}
