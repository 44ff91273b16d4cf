"""Golden tests: import the real published files through `pmf import` as a user would."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from pmf.cli import main
from pmf.web.observations.models import Observation

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LONDON = EXAMPLES / "police" / "data" / "mps_borough_crime_2023_2025.csv"
AE = EXAMPLES / "nhs_ae" / "data" / "ae_attendances.csv"


def code_of(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper()[:60]


def london_framework(path: Path) -> Path:
    """Write a framework with every borough and minor crime category of the real file."""
    with LONDON.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    boroughs = sorted({row["BoroughName"] for row in rows} - {"Unknown"})
    categories = sorted({row["MinorText"] for row in rows})
    lines = [
        "organisation: {code: MPS, name: Metropolitan Police Service}",
        "areas: [{code: FOCUS, name: FOCUS}]",
        "units:",
        "  - {code: MPS, name: Metropolitan Police Service, type: force}",
    ]
    lines += [
        f'  - {{code: {code_of(b)}, name: "{b}", type: borough, parent: MPS}}' for b in boroughs
    ]
    lines.append("measures:")
    lines += [
        f'  - {{code: {code_of(c)}, name: "{c}", area: FOCUS, kind: context, '
        "polarity: lower_is_better, unit_of_measure: count, frequency: month, decimals: 0, "
        "rollup: sum}"
        for c in categories
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_wide_london_file_reports_every_unknown_borough_and_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["framework", "load", str(london_framework(tmp_path / "f.yaml"))]) == 0
    with LONDON.open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        unknown = [
            (number, row) for number, row in enumerate(reader, start=2) if row[2] == "Unknown"
        ]
    expected_cells = sum(1 for _, row in unknown for cell in row[3:] if cell.strip())
    status = main(
        [
            "import",
            str(LONDON),
            "--map",
            "unit=BoroughName",
            "--map",
            "measure=MinorText",
            "--ignore",
            "MajorText",
            "--errors",
            str(tmp_path / "errors.csv"),
        ]
    )
    assert status == 1
    assert f"{expected_cells:,} problems; nothing was stored." in capsys.readouterr().err
    errors = list(csv.DictReader((tmp_path / "errors.csv").open(encoding="utf-8")))
    assert len(errors) == expected_cells
    assert {int(error["row"]) for error in errors} == {number for number, _ in unknown}
    assert {error["column"] for error in errors} == {"BoroughName"}
    assert errors[0]["reason"] == "is not a unit of MPS (by code or name)"
    assert Observation.objects.count() == 0
    assert header[3] == "202312"


def test_wide_london_file_without_unknown_rows_imports_every_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["framework", "load", str(london_framework(tmp_path / "f.yaml"))])
    known = tmp_path / "known.csv"
    with (
        LONDON.open(encoding="utf-8") as source,
        known.open("w", encoding="utf-8", newline="") as target,
    ):
        reader, writer = csv.reader(source), csv.writer(target)
        writer.writerow(next(reader))
        kept = [row for row in reader if row[2] != "Unknown"]
        writer.writerows(kept)
    cells = sum(1 for row in kept for cell in row[3:] if cell.strip())
    args = [
        "import",
        str(known),
        "--map",
        "unit=BoroughName",
        "--map",
        "measure=MinorText",
        "--ignore",
        "MajorText",
    ]
    assert main(args) == 0
    assert f"{cells:,} rows read: {cells:,} added" in capsys.readouterr().out
    westminster_rape = next(row for row in kept if row[2] == "Westminster" and row[1] == "RAPE")
    stored = Observation.objects.get(
        unit__name="Westminster", measure__code="RAPE", period="2024-07"
    )
    assert stored.value == float(westminster_rape[3 + 7])  # 202312 + 7 months = 202407
    assert main(args) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_long_nhs_file_imports_one_measure_with_a_column_mapping(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with AE.open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["type"] == "1"]
    providers = sorted({row["org_code"] for row in rows})
    framework = tmp_path / "ae.yaml"
    framework.write_text(
        "organisation: {code: ENG, name: NHS England}\n"
        "areas: [{code: ACCESS, name: ACCESS}]\n"
        "units:\n  - {code: ENG, name: England, type: country}\n"
        + "".join(f"  - {{code: {p}, name: {p}, type: provider, parent: ENG}}\n" for p in providers)
        + "measures:\n  - {code: ATT1, name: Type 1 attendances, area: ACCESS, kind: context, "
        "polarity: neither, unit_of_measure: count, frequency: month, rollup: sum}\n",
        encoding="utf-8",
    )
    figures = tmp_path / "type1.csv"
    with figures.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["period", "org_code", "measure", "attendances"])
        writer.writerows(
            [row["period"], row["org_code"], "ATT1", row["attendances"]] for row in rows
        )
    main(["framework", "load", str(framework)])
    assert (
        main(["import", str(figures), "--map", "unit=org_code", "--map", "value=attendances"]) == 0
    )
    assert f"{len(rows):,} rows read: {len(rows):,} added" in capsys.readouterr().out
    first = rows[0]
    stored = Observation.objects.get(unit__code=first["org_code"], period=first["period"][:7])
    assert stored.value == float(first["attendances"])
