/* The median and spread of benchmark runs (spread.h). */
#include <spread.h>

struct spread spread_of(uint64_t *v, size_t n)
{
	/* Insertion sort: a benchmark has a handful of runs. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	if (!n)
		return (struct spread){ 0, 0, 0 };
	return (struct spread){ v[n / 2], v[0], v[n - 1] };
}
