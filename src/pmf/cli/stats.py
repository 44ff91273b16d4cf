"""The statistics toolbox on the command line: SPC, funnel significance, intervals.

Analysts script against these commands, so their options and output columns are
a fixed interface (issue 3): change them only with a new option, never in place.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from pmf.cli.base import EXIT_OK, EXIT_USAGE, CommandError, Needs, actions, command, register

if TYPE_CHECKING:
    import polars as pl

    from pmf.cli.base import SubParsers
    from pmf.core.spc import SpcOptions

POINT_COLUMNS = ("group", "date", "value", "mean", "lpl", "upl", "point_type")
SUMMARY_COLUMNS = ("group", "n", "mean", "lpl", "upl", "variation_type", "assurance_type")


def _stats_arguments(stats: argparse.ArgumentParser) -> None:
    tools = actions(stats, dest="tool")
    spc = command(
        tools,
        "spc",
        "XmR chart points and summary, as NHSRplotthedots computes them.",
        (
            "pmf stats spc ae.csv --value pct --date month --group org --improvement increase "
            "--target 95 --output points.csv --summary summary.csv",
            "pmf stats spc ae.csv --value pct --date month --rebase 2021-04 --output points.csv",
            "pmf stats spc crimes.csv --chart p --numerator solved --denominator recorded "
            "--date month --group force --rules anhoej --output points.csv",
        ),
    )
    spc.add_argument("input", type=Path, metavar="INPUT.csv")
    spc.add_argument("--value", metavar="COL", help="column of values (not for p, pp, u, up)")
    spc.add_argument("--date", required=True, metavar="COL", help="column of dates or periods")
    spc.add_argument("--group", metavar="COL", help="column naming each series (optional)")
    spc.add_argument(
        "--improvement",
        choices=["increase", "decrease", "neutral"],
        default="increase",
        help="which direction is better (default: increase, as NHSRplotthedots)",
    )
    spc.add_argument("--target", type=float, metavar="X", help="target for the assurance type")
    spc.add_argument(
        "--no-screen-outliers",
        action="store_true",
        help="keep large moving ranges (reproduces the Making Data Count Excel tool)",
    )
    spc.add_argument(
        "--fix-after",
        type=int,
        metavar="N",
        help="compute the mean and limits from the first N points only",
    )
    spc.add_argument(
        "--rebase",
        nargs="+",
        metavar="DATE",
        help="dates (or periods) where a new baseline starts in every series: each baseline "
        "has its own mean and limits, as NHSRplotthedots' rebase",
    )
    spc.add_argument(
        "--rebase-column",
        metavar="COL",
        help="column that is true (or 1) at the first point of a new baseline, per row",
    )
    spc.add_argument("--output", required=True, type=Path, metavar="POINTS.csv")
    spc.add_argument("--summary", type=Path, metavar="SUMMARY.csv")
    _chart_arguments(spc)

    funnel = command(
        tools,
        "funnel",
        "Funnel-plot significance, as PHEindicatormethods assigns it, and limits per unit.",
        (
            "pmf stats funnel trusts.csv --numerator seen --denominator attendances "
            "--statistic proportion --output funnel.csv",
            "pmf stats funnel trusts.csv --numerator seen --denominator attendances "
            "--statistic proportion --multiplier 100 --overdispersion shmi --output funnel.csv "
            "--summary dispersion.csv",
        ),
    )
    funnel.add_argument("input", type=Path, metavar="INPUT.csv")
    funnel.add_argument("--numerator", required=True, metavar="COL")
    funnel.add_argument("--denominator", required=True, metavar="COL")
    funnel.add_argument("--statistic", required=True, choices=["proportion", "rate", "ratio"])
    funnel.add_argument(
        "--multiplier",
        type=float,
        default=1.0,
        metavar="N",
        help="scale of the statistic, e.g. 100 or 100000 (default 1)",
    )
    funnel.add_argument("--output", required=True, type=Path, metavar="OUT.csv")
    _funnel_overdispersion_arguments(funnel)

    interval = command(
        tools,
        "interval",
        "A confidence interval (Wilson for proportions, Byar for counts and rates).",
        "pmf stats interval --method byar --numerator 12 --denominator 10000",
    )
    interval.add_argument("--method", required=True, choices=["wilson", "byar"])
    interval.add_argument("--numerator", required=True, type=float, metavar="N")
    interval.add_argument("--denominator", type=float, metavar="D")
    interval.add_argument(
        "--confidence",
        type=float,
        default=0.95,
        metavar="LEVEL",
        help="confidence level between 0 and 1 (default 0.95)",
    )
    _standardised_arguments(tools)


def _standardised_arguments(tools: SubParsers) -> None:
    """Add ``pmf stats dsr`` and ``pmf stats isr``: age-standardised rates and ratios."""
    dsr = command(
        tools,
        "dsr",
        "Directly standardised rates, as PHEindicatormethods' calculate_dsr.",
        (
            "pmf stats dsr deaths.csv --numerator deaths --denominator population "
            "--age-band age --group area --output dsr.csv",
            "pmf stats dsr deaths.csv --numerator deaths --denominator population "
            "--age-band age --group area --group year --confidence 0.95 0.998 --output dsr.csv",
        ),
    )
    dsr.add_argument("input", type=Path, metavar="INPUT.csv")
    dsr.add_argument(
        "--numerator", required=True, metavar="COL", help="column of events in each age band"
    )
    dsr.add_argument(
        "--denominator", required=True, metavar="COL", help="column of people in each age band"
    )
    dsr.add_argument(
        "--age-band",
        required=True,
        metavar="COL",
        help="column of age bands: 0-4, 5-9 ... 85-89, 90+ (every group has each once)",
    )
    _group_argument(dsr)
    standard = dsr.add_mutually_exclusive_group()
    standard.add_argument(
        "--standard",
        choices=["esp2013"],
        default="esp2013",
        help="standard population: the 2013 European Standard Population in 19 bands (the default)",
    )
    standard.add_argument(
        "--standard-column",
        metavar="COL",
        help="column of a standard population of your own, per row, instead",
    )
    dsr.add_argument(
        "--multiplier",
        type=float,
        default=100_000.0,
        metavar="N",
        help="rate per N people (default 100000)",
    )
    _confidence_argument(dsr)
    dsr.add_argument(
        "--event-frequency",
        metavar="COL",
        help="events are not independent (one person can have several): each row counts the "
        "people with COL events in its band, and the intervals are widened to allow for it",
    )
    dsr.add_argument("--output", required=True, type=Path, metavar="OUT.csv")

    isr = command(
        tools,
        "isr",
        "Indirectly standardised ratios, as PHEindicatormethods' calculate_ISRatio.",
        (
            "pmf stats isr deaths.csv --observed deaths --denominator population --age-band age "
            "--group area --reference england.csv --reference-count deaths "
            "--reference-population population --output smr.csv",
            "pmf stats isr deaths.csv --observed deaths --denominator population --age-band age "
            "--group area --reference-count eng_deaths --reference-population eng_population "
            "--statistic rate --output isr.csv",
        ),
    )
    isr.add_argument("input", type=Path, metavar="INPUT.csv")
    isr.add_argument(
        "--observed",
        required=True,
        metavar="COL",
        help="column of observed events in each age band (in TOTALS.csv with --observed-totals)",
    )
    isr.add_argument(
        "--denominator", required=True, metavar="COL", help="column of people in each age band"
    )
    isr.add_argument(
        "--age-band", required=True, metavar="COL", help="column of age bands (any labels)"
    )
    _group_argument(isr)
    isr.add_argument(
        "--reference-count",
        required=True,
        metavar="COL",
        help="column of the reference population's events in each age band",
    )
    isr.add_argument(
        "--reference-population",
        required=True,
        metavar="COL",
        help="column of the reference population's people in each age band",
    )
    isr.add_argument(
        "--reference",
        type=Path,
        metavar="REFERENCE.csv",
        help="file with the reference columns and the --age-band column, one row per band; "
        "without it the reference columns are in INPUT.csv",
    )
    isr.add_argument(
        "--observed-totals",
        type=Path,
        metavar="TOTALS.csv",
        help="file of each group's observed events in all (the --group columns and --observed), "
        "when INPUT.csv has none by age band",
    )
    isr.add_argument(
        "--statistic",
        choices=["ratio", "rate"],
        default="ratio",
        help="ratio: observed / expected (default); rate: the ratio times the reference "
        "population's crude rate",
    )
    isr.add_argument(
        "--multiplier",
        type=float,
        metavar="N",
        help="ratio: times N (default 1; 100 for a ratio of 100); rate: per N (default 100000)",
    )
    _confidence_argument(isr)
    isr.add_argument("--output", required=True, type=Path, metavar="OUT.csv")


def _group_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="COL",
        help="column naming the group of each rate (an area, a year); repeat for several",
    )


def _confidence_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--confidence",
        type=float,
        nargs="+",
        default=[0.95],
        metavar="LEVEL",
        help="confidence level: 0.95 (default), 0.998, or both as 0.95 0.998",
    )


@register(
    "stats",
    "Statistics toolbox: SPC charts, funnel significance, intervals.",
    "pmf stats interval --method wilson --numerator 45 --denominator 60",
    arguments=_stats_arguments,
    description="Statistics toolbox: SPC charts, funnel significance, confidence intervals.",
    needs=Needs.NOTHING,
)
def stats(args: argparse.Namespace) -> int:
    """Run the chosen statistics tool: ``pmf stats spc``, ``funnel`` or ``interval``."""
    if args.tool == "interval":
        # Numbers on the command line, no file: neither Polars nor the readers are needed.
        return interval(args)
    from pmf.sources.columns import ColumnRefused
    from pmf.sources.readers import ReadError

    try:
        if args.tool == "spc":
            return spc(args)
        if args.tool in ("dsr", "isr"):
            return standardised(args)
        return funnel(args)
    except (ColumnRefused, ReadError) as refused:
        raise CommandError(str(refused)) from None


def _chart_arguments(spc: argparse.ArgumentParser) -> None:
    from pmf.cli.spc_charts import chart_arguments

    chart_arguments(spc)


def spc(args: argparse.Namespace) -> int:
    """Write SPC points (and a summary) for the series in a CSV file."""
    if args.chart is not None:
        from pmf.cli.spc_charts import chart

        return chart(args)
    if args.value is None or args.numerator is not None or args.denominator is not None:
        raise CommandError(
            "pmf stats spc: --value COL is required (--numerator and --denominator need --chart)",
            EXIT_USAGE,
        )
    import polars as pl

    from pmf.core.spc import SpcInputError, spc_summary
    from pmf.sources import columns as tables

    table = tables.read(args.input)
    columns = [args.value, args.date] + ([args.group] if args.group else [])
    columns += [args.rebase_column] if args.rebase_column else []
    frame = tables.require(table, args.input, columns)
    written = frame[args.date]
    frame = frame.with_columns(
        tables.numbers(frame, args.input, args.value),
        tables.dates(frame, args.input, args.date),
    )
    if args.group:
        frame = frame.with_columns(pl.col(args.group).fill_null(""))
    refuse_repeated_dates(frame, written, args)
    points, options, rebased = chart_points(frame, args, value=args.value)
    try:
        summary = spc_summary(points, options=options)
    except SpcInputError as error:
        raise CommandError(f"{args.input}: {error}") from None
    _write(_shape_points(points, rebased), args.output)
    if args.summary:
        _write(_shape_summary(summary, rebased), args.summary)
    return EXIT_OK


def refuse_repeated_dates(
    frame: pl.DataFrame, written: pl.Series, args: argparse.Namespace
) -> None:
    """Refuse a date that appears twice in one series, naming its row as ``written`` has it."""
    import polars as pl

    from pmf.sources.readers import ROW_NUMBER

    # Each (series, date) as one whole number: counting the distinct ones is a single pass,
    # where a window over the keys took longer than the SPC itself.
    day = pl.col(args.date).to_physical().cast(pl.Int64)
    key = day - day.min()
    if args.group:
        series = pl.col(args.group).cast(pl.Categorical).to_physical().cast(pl.Int64)
        key = series * (key.max() + 1) + key
    if frame.select(key.n_unique()).item() < frame.height:
        repeated = frame.filter(~key.is_first_distinct())
        first = repeated.sort(ROW_NUMBER).row(0, named=True)
        where = f" in group {first[args.group]!r}" if args.group else ""
        shown = written[first[ROW_NUMBER] - 2]
        raise CommandError(
            f"{args.input}: row {first[ROW_NUMBER]}, column {args.date!r}: the date "
            f"{shown} appears more than once{where}; each series needs one value "
            "per date (give --group COL if the file holds several series)"
        )


def chart_points(
    frame: pl.DataFrame,
    args: argparse.Namespace,
    *,
    value: str,
    numerator: str | None = None,
    denominator: str | None = None,
) -> tuple[pl.DataFrame, SpcOptions, bool]:
    """Return the chart's points for the checked ``frame``, its options, and whether rebased.

    The chart is ``args.chart`` (an XmR chart without one) under ``args.rules``; takes the
    target and rebases from ``args``, refuses ``--fix-after`` below 2, names the file in the
    SPC's own refusals, and notes trial limits on standard error.
    """
    import polars as pl

    from pmf.core.spc import SpcInputError, SpcOptions, SpcTrialLimitsWarning, spc_points
    from pmf.core.text import plural
    from pmf.sources.readers import ROW_NUMBER

    if args.fix_after is not None and args.fix_after < 2:
        raise CommandError("--fix-after: N must be at least 2", EXIT_USAGE)
    options = SpcOptions(
        improvement=args.improvement,
        screen_outliers=not args.no_screen_outliers,
        fix_after_n_points=args.fix_after,
        chart=args.chart or "i",
        # Without --chart the XmR call is as it always was: Making Data Count rules.
        rules=args.rules if args.chart else "mdc",
    )
    if args.target is not None:
        frame = frame.with_columns(pl.lit(args.target).alias("__target__"))
    rebased = bool(args.rebase or args.rebase_column)
    if rebased:
        frame = frame.with_columns(_rebases(frame, args).alias("__rebase__"))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SpcTrialLimitsWarning)
            points = spc_points(
                frame.drop(ROW_NUMBER),
                value=value,
                numerator=numerator,
                denominator=denominator,
                date=args.date,
                group=args.group,
                target="__target__" if args.target is not None else None,
                rebase="__rebase__" if rebased else None,
                options=options,
            )
    except SpcInputError as error:
        raise CommandError(f"{args.input}: {error}") from None
    if any(issubclass(warning.category, SpcTrialLimitsWarning) for warning in caught):
        short = points.filter(pl.col("trial_limits"))["group"].unique().len()
        print(
            f"Note: {plural(short, 'series', 'series')} {'has' if short == 1 else 'have'} fewer "
            f"than {options.minimum_points} points: {'its' if short == 1 else 'their'} limits "
            "are trial limits.",
            file=sys.stderr,
        )
    return points, options, rebased


def _rebases(frame: pl.DataFrame, args: argparse.Namespace) -> pl.Series:
    """Return, per row, whether a new baseline starts there (from --rebase and --rebase-column).

    Raise ``CommandError`` for a date that is not in a series, a date on a series' first
    point, or a column value that is not true or false.
    """
    import polars as pl

    from pmf.core.periods import ParseError, parse_period
    from pmf.sources.readers import ROW_NUMBER

    flags = pl.Series("__rebase__", [False] * frame.height, dtype=pl.Boolean)
    if args.rebase_column:
        words = frame[args.rebase_column].str.strip_chars().str.to_lowercase().fill_null("")
        truth = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
        bad = frame.filter(~words.is_in([*truth, ""]))
        if bad.height:
            raise CommandError(
                f"{args.input}: row {bad[ROW_NUMBER][0]}, column {args.rebase_column!r}, value "
                f"{bad[args.rebase_column][0]!r}: is not true or false (use true/false or 1/0)"
            )
        flags = words.replace_strict({**truth, "": False}, return_dtype=pl.Boolean)
    groups = frame[args.group] if args.group else pl.Series([""] * frame.height)
    for text in args.rebase or []:
        try:
            day = dt.date.fromisoformat(text.strip())
        except ValueError:
            try:
                day = parse_period(text).start
            except ParseError:
                raise CommandError(
                    f"--rebase {text!r}: is not a date; use YYYY-MM-DD or a period such as 2019-07",
                    EXIT_USAGE,
                ) from None
        here = frame[args.date] == day
        missing = sorted(set(groups.to_list()) - set(groups.filter(here).to_list()))
        if missing:
            where = f" of series {missing[0]!r}" if args.group else ""
            raise CommandError(
                f"--rebase {text}: no row{where} has the date {day.isoformat()} in column "
                f"{args.date!r}; a rebase must be one of the series' dates"
            )
        flags = flags | here
    first = pl.DataFrame({"g": groups, "d": frame[args.date], "f": flags}).with_columns(
        (pl.col("d") == pl.col("d").min().over("g")).alias("first")
    )
    on_first = first.filter(pl.col("first") & pl.col("f"))
    if on_first.height:
        series = f" of series {on_first['g'][0]!r}" if args.group else ""
        raise CommandError(
            f"{args.input}: a rebase is on the first date{series} "
            f"({on_first['d'][0].isoformat()}): a new baseline needs earlier points to end"
        )
    return flags


def _shape_points(points: pl.DataFrame, rebased: bool = False) -> pl.DataFrame:
    import polars as pl

    return points.select(
        pl.col("group").cast(pl.String),
        pl.col("date").dt.strftime("%Y-%m-%d"),
        *POINT_COLUMNS[2:],
        # A new column only with the new options: scripts reading the old ones still work.
        *(["rebase_group"] if rebased else []),
    )


def _shape_summary(summary: pl.DataFrame, rebased: bool = False) -> pl.DataFrame:
    import polars as pl

    return summary.select(
        pl.col("group").cast(pl.String),
        *SUMMARY_COLUMNS[1:],
        *(["rebase_group"] if rebased else []),
    )


def funnel(args: argparse.Namespace) -> int:
    """Write the input rows with their funnel-plot significance."""
    import polars as pl

    from pmf.core.funnel import FunnelInputError, funnel_significance
    from pmf.sources import columns as tables
    from pmf.sources.readers import ROW_NUMBER

    table = tables.read(args.input)
    frame = tables.require(table, args.input, [args.numerator, args.denominator])
    numbers = frame.with_columns(
        tables.numbers(frame, args.input, args.numerator),
        tables.numbers(frame, args.input, args.denominator),
    )
    tables.refuse_rows(
        numbers,
        table,
        args.input,
        pl.col(args.denominator) == 0,
        args.denominator,
        "the denominator is 0",
    )
    for column in (args.numerator, args.denominator):
        tables.refuse_rows(
            numbers, table, args.input, pl.col(column) < 0, column, "must not be negative"
        )
    if args.statistic == "proportion":
        tables.refuse_rows(
            numbers,
            table,
            args.input,
            pl.col(args.numerator) > pl.col(args.denominator),
            args.numerator,
            "a proportion's numerator must not exceed its denominator",
        )
    try:
        result = funnel_significance(
            numbers.drop(ROW_NUMBER),
            numerator=args.numerator,
            denominator=args.denominator,
            statistic=args.statistic,
            multiplier=args.multiplier,
        )
    except FunnelInputError as error:
        raise CommandError(f"{args.input}: {error}") from None
    # The input's own columns, as written, plus the verdict.
    original = table.drop(ROW_NUMBER)
    if args.overdispersion is not None or args.summary is not None:
        return _funnel_limits(args, numbers, original.with_columns(result["significance"]))
    _write(original.with_columns(result["significance"]), args.output)
    return EXIT_OK


def _funnel_overdispersion_arguments(funnel: argparse.ArgumentParser) -> None:
    """Add the options of funnel limits per unit, widened for overdispersion (issue 18)."""
    funnel.add_argument(
        "--overdispersion",
        choices=["none", "shmi", "cqc"],
        help="add each unit's value, 95 %% and 99.8 %% limits and outlier flags, the limits "
        "widened for overdispersion as FunnelPlotR does: shmi (10 %% of z-scores truncated at "
        "each end), cqc (winsorised) or none (exact limits); default none with --summary",
    )
    funnel.add_argument(
        "--summary",
        type=Path,
        metavar="SUMMARY.csv",
        help="write one row: phi, tau2, target, overdispersion, adjusted (phi and tau2 are "
        "empty with --overdispersion none)",
    )


def _funnel_limits(args: argparse.Namespace, numbers: pl.DataFrame, written: pl.DataFrame) -> int:
    """Write the rows with their limits and outlier flags (and the summary) for --overdispersion."""
    import polars as pl

    from pmf.core.funnel import FunnelInputError
    from pmf.core.overdispersion import (
        UNIT_COLUMNS,
        UnitInputError,
        significance_from_limits,
        unit_limits,
    )
    from pmf.sources.readers import ROW_NUMBER

    try:
        limits, dispersion = unit_limits(
            numbers.drop(ROW_NUMBER),
            numerator=args.numerator,
            denominator=args.denominator,
            statistic=args.statistic,
            overdispersion=args.overdispersion or "none",
            multiplier=args.multiplier,
        )
    except UnitInputError as error:
        row = numbers[ROW_NUMBER][error.row]
        value = written[error.column][error.row]
        raise CommandError(
            f"{args.input}: row {row}, column {error.column!r}, value {value!r}: {error.problem}"
        ) from None
    except FunnelInputError as error:
        raise CommandError(f"{args.input}: {error}") from None
    if dispersion.adjusted:
        # The verdict follows the widened limits written beside it, as on the web page.
        written = written.with_columns(significance_from_limits(limits))
    _write(written.with_columns(limits.select(UNIT_COLUMNS)), args.output)
    if args.summary is not None:
        summary = pl.DataFrame(
            {
                "phi": [dispersion.phi],
                "tau2": [dispersion.tau2],
                "target": [dispersion.target],
                "overdispersion": [dispersion.method],
                "adjusted": [dispersion.adjusted],
            },
            schema={
                "phi": pl.Float64,
                "tau2": pl.Float64,
                "target": pl.Float64,
                "overdispersion": pl.String,
                "adjusted": pl.Boolean,
            },
        )
        _write(summary, args.summary)
    return EXIT_OK


def interval(args: argparse.Namespace) -> int:
    """Print a confidence interval as one CSV line: lower,upper."""
    from pmf.core.intervals import IntervalInputError, byar, byar_rate, wilson

    try:
        if args.method == "wilson":
            if args.denominator is None:
                raise CommandError("--method wilson needs --denominator", EXIT_USAGE)
            lower, upper = wilson(args.numerator, args.denominator, args.confidence)
        elif args.denominator is None:
            lower, upper = byar(args.numerator, args.confidence)
        else:
            lower, upper = byar_rate(args.numerator, args.denominator, 1.0, args.confidence)
    except IntervalInputError as error:
        raise CommandError(str(error), EXIT_USAGE) from None
    print(f"{_number(float(lower))},{_number(float(upper))}")
    return EXIT_OK


def standardised(args: argparse.Namespace) -> int:
    """Write one standardised rate (``dsr``) or ratio (``isr``) per group of age-band rows."""
    import polars as pl

    from pmf.core.standardised import (
        StandardisedInputError,
        check_bands,
        confidence_levels,
        dsr,
        isr,
    )
    from pmf.core.standardised import standard_population as weights
    from pmf.sources import columns as tables
    from pmf.sources.readers import ROW_NUMBER

    is_dsr = args.tool == "dsr"
    # The options are checked before the file is read: a wrong command is a usage error.
    try:
        confidence_levels(args.confidence)
    except StandardisedInputError as error:
        raise CommandError(f"--confidence: {error}", EXIT_USAGE) from None
    if args.multiplier is not None and not (math.isfinite(args.multiplier) and args.multiplier > 0):
        raise CommandError(
            f"--multiplier: must be more than 0, not {args.multiplier:g}", EXIT_USAGE
        )
    table = tables.read(args.input)
    groups: list[str] = args.group
    if is_dsr:
        counts = [args.numerator, args.denominator]
        counts += [args.standard_column] if args.standard_column else []
        counts += [args.event_frequency] if args.event_frequency else []
    else:
        counts = [args.denominator]
        counts += [] if args.observed_totals else [args.observed]
        counts += [] if args.reference else [args.reference_count, args.reference_population]
    frame = tables.require(table, args.input, [*counts, args.age_band, *groups])
    # An empty count is no events, as PHEindicatormethods reads NA; so is an empty population
    # of an ISR (no expected events), where a DSR's is refused, as the package does.
    events = [args.numerator] if is_dsr else [args.observed, args.reference_count, args.denominator]
    frame = frame.with_columns(pl.col(c).fill_null("0") for c in set(events) & set(counts))
    frame = frame.with_columns(
        *(tables.numbers(frame, args.input, column) for column in counts),
        *(pl.col(column).fill_null("") for column in [args.age_band, *groups]),
    )
    count = args.numerator if is_dsr else args.observed
    for column in counts:
        tables.refuse_rows(
            frame, table, args.input, pl.col(column) < 0, column, "must not be negative"
        )
    if is_dsr:
        tables.refuse_rows(
            frame,
            table,
            args.input,
            pl.col(args.denominator) == 0,
            args.denominator,
            "the population is 0; a rate needs people in every age band",
        )
    try:
        try:
            # With event frequencies each band has a row per frequency: each is a group.
            by = [*groups, args.event_frequency] if is_dsr and args.event_frequency else groups
            if is_dsr and not args.standard_column:
                frame = frame.with_columns(
                    weights(frame, age_band=args.age_band, group=by, standard=args.standard)
                )
            else:
                check_bands(frame, age_band=args.age_band, group=by)
        except StandardisedInputError as error:
            raise _refused(error, frame, table, args.input) from None
        if not is_dsr and args.reference:
            frame = _with_reference(frame, table, args)
        totals = _observed_totals(args, groups) if not is_dsr and args.observed_totals else None
        try:
            if is_dsr:
                result = dsr(
                    frame.drop(ROW_NUMBER),
                    count=count,
                    population=args.denominator,
                    standard=args.standard_column or "standard_population",
                    group=groups,
                    multiplier=args.multiplier,
                    confidence=args.confidence,
                    event_frequency=args.event_frequency,
                    age_band=args.age_band if args.event_frequency else None,
                )
            else:
                result = isr(
                    frame.drop(ROW_NUMBER),
                    count=None if totals is not None else count,
                    population=args.denominator,
                    reference_count=REFERENCE_COUNT if args.reference else args.reference_count,
                    reference_population=(
                        REFERENCE_POPULATION if args.reference else args.reference_population
                    ),
                    group=groups,
                    statistic=args.statistic,
                    multiplier=args.multiplier,
                    confidence=args.confidence,
                    observed_totals=totals,
                    observed=count,
                )
        except StandardisedInputError as error:
            raise _refused(error, frame, table, args.input) from None
    except StandardisedInputError as error:
        raise CommandError(f"{args.input}: {error}") from None
    # Counts of events and people written as counts: 895, not 895.0.
    whole = [
        column
        for column in ("total_count", "total_pop", "observed")
        if column in result.columns and (result[column] % 1 == 0).all()
    ]
    _write(result.with_columns(pl.col(whole).cast(pl.Int64)), args.output)
    return EXIT_OK


def _refused(
    error: Exception, frame: pl.DataFrame, table: pl.DataFrame, path: Path
) -> CommandError:
    """Turn a core refusal into a message naming the file, its row and column, as written."""
    from pmf.core.standardised import StandardisedInputError
    from pmf.sources.readers import ROW_NUMBER

    assert isinstance(error, StandardisedInputError)
    if error.index is None or error.column is None or error.column not in table.columns:
        return CommandError(f"{path}: {error}")
    row = int(frame[ROW_NUMBER][error.index])
    written = table[error.column][row - 2]
    shown = "(empty)" if written is None else repr(written)
    reason = str(error).split(": ", 1)[-1]
    return CommandError(f"{path}: row {row}, column {error.column!r}, value {shown}: {reason}")


def _with_reference(
    frame: pl.DataFrame, table: pl.DataFrame, args: argparse.Namespace
) -> pl.DataFrame:
    """Join the reference file's events and people to each row by its age band."""
    import polars as pl

    from pmf.sources import columns as tables
    from pmf.sources.readers import ROW_NUMBER

    path: Path = args.reference
    written = tables.read(path)
    reference = tables.require(
        written, path, [args.age_band, args.reference_count, args.reference_population]
    )
    reference = reference.select(
        ROW_NUMBER,
        pl.col(args.age_band).fill_null(""),
        tables.numbers(reference, path, args.reference_count),
        tables.numbers(reference, path, args.reference_population),
    )
    for column in (args.reference_count, args.reference_population):
        tables.refuse_rows(
            reference, written, path, pl.col(column) < 0, column, "must not be negative"
        )
    tables.refuse_rows(
        reference,
        written,
        path,
        pl.col(args.reference_population) == 0,
        args.reference_population,
        "the reference population is 0; a reference rate needs people in every age band",
    )
    tables.refuse_rows(
        reference,
        written,
        path,
        pl.col(args.age_band).is_duplicated() & ~pl.col(args.age_band).is_first_distinct(),
        args.age_band,
        "the age band appears more than once; give each band once",
    )
    tables.refuse_rows(
        frame,
        table,
        args.input,
        ~pl.col(args.age_band).is_in(reference[args.age_band].implode()),
        args.age_band,
        f"the age band is not in {path}",
    )
    # The reference's columns under names of their own: they may be named like the input's.
    reference = reference.select(
        args.age_band,
        pl.col(args.reference_count).alias(REFERENCE_COUNT),
        pl.col(args.reference_population).alias(REFERENCE_POPULATION),
    )
    joined = frame.join(reference, on=args.age_band, how="left", maintain_order="left")
    from pmf.core.standardised import check_bands

    check_bands(
        joined, age_band=args.age_band, group=args.group, bands=reference[args.age_band].to_list()
    )
    return joined


REFERENCE_COUNT = "__reference_count__"
REFERENCE_POPULATION = "__reference_population__"


def _observed_totals(args: argparse.Namespace, groups: list[str]) -> pl.DataFrame:
    """Read each group's observed events from ``--observed-totals``, checked."""
    import polars as pl

    from pmf.sources import columns as tables
    from pmf.sources.readers import ROW_NUMBER

    path: Path = args.observed_totals
    if not groups:
        raise CommandError("--observed-totals needs --group COL to join the totals on", EXIT_USAGE)
    written = tables.read(path)
    totals = tables.require(written, path, [*groups, args.observed])
    totals = totals.with_columns(
        tables.numbers(totals, path, args.observed), *(pl.col(g).fill_null("") for g in groups)
    )
    tables.refuse_rows(
        totals, written, path, pl.col(args.observed) < 0, args.observed, "must not be negative"
    )
    tables.refuse_rows(
        totals,
        written,
        path,
        pl.struct(groups).is_duplicated() & ~pl.struct(groups).is_first_distinct(),
        groups[0],
        "this group appears more than once; give each group's total once",
    )
    return totals.drop(ROW_NUMBER)


def _number(value: float) -> str:
    # repr is the shortest text that reads back as the same float: nothing is lost.
    return repr(value) if math.isfinite(value) else ""


def _write(frame: pl.DataFrame, path: Path) -> None:
    import polars as pl

    from pmf.core.text import plural
    from pmf.sources.exporters import neutralise_column

    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    safe = frame.with_columns(neutralise_column(frame[name]) for name in text_columns)
    try:
        safe.write_csv(path)
    except OSError as error:
        from pmf.cli.faults import file_fault

        raise CommandError(file_fault(error, path, doing="write", outcome="")) from None
    print(f"Wrote {plural(frame.height, 'row')} to {path}.")
