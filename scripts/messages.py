"""Keep the Welsh catalogues in step with the code, check them, and compile them.

Every user-visible message is marked where it is written (``{% translate %}`` in templates,
``gettext`` in Python) and translated in one of the catalogues below, one per area of the
code, so that the people translating different areas never edit the same file:

    src/pmf/locale/<area>/cy/LC_MESSAGES/django.po

Usage (from the repository's root)::

    python scripts/messages.py            # add new messages to each area's catalogue
    python scripts/messages.py --check    # fail on a message without its translation
    python scripts/messages.py --compile  # write the .mo files Django reads (make setup)

Finding messages needs GNU gettext's xgettext and msgmerge (scripts/gettext.sh installs them);
compiling needs only polib, so ``make demo`` does not need gettext.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "pmf"
LOCALE = SRC / "locale"
LANGUAGES = ("cy",)
# Welsh plural forms as Django's own Welsh catalogue writes them.
PLURAL_FORMS = {"cy": "nplurals=4; plural=(n==1) ? 0 : (n==2) ? 1 : (n != 8 && n != 11) ? 2 : 3;"}
KEYWORDS = (
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext:1,2",
    "ngettext_lazy:1,2",
    "pgettext:1c,2",
    "pgettext_lazy:1c,2",
    "npgettext:1c,2,3",
    "npgettext_lazy:1c,2,3",
)


@dataclass(frozen=True)
class Area:
    """A part of the code whose messages one catalogue holds."""

    name: str
    sources: tuple[str, ...]
    """Glob patterns under src/pmf."""
    excluded: tuple[str, ...] = ()

    def files(self) -> Iterator[Path]:
        """Yield the area's source files, in a stable order."""
        seen: set[Path] = set()
        for pattern in self.sources:
            for path in sorted(SRC.glob(pattern)):
                relative = path.relative_to(SRC).as_posix()
                if path in seen or any(part in relative for part in self.excluded):
                    continue
                seen.add(path)
                yield path

    def catalogue(self, language: str) -> Path:
        """Return the path of the area's catalogue for ``language``."""
        return LOCALE / self.name / language / "LC_MESSAGES" / "django.po"


AREAS = (
    # The sentences pmf.core writes: rationale, comparisons, grades, checks.
    Area("core", ("core/**/*.py",)),
    # Every page's template (and the emails' text templates).
    Area("templates", ("web/templates/**/*.html", "web/templates/**/*.txt")),
    # The papers: their builders and the document renderers and charts of pmf.reports.
    Area("papers", ("web/papers/**/*.py", "reports/**/*.py")),
    # Reading files: the messages naming the file, row and field of bad input.
    Area("sources", ("sources/**/*.py",)),
    # The web application's Python: views, forms, presenters, services' messages.
    Area("web", ("web/**/*.py",), excluded=("web/papers/", "/migrations/", "web/config/")),
)


def _source_for_xgettext(path: Path) -> str:
    """Return what xgettext reads for ``path``: Python as it is, a template as Django reads it."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        return text
    from django.utils.translation.template import templatize

    return templatize(text, origin=str(path))


def extract(area: Area, directory: Path) -> Path:
    """Write the area's messages to a template catalogue (.pot) in ``directory``."""
    copies: list[str] = []
    for path in area.files():
        relative = path.relative_to(SRC)
        copy = directory / "src" / relative.with_suffix(relative.suffix + ".py")
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(_source_for_xgettext(path), encoding="utf-8")
        copies.append(copy.relative_to(directory / "src").as_posix())
    pot = directory / f"{area.name}.pot"
    if not copies:
        pot.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n')
        return pot
    subprocess.run(
        [
            "xgettext",
            "--language=Python",
            "--from-code=UTF-8",
            "--add-comments=Translators",
            "--sort-by-file",
            "--no-wrap",
            "--force-po",
            f"--output={pot}",
            *(f"--keyword={keyword}" for keyword in KEYWORDS),
            *copies,
        ],
        cwd=directory / "src",
        check=True,
    )
    # Name the real files in the locations, not the copies.
    pot.write_text(
        pot.read_text(encoding="utf-8")
        .replace(".html.py:", ".html:")
        .replace(".txt.py:", ".txt:")
        .replace(".py.py:", ".py:"),
        encoding="utf-8",
    )
    return pot


def _header(language: str) -> str:
    return (
        'msgid ""\nmsgstr ""\n'
        '"Project-Id-Version: pmf\\n"\n'
        f'"Language: {language}\\n"\n'
        '"MIME-Version: 1.0\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Content-Transfer-Encoding: 8bit\\n"\n'
        f'"Plural-Forms: {PLURAL_FORMS[language]}\\n"\n'
    )


def update(area: Area, language: str, pot: Path) -> None:
    """Merge the area's current messages into its catalogue, keeping every translation."""
    catalogue = area.catalogue(language)
    if not catalogue.exists():
        catalogue.parent.mkdir(parents=True, exist_ok=True)
        catalogue.write_text(_header(language), encoding="utf-8")
    subprocess.run(
        [
            "msgmerge",
            "--quiet",
            "--update",
            "--backup=none",
            "--no-fuzzy-matching",
            "--no-wrap",
            "--sort-by-file",
            str(catalogue),
            str(pot),
        ],
        check=True,
    )
    subprocess.run(
        [
            "msgattrib",
            "--no-obsolete",
            "--no-wrap",
            "--sort-by-file",
            "-o",
            str(catalogue),
            str(catalogue),
        ],
        check=True,
    )
    # No dates or addresses that change with every run: the catalogue changes only when a
    # message does.
    lines = catalogue.read_text(encoding="utf-8").splitlines(keepends=True)
    stamps = ('"POT-Creation-Date:', '"PO-Revision-Date:', '"Report-Msgid-Bugs-To:')
    kept = [line for line in lines if not line.startswith(stamps)]
    catalogue.write_text("".join(kept), encoding="utf-8")


def problems(area: Area, language: str, pot: Path) -> list[str]:
    """Return what is wrong with the area's catalogue: missing, untranslated, fuzzy, stale."""
    import polib

    catalogue = area.catalogue(language)
    wanted = {(entry.msgctxt, entry.msgid): entry for entry in polib.pofile(str(pot))}
    if not catalogue.exists():
        return (
            [f"{catalogue.relative_to(ROOT)}: missing ({len(wanted)} messages to translate)"]
            if wanted
            else []
        )
    found = polib.pofile(str(catalogue))
    have = {(entry.msgctxt, entry.msgid): entry for entry in found if not entry.obsolete}
    name = catalogue.relative_to(ROOT)
    messages: list[str] = []
    for key, entry in wanted.items():
        where = entry.occurrences[0][0] if entry.occurrences else "?"
        translated = have.get(key)
        if translated is None:
            messages.append(f"{name}: not in the catalogue: {entry.msgid!r} ({where})")
        elif "fuzzy" in translated.flags:
            messages.append(f"{name}: marked fuzzy: {entry.msgid!r} ({where})")
        elif not translated.translated():
            messages.append(f"{name}: not translated: {entry.msgid!r} ({where})")
    for key, entry in have.items():
        if key not in wanted:
            messages.append(f"{name}: no longer in the code: {entry.msgid!r}")
    return messages


def compile_catalogues() -> list[Path]:
    """Write each catalogue's .mo file beside it (what Django reads); return their paths."""
    import polib

    written = []
    for area in AREAS:
        for language in LANGUAGES:
            catalogue = area.catalogue(language)
            if catalogue.exists():
                target = catalogue.with_suffix(".mo")
                polib.pofile(str(catalogue)).save_as_mofile(str(target))
                written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help="fail on an untranslated message")
    action.add_argument("--compile", action="store_true", help="write the .mo files")
    parser.add_argument("--area", choices=[area.name for area in AREAS], help="only this area")
    args = parser.parse_args(argv)
    if args.compile:
        compile_catalogues()
        return 0
    areas = [area for area in AREAS if args.area in (None, area.name)]
    found: list[str] = []
    with tempfile.TemporaryDirectory() as temporary:
        for area in areas:
            pot = extract(area, Path(temporary) / area.name)
            for language in LANGUAGES:
                if args.check:
                    found.extend(problems(area, language, pot))
                else:
                    update(area, language, pot)
    if found:
        print("\n".join(found), file=sys.stderr)
        print(
            f"{len(found)} problems in the catalogues: run scripts/messages.py, "
            "then translate what it added.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
