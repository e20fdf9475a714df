/*
 * Shared memory handed from a server to a client with a badged endpoint (mnos/fs.h,
 * mnos/fsserver.h): the VFS's sessions and the filesystems' attachments
 * (docs/VFS.md). The server makes the memory and keeps its capability, so a client
 * cannot unmap it from under the server.
 */
#include <mnos.h>
#include <mnos/fsserver.h>

int mnos_grant_create(uint64_t npages, uint32_t *slot, void **va)
{
	uint32_t s = mnos_slot_alloc();
	uint64_t at = mnos_va_alloc(npages);
	int e;

	if (!s || !at) {
		if (s)
			mnos_slot_free(s);
		return E_NO_MEMORY;
	}
	if ((e = mnos_obj_create(MNOS_OBJ_MEMORY, s, npages, 0)) != E_OK ||
	    (e = mnos_mem_map(s, 0, at, CAP_R_READ | CAP_R_WRITE)) != E_OK) {
		mnos_slot_free(s);
		return e;
	}
	*slot = s;
	*va = (void *)(uintptr_t)at;
	return E_OK;
}

int mnos_badged_send(uint32_t ep, uint64_t badge, uint32_t *slot)
{
	uint32_t s = mnos_slot_alloc();
	int e;

	if (!s)
		return E_NO_MEMORY;
	if ((e = mnos_cap_mint(ep, s, CAP_R_SEND | CAP_R_GRANT, badge)) != E_OK) {
		mnos_slot_free(s);
		return e;
	}
	*slot = s;
	return E_OK;
}

void mnos_grant_give(struct mnos_rpc_msg *out, uint32_t ep, uint32_t grant, uint64_t bytes)
{
	out->caps[0] = ep;
	out->rights[0] = CAP_R_SEND;
	out->caps[1] = grant;
	out->rights[1] = CAP_R_READ | CAP_R_WRITE;
	out->ncaps = 2;
	out->w[0] = bytes;
}

int mnos_grant_take(const struct mnos_rpc_msg *rep, uint32_t *ep, uint8_t **mem,
		    uint64_t *bytes)
{
	uint64_t pages = rep->w[0] / MNOS_PAGE_SIZE;
	uint64_t va = pages && pages <= MNOS_MEMOBJ_MAX_PAGES ? mnos_va_alloc(pages) : 0;
	bool ok = rep->ncaps == 2 && rep->caps[0] && rep->caps[1] && va &&
		  rep->w[0] % MNOS_PAGE_SIZE == 0 &&
		  mnos_mem_map(rep->caps[1], 0, va, CAP_R_READ | CAP_R_WRITE) == E_OK;

	/* The mapping keeps the memory: its capability is not needed. */
	if (rep->ncaps > 1 && rep->caps[1])
		mnos_slot_free(rep->caps[1]);
	if (!ok) {
		if (rep->ncaps && rep->caps[0])
			mnos_slot_free(rep->caps[0]);
		return E_INVAL;
	}
	*ep = rep->caps[0];
	*mem = (uint8_t *)(uintptr_t)va;
	*bytes = rep->w[0];
	return E_OK;
}
