#!/usr/bin/env bash
# Install the Debian packages that documents need: Pango and HarfBuzz for WeasyPrint (the PDF
# board papers the web application serves) and DejaVu fonts. Skipped when all are installed.
# The PDF tools the tests use to read pages (poppler-utils) are scripts/poppler.sh's.
set -euo pipefail

PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing ${missing[*]} (Debian packages for PDF documents) ..."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
