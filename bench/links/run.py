#!/usr/bin/python3
"""fanout links against LinkChecker and linkinator, on one generated site.

    bench/links/run.py [--pages 2000] [--runs 3] [--latency 50ms] [--timeout 5]
                       [--only fanout,linkinator,...] [--fanout build/fanout]
                       [--big 100000] [--big-only] [--workdir DIR] [--json FILE]

Generates the test site of `fanout links` (tests/fixtures/site/gensite.py,
--pages pages) with its "external" host on 127.0.0.2, serves both hosts
with serve.py, every response --latency late, and runs each checker
--runs times, round-robin (run 1 of every entry, then run 2, ...), so that
noise on the machine hits every entry alike. For each run it takes:

- wall, user+sys CPU and peak RSS from /usr/bin/time (-f '%e %U %S %M'):
  CPU covers the whole process tree (every waited-for descendant); %M is
  the peak RSS of the largest single process. A thread of this runner
  also walks the process tree every 100 ms and records every process it
  sees; the table says how many there were (1 for every checker here:
  fanout execs fanout-tools in place, linkinator is one node process,
  LinkChecker one Python process with threads). /usr/bin/time forks the
  checker from a small C program, so the RSS floor is about 2 MB, not
  this interpreter's 10.
- the requests each host served (GET /__stats?reset=1 before the run,
  GET /__stats after it: requests by method, distinct paths, connections)
  and the CPU the two servers used meanwhile (from /proc/PID/stat);
- correctness: each checker's broken links, turned into fanout's JSON
  shape {"broken": [{"url": ...}]} (convert.py) and scored by
  tests/fixtures/site/score.py --robots against the site's expected.json,
  plus a split of the misses into broken targets and broken #fragments.

Then a table of medians, with ratios against the fastest peer (the peer
entry with the smallest median wall among those that completed every run),
and fanout's targets checked. --big N then runs fanout alone on a site of
N pages (generated here, timed), once per --big-runs.

Every checker keeps robots.txt on: fanout and LinkChecker obey it by
default; linkinator has no robots.txt support, so it gets --skip for the
one path robots.txt disallows (/private/), which is what obeying it means
here (neither fetched nor reported).

Standard library only. Needs: linkchecker (Debian's package), node and
bench/links/node_modules (npm ci --prefix bench/links), /usr/bin/time;
bench/links/run.sh installs what is missing and builds fanout.
"""
import argparse
import json
import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SITE = os.path.join(ROOT, "tests", "fixtures", "site")
PY = "/usr/bin/python3"
TIME = "/usr/bin/time"
PROG = "bench/links"
CLK = os.sysconf("SC_CLK_TCK")

sys.path.insert(0, HERE)
import convert  # noqa: E402


def die(msg):
    sys.stderr.write("%s: %s\n" % (PROG, msg))
    sys.exit(2)


def parse_ms(s):
    m = re.fullmatch(r"([0-9.]+)(ms|s)", s)
    if not m:
        raise argparse.ArgumentTypeError("bad duration '%s': expected e.g. 50ms or 1s" % s)
    return float(m.group(1)) * (1 if m.group(2) == "ms" else 1000)


# --- the servers ---------------------------------------------------------------------------------

class Server:
    """One serve.py, started on port 0; its port from its first line."""

    def __init__(self, name, args, logdir):
        self.name = name
        self.argv = [PY, os.path.join(SITE, "serve.py")] + args + ["--owner", str(os.getpid()), "--max-life", "0"]
        self.err = open(os.path.join(logdir, name + ".err"), "w")
        self.p = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=self.err, text=True)
        line = self.p.stdout.readline()
        m = re.match(r"listening on (\S+) port (\d+)", line)
        if not m:
            self.stop()
            die("serve.py '%s' did not start: %r (see %s)" % (name, line, self.err.name))
        self.host, self.port = m.group(1), int(m.group(2))
        self.origin = "http://%s:%d" % (self.host, self.port)

    def stats(self, reset=False):
        with urllib.request.urlopen(self.origin + "/__stats" + ("?reset=1" if reset else ""), timeout=60) as r:
            return json.load(r)

    def cpu(self):
        """user+sys seconds this server has used so far (all its threads)."""
        with open("/proc/%d/stat" % self.p.pid) as f:
            st = f.read().rsplit(")", 1)[1].split()
        return (int(st[11]) + int(st[12])) / CLK

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


# --- one measured run ----------------------------------------------------------------------------

def children_of(pids):
    """Every process whose parent is in pids, by one walk of /proc."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(st[1]) in pids:
            out[int(d)] = True
    return out


class TreeWatch(threading.Thread):
    """Samples the process tree under root every 100 ms: the processes seen
    and the largest sum of their RSS (a sampled figure, unlike %M)."""

    def __init__(self, root):
        super().__init__(daemon=True)
        self.root, self.seen, self.peak_sum_kb, self.done = root, set(), 0, threading.Event()

    def run(self):
        while not self.done.is_set():
            tree, frontier = set(), {self.root}
            while frontier:
                kids = set(children_of(frontier)) - tree
                tree |= kids
                frontier = kids
            total = 0
            for pid in tree:
                try:
                    with open("/proc/%d/status" % pid) as f:
                        for line in f:
                            if line.startswith("VmRSS:"):
                                total += int(line.split()[1])
                                break
                except OSError:
                    pass
            self.seen |= tree
            self.peak_sum_kb = max(self.peak_sum_kb, total)
            self.done.wait(0.1)


def measured(argv, stdout_path, stderr_path, limit):
    """Runs argv under /usr/bin/time; returns a dict of figures."""
    tf = tempfile.NamedTemporaryFile(prefix="time.", delete=False)
    tf.close()
    full = [TIME, "-f", "%e %U %S %M", "-o", tf.name] + argv
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        p = subprocess.Popen(full, stdout=out, stderr=err, start_new_session=True)
        w = TreeWatch(p.pid)
        w.start()
        killed = False
        try:
            p.wait(limit)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            killed = True
        w.done.set()
        w.join()
    r = {"rc": p.returncode, "killed": killed, "procs": len(w.seen), "tree_rss_sampled_kb": w.peak_sum_kb}
    try:
        with open(tf.name) as f:
            last = [ln for ln in f.read().splitlines() if ln.strip()][-1].split()
        r.update(wall=float(last[0]), user=float(last[1]), sys=float(last[2]), maxrss_kb=int(last[3]))
    except (OSError, IndexError, ValueError):
        r.update(wall=None, user=None, sys=None, maxrss_kb=None)
    os.unlink(tf.name)
    return r


# --- the entries ---------------------------------------------------------------------------------

class Entry:
    def __init__(self, name, label, argv, fmt, peer, out_is_stdout=True, extra=False):
        self.name, self.label, self.argv, self.fmt, self.peer = name, label, argv, fmt, peer
        self.out_is_stdout, self.extra = out_is_stdout, extra
        self.runs = []


def entries(a, main, ext):
    M = main.origin + "/"
    to = a.timeout
    lk = os.path.join(HERE, "node_modules", ".bin", "linkinator")
    rc = os.path.join(HERE, "linkcheckerrc")
    skip_private = "^" + re.escape(main.origin) + "/private/"
    lc = ["-f", rc, "--check-extern", "-r", "-1", "--timeout", "%g" % to, "-o", "csv", "--no-status"]
    es = [
        Entry("fanout", "fanout links (defaults)",
              [a.fanout, "links", M, "--timeout", "%gs" % to, "--format", "json", "-o", "{out}"],
              "fanout", False, out_is_stdout=False),
        # Diagnostics, run only when named (--only, --extra): the crawl
        # without the one target that takes the whole timeout (so one
        # miss), and with 4 requests in flight (what keeps connections
        # alive: see docs/BENCHMARKS.md).
        Entry("fanout-noslow", "fanout links, --exclude '/slow$' (diagnostic)",
              [a.fanout, "links", M, "--timeout", "%gs" % to, "--format", "json", "-o", "{out}",
               "--exclude", "/slow$"], "fanout", False, out_is_stdout=False, extra=True),
        Entry("fanout-c4", "fanout links, --max-concurrency 4 (diagnostic)",
              [a.fanout, "links", M, "--timeout", "%gs" % to, "--format", "json", "-o", "{out}",
               "--max-concurrency", "4"], "fanout", False, out_is_stdout=False, extra=True),
        Entry("linkinator", "linkinator --recurse --timeout %d (concurrency 100)" % (to * 1000),
              [lk, M, "--recurse", "--timeout", "%d" % (to * 1000), "--format", "json", "--skip", skip_private],
              "linkinator", True),
        Entry("linkinator-nohuge", "linkinator, same, --skip /huge.html",
              [lk, M, "--recurse", "--timeout", "%d" % (to * 1000), "--format", "json", "--skip", skip_private,
               "--skip", r"/huge\.html$"], "linkinator", True),
        Entry("linkinator-best", "linkinator, same, --skip /huge.html --check-fragments --retry",
              [lk, M, "--recurse", "--timeout", "%d" % (to * 1000), "--format", "json", "--skip", skip_private,
               "--skip", r"/huge\.html$", "--check-fragments", "--retry"], "linkinator", True),
        Entry("linkchecker", "LinkChecker (10 threads, its default)",
              ["linkchecker"] + lc + [M], "linkchecker", True),
        Entry("linkchecker-100", "LinkChecker -t 100",
              ["linkchecker", "-t", "100"] + lc + [M], "linkchecker", True),
        Entry("linkchecker-100-unpaced", "LinkChecker -t 100, per-host pause off",
              [PY, os.path.join(HERE, "linkchecker_unpaced.py"), "-t", "100"] + lc + [M], "linkchecker", True),
    ]
    named = (a.only.split(",") if a.only else []) + (a.extra.split(",") if a.extra else [])
    unknown = set(named) - {e.name for e in es}
    if unknown:
        die("unknown entry '%s': the entries are %s" % (sorted(unknown)[0], ", ".join(e.name for e in es)))
    if a.only:
        return [e for e in es if e.name in named]
    return [e for e in es if not e.extra or e.name in named]


def score(exp_path, base, report_path):
    """score.py --robots on a report in fanout's JSON shape: (line, ok)."""
    p = subprocess.run([PY, os.path.join(SITE, "score.py"), "--expected", exp_path, "--base", base,
                        "--fanout", report_path, "--robots"], capture_output=True, text=True)
    return p.stdout.strip(), p.returncode == 0


def breakdown(exp, base, report):
    """found/missed split into targets and #fragments, false alarms, with URLs."""
    sc = convert.score_module()
    want_t, want_f = set(), set()
    for b in exp["broken"]:
        if b.get("robots", "allowed") != "allowed":
            continue
        (want_f if b["kind"] == "fragment" else want_t).add(sc.canon(b["url"], base))
    got = {sc.canon(b["url"], base) for b in report["broken"]}
    late = {sc.canon(b["url"], base) for b in report["broken"] if b.get("no_answer")}
    false = got - want_t - want_f
    return {
        "targets": len(want_t), "targets_found": len(want_t & got),
        "fragments": len(want_f), "fragments_found": len(want_f & got),
        "missed": sorted((want_t | want_f) - got), "false": sorted(false),
        "false_no_answer": len(false & late),
    }


def run_one(e, i, a, main, ext, exp, workdir):
    out = os.path.join(workdir, "%s.%s.out" % (e.name, i))
    err = os.path.join(workdir, "%s.%s.err" % (e.name, i))
    argv = [x.replace("{out}", out) for x in e.argv]
    for s in (main, ext):
        s.stats(reset=True)
    cpu0 = main.cpu() + ext.cpu()
    load0 = os.getloadavg()[0]
    r = measured(argv, out if e.out_is_stdout else os.devnull, err, a.run_limit)
    r["server_cpu"] = round(main.cpu() + ext.cpu() - cpu0, 2)
    r["load"] = (round(load0, 1), round(os.getloadavg()[0], 1))
    sm, se = main.stats(), ext.stats()
    r["requests"] = sm["requests"] + se["requests"]
    r["requests_main"], r["requests_ext"] = sm["requests"], se["requests"]
    meth = {}
    for s in (sm, se):
        for k, v in s["methods"].items():
            meth[k] = meth.get(k, 0) + v
    r["methods"] = meth
    r["paths"] = len(sm["paths"]) + len(se["paths"])
    r["refetched"] = sum(1 for s in (sm, se) for m in s["paths"].values() for n in m.values() if n > 1)
    r["connections"] = sm["connections"] + se["connections"]
    r["peak_inflight_main"] = sm["peak_inflight"]
    r["failure"] = ""
    if r["killed"]:
        r["failure"] = "killed after %d s" % a.run_limit
    elif r["rc"] not in (0, 1) or r["wall"] is None:
        r["failure"] = "exit %s" % r["rc"]
    rep = None
    if not r["failure"]:
        try:
            rep = convert.load(e.fmt, out)
        except convert.Unreadable as x:
            r["failure"] = "no report: %s" % x
    if r["failure"]:
        tail = open(err, errors="replace").read().strip().splitlines()
        first = next((ln.strip() for ln in tail if re.search(r"Error|error:|Traceback|killed", ln)), "")
        r["failure"] += (": " + first[:160]) if first else ""
        r["stderr_tail"] = tail[-12:]
        return r
    jp = os.path.join(workdir, "%s.%s.broken.json" % (e.name, i))
    with open(jp, "w") as f:
        json.dump(rep, f)
    r["score_line"], r["score_ok"] = score(a.expected_path, main.origin, jp)
    r.update(breakdown(exp, main.origin, rep))
    r["other_schemes"] = rep.get("other_schemes", [])
    r["reported"] = len(rep["broken"])
    return r


# --- the table -----------------------------------------------------------------------------------

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fnum(x, fmt):
    return "-" if x is None else fmt % x


def ratio(x, b):
    return "-" if x is None or not b else "%.2f" % (x / b)


def span(runs, key):
    v = sorted({r[key] for r in runs})
    return str(v[0]) if len(v) == 1 else "%d–%d" % (v[0], v[-1])


def table(es, exp, a):
    """The markdown table of medians; the fastest peer and its medians."""
    for e in es:
        for r in e.runs:
            if not r["failure"]:
                r["false_n"] = len(r["false"])
                r["cpu"] = r["user"] + r["sys"]
    done = [e for e in es if e.runs and all(not r["failure"] for r in e.runs)]
    peers = [e for e in done if e.peer]
    fastest = min(peers, key=lambda e: med([r["wall"] for r in e.runs])) if peers else None
    b = {}
    if fastest:
        b = {k: med([r[k] for r in fastest.runs]) for k in ("wall", "cpu", "maxrss_kb")}
    targets = exp["robots"]["targets"]["total"]
    lines = ["| entry | wall s: median (best) | CPU s | peak RSS MiB | wall × peer | CPU × peer | RSS × peer "
             "| requests (GET+HEAD) | req / target | connections | servers' CPU s | broken targets found "
             "| broken #fragments found | false alarms (no answer in time) | load avg. |",
             "| --- " + "| ---: " * 14 + "|"]
    for e in es:
        ok = [r for r in e.runs if not r["failure"]]
        bad = [r for r in e.runs if r["failure"]]
        if bad:
            lines.append("| %s | FAILED in %d of %d runs: %s |%s" % (
                e.label, len(bad), len(e.runs), bad[0]["failure"].replace("|", "\\|"), " |" * 13))
            if not ok:
                continue
        wall = med([r["wall"] for r in ok])
        cpu = med([r["cpu"] for r in ok])
        rss = med([r["maxrss_kb"] for r in ok])
        req = med([r["requests"] for r in ok])
        name = ("**%s**" % e.label) if not e.peer else e.label
        if bad:
            name += " (the %d runs that completed)" % len(ok)
        if e is fastest:
            name += " ← fastest peer"
        lines.append("| %s | %.2f (%.2f) | %.2f | %.1f | %s | %s | %s | %d (%d+%d) | %.3f | %d | %.2f | %s/%d | %s/%d "
                     "| %s (%s) | %s |" % (
                         name, wall, min(r["wall"] for r in ok), cpu, rss / 1024,
                         ratio(wall, b.get("wall")), ratio(cpu, b.get("cpu")), ratio(rss, b.get("maxrss_kb")),
                         req, med([r["methods"].get("GET", 0) for r in ok]),
                         med([r["methods"].get("HEAD", 0) for r in ok]), req / targets,
                         med([r["connections"] for r in ok]), med([r["server_cpu"] for r in ok]),
                         span(ok, "targets_found"), ok[0]["targets"], span(ok, "fragments_found"),
                         ok[0]["fragments"], span(ok, "false_n"), span(ok, "false_no_answer"),
                         "%.0f–%.0f" % (min(x for r in ok for x in r["load"]), max(x for r in ok for x in r["load"]))))
    return "\n".join(lines), fastest, b


def targets_report(es, fastest, b, exp, a):
    f = next((e for e in es if e.name == "fanout"), None)
    if not f or not f.runs:
        return ""
    ok = [r for r in f.runs if not r["failure"]]
    if not ok:
        return "fanout failed: %s" % f.runs[0]["failure"]
    wall = med([r["wall"] for r in ok])
    rss = med([r["maxrss_kb"] for r in ok]) / 1024
    req = med([r["requests"] for r in ok])
    worst_wall = max(r["wall"] for r in ok)
    worst_rss = max(r["maxrss_kb"] for r in ok) / 1024
    targets = exp["robots"]["targets"]["total"]
    out = []

    def t(name, ok_, detail):
        out.append("- %s: %s (%s)" % (name, "met" if ok_ else "NOT met", detail))
    t("wall ≤ timeout + 1 s = %g s" % (a.timeout + 1), wall <= a.timeout + 1,
      "median %.2f s, slowest run %.2f s" % (wall, worst_wall))
    if fastest:
        t("wall ≤ ½ of the fastest peer's", wall <= b["wall"] / 2,
          "%.2f s against %s's %.2f s: %.2f×" % (wall, fastest.label, b["wall"], wall / b["wall"]))
    t("requests ≤ 1.05 × distinct targets", req <= 1.05 * targets,
      "%d requests counted by the servers for %d distinct targets: %.3f×" % (req, targets, req / targets))
    t("peak RSS ≤ 40 MB", worst_rss * 1.048576 <= 40,
      "median %.1f MiB, largest %.1f MiB = %.1f MB" % (rss, worst_rss, worst_rss * 1.048576))
    allok = all(r["score_ok"] for r in ok)
    t("every broken link found, no false alarm", allok,
      "; ".join(sorted({r["score_line"].splitlines()[0] for r in ok})))
    return "\n".join(out)


def gensite(a, ext, pages, site):
    """Writes the site (gensite.py), unless DIR holds one written with the
    same arguments (--ext-port keeps the external origin, and so the site,
    the same from one invocation to the next). Returns (summary, seconds
    or None when reused, /usr/bin/time's figures)."""
    try:
        with open(os.path.join(site, "expected.json")) as f:
            old = json.load(f)["args"]
        if old == {"pages": pages, "seed": 1, "external_base": ext.origin}:
            return "reused %s (gensite.py --pages %d --external-base %s)" % (site, pages, ext.origin), None, ""
    except (OSError, ValueError, KeyError):
        pass
    t0 = time.monotonic()
    g = subprocess.run([TIME, "-f", "%e s wall, %U s user, %S s sys, %M kB peak RSS", PY,
                        os.path.join(SITE, "gensite.py"), site, "--pages", str(pages),
                        "--external-base", ext.origin, "--force"], capture_output=True, text=True)
    if g.returncode:
        die("gensite failed: %s" % g.stderr.strip())
    return g.stdout.strip(), time.monotonic() - t0, g.stderr.strip().splitlines()[-1]


def report(es, exp, a):
    """The table, fanout's targets, and every miss and false alarm."""
    tab, fastest, b = table(es, exp, a)
    print(tab)
    print("\nTargets (fanout, medians of %d runs):" % max(len(e.runs) for e in es))
    print(targets_report(es, fastest, b, exp, a))
    print("\nWhat each missed or reported falsely (URLs, first run that completed):")
    for e in es:
        ok = [r for r in e.runs if not r["failure"]]
        if not ok:
            continue
        r = ok[0]
        print("- %s: %d missed, %d false alarms (%d of them no answer in time)%s" % (
            e.name, len(r["missed"]), len(r["false"]), r["false_no_answer"],
            ("; also reported %d non-HTTP links (%s)" % (len(r["other_schemes"]), ", ".join(r["other_schemes"][:3])))
            if r["other_schemes"] else ""))
        for u in r["missed"]:
            print("    missed: %s" % u)
        for u in r["false"][:40]:
            print("    false alarm: %s" % u)
        if len(r["false"]) > 40:
            print("    ... and %d more false alarms" % (len(r["false"]) - 40))


def table_from(a):
    """Rebuilds the table from a results.json and the reports next to it."""
    with open(a.table_from) as f:
        res = json.load(f)
    args = res["args"]
    a.expected_path, a.timeout = args["expected_path"], args["timeout"]
    with open(a.expected_path) as f:
        exp = json.load(f)
    wd = os.path.dirname(os.path.abspath(a.table_from))
    es = []
    for name, d in res["entries"].items():
        e = Entry(name, d["label"], d["argv"], None, not name.startswith("fanout"))
        base = next(x for x in d["argv"] if x.startswith("http://")).rstrip("/")
        fmt = "fanout" if name.startswith("fanout") else "linkinator" if name.startswith("linkinator") else "linkchecker"
        for i, r in enumerate(d["runs"]):
            if not r["failure"]:
                r.update(breakdown(exp, base, convert.load(fmt, os.path.join(wd, "%s.%d.out" % (name, i)))))
            e.runs.append(r)
        es.append(e)
    report(es, exp, a)
    return 0


# --- the 100,000-page run ------------------------------------------------------------------------

def big(a, ext, workdir):
    site = os.path.join(workdir, "site-%d" % a.big)
    print("\n## fanout alone on %d pages" % a.big, flush=True)
    summary, gen_s, gen_time = gensite(a, ext, a.big, site)
    print("# %s%s" % (summary, "" if gen_s is None else " (%s)" % gen_time), flush=True)
    exp_path = os.path.join(site, "expected.json")
    with open(exp_path) as f:
        exp = json.load(f)
    main = Server("main-%d" % a.big, ["--root", site, "--port", "0", "--latency", "%gms" % a.latency], workdir)
    res = {"pages": a.big, "gensite_s": gen_s, "gensite": summary, "gensite_time": gen_time, "runs": []}
    to = a.big_timeout if a.big_timeout is not None else a.timeout
    try:
        e = Entry("fanout", "fanout links (defaults)",
                  [a.fanout, "links", main.origin + "/", "--timeout", "%gs" % to, "--format", "json",
                   "-o", "{out}"], "fanout", False, out_is_stdout=False)
        print("$ " + " ".join(shlex.quote(x) for x in e.argv).replace("{out}", "OUT.json"), flush=True)
        aa = argparse.Namespace(**vars(a))
        aa.expected_path = exp_path
        for i in range(a.big_runs):
            r = run_one(e, "big%d-%gs" % (i, to), aa, main, ext, exp, workdir)
            res["runs"].append(r)
            print(json.dumps({k: v for k, v in r.items() if k not in ("missed", "false", "stderr_tail", "score_line")}),
                  flush=True)
            if r["failure"]:
                print("FAILED: %s\n%s" % (r["failure"], "\n".join(r.get("stderr_tail", []))))
            else:
                print(r["score_line"].splitlines()[0])
                for u in r["missed"][:30]:
                    print("  missed: %s" % u)
                for u in r["false"][:30]:
                    print("  false alarm: %s" % u)
                if len(r["missed"]) > 30 or len(r["false"]) > 30:
                    print("  (all of them in %s)" % a.json)
    finally:
        main.stop()
    res["expected_targets"] = exp["robots"]["targets"]["total"]
    return res


# --- main ----------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--latency", type=parse_ms, default=50.0, help="per request, both hosts (default 50ms)")
    ap.add_argument("--timeout", type=int, default=5, help="every checker's request timeout, seconds (5)")
    ap.add_argument("--only", help="entries, comma-separated")
    ap.add_argument("--extra", help="diagnostic entries to add: fanout-noslow, fanout-c4")
    ap.add_argument("--fanout", default=os.path.join(ROOT, "build", "fanout"))
    ap.add_argument("--big", type=int, help="then fanout alone on a site of this many pages")
    ap.add_argument("--big-runs", type=int, default=1)
    ap.add_argument("--big-timeout", type=int, help="fanout's --timeout on the big site (default: --timeout)")
    ap.add_argument("--ext-port", type=int, default=0, help="the external host's port (default: any free one)")
    ap.add_argument("--big-only", action="store_true", help="skip the comparison, only the --big run")
    ap.add_argument("--run-limit", type=int, default=3600, help="kill a run after this many seconds (3600)")
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "fanout-links-bench"))
    ap.add_argument("--json", help="write every run's figures here (default WORKDIR/results.json)")
    ap.add_argument("--table-from", metavar="RESULTS", help="print the table again from a results.json")
    a = ap.parse_args()
    if a.table_from:
        return table_from(a)
    a.fanout = os.path.abspath(a.fanout)
    if not os.access(a.fanout, os.X_OK):
        die("no fanout at '%s': build it (make) or give --fanout" % a.fanout)
    for p, fix in ((TIME, "apt-get install time"), ("/usr/bin/linkchecker", "apt-get install linkchecker"),
                   (os.path.join(HERE, "node_modules", ".bin", "linkinator"), "npm ci --prefix bench/links")):
        if not os.path.exists(p):
            die("'%s' is missing: %s (or bench/links/run.sh)" % (p, fix))
    os.makedirs(a.workdir, exist_ok=True)
    a.json = a.json or os.path.join(a.workdir, "results.json")
    os.chmod(a.workdir, 0o777)    # LinkChecker, run as root, drops to nobody
    uname = os.uname()
    print("# %s, %d cores, %s %s; load average %s at the start" % (
        uname.nodename, os.cpu_count(), uname.sysname, uname.release,
        " ".join("%.1f" % x for x in os.getloadavg())))
    print("# linkchecker: %s; linkinator %s; node %s" % (
        subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "linkchecker"], capture_output=True, text=True).stdout,
        json.load(open(os.path.join(HERE, "node_modules", "linkinator", "package.json")))["version"],
        subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()))

    ext = Server("external", ["--external", "--bind", "127.0.0.2", "--port", str(a.ext_port), "--latency",
                              "%gms" % a.latency],
                 a.workdir)
    results = {"args": vars(a), "entries": {}}
    try:
        if not a.big_only:
            site = os.path.join(a.workdir, "site-%d" % a.pages)
            summary, gen_s, gen_time = gensite(a, ext, a.pages, site)
            print("# %s%s" % (summary, "" if gen_s is None else " (%s)" % gen_time))
            a.expected_path = os.path.join(site, "expected.json")
            with open(a.expected_path) as f:
                exp = json.load(f)
            main_ = Server("main", ["--root", site, "--port", "0", "--latency", "%gms" % a.latency], a.workdir)
            try:
                es = entries(a, main_, ext)
                print("# main host %s, external host %s, %g ms per request on both; robots.txt obeyed by all"
                      % (main_.origin, ext.origin, a.latency))
                print("# robots.txt obeyed: %d distinct targets, %d broken targets, %d broken #fragments"
                      % (exp["robots"]["targets"]["total"], exp["robots"]["targets"]["broken"],
                         exp["robots"]["targets"]["broken_fragments"]))
                for e in es:
                    print("$ " + " ".join(shlex.quote(x) for x in e.argv).replace(
                        "'{out}'", "OUT.json").replace("{out}", "OUT.json")
                          + ("" if not e.out_is_stdout else " > OUT"))
                sys.stdout.flush()
                for i in range(a.runs):
                    for e in es:
                        r = run_one(e, i, a, main_, ext, exp, a.workdir)
                        e.runs.append(r)
                        print("run %d %-24s wall %s cpu %s rss %s MiB req %d conns %d srv-cpu %.2f load %s→%s  %s" % (
                            i + 1, e.name, fnum(r["wall"], "%.2f"),
                            fnum(r["user"] is not None and r["user"] + r["sys"], "%.2f"),
                            fnum(r["maxrss_kb"] and r["maxrss_kb"] / 1024, "%.1f"), r["requests"],
                            r["connections"], r["server_cpu"], r["load"][0], r["load"][1],
                            r["failure"] or r["score_line"].splitlines()[0]), flush=True)
                print("\n# load average at the end: %s\n" % " ".join("%.1f" % x for x in os.getloadavg()))
                for e in es:
                    results["entries"][e.name] = {"label": e.label, "argv": e.argv, "runs": e.runs}
                report(es, exp, a)
            finally:
                main_.stop()
        if a.big:
            results["big"] = big(a, ext, a.workdir)
    finally:
        ext.stop()
        if a.json:
            with open(a.json, "w") as f:
                json.dump(results, f, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
