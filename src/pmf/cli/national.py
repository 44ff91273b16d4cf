"""National comparator data on the command line: ``pmf national fetch|import``.

``fetch`` writes a national source's figures as a tidy CSV (area_code, area_name, period,
indicator, value, numerator, denominator, source) that people can read and check;
``import`` maps its indicators to measures and stores it through the ordinary import.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pmf.cli import base
from pmf.cli.base import (
    EXIT_OK,
    CommandError,
    Needs,
    actions,
    add_organisation,
    command,
    open_database,
    register,
)


def _national_arguments(national: argparse.ArgumentParser) -> None:
    group = actions(national)
    fetch = command(
        group,
        "fetch",
        "Fetch figures from OHID Fingertips or LG Inform and write them as a tidy CSV.",
        "pmf national fetch --source lginform --metric-type 6985 --area E08000009 "
        "--area E92000001 --out recycling.csv",
    )
    fetch.add_argument(
        "--source", required=True, choices=["fingertips", "lginform"], help="the national API"
    )
    fetch.add_argument(
        "--out", required=True, type=Path, metavar="FILE", help="the tidy CSV file to write"
    )
    fetch.add_argument(
        "--indicator",
        type=int,
        action="append",
        metavar="ID",
        help="Fingertips: an indicator ID (repeatable)",
    )
    fetch.add_argument(
        "--area-type", type=int, metavar="ID", help="Fingertips: the areas' type ID, e.g. 502"
    )
    fetch.add_argument(
        "--parent-area-type",
        type=int,
        default=15,
        metavar="ID",
        help="Fingertips: the parent areas' type ID (default 15, England)",
    )
    fetch.add_argument("--sex", default="Persons", help="Fingertips: the sex (default Persons)")
    fetch.add_argument("--age", help="Fingertips: the age band, e.g. '10-11 yrs' (default any)")
    fetch.add_argument("--metric-type", metavar="ID", help="LG Inform: the metric type")
    fetch.add_argument(
        "--area",
        action="append",
        metavar="CODE",
        help="an area code to keep (repeatable; LG Inform needs at least one)",
    )
    fetch.add_argument(
        "--periods", default="latest5", help="LG Inform: the periods asked for (default latest5)"
    )
    fetch.add_argument(
        "--application-key",
        default="",
        help="LG Inform: the application key (default: $PMF_LGINFORM_KEY; the secret that "
        "signs each request is read from $PMF_LGINFORM_SECRET only)",
    )
    load = command(
        group,
        "import",
        "Import a tidy CSV: each mapped indicator becomes a measure, each area a unit.",
        "pmf national import life.csv -o TRAFFORD --map 'Life expectancy at birth=LE_MALE'",
    )
    load.add_argument("file", type=Path, help="a tidy CSV written by pmf national fetch")
    add_organisation(load)
    load.add_argument(
        "--map",
        action="append",
        required=True,
        metavar="INDICATOR=MEASURE",
        help="import this indicator as this measure (repeatable)",
    )
    load.add_argument(
        "--unit",
        action="append",
        metavar="AREA=UNIT",
        help="import this area as this unit and leave other areas out (repeatable; "
        "default: every area, by its code)",
    )
    load.add_argument("--source", help="the source recorded with each figure")
    load.add_argument(
        "--accept-warnings",
        metavar="REASON",
        help="store figures with plausibility warnings, recording REASON in the audit trail",
    )


# Fetching needs no database; importing opens it itself.
@register(
    "national",
    "Fetch national comparator data and import it as observations.",
    "pmf national fetch --source fingertips --indicator 90366 --area-type 502 "
    "--sex Male --out life.csv",
    arguments=_national_arguments,
    description="Fetch national comparator data in tidy form and import it as observations.",
    needs=Needs.NOTHING,
)
def national(args: argparse.Namespace) -> int:
    """Run ``pmf national fetch`` or ``pmf national import``."""
    if args.action == "fetch":
        return fetch(args)
    return import_tidy(args)


def fetch(args: argparse.Namespace) -> int:
    """Write a national source's figures as a tidy CSV."""
    from pmf.sources import national as comparators

    try:
        if args.source == "fingertips":
            if not args.indicator or args.area_type is None:
                raise CommandError("fingertips needs --indicator and --area-type")
            tidy = comparators.FingertipsClient(transport=comparators.urllib_transport).fetch(
                args.indicator,
                args.area_type,
                parent_area_type_id=args.parent_area_type,
                sex=args.sex,
                age=args.age,
                areas=args.area,
            )
        else:
            if not args.metric_type or not args.area:
                raise CommandError("lginform needs --metric-type and at least one --area")
            key, secret = _lginform_keys(args.application_key)
            client = comparators.LGInformClient(
                transport=comparators.urllib_transport, application_key=key, secret=secret
            )
            tidy = client.fetch(args.metric_type, args.area, args.periods)
    except comparators.NationalSourceError as error:
        raise CommandError(str(error)) from None
    tidy.write_csv(args.out)
    missing = tidy["value"].null_count()
    print(
        f"Wrote {tidy.height} rows ({missing} suppressed or missing) of "
        f"{tidy['indicator'].n_unique()} indicators to {args.out}."
    )
    return EXIT_OK


def _lginform_keys(given: str) -> tuple[str, str]:
    """Return the LG Inform application key and secret, or stop naming what is missing."""
    from pmf.web.env import env_str

    # The secret comes from the environment only, never the command line: shell history and
    # process lists would show it.
    key = given or env_str("PMF_LGINFORM_KEY", default="")
    secret = env_str("PMF_LGINFORM_SECRET", default="")
    missing = [
        name
        for name, value in (("PMF_LGINFORM_KEY", key), ("PMF_LGINFORM_SECRET", secret))
        if not value
    ]
    if missing:
        raise CommandError(
            f"lginform signs each request with your application key and secret: set "
            f"{' and '.join(missing)} (LG Inform Plus, developer tools, Keys page)"
        )
    return key, secret


def import_tidy(args: argparse.Namespace) -> int:
    """Import a tidy CSV's mapped indicators as observations."""
    import polars as pl

    from pmf.sources import national as comparators
    from pmf.web.observations.services import import_frame

    indicators = _pairs(args.map, "--map", "INDICATOR=MEASURE")
    units = _pairs(args.unit, "--unit", "AREA=UNIT") if args.unit else None
    try:
        tidy = pl.read_csv(args.file, infer_schema_length=0).with_columns(
            pl.col(c).cast(pl.Float64, strict=False) for c in ("value", "numerator", "denominator")
        )
        observations = comparators.to_observations(
            tidy, indicators, unit_map=units, source=args.source
        )
    except (OSError, pl.exceptions.PolarsError, ValueError) as error:
        raise CommandError(f"{args.file}: {error}") from None
    open_database()
    organisation = base.organisation(args.organisation)
    try:
        summary = import_frame(
            organisation,
            observations,
            file_name=args.file.name,
            source=args.source or f"national comparator data, {args.file.name}",
            accept_warnings=args.accept_warnings,
        )
    except ValueError as error:
        raise CommandError(str(error)) from None
    print(f"{args.file.name}: {summary}")
    return EXIT_OK


def _pairs(values: list[str], option: str, form: str) -> dict[str, str]:
    """Return ``NAME=CODE`` options as a mapping, or say which one is malformed."""
    pairs = {}
    for text in values:
        name, sep, code = text.rpartition("=")
        if not sep or not name.strip() or not code.strip():
            raise CommandError(f"{option} {text!r}: give it as {form}")
        pairs[name.strip()] = code.strip()
    return pairs
