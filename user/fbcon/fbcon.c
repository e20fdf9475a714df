/*
 * The framebuffer console service (docs/INIT.md, "The framebuffer console"): the text
 * console on the framebuffer, in ring 3.
 *
 * init starts it with the "fb" boot capability (the framebuffer, a device memory object
 * the kernel gave up at the hand-over) and "bootinfo" (its geometry and pixel format).
 * It maps the framebuffer writable and draws with the kernel's own console code
 * (kernel/lib/fbcon.c: the cell grid, the escape parser, the renderer) and font, then
 * serves FBCON_WRITE and FBCON_INFO (mnos/fbcon.h) over the endpoint it registers as
 * "fbcon". One thread: requests are drawn one after the other, whole.
 */
#include <mnos.h>
#include <fbcon.h>
#include <mnos/bootinfo.h>
#include <mnos/fbcon.h>

static struct fbcon con;
static uint8_t req_buf[MNOS_RPC_MAX_DATA];

static int handle(void *ctx, struct mnos_rpc_request *r)
{
	for (unsigned i = 0; i < r->in.ncaps; i++)
		if (r->in.caps[i])
			mnos_slot_free(r->in.caps[i]);
	switch (r->op) {
	case FBCON_WRITE:
		fbcon_write(&con, r->in.data, r->in.len);
		r->out.w[0] = r->in.len;
		return E_OK;
	case FBCON_INFO:
		r->out.w[0] = con.cols;
		r->out.w[1] = con.rows;
		r->out.w[2] = con.width;
		r->out.w[3] = con.height;
		return E_OK;
	default:
		return E_NOSYS;
	}
}

/* Map the framebuffer and set the console up on it; false (said why) if it cannot be. */
static bool console_up(uint32_t fb, const struct mnos_bootinfo *bi)
{
	struct fbcon_format fmt = {
		.width = bi->fb_width, .height = bi->fb_height, .pitch = bi->fb_pitch,
		.bpp = bi->fb_bpp,
		.red_pos = bi->fb_red_pos, .red_size = bi->fb_red_size,
		.green_pos = bi->fb_green_pos, .green_size = bi->fb_green_size,
		.blue_pos = bi->fb_blue_pos, .blue_size = bi->fb_blue_size,
	};
	/* The object is whole pages, from fb_offset before the first pixel to the last. */
	uint64_t bytes = bi->fb_offset + (uint64_t)bi->fb_pitch * bi->fb_height;
	uint64_t va = mnos_va_alloc((bytes + MNOS_PAGE_SIZE - 1) / MNOS_PAGE_SIZE);
	int e;

	if (!va) {
		printf("fbcon: no room for a %llu-byte framebuffer\n", (unsigned long long)bytes);
		return false;
	}
	if ((e = mnos_mem_map(fb, 0, va, CAP_R_READ | CAP_R_WRITE)) != E_OK) {
		printf("fbcon: cannot map the framebuffer: %s\n", kerr_name((kerr_t)e));
		return false;
	}
	size_t ncells = fbcon_cells_needed(&fmt);
	struct fbcon_cell *cells = ncells ? malloc(ncells * sizeof(*cells)) : NULL;
	if (!cells || !fbcon_init(&con, &fmt, (uint8_t *)(uintptr_t)va + bi->fb_offset, cells,
				  ncells)) {
		printf("fbcon: cannot run a console on %ux%u, %u bpp, pitch %u\n", fmt.width,
		       fmt.height, fmt.bpp, fmt.pitch);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	uint32_t fb = mnos_start_cap("fb"), bim = mnos_start_cap("bootinfo");
	const struct mnos_bootinfo *bi = bim ? mnos_map_ro(bim, sizeof(*bi)) : NULL;
	uint32_t ep = mnos_slot_alloc(), reply = mnos_slot_alloc();
	int e;

	if (!bi || bi->magic != MNOS_BOOTINFO_MAGIC || bi->version < 2) {
		printf("fbcon: started without the boot information\n");
		return 1;
	}
	if (!fb || !bi->fb_width) {
		/* Status 0: a machine without a framebuffer is not an error, and init does
		 * not start the service again. */
		printf("fbcon: no framebuffer (the kernel gave none to user space); exiting\n");
		return 0;
	}
	if (!console_up(fb, bi))
		return 1;
	if (!ep || !reply || mnos_obj_create(MNOS_OBJ_ENDPOINT, ep, 0, 0) != E_OK ||
	    mnos_obj_create(MNOS_OBJ_REPLY, reply, 0, 0) != E_OK) {
		printf("fbcon: out of memory\n");
		return 1;
	}
	char banner[64];
	int len = snprintf(banner, sizeof(banner), "fbcon: %ux%u text console\n", con.cols,
			   con.rows);
	fbcon_write(&con, banner, (size_t)len);
	printf("%s", banner);

	struct mnos_rpc_server srv = {
		.ep = ep, .reply = reply, .buf = mnos_ipc_buffer(), .data = req_buf,
		.size = sizeof(req_buf), .handle = handle,
	};
	if (!srv.buf || (e = mnos_name_register("fbcon", ep)) != E_OK) {
		printf("fbcon: cannot register: %s\n",
		       kerr_name((kerr_t)(srv.buf ? e : E_NO_MEMORY)));
		return 1;
	}
	e = mnos_rpc_serve(&srv);
	printf("fbcon: serving stopped: %s\n", kerr_name((kerr_t)e));
	return 1;
}
