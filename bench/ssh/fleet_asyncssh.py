#!/usr/bin/python3
"""The asyncssh peer of `fanout run` on a `fanout devices` fleet.

Reads the fleet's nornir hosts.yaml files (as `fanout devices -i` writes
them: hostname, port, username, password, platform, data.secret), keeps the
hosts of --platform, and on each, at most --concurrency at once (an
asyncio.Semaphore), in one event loop:

- logs in with the password, opens a shell with a pty (vt100, 511x24),
  waits for a prompt (a last line ending in > or #), goes to the
  privileged level (enable and the secret on ios and eos) and turns paging
  off (terminal length 0; junos: set cli screen-length 0), as `fanout run
  --shell` does with the shipped platforms;
- runs each command (--commands-file) reading up to the exact prompt and
  writes DIR/HOST/COMMAND.txt as `fanout run --out` does (names escaped as
  urllib.parse.quote_plus; the echoed line and the prompt cut, \\r\\n as
  \\n), so that fleet_expect checks these outputs as it checks fanout's;
- or, with --config FILE, enters configuration mode, sends each line
  waiting for the prompt after it (a line answered with "% Invalid" or
  "syntax error" fails the host), then commits (junos, iosxr) or saves
  (write memory; nxos copy running-config startup-config) and leaves.

Prints a count on stderr, exit 0 when every host was ok. Host keys are not
checked (known_hosts=None). Standard library and asyncssh only (Debian:
python3-asyncssh); run it with /usr/bin/python3.
"""
import argparse
import asyncio
import os
import re
import sys
import time
import urllib.parse
import warnings

warnings.filterwarnings("ignore")  # asyncssh's cryptography deprecation noise
import asyncssh  # noqa: E402

PROMPT = re.compile(rb"[\w.@/:()-]+[>#]\s*$")
PASSWORD = re.compile(rb"[Pp]assword:\s*$")
FAILED = (b"% Invalid", b"% Incomplete", b"% Ambiguous", b"syntax error", b"unknown command")


def read_inventory(paths, platform):
    hosts, cur = [], None
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#") or line.startswith("---"):
                    continue
                if not line.startswith(" "):
                    cur = {"name": line.rstrip(":")}
                    hosts.append(cur)
                    continue
                key, _, val = line.strip().partition(":")
                val = val.strip().strip("'")
                if key in ("hostname", "port", "username", "password", "platform", "secret"):
                    cur[key] = val
    return [h for h in hosts if h.get("platform") == platform]


async def read_until(proc, buf, match, deadline):
    """Reads into buf until match(last line) holds; returns that line."""
    while True:
        end = len(buf)
        while end and buf[end - 1:end] in (b" ", b"\r"):
            end -= 1
        start = max(buf.rfind(b"\n", 0, end), buf.rfind(b"\r", 0, end)) + 1
        last = bytes(buf[start:])
        if last and match(last):
            return last
        left = deadline - time.monotonic()
        if left <= 0:
            raise asyncio.TimeoutError()
        chunk = await asyncio.wait_for(proc.stdout.read(65536), left)
        if not chunk:
            raise EOFError("the device closed the session")
        buf += chunk


async def send(proc, buf, line, match, timeout):
    del buf[:]
    proc.stdin.write(line.encode() + b"\n")
    return await read_until(proc, buf, match, time.monotonic() + timeout)


def take_output(buf):
    """The command's output: without the echoed first line and the prompt."""
    text = bytes(buf)
    body = text[:text.rfind(b"\n") + 1]
    nl = body.find(b"\n")
    return body[nl + 1:].replace(b"\r\n", b"\n") if nl >= 0 else b""


def write_out(outdir, host, cmd, data):
    d = os.path.join(outdir, urllib.parse.quote_plus(host, safe=""))
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, urllib.parse.quote_plus(cmd, safe="") + ".txt")
    tmp = path + ".tmp-%d" % os.getpid()
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


async def run_host(h, args, sem):
    plat, t = h["platform"], args.command_timeout
    async with sem:
        try:
            async with asyncssh.connect(
                    h["hostname"], port=int(h["port"]), username=h["username"],
                    password=h["password"], known_hosts=None, agent_path=None,
                    client_keys=None, compression_algs=["none"],
                    connect_timeout=args.connect_timeout) as conn:
                proc = await conn.create_process(term_type="vt100", term_size=(511, 24),
                                                 encoding=None)
                buf = bytearray()
                last = await read_until(proc, buf, PROMPT.search, time.monotonic() + t)
                if plat in ("ios", "eos") and last.rstrip().endswith(b">"):
                    await send(proc, buf, "enable", lambda s: PASSWORD.search(s) or PROMPT.search(s), t)
                    await send(proc, buf, h.get("secret", ""), PROMPT.search, t)
                setup = "set cli screen-length 0" if plat == "junos" else "terminal length 0"
                prompt = await send(proc, buf, setup, PROMPT.search, t)
                if args.config is None:
                    for cmd in args.commands:
                        await send(proc, buf, cmd, lambda s: s == prompt, t)
                        write_out(args.out, h["name"], cmd, take_output(buf))
                else:
                    enter = "configure" if plat in ("junos", "iosxr") else "configure terminal"
                    await send(proc, buf, enter, PROMPT.search, t)
                    for line in args.config:
                        await send(proc, buf, line, PROMPT.search, t)
                        if any(f in buf for f in FAILED):
                            raise ValueError("rejected: %s" % line)
                    if plat in ("junos", "iosxr"):
                        await send(proc, buf, "commit", PROMPT.search, t)
                        if b"error" in buf:
                            raise ValueError("commit failed")
                        await send(proc, buf, "end" if plat == "iosxr" else "exit", PROMPT.search, t)
                    else:
                        await send(proc, buf, "end", PROMPT.search, t)
                        save = "copy running-config startup-config" if plat == "nxos" else "write memory"
                        await send(proc, buf, save, PROMPT.search, t)
                proc.stdin.write_eof()
                proc.close()
                return "ok"
        except (asyncio.TimeoutError, TimeoutError):
            print("%s: timeout" % h["name"], file=sys.stderr)
            return "timeout"
        except (OSError, asyncssh.Error, EOFError, ValueError) as e:
            print("%s: %s" % (h["name"], e or type(e).__name__), file=sys.stderr)
            return "error"


def lines(path):
    with open(path) as f:
        return [s.rstrip("\n") for s in f if s.strip() and s[0] not in "#!"]


async def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-i", "--inventory", action="append", required=True, help="hosts.yaml (repeat)")
    p.add_argument("--platform", required=True)
    p.add_argument("--commands-file")
    p.add_argument("--config", help="configuration lines instead of the commands")
    p.add_argument("--out", help="DIR/HOST/COMMAND.txt")
    p.add_argument("--limit", type=int, default=0, help="the first N hosts only")
    p.add_argument("--concurrency", type=int, default=128)
    p.add_argument("--connect-timeout", type=float, default=60)
    p.add_argument("--command-timeout", type=float, default=60)
    args = p.parse_args()
    hosts = read_inventory(args.inventory, args.platform)
    if args.limit:
        hosts = hosts[:args.limit]
    args.commands = lines(args.commands_file) if args.commands_file else []
    if args.config:
        args.config = lines(args.config)
    elif not args.commands or not args.out:
        p.error("--commands-file and --out, or --config")
    sem = asyncio.Semaphore(args.concurrency)
    t0 = time.monotonic()
    statuses = await asyncio.gather(*(run_host(h, args, sem) for h in hosts))
    ok = statuses.count("ok")
    print("fleet_asyncssh: %d %s hosts in %.2fs: ok %d" % (len(hosts), args.platform,
          time.monotonic() - t0, ok), file=sys.stderr)
    return 0 if ok == len(hosts) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
