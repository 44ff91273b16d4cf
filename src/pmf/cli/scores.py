"""Scores on the command line: ``pmf score``, a unit's measures scored and weighted into areas.

The framework file's ``scoring:`` section says how (``docs/framework.md``, "Scoring");
``pmf.core.scoring`` computes, as it does for the unit's scores page.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pmf.cli import base
from pmf.cli.base import EXIT_OK, EXIT_USAGE, CommandError, add_organisation, register


def _score_arguments(parser: argparse.ArgumentParser) -> None:
    add_organisation(parser, required=False)
    parser.add_argument("--unit", required=True, help="unit code")
    parser.add_argument("--period", help="as at this period, e.g. 2025-11 (default: latest)")
    parser.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="write the scores to FILE.csv (a row a measure) or FILE.json instead of printing",
    )


@register(
    "score",
    "Print a unit's scores: each measure scored, weighted into areas and overall.",
    ("pmf score -o MPS --unit MPS --period 2025-11", "pmf score --unit CW --output scores.csv"),
    arguments=_score_arguments,
)
def score(args: argparse.Namespace) -> int:
    """Print or write a unit's scores with their weights and calculations."""
    from pmf.core.periods import ParseError, parse_period
    from pmf.web.scores.presenters import scores_page

    if args.output and args.output.suffix.lower() not in (".csv", ".json"):
        raise CommandError(f"--output: {args.output} must end in .csv or .json", EXIT_USAGE)
    organisation = base.organisation(args.organisation)
    try:
        period = parse_period(args.period) if args.period else None
    except ParseError as error:
        raise CommandError(f"--period: {error}", EXIT_USAGE) from None
    unit = organisation.units.filter(code=args.unit).first()
    if unit is None:
        raise CommandError(f"--unit: no unit {args.unit!r} in {organisation.code}", EXIT_USAGE)
    try:
        data = scores_page(organisation, unit, period=period)
    except LookupError as error:
        raise CommandError(str(error.args[0]), EXIT_USAGE) from None
    scores = data["scores"]
    if not scores["scored"]:
        raise CommandError(
            f"no measure of {unit.code} is scored: add a scoring: section to the framework "
            "file, or measures that apply to its type of unit (docs/framework.md, Scoring)"
        )
    if args.output:
        _write(data, args.output)
        count = sum(len(area["measures"]) for area in scores["areas"])
        print(f"Wrote the scores of {count} measures to {args.output}.")
        return EXIT_OK
    print(render(data))
    return EXIT_OK


def render(data: dict[str, Any]) -> str:
    """Return the scores as text: a line a measure, a line an area, the overall score."""
    scores = data["scores"]
    lines = [f"{data['unit']['name']}: {scores['scale_text']} ({data['as_at']})"]
    for area in scores["areas"]:
        lines.append("")
        lines.append(f"{area['name']}: {area['score_text']} = {area['calculation']}")
        for item in area["measures"]:
            lines.append(
                f"  {item['measure']}\t{item['period_label']}\t{item['value_text']}\t"
                f"weight {item['weight']:g}\t{item['score_text']}\t{item['thresholds']}\t"
                f"{item['calculation']}"
            )
    lines.append("")
    overall = "Average metric score" if scores["scale"] == "nof" else "Overall score"
    lines.append(f"{overall}: {scores['score_text']} = {scores['calculation']}")
    if scores["band"]:
        lines.append(f"Band: {scores['band']} ({scores['band_text']})")
    return "\n".join(lines)


def _write(data: dict[str, Any], path: Path) -> None:
    import csv
    import json

    from pmf.cli.faults import file_fault
    from pmf.sources.exporters import neutralise

    suffix = path.suffix.lower()
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            if suffix == ".json":
                json.dump(data, handle, ensure_ascii=False, indent=2)
                return
            writer = csv.writer(handle)
            columns = ("area", "area_score", "area_weight", "measure", "name", "period", "value")
            writer.writerow(
                (*columns, "weight", "thresholds", "score", "calculation", "overall_score")
            )
            scores = data["scores"]
            for area in scores["areas"]:
                for item in area["measures"]:
                    row = (
                        area["code"],
                        area["score"],
                        area["weight"],
                        item["measure"],
                        item["name"],
                        item["period"],
                        item["value"],
                        item["weight"],
                        item["thresholds"],
                        item["score"],
                        item["calculation"],
                        scores["score"],
                    )
                    writer.writerow([neutralise(cell) for cell in row])
    except OSError as error:
        raise CommandError(file_fault(error, path, doing="write")) from None
