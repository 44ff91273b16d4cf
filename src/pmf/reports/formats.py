"""The formats a ``Document`` is written in, by name: one place for the pages and the CLI."""

from __future__ import annotations

from pmf.reports.document import Document

# Format name (also the file extension) → media type.
FORMATS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def render_as(document: Document, fmt: str) -> bytes:
    """Return the document in ``fmt`` (a key of ``FORMATS``); raise ``KeyError`` for others."""
    if fmt not in FORMATS:
        raise KeyError(fmt)
    if fmt == "html":
        from pmf.reports.html import render_html

        return render_html(document).encode("utf-8")
    if fmt == "pdf":
        from pmf.reports.pdf import render_pdf

        return render_pdf(document)
    if fmt == "pptx":
        from pmf.reports.pptx import render_pptx

        return render_pptx(document)
    from pmf.reports.word import render_word

    return render_word(document)
