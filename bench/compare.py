#!/usr/bin/env python3
"""Run several commands K times each and compare their cost.

This is the runner for the benchmarks in bench/: it starts each command
as a child process, round-robin (run 1 of every entry, then run 2 of
every entry, ...) so that noise on the machine hits all entries alike,
and takes from each run the wall time, the user and system CPU time and
the peak resident set size.  It prints the exact command of every entry,
then a table of medians with ratios against one baseline entry measured
in the same invocation.  A run that exits non-zero, is killed, or prints
"ok=A/B" with A != B marks its entry as failed: the row says so and shows
no figures, and compare.py exits 1.

Each run goes through build/bench/measure (bench/go/measure, built by
bench/rtt.sh), which forks the command from a small process and reports
its wait4 figures.  Forked from Python, a child's peak RSS would include
the ~10 MiB of this interpreter (Linux counts the address space a process
had before exec), hiding the small figures that matter here.  Without the
helper compare.py falls back to perf_counter and os.wait4 itself; the
header prints the RSS floor that applies either way.

With no --cmd it runs the round-trip experiment: fanout, the Go baseline
and the Python baselines, each simulating --hosts hosts that answer after
--rtt.  bench/rtt.sh builds the Go baseline and calls this.  Standard
library only.

Examples:
  python3 bench/compare.py --runs 3 --only go,py-asyncio
  python3 bench/compare.py --cmd sleep='sleep 0.05' --cmd true=true \\
      --baseline sleep
"""

import argparse
import csv
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

PROG = "compare"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def die(msg, code=2):
    print(f"{PROG}: {msg}", file=sys.stderr)
    sys.exit(code)


def from_root(path):
    """A path in the repository, relative to the current directory so the
    printed commands can be pasted as they are."""
    return os.path.relpath(os.path.join(ROOT, path))


@dataclass
class Run:
    wall: float = 0.0
    user: float = 0.0
    sys: float = 0.0
    maxrss_kb: int = 0
    exit: int = 0
    failure: str = ""  # empty when the run succeeded
    stdout_tail: str = ""


@dataclass
class Entry:
    name: str
    argv: list
    runs: list = field(default_factory=list)

    @property
    def command(self):
        return shlex.join(self.argv)

    @property
    def failed(self):
        return [r for r in self.runs if r.failure]

    def median(self, key):
        return statistics.median(key(r) for r in self.runs)


def builtin_entries(args):
    """The round-trip experiment: every entry simulates the same hosts."""
    py = args.python
    common = ["--hosts", str(args.hosts), "--rtt", args.rtt]
    gocommon = ["-hosts", str(args.hosts), "-rtt", args.rtt]
    if args.jitter != "0":
        common += ["--jitter", args.jitter]
        gocommon += ["-jitter", args.jitter]
    threads = from_root("bench/python/rtt_threads.py")
    return [
        Entry("fanout", [args.fanout, "bench", "rtt"] + common),
        Entry("go", [args.go] + gocommon),
        Entry("py-threads-100", [py, threads] + common + ["--workers", "100"]),
        Entry("py-threads-1000", [py, threads] + common + ["--workers", "1000"]),
        Entry("py-asyncio", [py, from_root("bench/python/rtt_asyncio.py")] + common),
    ]


def custom_entries(specs):
    entries = []
    for spec in specs:
        name, sep, command = spec.partition("=")
        name = name.strip()
        if not sep or not name:
            die(f"invalid --cmd '{spec}': expected NAME=COMMAND")
        try:
            argv = shlex.split(command)
        except ValueError as e:
            die(f"invalid --cmd '{spec}': {e}")
        if not argv:
            die(f"invalid --cmd '{spec}': the command is empty")
        entries.append(Entry(name, argv))
    return entries


def missing_program(argv0):
    """Why argv0 cannot be started, or None if it can."""
    if os.sep in argv0:
        if not os.path.isfile(argv0):
            return f"no such file '{argv0}'"
        if not os.access(argv0, os.X_OK):
            return f"'{argv0}' is not executable"
        return None
    if shutil.which(argv0) is None:
        return f"'{argv0}' is not on PATH"
    return None


def last_line(data):
    lines = data.decode(errors="replace").strip().splitlines()
    return lines[-1].strip() if lines else ""


def ok_mismatch(line):
    """The "ok=A/B" field that every baseline prints, if A != B."""
    for word in line.split():
        if word.startswith("ok=") and "/" in word:
            done, _, total = word[3:].partition("/")
            if done != total:
                return word
    return None


def run_once(argv, timeout, measure):
    """Run argv once and return a Run.  Output goes to temporary files
    rather than pipes, so a chatty child never blocks on a full pipe while
    we wait for it."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        if measure:
            r = run_measured(argv, timeout, measure, out, err)
        else:
            r = run_direct(argv, timeout, out, err)
        out.seek(0)
        r.stdout_tail = last_line(out.read())
        if r.failure:
            return r
        if r.exit < 0:
            r.failure = f"killed by signal {-r.exit} ({signal.Signals(-r.exit).name})"
        elif r.exit > 0:
            err.seek(0)
            why = last_line(err.read())
            r.failure = f"exit {r.exit}" + (f": {why}" if why else "")
        elif ok_mismatch(r.stdout_tail):
            r.failure = f"reported {ok_mismatch(r.stdout_tail)}"
    return r


def run_measured(argv, timeout, measure, out, err):
    """Run argv under bench/go/measure, which forks it from a small
    process and reports wall, CPU and peak RSS on a file descriptor."""
    r = Run()
    with tempfile.TemporaryFile() as report:
        fd = report.fileno()
        cmd = [measure, "-result-fd", str(fd), "-timeout", f"{timeout}s", "--"] + argv
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=err, pass_fds=(fd,))
        except OSError as e:
            r.failure = f"cannot start '{measure}': {e.strerror}"
            return r
        proc.wait()
        report.seek(0)
        line = report.read().decode(errors="replace").strip()
    fields = dict(w.split("=", 1) for w in line.split() if "=" in w)
    try:
        r.wall, r.user, r.sys = (float(fields[k]) for k in ("wall", "user", "sys"))
        r.maxrss_kb, r.exit = int(fields["maxrss_kb"]), int(fields["exit"])
    except (KeyError, ValueError):
        err.seek(0)
        why = last_line(err.read()) or f"'{measure}' exited {proc.returncode} without a report"
        r.failure = why
        return r
    if "timeout" in fields:
        r.failure = f"timed out after {timeout:g} s"
    return r


def run_direct(argv, timeout, out, err):
    """Fork/exec argv from this process and time it with perf_counter and
    os.wait4.  The peak RSS then includes this interpreter's own memory
    (see bench/go/measure), so it is only the fallback."""
    r = Run()
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err)
    except OSError as e:
        r.failure = f"cannot start: {e.strerror}"
        return r
    timed_out = False

    def on_alarm(signum, frame):
        nonlocal timed_out
        timed_out = True
        proc.kill()

    # SIGALRM interrupts wait4, the handler kills the child, and wait4
    # (retried by Python, PEP 475) then reaps it.  No extra thread runs
    # while the child is being timed.
    old = signal.signal(signal.SIGALRM, on_alarm)
    if timeout > 0:
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        _, status, ru = os.wait4(proc.pid, 0)
        r.wall = time.perf_counter() - t0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    # Tell Popen the child is reaped, or it would wait for the pid again.
    proc.returncode = r.exit = os.waitstatus_to_exitcode(status)
    r.user, r.sys, r.maxrss_kb = ru.ru_utime, ru.ru_stime, ru.ru_maxrss
    if timed_out:
        r.failure = f"timed out after {timeout:g} s"
    return r


def fmt_ratio(value, base):
    if base is None or base <= 0:
        return "-"
    return f"{value / base:.2f}"


def summarize(entry, base):
    """One row of figures for entry; base is the baseline Entry or None if
    the baseline failed."""
    wall = entry.median(lambda r: r.wall)
    cpu = entry.median(lambda r: r.user + r.sys)
    rss = entry.median(lambda r: r.maxrss_kb) / 1024.0
    if base is not None:
        bwall = base.median(lambda r: r.wall)
        bcpu = base.median(lambda r: r.user + r.sys)
        brss = base.median(lambda r: r.maxrss_kb) / 1024.0
    else:
        bwall = bcpu = brss = None
    return {
        "wall": wall, "cpu": cpu, "rss": rss,
        "user": entry.median(lambda r: r.user),
        "sys": entry.median(lambda r: r.sys),
        "wall_x": fmt_ratio(wall, bwall),
        "cpu_x": fmt_ratio(cpu, bcpu),
        "rss_x": fmt_ratio(rss, brss),
    }


def print_table(entries, baseline, runs):
    base = next(e for e in entries if e.name == baseline)
    base = None if base.failed else base
    width = max(len("name"), *(len(e.name) for e in entries))
    head = (f"{'name':<{width}}  {'runs':>5}  {'wall s':>8}  {'cpu s':>8}  "
            f"{'rss MiB':>8}  {'wall x':>7}  {'cpu x':>7}  {'rss x':>7}")
    print(head)
    print("-" * len(head))
    rows = {}
    for e in entries:
        if e.failed:
            first = e.failed[0].failure
            print(f"{e.name:<{width}}  FAILED {len(e.failed)}/{runs}: {first}")
            continue
        s = rows[e.name] = summarize(e, base)
        print(f"{e.name:<{width}}  {len(e.runs):>5}  {s['wall']:>8.3f}  "
              f"{s['cpu']:>8.3f}  {s['rss']:>8.1f}  {s['wall_x']:>7}  "
              f"{s['cpu_x']:>7}  {s['rss_x']:>7}")
    print(f"medians of {runs} runs; cpu = user + sys; rss = peak resident set "
          f"in MiB; 'x' columns = entry / '{baseline}'")
    if base is None:
        print(f"no ratios: the baseline '{baseline}' failed")
    return rows


def write_csv(path, entries, rows):
    cols = ["name", "command", "runs", "failed_runs", "failure",
            "wall_median_s", "cpu_median_s", "user_median_s", "sys_median_s",
            "maxrss_median_mb", "wall_ratio", "cpu_ratio", "rss_ratio",
            "wall_runs_s"]
    try:
        f = open(path, "w", newline="")
    except OSError as e:
        die(f"cannot write csv '{path}': {e.strerror}", 1)
    with f:
        w = csv.writer(f)
        w.writerow(cols)
        for e in entries:
            s = rows.get(e.name)
            w.writerow([
                e.name, e.command, len(e.runs), len(e.failed),
                e.failed[0].failure if e.failed else "",
                f"{s['wall']:.6f}" if s else "",
                f"{s['cpu']:.6f}" if s else "",
                f"{s['user']:.6f}" if s else "",
                f"{s['sys']:.6f}" if s else "",
                f"{s['rss']:.3f}" if s else "",
                s["wall_x"] if s else "", s["cpu_x"] if s else "",
                s["rss_x"] if s else "",
                " ".join(f"{r.wall:.6f}" for r in e.runs),
            ])


def main():
    ap = argparse.ArgumentParser(
        prog="compare.py", description=__doc__.split("\n\n")[0],
        epilog="With no --cmd: the round-trip experiment (entries fanout, go, "
               "py-threads-100, py-threads-1000, py-asyncio).",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cmd", action="append", default=[], metavar="NAME=COMMAND",
                    help="an entry to run (repeatable); COMMAND is split as by "
                         "a shell but run without one")
    ap.add_argument("--runs", type=int, default=5,
                    help="runs of each entry, round-robin (default 5)")
    ap.add_argument("--baseline", default="go",
                    help="entry the ratios are taken against (default go)")
    ap.add_argument("--only", default="",
                    help="comma-separated entry names to run, e.g. go,py-asyncio")
    ap.add_argument("--skip-missing", action="store_true",
                    help="leave out entries whose program does not exist, "
                         "instead of stopping")
    ap.add_argument("--csv", metavar="FILE", help="also write the summary as CSV")
    ap.add_argument("--timeout", type=float, default=600,
                    help="seconds before a run is killed and counted failed; "
                         "0 for none (default 600)")
    g = ap.add_argument_group("round-trip experiment (no --cmd)")
    g.add_argument("--hosts", type=int, default=10000,
                   help="simulated hosts (default 10000)")
    g.add_argument("--rtt", default="50ms",
                   help="round-trip time each host takes (default 50ms)")
    g.add_argument("--jitter", default="0",
                   help="uniform extra delay per host, passed on when not 0")
    g.add_argument("--fanout", default=from_root("build/fanout"),
                   help="fanout binary (default build/fanout)")
    g.add_argument("--go", default=from_root("build/bench/rtt-go"),
                   help="Go baseline binary, as built by bench/rtt.sh "
                        "(default build/bench/rtt-go)")
    g.add_argument("--measure", default=from_root("build/bench/measure"),
                   help="helper that runs and measures each command, as "
                        "built by bench/rtt.sh (default build/bench/measure); "
                        "without it, peak RSS is floored at this interpreter's")
    g.add_argument("--python", default=sys.executable,
                   help="interpreter for the Python baselines "
                        "(default: the one running compare.py)")
    args = ap.parse_args()
    if args.runs < 1:
        die("--runs must be at least 1")
    if args.hosts < 1:
        die("--hosts must be at least 1")

    entries = custom_entries(args.cmd) if args.cmd else builtin_entries(args)
    names = [e.name for e in entries]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        die(f"entry '{sorted(dup)[0]}' is given twice")
    if args.only:
        only = [n.strip() for n in args.only.split(",") if n.strip()]
        for n in only:
            if n not in names:
                die(f"unknown entry '{n}' in --only (known: {', '.join(names)})")
        entries = [e for e in entries if e.name in only]

    kept = []
    for e in entries:
        why = missing_program(e.argv[0])
        if why is None:
            kept.append(e)
        elif args.skip_missing:
            print(f"{PROG}: skipping '{e.name}': {why}", file=sys.stderr)
        else:
            die(f"cannot run '{e.name}': {why} (build it first, or pass "
                f"--skip-missing or --only)")
    entries = kept
    if not entries:
        die("nothing to run")
    if args.baseline not in (e.name for e in entries):
        die(f"baseline '{args.baseline}' is not among the entries run "
            f"({', '.join(e.name for e in entries)}); pass --baseline NAME")

    measure = args.measure if missing_program(args.measure) is None else None
    floor = run_once(["true"], 10, measure)

    print(f"# cwd: {os.getcwd()}")
    print(f"# reproduce: {shlex.join([sys.executable] + sys.argv)}")
    print(f"# host: {platform.system()} {platform.release()} "
          f"{platform.machine()}, {os.cpu_count()} cpus, "
          f"python {platform.python_version()}")
    if measure:
        print(f"# measured by: {measure}")
    else:
        print(f"# measured by: os.wait4 in compare.py ('{args.measure}' not "
              f"found: run bench/rtt.sh to build it)")
    if not floor.failure:
        print(f"# rss floor: {floor.maxrss_kb / 1024:.1f} MiB, what 'true' "
              f"reports; smaller peaks read as this")
    print(f"# {args.runs} runs of each entry, round-robin; commands:")
    width = max(len(e.name) for e in entries)
    for e in entries:
        print(f"#   {e.name:<{width}}  {e.command}")
    sys.stdout.flush()

    for i in range(args.runs):
        for e in entries:
            r = run_once(e.argv, args.timeout, measure)
            e.runs.append(r)
            note = f"FAILED: {r.failure}" if r.failure else r.stdout_tail
            print(f"[{i + 1}/{args.runs}] {e.name}: {r.wall:.3f} s  {note}",
                  file=sys.stderr)

    print()
    rows = print_table(entries, args.baseline, args.runs)
    if args.csv:
        write_csv(args.csv, entries, rows)
    return 1 if any(e.failed for e in entries) else 0


if __name__ == "__main__":
    sys.exit(main())
