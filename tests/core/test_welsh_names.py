"""Areas, units, measures and the organisation may carry Welsh names, shown to Welsh readers."""

from __future__ import annotations

import pickle

import pytest

from pmf.core.framework import FrameworkError, load_framework
from pmf.sources.importer import check_table
from pmf.sources.readers import read_table
from tests.factories import GOOD

WELSH = (
    GOOD.replace(
        "{code: TST, name: Test Force}", "{code: TST, name: Test Force, name_cy: Llu Prawf}"
    )
    .replace(
        "name: Emergency response within target\n",
        "name: Emergency response within target\n    name_cy: Ymateb brys o fewn y targed\n"
        "    description_cy: Cyfran yr ymatebion brys o fewn yr amser targed.\n",
    )
    .replace("{code: N, name: North,", "{code: N, name: North, name_cy: Gogledd,")
    .replace(
        "  - code: FOCUS\n    name: FOCUS\n",
        "  - code: FOCUS\n    name: FOCUS\n    name_cy: FFOCWS\n",
    )
)


def test_welsh_readers_see_the_welsh_names_and_the_english_name_where_there_is_none() -> None:
    framework = load_framework(WELSH)
    welsh = framework.in_language("cy")
    assert welsh.measure("ER").name == "Ymateb brys o fewn y targed"
    assert welsh.measure("ER").description.startswith("Cyfran yr ymatebion")
    assert welsh.unit("N").name == "Gogledd"
    assert welsh.area("FOCUS").name == "FFOCWS"
    assert welsh.organisation.name == "Llu Prawf"
    # No Welsh name: the English one.
    assert welsh.unit("S").name == "South"
    assert welsh.measure("CR").name == "Crimes per 1,000"
    assert welsh.area("PEOPLE").name == "INNOVATION"
    # What files are matched by stays English, and so do the codes.
    assert welsh.measure("ER").english_name == "Emergency response within target"
    assert welsh.unit("N").english_name == "North"
    assert welsh.unit("N").code == "N"
    # The web application keeps frameworks in a cache shared by its processes.
    assert pickle.loads(pickle.dumps(welsh)).unit("N").english_name == "North"


def test_english_readers_see_the_english_names() -> None:
    framework = load_framework(WELSH)
    assert framework.in_language("en-gb") is framework
    assert framework.measure("ER").name == "Emergency response within target"
    assert framework.measure("ER").name_cy == "Ymateb brys o fewn y targed"
    assert load_framework(GOOD).in_language("cy").measure("ER").name == (
        "Emergency response within target"
    )


@pytest.mark.parametrize("blank", ["''", "'   '"])
def test_a_blank_welsh_name_is_refused_with_its_place(blank: str) -> None:
    text = GOOD.replace("{code: N, name: North,", f"{{code: N, name: North, name_cy: {blank},")
    with pytest.raises(FrameworkError) as error:
        load_framework(text)
    assert "units[1].name_cy" in str(error.value)
    assert "a Welsh name must have words" in str(error.value)


def test_a_welsh_name_that_is_not_text_is_refused() -> None:
    text = GOOD.replace("{code: N, name: North,", "{code: N, name: North, name_cy: [Gogledd],")
    with pytest.raises(FrameworkError, match=r"units\[1\]\.name_cy"):
        load_framework(text)


def test_a_file_naming_units_and_measures_in_english_is_read_by_a_welsh_reader(
    tmp_path: object,
) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "figures.csv"
    path.write_text(
        "unit,measure,period,value\nNorth,Emergency response within target,2019-07,81\n"
        "Gogledd,Ymateb brys o fewn y targed,2019-08,82\n",
        encoding="utf-8",
    )
    result = check_table(read_table(path), load_framework(WELSH).in_language("cy"))
    assert result.ok, result.problems
    assert result.observations["unit"].to_list() == ["N", "N"]
    assert result.observations["measure"].to_list() == ["ER", "ER"]


def test_the_framework_as_written_is_kept_beside_the_welsh_one() -> None:
    framework = load_framework(WELSH)
    welsh = framework.in_language("cy")
    assert welsh.english.model == framework.model
    assert welsh.english.measure("ER").name == "Emergency response within target"
    assert framework.english is framework
