"""Compute age-standardised rates and ratios the way PHEindicatormethods does.

:func:`dsr` is ``calculate_dsr`` and :func:`isr` is ``calculate_ISRatio`` (with
``statistic="rate"``, ``calculate_ISRate``) of the R package PHEindicatormethods 2.1.0
(``R/DSR.R``, ``R/ISRatio.R``, ``R/ISRate.R`` and ``byars_lower`` / ``byars_upper`` in
``R/utils.R``). In short, for each group (an area, a period) of age-band rows:

* **directly standardised rate** — ``Σ(xᵢ wᵢ / nᵢ) / Σ wᵢ × multiplier`` for events ``xᵢ``,
  population ``nᵢ`` and standard population ``wᵢ`` in band ``i``; its interval is Dobson's:
  the total count's Byar interval ``(O_L, O_U)`` moved onto the rate,
  ``DSR + √(var / O) × (O_L − O) × multiplier`` with ``var = Σ(xᵢ (wᵢ / nᵢ)²) / (Σ wᵢ)²``.
  A rate from fewer than 10 events is not given (its value and limits are missing and its
  ``statistic`` says so). For events that are not independent (one person counted several
  times) ``var`` is the sum over event frequencies ``f`` of ``f² var_f``.
* **indirectly standardised ratio** — observed / expected events, the expected ones
  ``Σ nᵢ × rᵢ`` at the reference rates ``rᵢ = x_refᵢ / n_refᵢ``, times a reference value (1, or
  100); its interval is the observed count's: exact Poisson below 10 events, Byar's from 10,
  divided by the expected count. The indirectly standardised *rate* multiplies the ratio by
  the reference population's crude rate ``Σ x_ref / Σ n_ref × multiplier`` instead.

The standard population shipped is the 2013 European Standard Population (:data:`ESP2013`).
Everything works on whole columns: the groups are summed by Polars and the intervals computed
by NumPy over all groups at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from pmf.core.intervals import IntervalInputError, byar

FloatArray = npt.NDArray[np.float64]

ESP2013_SOURCE = (
    "Eurostat, Revision of the European Standard Population: report of Eurostat's task force, "
    "2013 edition (Methodologies and Working papers KS-RA-13-028), table 1"
)
"""Where :data:`ESP2013` comes from."""

ESP2013_EUROSTAT: tuple[tuple[str, int], ...] = (
    ("<1", 1000),
    ("1-4", 4000),
    ("5-9", 5500),
    ("10-14", 5500),
    ("15-19", 5500),
    ("20-24", 6000),
    ("25-29", 6000),
    ("30-34", 6500),
    ("35-39", 7000),
    ("40-44", 7000),
    ("45-49", 7000),
    ("50-54", 7000),
    ("55-59", 6500),
    ("60-64", 6000),
    ("65-69", 5500),
    ("70-74", 5000),
    ("75-79", 4000),
    ("80-84", 2500),
    ("85-89", 1500),
    ("90-94", 800),
    ("95+", 200),
)
"""The 2013 European Standard Population as Eurostat publishes it: 21 bands, 100,000 people."""

ESP2013_BANDS = (
    "0-4",
    "5-9",
    "10-14",
    "15-19",
    "20-24",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-54",
    "55-59",
    "60-64",
    "65-69",
    "70-74",
    "75-79",
    "80-84",
    "85-89",
    "90+",
)
"""The 19 age bands of :data:`ESP2013`, youngest first."""

ESP2013: dict[str, int] = {
    band: population
    for band, population in zip(
        ESP2013_BANDS,
        (
            ESP2013_EUROSTAT[0][1] + ESP2013_EUROSTAT[1][1],  # <1 and 1-4 make 0-4
            *(population for _, population in ESP2013_EUROSTAT[2:19]),
            ESP2013_EUROSTAT[19][1] + ESP2013_EUROSTAT[20][1],  # 90-94 and 95+ make 90+
        ),
        strict=True,
    )
}
"""The 2013 European Standard Population in PHEindicatormethods' 19 bands (``esp2013``).

Eurostat's age 0 (``<1``) and ``1-4`` are one band, ``0-4``, and its ``90-94`` and ``95+`` one
band, ``90+``, as the package's ``esp2013`` has them.

>>> ESP2013["0-4"], ESP2013["90+"], sum(ESP2013.values())
(5000, 1000, 100000)
"""

STANDARDS: dict[str, dict[str, int]] = {"esp2013": ESP2013}
"""The standard populations pmf ships, by name."""

MINIMUM_DSR_COUNT = 10
"""A directly standardised rate from fewer events than this is not given, as in the package."""

PAIRED_CONFIDENCE = (0.95, 0.998)
"""The only two confidence levels that may be asked for together, as in the package."""

ConfidenceLevels = float | tuple[float, float]

__all__ = [
    "ESP2013",
    "ESP2013_BANDS",
    "ESP2013_EUROSTAT",
    "ESP2013_SOURCE",
    "MINIMUM_DSR_COUNT",
    "STANDARDS",
    "StandardisedInputError",
    "band_advice",
    "check_bands",
    "confidence_levels",
    "dsr",
    "isr",
    "standard_band",
    "standard_population",
]


class StandardisedInputError(ValueError):
    """Raise for data or options no standardised rate can be computed from.

    ``index`` is the position (from 0) of the first offending row in the frame given, and
    ``column`` its column, where one row is to blame; the command line turns them into the
    file's row number.
    """

    def __init__(self, message: str, *, index: int | None = None, column: str | None = None):
        super().__init__(message)
        self.index = index
        self.column = column


def confidence_levels(confidence: ConfidenceLevels | Sequence[float]) -> tuple[float, ...]:
    """Return the confidence levels asked for, as fractions, checked as the package checks them.

    One level between 0.9 and 1 (or 90 and 100, read as a percentage), or the pair 0.95 and
    0.998 together.

    >>> confidence_levels(99.8), confidence_levels((0.95, 0.998))
    ((0.998,), (0.95, 0.998))
    """
    levels = (confidence,) if isinstance(confidence, int | float) else tuple(confidence)
    if not levels:
        raise StandardisedInputError("give a confidence level, such as 0.95")
    if len(levels) > 2:
        raise StandardisedInputError("a maximum of two confidence levels can be given")
    scaled = []
    for level in levels:
        if isinstance(level, bool) or not isinstance(level, int | float):
            raise StandardisedInputError(f"confidence must be a number, not {level!r}")
        if not (0.9 <= level < 1 or 90 <= level < 100):
            raise StandardisedInputError(
                f"confidence {level!r}: must be between 0.9 and 1 (or 90 and 100, a percentage)"
            )
        scaled.append(level / 100 if level >= 90 else float(level))
    if len(scaled) == 2 and tuple(scaled) != PAIRED_CONFIDENCE:
        raise StandardisedInputError(
            "two confidence levels can only be given as 0.95 and 0.998, in that order"
        )
    return tuple(scaled)


# ---------------------------------------------------------------------------------------------
# Age bands


_BAND = re.compile(r"^(\d+)\s*(?:-|–|to)\s*(\d+)$")
_OPEN = re.compile(r"^(\d+)\s*(?:\+|and over|or over|and older|plus)$")


def standard_band(label: str | None) -> str | None:
    """Return the :data:`ESP2013` band a label names, or None when it names none.

    Spellings read: ``0-4``, ``00-04``, ``0 to 4``, ``0–4``; ``90+``, ``90 and over``; and the
    band's first age alone (``0``, ``5`` … ``90``), as PHEindicatormethods' examples write
    them.

    >>> [standard_band(b) for b in ("00-04", "10 to 14", "90 and over", "85", "1-4", "55-69")]
    ['0-4', '10-14', '90+', '85-89', None, None]
    """
    if label is None:
        return None
    text = label.strip().lower()
    by_start = {int(band.split("-")[0].rstrip("+")): band for band in ESP2013_BANDS}
    if text.isdigit():
        return by_start.get(int(text))
    if match := _BAND.match(text):
        candidate = f"{int(match.group(1))}-{int(match.group(2))}"
        return candidate if candidate in ESP2013 else None
    if match := _OPEN.match(text):
        return "90+" if int(match.group(1)) == 90 else None
    return None


def band_advice(label: str) -> str:
    """Say why a label is not one of the ESP 2013's 19 bands, and what to do instead.

    >>> band_advice("95+")
    '90-94 and 95+ are one band, 90+, as PHEindicatormethods uses the standard'
    """
    text = label.strip().lower()
    if text in ("<1", "0-0", "under 1", "1-4", "01-04"):
        return (
            "the 2013 European Standard Population is used in 19 bands, as PHEindicatormethods "
            "uses it: add age 0 (<1) and 1-4 together as 0-4"
        )
    if text in ("90-94", "95+", "95 and over"):
        return "90-94 and 95+ are one band, 90+, as PHEindicatormethods uses the standard"
    return "is not one of the 19 age bands of the 2013 European Standard Population: " + ", ".join(
        ESP2013_BANDS
    )


def standard_population(
    frame: pl.DataFrame,
    *,
    age_band: str,
    group: Sequence[str] = (),
    standard: str = "esp2013",
) -> pl.Series:
    """Return each row's standard population, from its age band, checking the bands.

    Every group must have each of the standard's bands exactly once. Raise
    :class:`StandardisedInputError` naming the first row whose band is not one of the
    standard's (or repeats a band of its group), or the first group and band missing.

    >>> rows = pl.DataFrame({"band": list(ESP2013_BANDS)})
    >>> standard_population(rows, age_band="band")[:3].to_list()
    [5000.0, 5500.0, 5500.0]
    """
    if standard not in STANDARDS:
        raise StandardisedInputError(f"standard {standard!r} is not one of {', '.join(STANDARDS)}")
    weights = STANDARDS[standard]
    _columns(frame, [age_band, *group])
    labels = frame[age_band].cast(pl.String)
    lookup = {text: standard_band(text) for text in labels.unique().to_list()}
    bands = labels.replace_strict(lookup, default=None, return_dtype=pl.String)
    unknown = (bands.is_null()).arg_true()
    if unknown.len():
        index = int(unknown[0])
        label = labels[index]
        shown = "(empty)" if label is None else repr(label)
        reason = "the age band is empty" if label is None else band_advice(label)
        raise StandardisedInputError(f"{age_band} {shown}: {reason}", index=index, column=age_band)
    check_bands(
        frame.with_columns(bands.alias(age_band)),
        age_band=age_band,
        group=group,
        bands=list(weights),
        labels=labels,
    )
    return bands.replace_strict(weights, return_dtype=pl.Float64).alias("standard_population")


def check_bands(
    frame: pl.DataFrame,
    *,
    age_band: str,
    group: Sequence[str] = (),
    bands: Sequence[str] | None = None,
    labels: pl.Series | None = None,
) -> None:
    """Refuse a group that repeats an age band or lacks one.

    Every group must have each of ``bands`` exactly once, or, without ``bands``, the same
    bands as the first group. ``labels`` are the bands as written, for the message (by
    default the column itself).

    >>> check_bands(pl.DataFrame({"a": ["x", "x", "y"], "b": ["0-15", "16+", "0-15"]}),
    ...             age_band="b", group=["a"])
    Traceback (most recent call last):
    ...
    pmf.core.standardised.StandardisedInputError: there is no row for the age band 16+ in a 'y'; \
give every one of the 2 bands (a band with no events has a count of 0)
    """
    _columns(frame, [age_band, *group])
    written = frame[age_band].cast(pl.String) if labels is None else labels
    keys = frame.select(*[pl.col(g) for g in group], pl.col(age_band).cast(pl.String))
    by: list[str | pl.Expr] = [*group] if group else [pl.lit(0).alias("__all__")]
    # One pass counts each group's rows and distinct bands; only a repeat is then looked for.
    sizes = keys.group_by(by).agg(pl.len().alias("rows"), pl.col(age_band).n_unique().alias("u"))
    if (sizes["u"] < sizes["rows"]).any():
        repeated = (~keys.select(pl.struct(pl.all()).is_first_distinct()).to_series()).arg_true()
        index = int(repeated[0])
        where = _group_words(frame, group, index)
        raise StandardisedInputError(
            f"{age_band} {written[index]!r}: the age band {keys[age_band][index]} appears more "
            f"than once{where}; give each band once",
            index=index,
            column=age_band,
        )
    if bands is not None:
        expected = list(bands)
    else:
        first = keys.row(0, named=True) if keys.height else {}
        same = pl.all_horizontal(pl.col(g).eq_missing(first[g]) for g in group) if group else True
        expected = keys.filter(same)[age_band].to_list()
    known = pl.col(age_band).is_in(pl.lit(pl.Series(expected, dtype=pl.String)).implode())
    # Bands were given once each, so a group is whole when it has as many known bands as
    # expected; only a group that is not is looked at band by band (one pass otherwise).
    counted = keys.group_by(by, maintain_order=True).agg(known.sum().alias("__known__"))
    short = counted.filter(pl.col("__known__") < len(expected))
    if short.height:
        row = short.row(0, named=True)
        same = pl.all_horizontal(pl.col(g).eq_missing(row[g]) for g in group) if group else True
        present = set(keys.filter(same)[age_band].to_list())
        missing = [band for band in expected if band not in present]
        where = "".join(f"{' in' if i == 0 else ','} {g} {row[g]!r}" for i, g in enumerate(group))
        raise StandardisedInputError(
            f"there is no row for the age band {missing[0]}{where}; give every one of the "
            f"{len(expected)} bands (a band with no events has a count of 0)",
            column=age_band,
        )
    if bands is None:
        extra = keys.with_row_index("__i__").filter(~known)
        if extra.height:
            index = int(extra["__i__"][0])
            raise StandardisedInputError(
                f"{age_band} {written[index]!r}: the first group has no such age band; every "
                "group must have the same bands",
                index=index,
                column=age_band,
            )


# ---------------------------------------------------------------------------------------------
# Directly standardised rates


def dsr(
    frame: pl.DataFrame,
    *,
    count: str,
    population: str,
    standard: str,
    group: Sequence[str] = (),
    multiplier: float = 100_000,
    confidence: ConfidenceLevels | Sequence[float] = 0.95,
    event_frequency: str | None = None,
    age_band: str | None = None,
) -> pl.DataFrame:
    """Return each group's directly standardised rate with Dobson's confidence interval.

    ``frame`` has one row per group and age band: the events (``count``; missing is 0), the
    population (``population``, above 0) and the standard population (``standard``, a
    column such as :func:`standard_population` makes). The result has one row per group, in
    the order groups first appear: the ``group`` columns, ``total_count``, ``total_pop``,
    ``value``, ``lowercl`` and ``uppercl`` (or ``lower95_0cl``, ``upper95_0cl``,
    ``lower99_8cl``, ``upper99_8cl`` when both 0.95 and 0.998 are asked for),
    ``confidence``, ``statistic`` and ``method``. Below :data:`MINIMUM_DSR_COUNT` events the
    value and limits are missing and ``statistic`` is ``"dsr NA for total count < 10"``.

    With ``event_frequency`` the events are not independent: each row's ``count`` is the
    number of individuals who had ``event_frequency`` events in the band (and ``age_band``
    names the band), and the interval is widened as the package's
    ``independent_events = FALSE`` widens it.

    >>> rows = pl.DataFrame({"x": [30.0, 20.0], "n": [1000.0, 2000.0], "w": [600.0, 400.0]})
    >>> out = dsr(rows, count="x", population="n", standard="w", multiplier=1000)
    >>> round(out["value"][0], 6), out["statistic"][0], out["method"][0]
    (22.0, 'dsr per 1000', 'Dobson')
    """
    levels = confidence_levels(confidence)
    _multiplier(multiplier)
    needed = [count, population, standard, *group]
    if event_frequency is not None:
        if age_band is None:
            raise StandardisedInputError(
                "events that are not independent need the age band column as well as the "
                "event frequency"
            )
        needed += [event_frequency, age_band]
    _columns(frame, needed)
    x = _floats(frame, count, missing_allowed=True)
    n = _floats(frame, population)
    w = _floats(frame, standard)
    _first_bad(x < 0, frame, count, "the count must not be negative")
    _first_bad(n <= 0, frame, population, "the population must be greater than 0")
    _first_bad(w < 0, frame, standard, "the standard population must not be negative")
    keys = list(group)
    data = frame.select(
        *[pl.col(g) for g in keys],
        pl.Series("x", x),
        pl.Series("n", n),
        pl.Series("w", w),
    )
    method = "Dobson"
    if event_frequency is None:
        sums = _dsr_sums(data, keys)
        variance = sums["var"].to_numpy()
    else:
        assert age_band is not None
        frequency = _floats(frame, event_frequency)
        _first_bad(
            frequency < 0, frame, event_frequency, "the event frequency must not be negative"
        )
        data = data.with_columns(
            pl.Series("f", frequency), frame[age_band].cast(pl.String).alias("band")
        )
        _same_population(data, keys, frame, population, standard)
        # Each frequency's own variance, weighted by the frequency squared ...
        by_frequency = _dsr_sums(data, [*keys, "f"])
        weighted = by_frequency.group_by(keys or pl.lit(0), maintain_order=True).agg(
            (pl.col("var") * pl.col("f") ** 2).sum().alias("var")
        )
        # ... and the rate itself from the events: individuals times their frequency.
        events = data.group_by([*keys, "band", "n", "w"], maintain_order=True).agg(
            (pl.col("f") * pl.col("x").fill_nan(0.0)).sum().alias("x")
        )
        sums = _dsr_sums(events, keys)
        if keys:
            # Line each group's variance up with its sums by key, not by position.
            weighted = sums.select(keys).join(weighted, on=keys, how="left", nulls_equal=True)
        variance = weighted["var"].to_numpy()
        method = "Dobson, with confidence adjusted for non-independent events"
    total = sums["total_count"].to_numpy()
    value = sums["value"].to_numpy() * multiplier
    columns: dict[str, FloatArray] = {}
    for level, (low_name, high_name) in zip(levels, _limit_names(levels), strict=True):
        low, high = byar(total, level, exact_below=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            spread = np.sqrt(variance / total)
            columns[low_name] = value + spread * (low - total) * multiplier
            columns[high_name] = value + spread * (high - total) * multiplier
    small = total < MINIMUM_DSR_COUNT
    statistic = f"dsr per {_number_words(multiplier)}"
    result = sums.select(*keys, "total_count", "total_pop").with_columns(
        pl.Series("value", np.where(small, np.nan, value)),
        *[pl.Series(name, np.where(small, np.nan, limit)) for name, limit in columns.items()],
    )
    return result.with_columns(
        pl.lit(_confidence_words(levels)).alias("confidence"),
        pl.when(pl.Series(small))
        .then(pl.lit(f"dsr NA for total count < {MINIMUM_DSR_COUNT}"))
        .otherwise(pl.lit(statistic))
        .alias("statistic"),
        pl.lit(method).alias("method"),
    ).with_columns(pl.col("value", *columns).fill_nan(None))


def _dsr_sums(data: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Sum each group's events, population, weighted rate and variance, as ``dsr_inner``."""
    x = pl.col("x").fill_nan(0.0)
    return data.group_by(keys or pl.lit(0).alias("__all__"), maintain_order=True).agg(
        pl.col("x").fill_nan(None).sum().alias("total_count"),
        pl.col("n").sum().alias("total_pop"),
        ((x * pl.col("w") / pl.col("n")).sum() / pl.col("w").sum()).alias("value"),
        (1 / pl.col("w").sum() ** 2 * (x * (pl.col("w") / pl.col("n")) ** 2).sum()).alias("var"),
    )


def _same_population(
    data: pl.DataFrame, keys: list[str], frame: pl.DataFrame, population: str, standard: str
) -> None:
    """Refuse a group and band whose event-frequency rows disagree on the populations."""
    indexed = data.with_row_index("__index__")
    for column, name in (("n", population), ("w", standard)):
        differ = indexed.filter(pl.col(column).n_unique().over([*keys, "band"]) > 1)
        if differ.height:
            index = int(differ["__index__"][0])
            raise StandardisedInputError(
                f"{name}: the rows of one group and age band (one per event frequency) must "
                "have the same population and standard population",
                index=index,
                column=name,
            )


# ---------------------------------------------------------------------------------------------
# Indirectly standardised ratios and rates


def isr(
    frame: pl.DataFrame,
    *,
    count: str | None,
    population: str,
    reference_count: str,
    reference_population: str,
    group: Sequence[str] = (),
    statistic: Literal["ratio", "rate"] = "ratio",
    multiplier: float | None = None,
    confidence: ConfidenceLevels | Sequence[float] = 0.95,
    observed_totals: pl.DataFrame | None = None,
    observed: str | None = None,
) -> pl.DataFrame:
    """Return each group's indirectly standardised ratio (or rate) with its confidence interval.

    ``frame`` has one row per group and age band: the observed events (``count``; missing is
    0), the population (``population``; missing is 0) and the reference population's events
    and population in that band (``reference_count``, missing 0, and
    ``reference_population``, above 0), as PHEindicatormethods' ``refpoptype = "field"``;
    join a table of reference rates by age band first to use one (``"vector"``). The expected
    events are ``Σ population × reference_count / reference_population``.

    ``statistic="ratio"`` (``calculate_ISRatio``) gives observed / expected × ``multiplier``
    (its ``refvalue``, default 1); ``"rate"`` (``calculate_ISRate``) gives observed / expected ×
    the reference rate ``Σ reference_count / Σ reference_population × multiplier`` (default
    100,000) and a ``ref_rate`` column. The limits are the observed count's, exact below 10
    events and Byar's from 10, scaled the same way. With ``observed_totals`` (a table of the
    ``group`` columns and an ``observed`` column) the observed events come from there, not
    from ``count``.

    >>> rows = pl.DataFrame({"o": [3.0, 9.0], "n": [100.0, 200.0], "ro": [1.0, 2.0],
    ...                      "rn": [100.0, 100.0]})
    >>> out = isr(rows, count="o", population="n", reference_count="ro",
    ...           reference_population="rn")
    >>> out["observed"][0], out["expected"][0], round(out["value"][0], 4), out["method"][0]
    (12.0, 5.0, 2.4, 'Byars')
    """
    levels = confidence_levels(confidence)
    scale = multiplier if multiplier is not None else (1.0 if statistic == "ratio" else 100_000)
    _multiplier(scale)
    if statistic not in ("ratio", "rate"):
        raise StandardisedInputError(f"statistic {statistic!r} is not ratio or rate")
    keys = list(group)
    _columns(frame, [population, reference_count, reference_population, *keys])
    if observed_totals is None:
        if count is None:
            raise StandardisedInputError("give the observed events' column")
        _columns(frame, [count])
        x: FloatArray = _floats(frame, count, missing_allowed=True)
        _first_bad(x < 0, frame, count, "the count must not be negative")
    else:
        x = np.zeros(frame.height)
    n = _floats(frame, population, missing_allowed=True)
    x_ref = _floats(frame, reference_count, missing_allowed=True)
    n_ref = _floats(frame, reference_population)
    _first_bad(n < 0, frame, population, "the population must not be negative")
    _first_bad(x_ref < 0, frame, reference_count, "the reference count must not be negative")
    _first_bad(
        n_ref <= 0, frame, reference_population, "the reference population must be greater than 0"
    )
    data = frame.select(
        *[pl.col(g) for g in keys],
        pl.Series("x", x),
        pl.Series("n", n),
        pl.Series("x_ref", x_ref),
        pl.Series("n_ref", n_ref),
    )
    sizes = data.group_by(keys or pl.lit(0).alias("__all__")).len()["len"]
    if sizes.n_unique() > 1:
        raise StandardisedInputError(
            "every group must have the same number of rows (one per age band)"
        )
    sums = data.group_by(keys or pl.lit(0).alias("__all__"), maintain_order=True).agg(
        pl.col("x").fill_nan(None).sum().alias("observed"),
        (pl.col("x_ref").fill_nan(0.0) / pl.col("n_ref") * pl.col("n").fill_nan(0.0))
        .sum()
        .alias("expected"),
        (pl.col("x_ref").fill_nan(None).sum() / pl.col("n_ref").sum() * scale).alias("ref_rate"),
    )
    if observed_totals is not None:
        sums = _join_totals(sums.drop("observed"), observed_totals, keys, observed)
    obs = sums["observed"].to_numpy().astype(np.float64)
    expected = sums["expected"].to_numpy()
    factor = sums["ref_rate"].to_numpy() if statistic == "rate" else np.full(obs.shape, scale)
    if (expected <= 0).any():
        index = int(np.flatnonzero(expected <= 0)[0])
        raise StandardisedInputError(
            f"no events are expected{_group_words(sums, keys, index)} (every population or "
            "reference rate is 0); a ratio needs expected events"
        )
    columns: dict[str, FloatArray] = {}
    for level, (low_name, high_name) in zip(levels, _limit_names(levels), strict=True):
        try:
            low, high = byar(obs, level)
        except IntervalInputError as error:
            raise StandardisedInputError(str(error)) from None
        columns[low_name] = low / expected * factor
        columns[high_name] = high / expected * factor
    described = (
        f"indirectly standardised ratio x {_number_words(scale)}"
        if statistic == "ratio"
        else f"indirectly standardised rate per {_number_words(scale)}"
    )
    result = sums.select(
        *keys,
        "observed",
        "expected",
        *(["ref_rate"] if statistic == "rate" else []),
    ).with_columns(
        pl.Series("value", obs / expected * factor),
        *[pl.Series(name, limit) for name, limit in columns.items()],
        pl.lit(_confidence_words(levels)).alias("confidence"),
        pl.lit(described).alias("statistic"),
        pl.Series("method", np.where(obs < 10, "Exact", "Byars")),
    )
    return result.with_columns(pl.col("value", *columns).fill_nan(None))


def _join_totals(
    sums: pl.DataFrame, totals: pl.DataFrame, keys: list[str], observed: str | None
) -> pl.DataFrame:
    """Take each group's observed events from a table of totals (``observed_totals``)."""
    if observed is None:
        raise StandardisedInputError("name the column of observed totals")
    if not keys:
        raise StandardisedInputError("observed totals need the group columns to join on")
    _columns(totals, [*keys, observed], what="the observed totals")
    values = _floats(totals, observed, missing_allowed=True)
    _first_bad(values < 0, totals, observed, "the count must not be negative")
    table = totals.select(*keys, pl.Series("observed", values))
    if table.select(pl.struct(keys).is_duplicated().any()).item():
        raise StandardisedInputError("the observed totals give a group more than once")
    joined = sums.join(table, on=keys, how="left", maintain_order="left")
    lacking = joined["observed"].is_null().arg_true()
    if lacking.len():
        raise StandardisedInputError(
            f"the observed totals have no row{_group_words(joined, keys, int(lacking[0]))}"
        )
    return joined


# ---------------------------------------------------------------------------------------------
# Helpers


def _limit_names(levels: tuple[float, ...]) -> list[tuple[str, str]]:
    """Name the limit columns as the package does: one level plain, two by level."""
    if len(levels) == 1:
        return [("lowercl", "uppercl")]
    return [("lower95_0cl", "upper95_0cl"), ("lower99_8cl", "upper99_8cl")]


def _confidence_words(levels: tuple[float, ...]) -> str:
    """Write the levels as the package does: ``95%`` or ``95%, 99.8%``."""
    return ", ".join(f"{round(level * 100, 10):g}%" for level in levels)


def _number_words(value: float) -> str:
    """Write a multiplier as R's ``format(x, scientific = FALSE)``: 100000, 1, 0.5."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _multiplier(value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise StandardisedInputError(f"multiplier must be a finite number, not {value!r}")
    if value <= 0:
        raise StandardisedInputError(f"multiplier must be greater than 0, not {value!r}")


def _columns(frame: pl.DataFrame, columns: list[str], what: str = "the data") -> None:
    for column in columns:
        if column not in frame.columns:
            raise StandardisedInputError(
                f"{what} have no column {column!r}; the columns are {', '.join(frame.columns)}"
            )


def _floats(frame: pl.DataFrame, column: str, *, missing_allowed: bool = False) -> FloatArray:
    """Return a column as float64 (missing as NaN), refusing text and, unless allowed, gaps."""
    series = frame[column]
    if not series.dtype.is_numeric():
        raise StandardisedInputError(f"column {column!r} must be numeric", column=column)
    values = series.cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float64)
    _first_bad(np.isinf(values), frame, column, "must be a finite number")
    if not missing_allowed:
        _first_bad(np.isnan(values), frame, column, "must not be missing")
    return values


def _first_bad(bad: npt.NDArray[np.bool_], frame: pl.DataFrame, column: str, problem: str) -> None:
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise StandardisedInputError(
            f"{column} {frame[column][index]!r}: {problem}", index=index, column=column
        )


def _group_words(frame: pl.DataFrame, group: Sequence[str], index: int) -> str:
    """Name the group of a row: `` in area 'A', year 2020``, or nothing without groups."""
    return "".join(
        f"{' in' if i == 0 else ','} {g} {frame[g][index]!r}" for i, g in enumerate(group)
    )
