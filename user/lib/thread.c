/* More threads in the calling process (mnos/thread.h). */
#include <mnos.h>

struct thread_start {
	void (*fn)(void *);
	void *arg;
};

void __mnos_thread_entry(void);                 /* crt0.S */
__attribute__((noreturn)) void __mnos_thread_main(struct thread_start *ts);

__attribute__((noreturn)) void __mnos_thread_main(struct thread_start *ts)
{
	ts->fn(ts->arg);
	mnos_thread_exit();
}

enum mnos_error mnos_thread_start(void (*fn)(void *), void *arg, size_t stack_size,
				  uint32_t *slot)
{
	if (!stack_size)
		stack_size = 64 * 1024;
	uint8_t *stack = malloc(stack_size);
	uint32_t s = mnos_slot_alloc();

	if (!stack || !s) {
		free(stack);
		if (s)
			mnos_slot_free(s);
		return E_NO_MEMORY;
	}
	/* The start record at the top, the stack pointer 16-byte aligned below it. */
	uintptr_t top = ((uintptr_t)stack + stack_size - sizeof(struct thread_start)) & ~15ul;
	struct thread_start *ts = (struct thread_start *)top;
	ts->fn = fn;
	ts->arg = arg;
	mnos_thread_register((uint64_t)(uintptr_t)stack, (uint64_t)(uintptr_t)stack + stack_size);
	enum mnos_error e = mnos_thread_create(0, s, (uint64_t)(uintptr_t)__mnos_thread_entry,
					       top, (uint64_t)top);
	if (e != E_OK) {
		free(stack);
		mnos_slot_free(s);
		return e;
	}
	if (slot)
		*slot = s;
	return E_OK;
}
