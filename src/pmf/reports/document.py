"""One document model for every paper pmf writes, rendered to HTML, PDF and Word alike.

A document is a title page's worth of metadata and numbered sections; a section holds
blocks (paragraphs, bullet lists, tables, figures) and subsections. Builders (the board
paper, the exception report) make a ``Document``; the renderers in ``pmf.reports.html``,
``pmf.reports.pdf`` and ``pmf.reports.word`` turn it into a file. Text is plain text: each
renderer escapes it for its format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pmf.core.i18n import gettext as _
from pmf.core.i18n import gettext_noop

APPENDIX_NUMBERS = (
    gettext_noop("Appendix One"),
    gettext_noop("Appendix Two"),
    gettext_noop("Appendix Three"),
    gettext_noop("Appendix Four"),
    gettext_noop("Appendix Five"),
    gettext_noop("Appendix Six"),
    gettext_noop("Appendix Seven"),
    gettext_noop("Appendix Eight"),
    gettext_noop("Appendix Nine"),
    gettext_noop("Appendix Ten"),
)
"""The appendices' names in words, as the seed papers number them (translated when shown)."""


def appendix_number(position: int) -> str:
    """Return the name of the appendix at ``position`` (1 for the first) in the reader's language.

    >>> appendix_number(4)
    'Appendix Four'
    """
    if 1 <= position <= len(APPENDIX_NUMBERS):
        return _(APPENDIX_NUMBERS[position - 1])
    return _("Appendix {number}").format(number=position)


def language_tag(language: str | None) -> str:
    """Return the language tag a paper is marked with: ``cy`` for Welsh, else ``en-GB``.

    >>> language_tag("cy"), language_tag("en-gb"), language_tag(None)
    ('cy', 'en-GB', 'en-GB')
    """
    return "cy" if language and language.lower().split("-")[0] == "cy" else "en-GB"


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text; ``lead`` is shown in bold before it ("Redlines")."""

    text: str
    lead: str = ""


@dataclass(frozen=True)
class Bullets:
    """A bullet list of plain-text items."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table with a caption, a header row and body rows; the first column heads each row."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    header_icons: tuple[str, ...] = ()
    """Inline SVG shown before each header cell's text in HTML and PDF ("" for none): pmf's
    own drawings (``pmf.reports.charts.mdc_icons``), each with its accessible name, never
    user text. Word shows the text alone."""
    row_icons: tuple[str, ...] = ()
    """Inline SVG before each row's first cell, as ``header_icons``."""


@dataclass(frozen=True)
class Chart:
    """A chart as SVG (HTML and PDF) and PNG (Word), with its alternative text and caption.

    The data behind every figure is also in a table of the document, so that nobody needs
    to see the chart to read the paper.
    """

    svg: str
    png: bytes
    alt: str
    caption: str
    width_mm: float = 160.0
    data: Table | None = None
    """The chart's figures, when they are not the table that follows it (see ``chart_data``)."""


Block = Paragraph | Bullets | Table | Chart


def chart_data(blocks: tuple[Block, ...], index: int) -> Table | None:
    """Return the figures of the chart at ``blocks[index]``: its own ``data``, else the table
    that follows it (every builder puts a chart's table straight after it), else None."""
    chart = blocks[index]
    if not isinstance(chart, Chart):
        return None
    if chart.data is not None:
        return chart.data
    following = blocks[index + 1] if index + 1 < len(blocks) else None
    return following if isinstance(following, Table) else None


@dataclass(frozen=True)
class Section:
    """A numbered section ("5.0") or an appendix ("Appendix One"), with its blocks.

    An appendix starts a new page; it is one when ``appendix`` is set (its number then in
    the reader's language, ``appendix_number``) or its number starts with "Appendix".
    """

    number: str
    heading: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()
    appendix: bool = False

    @property
    def is_appendix(self) -> bool:
        """Return whether the section is an appendix (which starts a new page)."""
        return self.appendix or self.number.lower().startswith("appendix")

    @property
    def title(self) -> str:
        """Return the heading with its number: "5.0 Current work and performance"."""
        if self.is_appendix:
            return f"{self.number} – {self.heading}"
        return f"{self.number} {self.heading}".strip()


@dataclass(frozen=True)
class RendererWords:
    """The renderers' own words (the contents' heading, the page numbers), in the language
    the document was built in: a document renders in its own language, whatever is active."""

    contents: str
    page: str
    """The page number, with ``{page}`` and ``{pages}``: "Page {page} of {pages}"."""


def renderer_words() -> RendererWords:
    """Return the renderers' words in the active language."""
    return RendererWords(contents=_("Contents"), page=_("Page {page} of {pages}"))


@dataclass(frozen=True)
class Document:
    """A whole paper: its title, who it is for, and its sections in order."""

    title: str
    subtitle: str
    organisation: str
    meta: tuple[tuple[str, str], ...] = ()
    sections: tuple[Section, ...] = field(default_factory=tuple)
    language: str = "en-GB"
    """The language the paper is written in, as a tag (``language_tag``): HTML's ``lang``,
    the PDF's and the Word file's language."""
    words: RendererWords = field(default_factory=renderer_words)
    """The renderers' words, in the language active when the document was made."""

    def walk(self) -> list[tuple[int, Section]]:
        """Return every section with its depth (1 for top-level), in reading order."""
        found: list[tuple[int, Section]] = []

        def visit(section: Section, depth: int) -> None:
            found.append((depth, section))
            for child in section.subsections:
                visit(child, depth + 1)

        for section in self.sections:
            visit(section, 1)
        return found

    def text(self) -> str:
        """Return all the document's words as plain text, for searching and for tests."""
        lines = [self.title, self.subtitle]
        for _depth, section in self.walk():
            lines.append(section.title)
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    lines.append(f"{block.lead} {block.text}".strip())
                elif isinstance(block, Bullets):
                    lines.extend(block.items)
                elif isinstance(block, Table):
                    lines.append(block.caption)
                    lines.extend(" | ".join(row) for row in (block.header, *block.rows))
                else:
                    lines.append(block.caption)
        return "\n".join(lines)
