#!/usr/bin/env bash
# fanout run --gather's groups at scale (bench/run/gather.c says what is
# measured): the median of RUNS runs of DEVICES devices x 15 outputs.
#   bench/run/gather.sh [DEVICES] [RUNS] [COMMANDS]   (default 28000 3 15)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-28000} runs=${2:-3} ncmds=${3:-15}
out=build/bench-run
mkdir -p "$out"
gcc -O2 -std=gnu11 -D_GNU_SOURCE -Isrc -o "$out/gather" bench/run/gather.c src/run/gather.c src/run/nodeset.c \
  src/run/hostlist.c src/util/json.c src/util/term.c src/util/file.c src/devices/out*.c
echo "+ $out/gather $n $ncmds   ($runs runs)"
for _ in $(seq "$runs"); do "$out/gather" "$n" "$ncmds"; done
