# tcplens — plain Makefile.  `make help` lists the targets.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
CC      ?= cc
PKG_CONFIG ?= pkg-config

WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wvla -Wundef
CSTD    := -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
OPT     ?= -O2 -g
# Link-time optimisation lets the checksum and dispatch code inline
# across dissector files: about 5% of `tcplens stats` on the bench
# capture.  Sanitizer and fuzz builds go without it.
LTO     ?= -flto=auto
DEPFLAGS = -MMD -MP
PKGS    := libpcap yaml-0.1 ncursesw libmicrohttpd libcurl
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lpcap -lyaml -lncursesw -lmicrohttpd -lcurl)
INCLUDES := -I. -Idissectors -Ianalyzer -Ireports -Icapture -Icmd

# BUILD selects the output tree; `make asan` sets it to build-asan.
BUILD   ?= build
SAN     ?=
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(LTO) $(SAN) -pthread $(INCLUDES) $(PKG_CFLAGS) $(CFLAGS)
# --as-needed: libraries a build does not use yet (ncurses before the
# dashboard exists) are not loaded at every start.
LDFLAGS_ALL = $(SAN) $(LTO) $(OPT) -pthread -Wl,--as-needed $(LDFLAGS)

# dissectors/ and analyzer/ depend on libc alone: they form the core that
# unit tests and the fuzzer link against.
CORE_SRCS := $(sort $(wildcard dissectors/*.c analyzer/*.c))
APP_SRCS  := $(sort $(wildcard capture/*.c reports/*.c cmd/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_HELP := $(filter-out $(UNIT_SRCS),$(sort $(wildcard tests/unit/*.c)))

CORE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/obj/%.o)
APP_OBJS  := $(APP_SRCS:%.c=$(BUILD)/obj/%.o)
REPORT_OBJS := $(filter $(BUILD)/obj/reports/% $(BUILD)/obj/capture/%,$(APP_OBJS))
# The configuration file's reader and writer (libyaml, no other cmd/ code).
CONFIG_SRCS := cmd/config_file.c cmd/config_write.c
CONFIG_OBJS := $(CONFIG_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_HELP_OBJS := $(UNIT_HELP:%.c=$(BUILD)/obj/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BIN       := $(BUILD)/tcplens
# tcplens(1), a page per command (tcplens-flows.1 ...) and the runbook, 7.
MAN1      := $(sort $(wildcard man/*.1))
MAN7      := $(sort $(wildcard man/*.7))

.PHONY: all help deps demo test check-tests asan asan-tests unit fuzz \
        fuzz-smoke bench bench-scale bench-snapshot soak install uninstall clean lint golden-update lab \
        lab-check identity screenshots
all: $(BIN)

# Keep unit-test objects between runs.
.SECONDARY:

help:
	@echo "make            build $(BIN)"
	@echo "make demo       install Debian packages, build, analyse the bundled capture"
	@echo "make test       install Debian packages, build, run every test"
	@echo "make asan       build with AddressSanitizer + UBSan into build-asan/"
	@echo "make fuzz       run the libFuzzer harnesses (FUZZ_SECONDS=$(FUZZ_SECONDS) in all)"
	@echo "make bench      benchmark against libpcap, tcpdump and tshark"
	@echo "make bench-scale  only the scale figures: flows' formats, report on a SYN flood"
	@echo "make soak       10 minutes of tcplens live under churn: RSS stays flat (root)"
	@echo "make install    install binary and man pages under PREFIX=$(PREFIX)"
	@echo "make golden-update NAME=x   rewrite one golden expected output"
	@echo "make identity REV=commit    same output as commit, every command and capture"
	@echo "make screenshots  redraw doc/pictures/*.png from lab captures (chromium)"

$(BIN): $(CORE_OBJS) $(APP_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(CORE_OBJS) $(REPORT_OBJS) $(CONFIG_OBJS) $(UNIT_HELP_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ -lcmocka $(PKG_LIBS) -lm

# What one live snapshot costs the engine thread (bench/README.md).
$(BUILD)/snapshot_cost: $(BUILD)/obj/bench/snapshot_cost.o $(CORE_OBJS) $(REPORT_OBJS)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) -lm

bench-snapshot: $(BUILD)/snapshot_cost

# The live queue's pipe is cmd/ code with no library behind it.
$(BUILD)/tests/test_packet_pipe: $(BUILD)/obj/cmd/packet_pipe.o
$(BUILD)/tests/test_live_output: $(BUILD)/obj/cmd/live_output.o
$(BUILD)/tests/test_export_queue: $(BUILD)/obj/cmd/export_queue.o
$(BUILD)/tests/test_export_files: $(BUILD)/obj/cmd/export_files.o

unit: $(UNIT_BINS)

deps:
	@sh scripts/deps.sh test

demo:
	@sh scripts/deps.sh build
	@$(MAKE) --no-print-directory all
	./$(BIN) stats testdata/demo.pcap
	./$(BIN) flows testdata/demo.pcap
	./$(BIN) report testdata/lab/close_wait_leak.pcap

test:
	@sh scripts/deps.sh test
	@$(MAKE) --no-print-directory all unit
	@$(MAKE) --no-print-directory BUILD=build-asan SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" OPT="-O1 -g" LTO= all unit
	@sh tests/run.sh

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" OPT="-O1 -g" LTO= all unit

# libFuzzer needs clang; the harness links the libc-only core.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BIN := build-fuzz/fuzz_decode
$(FUZZ_BIN): tests/fuzz/fuzz_decode.c $(CORE_SRCS) $(wildcard dissectors/*.h analyzer/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all $(INCLUDES) -o $@ tests/fuzz/fuzz_decode.c $(CORE_SRCS)

FUZZ_CAPTURE_BIN := build-fuzz/fuzz_capture
$(FUZZ_CAPTURE_BIN): tests/fuzz/fuzz_capture.c $(CORE_SRCS) $(wildcard capture/*.c capture/*.h dissectors/*.h analyzer/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all $(INCLUDES) -o $@ tests/fuzz/fuzz_capture.c \
	  $(CORE_SRCS) $(wildcard capture/*.c) $(PKG_LIBS)

# The configuration file's reader and writer: libyaml, the core for the
# settings table, and the UTF-8 check its comments share with reports.
FUZZ_CONFIG_BIN := build-fuzz/fuzz_config
YAML_LIBS = $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null || echo -lyaml)
$(FUZZ_CONFIG_BIN): tests/fuzz/fuzz_config.c $(CONFIG_SRCS) reports/utf8_text.c $(CORE_SRCS) $(wildcard cmd/config_*.h reports/utf8_text.h dissectors/*.h analyzer/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all $(INCLUDES) -o $@ tests/fuzz/fuzz_config.c \
	  $(CONFIG_SRCS) reports/utf8_text.c $(CORE_SRCS) $(YAML_LIBS)

fuzz: $(FUZZ_BIN) $(FUZZ_CAPTURE_BIN) $(FUZZ_CONFIG_BIN)
	@sh tests/fuzz/run.sh $(FUZZ_BIN) $(FUZZ_SECONDS)

bench: all
	@sh scripts/deps.sh bench
	@TCPLENS=$(BIN) sh bench/run.sh

bench-scale: all
	@sh scripts/deps.sh bench
	@TCPLENS=$(BIN) sh bench/scale.sh

# Not part of make test: it runs SOAK_SECONDS (600) and needs root.
soak: all
	@sh scripts/deps.sh bench
	@TCPLENS=$(BIN) bash bench/soak.sh

lint:
	mandoc -Tlint -Wwarning $(MAN1) $(MAN7)

# The pictures README.md and the man pages name, through headless Chromium.
screenshots: all
	@sh scripts/screenshots.sh

# The real-traffic lab (root): regenerate every capture and truth file,
# or only some with SCENARIOS="a b".
lab:
	@sh scripts/deps.sh lab
	python3 testdata/lab/lab.py $(SCENARIOS)
	python3 testdata/lab/make_readme.py

# Reruns the scenarios fresh (root) and checks the kernel ends as recorded.
lab-check:
	@python3 testdata/lab/check.py $(SCENARIOS)

golden-update: all
	@sh tests/golden/run.sh --update $(NAME)

# A refactor that must not change any output: every command and format on
# every capture against REV's (default: tests/identity/BASE).
identity: all
	@TCPLENS=$(BIN) sh tests/identity/run.sh $(REV)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/tcplens
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tcplens \
	      $(MAN1:man/%=$(DESTDIR)$(MANDIR)/man1/%) \
	      $(MAN7:man/%=$(DESTDIR)$(MANDIR)/man7/%)

clean:
	rm -rf build build-asan build-fuzz build-werror

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
