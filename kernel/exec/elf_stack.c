/*
 * The stack a program starts with (docs/ELF.md, "The stack"): where the start
 * information, the argument strings and argc/argv go, and their bytes. Pure logic, so
 * that the kernel's loader (elf_load.c) and the user library's loader (user/lib/spawn.c)
 * build the very same layout, and crt0 works for a program started either way.
 */
#include <elf.h>
#include <klib.h>
#include <mnos/start.h>

kerr_t elf_args_size(const char *const *argv, uint32_t argc, uint64_t *bytes)
{
	uint64_t strings = 0;

	if (argc > ELF_MAX_ARGS)
		return E_RANGE;
	if (argc && !argv)
		return E_INVAL;
	for (uint32_t i = 0; i < argc; i++) {
		if (!argv[i])
			return E_INVAL;
		strings += strnlen(argv[i], ELF_ARGS_MAX_BYTES) + 1;
		if (strings > ELF_ARGS_MAX_BYTES)
			return E_RANGE;
	}
	*bytes = strings;
	return E_OK;
}

kerr_t elf_stack_plan(uint32_t argc, uint32_t envc, uint64_t strings, uint64_t stack_size,
		      struct elf_stack *l)
{
	uint64_t size = stack_size ? stack_size : ELF_STACK_DEFAULT;

	if (size > ELF_STACK_MAX || argc > ELF_MAX_ARGS || envc > ELF_MAX_ARGS ||
	    strings > ELF_ARGS_MAX_BYTES)
		return E_RANGE;
	size = ALIGN_UP(size, (uint64_t)PAGE_SIZE);
	l->top = USER_STACK_TOP;
	l->base = l->top - size;
	l->info = ALIGN_DOWN(l->top - sizeof(struct mnos_start_info), 16);
	l->strings = l->info - strings;
	l->sp = ALIGN_DOWN(l->strings - (argc + envc + 3) * sizeof(uint64_t), 16);
	/* A program needs some stack of its own. */
	if (l->top - l->sp + PAGE_SIZE > size)
		return E_RANGE;
	return E_OK;
}

/* Each of the n strings of v at *str (advanced past them), its pointer at word *word
 * (advanced past them). */
static void put_strings(const struct elf_stack *l, const char *const *v, uint32_t n,
			uint64_t *str, uint64_t *word, elf_stack_write_t write, void *ctx)
{
	for (uint32_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;
		write(ctx, *str - l->base, v[i], len);
		write(ctx, *word - l->base, str, sizeof(*str));
		*str += len;
		*word += sizeof(uint64_t);
	}
}

void elf_stack_fill(const struct elf_stack *l, const char *const *argv, uint32_t argc,
		    const char *const *envp, uint32_t envc, struct mnos_start_info *si,
		    elf_stack_write_t write, void *ctx)
{
	uint64_t count = argc, str = l->strings, word = l->sp + sizeof(uint64_t);

	si->magic = MNOS_START_MAGIC;
	si->version = MNOS_START_VERSION;
	si->size = sizeof(*si);
	si->argc = argc;
	si->argv = l->sp + sizeof(uint64_t);
	si->stack_base = l->base;
	si->stack_top = l->top;
	write(ctx, l->info - l->base, si, sizeof(*si));
	write(ctx, l->sp - l->base, &count, sizeof(count));
	put_strings(l, argv, argc, &str, &word, write, ctx);
	word += sizeof(uint64_t);               /* argv[argc]: the memory comes zeroed */
	put_strings(l, envp, envc, &str, &word, write, ctx);
	/* envp[envc], zero too. */
}
