#!/usr/bin/python3
"""fanout run against pdsh, clush, parallel-ssh, ansible and asyncssh.

Starts the SSH fixture (tests/fixtures/ssh/sshd-fixture.sh: a real OpenSSH
sshd on loopback, one simulated device per 127.1.x.y, latency added by
the relay), then runs every tool on the same devices with the same
commands, --runs times, round-robin, and prints medians:

  1x1   --hosts1 devices (1,000) x `show version`, one login each
  15    --hosts15 devices (200) x 15 show commands in one session each

For every run: client wall time (fork to exit), client CPU (user + sys of
the whole process tree, daemonized descendants included), the largest
peak RSS of one client process and the largest sampled sum of RSS over the
tree (bench/ssh/measure_tree.c), the server side's CPU in that run (the
fixture's sshd with every session and devsim it reaped; the latency relay
apart), and how many hosts gave the right output for every command (each
output checked against what build/devsim prints for that device).

Also: the SSH login alone with libssh2 (bench/ssh/handshake.c), N logins
one after the other, for the CPU a login costs the client at the least.

Standard library only; run it with /usr/bin/python3 (bench/ssh/run.sh
does, after installing the peers and building the helpers).
"""
import argparse
import csv
import json
import os
import re
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURE = os.path.join(ROOT, "tests/fixtures/ssh/sshd-fixture.sh")

CMDS15 = [
    "show version", "show running-config", "show interfaces status",
    "show ip interface brief", "show ip route", "show ip arp", "show inventory",
    "show vlan brief", "show cdp neighbors", "show lldp neighbors",
    "show mac address-table", "show clock", "show ntp status",
    "show spanning-tree summary", "show ip bgp summary",
]
CLOCK_RE = re.compile(r"^\*\d\d:\d\d:\d\d\.\d{3} UTC \w{3} \w{3} +\d+ \d{4}$", re.M)
# The kex libssh2 1.10 (fanout) and asyncssh 2.10 negotiate with this sshd;
# OpenSSH 9.2's own default is sntrup761x25519-sha512.
SAME_KEX = "curve25519-sha256"


def die(msg):
    print(f"bench/ssh/run.py: {msg}", file=sys.stderr)
    sys.exit(1)


def norm(text):
    """Line ends made \\n, trailing spaces and blank lines at both ends cut."""
    lines = [l.rstrip() for l in text.replace("\r", "").split("\n")]
    return "\n".join(lines).strip("\n")


# ---- the fixture ----------------------------------------------------------------

class Fixture:
    def __init__(self, args):
        self.dir = os.path.join(args.work, "fixture")
        self.args = args
        self.env = {}

    def start(self):
        a = self.args
        cmd = [FIXTURE, "start", self.dir, "--devices", str(a.devices), "--latency", a.latency,
               "--owner", str(os.getpid()), "--max-life", "0"]
        env = dict(os.environ, BUILD=a.build)
        r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
        if r.returncode:
            die(f"the fixture did not start: {' '.join(cmd)}")
        self.line = r.stdout.strip()
        with open(os.path.join(self.dir, "env")) as f:
            for l in f:
                k, _, v = l.strip().partition("=")
                self.env[k] = v
        pid = int(open(os.path.join(self.dir, "fixture.pid")).read())
        kids = children(pid)
        if len(kids) != 1:
            die(f"cannot find the fixture's sshd under pid {pid}")
        self.sshd = kids[0]
        relay = [p for p in children(self.sshd) if comm(p) == "devsim-relay"]
        self.relay = relay[0] if relay else None

    def stop(self):
        subprocess.run([FIXTURE, "stop", self.dir], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    def cpu(self):
        """(sshd and everything it reaped, relay) CPU seconds so far."""
        return proc_cpu(self.sshd, True), proc_cpu(self.relay, False) if self.relay else 0.0

    def wait_idle(self, timeout=60):
        """Until no session is left under sshd (only the relay)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if [p for p in children(self.sshd) if p != self.relay] == []:
                return True
            time.sleep(0.1)
        return False


def children(pid):
    out = []
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def proc_cpu(pid, with_children):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tck = os.sysconf("SC_CLK_TCK")
    ut, st, cut, cst = (int(x) for x in fields[11:15])
    return (ut + st + (cut + cst if with_children else 0)) / tck


# ---- what each tool runs ----------------------------------------------------------

def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def setup_files(a, fx):
    """Host lists, command file, ssh configs, ansible files, in a.work."""
    e = fx.env
    hosts = [h.strip() for h in open(e["FIXTURE_HOSTS"]) if h.strip()]
    if len(hosts) < max(a.hosts1, a.hosts15):
        die(f"the fixture has {len(hosts)} devices; --hosts1/--hosts15 want more")
    files = {
        "hosts1": write(os.path.join(a.work, "hosts-1x1"), "\n".join(hosts[:a.hosts1]) + "\n"),
        "hosts15": write(os.path.join(a.work, "hosts-15"), "\n".join(hosts[:a.hosts15]) + "\n"),
        # pasted into a session by the tools that cannot wait for prompts; "exit"
        # last, as a script for a device ends, so that the output ends in a
        # newline (pdsh glues an unterminated last line to another host's)
        "cmds15": write(os.path.join(a.work, "commands-15"), "\n".join(CMDS15 + ["exit"]) + "\n"),
    }
    for kex in ("same", "default"):
        cfg = [
            "# written by bench/ssh/run.py: the fixture's devices, host keys not checked",
            "Host 127.*",
            f"    Port {e['FIXTURE_PORT']}",
            f"    User {e['FIXTURE_USER']}",
            f"    IdentityFile {e['FIXTURE_KEY']}",
            "    IdentitiesOnly yes",
            "    IdentityAgent none",
            "    StrictHostKeyChecking no",
            "    UserKnownHostsFile /dev/null",
            "    GlobalKnownHostsFile /dev/null",
            "    BatchMode yes",
            "    PasswordAuthentication no",
            "    KbdInteractiveAuthentication no",
            "    Compression no",
            "    ConnectTimeout 60",
            "    LogLevel ERROR",
        ]
        if kex == "same":
            cfg.append(f"    KexAlgorithms {SAME_KEX}")
        files[f"ssh_config-{kex}"] = write(os.path.join(a.work, f"ssh_config-{kex}"),
                                            "\n".join(cfg) + "\n")
        files[f"ansible.cfg-{kex}"] = write(os.path.join(a.work, f"ansible-{kex}.cfg"), f"""\
# written by bench/ssh/run.py
[defaults]
host_key_checking = False
forks = {a.concurrency}
gathering = explicit
interpreter_python = auto_silent
retry_files_enabled = False
timeout = 60
[ssh_connection]
# ansible's default ssh_args are "-C -o ControlMaster=auto -o ControlPersist=60s":
# kept but for -C (no compression for any tool), plus our ssh config
ssh_args = -F {files[f'ssh_config-{kex}']} -o ControlMaster=auto -o ControlPersist=60s
""")
    for case, n in (("1x1", a.hosts1), ("15", a.hosts15)):
        inv = ["[devices]"] + hosts[:n] + ["", "[devices:vars]",
                                          f"ansible_port={e['FIXTURE_PORT']}",
                                          f"ansible_user={e['FIXTURE_USER']}",
                                          f"ansible_ssh_private_key_file={e['FIXTURE_KEY']}"]
        files[f"inv-{case}"] = write(os.path.join(a.work, f"inventory-{case}.ini"),
                                     "\n".join(inv) + "\n")
    items = "\n".join(f"        - {c}" for c in CMDS15)
    files["play15"] = write(os.path.join(a.work, "play-15.yml"), f"""\
# written by bench/ssh/run.py: the 15 commands, each on an exec channel of the
# host's one ssh connection (ControlMaster), one raw task looped
- hosts: all
  gather_facts: false
  tasks:
    - raw: "{{{{ item }}}}"
      loop:
{items}
""")
    return files


def entries(a, fx, files):
    """Every row: name, group, case, argv, env, stdin, parser, outdir flag."""
    e = fx.env
    port, user, key = e["FIXTURE_PORT"], e["FIXTURE_USER"], e["FIXTURE_KEY"]
    C = str(a.concurrency)
    out = []

    def fanout(name, extra, case):
        base = [a.fanout, "run", "--hosts-file", files["hosts1" if case == "1x1" else "hosts15"],
                "--port", port, "--user", user, "--key", key, "--no-agent", "--host-keys", "off",
                "--json", "--no-progress", "--connect-timeout", "60s", "--command-timeout", "60s"]
        if case == "1x1":
            cmd = base + extra + ["--exec", "-c", "show version"]
        else:
            cmd = base + extra + ["--shell"] + [x for c in CMDS15 for x in ("-c", c)]
        out.append(dict(name=name, group="fanout", kex="same", case=case, argv=cmd,
                        parse="json"))

    def asyncssh(case):
        cmd = ["/usr/bin/python3", os.path.join(HERE, "asyncssh_run.py"),
               "--hosts", files["hosts1" if case == "1x1" else "hosts15"],
               "--port", port, "--user", user, "--key", key, "--concurrency", C]
        if case == "1x1":
            cmd += ["-c", "show version"]
        else:
            cmd += ["--shell"] + [x for c in CMDS15 for x in ("-c", c)]
        out.append(dict(name=f"asyncssh sem {C}", group="peer", kex="same", case=case,
                        argv=cmd, parse="json"))

    def openssh_peers(case, kex):
        cfg = files[f"ssh_config-{kex}"]
        tag = "" if kex == "same" else " [kex default]"
        hosts = files["hosts1" if case == "1x1" else "hosts15"]
        if case == "1x1":
            out.append(dict(name=f"pdsh -f {C}{tag}", group="peer", kex=kex, case=case,
                            argv=["pdsh", "-R", "ssh", "-f", C, "-t", "60", "-w", "^" + hosts,
                                  "show version"],
                            env={"PDSH_SSH_ARGS": f"-F {cfg} -a -x %h"}, parse="prefix"))
            out.append(dict(name=f"clush -f {C}{tag}", group="peer", kex=kex, case=case,
                            argv=["clush", "--hostfile", hosts, "-f", C, "-t", "60", "-o",
                                  f"-F {cfg}", "--nostdin", "show version"], parse="prefix"))
            out.append(dict(name=f"parallel-ssh -p {C}{tag}", group="peer", kex=kex, case=case,
                            argv=["parallel-ssh", "-h", hosts, "-p", C, "-t", "0", "-x",
                                  f"-F {cfg}", "-o", "{outdir}", "show version"],
                            parse="files", outdir=True))
            out.append(dict(name=f"ansible raw -f {C}{tag}", group="peer", kex=kex, case=case,
                            argv=["ansible", "all", "-i", files["inv-1x1"], "-m", "raw", "-a",
                                  "show version", "-f", C, "-t", "{outdir}"],
                            env={"ANSIBLE_CONFIG": files[f"ansible.cfg-{kex}"],
                                 "ANSIBLE_SSH_CONTROL_PATH_DIR": "{outdir}.cp"},
                            parse="ansible", outdir=True))
        else:
            cmds = files["cmds15"]
            out.append(dict(name=f"pdsh -f {C}{tag}", group="peer", kex=kex, case=case,
                            argv=["pdsh", "-R", "exec", "-f", C, "-w", "^" + hosts,
                                  "sh", "-c", f"exec ssh -F {cfg} -a -x -T %h < {cmds}"],
                            parse="prefix"))
            out.append(dict(name=f"clush -f {C}{tag}", group="peer", kex=kex, case=case,
                            argv=["clush", "--hostfile", hosts, "-f", C, "-t", "60", "-o",
                                  f"-F {cfg} -T", ""], stdin=cmds, parse="prefix"))
            out.append(dict(name=f"parallel-ssh -p {C}{tag}", group="peer", kex=kex, case=case,
                            argv=["parallel-ssh", "-I", "-h", hosts, "-p", C, "-t", "0", "-x",
                                  f"-F {cfg} -T", "-o", "{outdir}", ""], stdin=cmds,
                            parse="files", outdir=True))
            out.append(dict(name=f"ansible raw -f {C}{tag}", group="peer", kex=kex, case=case,
                            argv=["ansible-playbook", "-i", files["inv-15"], "-f", C,
                                  files["play15"]],
                            env={"ANSIBLE_CONFIG": files[f"ansible.cfg-{kex}"],
                                 "ANSIBLE_SSH_CONTROL_PATH_DIR": "{outdir}.cp",
                                 "ANSIBLE_CALLBACKS_ENABLED": "ansible.builtin.tree",
                                 "ANSIBLE_CALLBACK_TREE_DIR": "{outdir}"},
                            parse="ansible", outdir=True))

    for case in a.cases:
        fanout(f"fanout --workers {C}", ["--workers", C], case)
        fanout("fanout (default: all at once)", [], case)
        fanout(f"fanout --model threads:{C}", ["--model", f"threads:{C}"], case)
        asyncssh(case)
        for kex in a.peer_kex:
            openssh_peers(case, kex)
    if a.only:
        keep = [s.strip() for s in a.only.split(",") if s.strip()]
        out = [x for x in out if any(x["name"].startswith(k) for k in keep)]
    return out


# ---- checking the outputs -----------------------------------------------------------

def references(a, hosts, cmds):
    """What devsim prints for each (host, command), normalized; None: a pattern."""
    refs = {}
    env = dict(os.environ, DEVSIM_THINK_MS="0")
    devsim = os.path.join(a.build, "devsim")
    for h in hosts:
        for c in cmds:
            if c == "show clock":
                refs[(h, c)] = None
                continue
            r = subprocess.run([devsim, "--addr", h, "-c", c], env=env, stdout=subprocess.PIPE,
                               text=True, check=True)
            refs[(h, c)] = norm(r.stdout)
    return refs


def outputs(entry, stdout_path, outdir):
    """host -> list of outputs (exact per command) or one text blob."""
    got = {}
    p = entry["parse"]
    if p == "json":
        with open(stdout_path, errors="replace") as f:
            for l in f:
                if not l.startswith("{"):
                    continue
                d = json.loads(l)
                if d.get("status") != "ok":
                    continue
                got[d["host"]] = [(r["command"], r.get("output", "")) for r in d["results"]]
    elif p == "prefix":
        blobs = {}
        with open(stdout_path, errors="replace") as f:
            for l in f:
                h, sep, rest = l.partition(": ")
                if not sep:
                    h, rest = l.rstrip("\n").rstrip(":"), ""
                blobs.setdefault(h, []).append(rest)
        got = {h: "".join(v) for h, v in blobs.items()}
    elif p == "files":
        if os.path.isdir(outdir):
            for h in os.listdir(outdir):
                with open(os.path.join(outdir, h), errors="replace") as f:
                    got[h] = f.read()
    elif p == "ansible":
        if os.path.isdir(outdir):
            for h in os.listdir(outdir):
                with open(os.path.join(outdir, h), errors="replace") as f:
                    d = json.load(f)
                if d.get("failed") or d.get("unreachable"):
                    continue
                if "results" in d:
                    if any(r.get("rc") != 0 for r in d["results"]):
                        continue
                    got[h] = [(r["item"], r.get("stdout", "")) for r in d["results"]]
                elif d.get("rc") == 0:
                    got[h] = d.get("stdout", "")
    return got


def count_ok(got, hosts, cmds, refs):
    """Hosts whose every command's output is right. A list of (command,
    output) must match exactly, command by command; a text blob must hold
    every command's output (the tools that print a whole session)."""
    ok = 0
    for h in hosts:
        g = got.get(h)
        if g is None:
            continue
        good = True
        if isinstance(g, list):
            if [c for c, _ in g] != cmds:
                continue
            for c, o in g:
                ref = refs[(h, c)]
                o = norm(o)
                if (ref is None and not CLOCK_RE.fullmatch(o)) or (ref is not None and o != ref):
                    good = False
                    break
        else:
            blob = norm(g)
            for c in cmds:
                ref = refs[(h, c)]
                if (ref is None and not CLOCK_RE.search(blob)) or (ref is not None and ref not in blob):
                    good = False
                    break
        ok += good
    return ok


# ---- running ------------------------------------------------------------------------------

def run_one(a, fx, entry, run_dir):
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    outdir = os.path.join(run_dir, "out")
    sub = lambda s: s.replace("{outdir}", outdir)
    argv = [sub(x) for x in entry["argv"]]
    env = dict(os.environ)
    for k, v in entry.get("env", {}).items():
        env[k] = sub(v)
    for k in ("ANSIBLE_SSH_CONTROL_PATH_DIR",):
        if k in env:
            os.makedirs(env[k], exist_ok=True)
    stdout_path = os.path.join(run_dir, "stdout")
    res_path = os.path.join(run_dir, "measure")
    if not fx.wait_idle():
        print(f"  warning: sessions of an earlier run still open before {entry['name']}",
              file=sys.stderr)
    load0 = os.getloadavg()[0]
    srv0, rel0 = fx.cpu()
    stdin = open(entry["stdin"]) if entry.get("stdin") else subprocess.DEVNULL
    with open(stdout_path, "w") as so, open(os.path.join(run_dir, "stderr"), "w") as se:
        try:
            subprocess.run([a.measure, "--sample-ms", str(a.sample_ms), "--out", res_path, "--"] + argv,
                           stdin=stdin, stdout=so, stderr=se, env=env, timeout=a.timeout)
        except subprocess.TimeoutExpired:
            return dict(failed=f"ran past --timeout {a.timeout}s")
    if stdin is not subprocess.DEVNULL:
        stdin.close()
    fx.wait_idle()
    srv1, rel1 = fx.cpu()
    m = dict(kv.split("=") for kv in open(res_path).read().split(":", 1)[1].split())
    case = entry["case"]
    hosts = fx.hosts1 if case == "1x1" else fx.hosts15
    cmds = ["show version"] if case == "1x1" else CMDS15
    got = outputs(entry, stdout_path, outdir)
    ok = count_ok(got, hosts, cmds, fx.refs)
    return dict(wall=float(m["wall_s"]), cpu=float(m["user_s"]) + float(m["sys_s"]),
                user=float(m["user_s"]), sys=float(m["sys_s"]),
                maxrss=int(m["maxrss_kb"]) / 1024,
                sumrss=max(int(m["sumrss_kb"]), int(m["maxrss_kb"])) / 1024,
                nproc=int(m["nproc"]), leftover=int(m["leftover"]), status=int(m["status"]),
                server=srv1 - srv0, relay=rel1 - rel0, ok=ok, total=len(hosts),
                load=load0, load_end=os.getloadavg()[0])


def handshake_run(a, fx, n, through_relay):
    e = fx.env
    port = e["FIXTURE_PORT"] if through_relay else e["FIXTURE_SSHD_PORT"]
    hosts = fx.hosts1[:n]
    fx.wait_idle()
    srv0, _ = fx.cpu()
    mpath = os.path.join(a.work, "handshake.measure")
    r = subprocess.run([a.measure, "--sample-ms", "0", "--out", mpath, "--",
                        a.handshake, "--port", port, "--user", e["FIXTURE_USER"], "--key",
                        e["FIXTURE_KEY"], "-n", str(n)] + hosts, stdout=subprocess.PIPE, text=True)
    fx.wait_idle()
    srv1, _ = fx.cpu()
    d = dict(kv.split("=") for kv in r.stdout.split())
    m = dict(kv.split("=") for kv in open(mpath).read().split(":", 1)[1].split())
    return dict(cpu_ms=float(d["cpu_per_login_ms"]), ok=int(d["ok"]), n=int(d["logins"]),
                wall=float(d["wall"]), server_ms=(srv1 - srv0) * 1e3 / n, maxrss=int(m["maxrss_kb"]))


def versions(a):
    def first(cmd):
        try:
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=30, env=dict(os.environ, PYTHONWARNINGS="ignore"))
            return r.stdout.strip().splitlines()[0] if r.stdout.strip() else "?"
        except (OSError, subprocess.TimeoutExpired):
            return "?"
    return "\n".join([
        f"machine: {os.uname().release}, {os.cpu_count()} cores; fanout: {a.fanout}",
        f"versions: {first(['ssh', '-V'])}; {first(['pdsh', '-V'])}; {first(['clush', '--version'])}; "
        f"parallel-ssh {first(['parallel-ssh', '--version'])}; {first(['ansible', '--version'])}; "
        f"asyncssh {first(['/usr/bin/python3', '-W', 'ignore', '-c', 'import asyncssh; print(asyncssh.__version__)'])}; "
        f"libssh2 {first(['dpkg-query', '-W', '-f', '${Version}', 'libssh2-1'])}",
    ])


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--devices", type=int, default=1000)
    p.add_argument("--hosts1", type=int, default=1000, help="devices of the 1 x show version case")
    p.add_argument("--hosts15", type=int, default=200, help="devices of the 15-command case")
    p.add_argument("--latency", default="50ms")
    p.add_argument("--concurrency", type=int, default=256)
    p.add_argument("--cases", default="1x1,15")
    p.add_argument("--peer-kex", default="same,default",
                   help=f"OpenSSH-based peers with KexAlgorithms {SAME_KEX} (same), "
                        "with OpenSSH's default (default), or both")
    p.add_argument("--only", help="rows whose names start with one of these, comma-separated")
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--fanout", help="default BUILD/fanout")
    p.add_argument("--measure", help="default BUILD/bench/ssh/measure_tree")
    p.add_argument("--handshake", help="default BUILD/bench/ssh/handshake")
    p.add_argument("--handshake-n", type=int, default=200)
    p.add_argument("--sample-ms", type=int, default=100,
                   help="how often measure_tree sums the tree's RSS (0: never)")
    p.add_argument("--timeout", type=int, default=900, help="per run, seconds")
    p.add_argument("--work", help="default /tmp/fanout-bench-ssh (the login user must reach it)")
    p.add_argument("--csv")
    a = p.parse_args()
    a.build = os.path.abspath(a.build)
    a.fanout = os.path.abspath(a.fanout or os.path.join(a.build, "fanout"))
    a.measure = a.measure or os.path.join(a.build, "bench/ssh/measure_tree")
    a.handshake = a.handshake or os.path.join(a.build, "bench/ssh/handshake")
    a.work = os.path.abspath(a.work or "/tmp/fanout-bench-ssh")
    a.cases = [c.strip() for c in a.cases.split(",") if c.strip()]
    a.peer_kex = [k.strip() for k in a.peer_kex.split(",") if k.strip()]
    for prog in (a.fanout, a.measure, a.handshake):
        if not os.access(prog, os.X_OK):
            die(f"'{prog}' missing: run bench/ssh/run.sh, which builds it")
    for prog in ("pdsh", "clush", "parallel-ssh", "ansible", "ansible-playbook"):
        if not shutil.which(prog):
            die(f"'{prog}' missing: bench/ssh/run.sh installs it")

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    os.makedirs(a.work, exist_ok=True)
    fx = Fixture(a)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    t_start = time.time()
    fx.start()
    try:
        files = setup_files(a, fx)
        fx.hosts1 = open(files["hosts1"]).read().split()
        fx.hosts15 = open(files["hosts15"]).read().split()
        print(versions(a), flush=True)
        print(f"fixture: {fx.line}", flush=True)
        print(f"fixture: sshd pid {fx.sshd}, relay pid {fx.relay}; "
              f"open files {hard}; load average {os.getloadavg()}", flush=True)
        t0 = time.monotonic()
        fx.refs = references(a, sorted(set(fx.hosts1) | set(fx.hosts15)), ["show version"])
        fx.refs.update(references(a, fx.hosts15, [c for c in CMDS15 if c != "show version"]))
        print(f"reference outputs from devsim: {len(fx.refs)} in {time.monotonic() - t0:.1f}s",
              flush=True)
        rows = entries(a, fx, files)
        print("\ncommands (outdir: a fresh directory per run):")
        for r in rows:
            envs = " ".join(f"{k}={shlex.quote(v)}" for k, v in r.get("env", {}).items())
            stdin = f" < {r['stdin']}" if r.get("stdin") else ""
            print(f"  [{r['case']}] {r['name']}:\n      {envs + ' ' if envs else ''}"
                  f"{shlex.join(r['argv'])}{stdin}")
        print(flush=True)
        results = {i: [] for i in range(len(rows))}
        hs = []
        for run in range(a.runs):
            for i, r in enumerate(rows):
                res = run_one(a, fx, r, os.path.join(a.work, "runs", r["case"], f"{i:02d}"))
                results[i].append(res)
                if "failed" in res:
                    print(f"run {run + 1} [{r['case']}] {r['name']}: FAILED {res['failed']}",
                          flush=True)
                    continue
                print(f"run {run + 1} [{r['case']}] {r['name']}: wall {res['wall']:.2f}s "
                      f"cpu {res['cpu']:.2f}s (u {res['user']:.2f} s {res['sys']:.2f}) "
                      f"server {res['server']:.2f}s relay {res['relay']:.2f}s "
                      f"rss {res['maxrss']:.1f}/{res['sumrss']:.1f}MiB procs {res['nproc']} "
                      f"left {res['leftover']} exit {res['status']} ok {res['ok']}/{res['total']} "
                      f"load {res['load']:.1f}->{res['load_end']:.1f}", flush=True)
            if a.handshake_n:
                for relay in (False, True):
                    n = a.handshake_n if not relay else max(1, a.handshake_n // 5)
                    h = handshake_run(a, fx, n, relay)
                    h["relay"] = relay
                    hs.append(h)
                    print(f"run {run + 1} handshake alone ({'through the relay' if relay else 'to sshd directly'}, "
                          f"{n} sequential logins): {h['cpu_ms']:.3f} ms CPU a login, "
                          f"server {h['server_ms']:.1f} ms a login, ok {h['ok']}/{h['n']}", flush=True)
    finally:
        fx.stop()
    report(a, rows, results, hs, t_start)


def report(a, rows, results, hs, t_start):
    print(f"\nmedians of {a.runs} runs; load average now {os.getloadavg()}; "
          f"{time.time() - t_start:.0f}s in all\n")
    agg = []
    for i, r in enumerate(rows):
        rs = [x for x in results[i] if "failed" not in x]
        m = dict(row=r, n=len(rs), failed=len(results[i]) - len(rs))
        for k in ("wall", "cpu", "maxrss", "sumrss", "server", "relay", "load"):
            m[k] = median([x[k] for x in rs])
        m["ok_min"] = min([x["ok"] for x in rs], default=0)
        m["total"] = rs[0]["total"] if rs else 0
        m["hosts"] = m["total"]
        agg.append(m)
    out_rows = []
    for case in a.cases:
        ms = [m for m in agg if m["row"]["case"] == case]
        print(f"case {case}: " + ("1 x show version per host" if case == "1x1" else
                                  "15 commands in one session per host") + f", latency {a.latency}")
        best = {}
        for kex in ("same", "default"):
            peers = [m for m in ms if m["row"]["group"] == "peer" and
                     (m["row"]["kex"] == kex or m["row"]["name"].startswith("asyncssh"))
                     and m["n"] and m["ok_min"] == m["total"]]
            if peers:
                best[kex] = (min(peers, key=lambda m: m["wall"]), min(peers, key=lambda m: m["cpu"]))
        hdr = (f"{'entry':40} {'wall s':>8} {'CPU s':>8} {'CPU/host ms':>11} {'server s':>9} "
               f"{'relay s':>8} {'RSS MiB':>8} {'ΣRSS MiB':>9} {'ok (min)':>10} "
               f"{'wall×best':>9} {'CPU×best':>9}")
        print(hdr)
        print("-" * len(hdr))
        bw, bc = best.get("same", (None, None))
        for m in ms:
            name = m["row"]["name"]
            if not m["n"]:
                print(f"{name:40} FAILED")
                continue
            rw = m["wall"] / bw["wall"] if bw else float("nan")
            rc = m["cpu"] / bc["cpu"] if bc else float("nan")
            print(f"{name:40} {m['wall']:8.2f} {m['cpu']:8.2f} {m['cpu'] * 1e3 / m['hosts']:11.2f} "
                  f"{m['server']:9.2f} {m['relay']:8.2f} {m['maxrss']:8.1f} {m['sumrss']:9.1f} "
                  f"{m['ok_min']:>5}/{m['total']:<4} {rw:9.2f} {rc:9.2f}")
            out_rows.append(dict(case=case, entry=name, kex=m["row"]["kex"], wall_s=m["wall"],
                                 cpu_s=m["cpu"], cpu_per_host_ms=m["cpu"] * 1e3 / m["hosts"],
                                 server_cpu_s=m["server"], relay_cpu_s=m["relay"],
                                 maxrss_mib=m["maxrss"], sumrss_mib=m["sumrss"],
                                 ok_min=m["ok_min"], total=m["total"], load=m["load"],
                                 walls=" ".join(f"{x['wall']:.2f}" for x in
                                                results[agg.index(m)] if "wall" in x),
                                 command=shlex.join(m["row"]["argv"])))
        for kex, (w, c) in best.items():
            print(f"  best peer, OpenSSH peers with {'KexAlgorithms ' + SAME_KEX if kex == 'same' else 'their default kex'}"
                  f" (asyncssh included): wall {w['row']['name']} {w['wall']:.2f}s, CPU {c['row']['name']} {c['cpu']:.2f}s")
        fo = [m for m in ms if m["row"]["group"] == "fanout" and m["n"]]
        for m in fo:
            for kex, (w, c) in best.items():
                print(f"  {m['row']['name']}: wall {m['wall'] / w['wall']:.2f}x, CPU {m['cpu'] / c['cpu']:.2f}x "
                      f"the best peer ({kex} kex)")
        print()
    if hs:
        for relay in (False, True):
            h = [x for x in hs if x["relay"] == relay]
            if h:
                print(f"handshake alone (libssh2, sequential, {'through the relay' if relay else 'to sshd directly'}): "
                      f"{median([x['cpu_ms'] for x in h]):.3f} ms client CPU a login (median of {len(h)} series of "
                      f"{h[0]['n']}), server {median([x['server_ms'] for x in h]):.1f} ms a login, "
                      f"peak RSS {h[0]['maxrss'] / 1024:.1f} MiB")
    if a.csv:
        with open(a.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(out_rows[0].keys()) if out_rows else ["case"])
            w.writeheader()
            w.writerows(out_rows)
        print(f"csv: {a.csv}")
    if any(m["failed"] or m["ok_min"] != m["total"] for m in agg):
        print("some runs failed or got wrong output: see the per-run lines above")
        sys.exit(1)


if __name__ == "__main__":
    main()
