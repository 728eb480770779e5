#!/usr/bin/env bash
# Builds the Yew frontend into ui/dist (embedded into the desktop binary at compile time):
# cargo for wasm32, then the wasm-bindgen CLI that matches Cargo.lock, then the static
# files. No trunk: it took ~7 min to install from source on a new machine and did nothing
# here that these lines do not. No wasm-opt either: Debian 12's binaryen (108) produces a
# module that loads but never runs main.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
cargo build --quiet --release --target wasm32-unknown-unknown -p outpost-ui --bin outpost-ui
rm -rf ui/dist.new
mkdir -p ui/dist.new
wasm-bindgen --target web --no-typescript --out-dir ui/dist.new --out-name outpost-ui \
  "$target_dir/wasm32-unknown-unknown/release/outpost-ui.wasm"
cp ui/index.html ui/style.css ui/boot.js icons/32x32.png ui/dist.new/
rm -rf ui/dist
mv ui/dist.new ui/dist
test -f ui/dist/outpost-ui_bg.wasm || { echo "UI build failed: ui/dist/outpost-ui_bg.wasm missing" >&2; exit 1; }
