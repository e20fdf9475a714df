#!/bin/sh
# Installs the Debian 12 packages that building, running and testing MinimalOS need.
# Quiet when everything is present; as root it installs what is missing through apt-get,
# otherwise it names the missing packages and fails. Every target of the Makefile that
# needs a tool runs this first, so a fresh machine needs no other step.
set -eu

# One package per line: the package and a file it installs, so the check is a stat()
# rather than a slow dpkg query.
need='
gcc                  /usr/bin/gcc
make                 /usr/bin/make
binutils             /usr/bin/ld
python3              /usr/bin/python3
qemu-system-x86      /usr/bin/qemu-system-x86_64
ovmf                 /usr/share/OVMF/OVMF_CODE_4M.fd
grub-common          /usr/bin/grub-mkrescue
grub-pc-bin          /usr/lib/grub/i386-pc/multiboot2.mod
grub-efi-amd64-bin   /usr/lib/grub/x86_64-efi/multiboot2.mod
xorriso              /usr/bin/xorriso
mtools               /usr/bin/mformat
libcriterion-dev     /usr/include/criterion/criterion.h
clang                /usr/bin/clang
libclang-rt-14-dev   /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
console-setup-linux  /usr/share/consolefonts/Lat15-VGA16.psf.gz
gdb                  /usr/bin/gdb
'

# A window for `make run` needs QEMU's GTK front end; headless machines (CI) skip it.
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
	need="$need
qemu-system-gui      /usr/lib/x86_64-linux-gnu/qemu/ui-gtk.so
"
fi

missing=$(printf '%s\n' "$need" | while read -r pkg file; do
	[ -n "$pkg" ] || continue
	[ -e "$file" ] || printf '%s ' "$pkg"
done)

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: $missing" >&2
	echo "install-deps: run as root, or: sudo apt-get install $missing" >&2
	exit 1
fi

echo "install-deps: installing $missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086 # the package list is meant to split
apt-get install -y -qq --no-install-recommends $missing >/dev/null
