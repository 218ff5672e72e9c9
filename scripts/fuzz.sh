#!/usr/bin/env bash
# Fuzzes the runtime's parsers of outside input (tests/fuzz/) with libFuzzer
# for the given seconds (default 10), with ASan and UBSan. Needs clang and
# its runtime (Debian: clang, libclang-rt-14-dev); skips with a note without.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz: skipped: clang not installed (apt-get install clang libclang-rt-14-dev)"; exit 0
fi
out=build-fuzz
mkdir -p "$out/corpus"
cp -n tests/fuzz/corpus/* "$out/corpus/" 2>/dev/null || true
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -D_GNU_SOURCE -Iinclude \
  tests/fuzz/fuzz-parse.c src/runtime/clock.c src/runtime/run.c src/runtime/wait.c src/runtime/sched.c \
  src/runtime/proc.c src/runtime/timer.c src/runtime/ctx.c src/runtime/poll_epoll.c src/runtime/poll_uring.c \
  src/runtime/ctx_$(uname -m).S -luring -lpthread -o "$out/fuzz-parse"
"$out/fuzz-parse" -max_total_time="$secs" -max_len=64 "$out/corpus" 2>&1 | tail -3
echo "fuzz: fuzz-parse ran ${secs}s with no crash"
