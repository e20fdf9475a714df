/*
 * In-guest tests of the boot path: what the boot loader told us, checked against what
 * the harness configured. The harness passes its expectations on the command line
 * (expect.mem=<MiB>, expect.fw=bios|uefi, expect.serial=0|1, expect.fb=none|<w>x<h>x<bpp>,
 * expect.cpus=<n>, expect.hv=none|tcg|kvm|other),
 * so these tests fail when the parsed information is wrong, not just absent.
 */
#include <ktest.h>
#include <bootinfo.h>
#include <cmdline.h>
#include <klib.h>
#include <kformat.h>
#include <consoles.h>
#include <spinlock.h>
#include <arch/hypervisor.h>
#include <arch/smp.h>

static uint64_t parse_u64(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

KTEST(boot, no_parse_errors)
{
	KT_EXPECT_EQ(boot_info.errors, 0);
	KT_EXPECT(boot_info.info_start.raw != 0);
	KT_EXPECT(boot_info.info_end.raw > boot_info.info_start.raw);
}

KTEST(boot, loader_and_cmdline)
{
	KT_EXPECT(strncmp(boot_info.loader, "GRUB", 4) == 0);
	KT_EXPECT(cmdline_has(boot_info.cmdline, "ktest"));
}

KTEST(boot, memory_matches_machine)
{
	char val[32];
	uint64_t usable = 0, top = 0;

	KT_ASSERT(boot_info.mem_count > 0);
	for (size_t i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *r = &boot_info.mem[i];
		if (r->type == BOOT_MEM_USABLE) {
			usable += r->length;
			if (r->base + r->length > top)
				top = r->base + r->length;
		}
	}
	if (!cmdline_get(boot_info.cmdline, "expect.mem", val, sizeof(val))) {
		ktest_skip("no expect.mem on the command line");
		return;
	}
	uint64_t mib = parse_u64(val);
	/* Firmware keeps some RAM for itself (OVMF several MiB), but usable memory can
	 * never exceed what QEMU was given, and most of it must be reported. */
	KT_EXPECT(usable <= mib << 20);
	KT_EXPECT(usable >= (mib << 20) * 3 / 4);
	KT_EXPECT(top >= (mib << 20) / 2);
}

KTEST(boot, firmware_matches_machine)
{
	char val[16];

	if (!cmdline_get(boot_info.cmdline, "expect.fw", val, sizeof(val))) {
		ktest_skip("no expect.fw on the command line");
		return;
	}
	KT_EXPECT_STREQ(boot_info.firmware == BOOT_FW_UEFI ? "uefi" : "bios", val);
}

KTEST(boot, acpi_rsdp_present)
{
	KT_ASSERT(boot_info.rsdp_len == 20 || boot_info.rsdp_len == 36);
	KT_EXPECT(memcmp(boot_info.rsdp, "RSD PTR ", 8) == 0);
	uint8_t sum = 0;
	for (size_t i = 0; i < 20; i++)
		sum += boot_info.rsdp[i];
	KT_EXPECT_EQ(sum, 0);
}

KTEST(boot, framebuffer_matches_machine)
{
	char val[32], got[32];
	const struct boot_fb *fb = &boot_info.fb;

	if (!cmdline_get(boot_info.cmdline, "expect.fb", val, sizeof(val))) {
		ktest_skip("no expect.fb on the command line");
		return;
	}
	if (fb->kind == BOOT_FB_RGB)
		ksnprintf(got, sizeof(got), "%ux%ux%u", fb->width, fb->height, fb->bpp);
	else
		strlcpy(got, "none", sizeof(got));
	KT_EXPECT_STREQ(got, val);
}

KTEST(boot, serial_matches_machine)
{
	char val[8];

	if (!cmdline_get(boot_info.cmdline, "expect.serial", val, sizeof(val))) {
		ktest_skip("no expect.serial on the command line");
		return;
	}
	KT_EXPECT_EQ(consoles_found().serial, val[0] == '1');
}

/* Every CPU QEMU was given came up: the SMP tests and tortures run on as many CPUs as
 * they find, so without this a machine whose APs stopped starting would pass them. */
KTEST(boot, cpus_match_machine)
{
	char val[8];

	if (!cmdline_get(boot_info.cmdline, "expect.cpus", val, sizeof(val))) {
		ktest_skip("no expect.cpus on the command line");
		return;
	}
	KT_EXPECT_EQ(smp_cpu_count(), parse_u64(val));
	KT_EXPECT_EQ(popcount64(smp_online_mask()), parse_u64(val));
}

/* The hypervisor found (expect.hv=tcg under QEMU's TCG), and the way locks are waited
 * for that follows from it: first come on any hypervisor (arch/hypervisor.h). */
KTEST(boot, hypervisor_matches_machine)
{
	char val[8];

	if (!cmdline_get(boot_info.cmdline, "expect.hv", val, sizeof(val))) {
		ktest_skip("no expect.hv on the command line");
		return;
	}
	KT_EXPECT_STREQ(hypervisor_name(), val);
	KT_EXPECT_EQ(spin_fifo, hypervisor_kind() == HV_NONE);
}
