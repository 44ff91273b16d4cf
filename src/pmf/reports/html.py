"""Render a ``Document`` as one self-contained HTML page, for the browser and for WeasyPrint.

Print styles give A4 pages with running headers and page numbers, a contents list with page
numbers (WeasyPrint's ``target-counter``), headings that never end a page, and tables whose
rows are not split. Everything written comes through ``escape``; figures are pmf's own SVG
(Vega's renderer or the tube map), never user text.
"""

from __future__ import annotations

import re
from html import escape

from pmf.core.i18n import gettext as _
from pmf.reports.document import Bullets, Chart, Document, Paragraph, Section, Table

STYLE = """
@page { size: A4; margin: 22mm 18mm 20mm 18mm;
  @top-left { content: string(paper-title); font-size: 8pt; color: #505a5f; }
  @bottom-right { content: PAGE_NUMBER; font-size: 8pt; } }
@page :first { @top-left { content: none; } }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; line-height: 1.4;
  color: #0b0c0c; }
h1 { string-set: paper-title content(); font-size: 20pt; margin: 0 0 4mm; }
h2 { font-size: 14pt; margin: 8mm 0 3mm; break-after: avoid; }
h3 { font-size: 12pt; margin: 6mm 0 2mm; break-after: avoid; }
h4 { font-size: 10.5pt; margin: 4mm 0 2mm; break-after: avoid; }
.subtitle { font-size: 12pt; color: #505a5f; margin: 0 0 6mm; }
.meta { border-collapse: collapse; margin: 0 0 6mm; }
.meta th { text-align: left; padding: 1mm 4mm 1mm 0; }
table.data { border-collapse: collapse; width: 100%; margin: 2mm 0 5mm; font-size: 8.5pt; }
table.data caption { text-align: left; font-weight: bold; margin-bottom: 1.5mm; }
table.data th, table.data td { border-bottom: 1px solid #b1b4b6; padding: 1.2mm 2mm 1.2mm 0;
  text-align: left; vertical-align: top; }
table.data tr { break-inside: avoid; }
table.data thead { display: table-header-group; }
figure { margin: 3mm 0 6mm; break-inside: avoid; }
figure svg, figure img { max-width: 100%; height: auto; }
figcaption { font-size: 8.5pt; color: #505a5f; }
nav.contents ol { list-style: none; padding: 0; }
nav.contents li { margin: 0.8mm 0; }
nav.contents li.depth-2 { padding-left: 6mm; }
nav.contents a { color: #0b0c0c; text-decoration: none; }
nav.contents a::after { content: leader('.') target-counter(attr(href), page); }
.lead { font-weight: bold; }
th .icons { display: block; }
th .icons svg { vertical-align: middle; margin-right: 1mm; }
section.appendix { break-before: page; }
@media screen { body { max-width: 960px; margin: 2em auto; padding: 0 1em; }
  nav.contents a::after { content: none; }
  nav.contents a { display: inline-block; min-height: 24px; padding: 2px 0; } }
"""


def paper_style(words: str = "") -> str:
    """Return the paper's style sheet, its page numbers written with ``words`` ("Page {page} of
    {pages}", the active language's by default; ``RendererWords.page``).

    >>> 'content: "Page " counter(page) " of " counter(pages);' in paper_style()
    True
    """
    words = words or _("Page {page} of {pages}")
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    content = " ".join(
        counters.get(piece) or _css_string(piece)
        for piece in re.split(r"(\{pages?\})", words)
        if piece
    )
    return STYLE.replace("PAGE_NUMBER", content)


def _css_string(text: str) -> str:
    """Return ``text`` as a CSS string, quoted, its quotes and backslashes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_html(document: Document) -> str:
    """Return the document as a standalone HTML page, in the document's language."""
    anchors = {id(section): f"s{index}" for index, (_depth, section) in enumerate(document.walk())}
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(document.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(document.title)}</title>",
        f"<style>{paper_style(document.words.page)}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(document.title)}</h1>",
        f'<p class="subtitle">{escape(document.subtitle)}</p>',
    ]
    if document.meta:
        parts.append('<table class="meta">')
        parts.extend(
            f'<tr><th scope="row">{escape(key)}</th><td>{escape(value)}</td></tr>'
            for key, value in document.meta
        )
        parts.append("</table>")
    parts.append("</header>")
    parts.append('<nav class="contents" aria-labelledby="contents-title">')
    parts.append(f'<h2 id="contents-title">{escape(document.words.contents)}</h2><ol>')
    for depth, section in document.walk():
        if depth <= 2:
            parts.append(
                f'<li class="depth-{depth}"><a href="#{anchors[id(section)]}">'
                f"{escape(section.title)}</a></li>"
            )
    parts.append("</ol></nav>")
    parts.append("<main>")
    for section in document.sections:
        parts.append(_section(section, 2, anchors))
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _section(section: Section, level: int, anchors: dict[int, str]) -> str:
    appendix = ' class="appendix"' if section.is_appendix else ""
    heading = min(level, 6)
    parts = [
        f'<section{appendix} aria-labelledby="{anchors[id(section)]}">',
        f'<h{heading} id="{anchors[id(section)]}">{escape(section.title)}</h{heading}>',
    ]
    parts.extend(_block(block) for block in section.blocks)
    parts.extend(_section(child, level + 1, anchors) for child in section.subsections)
    parts.append("</section>")
    return "\n".join(parts)


def _block(block: Paragraph | Bullets | Table | Chart) -> str:
    if isinstance(block, Paragraph):
        lead = f'<span class="lead">{escape(block.lead)}</span> ' if block.lead else ""
        return f"<p>{lead}{escape(block.text)}</p>"
    if isinstance(block, Bullets):
        items = "".join(f"<li>{escape(item)}</li>" for item in block.items)
        return f"<ul>{items}</ul>"
    if isinstance(block, Table):
        head = "".join(
            f'<th scope="col">{_icon(block.header_icons, index)}{escape(cell)}</th>'
            for index, cell in enumerate(block.header)
        )
        body = "".join(
            "<tr>"
            + "".join(
                f'<th scope="row">{_icon(block.row_icons, number)}{escape(cell)}</th>'
                if index == 0
                else f"<td>{escape(cell)}</td>"
                for index, cell in enumerate(row)
            )
            + "</tr>"
            for number, row in enumerate(block.rows)
        )
        return (
            f'<table class="data"><caption>{escape(block.caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )
    return (
        f'<figure><div role="img" aria-label="{escape(block.alt)}">{_svg_without_prolog(block.svg)}'
        f"</div><figcaption>{escape(block.caption)}</figcaption></figure>"
    )


def _icon(icons: tuple[str, ...], index: int) -> str:
    """Return the icon of a header cell (pmf's own SVG, see ``Table.header_icons``) or ""."""
    return (
        f'<span class="icons">{icons[index]}</span> ' if index < len(icons) and icons[index] else ""
    )


def _svg_without_prolog(svg: str) -> str:
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else ""
