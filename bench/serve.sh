#!/bin/sh
# Server experiment: installs nginx, redis and wrk if missing, builds the
# Go peer (bench/peers/go) into build/bench/line-go, then runs
# bench/serve.py, which drives every server with the same client and
# prints the commands and a table of medians. Extra arguments go to
# serve.py, e.g.
#   bench/serve.sh --runs 1 --duration 2s
#   bench/serve.sh --vs-nginx     # HTTP: wrk -t1 -c64 -d4s, 5 interleaved rounds against nginx
#   bench/serve.sh --clients 1,16,64,256 --csv build/bench-serve.csv
#   bench/serve.sh --only go,py-asyncio,'fanout coro:1'
# With two or more cores, servers run on core 0 and clients on core 1.
# Every server is stopped at the end of its row (SIGTERM, SIGKILL after
# 5 s), also on error or Ctrl-C; all traffic stays on 127.0.0.1.
#
# The Go build keeps its cache and GOPATH under build/bench/, so it needs
# no HOME and leaves nothing outside the tree; GOPROXY=off keeps it local
# (the module has no dependencies).
set -eu

cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	sudo="none"
fi
updated=""

# install_debs PROGRAM PACKAGE...: the first package that installs wins.
# A failure is not fatal: serve.py leaves out the rows it cannot run.
install_debs() {
	prog=$1
	shift
	command -v "$prog" >/dev/null 2>&1 && return 0
	if [ "$sudo" = none ]; then
		echo "serve.sh: '$prog' not found; install it with: apt-get install --no-install-recommends $1" >&2
		return 0
	fi
	if [ -z "$updated" ]; then
		$sudo apt-get update -q >&2 || true
		updated=1
	fi
	for pkg in "$@"; do
		echo "serve.sh: '$prog' not found, installing $pkg" >&2
		if DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$pkg" >&2; then
			return 0
		fi
	done
	echo "serve.sh: could not install '$prog'; its rows are left out" >&2
}

# nginx is in /usr/sbin, which a non-root PATH may lack.
PATH="$PATH:/usr/sbin:/sbin"
export PATH
install_debs go golang-go
install_debs nginx nginx-light nginx
install_debs redis-server redis-server
install_debs redis-benchmark redis-tools
install_debs wrk wrk
install_debs taskset util-linux
if [ -z "${PYTHON:-}" ]; then
	[ -x /usr/bin/python3 ] || install_debs python3 python3
	if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi

if [ ! -x build/fanout ]; then
	echo "serve.sh: build/fanout not found, running make" >&2
	make -j2 >&2
fi

out="$PWD/build/bench"
mkdir -p "$out"
(
	cd bench/peers/go
	export GOCACHE="$out/go-cache" GOPATH="$out/go-path" GOENV=off GOFLAGS= \
		GOPROXY=off GOTOOLCHAIN=local GO111MODULE=on CGO_ENABLED=0
	go build -o "$out/line-go" .
)

exec "$PYTHON" bench/serve.py --go build/bench/line-go --python "$PYTHON" "$@"
