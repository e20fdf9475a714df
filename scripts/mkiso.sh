#!/bin/sh
# Build a hybrid BIOS + UEFI boot ISO with GRUB (grub-mkrescue) around the kernel.
# Usage: mkiso.sh OUT.iso KERNEL.elf [KERNEL-CMDLINE [GFXPAYLOAD [INITRAMFS.tar]]]
# The test runner calls it with its own command lines (e.g. "ktest=all") for test images,
# and with a GRUB gfxpayload (e.g. "800x600x24") to boot in a given video mode. With an
# initramfs, GRUB loads it as a Multiboot2 module named "initramfs" (docs/INITRAMFS.md);
# without one (an empty argument), the kernel boots without it.
set -eu
out=$1
kernel=$2
cmdline=${3:-}
gfx=${4:-}
initramfs=${5:-}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mnos-iso.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/iso
mkdir -p "$stage/boot/grub"
cp "$kernel" "$stage/boot/minimalos.elf"
module=
if [ -n "$initramfs" ]; then
	cp "$initramfs" "$stage/boot/initramfs.tar"
	module="module2 /boot/initramfs.tar initramfs"
fi
cat > "$stage/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
insmod all_video
menuentry "MinimalOS" {
	multiboot2 /boot/minimalos.elf $cmdline
	$module
	${gfx:+set gfxpayload=$gfx}
	boot
}
CFG
# (The multiboot2 command sets gfxpayload from the kernel's framebuffer request, so an
# override has to come after it.)
# Only the modules the menu uses, so the image stays small and GRUB starts fast. GRUB's
# EFI start-up loads every part_* module, so those are all included.
modules="multiboot2 normal all_video iso9660 boot configfile echo test"
modules="$modules part_acorn part_amiga part_apple part_bsd part_dfly part_dvh part_gpt"
modules="$modules part_msdos part_plan part_sun part_sunpc"
grub-mkrescue -o "$out.tmp" --install-modules="$modules" \
	"$stage" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
mv "$out.tmp" "$out"
