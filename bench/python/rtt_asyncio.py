#!/usr/bin/env python3
"""asyncio baseline for the round-trip experiment.

Simulates N hosts that each answer after one round-trip time: one
coroutine per host awaits asyncio.sleep(rtt), and asyncio.gather runs all
N at once on the default event loop.  This is Python's own answer to
massive IO concurrency, so it shows what one event-loop thread costs per
task in CPU and memory when no pool bounds the fan-out.
bench/compare.py runs it next to fanout and the Go and thread baselines.
Standard library only.

Usage: rtt_asyncio.py [--hosts N] [--rtt 50ms] [--jitter 0]
Prints one line: py-asyncio hosts=N rtt=50ms ok=DONE/N
"""

import argparse
import asyncio
import random
import re
import sys

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


async def task(delay):
    await asyncio.sleep(delay)
    return True


async def run(delays):
    results = await asyncio.gather(*(task(d) for d in delays), return_exceptions=True)
    return sum(1 for r in results if r is True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hosts", type=int, default=10000,
                    help="number of simulated hosts, one coroutine each (default 10000)")
    ap.add_argument("--rtt", default="50ms",
                    help="round-trip time each task sleeps (default 50ms)")
    ap.add_argument("--jitter", default="0",
                    help="extra sleep drawn uniformly from [0, jitter) per task (default 0)")
    args = ap.parse_args()
    try:
        rtt, jitter = parse_duration(args.rtt), parse_duration(args.jitter)
    except ValueError as e:
        ap.error(str(e))
    if args.hosts <= 0:
        ap.error("--hosts must be positive")

    # Drawn up front with a fixed seed, as the Go baseline does, so every
    # run sleeps the same durations.
    rng = random.Random(1)
    delays = [rtt + (rng.uniform(0, jitter) if jitter else 0.0)
              for _ in range(args.hosts)]

    ok = asyncio.run(run(delays))

    line = f"py-asyncio hosts={args.hosts} rtt={args.rtt}"
    if jitter:
        line += f" jitter={args.jitter}"
    print(f"{line} ok={ok}/{args.hosts}")
    return 0 if ok == args.hosts else 1


if __name__ == "__main__":
    sys.exit(main())
