#!/usr/bin/env bash
# The whole test suite, as `make test` runs it: the banned-function check,
# then every test plain (io_uring where the kernel has it), the coroutine
# and model tests again on epoll, everything under ASan+UBSan, the runtime,
# serve and load under TSan,
# the coroutine tests on the portable (ucontext) context switch, the aarch64
# switch under qemu-user, the Debian packages built, linted, installed and
# run (scripts/deb-check.sh), and the parser fuzzer for 10 s. Ends
# with one line adding up every run: "total: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
ARCH=$(uname -m)
passed=0; failed=0; skipped=0; broken=()

suite() { # name, build dir, env..., -- test args
  local name=$1 dir=$2; shift 2
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  echo "== $name"
  local log; log=$(mktemp)
  env "${envs[@]}" FANOUT_BIN="$dir/fanout" $WRAP "$dir/fanout-tests" "$@" 2>&1 | tee "$log"
  local line; line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [ -z "$line" ]; then
    echo "== $name: the runner did not finish"; broken+=("$name"); failed=$((failed + 1))
  else
    read -r p _ f _ s _ <<<"$(echo "$line" | tr -d ',')"
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + ${s:-0}))
    [ "$f" -eq 0 ] || broken+=("$name")
  fi
  rm -f "$log"
}

build() { # dir, make args...
  local dir=$1; shift
  mkdir -p "$dir"
  echo "== build $dir"
  if ! make --no-print-directory -j"$JOBS" BUILD="$dir" "$@" all >"$dir/make.log" 2>&1; then
    cat "$dir/make.log"; echo "== build of $dir failed"; broken+=("build $dir"); failed=$((failed + 1)); return 1
  fi
}

scripts/check-banned.sh || { broken+=("check-banned"); failed=$((failed + 1)); }
mkdir -p build
WRAP=""
build build && {
  suite plain build --
  suite epoll build FANOUT_POLLER=epoll -- models coro
}
build build-asan SAN=address,undefined OPT=-O1 && suite asan+ubsan build-asan \
  ASAN_OPTIONS=detect_stack_use_after_return=0:detect_leaks=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 FANOUT_SAN=asan --
# TSan maps its shadow at fixed addresses: run without address randomisation.
# And on epoll: TSan runs a signal handler only when the thread next calls a
# function it intercepts, which a thread blocked in io_uring_enter (a raw
# syscall) never does, so SIGTERM to an idle io_uring server would wait
# forever under TSan (not without it). Both pollers run under ASan.
# run and links exec a TSan-built fanout-tools: its threads (threads:N
# models, the login gate, the crawl's frontier and curl's shared caches)
# are checked too, and a report fails the test through the exit status; so
# are fanout devices' scheduler threads around libssh.
WRAP="setarch $ARCH -R"
build build-tsan SAN=thread OPT=-O1 && suite tsan build-tsan FANOUT_POLLER=epoll \
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:die_after_fork=0 FANOUT_SAN=tsan -- \
  models coro ctx poller io serve load run links knownhosts devices platform copy
WRAP=""
build build-portable CFLAGS="-O2 -g -DFO_CTX_PORTABLE" && suite portable-ctx build-portable -- ctx coro models

echo "== aarch64 context switch (cross-compiled, run under qemu-user)"
if scripts/test-aarch64.sh; then passed=$((passed + 1)); else broken+=("aarch64"); failed=$((failed + 1)); fi

echo "== debian packages (build, lintian, install, run, remove)"
if scripts/deb-check.sh; then passed=$((passed + 1)); else broken+=("deb"); failed=$((failed + 1)); fi

echo "== fuzz (parsers of outside input, 10 s each)"
if scripts/fuzz.sh 10; then passed=$((passed + 1)); else broken+=("fuzz"); failed=$((failed + 1)); fi

echo
[ ${#broken[@]} -eq 0 ] || echo "failing: ${broken[*]}"
echo "total: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
