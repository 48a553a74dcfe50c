#!/usr/bin/env bash
# `cmems report` in a real browser: a short phantom run, its evaluation and its report are
# opened in headless Chromium; the rendered DOM (after the page's own self-check script ran)
# and a 1280×900 screenshot are checked. Exits 77 (ctest: skipped) without Chromium.
set -u
CMEMS=${CMEMS:?set CMEMS to the cmems binary}
BROWSER=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$BROWSER" ]; then
  echo "SKIP: no Chromium found (scripts/install-deps.sh installs Debian's chromium)"
  exit 77
fi
. "$(dirname "$0")/lib.sh"

"$CMEMS" phantom --out "$T/data" --cases 3 --test-cases 3 --seed 1 >/dev/null
"$CMEMS" train --data "$T/data" --out "$T/run" --method cmems --iterations 6 --log-every 2 --val-every 3 $SMALL >/dev/null 2>&1
"$CMEMS" evaluate --run "$T/run" --data "$T/data" --out "$T/eval.json" >/dev/null
check "report writes one HTML file" '"$CMEMS" report --run "$T/run" --data "$T/data" --eval "$T/eval.json" --out "$T/report.html" >/dev/null && [ -s "$T/report.html" ]'
check "the report refers to no network or other file" '! grep -Eq "(src|href)=\"(https?:|file:|//)|url\(|@import" "$T/report.html"'
check "an existing report is kept" '! "$CMEMS" report --run "$T/run" --data "$T/data" --out "$T/report.html" 2>/dev/null'

B=("$BROWSER" --headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=10000
   --user-data-dir="$T/profile" --no-first-run)
"${B[@]}" --dump-dom "file://$T/report.html" >"$T/dom.html" 2>"$T/browser.err"
check "Chromium rendered the page" '[ -s "$T/dom.html" ] || { cat "$T/browser.err"; false; }'
check "DOM: one table row per case" '[ "$(grep -o "<tr class=\"case\"" "$T/dom.html" | wc -l)" -eq 3 ]'
check "DOM: every image decoded, the curves have points" 'python3 - "$T/dom.html" <<"PY"
import re, sys
dom = open(sys.argv[1]).read()
m = re.search(r"id=\"selfcheck\"[^>]*", dom)
attrs = dict(re.findall(r"data-([a-z]+)=\"(\d+)\"", m.group(0))) if m else {}
images, decoded, curves = (int(attrs.get(k, -1)) for k in ("images", "decoded", "curves"))
points = [int(p) for p in re.findall(r"class=\"series\"[^>]*data-points=\"(\d+)\"", dom)]
# exemplar + 16 samples + 3 cases x (reference, prediction, disagreement)
ok = images == decoded == 1 + 16 + 9 and curves >= 4 and len(points) >= 4 and min(points) >= 2
print("images", images, "decoded", decoded, "curves", curves, "points", points)
sys.exit(not ok)
PY'

"${B[@]}" --screenshot="$T/shot.png" --window-size=1280,900 "file://$T/report.html" >/dev/null 2>>"$T/browser.err"
check "screenshot 1280x900, not blank" 'python3 - "$T/shot.png" <<"PY"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
bpp = {2: 3, 6: 4}[ctype]
raw, stride = zlib.decompress(idat), w * bpp
rows, prev = [], bytearray(stride)
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, a + b - c][f] if f < 4 else None
        if f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        line[i] = (line[i] + pred) & 255
    rows.append(bytes(line)); prev = line
pixels = [r[i:i + 3] for r in rows[::4] for i in range(0, stride, bpp * 4)]
non_white = sum(p != b"\xff\xff\xff" for p in pixels) / len(pixels)
colours = len(set(pixels))
print("size", w, h, "non-white", round(non_white, 3), "colours", colours)
sys.exit(not (w == 1280 and h == 900 and non_white > 0.05 and colours > 50))
PY'
[ -n "${KEEP_REPORT:-}" ] && cp "$T/report.html" "$T/shot.png" "$KEEP_REPORT"/ 2>/dev/null
echo "report test: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
