#!/usr/bin/env bash
# Builds the Yew frontend into ui/dist (embedded into the desktop binary at compile time).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf ui/dist
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! trunk build --release --offline=true --dist ui/dist ui/index.html >"$log" 2>&1; then
  grep -vE '^\s+[0-9]+: |^\s+at ' "$log" >&2
  echo "trunk build failed" >&2
  exit 1
fi
# ui/index.html turns wasm-opt off: Debian 12's binaryen (108) produces a module that
# loads but never runs main. wasm-bindgen then warns about the stripped target_features
# section, which is expected.
grep -E 'error|warning' "$log" | grep -v target_features >&2 || true
test -f ui/dist/index.html || { echo "trunk build failed: ui/dist/index.html missing" >&2; exit 1; }
