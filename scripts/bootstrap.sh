#!/usr/bin/env bash
# Set up everything pmf needs on a fresh machine: uv, the virtual environment from the lock file.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
if command -v uv >/dev/null 2>&1; then
  UV=uv
else
  if [ ! -x .tools/bin/uv ]; then
    echo "Installing uv ${UV_VERSION} into .tools/ ..."
    python3 -m venv .tools
    .tools/bin/pip install --quiet "uv==${UV_VERSION}"
  fi
  UV=.tools/bin/uv
fi

# Python packages exactly as locked in uv.lock (fails if pyproject.toml and the lock disagree).
"$UV" sync --locked --quiet

# Front-end files from npm, copied into the Django static folder.
scripts/assets.sh

# Debian's libraries for PDF documents (WeasyPrint) and the PDF tools the tests use.
scripts/documents.sh

# Java 17 for Spark (record-level sources on a local PySpark session).
scripts/java.sh
