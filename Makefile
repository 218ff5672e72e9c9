# fanout's front door. `make` builds build/fanout and build/libfanout.{a,so};
# `make test` installs what is missing, then runs the tests plain, under
# ASan+UBSan and under TSan; `make demo` runs the round-trip experiment.
# Variants build side by side: BUILD=build-asan SAN=address,undefined.

CC      ?= gcc
BUILD   ?= build
SAN     ?=
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS_ALL := -Iinclude -D_GNU_SOURCE
CFLAGS_ALL := -std=gnu11 -fPIC -pthread $(WARN) $(CFLAGS)
LDLIBS  := -luring -lpthread -lm
ifneq ($(SAN),)
CFLAGS_ALL += -fsanitize=$(SAN) -fno-omit-frame-pointer
LDFLAGS_ALL := -fsanitize=$(SAN)
endif

ARCH := $(shell uname -m)
LIB_SRC := $(wildcard src/runtime/*.c)
LIB_ASM := $(wildcard src/runtime/ctx_$(ARCH).S)
CLI_SRC := $(wildcard src/cli/*.c) $(wildcard src/bench/*.c)
TEST_SRC := $(wildcard tests/*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(LIB_ASM:%.S=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)

.PHONY: all deps test test-plain test-asan test-tsan demo clean check-banned bench-rtt
all: $(BUILD)/fanout $(BUILD)/libfanout.a $(BUILD)/libfanout.so $(BUILD)/fanout-tests

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/libfanout.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libfanout.so: $(LIB_OBJ)
	$(CC) -shared $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS)

$(BUILD)/fanout: $(CLI_OBJ) $(BUILD)/libfanout.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(BUILD)/libfanout.a $(LDLIBS)

$(BUILD)/fanout-tests: $(TEST_OBJ) $(BUILD)/libfanout.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(TEST_OBJ) $(BUILD)/libfanout.a $(LDLIBS)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

deps:
	@scripts/deps.sh test

check-banned:
	@scripts/check-banned.sh

# The whole suite: plain, ASan+UBSan, TSan. Each prints "N passed, N failed".
test: deps
	@$(MAKE) --no-print-directory check-banned
	@$(MAKE) --no-print-directory test-plain
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory test-tsan

test-plain:
	@$(MAKE) --no-print-directory all
	FANOUT_BIN=build/fanout build/fanout-tests

test-asan:
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=address,undefined OPT=-O1 all
	ASAN_OPTIONS=detect_stack_use_after_return=0:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  FANOUT_BIN=build-asan/fanout FANOUT_SAN=asan build-asan/fanout-tests

test-tsan:
	@$(MAKE) --no-print-directory BUILD=build-tsan SAN=thread OPT=-O1 all
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 FANOUT_BIN=build-tsan/fanout FANOUT_SAN=tsan \
	  setarch $(ARCH) -R build-tsan/fanout-tests

demo:
	@scripts/deps.sh demo
	@$(MAKE) --no-print-directory all
	build/fanout bench rtt --demo

bench-rtt: all
	bench/rtt.sh

clean:
	rm -rf build build-asan build-tsan
