#!/usr/bin/env bash
# Fuzzes the parsers of outside input with libFuzzer, ASan and UBSan, each
# for the given seconds (default 10):
#   parse  durations and models as users type them (src/runtime/)
#   http   the HTTP request-head parser of fanout serve (src/serve/http.c)
#   hostlist   host lists as -w and -x take them (src/run/hostlist.c)
#   inventory  nornir hosts/groups/defaults YAML over libyaml (src/run/nornir.c)
#   extract  the link extractor of fanout links over libxml2 (src/links/extract.c)
#   url      link resolution and normalising over libcurl (src/links/url.c)
#   robots     robots.txt rules and matching (src/links/robots.c)
#   knownhosts OpenSSH known_hosts lines and lookups (src/run/knownhosts.c)
#   lcache     the results cache file of fanout links --cache (src/links/cache.c)
# Needs clang and its runtime (Debian: clang, libclang-rt-14-dev); skips with
# a note without. Seeds are tests/fuzz/corpus-NAME/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz: skipped: clang not installed (apt-get install clang libclang-rt-14-dev)"; exit 0
fi
out=build-fuzz
mkdir -p "$out"
flags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -D_GNU_SOURCE -Iinclude)
runtime=(src/runtime/clock.c src/runtime/run.c src/runtime/wait.c src/runtime/sched.c src/runtime/proc.c
         src/runtime/timer.c src/runtime/ctx.c src/runtime/poll_epoll.c src/runtime/poll_uring.c
         "src/runtime/ctx_$(uname -m).S")
clang "${flags[@]}" tests/fuzz/fuzz-parse.c "${runtime[@]}" -luring -lpthread -o "$out/fuzz-parse"
clang "${flags[@]}" tests/fuzz/fuzz-http.c src/serve/http.c -o "$out/fuzz-http"
clang "${flags[@]}" tests/fuzz/fuzz-hostlist.c src/run/hostlist.c src/util/file.c -o "$out/fuzz-hostlist"
clang "${flags[@]}" tests/fuzz/fuzz-inventory.c src/run/inventory.c src/run/nornir.c src/run/hostlist.c \
  src/run/inventory_cli.c src/util/map.c src/util/file.c src/util/term.c src/util/json.c -lyaml -lm -o "$out/fuzz-inventory"
clang "${flags[@]}" tests/fuzz/fuzz-robots.c src/links/robots.c -o "$out/fuzz-robots"
clang "${flags[@]}" -I/usr/include/libxml2 tests/fuzz/fuzz-extract.c src/links/extract.c src/links/url.c \
  -lxml2 -lcurl -o "$out/fuzz-extract"
clang "${flags[@]}" tests/fuzz/fuzz-url.c src/links/url.c -lcurl -o "$out/fuzz-url"
clang "${flags[@]}" tests/fuzz/fuzz-knownhosts.c src/run/knownhosts.c src/util/map.c src/util/file.c -lcrypto -o "$out/fuzz-knownhosts"
clang "${flags[@]}" tests/fuzz/fuzz-lcache.c src/links/cache.c src/util/map.c src/util/file.c -o "$out/fuzz-lcache"
for t in parse http hostlist inventory robots extract url knownhosts lcache; do
  mkdir -p "$out/corpus-$t"
  cp -n tests/fuzz/corpus-$t/* "$out/corpus-$t/" 2>/dev/null || true
  max_len=2048
  [ "$t" = extract ] && max_len=8192 # pages, past the extractor's 4 KB steps
  "$out/fuzz-$t" -max_total_time="$secs" -max_len="$max_len" -artifact_prefix="$out/crash-$t-" "$out/corpus-$t" 2>&1 | tail -2
  echo "fuzz: fuzz-$t ran ${secs}s with no crash"
done
