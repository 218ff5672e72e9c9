#!/usr/bin/python3
"""fanout links on a repository of Markdown files, against linkinator (issue 14).

    bench/links/markdown.py [--files 1000] [--links 30000] [--runs 3]
                            [--latency 50ms] [--timeout 5] [--no-slow]
                            [--only fanout,fanout-html,linkinator,linkinator-fragments]
                            [--fanout build/fanout] [--workdir DIR] [--json FILE]

Generates a repository of --files Markdown files (README.md and
dNN/fNNNN.md) holding --links links in all: links between the files, to
their headings (GitHub's ids: duplicates get -1, code spans kept), reference
links, images, and outside links to an "external" host on 127.0.0.2 (the
links benchmark's own tests/fixtures/site/serve.py --external, every
response --latency late). About 1 in 100 is broken on purpose: a missing
file, a missing heading, a missing image, an outside 404; and unless
--no-slow, one outside link never answers (serve.py's /slow), so that the
wall time is bound by the timeout. Every broken link is known with its file
and line.

Beside it, the repository's HTML twin: the same files as .html pages, line
for line, with the same links (.md names made .html, README.md made
index.html, headings given the ids GitHub would give them). fanout on the
twin is the baseline: the same 30,000 links as HTML.

Then, --runs times round-robin, each entry under /usr/bin/time (wall,
user+sys CPU of the whole process tree, peak RSS), as run.py does:

- fanout        fanout links REPO/ --timeout 5s --format json
- fanout-html   fanout links HTML/ --timeout 5s --format json
- linkinator    linkinator 'REPO/**/*.md' --markdown --recurse --timeout 5000
                (linkinator takes no folder of Markdown: a folder is served
                and its index.html asked for, a 404; the glob is expanded by
                linkinator, which then serves the files and renders them)
- linkinator-fragments   the same with --check-fragments

and scores each report against the known broken links: fanout's by (file,
line, URL), every occurrence; linkinator's by distinct broken target (it
gives no line, and reports a target once). Standard library only; needs
/usr/bin/time and bench/links/node_modules (npm ci --prefix bench/links).
"""
import argparse
import json
import os
import posixpath
import random
import shlex
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import run as links  # noqa: E402  (Server, measured: the links benchmark's own)

PROG = "bench/links/markdown.py"
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")
IMAGES = 50          # img/i00.png ... img/i49.png exist
OUTSIDE_OK = 2000    # /ok/p0000.html ... distinct outside targets that answer 200
HEADINGS = ["Section %d" % k for k in range(1, 6)] + ["Notes", "Notes", "The `run` command"]
SLUGS = ["section-%d" % k for k in range(1, 6)] + ["notes", "notes-1", "the-run-command"]


def die(msg):
    sys.stderr.write("%s: %s\n" % (PROG, msg))
    sys.exit(2)


def name_of(i):
    return "README.md" if i == 0 else "d%02d/f%04d.md" % (i % 20, i)


def html_name(p):
    return "index.html" if p == "README.md" else p[:-3] + ".html"


def rel(src, dst):
    r = posixpath.relpath(dst, posixpath.dirname(src) or ".")
    return r


# --- the repository -----------------------------------------------------------------------------

def generate(repo, html, files, nlinks, ext, slow, seed=1):
    """Writes REPO (Markdown) and HTML (its twin). Returns the expected
    broken links: [{"file", "line", "url", "kind"}] with url as fanout
    writes it (file:///abs#frag for local targets) for the Markdown side;
    the twin's are the same with .html names."""
    rnd = random.Random(seed)
    per = nlinks // files
    extra = nlinks - per * files
    broken, total = [], 0
    os.makedirs(os.path.join(repo, "img"), exist_ok=True)
    os.makedirs(os.path.join(html, "img"), exist_ok=True)
    for k in range(IMAGES):
        for d in (repo, html):
            with open(os.path.join(d, "img", "i%02d.png" % k), "wb") as f:
                f.write(PNG_1X1)
    slow_file = files // 2
    gone = [0]

    def next_gone():
        gone[0] += 1
        return gone[0]

    for i in range(files):
        me = name_of(i)
        n = per + (1 if i < extra else 0)
        # The link specs of this file: (kind, markdown target, html target, expected local/abs, broken?)
        specs = []
        for c in (2 * i + 1, 2 * i + 2):      # a binary tree: every twin page reachable from index.html
            if c < files and len(specs) < n:
                specs.append(("local", name_of(c), None, False))
        mix = ["local"] * 8 + ["heading"] * 5 + ["self"] * 3 + ["image"] * 4 + ["outside"] * 6 + ["auto", "ref"]
        while len(specs) < n:
            kind = mix[(len(specs) - 2) % len(mix)] if len(specs) >= 2 else "local"
            bad = rnd.random() < 0.01
            if kind in ("local", "ref"):
                tgt = ("gone-%d.md" % next_gone()) if bad else name_of(rnd.randrange(files))
                specs.append((kind, tgt, None, bad))
            elif kind == "heading":
                frag = ("no-such-%d" % next_gone()) if bad else rnd.choice(SLUGS)
                specs.append((kind, name_of(rnd.randrange(files)), frag, bad))
            elif kind == "self":
                frag = ("no-such-%d" % next_gone()) if bad else rnd.choice(SLUGS)
                specs.append((kind, me, frag, bad))
            elif kind == "image":
                tgt = ("img/missing-%d.png" % next_gone()) if bad else "img/i%02d.png" % rnd.randrange(IMAGES)
                specs.append((kind, tgt, None, bad))
            else:
                if i == slow_file and slow and kind == "outside" and not any(s[1].endswith("/slow") for s in specs):
                    specs.append((kind, ext + "/slow", None, True))
                    continue
                tgt = ext + (("/gone/%d" % next_gone()) if bad else "/ok/p%04d.html" % rnd.randrange(OUTSIDE_OK))
                specs.append((kind, tgt, None, bad))
        rnd.shuffle(specs)
        total += len(specs)
        md, ht, refs = ["# Page %d" % i, ""], ["<!doctype html><html><head><meta charset=utf-8><title>Page %d</title>"
                                              "</head><body><h1 id=\"page-%d\">Page %d</h1>" % (i, i, i), ""], []
        hi = 0
        for j in range(0, len(specs), 3):
            if j % 9 == 0 and hi < len(HEADINGS):
                md += ["## " + HEADINGS[hi], ""]
                ht += ['<h2 id="%s">%s</h2>' % (SLUGS[hi], HEADINGS[hi].replace("`run`", "<code>run</code>")), ""]
                hi += 1
            line = len(md) + 1
            mparts, hparts = [], []
            for kind, tgt, frag, bad in specs[j:j + 3]:
                outside = tgt.startswith("http")
                if kind == "self":
                    mu, hu = "#" + frag, "#" + frag
                elif outside:
                    mu = hu = tgt
                elif kind == "image":
                    mu = hu = rel(me, tgt)
                else:
                    mu = rel(me, tgt) + ("#" + frag if frag else "")
                    hu = rel(html_name(me), html_name(tgt)) + ("#" + frag if frag else "")
                if kind == "image":
                    mparts.append("![a picture](%s)" % mu)
                    hparts.append('<img src="%s" alt="a picture">' % hu)
                elif kind == "auto":
                    mparts.append("<%s>" % mu)
                    hparts.append('<a href="%s">%s</a>' % (hu, hu))
                elif kind == "ref":
                    r = "r%d" % (len(refs) + 1)
                    refs.append("[%s]: %s" % (r, mu))
                    mparts.append("[a reference][%s]" % r)
                    hparts.append('<a href="%s">a reference</a>' % hu)
                else:
                    mparts.append("[a link](%s)" % mu)
                    hparts.append('<a href="%s">a link</a>' % hu)
                if bad:
                    if outside:
                        url = hurl = tgt
                    else:
                        t = me if kind == "self" else tgt
                        url = "file://" + os.path.join(os.path.abspath(repo), t) + ("#" + frag if frag else "")
                        hurl = "file://" + os.path.join(os.path.abspath(html), t if kind == "image" else html_name(t)) \
                            + ("#" + frag if frag else "")
                    broken.append({"file": me, "line": line, "url": url, "html_url": hurl, "kind": kind,
                                   "fragment": bool(frag)})
            md += ["- " + " and ".join(mparts), ""]
            ht += ["<p>" + " and ".join(hparts) + "</p>", ""]
        while hi < len(HEADINGS):    # every heading exists in every file
            md += ["## " + HEADINGS[hi], "", "Text.", ""]
            ht += ['<h2 id="%s">%s</h2>' % (SLUGS[hi], HEADINGS[hi].replace("`run`", "<code>run</code>")), "",
                   "<p>Text.</p>", ""]
            hi += 1
        md += refs
        ht += ["</body></html>"]
        for d, name, lines in ((repo, me, md), (html, html_name(me), ht)):
            p = os.path.join(d, name)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write("\n".join(lines) + "\n")
    return broken, total


# --- scoring ------------------------------------------------------------------------------------

def score_fanout(report_path, expected, repo, html_side):
    with open(report_path) as f:
        rep = json.load(f)
    base = "file://" + os.path.abspath(repo) + "/"
    got = set()
    for b in rep["broken"]:
        page = b["page"][len(base):] if b["page"].startswith(base) else b["page"]
        got.add((page, b["line"], b["url"]))
    want = {(html_name(e["file"]) if html_side else e["file"], e["line"], e["html_url"] if html_side else e["url"])
            for e in expected}
    return {"links": rep.get("links"), "targets": rep.get("targets"), "requests": rep.get("requests"),
            "found": len(want & got), "expected": len(want),
            "missed": sorted(want - got), "false": sorted(got - want)}


def score_linkinator(report_path, expected, cwd):
    with open(report_path) as f:
        rep = json.load(f)
    got = set()
    for ln in rep["links"]:
        if ln.get("state") != "BROKEN":
            continue
        u = ln["url"]
        if not u.startswith("http"):
            u = "file://" + os.path.normpath(os.path.join(cwd, u.split("#")[0])) + ("#" + u.split("#", 1)[1]
                                                                                    if "#" in u else "")
        got.add(u)
    want = {e["url"] for e in expected}
    want_frag = {e["url"] for e in expected if e["fragment"]}
    return {"links": len(rep["links"]), "found": len(want & got), "expected": len(want),
            "fragments_found": len(want_frag & got), "fragments": len(want_frag),
            "missed": sorted(want - got), "false": sorted(got - want)}


def nspan(xs):
    return str(xs[0]) if min(xs) == max(xs) else "%d–%d" % (min(xs), max(xs))


# --- main ---------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--links", type=int, default=30000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--latency", type=links.parse_ms, default=50.0)
    ap.add_argument("--timeout", type=int, default=5, help="every checker's request timeout, seconds (5)")
    ap.add_argument("--no-slow", dest="slow", action="store_false", help="no outside link that never answers")
    ap.add_argument("--only", help="entries, comma-separated: fanout, fanout-html, linkinator, linkinator-fragments")
    ap.add_argument("--fanout", default=os.path.join(ROOT, "build", "fanout"))
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "fanout-links-md-bench"))
    ap.add_argument("--json", help="every run's figures (default WORKDIR/results.json)")
    ap.add_argument("--run-limit", type=int, default=1800)
    a = ap.parse_args()
    a.fanout = os.path.abspath(a.fanout)
    lk = os.path.join(HERE, "node_modules", ".bin", "linkinator")
    if not os.access(a.fanout, os.X_OK):
        die("no fanout at '%s': build it (make) or give --fanout" % a.fanout)
    if not os.path.exists(links.TIME):
        die("'%s' is missing: apt-get install time" % links.TIME)
    os.makedirs(a.workdir, exist_ok=True)
    a.json = a.json or os.path.join(a.workdir, "results.json")
    print("# %s, %d cores; load average %s at the start" % (
        os.uname().nodename, os.cpu_count(), " ".join("%.1f" % x for x in os.getloadavg())))
    ext = links.Server("md-external", ["--external", "--bind", "127.0.0.2", "--port", "0",
                                       "--latency", "%gms" % a.latency], a.workdir)
    try:
        repo, html = os.path.join(a.workdir, "repo"), os.path.join(a.workdir, "html")
        for d in (repo, html):
            subprocess.run(["rm", "-rf", "--", d], check=True)
        expected, total = generate(repo, html, a.files, a.links, ext.origin, a.slow)
        kinds = {}
        for e in expected:
            kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
        print("# %s: %d Markdown files, %d links; %s: the HTML twin; external host %s, %g ms a response"
              % (repo, a.files, total, html, ext.origin, a.latency))
        print("# broken on purpose: %d (%s)" % (len(expected), ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))
        to = a.timeout
        es = [
            ("fanout", [a.fanout, "links", repo + "/", "--timeout", "%gs" % to, "--format", "json", "-o", "{out}"],
             False),
            ("fanout-html", [a.fanout, "links", html + "/", "--timeout", "%gs" % to, "--format", "json",
                             "-o", "{out}"], False),
            ("linkinator", [lk, "repo/**/*.md", "--markdown", "--recurse", "--timeout", "%d" % (to * 1000),
                            "--format", "json"], True),
            ("linkinator-fragments", [lk, "repo/**/*.md", "--markdown", "--recurse", "--check-fragments",
                                      "--timeout", "%d" % (to * 1000), "--format", "json"], True),
        ]
        if a.only:
            names = a.only.split(",")
            bad = set(names) - {e[0] for e in es}
            if bad:
                die("unknown entry '%s'" % sorted(bad)[0])
            es = [e for e in es if e[0] in names]
        if any(e[0].startswith("linkinator") for e in es) and not os.path.exists(lk):
            die("'%s' is missing: npm ci --prefix bench/links (or bench/links/run.sh)" % lk)
        for name, argv, to_stdout in es:
            print("$ (cd %s && %s%s)" % (a.workdir, " ".join(shlex.quote(x) for x in argv).replace("{out}", "OUT.json"),
                                         " > OUT.json" if to_stdout else ""))
        sys.stdout.flush()
        runs = {e[0]: [] for e in es}
        cwd0 = os.getcwd()
        os.chdir(a.workdir)      # linkinator's glob and its relative URLs
        try:
            for i in range(a.runs):
                for name, argv, to_stdout in es:
                    out = os.path.join(a.workdir, "%s.%d.json" % (name, i))
                    err = os.path.join(a.workdir, "%s.%d.err" % (name, i))
                    ext.stats(reset=True)
                    load0 = os.getloadavg()[0]
                    r = links.measured([x.replace("{out}", out) for x in argv], out if to_stdout else os.devnull,
                                       err, a.run_limit)
                    r["load"] = (round(load0, 1), round(os.getloadavg()[0], 1))
                    r["ext_requests"] = ext.stats()["requests"]
                    r["failure"] = ""
                    if r["killed"] or r["rc"] not in (0, 1) or r["wall"] is None:
                        r["failure"] = "exit %s%s" % (r["rc"], " (killed)" if r["killed"] else "")
                    else:
                        try:
                            if name.startswith("fanout"):
                                r.update(score_fanout(out, expected, html if name == "fanout-html" else repo,
                                                      name == "fanout-html"))
                            else:
                                r.update(score_linkinator(out, expected, a.workdir))
                        except (OSError, ValueError, KeyError) as x:
                            r["failure"] = "no report: %s" % x
                    r["cpu"] = None if r["user"] is None else round(r["user"] + r["sys"], 2)
                    runs[name].append(r)
                    print("run %d %-21s wall %s cpu %s rss %s MiB ext-req %d load %s→%s  %s" % (
                        i + 1, name, links.fnum(r["wall"], "%.2f"), links.fnum(r["cpu"], "%.2f"),
                        links.fnum(r["maxrss_kb"] and r["maxrss_kb"] / 1024, "%.1f"), r["ext_requests"],
                        r["load"][0], r["load"][1], r["failure"] or "found %d/%d, %d false alarms" % (
                            r["found"], r["expected"], len(r["false"]))), flush=True)
        finally:
            os.chdir(cwd0)
        print("\n# load average at the end: %s\n" % " ".join("%.1f" % x for x in os.getloadavg()))
        base = [r for r in runs.get("fanout-html", []) if not r["failure"]]
        bcpu = links.med([r["cpu"] for r in base]) if base else None
        bwall = links.med([r["wall"] for r in base]) if base else None
        print("| entry | wall s: median (best) | CPU s | peak RSS MiB | wall × HTML | CPU × HTML | links (linkinator: rows) | "
              "outside requests | broken found | missed | false alarms | load avg. |")
        print("| --- " + "| ---: " * 11 + "|")
        for name, argv, _ in es:
            ok = [r for r in runs[name] if not r["failure"]]
            if not ok:
                print("| %s | FAILED: %s |%s" % (name, runs[name][0]["failure"], " |" * 10))
                continue
            wall, cpu = links.med([r["wall"] for r in ok]), links.med([r["cpu"] for r in ok])
            unit = "with line" if name.startswith("fanout") else "targets"
            fr = "" if "fragments" not in ok[0] else ", #fragments %s/%d" % (
                links.span(ok, "fragments_found"), ok[0]["fragments"])
            print("| %s | %.2f (%.2f) | %.2f | %.1f | %s | %s | %s | %d | %s/%d (%s)%s | %s | %s | %.0f–%.0f |" % (
                name, wall, min(r["wall"] for r in ok), cpu, links.med([r["maxrss_kb"] for r in ok]) / 1024,
                links.ratio(wall, bwall), links.ratio(cpu, bcpu), ok[0]["links"],
                links.med([r["ext_requests"] for r in ok]), links.span(ok, "found"), ok[0]["expected"], unit, fr,
                nspan([len(r["missed"]) for r in ok]), nspan([len(r["false"]) for r in ok]),
                min(x for r in ok for x in r["load"]), max(x for r in ok for x in r["load"])))
        f = [r for r in runs.get("fanout", []) if not r["failure"]]
        if f:
            cpu, wall = links.med([r["cpu"] for r in f]), links.med([r["wall"] for r in f])
            print("\nTargets (fanout, medians of %d runs):" % len(f))
            if bcpu:
                print("- CPU ≤ 2 × the same links as HTML: %s (%.2f s against %.2f s: %.2f×)" % (
                    "met" if cpu <= 2 * bcpu else "NOT met", cpu, bcpu, cpu / bcpu))
            print("- wall ≤ timeout + 1 s = %d s: %s (median %.2f s, slowest run %.2f s)" % (
                a.timeout + 1, "met" if wall <= a.timeout + 1 else "NOT met", wall, max(r["wall"] for r in f)))
            allok = all(r["found"] == r["expected"] and not r["false"] for r in f)
            print("- every broken link found with its line, no false alarm: %s" % ("met" if allok else "NOT met"))
        print("\nWhat each missed or reported falsely (first run that completed):")
        for name, _, _ in es:
            ok = [r for r in runs[name] if not r["failure"]]
            if not ok:
                continue
            r = ok[0]
            print("- %s: %d missed, %d false alarms" % (name, len(r["missed"]), len(r["false"])))
            for u in r["missed"][:15]:
                print("    missed: %s" % (u,))
            for u in r["false"][:15]:
                print("    false alarm: %s" % (u,))
        with open(a.json, "w") as fj:
            json.dump({"args": vars(a), "expected": expected, "runs": runs}, fj, indent=1, default=str)
    finally:
        ext.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
