#!/usr/bin/env bash
# Installs the Debian packages a target needs, only those missing.
#   scripts/deps.sh test   build and test (gcc, make, liburing, libyaml, libpcre2, libssh2,
#                          c-ares (fanout run's resolver) and dnsmasq (the DNS server its
#                          tests resolve against),
#                          python3-textfsm, clustershell and pdsh (the references
#                          that TextFSM parsing, host lists and host-set folding
#                          are tested against),
#                          libssh (fanout devices' server side); munge, slurmctld,
#                          slurmd and slurm-client (the one-node Slurm that runs
#                          examples/slurm: tests/fixtures/slurm); gnuplot for the
#                          plot tests; clang for the
#                          fuzzer; an aarch64 cross compiler and qemu-user for
#                          the aarch64 context switch)
#   scripts/deps.sh demo   the same (gnuplot draws the plot)
#   scripts/deps.sh bench  the above, Go and Python for the baselines
#   scripts/deps.sh ssh    the SSH test fixture alone (tests/fixtures/ssh: sshd,
#                          ssh, PAM's pam_exec, unshare/setpriv, ip/tc/ss, ps);
#                          `test` installs these too
set -euo pipefail
ssh_want=(openssh-server openssh-client libpam-modules util-linux iproute2 procps)
want=(gcc make libc6-dev pkg-config gnuplot-nox liburing-dev libyaml-dev libpcre2-dev libssh2-1-dev libssh-dev libcurl4-openssl-dev libxml2-dev libssl-dev zlib1g-dev python3 python3-textfsm clustershell pdsh libmd4c-dev libc-ares-dev dnsmasq-base curl util-linux clang libclang-rt-14-dev
      munge slurmctld slurmd slurm-client
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user "${ssh_want[@]}")
case "${1:-test}" in
  demo)  ;;
  bench) want+=(golang-go python3 pssh) ;;
  ssh)   want=(gcc make libc6-dev "${ssh_want[@]}") ;;
esac
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "fanout: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
# Installing openssh-server would start the system's sshd, and munge,
# slurmctld and slurmd their daemons: the tests never use them (they start
# their own, on their own keys, sockets and ports), so keep services from
# starting meanwhile.
made_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  made_policy=1
fi
status=0
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
[ -n "$made_policy" ] && $sudo rm -f /usr/sbin/policy-rc.d
exit $status
