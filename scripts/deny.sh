#!/usr/bin/env bash
# cargo-deny over the workspace with deny.toml. Bans, licenses and sources need nothing but
# Cargo.lock. Advisories need the RustSec database, a git repository on GitHub, which this
# project's machines cannot reach; the check runs whenever a copy is present at
# $OUTPOST_ADVISORY_DB (or cargo-deny's default location) and says so when it is not.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo deny --offline check bans licenses sources
db=${OUTPOST_ADVISORY_DB:-$HOME/.cargo/advisory-dbs}
if [ -n "$(ls -A "$db" 2>/dev/null)" ]; then
  cargo deny --offline check advisories
else
  echo "deny: advisories NOT checked: no RustSec database at $db (github.com is unreachable here)"
fi
