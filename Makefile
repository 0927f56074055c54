# ariadne — top-level build. Plain GNU make: one binary, one unit-test binary per
# tests/unit/*.c, an ASan+UBSan variant in build-asan/.
#   make            build build/ariadne
#   make run        install what is missing, build, run in the foreground
#   make test       layer check, unit + integration tests (also under ASan+UBSan),
#                   then every fuzz target for 20 s
#   make layers     check the dependency rules of docs/ARCHITECTURE.md
#   make bench      benchmark scripts under bench/
#   make fuzz       libFuzzer targets of tests/fuzz (clang, ASan+UBSan) in
#                   build-fuzz/, each run FUZZ_SECONDS (docs/FUZZING.md)

BUILD    ?= build
CC       ?= cc
PKGS      = libre librem jansson speexdsp openssl libnats
RE_DEFS   = -DHAVE_INET6 -DHAVE_STDBOOL_H -DHAVE_INTTYPES_H
CFLAGS   ?= -O2 -g
SANITIZE ?=
override CFLAGS += $(SANITIZE)
override CFLAGS += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
            $(RE_DEFS) -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
override LDFLAGS += $(SANITIZE)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread
# crypt(3): ari.conf password_format = crypt (libcrypt-dev)
LDLIBS   += -lcrypt
# jemalloc as the allocator of the server (libjemalloc-dev): glibc's heap
# crept under steady traffic with a level live heap, jemalloc's stays flat
# (docs/ARCHITECTURE.md, Memory). Not under the sanitizers, which bring
# their own allocator; MALLOC=libc builds without it.
MALLOC   ?= jemalloc
ifeq ($(SANITIZE)$(filter libc,$(MALLOC)),)
LDLIBS   += -ljemalloc
endif
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.1.0)
override CFLAGS += -DARIADNE_VERSION='"$(VERSION)"' \
            -DARIADNE_BUILD_USER='"$(shell id -un)"' -DARIADNE_BUILD_HOST='"$(shell uname -n)"'

SRC       = $(wildcard src/base/*.c src/net/*.c src/core/*.c src/pbx/*.c src/local/*.c src/extmedia/*.c src/ari/*.c src/media/*.c src/sip/*.c src/cluster/*.c)
OBJ       = $(SRC:%.c=$(BUILD)/%.o)
UNIT_SRC  = $(wildcard tests/unit/test_*.c)
UNIT_BIN  = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all run test unit integration layers asan bench clean bootstrap \
	fuzz fuzz-build
all: $(BUILD)/ariadne

$(BUILD)/ariadne: $(OBJ) $(BUILD)/src/main.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# Unit tests link every module object except main.o, plus cmocka. -MMD
# records the test's own headers (tests/unit/*.h) as prerequisites too.
$(BUILD)/tests/%: tests/unit/%.c $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -MMD -MP -o $@ $(filter %.c %.o,$^) $(LDLIBS) -lcmocka
# Fails allocations on demand to prove a Stasis move is all or nothing.
$(BUILD)/tests/test_stasis_move: LDLIBS += -Wl,--wrap=str_dup -Wl,--wrap=mem_zalloc -Wl,--wrap=mem_alloc

# One libFuzzer target per parser (tests/fuzz/fuzz_*.c), linked like a
# unit test with every module object; `make fuzz-build` builds them all
# with clang into build-fuzz/ (docs/FUZZING.md).
$(BUILD)/fuzz/%: tests/fuzz/%.c $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -MMD -MP -o $@ \
	  $(filter %.c %.o,$^) $(LDLIBS)

bootstrap:
	scripts/bootstrap

run: bootstrap
	$(MAKE) all
	$(BUILD)/ariadne -f

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# The dependency rules of docs/ARCHITECTURE.md ("Layers"), read from the
# objects: no arrow up or sideways between folders, no cycle of files.
layers: all
	scripts/check-layers $(BUILD)

# Four test files at a time; no single test may take more than 10 minutes
# (a hung test fails instead of holding CI until its deadline). Node.js
# before 20.11 has no --test-timeout and runs without that bound.
NODE_TEST_FLAGS = --test-concurrency=4 $(shell node --test-timeout=1 -e 0 \
	>/dev/null 2>&1 && echo --test-timeout=600000)

integration: all
	ARIADNE_BIN=$(abspath $(BUILD)/ariadne) node --test $(NODE_TEST_FLAGS) tests/integration/

asan:
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	  SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  all $(patsubst $(BUILD)/%,build-asan/%,$(UNIT_BIN))

test: bootstrap
	$(MAKE) all layers unit
	$(MAKE) integration
	$(MAKE) asan
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	  SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=undefined" unit
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) \
	  ARIADNE_BIN=$(abspath build-asan/ariadne) node --test $(NODE_TEST_FLAGS) tests/integration/
	# one minute of mixed traffic on the sanitized server (bench/soak.sh)
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) \
	  ARIADNE_BIN=$(abspath build-asan/ariadne) BENCH_SOAK_RECONNECT_S=20 bench/soak.sh 60
	$(MAKE) fuzz FUZZ_SECONDS=20

# clang only: libFuzzer comes with it (Debian's clang-14). ASan and UBSan
# make every report fatal. Runs are capped at FUZZ_JOBS targets at a time
# and work on scratch copies of tests/fuzz/corpus (scripts/fuzz).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_JOBS    ?= 2
FUZZ_SRC      = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN      = $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/fuzz/%)

fuzz-build:
	$(MAKE) -j$(FUZZ_JOBS) BUILD=build-fuzz CC=$(FUZZ_CC) \
	  CFLAGS="-O1 -gline-tables-only -fno-omit-frame-pointer" \
	  SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link" \
	  $(FUZZ_BIN)

fuzz: fuzz-build
	FUZZ_JOBS=$(FUZZ_JOBS) scripts/fuzz build-fuzz $(FUZZ_SECONDS)

bench: all
	@for b in bench/*.sh; do [ -x "$$b" ] && "$$b"; done; true

clean:
	rm -rf build build-asan build-fuzz

-include $(OBJ:.o=.d) $(BUILD)/src/main.d $(UNIT_BIN:=.d) $(FUZZ_BIN:=.d)
