#!/usr/bin/env python3
"""Thread-pool baseline for the round-trip experiment.

Simulates N hosts that each answer after one round-trip time: every task
is a time.sleep(rtt) run on a concurrent.futures.ThreadPoolExecutor of W
workers, which is how Python code commonly fans blocking IO out.  With W
workers the whole run takes about ceil(N / W) * rtt, so this shows what a
bounded pool costs in wall time, and what a large one costs in memory and
CPU.  bench/compare.py runs it with 100 and 1000 workers.  Standard
library only.

Usage: rtt_threads.py [--hosts N] [--rtt 50ms] [--jitter 0] [--workers W]
Prints one line: py-threads hosts=N rtt=50ms workers=W ok=DONE/N
"""

import argparse
import concurrent.futures
import random
import re
import sys
import time

# Kept in each script, in step with Go's time.ParseDuration for the forms
# used here, so that each baseline runs standalone: no import path to set
# up and no bytecode cache written into the tree.
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def parse_duration(text):
    """Return seconds for "50ms", "1s", "1.5s" or "0".  A bare number other
    than 0 is refused, since "50" could mean seconds or milliseconds."""
    if text.strip() == "0":
        return 0.0
    m = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(ns|us|µs|ms|s|m)\s*", text)
    if not m:
        raise ValueError(f"invalid duration '{text}' (use a unit: 50ms, 1s, 250us)")
    return float(m.group(1)) * _UNITS[m.group(2)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hosts", type=int, default=10000,
                    help="number of simulated hosts, one task each (default 10000)")
    ap.add_argument("--rtt", default="50ms",
                    help="round-trip time each task sleeps (default 50ms)")
    ap.add_argument("--jitter", default="0",
                    help="extra sleep drawn uniformly from [0, jitter) per task (default 0)")
    ap.add_argument("--workers", type=int, default=100,
                    help="threads in the pool (default 100)")
    args = ap.parse_args()
    try:
        rtt, jitter = parse_duration(args.rtt), parse_duration(args.jitter)
    except ValueError as e:
        ap.error(str(e))
    if args.hosts <= 0 or args.workers <= 0:
        ap.error("--hosts and --workers must be positive")

    # Drawn up front with a fixed seed, as the Go baseline does, so every
    # run sleeps the same durations and the workers share no generator.
    rng = random.Random(1)
    delays = [rtt + (rng.uniform(0, jitter) if jitter else 0.0)
              for _ in range(args.hosts)]

    ok = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.workers) as pool:
        for fut in [pool.submit(time.sleep, d) for d in delays]:
            if fut.exception() is None:
                ok += 1

    line = f"py-threads hosts={args.hosts} rtt={args.rtt}"
    if jitter:
        line += f" jitter={args.jitter}"
    print(f"{line} workers={args.workers} ok={ok}/{args.hosts}")
    return 0 if ok == args.hosts else 1


if __name__ == "__main__":
    sys.exit(main())
