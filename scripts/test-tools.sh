#!/usr/bin/env bash
# Install what the tests need beyond what pmf itself needs (scripts/bootstrap.sh): the PDF
# tools that read documents' pages, Java 17 for the Spark tests, Chromium for the browser
# tests, redis-server for the test of two app servers sharing a page cache, and gettext for
# the check of the translations. `make pytest` and `make test` run it; `make demo` does not.
# Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/poppler.sh
scripts/java.sh
scripts/chromium.sh
scripts/redis.sh
scripts/gettext.sh
