"""Render a ``Document`` as a tagged, accessible PDF with WeasyPrint (from its HTML)."""

from __future__ import annotations

from pmf.reports.document import Document
from pmf.reports.html import render_html


def render_pdf(document: Document) -> bytes:
    """Return the document as PDF bytes: A4, page numbers, contents, tagged (PDF/UA-1)."""
    from weasyprint import HTML

    html = HTML(string=render_html(document))
    # WeasyPrint has no type hints: write_pdf without a target returns the PDF's bytes.
    return html.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False)  # type: ignore[no-any-return]
