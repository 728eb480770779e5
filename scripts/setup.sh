#!/usr/bin/env bash
# Installs what Outpost needs on Debian 12, idempotently: apt packages, the wasm32
# target, wasm-bindgen-cli (the version in Cargo.lock) and, for tests, tauri-driver,
# kubectl, cargo-deny, cargo-fuzz with the nightly toolchain, and the test bed's Go-built
# control planes. Usage: scripts/setup.sh run|test
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
say() { printf '\033[1;36m[setup]\033[0m %s\n' "$*" >&2; }

apt_pkgs=(build-essential pkg-config curl file libssl-dev libwebkit2gtk-4.1-dev
  libayatana-appindicator3-dev librsvg2-dev libsecret-1-dev libdbus-1-dev xvfb xauth dbus)
if [ "$mode" = test ]; then
  apt_pkgs+=(webkit2gtk-driver dbus dbus-x11 gnome-keyring python3-venv)
  # UI tests: real drag-and-drop (tests/ui/support/xdnd_drag.py) and screenshots of the X screen.
  apt_pkgs+=(python3-gi gir1.2-gtk-3.0 libxtst6 python3-xlib)
fi
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  say "apt: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || { say "cargo not found: install Rust with rustup first (https://rustup.rs)"; exit 1; }
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup: adding wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# cargo install builds in its own temporary directory, not the project's target dir.
install() { env -u CARGO_TARGET_DIR CARGO_PROFILE_RELEASE_LTO=false cargo install --quiet "$@"; }

want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ -n "$want" ] && [ "$have" != "$want" ]; then
  say "cargo: installing wasm-bindgen-cli $want (matches Cargo.lock)"
  install wasm-bindgen-cli --version "$want" --force
fi

# The simulator's compatibility tests and the benchmarks run the real kubectl 1.32 at
# /usr/bin/kubectl. Debian 12 does not package it: fetch the official binary and check
# it against its published SHA-256.
if [ "$mode" = test ] && [ ! -x /usr/bin/kubectl ]; then
  kv=v1.32.4; arch=$(dpkg --print-architecture)
  say "kubectl: installing $kv from dl.k8s.io"
  tmp=$(mktemp -d)
  curl -fsSLo "$tmp/kubectl" "https://dl.k8s.io/release/$kv/bin/linux/$arch/kubectl"
  echo "$(curl -fsSL "https://dl.k8s.io/release/$kv/bin/linux/$arch/kubectl.sha256")  $tmp/kubectl" \
    | sha256sum --check --quiet
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo install -m 0755 "$tmp/kubectl" /usr/bin/kubectl
  rm -rf "$tmp"
fi

if [ "$mode" = test ] && ! command -v tauri-driver >/dev/null; then
  say "cargo: installing tauri-driver 2.x"
  install tauri-driver --version '^2'
fi

# Supply-chain checks (deny.toml) and the short fuzz runs (scripts/fuzz-smoke.sh, nightly).
if [ "$mode" = test ]; then
  if ! command -v cargo-deny >/dev/null; then
    say "cargo: installing cargo-deny (about 5 minutes the first time)"
    install cargo-deny --locked
  fi
  if ! command -v cargo-fuzz >/dev/null; then
    say "cargo: installing cargo-fuzz"
    install cargo-fuzz --locked
  fi
  if ! rustup toolchain list | grep -q '^nightly'; then
    say "rustup: installing the nightly toolchain (cargo-fuzz needs it)"
    rustup toolchain install nightly --profile minimal
  fi
fi

# The test bed's real control planes (Go), cached outside the clone, keyed by go.sum.
# scripts/test.sh builds them itself, beside the Rust build (OUTPOST_TESTBED_LATER=1).
if [ "$mode" = test ] && [ -x scripts/testbed-build.sh ] && [ -z "${OUTPOST_TESTBED_LATER:-}" ]; then
  scripts/testbed-build.sh
fi
say "ready ($mode)"
