/*
 * For in-guest tests: run a statement under the kernel's fault catch. CATCH(c, stmt)
 * is true if stmt faulted (c then says how: vector, error code, CR2), false if it ran
 * to its end.
 */
#ifndef TESTS_CATCH_H
#define TESTS_CATCH_H

#include <arch/trap.h>

#define CATCH(c, stmt)                                          \
	({                                                      \
		volatile bool caught_ = true;                   \
		if (fault_catch_begin(&(c)) == 0) {             \
			stmt;                                   \
			fault_catch_end(&(c));                  \
			caught_ = false;                        \
		}                                               \
		caught_;                                        \
	})

#endif
