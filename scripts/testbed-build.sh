#!/usr/bin/env bash
# Builds the test bed's Go programs (testbed/) once into a cache outside the clone:
#   ${OUTPOST_TESTBED_CACHE:-$HOME/.cache/outpost/testbed}/<key>/
#     outpost-testbed-bin-k3s       /version says vX.Y.Z+k3s1 (K3s-style sites)
#     outpost-testbed-bin-microk8s  /version says vX.Y.Z      (MicroK8s-style sites)
# <key> is the sha256 of testbed/go.sum, go.mod and *.go (crates/testbed computes the same key).
# Idempotent: a no-op when the binaries for this key exist. Prints the directory on stdout.
#
# One `go build` compiles everything; the second output is only a second link with other
# -X flags (the apiserver's version is a link-time string, see testbed/README.md).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/testbed"
cache="${OUTPOST_TESTBED_CACHE:-$HOME/.cache/outpost/testbed}"
key="$(cd "$src" && cat go.sum go.mod $(ls *.go | LC_ALL=C sort) | sha256sum | cut -d' ' -f1)"
out="$cache/$key"
if [ -x "$out/outpost-testbed-bin-k3s" ] && [ -x "$out/outpost-testbed-bin-microk8s" ]; then
	echo "$out"
	exit 0
fi
command -v go >/dev/null || { echo "testbed-build: go not found (Go >= 1.26.5 is needed)" >&2; exit 1; }
k8s="$(sed -n 's#^\s*k8s.io/kubernetes \(v[0-9.]*\).*#\1#p' "$src/go.mod" | head -1)"
minor="$(echo "$k8s" | cut -d. -f2)"
tmp="$cache/.tmp-$key-$$"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod
link() { # $1 = gitVersion
	local v="k8s.io/component-base/version"
	echo "-s -w -X $v.gitVersion=$1 -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean" \
		"-X $v.gitCommit=0000000000000000000000000000000000000000 -X $v.buildDate=1970-01-01T00:00:00Z"
}
start=$(date +%s)
echo "testbed-build: building k8s.io/kubernetes $k8s, kine, kwok, metrics-server into $out (cold: tens of minutes on 2 cores)" >&2
(cd "$src" && go build -trimpath -ldflags "$(link "$k8s+k3s1")" -o "$tmp/outpost-testbed-bin-k3s" .)
(cd "$src" && go build -trimpath -ldflags "$(link "$k8s")" -o "$tmp/outpost-testbed-bin-microk8s" .)
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "testbed-build: done in $(( $(date +%s) - start ))s, $(du -h "$out/outpost-testbed-bin-k3s" | cut -f1) per binary" >&2
echo "$out"
