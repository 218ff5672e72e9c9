#!/bin/sh
# fanout links against LinkChecker and linkinator: installs what is missing
# (Debian's linkchecker and time with apt-get, node and npm too; linkinator
# into bench/links/node_modules with `npm ci`, pinned by package-lock.json),
# builds fanout with make if build/fanout is missing and no --fanout is
# given, then runs bench/links/run.py with Debian's /usr/bin/python3. Extra
# arguments go to run.py, e.g.
#   bench/links/run.sh                          # 2,000 pages, 50 ms, 3 runs of each
#   bench/links/run.sh --runs 1 --only fanout,linkinator-nohuge
#   bench/links/run.sh --big 100000 --big-only # fanout alone on 100,000 pages
# All traffic stays on loopback (127.0.0.1 and 127.0.0.2); the servers are
# stopped at the end, and also exit by themselves once run.py has gone.
set -eu

cd "$(dirname "$0")/../.."

if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	sudo="none"
fi
updated=""

# install_debs FILE PACKAGE: installs PACKAGE unless FILE is there.
install_debs() {
	[ -e "$1" ] && return 0
	if [ "$sudo" = none ]; then
		echo "run.sh: '$1' not found; install it with: apt-get install $2" >&2
		exit 2
	fi
	if [ -z "$updated" ]; then
		$sudo apt-get update -q >&2 || true
		updated=1
	fi
	echo "run.sh: '$1' not found, installing $2" >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$2" >&2
}

install_debs /usr/bin/python3 python3
install_debs /usr/bin/time time
install_debs /usr/bin/linkchecker linkchecker
install_debs /usr/bin/node nodejs
install_debs /usr/bin/npm npm
if [ ! -x bench/links/node_modules/.bin/linkinator ]; then
	echo "run.sh: installing linkinator into bench/links/node_modules (npm ci)" >&2
	npm ci --prefix bench/links --no-audit --no-fund >&2
fi

case " $* " in
*" --fanout "*) ;;
*)
	if [ ! -x build/fanout ] || [ ! -x build/fanout-tools ]; then
		echo "run.sh: build/fanout not found, running make" >&2
		make -j2 >&2
	fi
	;;
esac

exec /usr/bin/python3 bench/links/run.py "$@"
