#!/bin/sh
# fanout merge's figures (docs/BENCHMARKS.md, "fanout merge"):
#  1. one run of 10,000 hosts (--task sleep --rtt 1ms) against 8 shards of
#     it merged: the lines (sorted, "ms" aside) and stderr (time and
#     slowest: aside) must be equal; the merge's time and peak RSS;
#  2. 28,000 hosts x 15 commands of SIZE-byte outputs (default 2000), in 8
#     parts written by lines.py: the merge's time and peak RSS, with
#     --json to /dev/null, stderr only, and --out.
#   bench/merge/merge.sh [SIZE]      (build first: make; needs python3, GNU time)
set -eu
cd "$(dirname "$0")/../.."
B=$PWD/build/fanout
size=${1:-2000}
d=$(mktemp -d /tmp/fanout-merge-bench.XXXXXX)
trap 'rm -rf "$d"' EXIT
echo "# bench/merge/merge.sh $size  (in $d)"

"$B" run --task sleep --rtt 1ms -w 'h[00001-10000]' --json >"$d/one.jsonl" 2>"$d/one.err" || true
for k in 1 2 3 4 5 6 7 8; do
	"$B" run --task sleep --rtt 1ms -w 'h[00001-10000]' --json --shard $k/8 >"$d/p$k.jsonl" 2>/dev/null &
done
wait
/usr/bin/time -f '10,000 hosts, 8 parts: %e s, %M KB' "$B" merge -w 'h[00001-10000]' --json "$d"/p*.jsonl \
	>"$d/m.jsonl" 2>"$d/m.err"
tail -1 "$d/m.err"
sed 's/"ms":[0-9]*,//g' "$d/one.jsonl" | sort >"$d/a"
sed 's/"ms":[0-9]*,//g' "$d/m.jsonl" | sort >"$d/b"
cmp -s "$d/a" "$d/b" && echo "lines: equal to the one run's" || echo "lines: DIFFER"
grep -v '^slowest:' "$d/one.err" | sed 's/ in [0-9.]*s:/ in Xs:/' >"$d/ea"
grep -v '^slowest:\|KB$' "$d/m.err" | sed 's/ in [0-9.]*s:/ in Xs:/' >"$d/eb"
cmp -s "$d/ea" "$d/eb" && echo "stderr: equal to the one run's" || echo "stderr: DIFFER"

mkdir "$d/parts"
python3 "$(dirname "$0")/lines.py" 28000 15 "$size" 8 "$d/parts"
du -sh "$d/parts"
/usr/bin/time -f '28,000 x 15, --json >/dev/null: %e s, %M KB' "$B" merge -w 'r[00001-28000]' --json "$d"/parts/*.jsonl \
	2>&1 >/dev/null | tail -1
/usr/bin/time -f '28,000 x 15, stderr only: %e s, %M KB' "$B" merge -w 'r[00001-28000]' "$d"/parts/*.jsonl 2>&1 | tail -1
/usr/bin/time -f '28,000 x 15, --out: %e s, %M KB' "$B" merge -w 'r[00001-28000]' --out "$d/out" "$d"/parts/*.jsonl \
	2>&1 | tail -1
