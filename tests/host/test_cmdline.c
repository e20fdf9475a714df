/* Kernel command line parsing (kernel/lib/cmdline.c). */
#include <criterion/criterion.h>
#include <string.h>
#include <cmdline.h>

Test(cmdline, finds_keys_and_values)
{
	char v[64];
	const char *cl = "  quiet ktest=boot.*,fbcon.* loglevel=3\texpect.mem=512  ";

	cr_expect(cmdline_get(cl, "ktest", v, sizeof(v)));
	cr_expect_str_eq(v, "boot.*,fbcon.*");
	cr_expect(cmdline_get(cl, "loglevel", v, sizeof(v)));
	cr_expect_str_eq(v, "3");
	cr_expect(cmdline_get(cl, "expect.mem", v, sizeof(v)));
	cr_expect_str_eq(v, "512");
	cr_expect(cmdline_get(cl, "quiet", v, sizeof(v)));
	cr_expect_str_eq(v, "");
	cr_expect(cmdline_has(cl, "quiet"));
}

Test(cmdline, absent_and_prefix_keys)
{
	char v[8] = "unset";

	cr_expect(!cmdline_has("ktestx=1 xktest=2", "ktest"));
	cr_expect(!cmdline_get("ktestx=1", "ktest", v, sizeof(v)));
	cr_expect_str_eq(v, "unset");           /* untouched when absent */
	cr_expect(!cmdline_has("", "ktest"));
	cr_expect(!cmdline_has(NULL, "ktest"));
	cr_expect(!cmdline_has("a=1", ""));
	cr_expect(cmdline_has("ktest", "ktest"));
	cr_expect(cmdline_get("k=1 k=2", "k", v, sizeof(v)));
	cr_expect_str_eq(v, "1");               /* the first one wins */
}

Test(cmdline, quotes_and_truncation)
{
	char v[8];

	cr_expect(cmdline_get("a=\"x y z\" b=2", "a", v, sizeof(v)));
	cr_expect_str_eq(v, "x y z");
	cr_expect(cmdline_get("a=\"x y z\" b=2", "b", v, sizeof(v)));
	cr_expect_str_eq(v, "2");
	cr_expect(cmdline_get("long=0123456789abcdef", "long", v, sizeof(v)));
	cr_expect_str_eq(v, "0123456");         /* truncated to 7 + NUL */
	cr_expect(cmdline_get("open=\"never closed", "open", v, sizeof(v)));
	cr_expect_str_eq(v, "never c");
	cr_expect(cmdline_get("e= f", "e", v, sizeof(v)));
	cr_expect_str_eq(v, "");
}
