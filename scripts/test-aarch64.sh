#!/usr/bin/env bash
# Runs the aarch64 context switch (src/runtime/ctx.c, ctx_aarch64.S) under
# user-mode emulation: cross-compiles them with tests/aarch64/ctx-check.c
# into a static binary and runs it with qemu-aarch64. Ends with
# "aarch64 ctx: N passed, N failed"; exits non-zero on any failure.
#   scripts/test-aarch64.sh            skips (exit 0) when the tools are missing
#   scripts/test-aarch64.sh --install  installs them first (apt-get):
#       gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
# CROSS_CC and QEMU override the compiler and the emulator.
set -euo pipefail
cd "$(dirname "$0")/.."

install=0
for a in "$@"; do
  case "$a" in
    --install) install=1 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test-aarch64: unknown argument: $a" >&2; exit 2 ;;
  esac
done

CROSS_CC=${CROSS_CC:-aarch64-linux-gnu-gcc}
find_qemu() {
  if [ -n "${QEMU:-}" ]; then command -v "$QEMU" || true; return; fi
  command -v qemu-aarch64 || command -v qemu-aarch64-static || true
}
# The static binary needs no aarch64 libc at run time, but the cross
# compiler needs its headers and libc.a (libc6-dev-arm64-cross).
have_libc() {
  command -v "$CROSS_CC" >/dev/null 2>&1 || return 1
  local a; a=$("$CROSS_CC" -print-file-name=libc.a 2>/dev/null) || return 1
  [ "$a" != "libc.a" ] && [ -f "$a" ]
}
missing() {
  local m=()
  command -v "$CROSS_CC" >/dev/null 2>&1 || m+=("$CROSS_CC (gcc-aarch64-linux-gnu)")
  have_libc || m+=("aarch64 libc.a (libc6-dev-arm64-cross)")
  [ -n "$(find_qemu)" ] || m+=("qemu-aarch64 (qemu-user)")
  echo "${m[*]:-}"
}

miss=$(missing)
if [ -n "$miss" ]; then
  if [ "$install" -eq 0 ]; then
    echo "test-aarch64: skipped: not installed: $miss (run scripts/test-aarch64.sh --install)"
    exit 0
  fi
  pkgs=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user)
  echo "test-aarch64: installing ${pkgs[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  miss=$(missing)
  if [ -n "$miss" ]; then
    echo "test-aarch64: still missing after install: $miss" >&2
    exit 1
  fi
fi
qemu=$(find_qemu)

out=$(mktemp -d "${TMPDIR:-/tmp}/fanout-aarch64.XXXXXX")
trap 'rm -rf "$out"' EXIT
bin="$out/ctx-check"
cmd=("$CROSS_CC" -static -O2 -Wall -Wextra -Werror -Iinclude -Isrc/runtime
     -o "$bin" tests/aarch64/ctx-check.c src/runtime/ctx.c src/runtime/ctx_aarch64.S)
echo "+ ${cmd[*]}"
"${cmd[@]}"
echo "+ $qemu $bin"
"$qemu" "$bin"
