#!/usr/bin/env bash
# Install Debian's gettext (xgettext, msgmerge), with which the tests check that every
# translatable message has its Welsh translation (scripts/messages.py --check). pmf itself
# compiles its catalogues without them (polib). Skipped when already installed.
set -euo pipefail

if command -v xgettext >/dev/null 2>&1; then
  exit 0
fi
echo "Installing gettext (Debian package) for the tests of the translations ..."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends gettext >/dev/null
