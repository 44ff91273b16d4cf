"""Benchmark: the example force's full board paper as PDF, against a one-page PDF baseline.

Loads the police example (the Metropolitan Police Service, with its eight past cycles) into
a fresh SQLite database in a temporary folder (not timed), then times, several times over:

- **baseline**: WeasyPrint rendering a one-section document through the same renderer
  (what any PDF costs here: fonts, layout, writing);
- **board paper**: building cycle 8's paper from the database (its locked figures, grades,
  rationale, an SPC chart of each redline with vl-convert, the tube map) and rendering it
  to PDF.

It prints the median of each, the ratio, and whether the issue's aim (the
full paper in under 10 seconds on this machine) is met. Run it with ``make bench`` or::

    .venv/bin/python benchmarks/bench_paper.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

AIM_SECONDS = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (default 3)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pmf-bench-paper-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.chdir(folder)
    from pmf.web.setup import setup_django

    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from pmf.reports.document import Document, Paragraph, Section
    from pmf.reports.pdf import render_pdf
    from pmf.sources.examples import registry
    from pmf.web.cycles.models import Cycle
    from pmf.web.observations.services import load_example
    from pmf.web.papers.builders.board import board_paper

    started = time.perf_counter()
    load_example(registry()["police"])
    print(f"loaded the police example with its cycles in {time.perf_counter() - started:.1f} s")
    cycle = Cycle.objects.get(organisation__code="MPS", number=8)
    one_page = Document(
        "Baseline", "One section", "pmf", sections=(Section("1.0", "Text", (Paragraph("x"),)),)
    )
    render_pdf(one_page)  # warm up WeasyPrint's fonts once, as a running server would have
    baseline: list[float] = []
    paper: list[float] = []
    for _ in range(args.runs):
        started = time.perf_counter()
        render_pdf(one_page)
        baseline.append(time.perf_counter() - started)
        started = time.perf_counter()
        pdf = render_pdf(board_paper(cycle))
        paper.append(time.perf_counter() - started)
    base, full = statistics.median(baseline), statistics.median(paper)
    print(f"runs: {args.runs} of each, medians")
    print(f"baseline (one-page PDF)              {base:6.2f} s")
    print(f"board paper, cycle 8 of MPS (PDF)    {full:6.2f} s   ({len(pdf):,} bytes)")
    print(f"pages: {_pages(pdf)}")
    print(f"ratio: {full / base:.1f}x the one-page PDF")
    print(f"aim: under {AIM_SECONDS:.0f} s: {'met' if full < AIM_SECONDS else 'NOT met'}")
    return 0


def _pages(pdf: bytes) -> str:
    import subprocess

    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=False)
    for line in info.stdout.decode().splitlines():
        if line.startswith("Pages:"):
            return line.split()[1]
    return "unknown (pdfinfo: scripts/poppler.sh installs it)"


if __name__ == "__main__":
    sys.exit(main())
