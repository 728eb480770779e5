#!/usr/bin/env bash
# Regenerate every bundle icon from the two hand-written SVG sources.
#   outpost.svg        detailed artwork, used for >= 44 px
#   outpost-small.svg  simplified artwork, used for <= 32 px (16/24/30/32)
# Needs: rsvg-convert (librsvg2-bin), ImageMagick `convert`, python3, and the
# Tauri CLI v2 from npm (pass its directory in TAURI_CLI_DIR, default /tmp/tauri-cli).
# See docs/icon.md.
set -euo pipefail

ICONS="$(cd "$(dirname "$0")" && pwd)"
CLI_DIR="${TAURI_CLI_DIR:-/tmp/tauri-cli}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if [ ! -x "$CLI_DIR/node_modules/.bin/tauri" ]; then
  mkdir -p "$CLI_DIR"
  (cd "$CLI_DIR" && npm init -y >/dev/null && npm install --no-fund --no-audit @tauri-apps/cli@2)
fi

# 1. Master render, then let the Tauri CLI produce the standard desktop set.
rsvg-convert -w 1024 -h 1024 "$ICONS/outpost.svg" -o "$WORK/icon-1024.png"
"$CLI_DIR/node_modules/.bin/tauri" icon "$WORK/icon-1024.png" -o "$WORK/out"
rm -rf "$WORK/out/android" "$WORK/out/ios"   # desktop only

# 2. Small sizes from the simplified artwork.
for s in 16 24 30 32; do
  rsvg-convert -w "$s" -h "$s" "$ICONS/outpost-small.svg" -o "$WORK/small-$s.png"
done
for s in 48 64 256; do
  rsvg-convert -w "$s" -h "$s" "$ICONS/outpost.svg" -o "$WORK/big-$s.png"
done
cp "$WORK/small-32.png" "$WORK/out/32x32.png"
cp "$WORK/small-30.png" "$WORK/out/Square30x30Logo.png"

# 3. Windows .ico: 16/24/32 simplified, 48/64/256 detailed.
convert "$WORK/small-16.png" "$WORK/small-24.png" "$WORK/small-32.png" \
        "$WORK/big-48.png" "$WORK/big-64.png" "$WORK/big-256.png" "$WORK/out/icon.ico"

# 4. macOS .icns: swap the 16 px / 32 px entries (is32+s8mk, il32+l8mk, ic11 = 16@2x)
#    for the simplified artwork; keep Tauri's entries for every larger size.
convert "$WORK/small-16.png" -depth 8 "rgba:$WORK/small-16.rgba"
convert "$WORK/small-32.png" -depth 8 "rgba:$WORK/small-32.rgba"
python3 - "$WORK" <<'PY'
import struct, sys
work = sys.argv[1]
path = f"{work}/out/icon.icns"

def rle_literal(channel: bytes) -> bytes:
    # ICNS per-channel PackBits variant; literal runs only (control byte n-1, n <= 128).
    out = bytearray()
    for i in range(0, len(channel), 128):
        chunk = channel[i:i + 128]
        out.append(len(chunk) - 1)
        out += chunk
    return bytes(out)

def legacy(size: int, rgba: bytes) -> tuple[bytes, bytes]:
    n = size * size
    assert len(rgba) == 4 * n, "unexpected raw buffer size"
    rgb = b"".join(rle_literal(rgba[c::4]) for c in range(3))
    return rgb, rgba[3::4]

def entry(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack(">I", len(data) + 8) + data

data = open(path, "rb").read()
assert data[:4] == b"icns"
entries, i = [], 8
while i < len(data):
    kind, length = data[i:i + 4], struct.unpack(">I", data[i + 4:i + 8])[0]
    entries.append((kind, data[i + 8:i + length]))
    i += length

replace = {}
rgb16, mask16 = legacy(16, open(f"{work}/small-16.rgba", "rb").read())
rgb32, mask32 = legacy(32, open(f"{work}/small-32.rgba", "rb").read())
replace[b"is32"], replace[b"s8mk"] = rgb16, mask16
replace[b"il32"], replace[b"l8mk"] = rgb32, mask32
replace[b"ic11"] = open(f"{work}/small-32.png", "rb").read()

body = b"".join(entry(k, replace.get(k, v)) for k, v in entries)
missing = set(replace) - {k for k, _ in entries}
body += b"".join(entry(k, replace[k]) for k in sorted(missing))
open(path, "wb").write(b"icns" + struct.pack(">I", len(body) + 8) + body)
PY

# 5. Install.
cp "$WORK"/out/*.png "$WORK/out/icon.icns" "$WORK/out/icon.ico" "$ICONS/"
echo "icons regenerated in $ICONS"
