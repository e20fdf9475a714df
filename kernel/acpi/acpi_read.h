/*
 * Reading the fields of firmware tables: at any alignment (tables pack their fields),
 * little-endian like the CPU. For kernel/acpi/ only.
 */
#ifndef ACPI_READ_H
#define ACPI_READ_H

#include <types.h>
#include <klib.h>

static inline uint16_t rd16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

#endif
