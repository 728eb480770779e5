#!/usr/bin/env bash
# Prints the replace block that pins every k8s.io staging module to its tagged release.
#
# k8s.io/kubernetes replaces its staging modules (k8s.io/api, k8s.io/apiserver, ...) with local
# paths (./staging/src/k8s.io/...), so it cannot be required as is. Each staging module is tagged
# v0.<minor>.<patch> for release v1.<minor>.<patch>; this reads the release's own go.mod from the
# Go module proxy (through `go mod download`) and maps each local replace to that tag.
#
# usage: testbed/gen-replaces.sh v1.37.2 > /tmp/replaces.txt
set -euo pipefail
k8s="${1:?usage: gen-replaces.sh vMAJOR.MINOR.PATCH}"
staging="v0.${k8s#v1.}"
gomod="$(cd "$(mktemp -d)" && go mod download -json "k8s.io/kubernetes@${k8s}" | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')"
[ -f "$gomod" ] || { echo "gen-replaces: no go.mod for k8s.io/kubernetes@${k8s}" >&2; exit 1; }
echo "replace ("
sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*$#\t\1 => \1 '"${staging}"'#p' "$gomod"
echo ")"
