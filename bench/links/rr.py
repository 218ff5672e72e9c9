#!/usr/bin/python3
"""Issue 14's third target: a link to another host starts within about one
response time of being found, whatever the site's own queue holds.

    bench/links/rr.py [--before /work/main/build/fanout] [--after build/fanout]
                      [--pages 2000] [--latency 50ms] [--slow 8] [--timeout 5s]
                      [--runs 3] [--workdir DIR]

The site: --pages pages, every one three links from the start at most (the
start links 12 sections, each section its share of the second level, each
of those its share of the third), served by tests/fixtures/site/serve.py
on 127.0.0.1 with every response --latency late. The last three pages of
the second level each link to one page of an outside host (serve.py
--external on 127.0.0.2) that answers after --slow seconds: so those three
links sit three links deep and are found after nearly all the site's pages
are queued. Each fanout runs `links START --timeout T --format json`; the
three slow links are broken (timed out), nothing else.

One queue in discovery order asks the slow host only once the site's
queue is drained, so the run takes the timeout plus that time; round robin
asks it at once, and the run takes the timeout plus a little (the target:
wall <= timeout + 0.5 s). For each run: wall (/usr/bin/time), exit status,
broken count, when the slow host got its first request (seconds after
fanout started), and the longest a slow link waited between being found
(its page's request plus the latency) and being asked; both from the
request log the two servers share (serve.py --log, CLOCK_MONOTONIC). Entries run
round-robin (before 1, after 1, before 2...), medians of --runs.

Standard library only.
"""
import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SITE = os.path.join(ROOT, "tests", "fixtures", "site")
PY = sys.executable or "python3"
TIME = "/usr/bin/time"


def die(msg):
    sys.stderr.write("rr.py: %s\n" % msg)
    sys.exit(2)


def seconds(s):
    m = re.fullmatch(r"([0-9.]+)(ms|s)", s)
    if not m:
        raise argparse.ArgumentTypeError("bad duration '%s': expected e.g. 50ms or 5s" % s)
    return float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)


class Server:
    """One serve.py on port 0; its origin from its first line."""

    def __init__(self, args, err_path):
        argv = [PY, os.path.join(SITE, "serve.py")] + args + ["--owner", str(os.getpid()), "--max-life", "0"]
        self.err = open(err_path, "w")
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.err, text=True)
        m = re.match(r"listening on (\S+) port (\d+)", self.p.stdout.readline())
        if not m:
            self.stop()
            die("serve.py did not start (see %s)" % err_path)
        self.origin = "http://%s:%s" % (m.group(1), m.group(2))

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def page(title, links):
    body = "".join('<li><a href="%s">%s</a></li>\n' % (u, u) for u in links)
    return "<!doctype html><html><head><title>%s</title></head><body><h1>%s</h1><ul>\n%s</ul></body></html>\n" % (
        title, title, body)


def gensite(d, pages, slow_origin, slow):
    """Writes the site into d: start, 12 sections, the rest split between the
    second and third levels so that the third is about 12 times the second."""
    sections = 12
    rest = max(pages - 1 - sections, 0)
    second = max(rest // 13, 3)
    third = max(rest - second, 0)
    files, holders = {}, {}
    l1 = ["/s%d/" % i for i in range(sections)]
    l2 = ["/s%d/p%d/" % (i % sections, i) for i in range(second)]
    l3 = ["%sq%d.html" % (l2[i % second], i) for i in range(third)]
    files["/index.html"] = page("start", l1)
    for i, s in enumerate(l1):
        files[s + "index.html"] = page(s, [p for p in l2 if p.startswith(s)] + ["/"])
    for i, p in enumerate(l2):
        links = [q for q in l3 if q.startswith(p)] + ["/", p.rsplit("/", 2)[0] + "/"]
        if i >= second - 3:
            sp = "/slow/%g/%d" % (slow, second - i)
            links.append(slow_origin + sp)
            holders[sp] = p
        files[p + "index.html"] = page(p, links)
    for q in l3:
        files[q] = page(q, ["/", q.rsplit("/", 1)[0] + "/"])
    for path, text in files.items():
        full = os.path.join(d, path.lstrip("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)
    return 1 + sections + second + third, holders


def read_log(log):
    """serve.py --log lines: (monotonic seconds, addr:port, method, path)."""
    out = []
    with open(log) as f:
        for ln in f:
            p = ln.rstrip("\n").split(" ", 3)
            if len(p) == 4:
                out.append((float(p[0]), p[1], p[2], p[3]))
    return out


def run_one(fanout, start, timeout, latency, log, holders, workdir):
    """One measured run. holders: slow path -> path of the page that links
    it. From the log: when the slow host was first asked, and the longest
    a slow link waited between being found (its page's answer: the page's
    request plus the latency) and being asked."""
    open(log, "w").close()
    tf = os.path.join(workdir, "time.out")
    rep = os.path.join(workdir, "report.json")
    argv = [TIME, "-f", "%e", "-o", tf, fanout, "links", start, "--timeout", timeout, "--format", "json", "-o", rep]
    t0 = time.monotonic()
    rc = subprocess.call(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(tf) as f:
        wall = float([ln for ln in f.read().split() if ln.strip()][-1])
    try:
        with open(rep) as f:
            broken = len(json.load(f).get("broken", []))
    except (OSError, ValueError):
        broken = None
    first, asked = {}, {}
    for ts, _, _, path in read_log(log):
        first.setdefault(path, ts)
    for sp, holder in holders.items():
        if sp in first and holder in first:
            asked[sp] = first[sp] - (first[holder] + latency)
    slow_at = min((first[sp] for sp in holders if sp in first), default=None)
    return {"rc": rc, "wall": wall, "broken": broken,
            "slow_at": slow_at - t0 if slow_at is not None else None,
            "wait": max(asked.values()) if len(asked) == len(holders) else None}


def fsec(x):
    return "%.2f s" % x if x is not None else "-"


def mednn(rs, key):
    xs = [r[key] for r in rs if r[key] is not None]
    return statistics.median(xs) if xs else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", default="/work/main/build/fanout", help="the fanout to compare against")
    ap.add_argument("--after", default=os.path.join(ROOT, "build", "fanout"))
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--latency", default="50ms")
    ap.add_argument("--slow", type=float, default=8.0, help="seconds the outside host takes")
    ap.add_argument("--timeout", default="5s")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workdir")
    a = ap.parse_args()
    seconds(a.latency), seconds(a.timeout)
    for b in (a.before, a.after):
        if not os.access(b, os.X_OK):
            die("cannot run '%s'" % b)
    workdir = a.workdir or tempfile.mkdtemp(prefix="fanout-rr.")
    site = os.path.join(workdir, "site")
    log = os.path.join(workdir, "requests.log")
    os.makedirs(site, exist_ok=True)
    slow = Server(["--external", "--bind", "127.0.0.2", "--port", "0", "--slow", str(a.slow), "--log", log],
                  os.path.join(workdir, "slow.err"))
    main_srv = None
    try:
        n, holders = gensite(site, a.pages, slow.origin, a.slow)
        main_srv = Server(["--root", site, "--port", "0", "--latency", a.latency, "--log", log],
                          os.path.join(workdir, "main.err"))
        start = main_srv.origin + "/"
        print("# site: %d pages, three links to %s/slow/%g/N three links deep; responses %s late"
              % (n, slow.origin, a.slow, a.latency))
        print("# command: %s links %s --timeout %s --format json -o report.json" % ("FANOUT", start, a.timeout))
        print("# reproduce: %s" % " ".join(shlex.quote(x) for x in sys.argv))
        res = {"before": [], "after": []}
        for i in range(a.runs):
            for name, b in (("before", a.before), ("after", a.after)):
                r = run_one(b, start, a.timeout, seconds(a.latency), log, holders, workdir)
                res[name].append(r)
                print("run %d %-6s wall %.2f s  slow host first asked at %s  longest wait found->asked %s"
                      "  broken %s  rc %d" % (i + 1, name, r["wall"], fsec(r["slow_at"]), fsec(r["wait"]),
                                              r["broken"], r["rc"]), flush=True)
        limit = seconds(a.timeout) + 0.5
        print()
        print("| fanout | wall (median of %d) | runs | slow host first asked | found -> asked (longest) | broken |"
              % a.runs)
        print("| --- | ---: | --- | ---: | ---: | ---: |")
        meds = {}
        for name, b in (("before", a.before), ("after", a.after)):
            rs = res[name]
            meds[name] = statistics.median(r["wall"] for r in rs)
            print("| %s (%s) | %.2f s | %s | %s | %s | %s |" % (
                name, b, meds[name], ", ".join("%.2f" % r["wall"] for r in rs), fsec(mednn(rs, "slow_at")),
                fsec(mednn(rs, "wait")), ", ".join(str(r["broken"]) for r in rs)))
        print()
        print("after/before: %.2f; target wall <= timeout + 0.5 s = %.1f s: %s" % (
            meds["after"] / meds["before"], limit, "met" if meds["after"] <= limit else "NOT met"))
    finally:
        if main_srv:
            main_srv.stop()
        slow.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
