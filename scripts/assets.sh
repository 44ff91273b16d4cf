#!/usr/bin/env bash
# Front-end files from npm (package.json + package-lock.json) into src/pmf/web/static/vendor/.
# Safe to run again: `npm ci` runs only when node_modules is missing or older than the lock,
# and the vendor folder is rebuilt from node_modules each time (it is not committed).
#
#   vendor/govuk-frontend/govuk-frontend.min.css  url(/assets/...) rewritten to url(assets/...);
#                                                 the GDS Transport @font-face rules removed
#   vendor/govuk-frontend/govuk-frontend.min.js   an ES module: <script type="module">
#   vendor/govuk-frontend/assets/images/...        (no fonts: we do not use GDS Transport)
#   vendor/htmx.min.js vendor/vega.min.js vendor/vega-lite.min.js vendor/vega-embed.min.js
#   vendor/vega-interpreter.js                    (an ES module, importing from window.vega)
#   vendor/axe.min.js                             (browser tests only)
#   vendor/VERSIONS.txt vendor/licenses/
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  echo "Installing npm (Debian package npm) ..."
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm >/dev/null
fi

# npm writes node_modules/.package-lock.json on every install: use it as the stamp.
STAMP=node_modules/.package-lock.json
if [ ! -f "$STAMP" ] || [ package-lock.json -nt "$STAMP" ]; then
  echo "Installing front-end packages (npm ci) ..."
  npm ci --no-audit --no-fund --loglevel=error
  touch "$STAMP"
fi

NM=node_modules
DEST=src/pmf/web/static/vendor
mkdir -p "$(dirname "$DEST")"
# Built beside the destination (a dot folder, which collectstatic ignores), then swapped in.
TMP=$(mktemp -d "$(dirname "$DEST")/.vendor.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# GOV.UK Frontend: CSS, JS (with its source map) and the images its CSS refers to.
GOVUK=$NM/govuk-frontend/dist/govuk
mkdir -p "$TMP/govuk-frontend/assets"
cp "$GOVUK/govuk-frontend.min.js" "$GOVUK/govuk-frontend.min.js.map" "$TMP/govuk-frontend/"
cp -R "$GOVUK/assets/images" "$TMP/govuk-frontend/assets/"
[ -d "$GOVUK/assets/rebrand" ] && cp -R "$GOVUK/assets/rebrand" "$TMP/govuk-frontend/assets/"
cp "$GOVUK/assets/manifest.json" "$TMP/govuk-frontend/assets/"
# The CSS: make /assets/ URLs relative to the CSS file, drop the GDS Transport font faces
# (text falls back to the next font in each stack: arial, sans-serif), and drop the source map
# comment (the map no longer matches the edited file).
sed -e 's#url(/assets/#url(assets/#g' \
    -e 's#@font-face{font-family:GDS Transport;[^}]*}##g' \
    -e 's#/\*\# sourceMappingURL=[^*]*\*/##' \
    "$GOVUK/govuk-frontend.min.css" > "$TMP/govuk-frontend/govuk-frontend.min.css"
CSS=$TMP/govuk-frontend/govuk-frontend.min.css
if grep -q '@font-face' "$CSS"; then
  echo "assets.sh: unexpected @font-face left in govuk-frontend.min.css" >&2; exit 1
fi
# Every url(...) left in the CSS must be a relative path to a file that was copied.
for u in $(grep -o 'url([^)]*)' "$CSS" | sed -e 's/^url(//' -e 's/)$//' -e 's/^["'\'']//' \
           -e 's/["'\'']$//' | sort -u); do
  case "$u" in
    data:*) ;;
    /*|*://*) echo "assets.sh: absolute URL left in govuk-frontend.min.css: $u" >&2; exit 1 ;;
    *) [ -f "$TMP/govuk-frontend/$u" ] || {
         echo "assets.sh: govuk-frontend.min.css refers to missing $u" >&2; exit 1; } ;;
  esac
done

# The others: built browser bundles, each with its source map where it names one.
cp "$NM/htmx.org/dist/htmx.min.js" "$TMP/"
cp "$NM/vega/build/vega.min.js" "$TMP/"
cp "$NM/vega-lite/build/vega-lite.min.js" "$NM/vega-lite/build/vega-lite.min.js.map" "$TMP/"
cp "$NM/vega-embed/build/vega-embed.min.js" "$NM/vega-embed/build/vega-embed.min.js.map" "$TMP/"
cp "$NM/axe-core/axe.min.js" "$TMP/"
# Vega's expression interpreter, so that charts need no eval under the Content Security Policy.
# It is an ES module importing three functions of vega-util, which the vega bundle exposes.
IMPORT="import { ascending, isString, DisallowedObjectProperties } from 'vega-util';"
grep -qF "$IMPORT" "$NM/vega-interpreter/build/vega-interpreter.js" || {
  echo "assets.sh: vega-interpreter's import line has changed: update scripts/assets.sh" >&2; exit 1; }
sed -e "s#^$IMPORT\$#const { ascending, isString, DisallowedObjectProperties } = window.vega;#" \
    -e '/sourceMappingURL=/d' \
    "$NM/vega-interpreter/build/vega-interpreter.js" > "$TMP/vega-interpreter.js"
for js in "$TMP"/*.js "$TMP"/govuk-frontend/*.js; do
  map=$(grep -o 'sourceMappingURL=[^ *]*' "$js" | tail -n 1 | sed 's/^sourceMappingURL=//' || true)
  if [ -n "$map" ] && [ ! -f "$(dirname "$js")/$map" ]; then
    echo "assets.sh: $js names a missing source map $map" >&2; exit 1
  fi
done

# Versions and licences of what was copied.
mkdir -p "$TMP/licenses"
: > "$TMP/VERSIONS.txt"
for pkg in govuk-frontend htmx.org vega vega-lite vega-embed vega-interpreter axe-core; do
  version=$(sed -n 's/^  "version": "\(.*\)",\{0,1\}$/\1/p' "$NM/$pkg/package.json" | head -n 1)
  echo "$pkg $version" >> "$TMP/VERSIONS.txt"
  for f in "$NM/$pkg"/LICEN[CS]E*; do
    [ -f "$f" ] && cp "$f" "$TMP/licenses/$pkg-$(basename "$f")"
  done
done

# Swap the new folder in whole.
rm -rf "$DEST"
mv "$TMP" "$DEST"
chmod 755 "$DEST"
trap - EXIT
echo "Front-end files in $DEST: $(tr '\n' ' ' < "$DEST/VERSIONS.txt")"
