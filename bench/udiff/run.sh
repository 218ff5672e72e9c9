#!/usr/bin/env bash
# fo_udiff against GNU diff -u on made-up device configurations
# (bench/udiff/udiff.c says what is measured):
#   bench/udiff/run.sh [runs]      (default 21; medians)
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p build/bench
cmd=(cc -O2 -g -std=gnu11 -D_GNU_SOURCE -Isrc bench/udiff/udiff.c src/util/udiff.c src/util/file.c -lpcre2-8 -o build/bench/udiff)
echo "${cmd[*]}"
"${cmd[@]}"
echo "build/bench/udiff ${1:-21}"
build/bench/udiff "${1:-21}"
