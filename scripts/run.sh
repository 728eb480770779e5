#!/usr/bin/env bash
# Builds and opens the desktop app with the built-in demo fleet.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh run
scripts/build-ui.sh
cargo build -p outpost-desktop
bin="${CARGO_TARGET_DIR:-target}/debug/outpost-desktop"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No \$DISPLAY: running Outpost under Xvfb (a virtual screen; nothing will appear on yours)."
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$bin" --demo "$@"
fi
exec "$bin" --demo "$@"
