#!/usr/bin/env bash
# fanout run's name resolution at fleet scale: NAMES names (a tenth missing,
# a tenth with three addresses, one in a hundred also ::1) served by dnsmasq
# behind bench/dns/relay.c, which holds every packet ONE_WAY_MS each way
# (a round trip gains twice that). Both ways fanout has resolved, in one
# invocation, through the same /etc/resolv.conf:
#   pool   blocking getaddrinfo on 64 threads (run.c before c-ares)
#   cares  fo_dns_resolve, src/net/dns.c (now)
# Runs in a network and mount namespace of its own (root: unshare -mn), so
# that resolv.conf can name the relay on 127.0.0.1:53 for both.
#   bench/dns/run.sh [NAMES] [ONE_WAY_MS] [RUNS] [RATE]   (default 28000 25 3, fanout's --dns-rate)
# RATE also given: c-ares at that --dns-rate, and no pool run.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-28000} delay=${2:-25} runs=${3:-3} rate=${4:-}
out="$PWD/build/bench-dns"
if [ "${FO_BENCH_INSIDE:-}" != 1 ]; then
  mkdir -p "$out"
  make -s -j2 build/libfanout.a
  gcc -O2 -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc -Wall -Wextra -Werror -o "$out/resolve" bench/dns/resolve.c \
    src/net/dns.c src/util/file.c src/util/map.c build/libfanout.a -lcares -luring -lpthread -lm
  gcc -O2 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$out/relay" bench/dns/relay.c
  awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) {
      name = sprintf("h%05d.fleet.test", i); x = int(i / 256); y = i % 256
      print name > "'"$out"'/names"
      if (i % 10 == 0) continue
      printf "127.1.%d.%d %s\n", x, y, name > "'"$out"'/zone"
      if (i % 10 == 1) { printf "127.2.%d.%d %s\n127.3.%d.%d %s\n", x, y, name, x, y, name > "'"$out"'/zone" }
      if (i % 100 == 11) printf "::1 %s\n", name > "'"$out"'/zone"
    } }'
  FO_BENCH_INSIDE=1 exec unshare -mn "$0" "$@"
fi
ip link set lo up
echo "nameserver 127.0.0.1" >"$out/resolv.conf"
mount --bind "$out/resolv.conf" /etc/resolv.conf
/usr/sbin/dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --listen-address=127.0.0.1 \
  --bind-interfaces --local=/fleet.test/ --port=5399 --addn-hosts="$out/zone" --pid-file="$out/dnsmasq.pid" \
  --user=root &
dns=$!
"$out/relay" 53 5399 "$delay" >/dev/null &
relay=$!
trap 'kill $dns $relay 2>/dev/null' EXIT
head -1 "$out/names" >"$out/probe"
for _ in $(seq 100); do
  timeout 5 "$out/resolve" cares "$out/probe" | grep -q "resolved 1" && break
  sleep 0.1
done
echo "# $n names, dnsmasq behind a relay adding ${delay} ms each way; resolv.conf: nameserver 127.0.0.1"
if [ -z "$rate" ]; then
  echo "+ $out/resolve pool --threads 64 $out/names"
  "$out/resolve" pool --threads 64 "$out/names"
fi
for _ in $(seq "$runs"); do
  echo "+ $out/resolve cares ${rate:+--rate $rate }$out/names"
  "$out/resolve" cares ${rate:+--rate "$rate"} "$out/names"
done
