# fanout's front door. `make` builds build/fanout and build/libfanout.{a,so};
# `make test` installs what is missing, then runs the tests plain, under
# ASan+UBSan and under TSan; `make demo` runs the round-trip experiment.
# Variants build side by side: BUILD=build-asan SAN=address,undefined.

CC      ?= gcc
VERSION := 0.1.0
SOMAJOR := 0
# make install PREFIX=/usr/local DESTDIR=: where things go (DESTDIR for packaging)
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  := $(PREFIX)/bin
LIBDIR  := $(PREFIX)/lib
INCDIR  := $(PREFIX)/include
MANDIR  := $(PREFIX)/share/man/man1
BASHDIR := $(PREFIX)/share/bash-completion/completions
ZSHDIR  := $(PREFIX)/share/zsh/vendor-completions
TOOLDIR := $(PREFIX)/libexec/fanout
BUILD   ?= build
SAN     ?=
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS_ALL := -Iinclude -Isrc -D_GNU_SOURCE -I/usr/include/libxml2 -DFO_VERSION='"$(VERSION)"'
CFLAGS_ALL := -std=gnu11 -fPIC -pthread $(WARN) $(CFLAGS)
LDLIBS  := -luring -lpthread -lm
ifneq ($(SAN),)
CFLAGS_ALL += -fsanitize=$(SAN) -fno-omit-frame-pointer
LDFLAGS_ALL := -fsanitize=$(SAN)
endif

ARCH := $(shell uname -m)
# man pages and completions, made from the option tables by the plain build
# (a sanitizer's build would have to run under it at build time)
DOC_DATE := $(shell git log -1 --format=%cs 2>/dev/null || date +%F)
DOCS := $(if $(SAN),,$(BUILD)/man/fanout.1)
LIB_SRC := $(wildcard src/runtime/*.c)
LIB_ASM := $(wildcard src/runtime/ctx_$(ARCH).S)
CLI_SRC := $(filter-out src/cli/tools.c src/cli/doc.c,$(wildcard src/cli/*.c)) src/util/diag.c src/util/file.c src/util/json.c src/util/stopsig.c src/util/table.c src/util/term.c $(wildcard src/bench/*.c) $(wildcard src/serve/*.c) $(wildcard src/load/*.c)
# fanout-tools: the tools with big libraries, in their own executable (src/cli/main.c says why)
RUN_SRC := src/cli/tools.c src/cli/opt.c src/cli/opt_doc.c src/cli/doc.c \
           src/serve/serve_opts.c src/serve/common.c src/load/load_opts.c src/bench/bench_opts.c $(wildcard src/run/*.c) $(wildcard src/net/*.c) $(wildcard src/links/*.c) \
           $(wildcard src/devices/*.c) $(wildcard src/util/*.c) $(wildcard src/textfsm/*.c)
TEST_SRC := $(wildcard tests/*.c)
# the simulated devices (src/devices/): the CLI engine, and the show outputs
# it shares with the SSH fixture's devsim
DEV_SRC := $(wildcard src/devices/*.c)
DEV_OUT_SRC := $(wildcard src/devices/out*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(LIB_ASM:%.S=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
RUN_OBJ := $(RUN_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/platforms.o
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
DEV_OBJ := $(DEV_SRC:%.c=$(BUILD)/obj/%.o)

.PHONY: all deps test demo clean check-banned bench-rtt install uninstall
EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))

all: $(BUILD)/fanout $(BUILD)/fanout-tools $(BUILD)/libfanout.a $(BUILD)/libfanout.so $(BUILD)/fanout-tests $(EXAMPLES) \
     $(BUILD)/devsim $(BUILD)/devsim-relay $(DOCS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS $<"
	@$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/libfanout.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libfanout.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libfanout.so.$(SOMAJOR) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS)

# the tools' own libraries (libyaml: nornir inventories and platform
# files; libpcre2-8: the platforms' prompt patterns; libssh2; libcurl;
# libxml2: HTML and sitemaps; zlib: gzip'd sitemaps; libmd4c: Markdown; libcrypto: hashed known_hosts
# names; libssh: the server side of fanout devices; libcares: fanout run's resolver); the runtime and
# fanout itself need none of them
TOOL_LDLIBS := -lyaml -lpcre2-8 -lssh2 -lcurl -lxml2 -lz -lcrypto -lssh -lmd4c -lcares

# the shipped platform files (platforms/*.yaml), built into fanout-tools
# as a generated C file: od and sed, so any BUILD and any CC
PLAT_YAML := $(sort $(wildcard platforms/*.yaml))
$(BUILD)/gen/platforms.c: $(PLAT_YAML) platforms/embed.sh
	@mkdir -p $(dir $@)
	@echo "  GEN $@"
	@platforms/embed.sh $(PLAT_YAML) >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/platforms.o: $(BUILD)/gen/platforms.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/fanout: $(CLI_OBJ) $(BUILD)/libfanout.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(BUILD)/libfanout.a $(LDLIBS)

$(BUILD)/fanout-tools: $(RUN_OBJ) $(BUILD)/libfanout.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(RUN_OBJ) $(BUILD)/libfanout.a $(TOOL_LDLIBS) $(LDLIBS)

# the tests also link the pure parsers of the tools
TEST_TOOL_OBJ := $(BUILD)/obj/src/serve/http.o \
                 $(BUILD)/obj/src/run/inventory.o $(BUILD)/obj/src/run/nornir.o \
                 $(BUILD)/obj/src/run/hostlist.o $(BUILD)/obj/src/links/robots.o \
                 $(BUILD)/obj/src/links/extract.o $(BUILD)/obj/src/links/url.o $(BUILD)/obj/src/links/markdown.o \
                 $(BUILD)/obj/src/run/knownhosts.o $(BUILD)/obj/src/links/cache.o \
                 $(BUILD)/obj/src/util/map.o $(BUILD)/obj/src/util/file.o $(BUILD)/obj/src/util/udiff.o $(BUILD)/obj/src/run/compare.o $(BUILD)/obj/src/util/diag.o $(BUILD)/obj/src/util/json.o \
                 $(BUILD)/obj/src/cli/opt.o $(BUILD)/obj/src/cli/opt_doc.o \
                 $(BUILD)/obj/src/links/links_opts.o $(BUILD)/obj/src/links/sitemap.o \
                 $(BUILD)/obj/src/links/report_ci.o \
                 $(BUILD)/obj/src/run/inventory_cli.o $(BUILD)/obj/src/run/inv_args.o \
                 $(BUILD)/obj/src/util/term.o $(BUILD)/obj/src/util/table.o $(BUILD)/obj/src/run/run.o $(BUILD)/obj/src/run/rec.o $(BUILD)/obj/src/run/ssh.o \
                 $(BUILD)/obj/src/run/gate.o $(BUILD)/obj/src/net/connect.o $(BUILD)/obj/src/net/curl.o $(BUILD)/obj/src/net/dns.o $(BUILD)/obj/src/util/stopsig.o \
                 $(BUILD)/obj/src/serve/serve_opts.o $(BUILD)/obj/src/serve/common.o \
                 $(BUILD)/obj/src/load/load_opts.o $(BUILD)/obj/src/bench/bench_opts.o \
                 $(BUILD)/obj/src/run/platform.o $(BUILD)/obj/src/run/platform_match.o \
                 $(BUILD)/obj/src/run/platform_builtin.o $(BUILD)/obj/gen/platforms.o \
                 $(BUILD)/obj/src/run/shell.o $(BUILD)/obj/src/run/platform_prompt.o \
                 $(BUILD)/obj/src/run/copy.o $(BUILD)/obj/src/run/copy_job.o \
                 $(BUILD)/obj/src/run/nodeset.o \
                 $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard src/textfsm/*.c))
# and every file of fanout run's own
TEST_TOOL_OBJ := $(sort $(TEST_TOOL_OBJ) $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard src/run/*.c)))

# (and the simulated devices' engine, DEV_OBJ)
$(BUILD)/fanout-tests: $(TEST_OBJ) $(TEST_TOOL_OBJ) $(DEV_OBJ) $(BUILD)/libfanout.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(TEST_OBJ) $(TEST_TOOL_OBJ) $(DEV_OBJ) $(BUILD)/libfanout.a $(TOOL_LDLIBS) $(LDLIBS)

$(BUILD)/examples/%: $(BUILD)/obj/examples/%.o $(BUILD)/libfanout.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libfanout.a $(LDLIBS)

# the SSH fixture (tests/fixtures/ssh/): the simulated device CLI (with the
# show outputs of src/devices/) and the latency relay
$(BUILD)/devsim: tests/fixtures/ssh/devsim.c $(DEV_OUT_SRC) $(wildcard src/devices/*.h) src/util/sbuf.h
$(BUILD)/devsim-relay: tests/fixtures/ssh/relay.c
$(BUILD)/devsim $(BUILD)/devsim-relay:
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $(filter %.c,$^)

$(BUILD)/man/fanout.1: $(BUILD)/fanout-tools
	@mkdir -p $(BUILD)/man $(BUILD)/completion
	$(BUILD)/fanout-tools doc man $(BUILD)/man $(DOC_DATE)
	$(BUILD)/fanout-tools doc bash $(BUILD)/completion/fanout
	$(BUILD)/fanout-tools doc zsh $(BUILD)/completion/_fanout

# The fuzzers' sources and libraries (scripts/fuzz.sh builds each with
# clang and libFuzzer, and asks here: `make -s print-fuzz T=NAME`), so that
# a parser that comes to need another file is fixed in one place.
FUZZ_parse     := $(LIB_SRC) $(LIB_ASM) -luring -lpthread
FUZZ_http      := src/serve/http.c
FUZZ_hostlist  := src/run/hostlist.c src/util/file.c
FUZZ_inventory := src/run/inventory.c src/run/nornir.c src/run/hostlist.c src/run/inventory_cli.c \
                  src/run/inv_args.c src/run/shard.c src/cli/opt.c src/cli/opt_doc.c src/util/map.c src/util/file.c \
                  src/util/term.c src/util/table.c src/util/json.c $(LIB_SRC) $(LIB_ASM) -lyaml -luring -lpthread -lm
FUZZ_robots    := src/links/robots.c
FUZZ_extract   := -I/usr/include/libxml2 src/links/extract.c src/links/url.c -lxml2 -lcurl
FUZZ_url       := src/links/url.c -lcurl
FUZZ_sitemap   := -I/usr/include/libxml2 src/links/sitemap.c src/links/url.c src/util/map.c src/util/file.c -lxml2 -lz -lcurl
FUZZ_markdown  := -I/usr/include/libxml2 src/links/markdown.c src/links/extract.c src/links/url.c src/util/map.c \
                  -lmd4c -lpcre2-8 -lxml2 -lcurl -lpthread
FUZZ_knownhosts := src/run/knownhosts.c src/util/map.c src/util/file.c -lcrypto
FUZZ_lcache    := src/links/cache.c src/util/map.c src/util/file.c
FUZZ_platform  := src/run/platform.c src/run/platform_match.c src/util/file.c -lyaml -lpcre2-8 -lpthread
FUZZ_udiff     := src/util/udiff.c -lpcre2-8
FUZZ_devices   := $(filter-out src/devices/server%,$(wildcard src/devices/*.c)) src/util/file.c -lcrypto
FUZZ_textfsm   := src/textfsm/textfsm.c src/util/json.c -lpcre2-8 -lpthread
FUZZ_tfsm-index := src/textfsm/index.c src/util/file.c -lpcre2-8
FUZZ_nodeset   := src/run/nodeset.c src/run/hostlist.c src/util/file.c
FUZZ_jline     := src/run/jline.c src/util/json.c
FUZZERS := parse http hostlist inventory robots extract url knownhosts lcache platform devices textfsm udiff \
           tfsm-index nodeset sitemap markdown jline

.PHONY: print-fuzz
print-fuzz:
	@echo $(if $(T),$(FUZZ_$(T)),$(FUZZERS))

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

deps:
	@scripts/deps.sh test

check-banned:
	@scripts/check-banned.sh

# The whole suite: plain, epoll, ASan+UBSan, TSan, portable context switch;
# closes with "total: N passed, N failed, N skipped".
test: deps
	@scripts/test-all.sh

demo:
	@scripts/deps.sh demo
	@$(MAKE) --no-print-directory all
	build/fanout bench rtt --demo

bench-rtt: all
	bench/rtt.sh

# fanout in bin; fanout-tools, which fanout runs for run, links and
# inventory, in libexec/fanout (src/cli/main.c looks there); the library
# with its soname, its header and its pkg-config file.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(TOOLDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)/fanout
	install -m 755 $(BUILD)/fanout $(DESTDIR)$(BINDIR)/fanout
	install -m 755 $(BUILD)/fanout-tools $(DESTDIR)$(TOOLDIR)/fanout-tools
	install -m 644 $(BUILD)/libfanout.a $(DESTDIR)$(LIBDIR)/libfanout.a
	install -m 755 $(BUILD)/libfanout.so $(DESTDIR)$(LIBDIR)/libfanout.so.$(VERSION)
	ln -sf libfanout.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libfanout.so.$(SOMAJOR)
	ln -sf libfanout.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libfanout.so
	install -m 644 include/fanout/*.h $(DESTDIR)$(INCDIR)/fanout/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' scripts/fanout.pc.in \
	    >$(DESTDIR)$(LIBDIR)/pkgconfig/fanout.pc
	install -d $(DESTDIR)$(MANDIR) $(DESTDIR)$(BASHDIR) $(DESTDIR)$(ZSHDIR)
	install -m 644 $(BUILD)/man/*.1 $(DESTDIR)$(MANDIR)/
	install -m 644 $(BUILD)/completion/fanout $(DESTDIR)$(BASHDIR)/fanout
	install -m 644 $(BUILD)/completion/_fanout $(DESTDIR)$(ZSHDIR)/_fanout

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/fanout $(DESTDIR)$(TOOLDIR)/fanout-tools $(DESTDIR)$(LIBDIR)/libfanout.a \
	      $(DESTDIR)$(LIBDIR)/libfanout.so $(DESTDIR)$(LIBDIR)/libfanout.so.$(SOMAJOR) \
	      $(DESTDIR)$(LIBDIR)/libfanout.so.$(VERSION) $(DESTDIR)$(LIBDIR)/pkgconfig/fanout.pc
	rm -rf $(DESTDIR)$(INCDIR)/fanout
	rm -f $(DESTDIR)$(MANDIR)/fanout.1 $(DESTDIR)$(MANDIR)/fanout-*.1 $(DESTDIR)$(BASHDIR)/fanout \
	      $(DESTDIR)$(ZSHDIR)/_fanout
	-rmdir $(DESTDIR)$(TOOLDIR)

clean:
	rm -rf build build-asan build-tsan build-portable build-*.log
