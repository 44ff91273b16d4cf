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


def test_a_message_in_two_catalogues_has_the_same_welsh_in_both() -> None:
    # Django reads every catalogue as one: of two translations of one message, only the
    # first catalogue's would ever show.
    import polib

    seen: dict[tuple[str | None, str], set[str]] = {}
    for path in sorted((ROOT / "src/pmf/locale").glob("*/cy/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(path)):
            if entry.obsolete or entry.msgid_plural or not entry.msgstr:
                continue
            seen.setdefault((entry.msgctxt, entry.msgid), set()).add(entry.msgstr)
    assert {key[1]: found for key, found in seen.items() if len(found) > 1} == {}
