#!/bin/sh
# Round-trip experiment: builds the Go baseline and the measure helper
# into build/bench/, then runs bench/compare.py with its built-in set
# (fanout, go, py-threads-100, py-threads-1000, py-asyncio). Extra
# arguments go to compare.py, e.g.
#   bench/rtt.sh --runs 3 --only go,py-asyncio
#   bench/rtt.sh --hosts 100000 --rtt 100ms --skip-missing
# On a Debian machine without Go or Python it installs golang-go and
# python3 with apt-get (as root, or through sudo).
#
# The Go build keeps its cache and GOPATH under build/bench/, so it needs
# no HOME and leaves nothing outside the tree; GOPROXY=off keeps it local
# (the module has no dependencies).
set -eu

cd "$(dirname "$0")/.."

install_debs() {
	if [ "$(id -u)" -eq 0 ]; then
		sudo=""
	elif command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "rtt.sh: '$1' not found; install it with: apt-get install --no-install-recommends $2" >&2
		exit 1
	fi
	echo "rtt.sh: '$1' not found, installing $2" >&2
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $2
}

command -v go >/dev/null 2>&1 || install_debs go golang-go
# Debian's interpreter by default, so the figures are for the Python that
# apt installs rather than whatever comes first on PATH.
if [ -z "${PYTHON:-}" ]; then
	[ -x /usr/bin/python3 ] || command -v python3 >/dev/null 2>&1 || install_debs python3 python3
	if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi

out="$PWD/build/bench"
mkdir -p "$out"
# rtt-go is the Go baseline; measure is the helper compare.py runs every
# command under (see bench/go/measure/measure.go for why).
(
	cd bench/go
	export GOCACHE="$out/go-cache" GOPATH="$out/go-path" GOENV=off GOFLAGS= \
		GOPROXY=off GOTOOLCHAIN=local GO111MODULE=on CGO_ENABLED=0
	go build -o "$out/rtt-go" .
	go build -o "$out/measure" ./measure
)

exec "$PYTHON" bench/compare.py --go build/bench/rtt-go --measure build/bench/measure "$@"
