#!/usr/bin/env bash
# Set up what pmf needs to run on a fresh machine (`make demo`): uv, the virtual environment
# from the lock file, the front-end files and the libraries for PDF documents. What only the
# tests need (Java, PDF tools, Chromium) is scripts/test-tools.sh's.
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

# Python packages exactly as locked in uv.lock (fails if pyproject.toml and the lock disagree),
# with their bytecode compiled once here: Python does not write it when PYTHONDONTWRITEBYTECODE
# is set, and would then compile some 1,000 modules again at the start of every command.
"$UV" sync --locked --quiet --compile-bytecode
# pmf's own modules too (installed editable, so read from src/): compileall writes whatever
# the environment says, and skips a module whose bytecode matches its source. A module edited
# later is compiled again in memory until the next setup (Python checks each source's mtime).
.venv/bin/python -m compileall -q -j 0 src/pmf >/dev/null

# Front-end files from npm, copied into the Django static folder.
scripts/assets.sh

# The Welsh catalogues, compiled for Django (src/pmf/locale/*/cy/LC_MESSAGES/django.mo).
.venv/bin/python scripts/messages.py --compile

# Debian's libraries for PDF documents (WeasyPrint): the web application serves board papers.
scripts/documents.sh
