"""National comparator data in one tidy form, from files and from two national APIs.

Every source here ends in the same frame, one row per figure: ``area_code``, ``area_name``,
``period`` (pmf's period code, from :func:`pmf.core.periods.parse_period`), ``indicator``
and ``value``, plus ``numerator``, ``denominator`` and ``source`` when the source gives
them. A suppressed or unpublished figure (``*``, ``x``, ``NA``, an empty cell) is kept as a
row with a missing value, so the gap is visible; :func:`to_observations` leaves it out.

- :func:`read_trafford` reads the Trafford Data Lab's comparator files
  (``area_code, area_name, period, indicator, measure, unit, value``);
- :class:`FingertipsClient` reads OHID Fingertips' ``all_data/csv/by_indicator_id`` CSV;
- :class:`LGInformClient` reads LG Inform Plus-style JSON for one metric type.

:func:`to_observations` then turns a tidy frame into the long layout that ``pmf import`` and
``pmf.web.observations.services.import_frame`` check and store.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from pmf.core.periods import ParseError, parse_period
from pmf.sources.examples import OBSERVATION_COLUMNS
from pmf.sources.examples.trafford import twelve_months

NATIONAL_COLUMNS = ("area_code", "area_name", "period", "indicator", "value")
OPTIONAL_COLUMNS = ("numerator", "denominator", "source")
TIDY_COLUMNS = NATIONAL_COLUMNS + OPTIONAL_COLUMNS

# How national publishers mark a figure they do not show: suppressed for small numbers
# ("*", "x", "c"), not available (":", "..", "-", "NA") or simply left empty.
SUPPRESSED = frozenset({"", "*", "x", "X", "c", ":", "..", "-", "NA", "N/A", "n/a"})

USER_AGENT = "pmf (performance-management framework; +https://github.com/pmf)"
TIMEOUT_SECONDS = 30.0

Transport = Callable[[str], bytes]


class NationalSourceError(ValueError):
    """Raise when a national source cannot be fetched or its payload cannot be read."""


def urllib_transport(url: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """Fetch ``url`` with a User-Agent and a timeout, and return the body."""
    if not url.startswith(("https://", "http://")):
        raise NationalSourceError(f"only http and https addresses are fetched, not {url}")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        body: bytes = response.read()
    return body


def _fetch(transport: Transport, url: str, source: str) -> bytes:
    """Return the body at ``url``, turning transport failures into one clear error."""
    try:
        return transport(url)
    except urllib.error.HTTPError as error:
        raise NationalSourceError(
            f"{source}: HTTP {error.code} {error.reason} for {url}"
        ) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise NationalSourceError(f"{source}: could not fetch {url}: {reason}") from error


def _number(column: str) -> pl.Expr:
    """Read a column of figures as text: suppression marks become missing, commas go."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    return (
        pl.when(text.is_null() | text.is_in(list(SUPPRESSED)))
        .then(None)
        .otherwise(text.str.replace_all(",", ""))
        .cast(pl.Float64, strict=False)
        .alias(column)
    )


def _tidy(frame: pl.DataFrame, source: str, *, strict: bool = True) -> pl.DataFrame:
    """Return ``frame`` in the tidy form: numbers parsed, periods as codes, columns in order.

    Raise :class:`NationalSourceError` naming the source when a figure or period is
    unreadable; with ``strict=False``, rows whose period pmf cannot name are left out.
    """
    missing = [column for column in NATIONAL_COLUMNS if column not in frame.columns]
    if missing:
        raise NationalSourceError(f"{source}: no {', '.join(missing)} in the data")
    for column in OPTIONAL_COLUMNS:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    text = frame.select(pl.col(c).cast(pl.String) for c in TIDY_COLUMNS)
    numbers = text.with_columns(_number(c) for c in ("value", "numerator", "denominator"))
    for column in ("value", "numerator", "denominator"):
        unread = text.filter(
            numbers[column].is_null()
            & pl.col(column).is_not_null()
            & ~pl.col(column).str.strip_chars().is_in(list(SUPPRESSED))
        )
        if not unread.is_empty():
            shown = ", ".join(repr(v) for v in unread[column].unique().sort().head(5))
            raise NationalSourceError(f"{source}: {column} is not a number: {shown}")
    codes = {}
    for period in text["period"].unique().to_list():
        try:
            codes[period] = parse_period(period).code if period is not None else None
        except ParseError as error:
            if strict:
                raise NationalSourceError(f"{source}: unreadable period: {error}") from error
            codes[period] = None
    if None in codes and strict:
        raise NationalSourceError(f"{source}: a row has no period")
    numbers = numbers.filter(pl.col("period").replace_strict(codes, default=None).is_not_null())
    return numbers.with_columns(
        pl.col("period").replace_strict(codes, return_dtype=pl.String),
        pl.col("area_code").str.strip_chars(),
    )


def empty_tidy() -> pl.DataFrame:
    """Return a tidy frame with no rows."""
    schema = {
        c: pl.Float64 if c in ("value", "numerator", "denominator") else pl.String
        for c in TIDY_COLUMNS
    }
    return pl.DataFrame(schema=schema)


# --- Files -------------------------------------------------------------------------------


def read_trafford(
    path: Path,
    *,
    areas: Iterable[str] | None = None,
    source: str | None = None,
    strict: bool = True,
) -> pl.DataFrame:
    """Read one Trafford Data Lab comparator file into the tidy form.

    The indicator is the file's ``indicator``, with its ``inequality`` (for example ``Male``)
    after a comma when the file gives one, and its ``measure`` or ``unit`` in brackets when
    the file holds more than one of them for the same indicator (a count and a percentage;
    ``Male`` and ``Female`` in the unit column). Periods
    such as ``Oct 2021-Sep 2022`` become rolling windows (``12 months to September 2022``),
    as in the Trafford example; ``areas`` keeps only those area codes. A period pmf cannot
    name (a five-year span of financial years, ``2020/21 - 24/25``) is an error, or with
    ``strict=False`` its rows are left out.
    """
    path = Path(path)
    source = source or f"Trafford Data Lab, {path.name}"
    try:
        raw = pl.read_csv(path, infer_schema_length=0)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise NationalSourceError(f"{source}: cannot read {path}: {error}") from error
    needed = ("area_code", "area_name", "period", "indicator", "value")
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise NationalSourceError(f"{source}: no {', '.join(missing)} column in {path.name}")
    if areas is not None:
        raw = raw.filter(pl.col("area_code").is_in(list(areas)))
    indicator = pl.col("indicator")
    # A file may hold one indicator as a count and a percentage, or for males and females
    # in its unit column; name each series apart only where the file needs it.
    apart = ["indicator"]
    for column in ("measure", "unit", "units"):
        if column in raw.columns:
            several = pl.col(column).n_unique().over(apart) > 1
            apart.append(column)
            indicator = (
                pl.when(several)
                .then(pl.concat_str(indicator, pl.lit(" ("), pl.col(column), pl.lit(")")))
                .otherwise(indicator)
            )
    if "inequality" in raw.columns:
        split = pl.col("inequality").is_not_null() & ~pl.col("inequality").is_in(["NA", ""])
        indicator = (
            pl.when(split)
            .then(pl.concat_str(indicator, pl.lit(", "), pl.col("inequality")))
            .otherwise(indicator)
        )
    period = pl.col("period")
    window = period.str.contains(r"^\w{3} \d{4}-\w{3} \d{4}$")
    frame = raw.select(
        "area_code",
        "area_name",
        period=pl.when(window).then(twelve_months(period)).otherwise(period),
        indicator=indicator,
        value="value",
        source=pl.lit(source),
    )
    return _tidy(frame, source, strict=strict)


# --- Fingertips ----------------------------------------------------------------------------


class FingertipsClient:
    """Fetch indicators from an OHID Fingertips-style API as tidy rows.

    ``fetch`` asks ``{base_url}/all_data/csv/by_indicator_id`` for the indicators' CSV
    (columns ``Indicator ID``, ``Indicator Name``, ``Area Code``, ``Area Name``,
    ``Area Type``, ``Sex``, ``Age``, ``Category Type``, ``Time period``, ``Value``,
    ``Count``, ``Denominator``...) and keeps one sex and, when given, one age band. Rows
    split by a category (deprivation deciles, ethnic groups) are left out: the comparator is
    the whole area. ``Count`` and ``Denominator`` become the numerator and denominator.

    >>> FingertipsClient(transport=lambda url: b"").url([90366], 502)
    'https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids=90366&child_area_type_id=502&parent_area_type_id=15'
    """

    name = "Fingertips"
    base_url = "https://fingertips.phe.org.uk/api"
    columns = (
        "Indicator ID",
        "Indicator Name",
        "Area Code",
        "Area Name",
        "Sex",
        "Age",
        "Time period",
        "Value",
    )

    def __init__(self, *, transport: Transport = urllib_transport, base_url: str | None = None):
        self.transport = transport
        if base_url is not None:
            self.base_url = base_url.rstrip("/")

    def url(
        self, indicator_ids: Sequence[int], area_type_id: int, parent_area_type_id: int = 15
    ) -> str:
        """Return the address of the CSV for these indicators and area type."""
        query = urllib.parse.urlencode(
            {
                "indicator_ids": ",".join(str(i) for i in indicator_ids),
                "child_area_type_id": area_type_id,
                "parent_area_type_id": parent_area_type_id,
            },
            safe=",",
        )
        return f"{self.base_url}/all_data/csv/by_indicator_id?{query}"

    def fetch(
        self,
        indicator_ids: Sequence[int],
        area_type_id: int,
        *,
        parent_area_type_id: int = 15,
        sex: str = "Persons",
        age: str | None = None,
        areas: Iterable[str] | None = None,
    ) -> pl.DataFrame:
        """Return the indicators' figures for one sex (and age band) as tidy rows."""
        url = self.url(indicator_ids, area_type_id, parent_area_type_id)
        return self.parse(_fetch(self.transport, url, self.name), sex=sex, age=age, areas=areas)

    def parse(
        self,
        body: bytes,
        *,
        sex: str = "Persons",
        age: str | None = None,
        areas: Iterable[str] | None = None,
    ) -> pl.DataFrame:
        """Return tidy rows from a Fingertips CSV body."""
        try:
            text = body.decode("utf-8-sig")
            rows = list(csv.DictReader(io.StringIO(text)))
        except (UnicodeDecodeError, csv.Error) as error:
            raise NationalSourceError(f"{self.name}: the response is not CSV: {error}") from error
        header = list(rows[0]) if rows else next(csv.reader(io.StringIO(text)), [])
        missing = [c for c in self.columns if c not in header]
        if missing:
            raise NationalSourceError(
                f"{self.name}: the response has no {', '.join(repr(c) for c in missing)} column"
            )
        if not rows:
            return empty_tidy()
        raw = pl.DataFrame(rows, schema={c: pl.String for c in header})
        keep = pl.col("Sex") == sex
        if age is not None:
            keep &= pl.col("Age") == age
        if "Category Type" in raw.columns:
            keep &= pl.col("Category Type").fill_null("").is_in(["", "NA"])
        if areas is not None:
            keep &= pl.col("Area Code").is_in(list(areas))
        chosen = raw.filter(keep)
        optional = {
            c: pl.col(c) if c in raw.columns else pl.lit(None) for c in ("Count", "Denominator")
        }
        frame = chosen.select(
            area_code="Area Code",
            area_name="Area Name",
            period="Time period",
            indicator="Indicator Name",
            value="Value",
            numerator=optional["Count"],
            denominator=optional["Denominator"],
            source=pl.concat_str(pl.lit("OHID Fingertips, indicator "), pl.col("Indicator ID")),
        )
        return _tidy(frame, self.name)


# --- LG Inform ----------------------------------------------------------------------------


class LGInformClient:
    """Fetch one metric type from an LG Inform Plus-style API as tidy rows.

    The request is ``{base_url}/data.json?metricType=ID&area=CODES&period=PERIODS
    &rowGrouping=area&columnGrouping=period`` with the application key, following the
    public LG Inform Plus web services. The response read is::

        {"metricType": {"identifier": "1234", "label": "Recycling rate"},
         "columns": [{"period": {"identifier": "fy_2019_20", "label": "2019/20"}}, ...],
         "rows": [{"area": {"identifier": "E08000009", "label": "Trafford"},
                   "values": [{"value": 51.2, "formatted": "51.2"}, ...]}, ...]}

    one value per column, in column order. Assumed rather than taken from the published
    schema: the exact envelope above, that a period's ``label`` is a form pmf's periods read
    (``2019/20``, ``Q1 2024/25``, ``March 2023``), and that a suppressed figure comes as a
    ``null`` value or a ``formatted`` text such as ``*`` or ``x``.

    With an ``application_key`` and its ``secret`` every address is signed
    (:func:`sign_url`); a key without its secret is refused, as the service would refuse
    the request. With neither the address is sent unsigned (a test server, a proxy that
    signs).
    """

    name = "LG Inform"
    base_url = "https://webservices.esd.org.uk"

    def __init__(
        self,
        *,
        transport: Transport = urllib_transport,
        base_url: str | None = None,
        application_key: str = "",
        secret: str = "",
    ):
        if bool(application_key) != bool(secret):
            missing = "secret" if application_key else "application key"
            raise NationalSourceError(
                f"{self.name}: requests are signed with an application key and its secret; "
                f"the {missing} is missing"
            )
        self.transport = transport
        self.application_key = application_key
        self.secret = secret
        if base_url is not None:
            self.base_url = base_url.rstrip("/")

    def url(self, metric_type: str, areas: Sequence[str], periods: str = "latest5") -> str:
        """Return the address of one metric type's values for these areas and periods."""
        query = {
            "metricType": metric_type,
            "area": ",".join(areas),
            "period": periods,
            "rowGrouping": "area",
            "columnGrouping": "period",
        }
        url = f"{self.base_url}/data.json?{urllib.parse.urlencode(query, safe=',')}"
        if self.application_key:
            return sign_url(url, self.application_key, self.secret)
        return url

    def fetch(
        self, metric_type: str, areas: Sequence[str], periods: str = "latest5"
    ) -> pl.DataFrame:
        """Return one metric type's values for the areas and periods as tidy rows."""
        url = self.url(metric_type, areas, periods)
        return self.parse(_fetch(self.transport, url, self.name))

    def parse(self, body: bytes) -> pl.DataFrame:
        """Return tidy rows from an LG Inform JSON body."""
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise NationalSourceError(f"{self.name}: the response is not JSON: {error}") from error
        try:
            metric = payload["metricType"]
            indicator = str(metric["label"])
            metric_id = str(metric["identifier"])
            periods = [str(column["period"]["label"]) for column in payload["columns"]]
            records = []
            for number, row in enumerate(payload["rows"], start=1):
                values = row["values"]
                if len(values) != len(periods):
                    raise NationalSourceError(
                        f"{self.name}: row {number} has {len(values)} values "
                        f"for {len(periods)} periods"
                    )
                for period, cell in zip(periods, values, strict=True):
                    records.append(
                        {
                            "area_code": str(row["area"]["identifier"]),
                            "area_name": str(row["area"]["label"]),
                            "period": period,
                            "indicator": indicator,
                            "value": _lg_value(cell),
                            "source": f"LG Inform, metric type {metric_id}",
                        }
                    )
        except (KeyError, TypeError) as error:
            raise NationalSourceError(
                f"{self.name}: the response is not in the expected shape (missing {error})"
            ) from error
        if not records:
            return empty_tidy()
        return _tidy(pl.DataFrame(records, schema={c: pl.String for c in records[0]}), self.name)


def sign_url(url: str, application_key: str, secret: str) -> str:
    """Return ``url`` signed for the LG Inform Plus (esd) web services.

    ``ApplicationKey`` is added as the last query parameter, then ``Signature``: the base64
    of the HMAC-SHA1, keyed with the secret, of the whole address up to and including the
    key, read with its percent-encoding undone (``+`` as a space), as the esd developer
    tools' examples sign. The signature is percent-encoded in the address.

    >>> sign_url("https://example.org/data.json?metricType=1", "K", "S")
    'https://example.org/data.json?metricType=1&ApplicationKey=K&Signature=ji%2FjfdEIChYYUm1ukKidEauFT9M%3D'
    """
    separator = "&" if "?" in url else "?"
    keyed = f"{url}{separator}ApplicationKey={urllib.parse.quote_plus(application_key)}"
    digest = hmac.new(
        secret.encode("utf-8"), urllib.parse.unquote_plus(keyed).encode("utf-8"), hashlib.sha1
    ).digest()
    signature = base64.b64encode(digest).decode("ascii")
    return f"{keyed}&Signature={urllib.parse.quote(signature, safe='')}"


def _lg_value(cell: Any) -> str | None:
    """Return a cell's figure as text, or None when it is suppressed or missing."""
    if not isinstance(cell, dict):
        raise TypeError("a value object")
    value = cell.get("value")
    if value is None or str(cell.get("formatted", "")).strip() in SUPPRESSED - {""}:
        return None
    return str(value)


# --- To observations ----------------------------------------------------------------------


def to_observations(
    tidy: pl.DataFrame,
    indicator_map: Mapping[str, str],
    *,
    unit_map: Mapping[str, str] | None = None,
    source: str | None = None,
) -> pl.DataFrame:
    """Return a tidy frame's figures as long-format observations ready for ``pmf import``.

    ``indicator_map`` names the measure code of each indicator wanted; other indicators are
    left out, and an indicator in the map with no rows is an error (a misspelt name would
    otherwise import nothing, silently). Areas become units by their code, or through
    ``unit_map`` (area code to unit code), which then also keeps only the areas it names.
    Missing (suppressed) figures are left out.

    >>> tidy = pl.DataFrame({"area_code": ["E08000009", "E08000009"], "area_name": "Trafford",
    ...     "period": ["2019/20", "2020/21"], "indicator": "Recycling", "value": [55.1, None]})
    >>> observations = to_observations(tidy, {"Recycling": "RECYCLING"})
    >>> observations["unit", "measure", "period", "value"].rows()
    [('E08000009', 'RECYCLING', '2019/20', 55.1)]
    """
    missing = [name for name in indicator_map if name not in set(tidy["indicator"].to_list())]
    if missing:
        raise ValueError(f"no rows for indicator {', '.join(repr(m) for m in missing)}")
    frame = tidy.filter(
        pl.col("indicator").is_in(list(indicator_map)) & pl.col("value").is_not_null()
    )
    if unit_map is not None:
        frame = frame.filter(pl.col("area_code").is_in(list(unit_map)))
        unit = pl.col("area_code").replace_strict(dict(unit_map), return_dtype=pl.String)
    else:
        unit = pl.col("area_code")
    if source is not None:
        source_column = pl.lit(source)
    elif "source" in frame.columns:
        source_column = pl.col("source")
    else:
        source_column = pl.lit(None, dtype=pl.String)
    numbers = {
        c: pl.col(c) if c in frame.columns else pl.lit(None) for c in ("numerator", "denominator")
    }
    return (
        frame.select(
            unit=unit,
            measure=pl.col("indicator").replace_strict(dict(indicator_map), return_dtype=pl.String),
            period=pl.col("period"),
            value=pl.col("value").cast(pl.Float64),
            numerator=numbers["numerator"].cast(pl.Float64),
            denominator=numbers["denominator"].cast(pl.Float64),
            source=source_column.cast(pl.String),
        )
        .select(OBSERVATION_COLUMNS)
        .sort("measure", "unit", "period")
    )
