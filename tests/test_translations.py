"""The Welsh catalogues: every translatable message has its translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_marked_message_has_its_welsh_translation() -> None:
    # Needs gettext's xgettext, which make test installs (scripts/gettext.sh).
    result = subprocess.run(
        [sys.executable, "scripts/messages.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
