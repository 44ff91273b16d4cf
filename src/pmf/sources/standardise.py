"""Turn an import's rows by age band into one standardised observation per unit and period.

A measure whose framework entry says ``standardised: {method: dsr}`` (or ``isr``) may be
imported as one row per unit, period and age band, each with the events (numerator) and the
people (denominator) of that band. This step, run by ``pmf.sources.importer.check_table``
before its usual checks, checks those rows and replaces each unit's and period's set of them
by one row whose value is the directly standardised rate (or indirectly standardised ratio)
that ``pmf.core.standardised`` computes; its note records how (the method, the age bands and
the file rows they came from, the events and people in all and the confidence interval).
Rows without an age band pass through unchanged. Any problem is returned as (row, column,
value, reason), and the importer then stores nothing.
"""

from __future__ import annotations

import polars as pl

from pmf.core.framework import Framework, Measure
from pmf.core.i18n import gettext as _
from pmf.core.standardised import (
    ESP2013,
    StandardisedInputError,
    band_advice,
    dsr,
    isr,
    standard_band,
)
from pmf.sources.roles import OBSERVATION_ROLES

Found = tuple[int, str, str | None, str]
"""A problem: the file's row, the column as the file names it, the value as written, why."""

_KEY = ["__unit__", "__measure__", "__period__"]


def standardise_age_bands(
    frame: pl.DataFrame, framework: Framework, columns: dict[str, str]
) -> tuple[pl.DataFrame, list[Found]]:
    """Return ``frame`` with its age-band rows made standardised observations, or the problems.

    ``frame`` has the importer's role columns as text (unit, measure, period, value,
    numerator, denominator, status, note, source, age_band) and ``row``, the file's row
    number; ``columns`` names the file's column for each role, for the problems.
    """
    banded = pl.col("age_band").str.strip_chars().fill_null("") != ""
    rows = frame.filter(banded)
    if not rows.height:
        return frame, []
    found: list[Found] = []

    def flag(bad: pl.DataFrame, role: str, reason: str) -> None:
        for row, value in bad.select("row", role).iter_rows():
            found.append((row, columns.get(role, role), value, reason))

    # Codes win over names, as the importer reads them.
    codes: dict[str, str] = {}
    for measure in framework.measures:
        codes.setdefault(measure.code.strip().lower(), measure.code)
    for measure in framework.measures:
        codes.setdefault(measure.name.strip().lower(), measure.code)
        codes.setdefault(measure.english_name.strip().lower(), measure.code)
    text = pl.col("measure").str.strip_chars().str.to_lowercase()
    rows = rows.with_columns(
        text.replace_strict(codes, default=None, return_dtype=pl.String).alias("__measure__"),
        pl.col("unit").str.strip_chars().str.to_lowercase().alias("__unit__"),
        pl.col("period").str.strip_chars().alias("__period__"),
        _number("numerator"),
        _number("denominator"),
    )
    for role in ("unit", "measure", "period"):
        flag(rows.filter(pl.col(role).is_null()), role, _("is empty"))
    flag(
        rows.filter(pl.col("measure").is_not_null() & pl.col("__measure__").is_null()),
        "measure",
        _("is not a measure of {organisation} (by code or name)").format(
            organisation=framework.organisation.code
        ),
    )
    plain = [m.code for m in framework.measures if m.standardised is None]
    flag(
        rows.filter(pl.col("__measure__").is_in(plain)),
        "age_band",
        _(
            "is given, but the measure is not standardised: only a measure with standardised: in "
            "the framework is computed from figures by age band"
        ),
    )
    flag(
        rows.filter(pl.col("value").str.strip_chars().fill_null("") != ""),
        "value",
        _(
            "is given on a row of an age band; such a row gives the band's numerator (events) and "
            "denominator (people), and pmf computes the value"
        ),
    )
    missing = {
        "numerator": _("is empty; give the events in this age band (0 if none)"),
        "denominator": _("is empty; give the people in this age band (0 if none)"),
    }
    for role, reason in missing.items():
        flag(rows.filter(pl.col(role).is_null()), role, reason)
        flag(
            rows.filter(pl.col(role).is_not_null() & pl.col(f"{role}_number").is_null()),
            role,
            _("is not a number"),
        )
        flag(rows.filter(pl.col(f"{role}_number") < 0), role, _("is negative"))
    if found:
        return frame, found
    results: list[pl.DataFrame] = []
    for code in rows["__measure__"].unique(maintain_order=True).to_list():
        measure = framework.measure(code)
        assert measure.standardised is not None
        these = rows.filter(pl.col("__measure__") == code)
        computed = _compute(these, measure, columns, found)
        if computed is not None:
            results.append(computed)
    if found:
        return frame, found
    made = pl.concat(results, how="vertical")
    kept = frame.filter(~banded).drop("age_band")
    merged = pl.concat([kept, made.select(kept.columns)], how="vertical")
    return merged.sort("row").with_columns(pl.lit(None, pl.String).alias("age_band")), []


def _compute(
    rows: pl.DataFrame, measure: Measure, columns: dict[str, str], found: list[Found]
) -> pl.DataFrame | None:
    """Check one measure's age-band rows and return one observation per unit and period."""
    settings = measure.standardised
    assert settings is not None
    band_column = columns.get("age_band", "age_band")
    if settings.method == "dsr":
        bands = list(ESP2013)
        normal = {label: standard_band(label) for label in rows["age_band"].unique().to_list()}
        reference: dict[str, tuple[float, float]] = {}
    else:
        bands = list(settings.reference)
        by_label = {_label(band): band for band in bands}
        normal = {
            label: by_label.get(_label(label)) for label in rows["age_band"].unique().to_list()
        }
        reference = {b: (r.count, r.population) for b, r in settings.reference.items()}
    rows = rows.with_columns(
        pl.col("age_band")
        .replace_strict(normal, default=None, return_dtype=pl.String)
        .alias("__band__")
    )
    for row, label in (
        rows.filter(pl.col("__band__").is_null()).select("row", "age_band").iter_rows()
    ):
        reason = (
            band_advice(label)
            if settings.method == "dsr"
            else f"is not one of the age bands of {measure.code}'s reference: {', '.join(bands)}"
        )
        found.append((row, band_column, label, reason))
    if settings.method == "dsr":
        for row, value in (
            rows.filter(pl.col("denominator_number") == 0).select("row", "denominator").iter_rows()
        ):
            found.append(
                (
                    row,
                    columns.get("denominator", "denominator"),
                    value,
                    "is 0; a directly standardised rate needs people in every age band",
                )
            )
    if found:
        return None
    repeated = rows.filter(~pl.struct([*_KEY, "__band__"]).is_first_distinct())
    for row, label in repeated.select("row", "age_band").iter_rows():
        found.append(
            (
                row,
                band_column,
                label,
                "repeats an age band of this unit and period; give each band once",
            )
        )
    groups = rows.group_by(_KEY, maintain_order=True).agg(
        pl.col("__band__"),
        pl.col("row").min().alias("first"),
        pl.col("unit").first(),
        pl.col("period").first(),
    )
    for first, unit, period, present in groups.select(
        "first", "unit", "period", "__band__"
    ).iter_rows():
        missing = [band for band in bands if band not in present]
        if missing:
            found.append(
                (
                    first,
                    band_column,
                    None,
                    f"{unit} {period}: there is no row for the age band {missing[0]}; give every "
                    f"one of the {len(bands)} bands (0 events where there were none)",
                )
            )
    if found:
        return None
    data = rows.select(
        *_KEY,
        pl.col("numerator_number").alias("x"),
        pl.col("denominator_number").alias("n"),
        pl.col("__band__"),
    )
    try:
        if settings.method == "dsr":
            result = dsr(
                data.with_columns(
                    pl.col("__band__").replace_strict(ESP2013, return_dtype=pl.Float64).alias("w")
                ),
                count="x",
                population="n",
                standard="w",
                group=_KEY,
                multiplier=settings.scale,
                confidence=settings.confidence,
            )
        else:
            result = isr(
                data.with_columns(
                    pl.col("__band__")
                    .replace_strict(
                        {b: c for b, (c, _) in reference.items()}, return_dtype=pl.Float64
                    )
                    .alias("x_ref"),
                    pl.col("__band__")
                    .replace_strict(
                        {b: p for b, (_, p) in reference.items()}, return_dtype=pl.Float64
                    )
                    .alias("n_ref"),
                ),
                count="x",
                population="n",
                reference_count="x_ref",
                reference_population="n_ref",
                group=_KEY,
                statistic=settings.statistic,
                multiplier=settings.scale,
                confidence=settings.confidence,
            )
    except StandardisedInputError as error:
        found.append((int(groups["first"][0]), band_column, None, str(error)))
        return None
    summary = (
        rows.group_by(_KEY, maintain_order=True)
        .agg(
            pl.col("row").min().alias("row"),
            pl.col("row").max().alias("last"),
            pl.len().alias("bands"),
            pl.col("unit", "measure", "period").first(),
            pl.col("status").drop_nulls().unique().alias("statuses"),
            pl.col("note").drop_nulls().unique(maintain_order=True).alias("notes"),
            pl.col("source").drop_nulls().first().alias("source"),
        )
        .join(result, on=_KEY, how="left", maintain_order="left")
    )
    made = []
    for item in summary.iter_rows(named=True):
        if len(item["statuses"]) > 1:
            found.append(
                (
                    item["row"],
                    columns.get("status", "status"),
                    item["statuses"][1],
                    "differs from another row of this unit and period's age bands; give one status",
                )
            )
            continue
        if item["value"] is None:
            found.append(
                (
                    item["row"],
                    columns.get("numerator", "numerator"),
                    None,
                    f"{item['unit']} {item['period']}: {_count(item['total_count'])} events "
                    "in all its age bands; a directly standardised rate is not given below 10 "
                    "events (as PHEindicatormethods): leave these rows out",
                )
            )
            continue
        how = _how(item, measure)
        made.append(
            {
                "row": item["row"],
                "unit": item["unit"],
                "measure": item["measure"],
                "period": item["period"],
                "value": repr(float(item["value"])),
                "numerator": None,
                "denominator": None,
                "status": item["statuses"][0] if item["statuses"] else None,
                "note": " ".join([*item["notes"], how]),
                "source": item["source"],
            }
        )
    if found:
        return None
    return pl.DataFrame(
        made,
        schema={
            "row": rows.schema["row"],
            **dict.fromkeys(OBSERVATION_ROLES, pl.String),
        },
    )


def _how(item: dict[str, object], measure: Measure) -> str:
    """Say how an observation was computed, for its note: its lineage to the rows it came from."""
    settings = measure.standardised
    assert settings is not None
    level = f"{round(settings.confidence * 100, 10):g}%"
    low, high = item["lowercl"], item["uppercl"]
    rows = f"rows {item['row']}–{item['last']}"
    if settings.method == "dsr":
        return (
            f"Directly standardised rate per {_count(settings.scale)} (2013 European Standard "
            f"Population), computed by pmf from {item['bands']} age bands ({rows}): "
            f"{_count(item['total_count'])} events in {_count(item['total_pop'])} people; "
            f"{level} confidence interval {_decimal(low)} to {_decimal(high)} (Dobson)."
        )
    what = (
        f"Indirectly standardised ratio × {_count(settings.scale)}"
        if settings.statistic == "ratio"
        else f"Indirectly standardised rate per {_count(settings.scale)}"
    )
    return (
        f"{what}, computed by pmf from {item['bands']} age bands ({rows}): "
        f"{_count(item['observed'])} events observed, {_decimal(item['expected'])} expected "
        f"at the reference rates; {level} confidence interval {_decimal(low)} to "
        f"{_decimal(high)} ({item['method']})."
    )


def _label(text: str | None) -> str:
    """Compare band labels as the ESP reads them (``00-04`` is ``0-4``), else as written."""
    stripped = (text or "").strip()
    return standard_band(stripped) or stripped.lower()


def _number(role: str) -> pl.Expr:
    text = pl.col(role).str.strip_chars()
    text = (
        pl.when(text.str.contains(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$"))
        .then(text.str.replace_all(",", ""))
        .otherwise(text)
    )
    return text.cast(pl.Float64, strict=False).alias(f"{role}_number")


def _count(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return f"{number:,.0f}" if number.is_integer() else f"{number:,}"


def _decimal(value: object) -> str:
    return f"{float(value):,.4g}" if abs(float(value)) < 1000 else f"{float(value):,.1f}"  # type: ignore[arg-type]
