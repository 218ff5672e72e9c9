#!/usr/bin/python3
"""python3-textfsm's side of bench/textfsm/run.sh: parses OUTPUT with
TEMPLATE REPEAT times (ParseTextToDicts, a fresh TextFSM each time as
callers do), prints "cpu_s N" (process CPU time of the parses only) and
the record count on stderr."""
import sys
import time

import textfsm

tpl_path, out_path, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(tpl_path) as f:
    fsm = textfsm.TextFSM(f)
with open(out_path, encoding="utf-8", errors="replace", newline="") as f:
    text = f.read()
t0 = time.process_time()
for _ in range(repeat):
    fsm.Reset()
    rows = fsm.ParseTextToDicts(text)
print("cpu_s %.6f" % (time.process_time() - t0), file=sys.stderr)
print("rows %d" % len(rows), file=sys.stderr)
