/* Frame-pointer stack walk (backtrace.h). */
#include <backtrace.h>

size_t backtrace_walk(uint64_t rbp, uint64_t lo, uint64_t hi, size_t max,
		      backtrace_fn fn, void *ctx)
{
	size_t n = 0;

	while (n < max) {
		/* The frame {saved rbp, return address} must fit inside the stack. */
		if (rbp < lo || rbp > hi - 16 || rbp % 8 != 0 || hi < 16)
			break;
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
		uint64_t next = frame[0], ret = frame[1];
		if (ret == 0)
			break;
		fn(ctx, ret);
		n++;
		/* Frames grow toward higher addresses as we unwind; anything else is a loop
		 * or corruption. */
		if (next <= rbp)
			break;
		rbp = next;
	}
	return n;
}
