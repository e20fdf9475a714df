/*
 * init's pure parts on the host under ASan and UBSan (docs/INIT.md): the configuration
 * parser (user/init/config.c) with good and malformed files, and the name directory's
 * table (user/init/names.c): registration, lookup, ownership, dropping a dead service's
 * names, generations.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "../../user/init/init.h"

#include "host_strlcpy.h"

static struct services ss;
static char err[128];

static bool parse(const char *text)
{
	return config_parse(&ss, text, strlen(text), err, sizeof(err));
}

Test(config, services_with_every_option)
{
	memset(&ss, 0, sizeof(ss));
	cr_assert(parse("# comment\n\n"
			"service console bin/console grant=com1,irq4 restart=2\n"
			"  service  ctest\tbin/ctest grant=proc:console,qemu_exit slots=64 "
			"quota=512 -- -v two   # trailing comment\n"), "%s", err);
	cr_assert_eq(ss.n, 2);
	cr_assert_str_eq(ss.s[0].name, "console");
	cr_assert_str_eq(ss.s[0].path, "bin/console");
	cr_assert_eq(ss.s[0].ngrants, 2);
	cr_assert_str_eq(ss.s[0].grants[1].name, "irq4");
	cr_assert_eq(ss.s[0].grants[1].service, -1);
	cr_assert_eq(ss.s[0].max_restarts, 2);
	cr_assert_eq(ss.s[0].slots, 256);                       /* defaults */
	cr_assert_eq(ss.s[0].quota, 1024 * 1024);
	cr_assert_eq(ss.s[1].grants[0].service, 0);             /* proc:console */
	cr_assert_eq(ss.s[1].slots, 64);
	cr_assert_eq(ss.s[1].quota, 512 * 1024);
	cr_assert_eq(ss.s[1].nargs, 2);
	cr_assert_str_eq(ss.s[1].args[0], "-v");
	cr_assert_str_eq(ss.s[1].args[1], "two");
}

Test(config, a_second_file_adds_and_may_name_the_first_files_services)
{
	memset(&ss, 0, sizeof(ss));
	cr_assert(parse("service a bin/a\n"));
	cr_assert(parse("service b bin/b grant=proc:a\n"), "%s", err);
	cr_assert_eq(ss.n, 2);
	cr_assert_eq(ss.s[1].grants[0].service, 0);
}

Test(config, malformed_lines_are_refused_with_their_line_number)
{
	static const struct { const char *text, *why; } bad[] = {
		{ "services a bin/a\n", "line 1: unknown keyword" },
		{ "\nservice a\n", "line 2: a service needs a name and a path" },
		{ "service a bin/a\nservice a bin/b\n", "line 2: a service of that name" },
		{ "service a/b bin/a\n", "line 1: bad service name" },
		{ "service averyveryverylongname bin/a\n", "line 1: bad service name" },
		{ "service a bin/a grant\n", "line 1: an option is key=value" },
		{ "service a bin/a colour=red\n", "line 1: unknown option" },
		{ "service a bin/a restart=x\n", "line 1: unknown option" },
		{ "service a bin/a restart=101\n", "line 1: unknown option" },
		{ "service a bin/a slots=8\n", "line 1: unknown option" },
		{ "service a bin/a slots=99999999999999999999999\n", "line 1: unknown option" },
		{ "service a bin/a quota=1\n", "line 1: unknown option" },
		{ "service a bin/a grant=proc:nobody\n", "line 1: proc: names no service" },
		{ "service a bin/a grant=proc:a\n", "line 1: proc: names no service" },
		{ "service a bin/a grant=,x\n", "line 1: a grant's name is empty" },
		{ "service a bin/a grant=a,b,c,d,e,f,g,h,i,j,k,l,m\n", "line 1: too many grants" },
		{ "service a bin/a -- 1 2 3 4 5 6 7 8 9\n", "line 1: too many arguments" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&ss, 0, sizeof(ss));
		cr_expect(!parse(bad[i].text), "case %zu accepted", i);
		cr_expect(strncmp(err, bad[i].why, strlen(bad[i].why)) == 0,
			  "case %zu: '%s', want '%s'", i, err, bad[i].why);
		cr_expect_eq(ss.n, 0, "case %zu kept a service", i);
	}
	/* A NUL inside a line, a line too long, too many services. */
	memset(&ss, 0, sizeof(ss));
	cr_expect(!config_parse(&ss, "service a b\0in/a\n", 17, err, sizeof(err)));
	char longline[700];
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = 0;
	cr_expect(!parse(longline));
	cr_expect(strncmp(err, "line 1: line too long", 21) == 0, "%s", err);
	memset(&ss, 0, sizeof(ss));
	char many[4096] = "";
	for (int i = 0; i <= SERVICE_MAX; i++)
		sprintf(many + strlen(many), "service s%d bin/x\n", i);
	cr_expect(!parse(many));
	cr_expect(strstr(err, "too many services") != NULL, "%s", err);
	cr_expect_eq(ss.n, 0);
}

Test(names, register_lookup_unregister_and_ownership)
{
	static struct names t;
	uint32_t slot;
	uint64_t gen1, gen2;

	memset(&t, 0, sizeof(t));
	cr_assert_eq(names_register(&t, "console", 10, 1), E_OK);
	cr_assert_eq(names_register(&t, "console", 11, 2), E_EXISTS);
	cr_assert_eq(names_register(&t, "bad name", 12, 1), E_INVAL);
	cr_assert_eq(names_register(&t, "", 12, 1), E_INVAL);
	cr_assert_eq(names_lookup(&t, "console", &slot, &gen1), E_OK);
	cr_assert_eq(slot, 10);
	cr_assert_eq(names_lookup(&t, "vfs", &slot, NULL), E_NOT_FOUND);
	cr_assert_eq(names_unregister(&t, "console", 2, &slot), E_PERM);     /* not its own */
	cr_assert_eq(names_unregister(&t, "console", 1, &slot), E_OK);
	cr_assert_eq(slot, 10);
	cr_assert_eq(names_lookup(&t, "console", &slot, NULL), E_NOT_FOUND);
	cr_assert_eq(names_unregister(&t, "console", 1, &slot), E_NOT_FOUND);
	/* Registered again: a new generation, so a restarted service is told apart. */
	cr_assert_eq(names_register(&t, "console", 13, 1), E_OK);
	cr_assert_eq(names_lookup(&t, "console", &slot, &gen2), E_OK);
	cr_assert_neq(gen1, gen2);
}

Test(names, a_dead_services_names_are_dropped_and_the_table_fills)
{
	static struct names t;
	uint32_t slots[NAMES_MAX];
	char name[16];

	memset(&t, 0, sizeof(t));
	for (int i = 0; i < NAMES_MAX; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		cr_assert_eq(names_register(&t, name, 100 + i, i % 2 ? 7 : 8), E_OK);
	}
	cr_assert_eq(names_register(&t, "one-more", 1, 7), E_NO_MEMORY);
	unsigned n = names_drop_owner(&t, 7, slots, NAMES_MAX);
	cr_assert_eq(n, NAMES_MAX / 2);
	for (unsigned i = 0; i < n; i++)
		cr_assert_eq(slots[i] % 2, 1);
	uint32_t s;
	cr_assert_eq(names_lookup(&t, "n1", &s, NULL), E_NOT_FOUND);
	cr_assert_eq(names_lookup(&t, "n2", &s, NULL), E_OK);
	cr_assert_eq(names_register(&t, "one-more", 1, 7), E_OK);
	cr_assert_eq(names_drop_owner(&t, 9, slots, NAMES_MAX), 0);
}
