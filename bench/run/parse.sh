#!/usr/bin/env bash
# What fanout run --parse costs per host at the 28,000-device job's scale
# (bench/run/parse.c says what is measured): RUNS runs of DEVICES devices.
#   bench/run/parse.sh [DEVICES] [RUNS]      (default 28000 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-28000} runs=${2:-3}
out=build/bench-run
mkdir -p "$out"
gcc -O2 -std=gnu11 -D_GNU_SOURCE -Isrc -o "$out/parse" bench/run/parse.c src/run/parse.c src/textfsm/*.c \
  src/util/json.c src/util/file.c src/devices/out*.c -lpcre2-8 -pthread
echo "+ $out/parse $n   ($runs runs)"
for _ in $(seq "$runs"); do "$out/parse" "$n"; done
