#!/usr/bin/env bash
# Install Debian's chromium for the browser tests (Playwright drives /usr/bin/chromium;
# `playwright install` cannot download its own build here). Skipped when already installed.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "Installing Chromium (Debian package chromium) ..."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version
