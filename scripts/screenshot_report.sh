#!/usr/bin/env bash
# Render the HTML scan report of the bundled example export in headless Chromium and save a
# screenshot (docs/scan-report.png).  Needs Debian's chromium (apt-get install chromium) and a
# CJK font (fonts-wqy-zenhei or fonts-noto-cjk).  No network: the report is self-contained and
# Chromium's background networking is switched off.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/scan-report.png}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
leakguard scan examples/qq_export.txt --format html -o "$tmp/report.html" || [ $? -eq 1 ]
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$tmp/profile" --hide-scrollbars --window-size=1200,1500 \
  --screenshot="$out" "file://$tmp/report.html" 2>/dev/null
echo "wrote $out"
