#!/usr/bin/env bash
# Install Debian's openssl command, with which a test checks a published site's signature the
# way a reader without pmf would (docs/guide/verify.md). Skipped when already installed.
set -euo pipefail

if command -v openssl >/dev/null 2>&1; then
  exit 0
fi
echo "Installing openssl (Debian package) for the test that checks a signature as a reader would ..."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends openssl >/dev/null
