#!/usr/bin/env bash
# CPU per MB parsed: fanout's TextFSM engine (src/textfsm/) against
# python3-textfsm, on the same templates (tests/fixtures/textfsm/devices/)
# and the same realistic-size outputs (gen.py: show interfaces with many
# interfaces, show ip route with thousands of routes, show version).
# Each side times only its parses (process CPU time, compile and file
# reads excluded), RUNS times; the median is printed with the ratio.
#   bench/textfsm/run.sh [RUNS]        (default 5)
# Needs gcc, libpcre2-dev and python3-textfsm (/usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
out=build/bench-textfsm
mkdir -p "$out"
# the C side: the engine's sources, built as the Makefile builds them
gcc -O2 -std=gnu11 -D_GNU_SOURCE -Isrc -o "$out/tfsm" bench/textfsm/tfsm.c src/textfsm/textfsm.c src/util/json.c -lpcre2-8 -pthread
py=/usr/bin/python3
$py bench/textfsm/gen.py interfaces 2000 >"$out/interfaces.txt"
$py bench/textfsm/gen.py route 20000 >"$out/route.txt"
# show version is small: repeated so that a run takes measurable time
gcc -O2 -std=gnu11 -D_GNU_SOURCE -Isrc -o "$out/dump" bench/textfsm/dump.c src/devices/out*.c
"$out/dump" ios "show version" >"$out/version.txt"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
cpu() { "$@" 2>&1 >/dev/null | awk '/^cpu_s/ {print $2}'; }

printf '%-16s %8s %6s %12s %12s %8s\n' output MB repeat "C ms/MB" "py ms/MB" ratio
for spec in "interfaces ios_show_interfaces 1 5" "route ios_show_ip_route 1 5" "version ios_show_version 2000 20000"; do
  set -- $spec
  name=$1 tpl=tests/fixtures/textfsm/devices/$2.textfsm py_rep=$3 c_rep=$4
  file=$out/$name.txt
  bytes=$(stat -c %s "$file")
  # the same records on both sides first
  "$out/tfsm" "$tpl" "$file" 2>/dev/null | $py -c 'import json,sys; print(len(json.load(sys.stdin)))' >"$out/c.rows"
  $py bench/textfsm/py_side.py "$tpl" "$file" 1 2>&1 | awk '/^rows/ {print $2}' >"$out/py.rows"
  cmp -s "$out/c.rows" "$out/py.rows" || { echo "run.sh: $name: record counts differ" >&2; exit 1; }
  c=$(for _ in $(seq "$runs"); do cpu "$out/tfsm" "$tpl" "$file" "$c_rep"; done | median)
  p=$(for _ in $(seq "$runs"); do cpu $py bench/textfsm/py_side.py "$tpl" "$file" "$py_rep"; done | median)
  awk -v n="$name" -v b="$bytes" -v c="$c" -v p="$p" -v cr="$c_rep" -v pr="$py_rep" 'BEGIN {
    mb = b / 1048576; cm = c * 1000 / (mb * cr); pm = p * 1000 / (mb * pr);
    printf "%-16s %8.3f %6d %12.2f %12.2f %7.1fx\n", n, mb, cr, cm, pm, pm / cm }'
done
echo "median of $runs runs each; reproduce: bench/textfsm/run.sh $runs"
