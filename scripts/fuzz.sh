#!/usr/bin/env bash
# Fuzzes the parsers of outside input with libFuzzer, ASan and UBSan, each
# for the given seconds (default 10):
#   parse  durations and models as users type them (src/runtime/)
#   http   the HTTP request-head parser of fanout serve (src/serve/http.c)
#   hostlist   host lists as -w and -x take them (src/run/hostlist.c)
#   inventory  nornir hosts/groups/defaults YAML over libyaml (src/run/nornir.c)
#   extract  the link extractor of fanout links over libxml2 (src/links/extract.c)
#   markdown the Markdown link extractor of fanout links over md4c (src/links/markdown.c)
#   url      link resolution and normalising over libcurl (src/links/url.c)
#   sitemap  sitemaps and sitemap indexes over libxml2, gzip'd or not (src/links/sitemap.c)
#   robots     robots.txt rules and matching (src/links/robots.c)
#   knownhosts OpenSSH known_hosts lines and lookups (src/run/knownhosts.c)
#   lcache     the results cache file of fanout links --cache (src/links/cache.c)
#   textfsm    TextFSM templates and outputs run through them (src/textfsm/)
#   udiff      unified diffs, replayed to check them (src/util/udiff.c)
#   tfsm-index ntc-templates index files and lookups over PCRE2 (src/textfsm/index.c)
#   nodeset    host-set folding, checked by expanding back (src/run/nodeset.c)
#   jline      fanout run's --json lines as fanout merge reads them (src/run/jline.c)
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
# the sources and libraries of each fuzzer: the Makefile's lists (FUZZ_NAME)
fuzzers=$(make -s --no-print-directory print-fuzz)
for t in $fuzzers; do
  # shellcheck disable=SC2046 # the list is words: files, -I and -l flags
  clang "${flags[@]}" "tests/fuzz/fuzz-$t.c" $(make -s --no-print-directory print-fuzz T="$t") -o "$out/fuzz-$t"
done
for t in $fuzzers; do
  mkdir -p "$out/corpus-$t"
  cp -n tests/fuzz/corpus-$t/* "$out/corpus-$t/" 2>/dev/null || true
  max_len=2048
  [ "$t" = extract ] && max_len=8192 # pages, past the extractor's 4 KB steps
  # on a crash, the report (stack, input) is what the next reader needs
  if ! "$out/fuzz-$t" -max_total_time="$secs" -max_len="$max_len" -artifact_prefix="$out/crash-$t-" "$out/corpus-$t" >"$out/log-$t" 2>&1; then
    grep -v -E '^#[0-9]+|^INFO:' "$out/log-$t" | tail -60
    for c in "$out/crash-$t-"*; do
      [ -f "$c" ] && { echo "fuzz: the input, base64:"; base64 -w0 "$c"; echo; }
    done
    echo "fuzz: fuzz-$t crashed" >&2; exit 1
  fi
  tail -2 "$out/log-$t"
  echo "fuzz: fuzz-$t ran ${secs}s with no crash"
done
