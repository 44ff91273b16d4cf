"""Read a rendered page as a person sees it: its visible text and its tables' cells.

For the tests that scan whole pages for what a reader should never meet: an ISO date in the
text, a number of thousands without separators, a column of figures with mixed decimals.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

# Elements whose content is not read as prose: machine-readable or not shown at all.
HIDDEN = {"script", "style", "code", "pre", "template", "textarea", "select", "noscript", "svg"}
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?")
# A number as a table shows it: signs, currency, separators, decimals, a unit after it.
NUMBER = re.compile(
    r"^[-−+]?£?(?P<whole>\d[\d,]*)(?:\.(?P<decimals>\d+))?(?:%| days| hours| min| years)?$"
)
LONG_NUMBER = re.compile(r"(?<![\w.,/:–-])\d{4,}(?:\.\d+)?(?![\w,/:–-])")


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []  # each open element, and whether it hides text
        self.text: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    @property
    def hidden(self) -> bool:
        return any(hides for _, hides in self.open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        # A hint says how to type a field ("As YYYY-MM-DD"): part of the input, not prose.
        self.open.append((tag, tag in HIDDEN or "govuk-hint" in classes))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables and self.tables[-1]:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.open:
            name, _ = self.open.pop()
            if name == tag:
                break
        if tag in ("td", "th") and self.cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)


def read_page(page: str) -> _Reader:
    """Return the page's visible text and tables, parsed."""
    reader = _Reader()
    reader.feed(page)
    reader.close()
    return reader


def visible_text(page: str) -> str:
    """Return the words a person reads on the page: no scripts, code, attributes or inputs."""
    return " ".join(html.unescape(" ".join(read_page(page).text)).split())


def iso_dates(page: str) -> list[str]:
    """Return every ISO date (2025-10-20, 2025-10-20T14:05) in the page's visible text."""
    text = visible_text(page)
    return [
        text[max(0, match.start() - 40) : match.end() + 20] for match in ISO_DATE.finditer(text)
    ]


def bad_numbers(page: str) -> list[str]:
    """Return table cells with a number of thousands written without separators ("426725"),
    a figure with more than four decimals, or a column of figures with mixed decimals."""
    found = []
    for table in read_page(page).tables:
        header, *rows = table or [[]]
        for row in rows:
            for cell in row:
                for match in LONG_NUMBER.finditer(cell):
                    number = match.group(0)
                    if "." not in number and len(number) == 4 and 1900 <= int(number) <= 2100:
                        continue  # a year
                    found.append(f"no separators: {cell!r}")
                decimals = (NUMBER.match(cell) or _NO_MATCH).group("decimals")
                if decimals and len(decimals) > 4:
                    found.append(f"too many decimals: {cell!r}")
        columns = max((len(row) for row in rows), default=0)
        for column in range(columns):
            places = set()
            for row in rows:
                if column < len(row) and (match := NUMBER.match(row[column])):
                    places.add(len(match.group("decimals") or ""))
            if len(places) > 1 and _one_measure(header, column):
                cells = [row[column] for row in rows if column < len(row)]
                found.append(f"mixed decimals in {header[column]!r}: {cells[:6]}")
    return found


class _Nothing:
    def group(self, name: str) -> None:
        return None


_NO_MATCH = _Nothing()


def _one_measure(header: list[str], column: int) -> bool:
    """Say whether a column holds one measure's figures (a scorecard's or a change's do not)."""
    return column < len(header) and bool(header[column]) and header[0] not in ("Measure", "Field")
