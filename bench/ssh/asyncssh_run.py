#!/usr/bin/python3
"""The asyncssh peer of `fanout run`: commands on many hosts, one event loop.

Connects to every host of --hosts (one address a line), at most
--concurrency at once (an asyncio.Semaphore), logs in with --key, and runs
the commands:

- exec mode (the default): each command on its own exec channel
  (conn.run), as `fanout run --exec` does;
- --shell: one interactive session with a pty (vt100, 511 columns, as
  fanout asks for), the first prompt found with --prompt (a regular
  expression matched against the last line), then each command sent with
  "\\n" and read until that exact prompt comes back, the echoed command and
  the prompt cut off, "\\r\\n" made "\\n" -- what `fanout run --shell` does.

Writes one JSON object per host on stdout as each host ends:
{"host": ..., "status": "ok"|"failed"|"timeout"|"error", "error": ...,
 "results": [{"command": ..., "output": ..., "exit": N}]}, and a count on
stderr. Host keys are not checked (known_hosts=None), as for every tool
in bench/ssh/run.py. Standard library and asyncssh only (Debian:
python3-asyncssh); run it with /usr/bin/python3.
"""
import argparse
import asyncio
import json
import re
import sys
import time
import warnings

warnings.filterwarnings("ignore")  # asyncssh's cryptography deprecation noise
import asyncssh  # noqa: E402


async def read_to_prompt(proc, buf, prompt_re, exact, deadline):
    """Reads into buf until its last line is the prompt; returns that line."""
    while True:
        end = len(buf)
        while end and buf[end - 1:end] in (b" ", b"\r"):
            end -= 1
        start = max(buf.rfind(b"\n", 0, end), buf.rfind(b"\r", 0, end)) + 1
        last = bytes(buf[start:end])
        if last and ((exact is not None and last == exact) or
                     (exact is None and prompt_re.search(last))):
            return last
        left = deadline - time.monotonic()
        if left <= 0:
            raise asyncio.TimeoutError()
        chunk = await asyncio.wait_for(proc.stdout.read(65536), left)
        if not chunk:
            raise EOFError("the device closed the session")
        buf += chunk


def take_output(buf):
    """The command's output: without the echoed first line and the prompt."""
    text = bytes(buf)
    last_nl = max(text.rfind(b"\n"), text.rfind(b"\r"))
    body = text[:last_nl + 1] if last_nl >= 0 else b""
    nl = body.find(b"\n")
    body = body[nl + 1:] if nl >= 0 else b""
    return body.replace(b"\r", b"").decode("utf-8", "replace")


async def run_host(host, args, sem, out):
    res = {"host": host, "status": "ok", "results": []}
    async with sem:
        try:
            async with asyncssh.connect(
                    host, port=args.port, username=args.user,
                    client_keys=[args.key], known_hosts=None, agent_path=None,
                    compression_algs=None if args.compression else ["none"],
                    connect_timeout=args.connect_timeout) as conn:
                deadline = time.monotonic() + args.command_timeout
                if not args.shell:
                    for cmd in args.command:
                        r = await asyncio.wait_for(conn.run(cmd, check=False),
                                                   args.command_timeout)
                        res["results"].append({"command": cmd, "output": r.stdout,
                                               "exit": r.exit_status})
                        if r.exit_status != 0:
                            res["status"] = "failed"
                else:
                    proc = await conn.create_process(
                        term_type="vt100", term_size=(511, 24), encoding=None)
                    prompt_re = re.compile(args.prompt.encode())
                    buf = bytearray()
                    prompt = await read_to_prompt(proc, buf, prompt_re, None, deadline)
                    for cmd in args.command:
                        deadline = time.monotonic() + args.command_timeout
                        del buf[:]
                        proc.stdin.write(cmd.encode() + b"\n")
                        await read_to_prompt(proc, buf, prompt_re, prompt, deadline)
                        res["results"].append({"command": cmd, "output": take_output(buf)})
                    proc.stdin.write_eof()
                    proc.close()
        except (asyncio.TimeoutError, TimeoutError):
            res["status"] = "timeout"
            res["error"] = "timed out"
        except (OSError, asyncssh.Error, EOFError) as e:
            res["status"] = "error"
            res["error"] = str(e) or type(e).__name__
    out.write(json.dumps(res) + "\n")
    return res["status"]


async def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--hosts", required=True, help="file of addresses, one a line")
    p.add_argument("--port", type=int, default=22)
    p.add_argument("--user", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("-c", "--command", action="append", required=True)
    p.add_argument("--concurrency", type=int, default=256)
    p.add_argument("--shell", action="store_true")
    p.add_argument("--prompt", default=r"[A-Za-z0-9_.:/@()-]+[>#]\s*$")
    p.add_argument("--connect-timeout", type=float, default=60)
    p.add_argument("--command-timeout", type=float, default=60)
    p.add_argument("--compression", action="store_true",
                   help="let asyncssh negotiate zlib (its default); off here by default")
    args = p.parse_args()
    with open(args.hosts) as f:
        hosts = [h.strip() for h in f if h.strip()]
    sem = asyncio.Semaphore(args.concurrency)
    t0 = time.monotonic()
    statuses = await asyncio.gather(*(run_host(h, args, sem, sys.stdout) for h in hosts))
    ok = sum(s == "ok" for s in statuses)
    print(f"asyncssh_run: {len(hosts)} hosts in {time.monotonic() - t0:.2f}s: ok {ok}",
          file=sys.stderr)
    return 0 if ok == len(hosts) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
