/*
 * Capability slots (docs/USERSPACE.md, "Capability slots"): which of this process's
 * slots are free. The start information says how many there are (nslots) and which the
 * creator filled; everything else starts free. Slots are handed out from the top down,
 * because the kernel puts a capability received in a message in the lowest free slot:
 * the two meet only in a nearly full space, and the RPC helpers claim what the kernel
 * placed (mnos_slot_claim). Thread-safe.
 */
#ifndef MNOS_SLOT_H
#define MNOS_SLOT_H

#include <types.h>

/* A free slot, now taken (empty: put a capability in it), or 0 if none is left. */
uint32_t mnos_slot_alloc(void);

/* Give slot back, deleting what is in it (cap_delete) first. Returns false, changing
 * nothing, for a slot that is not taken (0, past the space, or free). */
bool mnos_slot_free(uint32_t slot);

/* Mark slot taken (a capability the kernel placed there); false if it already was or is
 * out of range. */
bool mnos_slot_claim(uint32_t slot);

/* Is slot taken? (Out of range: false.) */
bool mnos_slot_taken(uint32_t slot);

/* Free slots left, and the size of the space. */
uint32_t mnos_slot_count_free(void);
uint32_t mnos_slot_count(void);

/* Start-up (start.c): the space's size and the creator's capabilities. */
void mnos_slot_init(uint32_t nslots, const uint32_t *taken, uint32_t ntaken);

#endif
