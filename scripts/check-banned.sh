#!/usr/bin/env bash
# Fails when src/ uses a function banned on hot paths and worker threads
# (docs/ARCHITECTURE.md says why): ucontext (a syscall per switch), blocking
# getaddrinfo, atoi/atol (no error reporting), sprintf/vsprintf/strcpy/strcat
# (unbounded), alloca, gets. A line may opt out with a comment "banned-ok:
# <reason>" (the ucontext fallback for machines without a hand-written switch).
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='(^|[^_[:alnum:]])(sprintf|vsprintf|strcpy|strcat|atoi|atol|atoll|gets|alloca|getaddrinfo|swapcontext|makecontext|getcontext|setcontext)[[:space:]]*\('
hits=$(grep -rnE "$pattern" src include --include='*.c' --include='*.h' | grep -v 'banned-ok:' || true)
if [ -n "$hits" ]; then
  echo "check-banned: banned functions in src/ (see scripts/check-banned.sh):" >&2
  echo "$hits" >&2
  exit 1
fi
echo "check-banned: ok"
