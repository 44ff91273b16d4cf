"""National comparator data: the Trafford files, and two API clients on recorded responses.

The recorded responses in ``data/national/`` were written from the Trafford Data Lab files,
so the figures checked here can be read in ``examples/trafford/data/``. A fake transport
serves them: no test reaches the network.
"""

from __future__ import annotations

import io
import urllib.error
from email.message import Message
from pathlib import Path

import polars as pl
import pytest

from pmf.core.framework import load_framework
from pmf.sources.examples import EXAMPLES_DIR, OBSERVATION_COLUMNS
from pmf.sources.importer import check_table
from pmf.sources.national import (
    NATIONAL_COLUMNS,
    TIDY_COLUMNS,
    FingertipsClient,
    LGInformClient,
    NationalSourceError,
    read_trafford,
    to_observations,
    urllib_transport,
)
from pmf.sources.readers import ROW_NUMBER, Table

RECORDED = Path(__file__).parent / "data" / "national"
TRAFFORD_DATA = EXAMPLES_DIR / "trafford" / "data"
TRAFFORD, STOCKPORT, BURY, ENGLAND = "E08000009", "E08000007", "E08000002", "E92000001"
LE = "Life expectancy at birth"
RECYCLING = "Percentage of household waste sent for reuse, recycling and composting"


class FakeTransport:
    """Serve one recorded file for any address, and remember the addresses asked for."""

    def __init__(self, body: bytes | Exception) -> None:
        self.body = body
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        if isinstance(self.body, Exception):
            raise self.body
        return self.body


def recorded(name: str) -> FakeTransport:
    return FakeTransport((RECORDED / name).read_bytes())


def value(tidy: pl.DataFrame, area: str, period: str, indicator: str | None = None) -> float:
    rows = tidy.filter((pl.col("area_code") == area) & (pl.col("period") == period))
    if indicator is not None:
        rows = rows.filter(pl.col("indicator") == indicator)
    assert rows.height == 1, rows
    found: float = rows["value"][0]
    return found


def http_error(code: int, reason: str) -> urllib.error.HTTPError:
    return urllib.error.HTTPError("https://example.test", code, reason, Message(), io.BytesIO())


# --- Trafford files --------------------------------------------------------------------------


def test_trafford_file_becomes_tidy_rows_with_one_indicator_per_sex() -> None:
    tidy = read_trafford(TRAFFORD_DATA / "life_expectancy.csv")

    assert tuple(tidy.columns) == TIDY_COLUMNS
    assert set(tidy["indicator"]) == {f"{LE}, Male", f"{LE}, Female"}
    assert value(tidy, TRAFFORD, "2016 - 18", f"{LE}, Female") == 83.8
    assert value(tidy, ENGLAND, "2016 - 18", f"{LE}, Male") == 79.6


def test_trafford_periods_become_pmf_period_codes() -> None:
    employment = read_trafford(TRAFFORD_DATA / "employment_rate.csv")
    claimants = read_trafford(TRAFFORD_DATA / "claimant_count.csv")

    # "Oct 2021-Sep 2022" and "March 2023" in the files.
    assert "12 months to September 2022" in set(employment["period"])
    assert "2023-03" in set(claimants["period"])


def test_trafford_file_with_a_count_and_a_percentage_names_them_apart() -> None:
    tidy = read_trafford(TRAFFORD_DATA / "household_waste_recycling.csv", areas=[TRAFFORD])

    indicator = "Household waste sent for reuse, recycling or composting (Percentage)"
    assert value(tidy, TRAFFORD, "2019/20", indicator) == 56.9
    assert set(tidy["area_code"]) == {TRAFFORD}


def test_trafford_unpublished_figure_is_a_missing_value() -> None:
    tidy = read_trafford(TRAFFORD_DATA / "obese_year6.csv", areas=[BURY], strict=False)

    bury = tidy.filter(pl.col("period") == "2019/20")
    assert bury["value"].to_list() == [None]


def test_trafford_period_pmf_cannot_name_is_an_error_unless_left_out() -> None:
    with pytest.raises(NationalSourceError, match=r"obese_year6.csv: unreadable period.*24/25"):
        read_trafford(TRAFFORD_DATA / "obese_year6.csv")

    tidy = read_trafford(TRAFFORD_DATA / "obese_year6.csv", strict=False)
    assert not tidy.filter(pl.col("period").str.contains(" - 24/25", literal=True)).height
    assert "2023/24" in set(tidy["period"])


def test_trafford_file_without_a_value_column_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text("area_code,area_name,period,indicator\nE08000009,Trafford,2019,x\n")

    with pytest.raises(NationalSourceError, match=r"broken.csv.*no value column"):
        read_trafford(broken)


# --- Fingertips ------------------------------------------------------------------------------


def test_fingertips_asks_for_the_indicators_and_area_type() -> None:
    transport = recorded("fingertips_life_expectancy.csv")

    FingertipsClient(transport=transport).fetch([90366], 502, sex="Male")

    assert transport.urls == [
        "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id"
        "?indicator_ids=90366&child_area_type_id=502&parent_area_type_id=15"
    ]


def test_fingertips_keeps_the_chosen_sex_with_real_figures() -> None:
    client = FingertipsClient(transport=recorded("fingertips_life_expectancy.csv"))

    tidy = client.fetch([90366], 502, sex="Male")

    assert tuple(tidy.columns) == TIDY_COLUMNS
    assert tidy.height == 9
    assert set(tidy["indicator"]) == {LE}
    assert value(tidy, TRAFFORD, "2018 - 20") == 80.1
    assert value(tidy, STOCKPORT, "2017 - 19") == 79.7
    assert value(tidy, ENGLAND, "2016 - 18") == 79.6
    assert set(tidy["source"]) == {"OHID Fingertips, indicator 90366"}


def test_fingertips_age_filter_and_areas() -> None:
    client = FingertipsClient(transport=recorded("fingertips_obese_year6.csv"))

    tidy = client.fetch([90323], 502, age="10-11 yrs", areas=[TRAFFORD])
    nothing = client.fetch([90323], 502, age="4-5 yrs")

    assert tidy["value"].to_list() == [17.6, 17.8]
    assert tidy["period"].to_list() == ["2018/19", "2019/20"]
    assert nothing.is_empty()
    assert tuple(nothing.columns) == TIDY_COLUMNS


def test_fingertips_unpublished_figure_is_a_missing_value() -> None:
    client = FingertipsClient(transport=recorded("fingertips_obese_year6.csv"))

    tidy = client.fetch([90323], 502)

    assert tidy.filter(pl.col("value").is_null())["area_code"].to_list() == [BURY]
    assert value(tidy, BURY, "2018/19") == 21.2


def test_fingertips_suppression_marks_counts_and_categories() -> None:
    header = "Indicator ID,Indicator Name,Area Code,Area Name,Sex,Age,Category Type,"
    body = (
        header + "Time period,Value,Count,Denominator\n"
        '1,Rate,E08000009,Trafford,Persons,All ages,,2022/23,"1,234.5",12,"1,000"\n'
        "1,Rate,E08000007,Stockport,Persons,All ages,,2022/23,*,*,x\n"
        "1,Rate,E08000002,Bury,Persons,All ages,,2022/23,x,,\n"
        "1,Rate,E92000001,England,Persons,All ages,Deprivation deciles,2022/23,9,,\n"
    ).encode()

    tidy = FingertipsClient(transport=FakeTransport(body)).fetch([1], 502)

    assert tidy.sort("area_code").select(
        "area_code", "value", "numerator", "denominator"
    ).rows() == [
        (BURY, None, None, None),
        (STOCKPORT, None, None, None),
        (TRAFFORD, 1234.5, 12.0, 1000.0),
    ]


def test_fingertips_http_error_names_the_source_and_status() -> None:
    client = FingertipsClient(transport=FakeTransport(http_error(503, "Service Unavailable")))

    with pytest.raises(NationalSourceError, match=r"^Fingertips: HTTP 503 Service Unavailable"):
        client.fetch([90366], 502)


def test_fingertips_unreachable_host_names_the_source() -> None:
    client = FingertipsClient(transport=FakeTransport(urllib.error.URLError("no route")))

    with pytest.raises(NationalSourceError, match=r"^Fingertips: could not fetch .*no route"):
        client.fetch([90366], 502)


def test_fingertips_payload_without_the_expected_columns_says_which() -> None:
    client = FingertipsClient(transport=FakeTransport(b"<html>Maintenance</html>\n"))

    with pytest.raises(NationalSourceError, match=r"^Fingertips: the response has no 'Indicator"):
        client.fetch([90366], 502)


def test_fingertips_value_that_is_not_a_number_is_named() -> None:
    body = (
        b"Indicator ID,Indicator Name,Area Code,Area Name,Sex,Age,Time period,Value\n"
        b"1,Rate,E08000009,Trafford,Persons,All ages,2022/23,high\n"
    )
    client = FingertipsClient(transport=FakeTransport(body))

    with pytest.raises(NationalSourceError, match=r"^Fingertips: value is not a number: 'high'"):
        client.fetch([1], 502)


def test_fingertips_unreadable_period_is_named() -> None:
    body = (
        b"Indicator ID,Indicator Name,Area Code,Area Name,Sex,Age,Time period,Value\n"
        b"1,Rate,E08000009,Trafford,Persons,All ages,sometime,3\n"
    )
    client = FingertipsClient(transport=FakeTransport(body))

    with pytest.raises(NationalSourceError, match=r"^Fingertips: unreadable period: 'sometime'"):
        client.fetch([1], 502)


# --- LG Inform -------------------------------------------------------------------------------


ADDRESS = (
    "https://webservices.esd.org.uk/data.json?metricType=6985&area=E08000009,E92000001"
    "&period=latest3&rowGrouping=area&columnGrouping=period"
)


def test_lginform_asks_for_the_metric_type_areas_and_periods() -> None:
    transport = recorded("lginform_recycling.json")
    client = LGInformClient(transport=transport)

    client.fetch("6985", [TRAFFORD, ENGLAND], "latest3")

    assert transport.urls == [ADDRESS]


def test_lginform_signs_each_request_with_the_key_and_secret() -> None:
    transport = recorded("lginform_recycling.json")
    client = LGInformClient(transport=transport, application_key="my key", secret="my secret")

    tidy = client.fetch("6985", [TRAFFORD, ENGLAND], "latest3")

    # Derived outside pmf, over the address with the key and its encoding undone ("my key"):
    #   printf '%s' "$ADDRESS&ApplicationKey=my key" \
    #     | openssl dgst -sha1 -hmac 'my secret' -binary | base64
    # gives UpFVpdqh+rCvbWvUinOyPoJE/QE= (hex 529155a5daa1fab0af6d6bd48a73b23e8244fd01).
    assert transport.urls == [
        f"{ADDRESS}&ApplicationKey=my+key&Signature=UpFVpdqh%2BrCvbWvUinOyPoJE%2FQE%3D"
    ]
    assert value(tidy, TRAFFORD, "2019/20") == 56.9  # the recorded response, read as before


def test_lginform_key_without_its_secret_is_refused() -> None:
    with pytest.raises(NationalSourceError, match="the secret is missing"):
        LGInformClient(transport=FakeTransport(b""), application_key="KEY")
    with pytest.raises(NationalSourceError, match="the application key is missing"):
        LGInformClient(transport=FakeTransport(b""), secret="shh")


def test_lginform_values_become_tidy_rows_with_real_figures() -> None:
    client = LGInformClient(transport=recorded("lginform_recycling.json"))

    tidy = client.fetch("6985", [TRAFFORD, STOCKPORT, ENGLAND])

    assert tuple(tidy.columns) == TIDY_COLUMNS
    assert tidy.height == 9
    assert set(tidy["indicator"]) == {RECYCLING}
    assert value(tidy, TRAFFORD, "2019/20") == 56.9
    assert value(tidy, STOCKPORT, "2020/21") == 55.0
    assert value(tidy, ENGLAND, "2021/22") == 42.5
    assert set(tidy["source"]) == {"LG Inform, metric type 6985"}


def test_lginform_suppressed_and_null_values_are_missing() -> None:
    body = (
        b'{"metricType": {"identifier": "1", "label": "Rate"},'
        b' "columns": [{"period": {"identifier": "q", "label": "Q1 2024/25"}},'
        b'             {"period": {"identifier": "m", "label": "2024/25 Q2"}}],'
        b' "rows": [{"area": {"identifier": "E08000009", "label": "Trafford"},'
        b'           "values": [{"value": 3, "formatted": "*"}, {"value": null}]}]}'
    )

    tidy = LGInformClient(transport=FakeTransport(body)).fetch("1", [TRAFFORD])

    assert tidy.select("period", "value").rows() == [("2024/25 Q1", None), ("2024/25 Q2", None)]


def test_lginform_payload_that_is_not_json_is_named() -> None:
    client = LGInformClient(transport=FakeTransport(b"<html>Sign in</html>"))

    with pytest.raises(NationalSourceError, match=r"^LG Inform: the response is not JSON"):
        client.fetch("1", [TRAFFORD])


def test_lginform_payload_in_another_shape_names_what_is_missing() -> None:
    client = LGInformClient(transport=FakeTransport(b'{"metricType": {"label": "Rate"}}'))

    with pytest.raises(NationalSourceError, match=r"^LG Inform: .*expected shape.*'identifier'"):
        client.fetch("1", [TRAFFORD])


def test_lginform_row_with_too_few_values_is_named() -> None:
    body = (
        b'{"metricType": {"identifier": "1", "label": "Rate"},'
        b' "columns": [{"period": {"label": "2019/20"}}, {"period": {"label": "2020/21"}}],'
        b' "rows": [{"area": {"identifier": "E08000009", "label": "Trafford"},'
        b'           "values": [{"value": 3}]}]}'
    )
    client = LGInformClient(transport=FakeTransport(body))

    with pytest.raises(NationalSourceError, match=r"^LG Inform: row 1 has 1 values for 2 periods"):
        client.fetch("1", [TRAFFORD])


def test_lginform_http_error_names_the_source() -> None:
    client = LGInformClient(transport=FakeTransport(http_error(403, "Forbidden")))

    with pytest.raises(NationalSourceError, match=r"^LG Inform: HTTP 403 Forbidden"):
        client.fetch("1", [TRAFFORD])


def test_default_transport_fetches_only_web_addresses() -> None:
    with pytest.raises(NationalSourceError, match="only http and https"):
        urllib_transport("file:///etc/passwd")


# --- To observations -------------------------------------------------------------------------


def test_observations_map_indicators_to_measures_and_leave_out_missing_figures() -> None:
    tidy = FingertipsClient(transport=recorded("fingertips_obese_year6.csv")).fetch([90323], 502)
    name = "Year 6: Prevalence of obesity (including severe obesity)"

    observations = to_observations(tidy, {name: "OBESE_Y6"})

    assert tuple(observations.columns) == OBSERVATION_COLUMNS
    assert observations.height == 5  # six figures, Bury's 2019/20 unpublished
    assert observations.filter(pl.col("unit") == BURY)["period"].to_list() == ["2018/19"]
    assert set(observations["measure"]) == {"OBESE_Y6"}


def test_observations_map_areas_to_units_and_keep_only_those() -> None:
    tidy = LGInformClient(transport=recorded("lginform_recycling.json")).fetch("6985", [])

    observations = to_observations(
        tidy, {RECYCLING: "RECYCLING_RATE"}, unit_map={TRAFFORD: "TRAFFORD"}, source="LGA"
    )

    assert observations.select("unit", "period", "value", "source").rows() == [
        ("TRAFFORD", "2019/20", 56.9, "LGA"),
        ("TRAFFORD", "2020/21", 53.3, "LGA"),
        ("TRAFFORD", "2021/22", 58.8, "LGA"),
    ]


def test_observations_for_an_indicator_with_no_rows_is_an_error() -> None:
    tidy = read_trafford(TRAFFORD_DATA / "life_expectancy.csv")

    with pytest.raises(ValueError, match="no rows for indicator 'Life expectancy'"):
        to_observations(tidy, {"Life expectancy": "LE_MALE"})


def test_trafford_observations_pass_the_import_checks() -> None:
    path = EXAMPLES_DIR / "trafford" / "framework.yaml"
    framework = load_framework(path.read_text(encoding="utf-8"), path.name)
    units = {unit.code for unit in framework.units}
    life = read_trafford(TRAFFORD_DATA / "life_expectancy.csv", areas=units)
    recycling = LGInformClient(transport=recorded("lginform_recycling.json")).fetch("6985", [])
    tidy = pl.concat([life, recycling])

    observations = to_observations(
        tidy, {f"{LE}, Male": "LE_MALE", f"{LE}, Female": "LE_FEMALE", RECYCLING: "RECYCLING_RATE"}
    )
    text = observations.with_columns(pl.all().cast(pl.String)).with_row_index(ROW_NUMBER, offset=2)
    result = check_table(Table("national.csv", list(observations.columns), text), framework)

    assert result.ok, result.problems[:5]
    assert result.observations.height == observations.height
    assert set(NATIONAL_COLUMNS) <= set(tidy.columns)
