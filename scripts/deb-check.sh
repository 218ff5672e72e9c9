#!/usr/bin/env bash
# Builds the Debian packages (debian/) from a clean copy of this tree, checks
# them with lintian (no errors allowed), installs them, runs the installed
# fanout, then removes them again. Exits non-zero on any failure.
#   scripts/deb-check.sh          the tree as it is (tracked and new files)
#   KEEP=dir scripts/deb-check.sh also copies the .deb files to dir
# Installs what it needs with apt-get (sudo when not root), like deps.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version 2>/dev/null || sed -n '1s/.*(\(.*\)).*/\1/p' "$top/debian/changelog")
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
t0=$(date +%s)
say() { printf 'deb-check: %s (%ss)\n' "$*" $(($(date +%s) - t0)) >&2; }

# what the build and the checks need, only the missing
want=(debhelper dpkg-dev lintian fakeroot man-db gcc make
      pkg-config liburing-dev libyaml-dev libssh2-1-dev libcurl4-openssl-dev libxml2-dev libssl-dev)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# packages of ours already installed would hide what the .deb does
for p in fanout libfanout0 libfanout-dev; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    echo "deb-check: $p is already installed; remove it first (apt-get remove $p)" >&2
    exit 1
  fi
done

work=$(mktemp -d /tmp/fanout-deb.XXXXXX)
installed=""
cleanup() {
  local rc=$?
  if [ -n "$installed" ]; then
    $sudo apt-get remove -y -qq fanout libfanout-dev libfanout0 >/dev/null 2>&1 || rc=1
  fi
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT

# a clean copy: tracked files (as they are now) and new files git does not ignore
src="$work/fanout-$version"
mkdir -p "$src"
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
   while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
   tar --null -T - -cf -) | tar -xf - -C "$src"

say "dpkg-buildpackage"
jobs=$(nproc 2>/dev/null || echo 1)
if ! (cd "$src" && dpkg-buildpackage -us -uc -b -j"$jobs" >"$work/build.log" 2>&1); then
  tail -40 "$work/build.log" >&2
  echo "deb-check: dpkg-buildpackage failed (log above)" >&2
  exit 1
fi
changes=$(ls "$work"/fanout_"$version"_*.changes)
ls -l "$work"/*.deb >&2

say "lintian"
lintian --fail-on error --info "$changes" | tee "$work/lintian.log" >&2 || {
  echo "deb-check: lintian reports errors" >&2; exit 1; }
echo "deb-check: lintian: $(grep -c '^E:' "$work/lintian.log" || true) errors, $(grep -c '^W:' "$work/lintian.log" || true) warnings" >&2

if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$KEEP"/; fi

say "installing"
installed=1
$sudo apt-get install -y -qq --no-install-recommends "$work"/fanout_*.deb "$work"/libfanout0_*.deb "$work"/libfanout-dev_*.deb >/dev/null

fail=0
check() { echo "+ $*" >&2; "$@" || { echo "deb-check: FAILED: $*" >&2; fail=1; }; }
check test "$(command -v fanout)" = /usr/bin/fanout
check fanout version
out=$(fanout run -w 'h[1-3]' --task sleep --rtt 1ms --json) || { echo "deb-check: FAILED: fanout run" >&2; fail=1; }
echo "$out"
check test "$(printf '%s\n' "$out" | grep -c '"host"')" -ge 3
check man -w fanout-run
check man -w fanout
check test -f /usr/share/bash-completion/completions/fanout
# the library: a program built against the installed -dev package, linked
# against the shared library
cat >"$work/t.c" <<'C'
#include <fanout/runtime.h>
#include <stdio.h>
int main(void)
{
	struct fo_model m = fo_model_default();
	printf("libfanout: default model has %d workers\n", fo_model_workers(&m));
	return fo_model_workers(&m) < 1;
}
C
check gcc -o "$work/t" "$work/t.c" $(pkg-config --cflags --libs fanout)
check "$work/t"
check sh -c "ldd '$work/t' | grep -q 'libfanout.so.0 => /'"

say "removing"
$sudo apt-get remove -y -qq fanout libfanout-dev libfanout0 >/dev/null
installed=""
check test ! -e /usr/bin/fanout
[ $fail -eq 0 ] || { echo "deb-check: some checks failed" >&2; exit 1; }
say "ok"
