#!/usr/bin/env python3
"""Line server, a thread per client: the thread baseline of the server
experiment (bench/serve.sh).

The classic line protocol: read whatever the client sends (fanout load
sends a bare "1") and answer "hello world\\n" per read, or per newline if
the data holds newlines.  The main thread accepts; each client gets its
own thread until it leaves.  Prints "listening on 127.0.0.1 port P" once
it listens; SIGTERM or SIGINT closes the listener and exits 0.
Standard library only.
"""

import argparse
import signal
import socket
import sys
import threading

REPLY = b"hello world\n"


def answer(data):
    return REPLY * (data.count(b"\n") or 1)


def serve_client(conn):
    with conn:
        try:
            while True:
                data = conn.recv(4096)
                if not data:
                    return
                conn.sendall(answer(data))
        except OSError:
            pass  # reset by the client: only this connection ends


def stop(signum, frame):
    raise SystemExit(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=7000,
                    help="port on 127.0.0.1 (default 7000; 0 picks a free one)")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        ls = socket.create_server(("127.0.0.1", args.port), backlog=1024)
    except OSError as e:
        print(f"line_threads: cannot listen on 127.0.0.1 port {args.port}: "
              f"{e.strerror}", file=sys.stderr)
        return 2
    print(f"listening on 127.0.0.1 port {ls.getsockname()[1]}", flush=True)
    try:
        while True:
            conn, _ = ls.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=serve_client, args=(conn,), daemon=True).start()
    finally:
        ls.close()


if __name__ == "__main__":
    sys.exit(main())
