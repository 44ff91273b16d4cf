"""``pmf stats spc --chart TYPE``: the points of any control chart type, as qicharts2 0.8 draws it.

Kept apart from :mod:`pmf.cli.stats`, which adds these options and calls :func:`chart`:
this module reads the chart's columns by role and shapes its output, and both calls run the
chart through :func:`pmf.cli.stats.chart_points`.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pmf.cli.base import EXIT_OK, EXIT_USAGE, CommandError

if TYPE_CHECKING:
    from pathlib import Path

    import polars as pl

CHART_COLUMNS = ("group", "date", "value", "centre", "lpl", "upl", "lpl_2sigma", "upl_2sigma")
MDC_COLUMNS = ("point_type",)
CHARTS = ("i", "mr", "run", "p", "pp", "u", "up", "c", "g", "t")


def chart_arguments(spc: argparse.ArgumentParser) -> None:
    """Add ``--chart``, ``--numerator``, ``--denominator`` and ``--rules`` to ``pmf stats spc``."""
    spc.add_argument(
        "--chart",
        choices=CHARTS,
        help="chart type, as qicharts2 names them: i (XmR), mr, run, p, pp (Laney p'), u, "
        "up (Laney u'), c, g, t; writes centre, 3- and 2-sigma limits per point",
    )
    spc.add_argument(
        "--numerator",
        metavar="COL",
        help="column of numerators (p, pp, u, up; a c chart may count from it)",
    )
    spc.add_argument(
        "--denominator",
        metavar="COL",
        help="column of denominators (p, pp, u, up): each above 0",
    )
    spc.add_argument(
        "--rules",
        choices=["mdc", "anhoej"],
        default="mdc",
        help="with --chart: mdc (Making Data Count, writes point_type; default) or anhoej "
        "(qicharts2's runs analysis and sigma signal)",
    )


def chart(args: argparse.Namespace) -> int:
    """Write the points of the ``--chart`` control chart of the series in a CSV file."""
    import polars as pl

    from pmf.cli.stats import chart_points, refuse_repeated_dates
    from pmf.core.spc import RATIO_CHARTS
    from pmf.sources import columns as tables

    kind = args.chart
    roles = _roles(args)
    table = tables.read(args.input)
    needed = [args.date, *roles.values()] + ([args.group] if args.group else [])
    needed += [args.rebase_column] if args.rebase_column else []
    frame = tables.require(table, args.input, needed)
    written = frame
    frame = frame.with_columns(tables.numbers(frame, args.input, c) for c in roles.values())
    event_numbers = kind in ("g", "t") and _whole_numbers(frame[args.date])
    if event_numbers:
        frame = frame.with_columns(pl.col(args.date).str.strip_chars().cast(pl.Int64))
    else:
        frame = frame.with_columns(tables.dates(frame, args.input, args.date))
    if args.group:
        frame = frame.with_columns(pl.col(args.group).fill_null(""))
    _refuse_values(frame, written, args, roles)
    refuse_repeated_dates(frame, written[args.date], args)
    points, options, rebased = chart_points(
        frame,
        args,
        value=roles.get("value", "value"),
        numerator=roles.get("numerator"),
        denominator=roles.get("denominator") if kind in RATIO_CHARTS else None,
    )
    _write_points(_shape(points, args.rules, dates=not event_numbers), args.output)
    if args.summary:
        from pmf.cli.stats import _shape_summary
        from pmf.core.spc import spc_summary

        _write_points(_shape_summary(spc_summary(points, options=options), rebased), args.summary)
    return EXIT_OK


def _roles(args: argparse.Namespace) -> dict[str, str]:
    """Return the value columns the chart reads, by role; refuse a wrong combination."""
    from pmf.core.spc import RATIO_CHARTS

    kind = args.chart
    if kind in RATIO_CHARTS:
        if args.value or not (args.numerator and args.denominator):
            raise CommandError(
                f"--chart {kind}: give --numerator COL and --denominator COL (not --value)",
                EXIT_USAGE,
            )
        return {"numerator": args.numerator, "denominator": args.denominator}
    if kind == "c" and args.numerator and not args.value and not args.denominator:
        return {"numerator": args.numerator}
    if not args.value or args.numerator or args.denominator:
        counts = " (or --numerator COL alone)" if kind == "c" else ""
        raise CommandError(
            f"--chart {kind}: give --value COL{counts}; --numerator and --denominator are for "
            "p, pp, u and up charts",
            EXIT_USAGE,
        )
    return {"value": args.value}


def _whole_numbers(texts: pl.Series) -> bool:
    """Say whether every cell is a whole number (an event number rather than a date)."""
    import polars as pl

    stripped = texts.str.strip_chars()
    parsed = stripped.cast(pl.Int64, strict=False)
    # Six digits or more may be a period (201907): those are read as dates.
    short = stripped.str.len_chars() < 6
    return bool(texts.len()) and bool((parsed.is_not_null() & short.fill_null(False)).all())


def _refuse_values(
    frame: pl.DataFrame, written: pl.DataFrame, args: argparse.Namespace, roles: dict[str, str]
) -> None:
    """Refuse the first row whose value the chart cannot take, naming file, row and column."""
    import polars as pl

    from pmf.sources import columns as tables

    kind = args.chart
    counted = roles.get("numerator") or roles.get("value")
    assert counted is not None
    if "denominator" in roles:
        tables.refuse_rows(
            frame,
            written,
            args.input,
            pl.col(roles["denominator"]) <= 0,
            roles["denominator"],
            "the denominator must be above 0",
        )
    if kind in ("p", "pp", "u", "up", "c", "g"):
        tables.refuse_rows(
            frame,
            written,
            args.input,
            pl.col(counted) < 0,
            counted,
            f"a {kind} chart cannot take a negative number",
        )
    if kind in ("p", "pp"):
        tables.refuse_rows(
            frame,
            written,
            args.input,
            pl.col(counted) > pl.col(roles["denominator"]),
            counted,
            f"the numerator is above its denominator ({roles['denominator']!r}): "
            "a proportion cannot be above 1",
        )
    if kind == "t":
        tables.refuse_rows(
            frame,
            written,
            args.input,
            pl.col(counted) <= 0,
            counted,
            "a time between events must be above 0",
        )


def _shape(points: pl.DataFrame, rules: str, *, dates: bool) -> pl.DataFrame:
    """Select and name the output columns: the chart's lines, then the rules' columns."""
    import polars as pl

    from pmf.core.spc import ANHOEJ_COLUMNS

    return points.select(
        pl.col("group").cast(pl.String),
        pl.col("date").dt.strftime("%Y-%m-%d") if dates else pl.col("date").cast(pl.String),
        "value",
        pl.col("mean").alias("centre"),
        "lpl",
        "upl",
        "lpl_2sigma",
        "upl_2sigma",
        *(MDC_COLUMNS if rules == "mdc" else ANHOEJ_COLUMNS),
    )


def _write_points(frame: pl.DataFrame, path: Path) -> None:
    """Write the points as the XmR call does (text neutralised against spreadsheet formulas)."""
    from pmf.cli.stats import _write

    _write(frame, path)
