#!/usr/bin/env python3
"""Line server on asyncio.start_server: the asyncio baseline of the server
experiment (bench/serve.sh).

The classic line protocol: read whatever the client sends (fanout load
sends a bare "1") and answer "hello world\\n" per read, or per newline if
the data holds newlines.  One event loop, a coroutine per client (asyncio
sets TCP_NODELAY itself).  Prints "listening on 127.0.0.1 port P" once it
listens; SIGTERM or SIGINT closes the listener and the connections and
exits 0.  Standard library only.
"""

import argparse
import asyncio
import signal
import sys

REPLY = b"hello world\n"


def answer(data):
    return REPLY * (data.count(b"\n") or 1)


async def run(port):
    writers = set()

    async def handle(reader, writer):
        writers.add(writer)
        try:
            while True:
                data = await reader.read(4096)
                if not data:
                    break
                writer.write(answer(data))
                await writer.drain()
        except OSError:
            pass  # reset by the client: only this connection ends
        finally:
            writers.discard(writer)
            writer.close()

    try:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    except OSError as e:
        print(f"line_asyncio: cannot listen on 127.0.0.1 port {port}: "
              f"{e.strerror}", file=sys.stderr)
        return 2
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    print(f"listening on 127.0.0.1 port {server.sockets[0].getsockname()[1]}",
          flush=True)
    await stopping.wait()
    server.close()
    for w in list(writers):
        w.close()
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=7000,
                    help="port on 127.0.0.1 (default 7000; 0 picks a free one)")
    args = ap.parse_args()
    return asyncio.run(run(args.port))


if __name__ == "__main__":
    sys.exit(main())
