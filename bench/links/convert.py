#!/usr/bin/python3
"""Turns a link checker's report into fanout's JSON shape, for score.py.

    convert.py FORMAT REPORT > broken.json

FORMAT is fanout (`fanout links --format json`), linkinator (`linkinator
--format json`) or linkchecker (`linkchecker -o csv`). The output is
{"broken": [{"url": ..., "no_answer": bool}], "other_schemes": [...]}, each
broken URL once, which tests/fixtures/site/score.py scores like fanout's
own report. "no_answer" marks a URL reported only because no answer came
in time (fanout: "timed out"; LinkChecker: a ReadTimeout or
ConnectTimeout; linkinator: status 0, which is also what it reports for a
refused or reset connection): on a loaded machine these are where false
alarms come from.

What counts as "broken" in each:
- fanout: its "broken" list (targets, and URL#fragment for a fragment).
- linkinator: every link with "state": "BROKEN" (a broken fragment, with
  --check-fragments, is reported as URL#fragment). SKIPPED links are not.
- LinkChecker: every CSV row with valid False. Its "url" column is where
  the link ended up after redirects, so the link is taken as written:
  "urlname" resolved against "base" (the page's <base href>) or else
  "parentname" (the page), without its #fragment (LinkChecker checks the
  URL; anchors only with its AnchorCheck plugin, which warns and keeps the
  link valid). Warnings (a 429 it waited out, a redirect) are not broken.

Links of other schemes that a checker reports broken (LinkChecker looks up
the mail host of mailto: links; example.invalid has none) go into
"other_schemes", not "broken": the site's expected.json lists them as
links a checker skips, not as targets, so they are counted apart rather
than as false alarms. Standard library only.
"""
import csv
import importlib.util
import json
import os
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SCORE = os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "fixtures", "site", "score.py")


class Unreadable(Exception):
    pass


def score_module():
    """tests/fixtures/site/score.py, for its canon()."""
    spec = importlib.util.spec_from_file_location("site_score", SCORE)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


def _split(found):
    """found: [(url, no_answer)], no_answer True when the checker got no
    answer in time (a timeout; for linkinator any failure without a
    status). A URL is no_answer only if every report of it is."""
    broken, other = {}, []
    for u, late in found:
        if urllib.parse.urlsplit(u).scheme.lower() in ("http", "https"):
            broken[u] = broken.get(u, True) and late
        elif u not in other:
            other.append(u)
    return {"broken": [{"url": u, "no_answer": late} for u, late in broken.items()], "other_schemes": other}


def from_fanout(path):
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        return dict(_split([(b["url"], (b.get("reason") or "").startswith("timed out")) for b in d["broken"]]),
                    requests=d.get("requests"), targets=d.get("targets"))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise Unreadable("fanout report '%s': %s" % (path, e))


def from_linkinator(path):
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        return _split([(ln["url"], not ln.get("status")) for ln in d["links"] if ln.get("state") == "BROKEN"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise Unreadable("linkinator report '%s': %s" % (path, e))


def from_linkchecker(path):
    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader((ln for ln in f if not ln.startswith("#")), delimiter=";"))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise Unreadable("LinkChecker report '%s': %s" % (path, e))
    if not rows or "valid" not in rows[0]:
        raise Unreadable("LinkChecker report '%s': no CSV header" % path)
    h = rows[0]
    urls = []
    for r in rows[1:]:
        d = dict(zip(h, r))
        if d.get("valid") != "False":
            continue
        name = d["urlname"].strip()
        if urllib.parse.urlsplit(name).scheme:
            u = name
        else:
            u = urllib.parse.urljoin(d.get("base") or d["parentname"], name)
        urls.append((urllib.parse.urldefrag(u)[0], "timed out" in d.get("result", "") or
                     "Timeout" in d.get("result", "")))
    return _split(urls)


def load(fmt, path):
    return {"fanout": from_fanout, "linkinator": from_linkinator, "linkchecker": from_linkchecker}[fmt](path)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("fanout", "linkinator", "linkchecker"):
        sys.stderr.write("usage: convert.py fanout|linkinator|linkchecker REPORT > broken.json\n")
        return 2
    try:
        json.dump(load(sys.argv[1], sys.argv[2]), sys.stdout, indent=1, ensure_ascii=False)
    except Unreadable as e:
        sys.stderr.write("convert.py: %s\n" % e)
        return 1
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
