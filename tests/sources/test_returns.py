"""A return's template read beside the framework file, checked, and filled (CSV and XLSX)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from pmf.core.framework import FrameworkError, Return
from pmf.core.periods import parse_period
from pmf.core.returns import HeldObservation, check
from pmf.sources.frameworks import read_framework_file
from pmf.sources.returns import TemplateError, check_template, write_return
from tests.factories import GOOD

CSV_RETURN = """\
returns:
  - code: CRIMES
    name: Crimes return
    template: returns/crimes.csv
    frequency: month
    period_cell: B1
    rules: {whole: true, min: 0}
    columns:
      - {column: B, measure: CR, part: numerator}
    rows:
      - {row: 3, unit: N}
      - {row: 4, unit: S}
"""
CSV_TEMPLATE = "Month,,\nUnit,Crimes,\nNorth,,\nSouth,,\n"
XLSX_RETURN = CSV_RETURN.replace("returns/crimes.csv", "returns/crimes.xlsx").replace(
    "frequency: month\n", "frequency: month\n    sheet: Data\n"
)
HELD = {
    ("N", "CR", "2019-07"): HeldObservation(6.0, 6.0, 1000.0, "validated"),
    ("S", "CR", "2019-07"): HeldObservation(4.0, 4.0, 1000.0, "validated"),
}


def write_framework(folder: Path, text: str) -> Path:
    (folder / "returns").mkdir(exist_ok=True)
    path = folder / "framework.yaml"
    path.write_text(GOOD + text, encoding="utf-8")
    return path


def workbook_bytes(cells: dict[str, object], title: str = "Data") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for address, value in cells.items():
        sheet[address] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_csv_template_is_read_with_the_framework_and_filled_with_the_figures(
    tmp_path: Path,
) -> None:
    path = write_framework(tmp_path, CSV_RETURN)
    (tmp_path / "returns" / "crimes.csv").write_text(CSV_TEMPLATE, encoding="utf-8")
    framework = read_framework_file(path)
    templates = dict(framework.templates)
    assert templates["CRIMES"] == CSV_TEMPLATE.encode()
    definition = framework.return_("CRIMES")
    checked = check(framework.model, definition, parse_period("2019-07"), HELD)
    made = write_return(definition, templates["CRIMES"], checked).decode()
    assert list(csv.reader(io.StringIO(made))) == [
        ["Month", "2019-07", ""],
        ["Unit", "Crimes", ""],
        ["North", "6", ""],
        ["South", "4", ""],
    ]


def test_a_missing_template_is_a_framework_error_naming_the_file(tmp_path: Path) -> None:
    path = write_framework(tmp_path, CSV_RETURN)
    with pytest.raises(FrameworkError) as raised:
        read_framework_file(path)
    assert "returns[0].template" in str(raised.value)
    assert "crimes.csv: cannot be read" in str(raised.value)


def test_a_template_cell_the_return_fills_must_be_empty(tmp_path: Path) -> None:
    path = write_framework(tmp_path, CSV_RETURN)
    (tmp_path / "returns" / "crimes.csv").write_text(
        "Month,July,\nUnit,Crimes,\nNorth,12,\nSouth,,\n", encoding="utf-8"
    )
    with pytest.raises(FrameworkError) as raised:
        read_framework_file(path)
    text = str(raised.value)
    assert "B3: holds '12'; the return fills it with CR, so it must be empty" in text
    assert "B1: holds 'July'; the return writes its period there" in text


def test_a_template_with_a_formula_is_refused_csv_and_xlsx(tmp_path: Path) -> None:
    path = write_framework(tmp_path, CSV_RETURN)
    (tmp_path / "returns" / "crimes.csv").write_text(
        'Month,,\nUnit,Crimes,\nNorth,,\nSouth,,"=HYPERLINK(""http://x"")"\n', encoding="utf-8"
    )
    with pytest.raises(FrameworkError, match="C4: '=HYPERLINK"):
        read_framework_file(path)
    definition = read_xlsx_definition(tmp_path)
    raw = workbook_bytes({"A1": "Month", "C3": "=SUM(B3:B4)"})
    with pytest.raises(TemplateError, match=r"Data!C3: holds a formula"):
        check_template(definition, raw, "crimes.xlsx")


def read_xlsx_definition(folder: Path) -> Return:
    path = write_framework(folder, XLSX_RETURN)
    (folder / "returns" / "crimes.xlsx").write_bytes(workbook_bytes({"A1": "Month"}))
    return read_framework_file(path).return_("CRIMES")


def test_an_xlsx_template_is_filled_with_numbers_and_its_period(tmp_path: Path) -> None:
    path = write_framework(tmp_path, XLSX_RETURN)
    raw = workbook_bytes({"A1": "Month", "A3": "North", "A4": "South"})
    (tmp_path / "returns" / "crimes.xlsx").write_bytes(raw)
    framework = read_framework_file(path)
    definition = framework.return_("CRIMES")
    checked = check(framework.model, definition, parse_period("2019-07"), HELD)
    made = write_return(definition, dict(framework.templates)["CRIMES"], checked)
    sheet = openpyxl.load_workbook(io.BytesIO(made))["Data"]
    assert (sheet["B1"].value, sheet["B3"].value, sheet["B4"].value) == ("2019-07", 6, 4)
    assert sheet["B3"].data_type == "n"
    assert not [
        cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"
    ]


def test_an_xlsx_template_without_the_named_sheet_is_refused(tmp_path: Path) -> None:
    path = write_framework(tmp_path, XLSX_RETURN)
    (tmp_path / "returns" / "crimes.xlsx").write_bytes(workbook_bytes({}, title="Other"))
    with pytest.raises(FrameworkError, match="has no sheet 'Data'; it has Other"):
        read_framework_file(path)


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = write_framework(tmp_path, XLSX_RETURN)
    (tmp_path / "returns" / "crimes.xlsx").write_bytes(b"not a zip")
    with pytest.raises(FrameworkError, match=r"is not an \.xlsx workbook"):
        read_framework_file(path)


def test_text_the_csv_template_carries_is_neutralised_on_the_way_out() -> None:
    # A label that starts like a formula is refused in a template; but a period or any text
    # pmf writes goes through neutralise too, so nothing written can run.
    from pmf.core.framework import load_framework

    framework = load_framework(GOOD + CSV_RETURN)
    definition = framework.return_("CRIMES")
    checked = check(framework.model, definition, parse_period("2019-07"), HELD)
    made = write_return(definition, b"Month,,\n+x,,\n", checked).decode()
    assert made.splitlines()[1].startswith("'+x")


def test_the_examples_returns_templates_are_read_and_sound() -> None:
    root = Path(__file__).resolve().parents[2] / "examples"
    police = read_framework_file(root / "police" / "framework.yaml")
    trafford = read_framework_file(root / "trafford" / "framework.yaml")
    assert [code for code, _ in police.templates] == ["HO_CRIME"]
    assert [code for code, _ in trafford.templates] == ["PS2"]
    assert len(police.return_("HO_CRIME").rows) == 32
