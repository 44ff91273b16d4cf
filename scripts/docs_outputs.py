"""Write the command outputs pasted in the docs from pmf itself, or check that they still match.

In a Markdown page under docs/ (or the README), a fenced block that follows the line

    <!-- generated -->

holds commands, each on a line starting ``$ ``, and what each printed. This script runs every
command again and writes its output (standard output and errors together, as a terminal shows
them) under it, so a help text or a message changed in the code changes the docs with it.
The generated blocks of a page run in order in one temporary folder, so a block may read the
files an earlier one wrote; ``<!-- generated in FOLDER -->`` first copies the files of FOLDER
(relative to the page) into it. ``pmf`` commands run in this process, through pmf's console
entry point, with 80 columns so that help wraps the same on every machine; any other command
(``head``, ``cp``, ``python3 script.py``) runs in bash, with ``PMF`` naming the repository.

``<!-- generated with a database -->`` (and ``... with a database in FOLDER``) marks commands
that read or write pmf's database. Their blocks run in the guide's order (its contents page),
all on one database, so the guide's story carries from page to page: the framework loaded on
one page is the one the next page imports figures into. They are too slow for ``make check``
(a new database is migrated first): ``make docs`` writes them on a new SQLite database, and
``tests/test_docs_outputs.py`` checks them on the test database.

A fenced block that follows ``<!-- file: PATH -->`` holds the file at PATH (relative to the
page), so a file the docs show is the file the commands read.

    python scripts/docs_outputs.py           # rewrite every block (make docs)
    python scripts/docs_outputs.py --check   # fail with a diff when a block without a
                                             # database is stale (make check)
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guide"
COLUMNS = "80"
# A decimal printed to full precision (a float's repr in a CSV file): its last digits may
# differ from one processor to another (numpy's vectorised log, sqrt and arcsin), not with pmf.
LONG_DECIMAL = re.compile(r"-?\d+\.\d{9,}(?:e[-+]?\d+)?")

# A mark and its block may be indented alike, inside a list item.
MARK = re.compile(
    r"^(?P<indent> *)<!-- (?:generated(?P<database> with a database)?(?: in (?P<folder>\S+))?"
    r"|file: (?P<file>\S+)) -->$"
)
FENCE = re.compile(r"^ *(```+|~~~+)")


@dataclass(frozen=True)
class Block:
    """A fenced block after a mark: its mark and the lines of its body (between the fences)."""

    mark: re.Match[str]
    start: int  # the index of the body's first line
    end: int  # the index of the closing fence

    @property
    def database(self) -> bool:
        return self.mark.group("database") is not None


def pages() -> list[Path]:
    """Return the pages that may hold generated blocks: the guide's in its order, then the rest."""
    contents = (GUIDE / "README.md").read_text(encoding="utf-8")
    ordered = [GUIDE / "README.md"]
    for name in re.findall(r"\]\(([\w-]+\.md)\)", contents):
        if (GUIDE / name) not in ordered and (GUIDE / name).is_file():
            ordered.append(GUIDE / name)
    rest = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return ordered + [page for page in rest if page not in ordered]


def blocks(page: Path, lines: list[str]) -> Iterator[Block]:
    """Yield the marked blocks of a page, in order."""
    for index, line in enumerate(lines):
        mark = MARK.match(line)
        if mark is None:
            continue
        fence = FENCE.match(lines[index + 1]) if index + 1 < len(lines) else None
        if fence is None:
            raise SystemExit(f"{page.relative_to(ROOT)}:{index + 1}: no fenced block after {line}")
        closing = fence.group(1)
        end = next(
            (i for i in range(index + 2, len(lines)) if lines[i].lstrip().startswith(closing)),
            None,
        )
        if end is None:
            raise SystemExit(f"{page.relative_to(ROOT)}:{index + 2}: the block is not closed")
        yield Block(mark, index + 2, end)


def pmf_main() -> Callable[[list[str]], int | None]:
    """Return pmf's command-line entry point, wherever the package keeps it."""
    (script,) = entry_points(group="console_scripts", name="pmf")
    main: Callable[[list[str]], int | None] = script.load()
    return main


@contextlib.contextmanager
def inside(folder: Path) -> Iterator[None]:
    """Run in ``folder``, and come back."""
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def run(command: str) -> str:
    """Run one command line in the current folder and return what it printed."""
    argv = shlex.split(command, comments=True)
    if argv and argv[0] == "pmf":
        printed = io.StringIO()
        # --help and usage errors end argparse with SystemExit; the output is what counts.
        with (
            contextlib.redirect_stdout(printed),
            contextlib.redirect_stderr(printed),
            contextlib.suppress(SystemExit),
        ):
            pmf_main()(argv[1:])
        output = printed.getvalue()
    else:
        shell = subprocess.run(
            ["bash", "-c", command],
            env={**os.environ, "PMF": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        output = shell.stdout
    return "\n".join(line.rstrip() for line in output.rstrip("\n").split("\n"))


def generate(commands: list[str]) -> list[str]:
    """Return the lines of a block: each command after ``$ ``, then its output."""
    lines: list[str] = []
    for command in commands:
        if lines and lines[-1] != "" and not lines[-1].startswith("$ "):
            lines.append("")  # a blank line after an output, none between bare commands
        lines.append(f"$ {command}")
        output = run(command)
        if output:
            lines.extend(output.split("\n"))
    return lines


def indented(lines: list[str], indent: str) -> list[str]:
    """Indent the lines of a block as its mark is, leaving blank lines empty."""
    return [f"{indent}{line}" if line else "" for line in lines]


def rewrite(page: Path, *, database: bool | None) -> str:
    """Return the page's text with its blocks written afresh.

    ``database`` chooses the generated blocks: those without a database (False), those with
    one (True) or both (None). Blocks showing files are always written.
    """
    lines = page.read_text(encoding="utf-8").split("\n")
    out: list[str] = []
    done = 0
    with tempfile.TemporaryDirectory(prefix="pmf-docs-") as folder, inside(Path(folder)):
        for block in blocks(page, lines):
            body = lines[block.start : block.end]
            indent = block.mark.group("indent")
            if block.mark.group("file"):
                path = page.parent / block.mark.group("file")
                body = indented(path.read_text(encoding="utf-8").rstrip("\n").split("\n"), indent)
            elif database is None or block.database == database:
                if block.mark.group("folder"):
                    source = page.parent / block.mark.group("folder")
                    shutil.copytree(source, Path.cwd(), dirs_exist_ok=True)
                commands = [text.strip()[2:] for text in body if text.strip().startswith("$ ")]
                body = indented(generate(commands), indent)
            out.extend([*lines[done : block.start], *body])
            done = block.end
    out.extend(lines[done:])
    return "\n".join(out)


def comparable(text: str) -> str:
    """Return the text with each long decimal rounded to 12 significant digits.

    >>> comparable("phi,tau2\\n323.1257772465311,0.00816783085305695")
    'phi,tau2\\n323.125777247,0.00816783085306'
    >>> comparable("323.12577724653113") == comparable("323.1257772465311")
    True
    """
    return LONG_DECIMAL.sub(lambda found: f"{float(found.group()):.12g}", text)


def stale(pages_: list[Path], *, database: bool | None) -> Iterator[tuple[str, str]]:
    """Yield the name and unified diff of each page whose blocks differ from pmf's output.

    Decimals are compared to 12 significant digits (``comparable``).
    """
    for page in pages_:
        old = page.read_text(encoding="utf-8")
        new = rewrite(page, database=database)
        if comparable(new) != comparable(old):
            name = str(page.relative_to(ROOT))
            diff = difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                f"{name} (in the docs)",
                f"{name} (as pmf prints it now)",
            )
            yield name, "".join(diff)


def main(argv: list[str] | None = None) -> int:
    """Rewrite the generated blocks, or with --check report those that are stale."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="change nothing; fail on a stale block"
    )
    args = parser.parse_args(argv)
    os.environ["COLUMNS"] = COLUMNS
    if args.check:
        found = list(stale(pages(), database=False))
        for _, diff in found:
            sys.stdout.write(diff)
        if found:
            names = ", ".join(name for name, _ in found)
            print(
                f"\nCommand outputs that pmf no longer prints: {names}. "
                "Run make docs and commit the result.",
                file=sys.stderr,
            )
        return 1 if found else 0
    with tempfile.TemporaryDirectory(prefix="pmf-docs-database-") as database:
        # A new database for the blocks that need one; settings read it when pmf starts.
        os.environ["DATABASE_URL"] = f"sqlite:///{database}/pmf.sqlite3"
        os.environ["PMF_CACHE_DIR"] = f"{database}/cache"
        os.environ["PMF_UPLOAD_DIR"] = f"{database}/uploads"
        for page in pages():
            new = rewrite(page, database=None)
            if comparable(new) != comparable(page.read_text(encoding="utf-8")):
                page.write_text(new, encoding="utf-8")
                print(f"Rewrote the generated outputs of {page.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
