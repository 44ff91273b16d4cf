"""Render people's Markdown (rationale, comments) safely: no raw HTML, no script links.

markdown-it-py runs in CommonMark's safe preset with raw HTML off (it is escaped) and its
link check refusing ``javascript:``, ``vbscript:``, ``file:`` and ``data:`` URLs; nh3 (the
ammonia sanitiser) then keeps only the tags and attributes Markdown needs, as a second line.
Headings are shifted down so that text in a page never competes with the page's own headings.
"""

from __future__ import annotations

import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

register = template.Library()

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre",
    "h3", "h4", "h5", "h6", "a", "hr",
}  # fmt: skip
ATTRIBUTES = {"a": {"href"}}
CLASSES = {
    "p": "govuk-body",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "h3": "govuk-heading-s",
    "h4": "govuk-heading-s",
    "a": "govuk-link",
}


def render_markdown(text: str) -> str:
    """Return sanitised HTML for Markdown ``text``.

    >>> print(render_markdown("## Redlines\\n\\n- A **met**\\n\\n<script>alert(1)</script>"))
    <h3 class="govuk-heading-s">Redlines</h3>
    <ul class="govuk-list govuk-list--bullet">
    <li>A <strong>met</strong></li>
    </ul>
    <p class="govuk-body">&lt;script&gt;alert(1)&lt;/script&gt;</p>
    <BLANKLINE>
    >>> render_markdown("[x](javascript:alert(1))")
    '<p class="govuk-body">[x](javascript:alert(1))</p>\\n'
    """
    tokens = _MARKDOWN.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + 1, 6)  # a "#" in text is at most an h3 on the page
            token.tag = f"h{max(level, 3)}"
        if token.nesting >= 0 and token.tag in CLASSES and token.type.endswith("_open"):
            token.attrSet("class", CLASSES[token.tag])
    html = _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})
    return nh3.clean(
        html,
        tags=TAGS,
        attributes={**ATTRIBUTES, **{tag: {"class"} for tag in CLASSES}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render Markdown ``text`` as sanitised HTML (see ``render_markdown``)."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 just above
