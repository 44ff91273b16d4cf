"""Write the command outputs pasted in the docs from pmf itself, or check that they still match.

In a Markdown page under docs/ (or the README), a fenced block that follows the line

    <!-- generated -->

holds commands, each on a line starting ``$ ``, and what each printed. This script runs every
command again and writes its output (standard output and errors together, as a terminal shows
them) under it, so a help text or a message changed in the code changes the docs with it.
The generated blocks of a page run in order in one temporary folder, so a block may read the
files an earlier one wrote; ``<!-- generated in FOLDER -->`` first copies the files of FOLDER
(relative to the page) into it. ``pmf`` commands run in this process; any other command
(``head``, ``python3 script.py``) runs in bash, with ``PMF`` naming the repository. A fenced
block that follows

    <!-- file: PATH -->

holds the file at PATH (relative to the page), so a file the docs show is the file the
commands read.

pmf runs through its console entry point, with 80 columns so that help is wrapped the same on
every machine. Only commands that need no database belong in a
generated block (help, ``pmf framework check``, ``pmf stats``): this runs in ``make check``
and must stay quick. Outputs that need a database, take minutes or change on every run are
pasted by hand, and the guide says so.

    python scripts/docs_outputs.py           # rewrite the blocks (make docs)
    python scripts/docs_outputs.py --check   # fail with a diff when one is stale (make check)
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
from importlib.metadata import entry_points
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = "80"

MARK = re.compile(r"^<!-- (?:generated(?: in (?P<folder>\S+))?|file: (?P<file>\S+)) -->$")
FENCE = re.compile(r"^(```+|~~~+)")


def pages() -> list[Path]:
    """Return the Markdown pages that may hold generated blocks."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


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
    """Return the lines of a block: each command after ``$ ``, its output, a blank line."""
    lines: list[str] = []
    for command in commands:
        if lines and lines[-1] != "" and not lines[-1].startswith("$ "):
            lines.append("")
        lines.append(f"$ {command}")
        output = run(command)
        if output:
            lines.extend(output.split("\n"))
    return lines


def rewrite(page: Path) -> str:
    """Return the page's text with every generated block written afresh."""
    with tempfile.TemporaryDirectory(prefix="pmf-docs-") as folder, inside(Path(folder)):
        return _rewrite(page)


def _rewrite(page: Path) -> str:
    lines = page.read_text(encoding="utf-8").split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        out.append(line)
        index += 1
        mark = MARK.match(line)
        if mark is None:
            continue
        fence = FENCE.match(lines[index]) if index < len(lines) else None
        if fence is None:
            raise SystemExit(f"{page.relative_to(ROOT)}:{index}: a fenced block must follow {line}")
        end = next(
            (i for i in range(index + 1, len(lines)) if lines[i].startswith(fence.group(1))),
            None,
        )
        if end is None:
            raise SystemExit(f"{page.relative_to(ROOT)}:{index + 1}: the block is not closed")
        body = lines[index + 1 : end]
        if mark.group("file"):
            path = page.parent / mark.group("file")
            new = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
        else:
            if mark.group("folder"):
                shutil.copytree(page.parent / mark.group("folder"), Path.cwd(), dirs_exist_ok=True)
            new = generate([text[2:] for text in body if text.startswith("$ ")])
        out.extend([lines[index], *new, lines[end]])
        index = end + 1
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Rewrite the generated blocks, or with --check report those that are stale."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; fail on a diff")
    args = parser.parse_args(argv)
    os.environ["COLUMNS"] = COLUMNS
    stale = []
    for page in pages():
        old = page.read_text(encoding="utf-8")
        new = rewrite(page)
        if new == old:
            continue
        name = str(page.relative_to(ROOT))
        if args.check:
            stale.append(name)
            sys.stdout.writelines(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    f"{name} (in the docs)",
                    f"{name} (as pmf prints it now)",
                )
            )
        else:
            page.write_text(new, encoding="utf-8")
            print(f"Rewrote the generated outputs of {name}.")
    if stale:
        print(
            f"\n{len(stale)} page(s) show command outputs that pmf no longer prints: "
            f"{', '.join(stale)}. Run make docs and commit the result.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
