#!/usr/bin/env bash
# Checks that `make run` after `make test` reuses the test build: compares the units of
# `cargo test --workspace` with those of `cargo build -p outpost-desktop` (cargo's unit
# graph, nightly only) and lists every crate the run build would compile again. Only the
# crates the tests build with their `test-support` feature may differ (outpost-core,
# outpost-sim and the app on top of them), and tauri with its mock runtime. A new difference comes from a feature that a
# test-only crate or dev-dependency turns on: align it in `[workspace.dependencies]` or
# in the "feature alignment" block of src-tauri/Cargo.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
triple=$(rustc -vV | sed -n 's/^host: //p')
# --target keeps host (build scripts, proc macros) and target units apart in the graph.
graph() { cargo +nightly "$@" --unit-graph -Z unstable-options --target "$triple" --locked; }
graph test --workspace --no-run >"$tmp/test.json"
graph build -p outpost-desktop >"$tmp/run.json"
python3 - "$tmp/test.json" "$tmp/run.json" <<'PY'
import hashlib, json, sys

def units(path):
    g = json.load(open(path))["units"]
    memo = {}
    def key(i):
        if i not in memo:
            u = g[i]
            prof = {k: v for k, v in u["profile"].items() if k != "name"}
            deps = sorted(key(d["index"]) for d in u["dependencies"])
            raw = [u["pkg_id"], u["target"]["name"], u["target"]["kind"], u["mode"],
                   sorted(u["features"]), u.get("platform"), prof, deps]
            memo[i] = hashlib.sha1(json.dumps(raw, sort_keys=True).encode()).hexdigest()
        return memo[i]
    return {key(i): u for i, u in enumerate(g) if u["mode"] in ("build", "run-custom-build")}

test, run = units(sys.argv[1]), units(sys.argv[2])
again = sorted({u["pkg_id"].split("#")[-1].split("@")[0] for k, u in run.items() if k not in test})
# tauri and its plugins: the app's command tests use tauri's mock runtime (feature `test`),
# which must not ship in the app.
allowed = {"outpost-core", "outpost-sim", "outpost-desktop", "tauri", "tauri-plugin-dialog", "tauri-plugin-fs"}
print(f"feature-drift: of the run build's {len(run)} units, {len(again)} crates compile again: {', '.join(again) or 'none'}")
extra = [p for p in again if p not in allowed]
if extra:
    print(f"feature-drift: FAIL: {', '.join(extra)} would be rebuilt by `make run` after `make test`")
    sys.exit(1)
PY
