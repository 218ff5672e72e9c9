#!/usr/bin/env python3
"""Line server on a pool of worker processes: the process-pool baseline of
the server experiment (bench/serve.sh).

The classic line protocol: read whatever the client sends (fanout load
sends a bare "1") and answer "hello world\\n" per read, or per newline if
the data holds newlines.  The parent listens and forks --workers processes
(multiprocessing, fork context) that share the listener; each worker
accepts one client and owns it until it leaves, then accepts the next.
So at most --workers clients are served at once: client N+1 connects (the
kernel completes the handshake) but gets no reply until a worker is free.
That is the point of this baseline: fanout load counts such clients as
starved.

Prints "listening on 127.0.0.1 port P" once it listens; SIGTERM or SIGINT
stops the workers and exits 0.  Standard library only.
"""

import argparse
import multiprocessing
import os
import signal
import socket
import sys

REPLY = b"hello world\n"
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def answer(data):
    return REPLY * (data.count(b"\n") or 1)


def stop(signum, frame):
    raise SystemExit(0)


def worker(ls):
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    while True:
        try:
            conn, _ = ls.accept()
        except OSError:
            continue
        with conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                while True:
                    data = conn.recv(4096)
                    if not data:
                        break
                    conn.sendall(answer(data))
            except OSError:
                pass  # reset by the client: only this connection ends


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=7000,
                    help="port on 127.0.0.1 (default 7000; 0 picks a free one)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="worker processes, each serving one client at a time "
                         "(default: one per core)")
    args = ap.parse_args()
    if args.workers < 1:
        ap.error("--workers must be at least 1")
    # Blocked from the start, so a signal that comes early waits for the
    # sigwait below; each worker installs handlers and unblocks them.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        ls = socket.create_server(("127.0.0.1", args.port), backlog=1024)
    except OSError as e:
        print(f"line_procpool: cannot listen on 127.0.0.1 port {args.port}: "
              f"{e.strerror}", file=sys.stderr)
        return 2
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=worker, args=(ls,), daemon=True)
             for _ in range(args.workers)]
    for p in procs:
        p.start()
    print(f"listening on 127.0.0.1 port {ls.getsockname()[1]}", flush=True)
    signal.sigwait(STOP_SIGNALS)
    ls.close()
    for p in procs:
        p.terminate()
    for p in procs:
        p.join(5)
        if p.is_alive():
            p.kill()
            p.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
