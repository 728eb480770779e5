#!/usr/bin/env bash
# A short run of every cargo-fuzz target (nightly, libFuzzer + AddressSanitizer) from its
# committed seeds, so the targets cannot rot: each must build and survive
# ${OUTPOST_FUZZ_SECONDS:-20} seconds. The long runs' figures are in docs/fuzzing.md.
# The fuzz crate's target directory lives outside the clone (like the warm target dir), so
# CI rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${OUTPOST_FUZZ_SECONDS:-20}
export CARGO_TARGET_DIR="${OUTPOST_FUZZ_TARGET:-$HOME/.cache/outpost/fuzz-target}"
targets=$(cargo +nightly fuzz list)
cargo +nightly fuzz build -O
for t in $targets; do
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  if [ -d "seeds/$t" ]; then cp -r "seeds/$t/." "$work/"; fi
  echo "fuzz: $t for ${secs}s from $(ls "$work" | wc -l) seeds"
  rc=0
  cargo +nightly fuzz run -O "$t" "$work" -- -max_total_time="$secs" -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 >"$work.log" 2>&1 || rc=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done)|ERROR|SUMMARY|panicked' "$work.log" || true
  if [ "$rc" -ne 0 ]; then tail -40 "$work.log"; rm -f "$work.log"; echo "fuzz: $t failed"; exit 1; fi
  rm -f "$work.log"
  rm -rf "$work"
  trap - EXIT
done
