#!/usr/bin/python3
"""fanout run on a fleet of `fanout devices`, every output checked.

    bench/ssh/fleet.py                       # 28,000 x 15, 3 runs; peers; the config case
    bench/ssh/fleet.py --devices 5000 --runs 1 --peer-devices 1000

Cases (--cases, default scale,peer,config):

- scale: --devices simulated devices (--mix of platforms) on simulator
  processes of at most --per-sim devices each (the descriptor limit: a
  listening socket per device), 15 show commands per device (the
  platform's list in bench/ssh/fleet_cmds/PLATFORM-TYPE.txt), one
  `fanout run` for the whole fleet (`--commands-file
  fleet_cmds/{platform}.txt` picks each host's list), --out to files.
  Every output is then compared byte for byte with the engine's
  (fleet_expect). Measured: wall, user+sys of the client, its peak RSS,
  and the simulators' own CPU (their stop line).
- peer: the same at --peer-devices for fanout and for asyncssh
  (fleet_asyncssh.py: one process per platform, at once, 128 sessions in
  all), each capped at --peer-timeout; outputs checked the same way.
- config: --config-devices devices, ios and junos half and half, 20
  configuration lines each with write memory (ios) or commit (junos), by
  fanout run --config and by asyncssh waiting for each prompt; then every
  device's running configuration fetched through the simulator and
  compared byte for byte with the engine's after the same lines.

Fresh simulators for every measured run, so that their CPU is the run's.
Standard library only; prints every command it runs and a table of
medians. parallel-ssh is not a row: it runs one exec command or pastes
stdin into a shell without a pty and without waiting for prompts, so it
cannot log in to enable level and cut each command's output at its
prompt (docs/BENCHMARKS.md says more).
"""
import argparse
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PLATFORMS = ["ios", "nxos", "eos", "junos", "iosxr"]
# the command files are named by the platform's type, as {platform} expands
TYPES = {"ios": "cisco_iosxe", "nxos": "cisco_nxos", "eos": "arista_eos", "junos": "juniper_junos",
         "iosxr": "cisco_iosxr"}
PY = "/usr/bin/python3"


def log(*a):
    print(*a, flush=True)


def show(cmd):
    log("+ " + " ".join(shlex.quote(c) for c in cmd))


def build(args):
    b = os.path.join(ROOT, args.build)
    if not args.no_make:
        show(["make", "-s", "-j2"])
        subprocess.run(["make", "-s", "-j2"], cwd=ROOT, check=True, timeout=1800)
    os.makedirs(os.path.join(b, "bench/ssh"), exist_ok=True)
    objs = sorted(os.path.join(b, "obj/src/devices", f)
                  for f in os.listdir(os.path.join(b, "obj/src/devices"))
                  if f.endswith(".o") and not f.startswith("server"))
    cc = [["cc", "-O2", "-o", os.path.join(b, "bench/ssh/measure_tree"),
           os.path.join(HERE, "measure_tree.c")],
          ["cc", "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
           "-I" + os.path.join(ROOT, "include"), "-I" + os.path.join(ROOT, "src"), "-D_GNU_SOURCE",
           "-o", os.path.join(b, "bench/ssh/fleet_expect"), os.path.join(HERE, "fleet_expect.c")]
          + objs + [os.path.join(b, "libfanout.a"), "-luring", "-lcrypto", "-lpthread", "-lm"]]
    for c in cc:
        show(c[:4] + ["..."])
        subprocess.run(c, check=True, timeout=300)
    return b


class Fleet:
    """Simulator processes for n devices, at most per_sim each."""

    def __init__(self, args, n, mix, tag):
        self.dir = os.path.join(args.work, tag)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.procs, self.invs, self.stats = [], [], []
        kh = []
        left, k = n, 0
        while left > 0:
            m = min(left, args.per_sim)
            inv = os.path.join(self.dir, "hosts-%d.yaml" % k)
            khk = os.path.join(self.dir, "kh-%d" % k)
            cmd = [args.fanout, "devices", "-n", str(m), "--platforms", mix,
                   "--base", "127.%d.0.1" % (1 + k * 60), "--port", str(args.port),
                   "-i", inv, "--known-hosts", khk]
            show(cmd)
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            line = p.stdout.readline()  # the first line: listening (or why not)
            if not line.startswith("fanout devices:"):
                self.stop()
                sys.exit("fleet.py: the simulator did not start: " + line.strip())
            self.procs.append(p)
            self.invs.append(inv)
            kh.append(khk)
            left -= m
            k += 1
        self.known_hosts = os.path.join(self.dir, "known_hosts")
        with open(self.known_hosts, "w") as out:
            for f in kh:
                with open(f) as src:
                    out.write(src.read())

    def stop(self):
        """SIGINT each, their stop lines read: returns the CPU they spent."""
        cpu = 0.0
        for p in self.procs:
            p.send_signal(signal.SIGINT)
        for p in self.procs:
            try:
                rest, _ = p.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                rest, _ = p.communicate(timeout=10)
            m = re.search(r"CPU ([0-9.]+)s serving", rest or "")
            self.stats.append((rest or "").strip().splitlines()[-1:] or [""])
            cpu += float(m.group(1)) if m else float("nan")
        self.procs = []
        return cpu


def measure(args, cmd, cwd, timeout):
    """measure_tree around cmd: a dict of its figures."""
    mfile = os.path.join(cwd, "measure.txt")
    full = [args.measure, "--out", mfile, "--"] + cmd
    try:
        subprocess.run(full, cwd=cwd, timeout=timeout, stdout=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None
    with open(mfile) as f:
        return {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", f.read())}


def group_script(path, cmds):
    """A shell script that starts every command at once and waits for all."""
    with open(path, "w") as f:
        for c, logf in cmds:
            f.write(" ".join(shlex.quote(x) for x in c) + " >%s 2>&1 &\n" % shlex.quote(logf))
        f.write("rc=0\nfor j in %s; do wait -n || rc=1; done\nexit $rc\n" % " ".join(str(i + 1) for i in range(len(cmds))))


def logins_split(fleet_mix, total):
    w = {}
    for part in fleet_mix.split(","):
        name, _, wt = part.partition(":")
        w[name] = int(wt or 1)
    s = sum(w.values())
    return {p: max(4, round(total * w[p] / s)) for p in w}


def checked(args, fleet, outdir, cmds_files, config_files=None):
    cmd = [args.expect, "--out", outdir]
    for p, f in (config_files or {}).items():
        cmd += ["--config", "%s=%s" % (p, f)]
    for p, f in cmds_files.items():
        cmd += ["--cmds", "%s=%s" % (p, f)]
    cmd += fleet.invs
    show(cmd)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    log(r.stdout.strip())
    m = re.search(r"outputs (\d+), bytes (\d+), ok (\d+), mismatched (\d+), missing (\d+)", r.stdout)
    return tuple(int(x) for x in m.groups()) if m else (0, 0, 0, 0, 0)


def fanout_cmds(args, fleet, mix, outdir, extra_per_plat, logdir):
    split = logins_split(mix, args.max_logins)
    workers = logins_split(mix, args.workers) if args.workers else {}
    cmds = []
    for p in split:
        c = [args.fanout, "run"]
        for inv in fleet.invs:
            c += ["-i", inv]
        c += ["--filter", "platform=" + p, "--known-hosts", fleet.known_hosts,
              "--host-keys", "strict", "--max-logins", str(split[p]), "--no-progress"]
        if p in workers:
            c += ["--workers", str(workers[p])]
        c += extra_per_plat(p)
        if outdir:
            c += ["--out", outdir]
        cmds.append((c, os.path.join(logdir, "run-%s.log" % p)))
    return cmds


def asyncssh_cmds(args, fleet, mix, extra_per_plat, logdir):
    split = logins_split(mix, 128)
    cmds = []
    for p in split:
        c = [PY, os.path.join(HERE, "fleet_asyncssh.py"), "--platform", p,
             "--concurrency", str(split[p])]
        for inv in fleet.invs:
            c += ["-i", inv]
        c += extra_per_plat(p)
        cmds.append((c, os.path.join(logdir, "asyncssh-%s.log" % p)))
    return cmds


def run_shows(args, tool, n, run_no):
    """One measured run of 15 show commands on n devices: a result row."""
    tag = "%s-%d-%02d" % (tool, n, run_no)
    fleet = Fleet(args, n, args.mix, tag)
    d = fleet.dir
    out = os.path.join(d, "out")
    cmdf = {p: os.path.join(HERE, "fleet_cmds", TYPES[p] + ".txt") for p in PLATFORMS}
    if tool == "fanout":
        c = [args.fanout, "run"]
        for inv in fleet.invs:
            c += ["-i", inv]
        c += ["--known-hosts", fleet.known_hosts, "--host-keys", "strict", "--max-logins",
              str(args.max_logins), "--no-progress", "--commands-file",
              os.path.join(HERE, "fleet_cmds", "{platform}.txt"), "--out", out]
        if args.workers:
            c += ["--workers", str(args.workers)]
        cmds = [(c, os.path.join(d, "run.log"))]
    else:
        cmds = asyncssh_cmds(args, fleet, args.mix,
                             lambda p: ["--commands-file", cmdf[p], "--out", out], d)
    for c, lg in cmds:
        show(c + [">" + lg])
    script = os.path.join(d, "client.sh")
    group_script(script, cmds)
    m = measure(args, ["bash", script], d, args.timeout if tool == "fanout" else args.peer_timeout)
    sim_cpu = fleet.stop()
    for s in fleet.stats:
        log("  " + s[0])
    if m is None:
        log("  %s on %d devices: did not finish within the cap" % (tool, n))
        return None
    for c, lg in cmds:
        with open(lg) as f:
            tail = [x for x in f.read().splitlines() if x.startswith(("fanout run:", "fleet_asyncssh:"))]
        log("  " + (tail[-1] if tail else "(no summary) " + lg))
    outs, nbytes, ok, bad, missing = checked(args, fleet, out, cmdf)
    row = dict(tool=tool, n=n, wall=m["wall_s"], cpu=m["user_s"] + m["sys_s"], user=m["user_s"],
               sys=m["sys_s"], maxrss=m["maxrss_kb"] / 1024, sumrss=m["sumrss_kb"] / 1024,
               sim=sim_cpu, outs=outs, ok=ok, bad=bad + missing, bytes=nbytes, status=m["status"])
    log("  %s n=%d: wall %.1fs, client CPU %.1fs (%.2f ms/host), RSS max %.0f MB sum %.0f MB, "
        "simulator CPU %.1fs, outputs %d/%d exact" % (tool, n, row["wall"], row["cpu"],
                                                    1000 * row["cpu"] / n, row["maxrss"], row["sumrss"],
                                                    sim_cpu, ok, n * 15))
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    return row


def run_config(args, tool, n, run_no):
    tag = "config-%s-%d-%02d" % (tool, n, run_no)
    mix = "ios,junos"
    fleet = Fleet(args, n, mix, tag)
    d = fleet.dir
    conf = {p: os.path.join(HERE, "fleet_cmds", "config-%s.txt" % p) for p in ("ios", "junos")}
    verify = {p: os.path.join(HERE, "fleet_cmds", "verify-%s.txt" % p) for p in ("ios", "junos")}
    if tool == "fanout":
        # fanout run wants a command beside --config: one cheap show, after the commit
        cmds = fanout_cmds(args, fleet, mix, None,
                           lambda p: ["--config", conf[p], "-c", "show version"]
                           + (["--save"] if p == "ios" else []), d)
    else:
        cmds = asyncssh_cmds(args, fleet, mix, lambda p: ["--config", conf[p]], d)
    for c, lg in cmds:
        show(c + [">" + lg])
    script = os.path.join(d, "client.sh")
    group_script(script, cmds)
    m = measure(args, ["bash", script], d, args.peer_timeout)
    # the running configurations, through the simulator
    vout = os.path.join(d, "verify")
    vcmds = fanout_cmds(args, fleet, mix, vout, lambda p: ["--commands-file", verify[p]], d)
    vcmds = [(c, lg.replace("run-", "verify-")) for c, lg in vcmds]
    group_script(os.path.join(d, "verify.sh"), vcmds)
    for c, lg in vcmds:
        show(c)
    subprocess.run(["bash", os.path.join(d, "verify.sh")], timeout=args.timeout)
    sim_cpu = fleet.stop()
    if m is None:
        log("  %s config on %d devices: did not finish within the cap" % (tool, n))
        return None
    outs, nbytes, ok, bad, missing = checked(args, fleet, vout, verify, conf)
    row = dict(tool=tool, n=n, wall=m["wall_s"], cpu=m["user_s"] + m["sys_s"], user=m["user_s"],
               sys=m["sys_s"], maxrss=m["maxrss_kb"] / 1024, sumrss=m["sumrss_kb"] / 1024,
               sim=sim_cpu, outs=outs, ok=ok, bad=bad + missing, bytes=nbytes, status=m["status"])
    log("  config %s n=%d: wall %.1fs, client CPU %.2fs (%.2f ms/host), configs exact %d/%d" %
        (tool, n, row["wall"], row["cpu"], 1000 * row["cpu"] / n, ok, n))
    return row


def med(rows, key):
    return statistics.median(r[key] for r in rows)


def table(title, groups, base):
    log("\n" + title)
    log("%-10s %7s %5s %9s %9s %10s %9s %9s %9s %13s %7s" %
        ("tool", "devices", "runs", "wall", "cpu", "ms/host", "maxrss", "sumrss", "sim cpu",
         "exact", "cpu/x"))
    for name, rows in groups:
        if not rows:
            log("%-10s did not finish" % name)
            continue
        n = rows[0]["n"]
        cpu = med(rows, "cpu")
        ratio = cpu / med(base, "cpu") if base else float("nan")
        log("%-10s %7d %5d %8.1fs %8.1fs %10.2f %7.0fMB %7.0fMB %8.1fs %6d/%-6d %6.2fx" %
            (name, n, len(rows), med(rows, "wall"), cpu, 1000 * cpu / n, med(rows, "maxrss"),
             med(rows, "sumrss"), med(rows, "sim"), min(r["ok"] for r in rows),
             rows[0]["outs"] if rows[0]["outs"] else n, ratio))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--devices", type=int, default=28000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mix", default="ios:60,nxos:10,eos:10,junos:15,iosxr:5")
    ap.add_argument("--per-sim", type=int, default=14000)
    ap.add_argument("--peer-devices", type=int, default=2800)
    ap.add_argument("--peer-runs", type=int, default=1)
    ap.add_argument("--config-devices", type=int, default=1000)
    ap.add_argument("--cases", default="scale,peer,config")
    ap.add_argument("--max-logins", type=int, default=128, help="fanout: logins at once")
    ap.add_argument("--workers", type=int, default=0,
                    help="fanout: hosts in flight (0: its default)")
    ap.add_argument("--port", type=int, default=2302)
    ap.add_argument("--work", default="/dev/shm/fanout-fleet",
                    help="where the outputs go: tmpfs by default (4.2 GB at 28,000; docs/BENCHMARKS.md "
                         "says why not ext4)")
    ap.add_argument("--build", default="build")
    ap.add_argument("--no-make", action="store_true")
    ap.add_argument("--timeout", type=float, default=900, help="a fanout run's cap (s)")
    ap.add_argument("--peer-timeout", type=float, default=600, help="a peer run's cap (s)")
    ap.add_argument("--keep", action="store_true", help="keep the outputs")
    args = ap.parse_args()
    cases = args.cases.split(",")
    b = build(args)
    args.fanout = os.path.join(b, "fanout")
    args.measure = os.path.join(b, "bench/ssh/measure_tree")
    args.expect = os.path.join(b, "bench/ssh/fleet_expect")
    os.makedirs(args.work, exist_ok=True)
    log("date: " + time.strftime("%Y-%m-%d %H:%M:%S %Z") + "; cores: %d" % os.cpu_count())
    scale, pf, pa, cf, ca = [], [], [], [], []
    for i in range(args.runs if "scale" in cases else 0):
        r = run_shows(args, "fanout", args.devices, i + 1)
        scale += [r] if r else []
    for i in range(args.peer_runs if "peer" in cases else 0):
        r = run_shows(args, "fanout", args.peer_devices, i + 1)
        pf += [r] if r else []
        r = run_shows(args, "asyncssh", args.peer_devices, i + 1)
        pa += [r] if r else []
    for i in range(args.peer_runs if "config" in cases else 0):
        r = run_config(args, "fanout", args.config_devices, i + 1)
        cf += [r] if r else []
        r = run_config(args, "asyncssh", args.config_devices, i + 1)
        ca += [r] if r else []
    if scale:
        table("15 show commands, %d devices (%s), medians" % (args.devices, args.mix),
              [("fanout", scale)], scale)
    if pf or pa:
        table("15 show commands, %d devices, medians (cpu/x: against fanout)" % args.peer_devices,
              [("fanout", pf), ("asyncssh", pa)], pf)
    if cf or ca:
        table("20 configuration lines + write memory / commit, %d devices (ios,junos), "
              "medians (exact: running configs)" % args.config_devices,
              [("fanout", cf), ("asyncssh", ca)], cf)
    bad = sum(r["bad"] for r in scale + pf + pa + cf + ca)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
