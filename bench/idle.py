#!/usr/bin/env python3
"""Memory per idle connection: starts a server, opens N connections that
say nothing, and reads the server's resident set before and after.

    bench/idle.py --conns 19000                 # fanout serve, default model
    bench/idle.py --conns 19000 --server go     # the Go peer, for comparison

One process here may hold at most the hard RLIMIT_NOFILE descriptors
(20,000 on the machine these figures come from), so N stays under it: the
client and the server each hold N. Standard library only."""
import argparse
import os
import resource
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conns", type=int, default=10000)
    ap.add_argument("--server", default="fanout", choices=["fanout", "go"])
    ap.add_argument("--model", default="coro:1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--after-request", action="store_true",
                    help="each connection sends one request and reads its reply before it idles "
                         "(a keep-alive connection between requests)")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if args.conns + 64 > hard:
        sys.exit(f"idle.py: --conns {args.conns} needs {args.conns + 64} descriptors; the hard limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    port = args.port or 20000 + os.getpid() % 20000
    if args.server == "fanout":
        argv = [os.path.join(ROOT, "build/fanout"), "serve", "--model", args.model, "--port", str(port),
                "--idle-timeout", "10m"]
    else:
        argv = [os.path.join(ROOT, "build/bench/line-go"), "--port", str(port)]
    srv = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        srv.stdout.readline()  # "listening on ..."
        warm = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
        for s in warm:  # one request each: code and buffers touched once
            s.sendall(b"1")
            s.recv(64)
        time.sleep(0.3)
        before = rss_kb(srv.pid)
        socks = []
        for i in range(args.conns):
            socks.append(socket.create_connection(("127.0.0.1", port)))
        if args.after_request:
            for s in socks:
                s.sendall(b"1")
            for s in socks:
                s.recv(64)
        time.sleep(1.0)
        after = rss_kb(srv.pid)
        per = (after - before) * 1024 / args.conns
        print(f"{args.server} ({args.model if args.server == 'fanout' else 'goroutine per connection'}): "
              f"{args.conns} idle connections{' (after a request each)' if args.after_request else ''}, RSS {before / 1024:.1f} -> {after / 1024:.1f} MiB, "
              f"{per:.0f} bytes per connection")
        for s in socks + warm:
            s.close()
    finally:
        srv.terminate()
        srv.wait(timeout=10)


if __name__ == "__main__":
    main()
