/*
 * The sanitizer's handlers (ubsan.h). Pure: they decode what the compiler passes and
 * report; the caller of ubsan_report decides what happens next. The data layouts are
 * the compiler's (GCC's libsanitizer ABI); only the fields used are declared.
 */
#include <ubsan.h>

struct type_desc {
	uint16_t kind;
	uint16_t info;
	char name[];
};

struct mismatch_data {
	struct ubsan_loc loc;
	const struct type_desc *type;
	uint8_t log_alignment;
	uint8_t check_kind;
};

struct loc_data {
	struct ubsan_loc loc;
};

/* A location reports once: the compiler's data is writable, so its column is cleared
 * (as compiler-rt does) after the first report. */
static void report(const char *kind, struct ubsan_loc *loc)
{
	if (loc->column == 0xffffffffu)
		return;
	ubsan_report(kind, loc);
	loc->column = 0xffffffffu;
}

#define HANDLER(name, kind, ...)                                                 \
	void __ubsan_handle_##name(struct loc_data *d, ##__VA_ARGS__);           \
	void __ubsan_handle_##name(struct loc_data *d, ##__VA_ARGS__)            \
	{                                                                        \
		report(kind, &d->loc);                                           \
	}

HANDLER(add_overflow, "signed addition overflow", uintptr_t a, uintptr_t b)
HANDLER(sub_overflow, "signed subtraction overflow", uintptr_t a, uintptr_t b)
HANDLER(mul_overflow, "signed multiplication overflow", uintptr_t a, uintptr_t b)
HANDLER(negate_overflow, "signed negation overflow", uintptr_t a)
HANDLER(divrem_overflow, "division overflow or by zero", uintptr_t a, uintptr_t b)
HANDLER(shift_out_of_bounds, "shift out of bounds", uintptr_t a, uintptr_t b)
HANDLER(out_of_bounds, "array index out of bounds", uintptr_t i)
HANDLER(load_invalid_value, "load of an invalid value (bool or enum)", uintptr_t v)
HANDLER(builtin_unreachable, "__builtin_unreachable reached")
HANDLER(missing_return, "end of a value-returning function reached")
HANDLER(vla_bound_not_positive, "variable-length array bound not positive", uintptr_t b)
HANDLER(nonnull_arg, "null passed as a nonnull argument")
HANDLER(nonnull_return_v1, "null returned from a returns_nonnull function", void *l)
HANDLER(pointer_overflow, "pointer arithmetic overflow", uintptr_t a, uintptr_t b)
HANDLER(invalid_builtin, "invalid argument to a builtin (ctz or clz of 0)")

void __ubsan_handle_type_mismatch_v1(struct mismatch_data *d, uintptr_t ptr);

void __ubsan_handle_type_mismatch_v1(struct mismatch_data *d, uintptr_t ptr)
{
	const char *kind = "access of a pointer of the wrong type";

	if (!ptr)
		kind = "null pointer access";
	else if (ptr & ((1ull << d->log_alignment) - 1))
		kind = "misaligned access";
	else
		kind = "access of an object too small for its type";
	report(kind, &d->loc);
}
