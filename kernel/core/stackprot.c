/*
 * The stack protector (-fstack-protector-strong, one global guard): every function with
 * an array or an address-taken local keeps a copy of __stack_chk_guard between its
 * locals and its return address and checks it before returning. The guard is made
 * (stackguard.h) in the first instructions of kmain, so an overflow cannot rewrite it
 * with the right value; a mismatch panics.
 */
#include <stackprot.h>
#include <panic.h>
#include <stackguard.h>

uint64_t __stack_chk_guard;

__noreturn void __stack_chk_fail(void);

__noreturn void __stack_chk_fail(void)
{
	panic("stack protector: the canary of the function returning to %p was overwritten "
	      "(a stack buffer overflow)", __builtin_return_address(0));
}

__attribute__((no_stack_protector)) bool stackprot_init(void)
{
	bool hw;

	__stack_chk_guard = stack_guard_make(&hw);
	return hw;
}
