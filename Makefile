# MinimalOS — top-level build.
#
#   make            kernel, symbol table, initramfs, GRUB ISO (build/minimalos.iso)
#   make run        boot the ISO under QEMU with UEFI (OVMF)
#   make run-bios   boot the ISO under QEMU with SeaBIOS
#   make debug      QEMU halted with a gdb stub, and gdb with the kernel's symbols
#   make test       ABI check, host unit tests, a short fuzz run, in-guest tests on BIOS
#                   and UEFI, and a few boots of the UBSan build
#   make fuzz       run the fuzzers for FUZZ_TIME seconds each
#   make abi-doc    regenerate docs/SYSCALLS.md from the ABI table (abi/abi.py)
#   make abi-check  fail if docs/SYSCALLS.md is not what the ABI table gives
#   make clean
#
# Every target that needs a tool first runs scripts/install-deps.sh, which installs any
# missing Debian package (as root) and is silent otherwise.

MNOS_VERSION := 0.1.0
# DEBUG=1 (the default, and what the tests run) adds poisoning and consistency checks that
# panic on the first sign of corruption; DEBUG=0 is the build that benchmarks measure.
DEBUG ?= 1
# UBSAN=1 builds the kernel and the user programs with -fsanitize=undefined (in
# build/ubsan): a failed check panics the kernel, or aborts a user thread, with its kind
# and source location (kernel/lib/ubsan.c). `make test UBSAN=1` runs the whole suite so;
# a plain `make test` builds it too, for the few boots of the matrix that use it.
UBSAN ?= 0
GIT_REV := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

BUILD ?= $(if $(filter 1,$(UBSAN)),build/ubsan,build)
SAN_FLAGS := $(if $(filter 1,$(UBSAN)),-fsanitize=undefined -DMNOS_UBSAN=1)
GEN := $(BUILD)/gen

CC := gcc
LD := ld
OBJCOPY := objcopy
NM := nm
PYTHON := /usr/bin/python3

# ---------------------------------------------------------------------------------------
# Kernel
# ---------------------------------------------------------------------------------------

KERNEL_CFLAGS := -std=c17 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter \
	-ffreestanding -nostdlib -fno-builtin-printf -fno-pic -fno-pie -mno-red-zone \
	-mcmodel=kernel -mgeneral-regs-only -mno-mmx -mno-sse -mno-sse2 \
	-fstack-protector-strong -mstack-protector-guard=global \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fno-strict-aliasing -fno-asynchronous-unwind-tables -fno-common \
	-ffunction-sections -fdata-sections \
	-Ikernel/include -Ikernel/arch/x86_64/include -I$(GEN) \
	-DMNOS_VERSION='"$(MNOS_VERSION)"' -DMNOS_GIT_REV='"$(GIT_REV)"' -DMNOS_DEBUG=$(DEBUG) \
	$(SAN_FLAGS)
KERNEL_ASFLAGS := -Ikernel/include -Ikernel/arch/x86_64/include -I$(GEN) -I$(BUILD)/user -D__ASSEMBLY__ -g
KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	--no-dynamic-linker -T kernel/arch/x86_64/linker.ld --gc-sections

# User programs (the rules are below).
USER_CFLAGS := -std=c17 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter \
	-ffreestanding -nostdlib -fno-builtin-printf -fno-pic -fno-pie \
	-fstack-protector-strong -mstack-protector-guard=global \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fno-common \
	-ffunction-sections -fdata-sections \
	-Iuser/include -Ikernel/include -Ikernel/arch/x86_64/include -I$(GEN) -DMNOS_USER \
	$(SAN_FLAGS)
USER_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	--no-dynamic-linker -T user/user.ld --gc-sections

KERNEL_C := $(sort $(wildcard kernel/*/*.c kernel/arch/x86_64/*.c tests/kernel/*.c))
KERNEL_S := $(sort $(wildcard kernel/arch/x86_64/*.S tests/kernel/*.S))
KERNEL_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(KERNEL_C)) \
	$(patsubst %.S,$(BUILD)/%.o,$(KERNEL_S)) \
	$(BUILD)/gen/font.o

KERNEL_ELF := $(BUILD)/minimalos.elf
ISO := $(BUILD)/minimalos.iso
FONT_PSF := /usr/share/consolefonts/Lat15-VGA16.psf.gz

.PHONY: all deps run run-bios debug test host-test guest-test fuzz bench clean abi abi-doc abi-check \
	corpus-check ubsan-build kernel-and-initramfs
all: $(ISO) compile_commands.json

deps:
	@scripts/install-deps.sh

# ---------------------------------------------------------------------------------------
# The system-call ABI: one table (abi/abi.py), from which the generator makes the
# constants both sides include, the user stubs, the kernel's dispatch and the reference.
# Everything that includes a generated header waits for it (order-only below; the
# compiler's dependency files take over once an object has been built).
# ---------------------------------------------------------------------------------------

ABI_SRC := abi/abi.py tools/gen_abi.py
ABI_HDRS := $(GEN)/mnos/abi.h $(GEN)/mnos/syscalls.h $(GEN)/syscall_table.h
ABI_DOC := $(GEN)/docs/SYSCALLS.md

$(GEN)/.abi-stamp: $(ABI_SRC)
	@mkdir -p $(GEN)
	@echo "  ABI     $(GEN)"
	@$(PYTHON) tools/gen_abi.py $(GEN)
	@touch $@

# The empty recipe makes make look at the headers' times again once the stamp's recipe
# has run (with no recipe it would not, and what includes a header that changed would be
# rebuilt only by the next make). The generator leaves a file it would not change alone,
# so only what a change reaches is rebuilt.
$(ABI_HDRS) $(ABI_DOC): $(GEN)/.abi-stamp ;

abi: $(ABI_HDRS)

abi-doc: $(GEN)/.abi-stamp
	@cp $(ABI_DOC) docs/SYSCALLS.md

# The stubs must build as freestanding user code (no libc but <stdint.h>), warnings on.
abi-check: $(GEN)/.abi-stamp
	@echo '#include <mnos/syscalls.h>' | $(CC) -std=c17 -ffreestanding -nostdlib -O2 -Wall \
		-Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror -I$(GEN) \
		-fsyntax-only -x c -
	@diff -u docs/SYSCALLS.md $(ABI_DOC) >/dev/null || { diff -u docs/SYSCALLS.md \
		$(ABI_DOC) | head -40; echo "error: docs/SYSCALLS.md is stale: run 'make abi-doc'" >&2; \
		exit 1; }

# Objects depend on the flags they were built with: a change of DEBUG (or any flag)
# rebuilds everything, without a 'make clean'.
FLAGS_STAMP := $(BUILD)/.flags
FLAGS_NOW := $(CC) $(KERNEL_CFLAGS) $(KERNEL_ASFLAGS) $(USER_CFLAGS)
ifneq ($(file <$(FLAGS_STAMP)),$(FLAGS_NOW))
$(shell mkdir -p $(BUILD))
$(file >$(FLAGS_STAMP),$(FLAGS_NOW))
endif

$(BUILD)/%.o: %.c $(FLAGS_STAMP) | deps $(ABI_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

# The entry's IPC fast paths are called only from the SYSCALL entry, which saves the
# user's callee-saved registers itself: their prologues need not (kernel/ipc/ipc_internal.h).
$(BUILD)/kernel/ipc/endpoint_fast.o: KERNEL_CFLAGS += -fcall-used-rbx -fcall-used-r12 \
	-fcall-used-r13 -fcall-used-r14 -fcall-used-r15

$(BUILD)/%.o: %.S $(FLAGS_STAMP) | deps $(ABI_HDRS)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KERNEL_ASFLAGS) -MMD -MP -c $< -o $@

$(GEN)/font.c: tools/psf2c.py | deps
	@mkdir -p $(dir $@)
	@echo "  FONT    $(FONT_PSF)"
	@$(PYTHON) tools/psf2c.py $(FONT_PSF) $@

$(GEN)/font.o: $(GEN)/font.c
	@$(CC) $(KERNEL_CFLAGS) -c $< -o $@

# The kernel is linked twice. The symbol table (.ksyms) is the last section of the image,
# so adding it cannot move any function: the table made from the first link is exact for
# the second, and the build checks that it is.
$(GEN)/ksyms_empty.S: tools/gensyms.py | deps
	@mkdir -p $(dir $@)
	@$(PYTHON) tools/gensyms.py --empty > $@

$(GEN)/ksyms_empty.o: $(GEN)/ksyms_empty.S
	@$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

$(BUILD)/minimalos.pass1.elf: $(KERNEL_OBJS) $(GEN)/ksyms_empty.o kernel/arch/x86_64/linker.ld
	@echo "  LD      $@"
	@$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(GEN)/ksyms_empty.o

$(GEN)/ksyms.S: $(BUILD)/minimalos.pass1.elf tools/gensyms.py
	@$(NM) -n -S --defined-only $< | $(PYTHON) tools/gensyms.py > $@

$(GEN)/ksyms.o: $(GEN)/ksyms.S
	@$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

$(KERNEL_ELF): $(KERNEL_OBJS) $(GEN)/ksyms.o
	@echo "  LD      $@"
	@$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(GEN)/ksyms.o
	@$(NM) -n -S --defined-only $@ | $(PYTHON) tools/gensyms.py | cmp -s - $(GEN)/ksyms.S \
		|| { echo "error: symbol table moved between links" >&2; rm -f $@; exit 1; }

# ---------------------------------------------------------------------------------------
# User programs: static ELF executables (user/user.ld) that the kernel's loader runs in
# ring 3. The library is user/lib plus the kernel's own freestanding kformat, string and
# error-name code, compiled again with user flags. The in-guest tests embed the programs
# (tests/kernel/user_progs.S).
# ---------------------------------------------------------------------------------------

UOBJ := $(BUILD)/uobj

USER_LIB_SRC := $(sort $(wildcard user/lib/*.c user/lib/*.S)) \
	kernel/lib/kformat.c kernel/lib/string.c kernel/lib/kerr.c kernel/lib/cmdline.c \
	kernel/exec/elf_check.c kernel/exec/elf_stack.c \
	kernel/lib/ustar.c kernel/lib/ubsan.c kernel/lib/spread.c
USER_LIB_OBJS := $(patsubst %,$(UOBJ)/%.o,$(USER_LIB_SRC))
# The user programs by the initramfs directory they go in (docs/INITRAMFS.md). /bin holds
# what a person runs from the shell, and only that: the shell and the commands
# (docs/COMMANDS.md), each of which answers --help; the shell's `help` lists /bin.
# /sbin holds the services init starts (etc/init.conf), /test the test programs and the
# programs they start.
COMMANDS := ls cat echo mkdir rm mv cp ps kill mem uptime sleep uname caps bench
BIN_PROGS := sh $(COMMANDS)
SBIN_PROGS := init console fbcon kbd procsvc vfs initfs tmpfs
TEST_PROGS := utest ctest ptest ftest pchild sfuzz hello
USER_PROGS := $(BIN_PROGS) $(SBIN_PROGS) $(TEST_PROGS)
USER_ELFS := $(patsubst %,$(BUILD)/user/%.elf,$(USER_PROGS))
# Sources a program takes from elsewhere: the framebuffer console draws with the
# kernel's console code and the font generated from the PSF file.
user_extra_fbcon := kernel/lib/fbcon.c $(GEN)/font.c

$(UOBJ)/%.c.o: %.c $(FLAGS_STAMP) | deps $(GEN)/.abi-stamp
	@mkdir -p $(dir $@)
	@echo "  UCC     $<"
	@$(CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

$(UOBJ)/%.S.o: %.S $(FLAGS_STAMP) | deps $(GEN)/.abi-stamp
	@mkdir -p $(dir $@)
	@echo "  UAS     $<"
	@$(CC) $(USER_CFLAGS) -I$(BUILD)/user -D__ASSEMBLY__ -MMD -MP -c $< -o $@

define user_prog_rule
user_objs_$(1) := $$(patsubst %,$$(UOBJ)/%.o,$$(sort $$(wildcard user/$(1)/*.c user/$(1)/*.S)) \
	$$(user_extra_$(1)))
$(BUILD)/user/$(1).elf: $$(user_objs_$(1)) $$(USER_LIB_OBJS) user/user.ld
	@mkdir -p $$(dir $$@)
	@echo "  ULD     $$@"
	@$$(LD) $$(USER_LDFLAGS) -o $$@ $$(user_objs_$(1)) $$(USER_LIB_OBJS)
endef
$(foreach p,$(USER_PROGS),$(eval $(call user_prog_rule,$(p))))

# .incbin is not seen by the compiler's dependency files.
$(BUILD)/tests/kernel/user_progs.o: $(USER_ELFS)
$(UOBJ)/user/utest/progs.S.o: $(BUILD)/user/hello.elf

# ---------------------------------------------------------------------------------------
# The initramfs (docs/INITRAMFS.md): a ustar archive of the user programs (bin/<prog>,
# sbin/<prog>, test/<prog>) and the tree initramfs/ (etc/...), which GRUB loads as a
# boot module. The packer also writes the list of what it packed, which the in-guest
# test compares with what the kernel finds.
# ---------------------------------------------------------------------------------------

INITRAMFS := $(BUILD)/initramfs.tar
INITRAMFS_MANIFEST := $(GEN)/initramfs_manifest.h
INITRAMFS_FILES := $(shell find initramfs -type f 2>/dev/null)

# The programs go in without their debug information (the build keeps it in
# build/user/*.elf for gdb): a third of the size, so GRUB loads the archive faster.
STRIPPED_ELFS := $(patsubst %,$(BUILD)/user/stripped/%.elf,$(USER_PROGS))
# The packer's program arguments, DIR:PROG.elf.
INITRAMFS_PROGS := $(patsubst %,bin:$(BUILD)/user/stripped/%.elf,$(BIN_PROGS)) \
	$(patsubst %,sbin:$(BUILD)/user/stripped/%.elf,$(SBIN_PROGS)) \
	$(patsubst %,test:$(BUILD)/user/stripped/%.elf,$(TEST_PROGS))
# A program moved to another directory changes no file the archive depends on: a stamp
# that changes with the list does (as FLAGS_STAMP does for the flags).
LAYOUT_STAMP := $(BUILD)/.initramfs-layout
ifneq ($(file <$(LAYOUT_STAMP)),$(INITRAMFS_PROGS))
$(shell mkdir -p $(BUILD))
$(file >$(LAYOUT_STAMP),$(INITRAMFS_PROGS))
endif

$(BUILD)/user/stripped/%.elf: $(BUILD)/user/%.elf
	@mkdir -p $(dir $@)
	@strip --strip-debug -o $@ $<

# One run writes both (a grouped target), so make sees the manifest change with the
# archive and recompiles what includes it in the same build.
$(INITRAMFS) $(INITRAMFS_MANIFEST) &: tools/mkinitramfs.py $(STRIPPED_ELFS) $(INITRAMFS_FILES) \
		$(LAYOUT_STAMP) | deps
	@mkdir -p $(GEN)
	@echo "  TAR     $(INITRAMFS)"
	@$(PYTHON) tools/mkinitramfs.py $(INITRAMFS) $(INITRAMFS_MANIFEST) initramfs $(INITRAMFS_PROGS)

$(BUILD)/tests/kernel/test_initramfs.o: $(INITRAMFS_MANIFEST)

# ---------------------------------------------------------------------------------------
# Boot image
# ---------------------------------------------------------------------------------------

ISO_CMDLINE ?=
$(ISO): $(KERNEL_ELF) $(INITRAMFS) scripts/mkiso.sh
	@echo "  ISO     $@"
	@scripts/mkiso.sh $@ $(KERNEL_ELF) "$(ISO_CMDLINE)" "" $(INITRAMFS)

# ---------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------

run: $(ISO)
	@scripts/qemu.sh uefi $(ISO)

run-bios: $(ISO)
	@scripts/qemu.sh bios $(ISO)

debug: $(ISO)
	@scripts/qemu.sh debug $(ISO) $(KERNEL_ELF)

# ---------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------

HOST_CC := gcc
HOST_CFLAGS := -std=c17 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	-Ikernel/include -Ikernel/arch/x86_64/include -I$(GEN) -Itests/host -DMNOS_HOST_TEST \
	-DMNOS_VERSION='"$(MNOS_VERSION)"' -DMNOS_GIT_REV='"host"' -DMNOS_DEBUG=1
HOST_LIBS := -lcriterion

# Each host test binary: its test file plus the kernel sources it tests (pure logic only).
HOST_TESTS := kprintf mb2 cmdline fbcon ksyms backtrace memmap pmm acpi heap cap elf abi libmnos \
	ustar init proc path ldisc sh kbd cmd spread
host_src_kprintf := tests/host/test_kprintf.c kernel/lib/kformat.c
host_src_mb2 := tests/host/test_mb2.c kernel/boot/multiboot2.c kernel/lib/kformat.c
host_src_cmdline := tests/host/test_cmdline.c kernel/lib/cmdline.c
host_src_spread := tests/host/test_spread.c kernel/lib/spread.c
host_src_fbcon := tests/host/test_fbcon.c kernel/lib/fbcon.c $(GEN)/font.c
host_src_ksyms := tests/host/test_ksyms.c kernel/core/ksyms.c
host_src_backtrace := tests/host/test_backtrace.c kernel/core/backtrace.c
host_src_memmap := tests/host/test_memmap.c kernel/mm/memmap.c
host_src_pmm := tests/host/test_pmm.c kernel/mm/pmm_core.c
host_src_acpi := tests/host/test_acpi.c kernel/acpi/acpi.c kernel/acpi/madt.c kernel/lib/kformat.c
host_src_heap := tests/host/test_heap.c kernel/mm/heap.c kernel/mm/slab.c kernel/lib/kformat.c
host_src_cap := tests/host/test_cap.c kernel/cap/cap.c kernel/lib/kerr.c kernel/lib/kformat.c
host_src_elf := tests/host/test_elf.c kernel/exec/elf_check.c kernel/lib/kformat.c
host_src_abi := tests/host/test_abi.c kernel/lib/kerr.c
host_src_libmnos := tests/host/test_libmnos.c user/lib/malloc.c user/lib/string.c \
	user/lib/format.c kernel/lib/kformat.c kernel/lib/string.c
host_flags_libmnos := -Iuser/include -include tests/host/libmnos_names.h
host_src_ustar := tests/host/test_ustar.c kernel/lib/ustar.c
host_src_init := tests/host/test_init.c user/init/config.c user/init/names.c kernel/lib/kformat.c
host_flags_init := -Iuser/include
host_src_proc := tests/host/test_proc.c user/lib/procmsg.c user/procsvc/table.c \
	user/procsvc/programs.c kernel/lib/ustar.c \
	kernel/exec/elf_stack.c
host_flags_proc := -Iuser/include
host_src_sh := tests/host/test_sh.c user/sh/parse.c user/sh/ledit.c kernel/lib/kformat.c
host_flags_sh := -Iuser/include
host_src_ldisc := tests/host/test_ldisc.c user/console/ldisc.c
host_flags_ldisc := -Iuser/include
host_src_path := tests/host/test_path.c user/lib/path.c
host_flags_path := -Iuser/include
host_src_kbd := tests/host/test_kbd.c user/kbd/scancode.c user/lib/keyterm.c
host_flags_kbd := -Iuser/include -Iuser/kbd
host_src_cmd := tests/host/test_cmd.c user/lib/getopt.c user/lib/walk.c user/lib/path.c \
	user/sleep/duration.c user/uptime/since.c user/caps/rights.c
host_flags_cmd := -Iuser/include

HOST_BINS := $(patsubst %,$(BUILD)/host/test_%,$(HOST_TESTS))

define host_test_rule
$(BUILD)/host/test_$(1): $$(host_src_$(1)) tests/host/host_shim.h $(ABI_HDRS) | deps
	@mkdir -p $$(dir $$@)
	@echo "  HOSTCC  $$@"
	@$$(HOST_CC) $$(HOST_CFLAGS) -include tests/host/host_shim.h $$(host_flags_$(1)) -o $$@ \
		$$(host_src_$(1)) $$(HOST_LIBS)
endef
$(foreach t,$(HOST_TESTS),$(eval $(call host_test_rule,$(t))))

# Fuzzers: libFuzzer targets, built by clang with ASan + UBSan. `make test` runs each for
# FUZZ_TEST_TIME seconds, seeded from its corpus in the tree (a finding fails the run);
# `make fuzz` for FUZZ_TIME. What they find is kept in build/fuzz/corpus/ across runs.
FUZZ_CC := clang
FUZZ_CFLAGS := -std=c17 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -Ikernel/include -Ikernel/arch/x86_64/include
FUZZ_TEST_TIME ?= 20
FUZZ_TIME ?= 600
FUZZERS := ustar
fuzz_src_ustar := tests/fuzz/fuzz_ustar.c kernel/lib/ustar.c
fuzz_seeds_ustar := tests/tar
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZERS))
FUZZ_ARGS = $(foreach f,$(FUZZERS),--fuzz $(BUILD)/fuzz/fuzz_$(f):$(fuzz_seeds_$(f)))

define fuzz_rule
$(BUILD)/fuzz/fuzz_$(1): $$(fuzz_src_$(1)) | deps
	@mkdir -p $$(dir $$@)
	@echo "  FUZZCC  $$@"
	@$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ $$(fuzz_src_$(1))
endef
$(foreach f,$(FUZZERS),$(eval $(call fuzz_rule,$(f))))

# The system-call fuzzer's long run: SFUZZ_CALLS calls from each of two processes.
SFUZZ_CALLS ?= 1000000
fuzz: $(FUZZ_BINS) $(KERNEL_ELF) $(INITRAMFS)
	@$(PYTHON) tests/run.py --host-only --fuzz-time $(FUZZ_TIME) $(FUZZ_ARGS)
	@MNOS_SFUZZ_CALLS=$(SFUZZ_CALLS) $(PYTHON) tests/run.py --guest-only --kernel $(KERNEL_ELF)
	@grep "^# sfuzz:" build/test-logs/sfuzz-long.log || true

host-test: $(HOST_BINS) $(FUZZ_BINS)
	@$(PYTHON) tests/run.py --host-only --fuzz-time $(FUZZ_TEST_TIME) $(FUZZ_ARGS) $(HOST_BINS)

# The UBSan build's kernel and initramfs, for the boots of the matrix that name it
# (tests/guest_configs.py, kernel='ubsan'): made by a make of its own in build/ubsan,
# unless this make is the UBSan build. After deps, so two installs never run at once.
ifeq ($(UBSAN),1)
UBSAN_KERNEL := $(KERNEL_ELF)
UBSAN_PARTS :=
else
UBSAN_KERNEL := build/ubsan/minimalos.elf
UBSAN_PARTS := ubsan-build
endif

ubsan-build: | deps
	@$(MAKE) --no-print-directory UBSAN=1 BUILD=build/ubsan kernel-and-initramfs

# What a boot needs, quietly when it is up to date (the goal of the make above).
kernel-and-initramfs: $(KERNEL_ELF) $(INITRAMFS)
	@:

guest-test: $(KERNEL_ELF) $(INITRAMFS) $(UBSAN_PARTS)
	@$(PYTHON) tests/run.py --guest-only --kernel $(KERNEL_ELF) --ubsan-kernel $(UBSAN_KERNEL)

# The test corpora in the tree must be what their generators write.
corpus-check:
	@$(PYTHON) tools/mk_elf_corpus.py --check
	@$(PYTHON) tools/mk_tar_corpus.py --check

test: abi-check corpus-check $(HOST_BINS) $(FUZZ_BINS) $(KERNEL_ELF) $(INITRAMFS) $(ISO) \
		$(UBSAN_PARTS)
	@$(PYTHON) tests/run.py --kernel $(KERNEL_ELF) --ubsan-kernel $(UBSAN_KERNEL) \
		--fuzz-time $(FUZZ_TEST_TIME) $(FUZZ_ARGS) $(HOST_BINS)

# Benchmarks measure the DEBUG=0 kernel, built apart in build/release.
bench:
	@$(MAKE) --no-print-directory BUILD=build/release DEBUG=0 build/release/minimalos.elf \
		build/release/initramfs.tar
	@$(PYTHON) tests/bench.py --kernel build/release/minimalos.elf

# ---------------------------------------------------------------------------------------
# Editor support
# ---------------------------------------------------------------------------------------

compile_commands.json: Makefile tools/compdb.py | $(ABI_HDRS)
	@$(PYTHON) tools/compdb.py "$(CC) $(KERNEL_CFLAGS)" $(KERNEL_C) > $@

clean:
	rm -rf $(BUILD) compile_commands.json

-include $(KERNEL_OBJS:.o=.d) $(USER_LIB_OBJS:.o=.d) $(foreach p,$(USER_PROGS),$(user_objs_$(p):.o=.d))
