#!/usr/bin/env bash
# Install Debian's poppler-utils (pdfinfo, pdftoppm, pdftotext), with which the tests and the
# paper benchmark read the PDF documents pmf writes. Skipped when already installed.
set -euo pipefail

if dpkg -s poppler-utils >/dev/null 2>&1; then
  exit 0
fi
echo "Installing poppler-utils (Debian package) for the tests that read PDF pages ..."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends poppler-utils >/dev/null
