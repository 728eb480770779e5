#!/usr/bin/env bash
# Desktop app benchmark (issue 6): cold start to first interactive paint, idle RSS of the
# app plus its WebKit processes with the demo fleet open, and the size of the .deb the
# Tauri bundler builds. Prints a table; docs/benchmarks.md records the figures.
# Usage: bench/app.sh [runs]   (needs xvfb-run; builds the release app first)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
scripts/build-ui.sh >/dev/null
build_log=$(mktemp)
if ! cargo build --release -p outpost-desktop >"$build_log" 2>&1; then
  tail -30 "$build_log" >&2; echo "release build failed" >&2; exit 1
fi
bin=$CARGO_TARGET_DIR/release/outpost-desktop

tree_pids() { local p=$1; echo "$p"; for c in $(pgrep -P "$p" || true); do tree_pids "$c"; done; }
# RSS of the app and its WebKit helpers (not Xvfb or xvfb-run).
rss_mb() { local sum=0 kb comm; for p in $(tree_pids "$1"); do
    comm=$(cat "/proc/$p/comm" 2>/dev/null || true)
    case "$comm" in outpost-desktop*|WebKit*) ;; *) continue ;; esac
    kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0); sum=$((sum + ${kb:-0})); done
  echo $((sum / 1024)); }
# PSS: shared library pages split between the processes that map them (RSS counts the
# WebKit libraries once per process).
pss_mb() { local sum=0 kb comm; for p in $(tree_pids "$1"); do
    comm=$(cat "/proc/$p/comm" 2>/dev/null || true)
    case "$comm" in outpost-desktop*|WebKit*) ;; *) continue ;; esac
    kb=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0); sum=$((sum + ${kb:-0})); done
  echo $((sum / 1024)); }

# Per process: name, RSS and PSS in MB (the breakdown docs/benchmarks.md records).
breakdown() { local comm; for p in $(tree_pids "$1"); do
    comm=$(cat "/proc/$p/comm" 2>/dev/null || true)
    case "$comm" in outpost-desktop*|WebKit*) ;; *) continue ;; esac
    printf '  %-18s RSS %4d MB  PSS %4d MB\n' "$comm" \
      $(( $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status") / 1024 )) \
      $(( $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup") / 1024 )); done; }

# One app run under its own X server; waits for the first-paint log line.
# $3: "--demo" (default) or "" for an empty profile (the welcome screen, no sites).
start_app() {
  local home=$1 log=$2 demo=${3---demo}
  # stdout must not be the caller's $(...) pipe, or the substitution never returns.
  # shellcheck disable=SC2086
  OUTPOST_LOG=info xvfb-run -a -s "-screen 0 1280x800x24" "$bin" $demo --home "$home" >/dev/null 2>"$log" &
  echo $!
}
wait_paint() {
  local log=$1
  for _ in $(seq 1 300); do
    if grep -q 'first interactive paint' "$log"; then
      # The log line may carry ANSI colours: strip them before reading the figure.
      sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -o 'elapsed_ms=[0-9]*' | head -1 | cut -d= -f2
      return 0; fi
    sleep 0.1
  done
  echo "no first paint within 30 s; log: $log" >&2; return 1
}

starts=()
for i in $(seq 1 "$runs"); do
  home=$(mktemp -d); log=$(mktemp)
  pid=$(start_app "$home" "$log")
  ms=$(wait_paint "$log") || { echo "run $i: no first paint" >&2; exit 1; }
  starts+=("$ms")
  kill -- $(tree_pids "$pid" | tac) 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  rm -rf "$home" "$log"
done
sorted=$(printf '%s\n' "${starts[@]}" | sort -n)
median=$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')

home=$(mktemp -d); log=$(mktemp)
pid=$(start_app "$home" "$log")
wait_paint "$log" >/dev/null
sleep 20   # the demo fleet is up and watched; let it settle
rss=$(rss_mb "$pid")
pss=$(pss_mb "$pid")
demo_breakdown=$(breakdown "$pid")
kill -- $(tree_pids "$pid" | tac) 2>/dev/null || true; wait "$pid" 2>/dev/null || true
rm -rf "$home" "$log"

# The same with no sites at all: what the webview's processes cost before any data.
home=$(mktemp -d); log=$(mktemp)
pid=$(start_app "$home" "$log" "")
wait_paint "$log" >/dev/null
sleep 10
empty_rss=$(rss_mb "$pid")
empty_pss=$(pss_mb "$pid")
empty_breakdown=$(breakdown "$pid")
kill -- $(tree_pids "$pid" | tac) 2>/dev/null || true; wait "$pid" 2>/dev/null || true
rm -rf "$home" "$log"

deb="n/a"
if npx --yes @tauri-apps/cli@2 build --bundles deb >/tmp/outpost-deb.log 2>&1; then
  f=$(ls -t "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb | head -1)
  deb="$(( $(stat -c %s "$f") / 1024 / 1024 )) MB ($(stat -c %s "$f") bytes, $(basename "$f"))"
else
  echo "tauri bundler failed; see /tmp/outpost-deb.log" >&2
fi

printf '\n%-44s %-24s %s\n' "figure" "measured" "target"
printf '%-44s %-24s %s\n' "cold start to first interactive paint" "${median} ms (median of $runs: ${starts[*]})" "<= 1000 ms"
printf '%-44s %-24s %s\n' "idle RSS, app + WebKit processes, demo open" "${rss} MB (PSS ${pss} MB)" "<= 250 MB"
printf '%-44s %-24s %s\n' ".deb size" "$deb" "<= 15 MB"
printf '%-44s %-24s %s\n' "idle RSS, empty profile (no sites)" "${empty_rss} MB (PSS ${empty_pss} MB)" "-"
printf '\nper process, demo open:\n%s\nper process, empty profile:\n%s\n' "$demo_breakdown" "$empty_breakdown"
