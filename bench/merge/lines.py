#!/usr/bin/env python3
"""Synthetic `fanout run --json` lines for bench/merge/merge.sh: HOSTS hosts
r00001.. with CMDS ok results of SIZE-byte outputs each (text with quotes,
tabs and backslashes to escape), dealt round robin into PARTS files
DIR/gK.jsonl as --shard K/PARTS would deal them.
    lines.py HOSTS CMDS SIZE PARTS DIR"""
import json
import sys

hosts, cmds, size, parts, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
fs = [open(f"{out}/g{k}.jsonl", "w") for k in range(parts)]
unit = "interface GigabitEthernet0/%d\n description uplink to core \"x\"\t\\ ip 10.0.0.1 255.255.255.0\n"
body = "".join(unit % i for i in range(size // 60 + 2))[:size]
for i in range(hosts):
    h = f"r{i + 1:05d}"
    res = [{"command": f"show cmd {c}", "status": "ok", "ms": 40 + c, "output": body + h} for c in range(cmds)]
    line = {"status": "ok", "host": h, "hostname": h, "port": 22, "ms": 800 + i % 97, "attempts": 1, "results": res}
    fs[i % parts].write(json.dumps(line, separators=(",", ":")) + "\n")
for f in fs:
    f.close()
