#!/usr/bin/env python3
"""The server experiment: one client, many servers, same cores.

Every line-protocol server (fanout serve in three models, the Python
baselines in bench/peers/, the Go baseline) is driven by the SAME client,
`fanout load -c C -d D --threads 1 --json`, for each connection count in
--clients; redis, which speaks RESP, is driven by redis-benchmark instead
and reported apart.  The HTTP servers (fanout serve --proto http and an
nginx with one worker) are driven both by wrk and by fanout load.  With
two or more cores, every server runs under `taskset -c 0` and every
client under `taskset -c 1`, so server and client never compete for a
core and a server's figure is what one core of it does.

Each row (server x client x connections) is run --runs times, round-robin
over the rows, and a fresh server is started for every run of every row:
its peak RSS (VmHWM from /proc, summed over its child processes, read just
before it is stopped) belongs to that row alone.  The table shows medians,
the ratio of each row's req/s to the Go server's (line) or nginx's (http)
under the same client and connections (the median over the rounds of each
round's ratio: run i of a row against run i of its baseline), and how many
connections got any reply ("served": connections - starved, from fanout
load's JSON).  --vs-nginx is the HTTP comparison alone: wrk -t1 -c64 -d4s,
5 rounds, fanout serve --proto http --model coro:1 against nginx with one
worker; the nginx.conf used is printed in the header.

Every server is stopped at the end of its row with SIGTERM, then SIGKILL
after 5 s, also when the run fails or is interrupted.  All traffic stays
on 127.0.0.1.  bench/serve.sh installs nginx, redis and wrk, builds the Go
peer and calls this.  Standard library only.
"""

import argparse
import csv
import json
import os
import platform
import random
import re
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

PROG = "serve.py"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
STOP_GRACE = 5.0      # seconds between SIGTERM and SIGKILL
READY_TIMEOUT = 10.0  # seconds a server has to start listening
# redis-benchmark -t ping runs both: PING as an inline command (a line, the
# nearest thing to the line protocol) and as a RESP multi-bulk array.
REDIS_TESTS = ("PING_INLINE", "PING_MBULK")


def die(msg, code=2):
    print(f"{PROG}: {msg}", file=sys.stderr)
    sys.exit(code)


def note(msg):
    print(f"{PROG}: {msg}", file=sys.stderr, flush=True)


def from_root(path):
    """A path in the repository, relative to the current directory so the
    printed commands can be pasted as they are."""
    return os.path.relpath(os.path.join(ROOT, path))


def parse_duration(text):
    """Seconds in a Go-style duration: 3s, 500ms, 1m, 1m30s."""
    units = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    parts = re.findall(r"(\d+(?:\.\d+)?)(us|ms|s|m|h)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"bad duration '{text}': expected e.g. 3s, 500ms, 1m")
    return sum(float(n) * units[u] for n, u in parts)


def missing_program(argv0):
    """Why argv0 cannot be started, or None if it can."""
    if os.sep in argv0:
        if not os.path.isfile(argv0):
            return f"no such file '{argv0}'"
        if not os.access(argv0, os.X_OK):
            return f"'{argv0}' is not executable"
        return None
    if shutil.which(argv0) is None:
        return f"'{argv0}' is not installed"
    return None


def free_ports(n):
    """n distinct free ports on 127.0.0.1, below the kernel's ephemeral
    range: a port from that range, once its server stops, can be taken by
    any outgoing connection on the machine (a client's, a test's) before
    the next run of the row starts that server again on it."""
    lo = 32768
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    lo = max(lo, 2048)
    candidates = list(range(max(1024, lo - 12000), lo))
    random.shuffle(candidates)
    ports = []
    for port in candidates:
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            ports.append(port)
        except OSError:
            continue
        finally:
            s.close()
        if len(ports) == n:
            return ports
    die(f"cannot find {n} free ports below {lo} on 127.0.0.1", 1)


# --- processes ----------------------------------------------------------

def children_of(pid):
    """Every descendant of pid, read from /proc/*/stat."""
    parent = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after it.
        fields = stat[stat.rfind(")") + 2:].split()
        parent[int(d)] = int(fields[1])
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out += kids
        todo += kids
    return out


def cpu_s(pid):
    """user+sys seconds of pid so far (0 when gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vmhwm_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Server:
    """A server process in its own session (so its process group is its
    pid and Ctrl-C at the terminal reaches only this runner)."""

    live = set()
    lingered = []  # (server, seconds its port stayed bound after it exited)

    def __init__(self, argv, ready, port, workdir, name):
        self.argv, self.ready, self.port, self.name = argv, ready, port, name
        # One log per server, overwritten at each start: the last run's
        # output stays there to look at.
        slug = re.sub(r"[^A-Za-z0-9.-]+", "-", name).strip("-")
        self.log = open(os.path.join(workdir, f"{slug}.log"), "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        Server.live.add(self)

    def output(self):
        try:
            with open(self.log.name, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def last_line(self):
        lines = self.output().strip().splitlines()
        return lines[-1].strip() if lines else ""

    def wait_ready(self):
        """None when the server listens, else why it does not.  A server
        with a ready pattern is ready when it prints it; one without is
        ready when a connection to its port succeeds."""
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                why = self.last_line()
                return f"server exited {self.proc.returncode}" + (f": {why}" if why else "")
            if self.ready:
                if re.search(self.ready, self.output()):
                    return None
            else:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return None
                except OSError:
                    pass
            time.sleep(0.02)
        return f"server not ready after {READY_TIMEOUT:g} s"

    def cpu_s(self):
        pid = self.proc.pid
        return sum(cpu_s(p) for p in [pid] + children_of(pid))

    def peak_rss_kb(self):
        pid = self.proc.pid
        return sum(vmhwm_kb(p) for p in [pid] + children_of(pid))

    def group_alive(self):
        try:
            os.killpg(self.proc.pid, 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True

    def stop(self):
        """SIGTERM, then SIGKILL to its process group after STOP_GRACE."""
        pid = self.proc.pid
        if self.proc.poll() is None:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + STOP_GRACE
        try:
            self.proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        # Children (nginx's worker, pool workers) may outlive the parent.
        while self.group_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.proc.poll() is None or self.group_alive():
            note(f"{self.name} did not stop in {STOP_GRACE:g} s: SIGKILL")
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self.log.close()
        Server.live.discard(self)
        self.wait_port_free()

    def wait_port_free(self):
        """Waits until the port can be bound again, so the next run of the
        row can start its server on it.  A listener can outlive its process:
        fanout serve's io_uring poller keeps a reference to it until the
        kernel tears the ring down, some milliseconds after the exit."""
        t0 = time.monotonic()
        busy = False
        while True:
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", self.port))
                break
            except OSError:
                busy = True
                if time.monotonic() - t0 > STOP_GRACE:
                    note(f"port {self.port} of {self.name} still in use "
                         f"{STOP_GRACE:g} s after it stopped")
                    return
                time.sleep(0.002)
            finally:
                s.close()
        if busy:
            Server.lingered.append((self.name, time.monotonic() - t0))

    @classmethod
    def stop_all(cls):
        for s in list(cls.live):
            s.stop()


# --- rows ---------------------------------------------------------------

@dataclass
class Result:
    rps: float = 0.0
    served: int = -1         # -1: the client does not tell
    conns: int = 0
    errors: int = 0
    p99_us: float = -1.0
    secs: float = -1.0       # how long the client ran, if it tells
    rss_kb: int = 0
    failure: str = ""
    client_cpu: float = -1.0  # user+sys seconds of the client run
    server_cpu: float = -1.0  # of the server (and its children) over the client run
    wall: float = 0.0         # seconds the client ran (as this runner saw it)


@dataclass
class ServerSpec:
    name: str
    proto: str
    argv: list               # with the port filled in
    ready: str               # regex in its output, or "" to probe the port
    port: int
    prep: object = None      # callable(workdir) run before the first start


@dataclass
class Row:
    server: ServerSpec
    client: str              # "fanout load", "wrk", "redis-benchmark"
    conns: int
    argv: list
    timeout: float
    baseline: str            # server name the ratio is taken against
    kind: str = "main"       # "main", or "redis" (a different client)
    results: list = field(default_factory=list)  # a Result, or for redis {test: Result}
    calibration_failure: str = ""

    def variants(self):
        """(client label, function from one run's result to its Result):
        one per redis-benchmark test for redis, else just the client."""
        if self.kind == "redis":
            return [(f"redis-benchmark {t}", lambda x, t=t: x[t]) for t in REDIS_TESTS]
        return [(self.client, lambda x: x)]


def parse_fanout_load(out, conns):
    lines = [l for l in out.splitlines() if l.startswith("{")]
    if not lines:
        return None
    j = json.loads(lines[-1])
    return Result(rps=float(j["rps"]), conns=int(j["connections"]),
                  served=int(j["connections"]) - int(j["starved"]),
                  errors=int(j["errors"]) + int(j.get("connect_errors", 0)),
                  p99_us=float(j["latency_us"]["p99"]), secs=float(j["duration_s"]))


def parse_wrk(out, conns):
    m = re.search(r"^Requests/sec:\s*([0-9.]+)", out, re.M)
    if not m:
        return None
    errors = 0
    m2 = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    if m2:
        errors += int(m2.group(1))
    m3 = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m3:
        errors += sum(int(x) for x in m3.groups())
    return Result(rps=float(m.group(1)), conns=conns, errors=errors)


def parse_redis_csv(out):
    """{test: rps} from redis-benchmark --csv."""
    rows = {}
    for rec in csv.reader(out.splitlines()):
        if len(rec) >= 2 and rec[0] != "test":
            try:
                rows[rec[0]] = float(rec[1])
            except ValueError:
                pass
    return rows


def run_client(argv, timeout):
    """(exit code, stdout, stderr, client CPU seconds) or raises
    TimeoutExpired; run() kills the client if it times out or this runner
    is interrupted. The CPU is the reaped children's, before and after:
    the client is the only child reaped meanwhile."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=timeout)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"), cpu


def last(text):
    lines = text.strip().splitlines()
    return lines[-1].strip() if lines else ""


def run_row(row, workdir, redis_test=None):
    """One run of a row: start its server, run the client, read the
    server's peak RSS, stop it.  For redis rows, returns one Result per
    redis-benchmark test in a dict."""
    spec = row.server
    srv = Server(spec.argv, spec.ready, spec.port, workdir, f"{spec.name} {spec.proto}")
    try:
        why = srv.wait_ready()
        if why:
            r = Result(failure=why)
            return {t: r for t in redis_test} if redis_test else r
        try:
            scpu0, t0 = srv.cpu_s(), time.monotonic()
            code, out, err, ccpu = run_client(row.argv, row.timeout)
            scpu, wall = srv.cpu_s() - scpu0, time.monotonic() - t0
        except subprocess.TimeoutExpired:
            r = Result(failure=f"client timed out after {row.timeout:g} s")
            return {t: r for t in redis_test} if redis_test else r
        rss = srv.peak_rss_kb()
        dead = srv.proc.poll()
        if redis_test:
            got = parse_redis_csv(out)
            res = {}
            for t in redis_test:
                if t in got and code == 0:
                    res[t] = Result(rps=got[t], conns=row.conns, rss_kb=rss)
                else:
                    res[t] = Result(failure=f"redis-benchmark exit {code}: "
                                            f"{last(err) or last(out) or 'no ' + t + ' row'}")
            return res
        try:
            r = (parse_fanout_load if row.client == "fanout load" else parse_wrk)(out, row.conns)
        except (ValueError, KeyError) as e:
            r = None
            err = f"unreadable output ({e}): {last(out)}"
        if r is None:
            r = Result(failure=f"client exit {code}: {last(err) or last(out) or 'no output'}")
        elif dead is not None:
            r.failure = f"server exited {dead} during the run: {srv.last_line()}"
        r.rss_kb = rss
        r.client_cpu, r.server_cpu, r.wall = ccpu, scpu, wall
        return r
    finally:
        srv.stop()


# --- the experiment -----------------------------------------------------

def nginx_prep(conf_dir, port):
    """A minimal nginx with one worker, logging to stderr, in conf_dir.
    keepalive_requests is raised from its default of 1000, after which
    nginx closes the connection: fanout serve never does, so with the
    default every client of nginx (wrk, fanout load) would pay a new
    connection every 1000 requests that fanout serve's clients do not."""
    def prep(workdir):
        os.makedirs(conf_dir, exist_ok=True)
        with open(os.path.join(conf_dir, "nginx.conf"), "w") as f:
            f.write(
                "worker_processes 1;\n"
                "daemon off;\n"
                "error_log stderr;\n"
                f"pid {conf_dir}/nginx.pid;\n"
                "events {}\n"
                "http {\n"
                "    access_log off;\n"
                "    keepalive_requests 1000000000;\n"
                "    server {\n"
                f"        listen 127.0.0.1:{port};\n"
                "        location / { return 200 \"hello world\\n\"; }\n"
                "    }\n"
                "}\n")
    return prep


def build_rows(args, workdir, pin):
    srv_pin = ["taskset", "-c", "0"] if pin else []
    cli_pin = ["taskset", "-c", "1"] if pin else []
    fanout, py, go = args.fanout, args.python, args.go
    peers = from_root("bench/peers")
    line_servers = [
        ("fanout coro:1", lambda p: [fanout, "serve", "--model", "coro:1", "--port", str(p)], "listening on"),
        ("fanout threads", lambda p: [fanout, "serve", "--model", "threads", "--port", str(p)], "listening on"),
        ("fanout processes:2", lambda p: [fanout, "serve", "--model", "processes:2", "--port", str(p)], "listening on"),
        ("py-threads", lambda p: [py, f"{peers}/line_threads.py", "--port", str(p)], "listening on"),
        ("py-asyncio", lambda p: [py, f"{peers}/line_asyncio.py", "--port", str(p)], "listening on"),
        (f"py-procpool:{args.pool_workers}",
         lambda p: [py, f"{peers}/line_procpool.py", "--port", str(p),
                    "--workers", str(args.pool_workers)], "listening on"),
        ("go", lambda p: [go, "--port", str(p)], "listening on"),
    ]
    redis_tmp = os.path.relpath(os.path.join(workdir, "redis"))
    nginx_tmp = os.path.join(workdir, "nginx")
    names = [n for n, _, _ in line_servers] + ["redis", "fanout coro:1 http", "nginx"]
    ports = dict(zip(names, free_ports(len(names))))

    specs = []
    for name, mk, ready in line_servers:
        specs.append(ServerSpec(name, "line", srv_pin + mk(ports[name]), ready, ports[name]))
    rp = ports["redis"]
    specs.append(ServerSpec(
        "redis", "resp",
        srv_pin + ["redis-server", "--port", str(rp), "--bind", "127.0.0.1",
                   "--save", "", "--appendonly", "no", "--dir", redis_tmp],
        "Ready to accept connections", rp,
        prep=lambda wd: os.makedirs(redis_tmp, exist_ok=True)))
    hp = ports["fanout coro:1 http"]
    specs.append(ServerSpec(
        "fanout coro:1", "http",
        srv_pin + [fanout, "serve", "--proto", "http", "--model", "coro:1", "--port", str(hp)],
        "listening on", hp))
    np_ = ports["nginx"]
    specs.append(ServerSpec(
        "nginx", "http",
        srv_pin + ["nginx", "-c", os.path.join(nginx_tmp, "nginx.conf"), "-p", nginx_tmp],
        "", np_, prep=nginx_prep(nginx_tmp, np_)))

    if args.only:
        only = [n.strip() for n in args.only.split(",") if n.strip()]
        known = sorted({s.name for s in specs})
        for n in only:
            if n not in known:
                die(f"unknown server '{n}' in --only (known: {', '.join(known)})")
        specs = [s for s in specs if s.name in only]

    kept = []
    for s in specs:
        prog = s.argv[len(srv_pin)]
        why = missing_program(prog)
        if why:
            note(f"skipping '{s.name}' ({s.proto}): {why}")
        else:
            kept.append(s)
    specs = kept

    rows = []
    tmo = args.seconds + 30
    for s in specs:
        target = f"127.0.0.1:{s.port}"
        if args.http_only and s.proto != "http":
            continue
        if s.proto == "line":
            for c in args.clients:
                rows.append(Row(s, "fanout load", c,
                                cli_pin + [fanout, "load", "-c", str(c), "-d", args.duration,
                                           "--threads", "1", "--json", target],
                                tmo, baseline="go"))
        elif s.proto == "resp":
            # the same client as every line server: redis's inline protocol
            # takes "PING\n" and answers one line, "+PONG"
            for c in args.clients:
                rows.append(Row(s, "fanout load", c,
                                cli_pin + [fanout, "load", "--line", "PING", "-c", str(c), "-d",
                                           args.duration, "--threads", "1", "--json", target],
                                tmo, baseline="go"))
            if missing_program("redis-benchmark"):
                note("skipping 'redis': redis-benchmark is not installed")
                continue
            for c in args.clients:
                # -n is filled in by calibrate_redis.
                rows.append(Row(s, "redis-benchmark", c,
                                cli_pin + ["redis-benchmark", "-h", "127.0.0.1", "-p", str(s.port),
                                           "-c", str(c), "-n", "N", "-t", "ping", "-P", "1", "--csv"],
                                4 * args.seconds + 30, baseline="go", kind="redis"))
        else:
            c = args.http_clients
            if args.http_client == "fanout-load":
                pass
            elif missing_program("wrk"):
                note(f"leaving out wrk for '{s.name}' (http): wrk is not installed")
            else:
                rows.append(Row(s, "wrk", c,
                                cli_pin + ["wrk", "-t1", f"-c{c}", "-d", args.duration,
                                           f"http://{target}/"],
                                tmo, baseline="nginx"))
            if args.http_client != "wrk":
                rows.append(Row(s, "fanout load", c,
                                cli_pin + [fanout, "load", "--proto", "http", "-c", str(c),
                                           "-d", args.duration, "--threads", "1", "--json", target],
                                tmo, baseline="nginx"))
    return specs, rows


def calibrate_redis(row, workdir, seconds):
    """Sets -n so that each redis-benchmark test takes about `seconds`:
    redis-benchmark has no duration flag.  A short run of 20000 requests
    measures the rate first."""
    probe = list(row.argv)
    i = probe.index("-n")
    probe[i + 1] = "20000"
    trial = Row(row.server, row.client, row.conns, probe, row.timeout, row.baseline, row.kind)
    got = run_row(trial, workdir, REDIS_TESTS)
    rates = [r.rps for r in got.values() if not r.failure and r.rps > 0]
    if not rates:
        fail = next(iter(got.values())).failure
        return f"calibration failed: {fail}"
    row.argv[i + 1] = str(max(10000, int(min(rates) * seconds)))
    return None


def med(results, key):
    vals = [key(x) for x in results if not x.failure]
    return statistics.median(vals) if vals else None


def summarize(rows, seconds):
    """Median figures per row and the ratio of its req/s to its baseline
    row's: the same proto, client and connections (for redis rows: go
    under fanout load with the same connections)."""
    by_key = {(r.server.name, r.server.proto, r.client, r.conns): r
              for r in rows if r.kind == "main"}
    out = []
    for r in rows:
        for label, pick in r.variants():
            res = [pick(x) for x in r.results]
            rps = med(res, lambda x: x.rps)
            if r.kind == "redis":
                base = by_key.get((r.baseline, "line", "fanout load", r.conns))
            else:
                # redis under fanout load --line PING: against go's line rows
                proto = "line" if r.server.proto == "resp" else r.server.proto
                base = by_key.get((r.baseline, proto, r.client, r.conns))
            # the ratio of each round (run i of this row against run i
            # of its baseline, run next to it), then their median: a
            # round that was slow for both counts as one, not as two
            rounds = []
            if base and r.kind == "main":
                for x, b in zip(res, base.results):
                    if not x.failure and not b.failure and b.rps:
                        rounds.append(x.rps / b.rps)
            served = med(res, lambda x: x.served)
            rss = med(res, lambda x: x.rss_kb)
            p99 = med(res, lambda x: x.p99_us)
            out.append({
                "row": r, "client": label, "rps": rps,
                "ratio": f"{statistics.median(rounds):.2f}" if rounds else "-",
                "rounds": rounds,
                "served": (f"{int(served)}/{r.conns}" if served is not None and served >= 0
                           else "-"),
                "rss": rss / 1024.0 if rss is not None else None,
                "p99": p99 if p99 is not None and p99 >= 0 else None,
                "errors": sum(x.errors for x in res if not x.failure),
                "failed": [x for x in res if x.failure],
                "runs": [x.rps for x in res if not x.failure],
                # fanout load stops early when every connection has been
                # closed by the server: its req/s then covers only that time.
                "short": min((x.secs for x in res if not x.failure and 0 <= x.secs < 0.9 * seconds),
                             default=None),
            })
    return out


def print_table(summary, runs):
    cols = ("server", "proto", "client", "conns", "req/s", "ratio", "served", "rss MiB")
    rowsets = [[s for s in summary if s["row"].kind == "main"],
               [s for s in summary if s["row"].kind == "redis"]]
    cells = []
    for s in summary:
        r = s["row"]
        cells.append((r.server.name, r.server.proto, s["client"], str(r.conns)))
    w = [max(len(cols[i]), *(len(c[i]) for c in cells)) if cells else len(cols[i])
         for i in range(4)]
    head = (f"{cols[0]:<{w[0]}}  {cols[1]:<{w[1]}}  {cols[2]:<{w[2]}}  {cols[3]:>{w[3]}}  "
            f"{cols[4]:>9}  {cols[5]:>6}  {cols[6]:>7}  {cols[7]:>7}")

    def line(s):
        r = s["row"]
        lead = (f"{r.server.name:<{w[0]}}  {r.server.proto:<{w[1]}}  "
                f"{s['client']:<{w[2]}}  {r.conns:>{w[3]}}  ")
        if s["failed"]:
            return lead + f"FAILED {len(s['failed'])}/{runs}: {s['failed'][0].failure}"
        tail = f"  errors {s['errors']}" if s["errors"] else ""
        if s["short"] is not None:
            tail += f"  ran only {s['short']:.2f} s"
        return (lead + f"{s['rps']:>9.0f}  {s['ratio']:>6}  {s['served']:>7}  "
                f"{s['rss']:>7.1f}" + tail)

    print(head)
    print("-" * len(head))
    for s in rowsets[0]:
        print(line(s))
    if rowsets[1]:
        print("-- a different client: redis speaks RESP, so these rows are driven by "
              "redis-benchmark (-P 1: one request in flight per connection, as with "
              "fanout load); ratio to go under fanout load, for orientation only")
        for s in rowsets[1]:
            print(line(s))
    # the target's other baseline: fanout's default model over redis, same client
    for s in rowsets[0]:
        r = s["row"]
        if r.server.name == "redis" and s["rps"]:
            for f in rowsets[0]:
                fr = f["row"]
                if (fr.server.name.startswith("fanout coro") and fr.server.proto == "line"
                        and fr.conns == r.conns and f["rps"]):
                    print(f"{fr.server.name} / redis (fanout load, {r.conns} conns): "
                          f"{f['rps'] / s['rps']:.2f}")
    for s in rowsets[0]:
        r = s["row"]
        if r.server.proto == "http" and r.server.name != r.baseline and s["rounds"]:
            print(f"{r.server.name} / {r.baseline} ({s['client']}, {r.conns} conns), per round: "
                  + ", ".join(f"{x:.2f}" for x in s["rounds"])
                  + f"; median {statistics.median(s['rounds']):.2f}")
    # where the time went: a client at a whole core is the limit, not the server
    for s in rowsets[0]:
        r = s["row"]
        ok = [x for x in r.results if not x.failure and x.wall > 0 and x.rps > 0]
        if r.server.proto == "http" and ok:
            cl = statistics.median(x.client_cpu / x.wall for x in ok)
            sv = statistics.median(x.server_cpu / x.wall for x in ok)
            us = statistics.median(x.server_cpu * 1e6 / (x.rps * x.wall) for x in ok)
            cus = statistics.median(x.client_cpu * 1e6 / (x.rps * x.wall) for x in ok)
            print(f"{r.server.name} ({s['client']}): medians over the runs: client {cl:.0%} of a core, "
                  f"{cus:.2f} us of client CPU a request; server {sv:.0%} of a core, "
                  f"{us:.2f} us of server CPU a request")
            # a client at a whole core caps req/s at 1 / (its CPU a request),
            # whatever the server does: say the cap, and what it allows the ratio
            if r.server.name != r.baseline and cl >= 0.95:
                base = [b for b in rowsets[0] if b["row"].server.name == r.baseline
                        and b["row"].conns == r.conns and b["rps"]]
                cap = 1e6 / cus
                if base:
                    print(f"  the client is the limit: at {cus:.2f} us a request one core of it "
                          f"gives at most {cap:.0f} req/s, {cap / base[0]['rps']:.2f}x "
                          f"{r.baseline}'s median, whatever the server does beyond making the "
                          f"client's own work a request smaller")
    print(f"medians of {runs} runs; ratio = the median over the rounds of req/s / req/s "
          f"of go (line) or nginx (http) in the same round, with the same client and "
          f"connections; served = connections that got any "
          f"reply (fanout load: connections - starved); rss = server's peak resident "
          f"set (VmHWM, summed over its processes) in MiB")


def write_csv(path, summary, pin):
    cols = ["server", "proto", "client", "connections", "runs_ok", "failed_runs", "failure",
            "rps_median", "ratio", "ratio_to", "served_median", "rss_median_mib",
            "p99_us_median", "errors", "shortest_run_s", "rps_runs", "server_pinned", "client_pinned",
            "server_command", "client_command"]
    try:
        f = open(path, "w", newline="")
    except OSError as e:
        die(f"cannot write csv '{path}': {e.strerror}", 1)
    with f:
        wr = csv.writer(f)
        wr.writerow(cols)
        for s in summary:
            r = s["row"]
            ok = not s["failed"]
            wr.writerow([
                r.server.name, r.server.proto, s["client"], r.conns, len(s["runs"]),
                len(s["failed"]), s["failed"][0].failure if s["failed"] else "",
                f"{s['rps']:.1f}" if ok else "", s["ratio"] if ok else "", r.baseline,
                s["served"].split("/")[0] if ok and s["served"] != "-" else "",
                f"{s['rss']:.2f}" if ok else "",
                f"{s['p99']:.1f}" if ok and s["p99"] is not None else "",
                s["errors"], f"{s['short']:.3f}" if s["short"] is not None else "",
                " ".join(f"{x:.1f}" for x in s["runs"]),
                "0" if pin else "", "1" if pin else "",
                shlex.join(r.server.argv), shlex.join(r.argv),
            ])


def versions():
    out = []
    for argv, pat in ((["nginx", "-v"], r"nginx/(\S+)"),
                      (["redis-server", "--version"], r"v=(\S+)"),
                      (["wrk", "--version"], r"wrk (\S+)")):
        if shutil.which(argv[0]):
            try:
                p = subprocess.run(argv, capture_output=True, timeout=5)
                m = re.search(pat, (p.stdout + p.stderr).decode(errors="replace"))
                if m:
                    out.append(f"{argv[0]} {m.group(1)}")
            except (OSError, subprocess.TimeoutExpired):
                pass
    return out


def on_signal(signum, frame):
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main():
    ap = argparse.ArgumentParser(
        prog="serve.py", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Servers (for --only): fanout coro:1, fanout threads, fanout processes:2, "
               "py-threads, py-asyncio, py-procpool:W, go, redis, nginx.")
    ap.add_argument("--clients", default="16,64",
                    help="connection counts for the line protocol (default 16,64)")
    ap.add_argument("--http-clients", type=int, default=64,
                    help="connections for the http rows (default 64)")
    ap.add_argument("--duration", "-d", default="3s",
                    help="how long each client runs (default 3s)")
    ap.add_argument("--runs", type=int, default=3,
                    help="runs of each row, round-robin; medians (default 3)")
    ap.add_argument("--only", default="",
                    help="comma-separated server names to run (both protos of "
                         "'fanout coro:1'), e.g. go,py-asyncio")
    ap.add_argument("--pool-workers", type=int, default=4,
                    help="workers of py-procpool (default 4)")
    ap.add_argument("--http-client", default="both", choices=["both", "wrk", "fanout-load"],
                    help="which client drives the http rows (default both)")
    ap.add_argument("--vs-nginx", action="store_true",
                    help="the HTTP comparison alone: fanout serve --proto http --model coro:1 "
                         "against nginx under wrk -t1 -c64, 5 rounds of 4 s, the median of "
                         "the per-round ratios (the same as --only 'fanout coro:1,nginx' "
                         "--http-only --http-client wrk --runs 5 --duration 4s)")
    ap.add_argument("--http-only", action="store_true", help="leave out the line and redis rows")
    ap.add_argument("--no-pin", action="store_true",
                    help="do not pin servers to core 0 and clients to core 1")
    ap.add_argument("--csv", metavar="FILE", help="also write the summary as CSV")
    ap.add_argument("--fanout", default=from_root("build/fanout"),
                    help="fanout binary (default build/fanout)")
    ap.add_argument("--go", default=from_root("build/bench/line-go"),
                    help="Go peer, as built by bench/serve.sh (default build/bench/line-go)")
    ap.add_argument("--python", default="/usr/bin/python3" if os.path.exists("/usr/bin/python3")
                    else sys.executable,
                    help="interpreter for the Python peers (default /usr/bin/python3)")
    args = ap.parse_args()
    if args.vs_nginx:
        # its method, unless --runs or --duration say otherwise
        given = {a.split("=")[0] for a in sys.argv[1:]}
        args.only, args.http_only, args.http_client = "fanout coro:1,nginx", True, "wrk"
        if "--runs" not in given:
            args.runs = 5
        if not given & {"--duration", "-d"}:
            args.duration = "4s"
    if args.runs < 1:
        die("--runs must be at least 1")
    try:
        args.seconds = parse_duration(args.duration)
    except ValueError as e:
        die(str(e))
    try:
        args.clients = [int(c) for c in args.clients.split(",") if c.strip()]
    except ValueError:
        die(f"bad --clients '{args.clients}': expected e.g. 16,64")
    if not args.clients or min(args.clients) < 1 or args.http_clients < 1:
        die("connection counts must be at least 1")
    if args.pool_workers < 1:
        die("--pool-workers must be at least 1")
    for prog in (args.fanout,):
        why = missing_program(prog)
        if why:
            die(f"{why} (run make first)")

    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:
        cpus = list(range(os.cpu_count() or 1))
    pin = not args.no_pin and {0, 1} <= set(cpus) and shutil.which("taskset") is not None
    if not args.no_pin and not pin:
        note("not pinning: needs cores 0 and 1 and taskset")

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, on_signal)
    # Kept after the run: the printed nginx and redis commands refer to
    # the nginx.conf and the directory written here, and each server's last
    # output is left in NAME.log.
    workdir = os.path.join(ROOT, "build", "bench", "serve")
    os.makedirs(workdir, exist_ok=True)
    status = 0
    try:
        specs, rows = build_rows(args, workdir, pin)
        if not rows:
            die("nothing to run")
        for s in specs:
            if s.prep:
                s.prep(workdir)
        for r in rows:
            if r.kind == "redis":
                why = calibrate_redis(r, workdir, args.seconds)
                if why:
                    r.calibration_failure = why

        print(f"# cwd: {os.getcwd()}")
        print(f"# reproduce: {shlex.join([sys.executable] + sys.argv)}")
        print(f"# host: {platform.system()} {platform.release()} {platform.machine()}, "
              f"{os.cpu_count()} cpus; python {platform.python_version()}"
              + "".join(f"; {v}" for v in versions()))
        print(f"# load average at start: {os.getloadavg()[0]:.2f} "
              f"(anything else running on these cores skews the figures)")
        print("# placement: " + ("server on core 0 (taskset -c 0), client on core 1 "
                                 "(taskset -c 1)" if pin else "unpinned"))
        print(f"# {args.runs} runs of each row, round-robin, a fresh server for each; commands:")
        for s in specs:
            if not any(r.server is s for r in rows):
                continue
            print(f"#   server {s.name} ({s.proto}): {shlex.join(s.argv)}")
            if s.name == "nginx":
                conf = os.path.join(workdir, "nginx", "nginx.conf")
                with open(conf) as f:
                    print("#     nginx.conf: " + " ".join(f.read().split()))
            for r in rows:
                if r.server is s:
                    print(f"#     client: {shlex.join(r.argv)}")
        sys.stdout.flush()

        for i in range(args.runs):
            for r in rows:
                if r.calibration_failure:
                    res = {t: Result(failure=r.calibration_failure) for t in REDIS_TESTS}
                else:
                    res = run_row(r, workdir, REDIS_TESTS if r.kind == "redis" else None)
                r.results.append(res)
                for label, pick in r.variants():
                    x = pick(res)
                    what = (f"FAILED: {x.failure}" if x.failure else
                            f"{x.rps:.0f} req/s"
                            + (f", served {x.served}/{r.conns}" if x.served >= 0 else "")
                            + f", rss {x.rss_kb / 1024:.1f} MiB"
                            + (f"; CPU: client {x.client_cpu / x.wall:.0%} of a core "
                               f"({x.client_cpu * 1e6 / (x.rps * x.wall):.2f} us a request), "
                               f"server {x.server_cpu / x.wall:.0%} "
                               f"({x.server_cpu * 1e6 / (x.rps * x.wall):.2f} us a request)"
                               if x.wall > 0 and x.rps > 0 else ""))
                    print(f"[{i + 1}/{args.runs}] {r.server.name} {r.server.proto} "
                          f"{label} c={r.conns}: {what}", file=sys.stderr, flush=True)

        print()
        print(f"# load average at end: {os.getloadavg()[0]:.2f}")
        if Server.lingered:
            print("# ports still bound after their server had exited (waited for before "
                  "the next start): " + ", ".join(f"{n} {t * 1000:.1f} ms"
                                                  for n, t in Server.lingered))
        summary = summarize(rows, args.seconds)
        print_table(summary, args.runs)
        if args.csv:
            write_csv(args.csv, summary, pin)
        if any(s["failed"] for s in summary):
            status = 1
    except KeyboardInterrupt as e:
        note(f"interrupted ({e or 'SIGINT'}): stopping the servers")
        status = 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        Server.stop_all()
    return status


if __name__ == "__main__":
    sys.exit(main())
