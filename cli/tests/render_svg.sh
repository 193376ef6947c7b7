#!/usr/bin/env bash
# Renders the `kassign simulate --svg` picture in headless Chromium and checks
# the PNG: its size is the SVG's declared size, and it is not blank (enough
# non-white pixels, in the lanes and in the chart).
#
# Usage: cli/tests/render_svg.sh [TIMELINE] [OUT_DIR]
#   TIMELINE  default: cli/tests/data/timelines/large_50x1000.json
#   OUT_DIR   where the SVG and PNG are kept (default: a temporary directory)
# Needs chromium (Debian: apt-get install -y chromium) and python3; installs
# nothing. KASSIGN may name a built binary; otherwise it is built (debug)
# and cargo says where it is, so CARGO_TARGET_DIR and build.target-dir are
# honoured instead of a stale target/debug/kassign being run.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
timeline=${1:-$root/cli/tests/data/timelines/large_50x1000.json}
out=${2:-$(mktemp -d)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [[ -z "$chromium" ]]; then
    echo "render_svg: chromium not found (apt-get install -y chromium)" >&2
    exit 2
fi
if [[ -z "${KASSIGN:-}" ]]; then
    # json-render-diagnostics keeps compiler errors readable on stderr while
    # stdout carries one JSON message per line, the artifacts among them.
    KASSIGN=$(cd "$root" && cargo build -q -p kassign --message-format=json-render-diagnostics |
        python3 -c '
import json, sys
found = [m["executable"] for m in map(json.loads, sys.stdin)
         if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "kassign"
         and m.get("executable")]
if not found:
    sys.exit("render_svg: cargo built no kassign executable")
print(found[-1])')
fi

svg=$out/timeline.svg
png=$out/timeline.png
"$KASSIGN" simulate "$timeline" --svg "$svg" >/dev/null

read -r width height < <(python3 - "$svg" <<'EOF'
import re, sys
head = open(sys.argv[1], encoding="utf-8").read(2000)
m = re.search(r'<svg[^>]*\bwidth="(\d+)"[^>]*\bheight="(\d+)"', head)
if not m:
    sys.exit("render_svg: no width/height on the <svg> element")
print(m.group(1), m.group(2))
EOF
)

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$profile" --screenshot="$png" \
    --window-size="$width,$height" "file://$svg" >/dev/null 2>&1 || true
if [[ ! -s "$png" ]]; then
    echo "render_svg: chromium wrote no screenshot" >&2
    exit 1
fi

python3 - "$png" "$width" "$height" <<'EOF'
import struct, sys, zlib

path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("render_svg: not a PNG")
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
width, height, depth, color, _, _, interlace = ihdr
if (width, height) != (want_w, want_h):
    sys.exit(f"render_svg: PNG is {width}x{height}, the SVG says {want_w}x{want_h}")
if depth != 8 or color not in (2, 6) or interlace:
    sys.exit(f"render_svg: unexpected PNG format depth={depth} color={color}")
bpp = 3 if color == 2 else 4
raw = zlib.decompress(idat)
stride = width * bpp
rows, prev, at = [], bytearray(stride), 0
for _ in range(height):
    kind, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
    at += 1 + stride
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + a) & 255
        elif kind == 2:
            line[i] = (line[i] + b) & 255
        elif kind == 3:
            line[i] = (line[i] + (a + b) // 2) & 255
        elif kind == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line

def ink(y0, y1):
    """Share of pixels in rows y0..y1 that are not near-white."""
    dark = total = 0
    for y in range(y0, y1):
        line = rows[y]
        for x in range(0, width, 2):
            r, g, b = line[x * bpp], line[x * bpp + 1], line[x * bpp + 2]
            total += 1
            dark += (r + g + b) < 690
    return dark / max(total, 1)

whole = ink(0, height)
lanes = ink(height // 6, height * 2 // 3)
chart = ink(height * 3 // 4, height)
print(f"render_svg: {width}x{height} PNG; ink: whole {whole:.3f}, lanes {lanes:.3f}, chart {chart:.3f}")
if whole < 0.05 or lanes < 0.08 or chart < 0.01:
    sys.exit("render_svg: the picture is (nearly) blank")
EOF
echo "render_svg: ok ($png)"
