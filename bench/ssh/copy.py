#!/usr/bin/python3
"""fanout run --task copy against parallel-ssh's parallel-scp: one file to N hosts.

    /usr/bin/python3 bench/ssh/copy.py                   # 1,000 hosts x 10 MiB, 3 runs
    /usr/bin/python3 bench/ssh/copy.py --hosts 100 --runs 1
    /usr/bin/python3 bench/ssh/copy.py --rows write,fanout,fanout-w,pscp,pscp-C

Issue 13's target: "File copy of a 10 MB file to 1,000 hosts: wall within
1.2x what the link and the server allow (measure the server's own side),
client CPU <= 0.5x parallel-ssh's pscp in the same run."

The hosts. The SSH fixture (tests/fixtures/ssh/sshd-fixture.sh) is one
OpenSSH sshd for every loopback address; its Linux hosts 127.3.x.y run
the login user's /bin/sh, OpenSSH's sftp-server and scp, and sha256sum.
All of them share one login user, so one home: this script makes a folder
FIXTURE/home/hosts/ADDR for each host, which devsim makes that host's
working directory, and both tools push to a relative path. So every host
gets a file of its own (1,000 hosts: 10 GiB per run, on the disk that
holds --work), as on real hosts. Hosts are 127.3.(i / 250).(i % 250 + 1),
the fixture's own layout; the 127.3/16 range and MaxStartups 10000 allow
far more than 1,000, so --hosts 1000 is 1,000 distinct addresses. No
latency is added: the relay would copy every byte once more on the same
two cores, and the question here is CPU and disk, not round trips.

Rows (--rows, comma-separated; the default is write,fanout,pscp):

  write     no SSH at all: one process writes SIZE bytes from memory to
            each host's file (what the server's side must at least do)
  fanout    fanout run --task copy --push SRC NAME, its defaults: every
            host at once, SFTP (hosts without a platform have SFTP and a
            shell), each file checked by `sha256sum` on the host before
            it is renamed into place
  fanout-w  the same with --workers PAR (parallel-scp's parallelism)
  pscp      parallel-scp -p PAR: one scp (and its ssh) per host. pssh
            always passes scp -qC; compression of random bytes costs both
            ends much CPU and no tool here compresses, so this row runs
            pssh with an `scp` first on PATH that drops the C (a two-line
            sh wrapper: one exec more per host)
  pscp-C    parallel-scp exactly as shipped, with compression

Both tools use the fixture's key, no agent, host keys checked against the
fixture's known_hosts, no compression (but pscp-C); OpenSSH's scp (9.2)
gets KexAlgorithms curve25519-sha256, what libssh2 negotiates (bench/ssh/
README.md says why), and speaks SFTP as fanout does (scp uses the SFTP
protocol since OpenSSH 9.0). Each run pushes to a fresh name. After each
run every host's file is checked (size, and sha256 of all of them, or of
--check-sample hosts), no other file may be left in the host's folder (a
temporary file of fanout's would show), then all are deleted and `sync`
waits for the disk before the next row.

Measured per run: wall (fork to exit) and client CPU (user + sys of the
whole client process tree, bench/ssh/measure_tree.c), the server's CPU
(the fixture's sshd with every session, devsim, sh, sftp-server and
sha256sum it reaped: /proc/SSHD/stat's utime + stime + cutime + cstime,
after the last session has ended), the load average.

The bound, "what the link and the server allow", per run and per tool:

  bound = max(server CPU of that run / server cores, write wall of that round)

The server's cores: with two or more cores the fixture's sshd (and so
every session it starts) is pinned to core 0 and the client to core 1
(taskset; --no-pin turns it off), like bench/serve.sh, so server cores =
1 and the client cannot be helped by the server's core or steal it; with
--no-pin it is the machine's core count. The link is loopback: it has no
rate of its own, its cost is the copying in both sides' system time,
already in the CPU figures. The disk: `write` puts the same bytes on the
same file system from memory with no SSH, in the same round, so its wall
is the least time the server's disk side takes. A tool whose wall/bound is
1.0 keeps the server busy all the time; above it, the client (or the
scheduling between them) is what the server waits for. The server CPU is
the tool's own: fanout's sha256 check runs on the server (the hash of
every byte, plus an exec channel, a shell and sha256sum per host), so the
server does more work for fanout than for pscp, and the table shows it.
Also printed: wall/box, with box = max((server + client CPU) / all cores,
write wall), for the case where both ends share the cores (--no-pin).

Standard library only; prints every command it runs. Run it with
/usr/bin/python3 as root (the fixture's own login user needs root).
"""
import argparse
import hashlib
import os
import random
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
SAME_KEX = "curve25519-sha256"
ROWS = ["write", "fanout", "fanout-w", "pscp", "pscp-C"]


def log(*a):
    print(*a, flush=True)


def die(msg):
    print(f"bench/ssh/copy.py: {msg}", file=sys.stderr)
    sys.exit(1)


def show(cmd, env=None):
    e = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
    log("+ " + (e + " " if e else "") + shlex.join(cmd))


def run(cmd, **kw):
    show(cmd)
    return subprocess.run(cmd, **kw)


def children(pid):
    out = []
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def proc_cpu(pid):
    """utime + stime + cutime + cstime of pid, seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def host_addr(i):
    return f"127.3.{i // 250}.{i % 250 + 1}"


# ---- the fixture ----------------------------------------------------------------

class Fixture:
    def __init__(self, a):
        self.a = a
        self.dir = os.path.join(a.work, "fixture")
        self.env = {}

    def start(self):
        a = self.a
        cmd = [FIXTURE, "start", self.dir, "--devices", "1", "--owner", str(os.getpid()),
               "--max-life", "0"]
        r = run(cmd, env=dict(os.environ, BUILD=a.build), stdout=subprocess.PIPE, text=True)
        if r.returncode:
            die("the fixture did not start")
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
        self.home = os.path.join(self.dir, "home")
        self.uid = os.stat(self.home).st_uid

    def stop(self):
        run([FIXTURE, "stop", self.dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def cpu(self):
        return proc_cpu(self.sshd)

    def wait_idle(self, timeout=120):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not children(self.sshd):
                return True
            time.sleep(0.1)
        return False


# ---- the rows -------------------------------------------------------------------------

def setup(a, fx, hosts):
    e = fx.env
    files = {}
    files["hosts"] = os.path.join(a.work, "hosts")
    with open(files["hosts"], "w") as f:
        f.write("\n".join(hosts) + "\n")
    files["ssh_config"] = os.path.join(a.work, "ssh_config")
    with open(files["ssh_config"], "w") as f:
        f.write("\n".join([
            "# written by bench/ssh/copy.py: the fixture's hosts, host keys checked",
            "Host 127.*",
            f"    Port {e['FIXTURE_PORT']}",
            f"    User {e['FIXTURE_USER']}",
            f"    IdentityFile {e['FIXTURE_KEY']}",
            "    IdentitiesOnly yes",
            "    IdentityAgent none",
            f"    UserKnownHostsFile {fx.dir}/known_hosts",
            "    GlobalKnownHostsFile /dev/null",
            "    StrictHostKeyChecking yes",
            "    BatchMode yes",
            "    PasswordAuthentication no",
            "    KbdInteractiveAuthentication no",
            "    Compression no",
            "    ConnectTimeout 120",
            f"    KexAlgorithms {SAME_KEX}",
            "    LogLevel ERROR",
        ]) + "\n")
    # pssh runs `scp -qC ...`; -C beats any Compression option, so this
    # scp, first on PATH for the pscp row, drops it
    wdir = os.path.join(a.work, "scp-no-C")
    os.makedirs(wdir, exist_ok=True)
    files["scp_wrapper_dir"] = wdir
    with open(os.path.join(wdir, "scp"), "w") as f:
        f.write('#!/bin/sh\n# written by bench/ssh/copy.py: pssh\'s "scp -qC ..." without -C\n'
                'a=$1; shift; [ "$a" = -qC ] && a=-q\nexec /usr/bin/scp "$a" "$@"\n')
    os.chmod(os.path.join(wdir, "scp"), 0o755)
    # a folder of its own for every host: devsim's working directory there
    hroot = os.path.join(fx.home, "hosts")
    os.makedirs(hroot, exist_ok=True)
    for h in hosts:
        d = os.path.join(hroot, h)
        os.makedirs(d, exist_ok=True)
        os.chown(d, fx.uid, -1)
    files["hroot"] = hroot
    return files


def rows(a, fx, files):
    e = fx.env
    srv_pin = ["taskset", "-c", "0"] if a.pin else []
    cli_pin = ["taskset", "-c", "1"] if a.pin else []
    fan = [a.fanout, "run", "--hosts-file", files["hosts"], "--port", e["FIXTURE_PORT"],
           "--user", e["FIXTURE_USER"], "--key", e["FIXTURE_KEY"], "--no-agent",
           "--known-hosts", os.path.join(fx.dir, "known_hosts"), "--json", "--no-progress",
           "--connect-timeout", "120s", "--command-timeout", "120s"]
    pscp = ["parallel-scp", "-h", files["hosts"], "-p", str(a.par), "-t", "0",
            "-x", f"-F {files['ssh_config']}"]
    path_no_c = files["scp_wrapper_dir"] + ":" + os.environ.get("PATH", "/usr/bin:/bin")
    out = {
        "write": dict(name="write (no ssh)", argv=srv_pin + [
            "/usr/bin/python3", os.path.abspath(__file__), "--write-files", "{src}", "{name}",
            files["hroot"], files["hosts"]], parse="write", server_side=True),
        "fanout": dict(name="fanout", argv=cli_pin + fan + ["--task", "copy", "--push", "{src}", "{name}"],
                       parse="json"),
        "fanout-w": dict(name=f"fanout --workers {a.par}",
                         argv=cli_pin + fan + ["--workers", str(a.par), "--task", "copy", "--push",
                                               "{src}", "{name}"], parse="json"),
        "pscp": dict(name=f"parallel-scp -p {a.par}", argv=cli_pin + pscp + ["{src}", "{name}"],
                     env={"PATH": path_no_c}, parse="pscp"),
        "pscp-C": dict(name=f"parallel-scp -p {a.par} (-C)", argv=cli_pin + pscp + ["{src}", "{name}"],
                       parse="pscp"),
    }
    return [(k, out[k]) for k in a.rows]


def count_ok(row, stdout, n):
    """Hosts the tool itself says are done."""
    if row["parse"] == "write":
        return n if "written" in stdout else 0
    if row["parse"] == "json":
        return sum(1 for l in stdout.splitlines() if l.startswith("{") and '"status":"ok"' in l)
    return stdout.count("[SUCCESS]")


def check_files(a, files, hosts, name, size, want):
    """Every host's folder holds NAME alone, of SIZE bytes; sha256 of all
    (or of --check-sample hosts). A list of problems (empty: all good)."""
    bad = []
    sample = set(hosts) if not a.check_sample or a.check_sample >= len(hosts) else \
        set(random.Random(len(hosts)).sample(hosts, a.check_sample))
    for h in hosts:
        d = os.path.join(files["hroot"], h)
        names = os.listdir(d)
        if names != [name]:
            bad.append(f"{h}: folder holds {sorted(names)[:4]}")
            continue
        p = os.path.join(d, name)
        st = os.stat(p)
        if st.st_size != size:
            bad.append(f"{h}: {st.st_size} bytes, not {size}")
        elif h in sample:
            with open(p, "rb") as f:
                if hashlib.sha256(f.read()).hexdigest() != want:
                    bad.append(f"{h}: sha256 differs")
    return bad, len(sample)


def clean(files, hosts):
    for h in hosts:
        d = os.path.join(files["hroot"], h)
        for n in os.listdir(d):
            os.unlink(os.path.join(d, n))
    subprocess.run(["sync"])


def one(a, fx, files, hosts, key, row, rnd, src, size, want):
    name = f"copy-r{rnd}-{key}.bin"
    rdir = os.path.join(a.work, "runs", f"{rnd:02d}-{key}")
    shutil.rmtree(rdir, ignore_errors=True)
    os.makedirs(rdir)
    argv = [x.replace("{src}", src).replace("{name}", name) for x in row["argv"]]
    mpath = os.path.join(rdir, "measure")
    full = [a.measure, "--sample-ms", "200", "--out", mpath, "--"] + argv
    env = dict(os.environ, **row.get("env", {}))
    free = shutil.disk_usage(a.work).free
    if free < size * len(hosts) + (5 << 30):
        die(f"'{a.work}': {free >> 30} GiB free, the run needs {size * len(hosts) >> 30} GiB and 5 more")
    if not fx.wait_idle():
        log("  warning: sessions of the run before are still open")
    show(full, row.get("env"))
    load0 = os.getloadavg()[0]
    s0 = fx.cpu()
    with open(os.path.join(rdir, "stdout"), "w") as so, open(os.path.join(rdir, "stderr"), "w") as se:
        try:
            subprocess.run(full, stdout=so, stderr=se, stdin=subprocess.DEVNULL, env=env,
                           timeout=a.timeout)
        except subprocess.TimeoutExpired:
            return dict(failed=f"ran past --timeout {a.timeout}s")
    fx.wait_idle()
    s1 = fx.cpu()
    m = dict(kv.split("=") for kv in open(mpath).read().split(":", 1)[1].split())
    stdout = open(os.path.join(rdir, "stdout"), errors="replace").read()
    cpu = float(m["user_s"]) + float(m["sys_s"])
    res = dict(wall=float(m["wall_s"]), cpu=cpu, user=float(m["user_s"]), sys=float(m["sys_s"]),
               rss=max(int(m["sumrss_kb"]), int(m["maxrss_kb"])) / 1024, status=int(m["status"]),
               server=cpu if row.get("server_side") else s1 - s0,
               said_ok=count_ok(row, stdout, len(hosts)), load=load0, load_end=os.getloadavg()[0])
    t0 = time.monotonic()
    bad, nsha = check_files(a, files, hosts, name, size, want)
    res["ok"] = len(hosts) - len({b.split(":")[0] for b in bad})
    res["check"] = f"{nsha} sha256 in {time.monotonic() - t0:.1f}s"
    res["bad"] = bad
    if res["status"] != 0 or res["said_ok"] != len(hosts) or bad:
        res["failed"] = (f"exit {res['status']}, the tool says {res['said_ok']}/{len(hosts)} ok, "
                         f"{len(bad)} hosts' files wrong{': ' + bad[0] if bad else ''} (see {rdir})")
    clean(files, hosts)
    return res


def write_files(src, name, hroot, hostsfile):
    """The `write` row: SRC's bytes to HROOT/HOST/NAME for every host, from
    memory, as sftp-server does (plain write(2)s, no fsync)."""
    data = open(src, "rb").read()
    hosts = open(hostsfile).read().split()
    for h in hosts:
        fd = os.open(os.path.join(hroot, h, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view[:1 << 18]):]
        os.close(fd)
    print(f"written {len(hosts)} x {len(data)} bytes")


# ---- the report ------------------------------------------------------------------------

def median(xs):
    return statistics.median(xs) if xs else float("nan")


def report(a, rws, results, hosts, base_key):
    score = {}
    for key, row in rws:
        rs = [r for r in results[key] if "failed" not in r]
        score[key] = dict(n=len(rs), failed=len(results[key]) - len(rs),
                          **{k: median([r[k] for r in rs]) for k in
                             ("wall", "cpu", "server", "rss", "bound", "box", "wb", "wbox", "load")})
    srv_cores = 1 if a.pin else os.cpu_count()
    base = score.get(base_key)
    log(f"\nmedians of {a.runs} runs, {len(hosts)} hosts x {a.size} bytes; server cores {srv_cores}"
        f"{' (sshd on core 0, client on core 1)' if a.pin else ''}; load average now "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    hdr = (f"{'tool':30} {'hosts':>5} {'wall s':>7} {'client CPU s':>12} {'CPU x ' + base_key:>11} "
           f"{'server CPU s':>12} {'bound s':>8} {'wall/bound':>10} {'wall/box':>8} {'ΣRSS MiB':>8} {'load':>5}")
    log(hdr)
    log("-" * len(hdr))
    for key, row in rws:
        s = score[key]
        if not s["n"]:
            log(f"{row['name']:30} {len(hosts):5} FAILED")
            continue
        ratio = s["cpu"] / base["cpu"] if base and base["n"] else float("nan")
        rt = "-" if key == "write" else f"{ratio:11.2f}"
        bnd = "-" if key == "write" else f"{s['bound']:8.2f}"
        wb = "-" if key == "write" else f"{s['wb']:10.2f}"
        wbox = "-" if key == "write" else f"{s['wbox']:8.2f}"
        log(f"{row['name']:30} {len(hosts):5} {s['wall']:7.2f} {s['cpu']:12.2f} {rt:>11} "
            f"{s['server']:12.2f} {bnd:>8} {wb:>10} {wbox:>8} {s['rss']:8.1f} {s['load']:5.1f}"
            + (f"  ({s['failed']} of {a.runs} runs failed)" if s["failed"] else ""))
    log("\nbound = max(server CPU / server cores, the write row's wall in that round); "
        "box = max((server + client CPU) / all cores, the write row's wall); medians of the per-run ratios")
    return any(s["failed"] for s in score.values())


# ---- main ------------------------------------------------------------------------------

def main():
    if len(sys.argv) == 6 and sys.argv[1] == "--write-files":
        write_files(*sys.argv[2:])
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    p.add_argument("--hosts", type=int, default=1000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--size", type=int, default=10 << 20, help="bytes of the file (default 10 MiB)")
    p.add_argument("--par", type=int, default=100, help="parallel-scp -p (and fanout-w's --workers)")
    p.add_argument("--rows", default="write,fanout,pscp", help=f"of {','.join(ROWS)}")
    p.add_argument("--check-sample", type=int, default=0,
                   help="sha256 of this many hosts' files (default 0: all)")
    p.add_argument("--no-pin", dest="pin", action="store_false")
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--fanout", help="default BUILD/fanout")
    p.add_argument("--measure", help="default BUILD/bench/ssh/measure_tree (built when missing)")
    p.add_argument("--timeout", type=int, default=1800, help="per run, seconds")
    p.add_argument("--work", help="default /tmp/fanout-bench-copy (the login user must reach it)")
    a = p.parse_args()
    a.build = os.path.abspath(a.build)
    a.fanout = os.path.abspath(a.fanout or os.path.join(a.build, "fanout"))
    a.measure = a.measure or os.path.join(a.build, "bench/ssh/measure_tree")
    a.work = os.path.abspath(a.work or "/tmp/fanout-bench-copy")
    a.rows = [r.strip() for r in a.rows.split(",") if r.strip()]
    for r in a.rows:
        if r not in ROWS:
            die(f"--rows: '{r}' is not one of {', '.join(ROWS)}")
    if not 1 <= a.hosts <= 64000:
        die("--hosts: 1 to 64000")
    a.pin = a.pin and os.cpu_count() >= 2 and shutil.which("taskset") is not None
    if os.geteuid() != 0:
        die("run as root: the fixture's login user and its per-host folders need it")
    if not os.access(a.fanout, os.X_OK):
        die(f"'{a.fanout}' missing: run make")
    if not shutil.which("parallel-scp") and any(r.startswith("pscp") for r in a.rows):
        die("'parallel-scp' missing: apt-get install --no-install-recommends pssh")
    if not os.access(a.measure, os.X_OK):
        os.makedirs(os.path.dirname(a.measure), exist_ok=True)
        run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", a.measure,
             os.path.join(HERE, "measure_tree.c")], check=True)

    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    os.makedirs(a.work, exist_ok=True)
    os.chmod(a.work, 0o755)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    hosts = [host_addr(i) for i in range(a.hosts)]
    src = os.path.join(a.work, "src.bin")
    with open(src, "wb") as f:
        f.write(os.urandom(a.size))
    want = hashlib.sha256(open(src, "rb").read()).hexdigest()
    t_start = time.time()
    fx = Fixture(a)
    fx.start()
    files = None
    try:
        files = setup(a, fx, hosts)
        if a.pin:
            run(["taskset", "-a", "-p", "-c", "0", str(fx.sshd)], stdout=subprocess.DEVNULL, check=True)
        ver = lambda c: (subprocess.run(c, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                         .stdout.strip().splitlines() or ["?"])[0]
        log(f"machine: {os.uname().release}, {os.cpu_count()} cores; {ver(['ssh', '-V'])}; "
            f"parallel-scp {ver(['parallel-scp', '--version'])}; "
            f"libssh2 {ver(['dpkg-query', '-W', '-f', '${Version}', 'libssh2-1'])}")
        log(f"fixture: {fx.line}; sshd pid {fx.sshd}")
        log(f"hosts: {hosts[0]} .. {hosts[-1]} ({len(hosts)}), each with its own folder under "
            f"{files['hroot']}; file {src}: {a.size} bytes, sha256 {want}")
        log(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        rws = rows(a, fx, files)
        log("\ncommands (NAME: copy-rRUN-ROW.bin, a fresh name each run; stdout and "
            f"stderr in {a.work}/runs/):")
        for key, row in rws:
            envs = " ".join(f"{k}={shlex.quote(v)}" for k, v in row.get("env", {}).items())
            log(f"  {row['name']}:\n    {envs + ' ' if envs else ''}"
                f"{shlex.join(row['argv']).replace('{src}', src).replace('{name}', 'NAME')}")
        log("")
        results = {k: [] for k, _ in rws}
        for rnd in range(1, a.runs + 1):
            wall_w = None
            for key, row in rws:
                res = one(a, fx, files, hosts, key, row, rnd, src, a.size, want)
                results[key].append(res)
                if "failed" in res:
                    log(f"run {rnd} {row['name']}: FAILED: {res['failed']}")
                    continue
                if key == "write":
                    wall_w = res["wall"]
                disk = wall_w if wall_w is not None else 0.0
                srv_cores = 1 if a.pin else os.cpu_count()
                res["bound"] = max(res["server"] / srv_cores, disk)
                res["box"] = max((res["server"] + res["cpu"]) / os.cpu_count(), disk)
                res["wb"] = res["wall"] / res["bound"] if res["bound"] else float("nan")
                res["wbox"] = res["wall"] / res["box"] if res["box"] else float("nan")
                log(f"run {rnd} {row['name']}: wall {res['wall']:.2f}s client cpu {res['cpu']:.2f}s "
                    f"(u {res['user']:.2f} s {res['sys']:.2f}) server {res['server']:.2f}s "
                    f"bound {res['bound']:.2f}s wall/bound {res['wb']:.2f} rss {res['rss']:.1f}MiB "
                    f"ok {res['ok']}/{len(hosts)} ({res['check']}) "
                    f"load {res['load']:.1f}->{res['load_end']:.1f}")
            log("")
        failed = report(a, rws, results, hosts, "pscp" if "pscp" in a.rows else rws[-1][0])
        log(f"{time.time() - t_start:.0f}s in all")
    finally:
        if files:
            clean(files, hosts)
        fx.stop()
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
