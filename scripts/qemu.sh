#!/bin/sh
# Boot an ISO under QEMU (TCG) for a person at the terminal.
# Usage: qemu.sh uefi|bios ISO        serial on this terminal; a window if there is a display
#        qemu.sh debug ISO KERNEL.elf halted at reset with a gdb stub, and gdb attached
# Extra QEMU arguments can be given in QEMU_EXTRA; memory and CPUs in QEMU_MEM, QEMU_SMP.
set -eu
mode=$1
iso=$2
kernel=${3:-}
build=$(dirname "$iso")

set -- -machine q35 -cpu max -m "${QEMU_MEM:-512M}" -smp "${QEMU_SMP:-2}" \
	-cdrom "$iso" -boot d -no-reboot -nic none
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
	set -- "$@" -display gtk
else
	set -- "$@" -display none
fi

case "$mode" in
uefi)
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$build/OVMF_VARS_4M.fd"
	set -- "$@" -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
		-drive if=pflash,format=raw,file="$build/OVMF_VARS_4M.fd"
	echo "MinimalOS under QEMU (UEFI). Quit: Ctrl-A then X." >&2
	exec qemu-system-x86_64 "$@" -serial mon:stdio ${QEMU_EXTRA:-}
	;;
bios)
	echo "MinimalOS under QEMU (BIOS). Quit: Ctrl-A then X." >&2
	exec qemu-system-x86_64 "$@" -serial mon:stdio ${QEMU_EXTRA:-}
	;;
debug)
	qemu-system-x86_64 "$@" -serial file:"$build/debug-serial.log" -s -S ${QEMU_EXTRA:-} &
	qpid=$!
	trap 'kill $qpid 2>/dev/null' EXIT
	echo "QEMU is halted with a gdb stub on :1234; serial output goes to $build/debug-serial.log" >&2
	gdb -q "$kernel" \
		-ex 'set architecture i386:x86-64' \
		-ex 'target remote localhost:1234' \
		-ex 'hbreak kmain' \
		-ex 'continue'
	;;
*)
	echo "usage: $0 uefi|bios|debug ISO [KERNEL]" >&2
	exit 2
	;;
esac
