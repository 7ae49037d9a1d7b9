#!/usr/bin/env bash
# Opens an `iobench plot` report in headless Chromium, saves a full-page
# screenshot and fails if the page logged an error (a resource it could not
# load, a script error: the page must need neither).
#   bench/screenshot_report.sh out/charts/index.html [SHOT.png] [WIDTH]
# Chromium is a large optional tool, deliberately not in run_all.sh:
#   apt-get install --no-install-recommends chromium
set -euo pipefail

page=${1:?usage: bench/screenshot_report.sh DIR/index.html [SHOT.png] [WIDTH]}
shot=${2:-${page%.html}-screenshot.png}
width=${3:-1300}
[ -r "$page" ] || { echo "screenshot_report.sh: $page: cannot read it" >&2; exit 2; }
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "screenshot_report.sh: no Chromium on the PATH (Debian: apt-get install chromium)" >&2; exit 77; }

# The page is tall (one chart after another): make the window as tall as the
# page would be at this width, roughly 560 px a chart plus the tables.
charts=$(grep -o '<figure>' "$page" | wc -l)
rows=$(grep -o '<tr>' "$page" | wc -l)
height=$(( 600 + charts * 580 + rows * 24 ))
log=$(mktemp)
trap 'rm -f "$log"' EXIT
url="file://$(realpath "$page")"
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --enable-logging=stderr --v=0 \
  --window-size="$width,$height" --screenshot="$shot" "$url" 2>"$log" >/dev/null || {
  echo "screenshot_report.sh: $browser failed:" >&2; tail -5 "$log" >&2; exit 1; }
# Console errors and failed loads, as Chromium logs them; its own GPU/DBus chatter is not about the page.
if grep -E 'CONSOLE|Failed to load|net::ERR_|Uncaught' "$log" | grep -v -E 'dbus|gpu|GPU' >&2; then
  echo "screenshot_report.sh: the page logged errors (above)" >&2
  exit 1
fi
echo "screenshot_report.sh: $shot (${width}x${height}, $charts charts)"
