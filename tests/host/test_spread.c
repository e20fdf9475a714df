/* The median and spread of benchmark runs (kernel/lib/spread.c). */
#include <criterion/criterion.h>
#include <spread.h>

Test(spread, odd_runs_in_any_order)
{
	uint64_t v[5] = { 9, 3, 7, 3, 1 };
	struct spread s = spread_of(v, 5);

	cr_expect_eq(s.median, 3);
	cr_expect_eq(s.min, 1);
	cr_expect_eq(s.max, 9);
	for (int i = 1; i < 5; i++)
		cr_expect_leq(v[i - 1], v[i], "sorted");
}

Test(spread, even_runs_take_the_upper_middle)
{
	uint64_t v[4] = { 40, 10, 30, 20 };
	struct spread s = spread_of(v, 4);

	cr_expect_eq(s.median, 30);
	cr_expect_eq(s.min, 10);
	cr_expect_eq(s.max, 40);
}

Test(spread, one_run_and_none)
{
	uint64_t one = 535, none = 7;
	struct spread s = spread_of(&one, 1);

	cr_expect(s.median == 535 && s.min == 535 && s.max == 535);
	s = spread_of(&none, 0);
	cr_expect(s.median == 0 && s.min == 0 && s.max == 0);
	cr_expect_eq(none, 7, "nothing touched");
}

Test(spread, equal_runs)
{
	uint64_t v[5] = { 55, 55, 55, 55, 55 };
	struct spread s = spread_of(v, 5);

	cr_expect(s.median == 55 && s.min == 55 && s.max == 55);
}
