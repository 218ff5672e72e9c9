#!/usr/bin/env bash
# Fails when src/ uses a function banned on hot paths and worker threads
# (docs/ARCHITECTURE.md says why): ucontext (a syscall per switch), blocking
# getaddrinfo, atoi/atol (no error reporting), sprintf/vsprintf/strcpy/strcat
# (unbounded), alloca, gets. A line may opt out with a comment "banned-ok:
# <reason>" (the ucontext fallback for machines without a hand-written switch).
# And the runtime library never prints (runtime.h, fo_set_diag): no stdio
# output, perror or write to fd 1 or 2 in src/runtime/.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='(^|[^_[:alnum:]])(sprintf|vsprintf|strcpy|strcat|atoi|atol|atoll|gets|alloca|getaddrinfo|swapcontext|makecontext|getcontext|setcontext)[[:space:]]*\('
hits=$(grep -rnE "$pattern" src include --include='*.c' --include='*.h' | grep -v 'banned-ok:' || true)
if [ -n "$hits" ]; then
  echo "check-banned: banned functions in src/ (see scripts/check-banned.sh):" >&2
  echo "$hits" >&2
  exit 1
fi
lib_pattern='(^|[^_[:alnum:]])(printf|fprintf|vprintf|vfprintf|dprintf|puts|fputs|putchar|fputc|putc|perror|fwrite)[[:space:]]*\(|std(err|out)|write[v]?[[:space:]]*\([[:space:]]*[12][[:space:]]*,'
hits=$(grep -rnE "$lib_pattern" src/runtime --include='*.c' --include='*.h' | grep -v 'banned-ok:' || true)
if [ -n "$hits" ]; then
  echo "check-banned: the runtime prints (it must return errors or call fo_set_diag's callback):" >&2
  echo "$hits" >&2
  exit 1
fi
echo "check-banned: ok"
