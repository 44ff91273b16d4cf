#!/usr/bin/env bash
# Install Java 17 for Spark (record-level sources on a local PySpark session, and its tests):
# Debian's openjdk-17-jre-headless when `java` is missing or older than 17. Skipped otherwise.
set -euo pipefail

version() {
  java -version 2>&1 | awk -F'"' '/version/ {print $2}' | awk -F. '{print ($1 == "1") ? $2 : $1}'
}
if command -v java >/dev/null 2>&1 && [ "$(version)" -ge 17 ] 2>/dev/null; then
  exit 0
fi
echo "Installing Java 17 (Debian package openjdk-17-jre-headless) for Spark ..."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  openjdk-17-jre-headless >/dev/null
