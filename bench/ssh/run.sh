#!/bin/sh
# fanout run against pdsh, clush, parallel-ssh, ansible and asyncssh on the
# SSH fixture: installs the peers that are missing (Debian packages, with
# apt-get, as root or through sudo), builds fanout, devsim and the relay,
# builds the two helpers into build/bench/ssh/ (measure_tree, handshake),
# then runs bench/ssh/run.py with Debian's /usr/bin/python3 (the peers'
# Python modules are installed for that interpreter, not for a pyenv one
# that may come first on PATH). Extra arguments go to run.py:
#   bench/ssh/run.sh                          # everything, 3 runs (about 45 min here)
#   bench/ssh/run.sh --runs 1 --peer-kex same --only fanout,pdsh
#   bench/ssh/run.sh --cases 15 --hosts15 500
# BUILD (default build) is where fanout, devsim and devsim-relay are.
set -eu

cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}

missing=""
need() { # command package
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
need pdsh pdsh
need clush clustershell
need parallel-ssh pssh
need ansible-playbook ansible-core
need sshd openssh-server
[ -x /usr/sbin/sshd ] || missing="$missing openssh-server"
need ssh openssh-client
need cc gcc
need make make
/usr/bin/python3 -c 'import asyncssh' 2>/dev/null || missing="$missing python3-asyncssh"
[ -f /usr/include/libssh2.h ] || missing="$missing libssh2-1-dev"
if [ -n "$missing" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		sudo=""
	elif command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "run.sh: missing:$missing; install with: apt-get install --no-install-recommends$missing" >&2
		exit 1
	fi
	echo "run.sh: installing$missing" >&2
	$sudo apt-get update -q
	# openssh-server's postinst would start the system's sshd: not needed
	# (the fixture runs its own), so no service starts meanwhile
	made_policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
		$sudo chmod +x /usr/sbin/policy-rc.d
		made_policy=1
	fi
	status=0
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing || status=$?
	[ -n "$made_policy" ] && $sudo rm -f /usr/sbin/policy-rc.d
	[ $status -eq 0 ] || exit $status
fi

# `fanout run` lives in fanout-tools (exec'd by fanout) where the Makefile has it
tools=""
grep -q 'fanout-tools:' Makefile && tools="$BUILD/fanout-tools"
make -s BUILD="$BUILD" "$BUILD/fanout" $tools "$BUILD/devsim" "$BUILD/devsim-relay"
mkdir -p "$BUILD/bench/ssh"
cc -O2 -Wall -Wextra -Werror -o "$BUILD/bench/ssh/measure_tree" bench/ssh/measure_tree.c
cc -O2 -Wall -Wextra -Werror -o "$BUILD/bench/ssh/handshake" bench/ssh/handshake.c -lssh2

exec /usr/bin/python3 bench/ssh/run.py --build "$BUILD" "$@"
