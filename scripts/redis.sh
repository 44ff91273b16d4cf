#!/usr/bin/env bash
# Install Debian's redis-server, which the tests of several app servers sharing one page
# cache start on loopback for the length of a test (tests/web/test_servers.py). pmf itself
# needs no Redis unless PMF_CACHE_URL names one. Skipped when already installed.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
echo "Installing redis-server (Debian package) for the tests of several app servers ..."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
