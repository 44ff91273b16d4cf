"""Render a ``Document`` as a PowerPoint deck (python-pptx), 16:9, nothing off the slide.

A title slide, then each section from a slide of its own whose title is the section's
numbered heading ("5.0 Current work and performance"); a section too long for one slide
goes on over slides titled "(continued)". Paragraphs and bullet lists are text boxes, tables
real tables (split across slides with the header row repeated), charts the chart's PNG with
its alternative text as the picture's description (``descr``, read by screen readers) and
its figures as a plain-text table in the slide's notes.

python-pptx cannot measure text, so the layout measures it itself with the DejaVu Sans
metrics (wider than Arial, the deck's font, so that a box measured to fit does fit) and
falls back to a generous average width when the font file is missing. Text is plain text:
python-pptx escapes it for the XML, and characters XML cannot hold at all are dropped.
"""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmf.core.i18n import gettext as _
from pmf.reports.document import Bullets, Chart, Document, Paragraph, Section, Table, chart_data

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

# Sizes in points (1/72 inch); a slide 13.333 by 7.5 inches (16:9).
SLIDE_WIDTH = 960.0
SLIDE_HEIGHT = 540.0
MARGIN = 36.0
TITLE_TOP = 22.0
TITLE_HEIGHT = 72.0
CONTENT_TOP = TITLE_TOP + TITLE_HEIGHT + 10.0
CONTENT_BOTTOM = SLIDE_HEIGHT - 30.0
CONTENT_WIDTH = SLIDE_WIDTH - 2 * MARGIN
GAP = 10.0
FONT = "Arial"
BODY_SIZE = 18.0
TABLE_SIZE = 12.0
CAPTION_SIZE = 12.0
LINE = 1.2  # line height as a multiple of the font size
BOX_MARGIN = 4.0  # inside a text box, each side
CELL_MARGIN_X = 5.0
CELL_MARGIN_Y = 3.0
FONT_FILES = {
    False: Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    True: Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
}
# Characters XML 1.0 cannot carry (python-pptx would refuse them): control characters.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """Return ``text`` without the control characters an XML document cannot hold."""
    return _NOT_XML.sub("", text)


@cache
def _font(bold: bool) -> FreeTypeFont | None:
    from PIL import ImageFont

    path = FONT_FILES[bold]
    if not path.exists():
        return None
    # Loaded at 100 points: lengths are divided by 100 for a size of one point.
    return ImageFont.truetype(str(path), 100)


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Return the width of one line of ``text`` in points at ``size``."""
    font = _font(bold)
    if font is None:
        return len(text) * size * (0.68 if bold else 0.62)
    return font.getlength(text) * size / 100


def wrapped(text: str, size: float, width: float, *, bold: bool = False) -> list[str]:
    """Return the lines ``text`` wraps into in a box ``width`` points wide (each paragraph of
    it apart; a word wider than the box is broken)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, size, bold=bold) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            while text_width(word, size, bold=bold) > width and len(word) > 1:
                cut = len(word)
                while cut > 1 and text_width(word[:cut], size, bold=bold) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def text_height(text: str, size: float, width: float, *, bold: bool = False) -> float:
    """Return the height of ``text`` wrapped in a text box ``width`` points wide (margins in)."""
    return len(wrapped(text, size, width - 2 * BOX_MARGIN, bold=bold)) * size * LINE + (
        2 * BOX_MARGIN
    )


@dataclass
class _Slide:
    """A slide being filled: its title, and the room left below what it holds."""

    title: str
    shapes: list[Any] = field(default_factory=list)
    top: float = CONTENT_TOP
    notes: list[str] = field(default_factory=list)

    @property
    def room(self) -> float:
        return CONTENT_BOTTOM - self.top

    @property
    def empty(self) -> bool:
        return not self.shapes


@dataclass(frozen=True)
class _Text:
    top: float
    height: float
    runs: tuple[tuple[tuple[str, bool], ...], ...]  # paragraphs of (text, bold) runs
    size: float
    bullets: bool = False


@dataclass(frozen=True)
class _Picture:
    top: float
    left: float
    width: float
    height: float
    png: bytes
    alt: str
    name: str


@dataclass(frozen=True)
class _Grid:
    top: float
    widths: tuple[float, ...]
    heights: tuple[float, ...]
    rows: tuple[tuple[str, ...], ...]  # the header first


class _Layout:
    """Lay the document's blocks out on slides: the plan ``render_pptx`` then draws."""

    def __init__(self) -> None:
        self.slides: list[_Slide] = []
        self.heading = ""

    def start(self, heading: str) -> _Slide:
        self.heading = heading
        self.slides.append(_Slide(heading))
        return self.slides[-1]

    @property
    def current(self) -> _Slide:
        return self.slides[-1]

    def go_on(self) -> _Slide:
        """Start a slide continuing the current section."""
        self.slides.append(_Slide(_("{heading} (continued)").format(heading=self.heading)))
        return self.slides[-1]

    def room_for(self, height: float) -> _Slide:
        """Return the slide to put something ``height`` high on: the current or a new one."""
        if height > self.current.room and not self.current.empty:
            return self.go_on()
        return self.current

    def text(
        self, paragraphs: list[tuple[tuple[str, bool], ...]], size: float, bullets: bool
    ) -> None:
        """Put paragraphs (or a list's items) on the slides in one text box per slide; a
        paragraph taller than a whole slide is split between sentences (or lines)."""
        indent = 18.0 if bullets else 0.0
        box: _Slide | None = None  # the slide whose last shape is this call's box
        for runs in paragraphs:
            for piece in _pieces(runs, size, CONTENT_WIDTH - indent):
                height = _runs_height(piece, size, CONTENT_WIDTH - indent)
                slide = self.room_for(height - (2 * BOX_MARGIN if box is self.current else 0))
                last = slide.shapes[-1] if slide.shapes else None
                if box is slide and isinstance(last, _Text):
                    # The next paragraph of the same box: one text frame, read in order.
                    extra = height - 2 * BOX_MARGIN
                    slide.shapes[-1] = _Text(
                        last.top, last.height + extra, (*last.runs, piece), size, bullets
                    )
                    slide.top += extra
                else:
                    slide.shapes.append(_Text(slide.top, height, (piece,), size, bullets))
                    slide.top += height
                    box = slide
        self.current.top += GAP

    def caption(self, text: str) -> None:
        height = text_height(text, CAPTION_SIZE, CONTENT_WIDTH, bold=True)
        slide = self.current
        slide.shapes.append(_Text(slide.top, height, (((text, True),),), CAPTION_SIZE))
        slide.top += height

    def table(self, table: Table) -> None:
        """Put a table on the slides, as many rows on each as fit, the header on every one."""
        widths = _column_widths(table)
        header = tuple(clean(cell) for cell in table.header)
        rows = [tuple(clean(cell) for cell in row) for row in table.rows]
        header_height = _row_height(header, widths, bold=True)
        caption = clean(table.caption)
        caption_height = text_height(caption, CAPTION_SIZE, CONTENT_WIDTH, bold=True)
        first_row = _row_height(rows[0], widths) if rows else 0.0
        self.room_for(caption_height + header_height + first_row)
        self.caption(caption)
        index = 0
        while True:
            slide = self.current
            heights = [header_height]
            chosen: list[tuple[str, ...]] = [header]
            while index < len(rows):
                height = _row_height(rows[index], widths)
                # A row taller than a whole slide still goes on a slide of its own.
                if sum(heights) + height > slide.room and len(chosen) > 1:
                    break
                heights.append(height)
                chosen.append(rows[index])
                index += 1
            slide.shapes.append(_Grid(slide.top, widths, tuple(heights), tuple(chosen)))
            slide.top += sum(heights) + GAP
            if index >= len(rows):
                return
            self.go_on()
            self.caption(_("{caption} (continued)").format(caption=caption))

    def chart(self, chart: Chart, data: Table | None) -> None:
        """Put a chart's picture (scaled to fit), its caption below, its figures in the notes."""
        caption = clean(chart.caption)
        caption_height = text_height(caption, CAPTION_SIZE, CONTENT_WIDTH)
        width_px, height_px = png_size(chart.png)
        whole = CONTENT_BOTTOM - CONTENT_TOP - caption_height - GAP
        # Below half a slide's room, a chart is too small to read: it starts a slide.
        if self.current.room - caption_height - GAP < whole / 2 and not self.current.empty:
            self.go_on()
        slide = self.current
        room = slide.room - caption_height - GAP
        scale = min(CONTENT_WIDTH / width_px, room / height_px)
        width, height = width_px * scale, height_px * scale
        alt = clean(chart.alt)
        slide.shapes.append(
            _Picture(
                slide.top,
                MARGIN + (CONTENT_WIDTH - width) / 2,
                width,
                height,
                chart.png,
                alt,
                name=caption[:60] or _("Chart"),
            )
        )
        slide.top += height + 2.0
        slide.shapes.append(_Text(slide.top, caption_height, (((caption, False),),), CAPTION_SIZE))
        slide.top += caption_height + GAP
        slide.notes.append(chart_notes(chart, data))


def chart_notes(chart: Chart, data: Table | None) -> str:
    """Return the notes of a chart: its alternative text and its figures as a text table."""
    lines = [_("Chart: {alt}").format(alt=clean(chart.alt))]
    if data is not None:
        lines.append(_("The figures: {caption}").format(caption=clean(data.caption)))
        lines.extend(" | ".join(clean(cell) for cell in row) for row in (data.header, *data.rows))
    return "\n".join(lines)


def png_size(png: bytes) -> tuple[int, int]:
    """Return a PNG's width and height in pixels, from its header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("a chart's image is not a PNG")
    width, height = struct.unpack(">II", png[16:24])
    return max(int(width), 1), max(int(height), 1)


def _pieces(
    runs: tuple[tuple[str, bool], ...], size: float, width: float
) -> list[tuple[tuple[str, bool], ...]]:
    """Return the paragraph in pieces each short enough for a slide (usually one piece).

    A longer one is cut between its wrapped lines: each piece starts a line, so it wraps
    into the same lines again on its own slide.
    """
    room = CONTENT_BOTTOM - CONTENT_TOP
    if _runs_height(runs, size, width) <= room:
        return [runs]
    bold = any(is_bold for _, is_bold in runs)
    lines = wrapped(" ".join(text for text, _ in runs), size, width - 2 * BOX_MARGIN, bold=bold)
    per_slide = max(int((room - 2 * BOX_MARGIN) // (size * LINE)), 1)
    return [
        ((" ".join(lines[start : start + per_slide]), False),)
        for start in range(0, len(lines), per_slide)
    ]


def _runs_height(runs: tuple[tuple[str, bool], ...], size: float, width: float) -> float:
    # Measured in bold throughout if any run is bold: wider, so never too small.
    bold = any(is_bold for _, is_bold in runs)
    return text_height(" ".join(text for text, _ in runs), size, width, bold=bold)


def _column_widths(table: Table) -> tuple[float, ...]:
    """Return column widths filling the slide, in proportion to each column's longest line
    (capped, so that one long column wraps rather than squeezing the others)."""
    columns = len(table.header)
    wanted = []
    for column in range(columns):
        cells = [table.header[column], *(row[column] for row in table.rows if column < len(row))]
        longest = max(
            (text_width(clean(cell), TABLE_SIZE, bold=True) for cell in cells), default=0.0
        )
        wanted.append(min(max(longest + 2 * CELL_MARGIN_X, 60.0), 320.0))
    total = sum(wanted) or 1.0
    return tuple(CONTENT_WIDTH * share / total for share in wanted)


def _row_height(row: tuple[str, ...], widths: tuple[float, ...], *, bold: bool = False) -> float:
    lines = max(
        (
            len(wrapped(cell, TABLE_SIZE, width - 2 * CELL_MARGIN_X, bold=bold or index == 0))
            for index, (cell, width) in enumerate(zip(row, widths, strict=False))
        ),
        default=1,
    )
    return lines * TABLE_SIZE * LINE + 2 * CELL_MARGIN_Y + 2.0


def plan(document: Document) -> list[_Slide]:
    """Return the slides after the title slide, each with what goes on it and where."""
    layout = _Layout()

    def visit(section: Section) -> None:
        title = clean(section.title)
        layout.start(title)
        if not section.blocks and section.subsections:
            # A section of subsections only: its slide lists them, as a contents page.
            layout.text(
                [((clean(child.title), False),) for child in section.subsections], BODY_SIZE, True
            )
        for index, block in enumerate(section.blocks):
            if isinstance(block, Paragraph):
                runs = ((clean(block.lead), True), (clean(block.text), False))
                layout.text([tuple(run for run in runs if run[0])], BODY_SIZE, False)
            elif isinstance(block, Bullets):
                layout.text([((clean(item), False),) for item in block.items], BODY_SIZE, True)
            elif isinstance(block, Table):
                layout.table(block)
            else:
                layout.chart(block, chart_data(section.blocks, index))
        for child in section.subsections:
            visit(child)

    for section in document.sections:
        visit(section)
    return layout.slides


def render_pptx(document: Document) -> bytes:
    """Return the document as .pptx bytes: a 16:9 deck, a title slide and the sections."""
    from pptx import Presentation
    from pptx.util import Pt

    deck = Presentation()
    deck.slide_width = Pt(SLIDE_WIDTH)
    deck.slide_height = Pt(SLIDE_HEIGHT)
    deck.core_properties.title = clean(document.title)
    deck.core_properties.subject = clean(document.subtitle)
    deck.core_properties.author = clean(document.organisation)
    deck.core_properties.language = document.language
    _title_slide(deck, document)
    for planned in plan(document):
        slide = deck.slides.add_slide(deck.slide_layouts[5])  # "Title Only"
        _title(slide, planned.title)
        for shape in planned.shapes:
            if isinstance(shape, _Text):
                _text_box(slide, shape)
            elif isinstance(shape, _Grid):
                _table(slide, shape)
            else:
                _picture(slide, shape)
        if planned.notes:
            slide.notes_slide.notes_text_frame.text = "\n\n".join(planned.notes)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _title_slide(deck: Any, document: Document) -> None:
    from pptx.enum.text import PP_ALIGN

    slide = deck.slides.add_slide(deck.slide_layouts[0])  # "Title Slide"
    title, subtitle = slide.placeholders[0], slide.placeholders[1]
    lines = [clean(document.subtitle), clean(document.organisation)]
    lines.extend(f"{clean(key)}: {clean(value)}" for key, value in document.meta)
    size = 32.0
    while size > 16 and text_height(clean(document.title), size, CONTENT_WIDTH, bold=True) > 150:
        size -= 2
    _place(title, MARGIN, 60.0, CONTENT_WIDTH, 160.0)
    _fill(title.text_frame, [((clean(document.title), True),)], size)
    body = 18.0
    while body > 10 and sum(text_height(line, body, CONTENT_WIDTH) for line in lines) > 260:
        body -= 1
    _place(subtitle, MARGIN, 240.0, CONTENT_WIDTH, SLIDE_HEIGHT - 240.0 - 30.0)
    _fill(subtitle.text_frame, [((line, False),) for line in lines if line], body)
    for paragraph in (*subtitle.text_frame.paragraphs, *title.text_frame.paragraphs):
        paragraph.alignment = PP_ALIGN.LEFT


def _title(slide: Any, text: str) -> None:
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN

    size = 28.0
    while size > 14 and text_height(text, size, CONTENT_WIDTH, bold=True) > TITLE_HEIGHT:
        size -= 2
    title = slide.shapes.title
    _place(title, MARGIN, TITLE_TOP, CONTENT_WIDTH, TITLE_HEIGHT)
    _fill(title.text_frame, [((text, True),)], size)
    title.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    title.text_frame.vertical_anchor = MSO_ANCHOR.TOP


def _place(shape: Any, left: float, top: float, width: float, height: float) -> None:
    from pptx.util import Pt

    shape.left, shape.top, shape.width, shape.height = Pt(left), Pt(top), Pt(width), Pt(height)


def _fill(frame: Any, paragraphs: list[tuple[tuple[str, bool], ...]], size: float) -> None:
    """Write paragraphs of runs into a text frame: Arial at ``size``, wrapped, no autofit."""
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Pt

    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, Pt(BOX_MARGIN))
    frame.text = ""
    for number, runs in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
        for text, bold in runs:
            run = paragraph.add_run()
            run.text = text if not bold or len(runs) == 1 else f"{text} "
            run.font.size = Pt(size)
            run.font.name = FONT
            run.font.bold = bold


def _text_box(slide: Any, shape: _Text) -> None:
    from pptx.oxml.xmlchemy import OxmlElement
    from pptx.util import Pt

    box = slide.shapes.add_textbox(Pt(MARGIN), Pt(shape.top), Pt(CONTENT_WIDTH), Pt(shape.height))
    _fill(box.text_frame, list(shape.runs), shape.size)
    if shape.bullets:
        for paragraph in box.text_frame.paragraphs:
            properties = paragraph._p.get_or_add_pPr()
            properties.set("marL", str(Pt(18)))
            properties.set("indent", str(-Pt(18)))
            bullet = OxmlElement("a:buChar")
            bullet.set("char", "•")
            properties.append(bullet)


def _table(slide: Any, grid: _Grid) -> None:
    from pptx.util import Pt

    frame = slide.shapes.add_table(
        len(grid.rows),
        len(grid.widths),
        Pt(MARGIN),
        Pt(grid.top),
        Pt(sum(grid.widths)),
        Pt(sum(grid.heights)),
    )
    table = frame.table
    table.first_row = True
    table.first_col = True
    for index, width in enumerate(grid.widths):
        table.columns[index].width = Pt(width)
    for number, (row, height) in enumerate(zip(grid.rows, grid.heights, strict=True)):
        table.rows[number].height = Pt(height)
        for index, text in enumerate(row):
            cell = table.cell(number, index)
            cell.margin_left = cell.margin_right = Pt(CELL_MARGIN_X)
            cell.margin_top = cell.margin_bottom = Pt(CELL_MARGIN_Y)
            cell.text_frame.word_wrap = True
            paragraph = cell.text_frame.paragraphs[0]
            run = paragraph.add_run()
            run.text = text
            run.font.size = Pt(TABLE_SIZE)
            run.font.name = FONT
            run.font.bold = number == 0 or index == 0


def _picture(slide: Any, picture: _Picture) -> None:
    from pptx.util import Pt

    shape = slide.shapes.add_picture(
        io.BytesIO(picture.png),
        Pt(picture.left),
        Pt(picture.top),
        Pt(picture.width),
        Pt(picture.height),
    )
    # The description screen readers read, as Word's docPr descr (pmf.reports.word).
    properties = shape._element.nvPicPr.cNvPr
    properties.set("descr", picture.alt)
    properties.set("name", picture.name)
