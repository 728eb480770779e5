#!/usr/bin/env python3
"""Writes seed inputs for the bundle_parser fuzz target (fuzz/seeds/bundle_parser/):
a valid bundle (mode 0), its record stream (mode 1) and its zstd stream (mode 2),
built independently of the Rust writer (zstd CLI + zlib.crc32), plus a few edge cases.
Usage: python3 fuzz/make_seeds.py"""
import json, os, struct, subprocess, zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds", "bundle_parser")
MAGIC = b"OPSNAP\r\n"
HEADER = MAGIC + struct.pack("<HBB", 1, 0, 0)

def rec(tag, name, data):
    n = name.encode()
    return bytes([tag]) + struct.pack("<H", len(n)) + n + struct.pack("<Q", len(data)) + data

def records(entries):
    body = b"".join(rec(*e) for e in entries)
    end = struct.pack("<QQ", len(entries), len(body))
    return body + bytes([0xFF]) + struct.pack("<H", 0) + struct.pack("<Q", 16) + end

def seal(z):
    out, counter, chunks = b"", 0, [z[i:i + 65536] for i in range(0, len(z), 65536)] or [b""]
    for i, c in enumerate(chunks):
        last = i == len(chunks) - 1
        nonce = bytes(7) + struct.pack(">I", counter) + bytes([1 if last else 0])
        crc = zlib.crc32(HEADER + nonce + c) & 0xFFFFFFFF
        payload = c + struct.pack("<I", crc)
        out += struct.pack("<I", len(payload) | (0x80000000 if last else 0)) + payload
        counter += 1
    return HEADER + out

def zstd(data):
    return subprocess.run(["zstd", "-q", "-c", "--check"], input=data, stdout=subprocess.PIPE, check=True).stdout

health = {"name": "lyon-1", "displayName": "Lyon 1", "tags": [], "level": "ok", "reasons": [],
          "reach": "reachable", "nodesReady": 1, "nodesTotal": 1, "nodePressure": [],
          "workloadsAvailable": 1, "workloadsTotal": 1, "problemPods": [], "warnings": [],
          "stale": False}
state = {"nodes": {"n0": {"ready": True}}, "workloads": {}, "pods": {}, "events": {}}
pods = [{"metadata": {"name": "web-1", "namespace": "shop"},
         "spec": {"containers": [{"name": "app", "image": "web:1",
                                  "env": [{"name": "DB_PASSWORD", "value": "<redacted by outpost>"}]}]}}]
manifest = {"format": 1, "site": "lyon-1", "displayName": "Lyon 1", "tags": [],
            "endpoint": "https://127.0.0.1:6443", "takenAt": "2026-11-24T20:00:00Z",
            "distro": "k3s", "version": "v1.31.4+k3s1", "outpostVersion": "0.1.0",
            "logLines": 10, "counts": {"pods": 1}, "logs": 1, "logsFailed": 0,
            "redactions": {"secrets": 0, "envValues": 1, "configValues": 0, "lastApplied": 0}}
entries = [(1, "manifest.json", json.dumps(manifest).encode()),
           (2, "health.json", json.dumps(health).encode()),
           (2, "state.json", json.dumps(state).encode()),
           (2, "resources/pods.json", json.dumps(pods).encode()),
           (3, "logs/shop/web-1/app.log", b"line one\nline two\n")]
body = records(entries)
os.makedirs(OUT, exist_ok=True)
seeds = {
    "valid-file": b"\x00" + seal(zstd(body)),
    "valid-records": b"\x01" + body,
    "valid-zstd": b"\x02" + zstd(body),
    "traversal-records": b"\x01" + records(entries[:1] + [(3, "logs/../../etc/passwd", b"x")]),
    "huge-size-records": b"\x01" + rec(1, "manifest.json", json.dumps(manifest).encode()) + bytes([3]) + struct.pack("<H", 14) + b"logs/a/b/c.log" + struct.pack("<Q", 2**63),
    "empty": b"\x00",
}
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print(f"wrote {len(seeds)} seeds to {OUT}")
