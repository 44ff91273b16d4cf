"""Every table of every page as an Excel workbook: add ``export=xlsx`` to the page's address.

The page is made by its own view, with its own permission checks, exactly as for the
browser; this middleware then reads the tables out of the HTML (one sheet per table, named
from its caption) instead of sending the page. Text that a spreadsheet would run as a
formula is neutralised; plain numbers become numbers.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from html.parser import HTMLParser

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from pmf.sources.exporters import neutralise

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A plain number, or one with thousands separators as the pages write counts ("426,725"):
# both are numbers in the workbook, not text.
_NUMBER = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")


class _Tables(HTMLParser):
    """Collect each <table>'s caption and rows of cell texts (header and body alike)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._depth = 0
        self._caption: list[str] | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._hidden = 0
        self._sups: list[bool] = []  # whether each open <sup> is hidden (a figure's mark)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append(("", []))
        elif self._depth != 1:
            return
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag in ("svg", "script", "style"):
            self._hidden += 1
        elif tag == "sup":
            # A figure's mark letter is aria-hidden; its words follow it for every reader.
            self._sups.append(("aria-hidden", "true") in attrs)
            self._hidden += self._sups[-1]

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._depth -= 1
        elif self._depth != 1:
            return
        elif tag == "caption" and self._caption is not None:
            _, rows = self.tables[-1]
            self.tables[-1] = (_squash("".join(self._caption)), rows)
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(_squash("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][1].append(self._row)
            self._row = None
        elif tag in ("svg", "script", "style"):
            self._hidden = max(0, self._hidden - 1)
        elif tag == "sup" and self._sups:
            self._hidden = max(0, self._hidden - self._sups.pop())

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)


def _squash(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # Control characters cannot be stored in a workbook at all: drop them, not the export.
    return " ".join(ILLEGAL_CHARACTERS_RE.sub("", text).split())


def tables_workbook(html: str) -> bytes:
    """Return an XLSX workbook with one sheet per table of ``html``."""
    from openpyxl import Workbook

    parser = _Tables()
    parser.feed(html)
    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook starts with
    used: set[str] = set()
    for index, (caption, rows) in enumerate(parser.tables, start=1):
        title = re.sub(r"[\[\]:*?/\\]", " ", caption or f"Table {index}")[:28].strip() or "Table"
        name, suffix = title, 2
        while name.lower() in used:
            name, suffix = f"{title[:25]} {suffix}", suffix + 1
        used.add(name.lower())
        sheet = book.create_sheet(name)
        if caption:
            sheet.append([neutralise(caption)])
        for row in rows:
            sheet.append(
                [
                    float(cell.replace(",", "")) if _NUMBER.fullmatch(cell) else neutralise(cell)
                    for cell in row
                ]
            )
    if not parser.tables:
        book.create_sheet(_("No tables")).append([_("This page has no tables.")])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class ExcelExportMiddleware:
    """Turn a page's HTML into an Excel workbook of its tables when ``export=xlsx`` is asked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method != "GET"
            or request.GET.get("export") != "xlsx"
            or response.status_code != 200
            or not response.get("Content-Type", "").startswith("text/html")
            or getattr(response, "streaming", False)
        ):
            return response
        workbook = tables_workbook(response.content.decode(response.charset or "utf-8"))
        name = re.sub(r"[^A-Za-z0-9]+", "-", request.path).strip("-") or "pmf"
        exported = HttpResponse(workbook, content_type=XLSX)
        exported["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return exported
