"""Read a statutory return's template and write the return: CSV or XLSX, safe to open.

A template is the receiver's own layout (a CSV grid or an XLSX workbook), kept beside the
framework file. ``read_templates`` reads each return's template when the framework is read
and checks it: it can be read, its sheet is there, it holds no formula (a return carries
figures; the receiver reads values, and pmf writes nothing a spreadsheet would run), and every
cell the return fills is empty in it. ``write_return`` fills a copy of the template with a
checked return's numbers: plain numbers only, and in a CSV every text cell neutralised as
``pmf.sources.exporters.neutralise`` does.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pmf.core.cells import column_letters, parse_cell
from pmf.core.framework import Framework, FrameworkError, Problem
from pmf.core.framework.schema import Return
from pmf.core.returns import ReturnCheck, plan
from pmf.sources.exporters import neutralise
from pmf.sources.readers import MAX_XLSX_MEMBERS, MAX_XLSX_RATIO, MAX_XLSX_UNCOMPRESSED

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

# A return's template is a form, not a data file: a few hundred kilobytes at most.
MAX_TEMPLATE_BYTES = 20 * 1024 * 1024


class TemplateError(ValueError):
    """Raise when a template cannot be read or filled; each line names the file and cell."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def read_templates(framework: Framework, path: Path) -> Framework:
    """Return ``framework`` with each return's template read from beside ``path``.

    Raise ``FrameworkError`` naming the template and the cell of every problem.
    """
    if not framework.model.returns:
        return framework
    problems: list[Problem] = []
    templates: list[tuple[str, bytes]] = []
    for index, definition in enumerate(framework.model.returns):
        where = f"returns[{index}].template"
        file = path.parent / definition.template
        try:
            raw = file.read_bytes()
        except OSError as error:
            message = f"{file}: cannot be read: {error.strerror}"
            problems.append(Problem(str(path), 0, where, message))
            continue
        try:
            check_template(definition, raw, str(file))
        except TemplateError as error:
            problems.extend(Problem(str(path), 0, where, line) for line in error.problems)
            continue
        templates.append((definition.code, raw))
    if problems:
        raise FrameworkError(problems)
    return replace(framework, templates=tuple(templates))


def check_template(definition: Return, raw: bytes, name: str) -> None:
    """Raise ``TemplateError`` if the template cannot take the return's figures."""
    if len(raw) > MAX_TEMPLATE_BYTES:
        raise TemplateError([f"{name}: is {len(raw):,} bytes; a template is at most 20 MB"])
    cells = plan(definition)
    period_cell = parse_cell(definition.period_cell) if definition.period_cell else None
    if definition.format == "csv":
        grid = _csv_grid(raw, name)
        problems = [
            f"{name}: {column_letters(column + 1)}{row + 1}: {text!r} starts like a formula; a "
            "template holds no formulas (spreadsheets would run them)"
            for row, line in enumerate(grid)
            for column, text in enumerate(line)
            if neutralise(text) != text
        ]
        for cell in cells:
            held = _grid_cell(grid, cell.row, cell.column)
            if held.strip():
                problems.append(
                    f"{name}: {cell.address}: holds {held!r}; the return fills it with "
                    f"{cell.measure}, so it must be empty in the template"
                )
        if period_cell is not None and _grid_cell(grid, *period_cell).strip():
            problems.append(
                f"{name}: {definition.period_cell}: holds "
                f"{_grid_cell(grid, *period_cell)!r}; the return writes its period there, so "
                "it must be empty in the template"
            )
    else:
        workbook = _workbook(raw, name)
        sheet = _sheet(workbook, definition, name)
        problems = [
            f"{name}: {sheet.title}!{cell.coordinate}: holds a formula; a template holds no "
            "formulas (the receiver reads values, and pmf writes figures, not calculations)"
            for line in sheet.iter_rows()
            for cell in line
            if cell.data_type == "f"
        ]
        for planned in cells:
            value = sheet.cell(row=planned.row, column=planned.column).value
            if value not in (None, ""):
                problems.append(
                    f"{name}: {sheet.title}!{planned.address}: holds {value!r}; the return fills "
                    f"it with {planned.measure}, so it must be empty in the template"
                )
        if period_cell is not None:
            value = sheet.cell(row=period_cell[0], column=period_cell[1]).value
            if value not in (None, ""):
                problems.append(
                    f"{name}: {sheet.title}!{definition.period_cell}: holds {value!r}; the "
                    "return writes its period there, so it must be empty in the template"
                )
    if problems:
        raise TemplateError(problems)


def write_return(definition: Return, raw: bytes, checked: ReturnCheck) -> bytes:
    """Return the template filled with the checked return's numbers, as CSV or XLSX bytes."""
    writes = [(filled.cell.row, filled.cell.column, filled.text) for filled in checked.cells]
    if definition.period_cell is not None:
        writes.append((*parse_cell(definition.period_cell), checked.period))
    if definition.format == "csv":
        grid = _csv_grid(raw, definition.template)
        for at_row, at_column, text in writes:
            row, column = at_row - 1, at_column - 1
            while len(grid) <= row:
                grid.append([])
            line = grid[row]
            while len(line) <= column:
                line.append("")
            line[column] = text
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for line in grid:
            writer.writerow([neutralise(text) for text in line])
        return out.getvalue().encode("utf-8")
    workbook = _workbook(raw, definition.template)
    sheet = _sheet(workbook, definition, definition.template)
    for filled in checked.cells:
        number = filled.number
        if number is None:
            continue
        cell = sheet.cell(row=filled.cell.row, column=filled.cell.column)
        # A number, never text: openpyxl would store text beginning "=" as a formula.
        cell.value = int(number) if float(number).is_integer() else float(number)
    if definition.period_cell is not None:
        sheet[definition.period_cell.upper()] = neutralise(checked.period)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_grid(raw: bytes, name: str) -> list[list[str]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise TemplateError([f"{name}: line {line}: is not UTF-8 text; save it as UTF-8"]) from None
    try:
        return [list(line) for line in csv.reader(io.StringIO(text))]
    except csv.Error as error:
        raise TemplateError([f"{name}: is not a CSV file: {error}"]) from None


def _grid_cell(grid: list[list[str]], row: int, column: int) -> str:
    if row > len(grid) or column > len(grid[row - 1]):
        return ""
    return grid[row - 1][column - 1]


def _workbook(raw: bytes, name: str) -> Workbook:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        raise TemplateError([f"{name}: is not an .xlsx workbook (not a zip archive)"]) from None
    expanded = sum(entry.file_size for entry in entries)
    compressed = sum(entry.compress_size for entry in entries) or 1
    if (
        len(entries) > MAX_XLSX_MEMBERS
        or expanded > MAX_XLSX_UNCOMPRESSED
        or expanded / compressed > MAX_XLSX_RATIO
    ):
        raise TemplateError([f"{name}: refused as a possible zip bomb"])
    try:
        return openpyxl.load_workbook(io.BytesIO(raw))
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise TemplateError([f"{name}: cannot be read as a workbook: {error}"]) from None


def _sheet(workbook: Workbook, definition: Return, name: str) -> Worksheet:
    if definition.sheet is None:
        return workbook.worksheets[0]
    if definition.sheet not in workbook.sheetnames:
        sheets = ", ".join(workbook.sheetnames)
        raise TemplateError([f"{name}: has no sheet {definition.sheet!r}; it has {sheets}"])
    return workbook[definition.sheet]
