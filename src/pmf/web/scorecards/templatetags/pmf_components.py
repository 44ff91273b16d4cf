"""The Design System's components that pages fill in: breadcrumbs and an error summary of items.

Their markup lives once, in ``templates/components/``; these tags gather what a page puts in
them, as notifications-admin's macros do:

- ``{% breadcrumbs %}{% crumb URL-NAME ARGS... %}TEXT{% endcrumb %}...{% endbreadcrumbs %}``:
  the trail above the page's heading. A crumb with a URL name and its arguments (as
  ``{% url %}`` takes them) or an ``href="..."`` links to that page; the last, the page
  itself, is ``{% crumb %}TEXT{% endcrumb %}``, named without a link. Crumbs may sit inside
  ``{% if %}``: only those rendered are in the trail.
- ``{% problems %}<li>...</li>{% endproblems %}``: the error summary with the items the page
  writes itself, when they link to particular places (a row, a file's column) rather than
  to form fields; ``{% error_summary %}`` (pmf_forms) words and links a list of problems.
  ``alert=False`` leaves out ``role="alert"`` where a live region on the page already says
  what went wrong.
- ``{% tag colour="red" %}overdue{% endtag %}``: a tag, coloured by the Design System's
  colour (``red``, ``green``, ``grey``...), a grade (``grade=``) or a RAG rating (``rag=``);
  without one, the Design System's own blue.
- ``{% table columns="Risk|Unit|Score:numeric" caption="m" %}CAPTION{% rows %}<tr>...
  {% endtable %}``: a table with its caption (``m`` or ``s`` for a heading's size,
  ``hidden`` for screen readers only) and column headers (``:numeric`` right-aligns one),
  then the rows the page writes; ``classes`` and ``id`` go on the table.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, Node, NodeList, Parser, Token
from django.template.context import Context
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

TRAIL = "_pmf_breadcrumbs"


def _arguments(
    parser: Parser, bits: list[str]
) -> tuple[list[FilterExpression], dict[str, FilterExpression]]:
    args: list[FilterExpression] = []
    kwargs: dict[str, FilterExpression] = {}
    for bit in bits:
        key, equals, value = bit.partition("=")
        if equals and key.isidentifier():
            kwargs[key] = parser.compile_filter(value)
        else:
            args.append(parser.compile_filter(bit))
    return args, kwargs


class BreadcrumbsNode(Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        items: list[dict[str, Any]] = []
        with context.push({TRAIL: items}):
            self.nodelist.render(context)  # each crumb adds itself to the trail
        html = render_to_string("components/breadcrumbs.html", {"items": items})
        return mark_safe(html)  # noqa: S308 - our template's output, escaped there


class CrumbNode(Node):
    def __init__(
        self,
        args: list[FilterExpression],
        kwargs: dict[str, FilterExpression],
        nodelist: NodeList,
    ) -> None:
        self.args = args
        self.kwargs = kwargs
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        trail: list[dict[str, Any]] | None = context.get(TRAIL)
        if trail is None:
            raise template.TemplateSyntaxError("crumb belongs inside {% breadcrumbs %}")
        route = [arg.resolve(context) for arg in self.args]
        options = {key: value.resolve(context) for key, value in self.kwargs.items()}
        href = options.pop("href", "")
        if route:
            name, *args = route
            href = reverse(str(name), args=args or None, kwargs=options or None)
        text = mark_safe(self.nodelist.render(context).strip())  # noqa: S308 - the template's own output
        trail.append({"text": text, "href": href})
        return ""


@register.tag
def breadcrumbs(parser: Parser, token: Token) -> BreadcrumbsNode:
    """``{% breadcrumbs %}{% crumb ... %}...{% endbreadcrumbs %}``: the page's trail."""
    nodelist = parser.parse(("endbreadcrumbs",))
    parser.delete_first_token()
    return BreadcrumbsNode(nodelist)


@register.tag
def crumb(parser: Parser, token: Token) -> CrumbNode:
    """``{% crumb [URL-NAME ARG ... | href=URL] %}TEXT{% endcrumb %}``: one step of the trail.

    The URL name and its arguments are those ``{% url %}`` takes; without them or an
    ``href``, the crumb names the page itself, unlinked.
    """
    args, kwargs = _arguments(parser, token.split_contents()[1:])
    nodelist = parser.parse(("endcrumb",))
    parser.delete_first_token()
    return CrumbNode(args, kwargs, nodelist)


class ProblemsNode(Node):
    def __init__(self, nodelist: NodeList, kwargs: dict[str, FilterExpression]) -> None:
        self.nodelist = nodelist
        self.kwargs = kwargs

    def render(self, context: Context) -> SafeString:
        alert = self.kwargs["alert"].resolve(context) if "alert" in self.kwargs else True
        listed = mark_safe(self.nodelist.render(context))  # noqa: S308 - the template's own output
        html = render_to_string(
            "components/error_summary.html", {"listed": listed, "quiet": not alert}
        )
        return mark_safe(html)  # noqa: S308 - our template's output, escaped there


@register.tag
def problems(parser: Parser, token: Token) -> ProblemsNode:
    """``{% problems [alert=False] %}<li>...</li>{% endproblems %}``: an error summary of these."""
    _args, kwargs = _arguments(parser, token.split_contents()[1:])
    nodelist = parser.parse(("endproblems",))
    parser.delete_first_token()
    return ProblemsNode(nodelist, kwargs)


TAG_OPTIONS = ("colour", "grade", "rag")


class TagNode(Node):
    def __init__(self, nodelist: NodeList, kwargs: dict[str, FilterExpression]) -> None:
        self.nodelist = nodelist
        self.kwargs = kwargs

    def render(self, context: Context) -> SafeString:
        options = {key: value.resolve(context) for key, value in self.kwargs.items()}
        text = mark_safe(self.nodelist.render(context).strip())  # noqa: S308 - the template's own output
        html = render_to_string("components/tag.html", {"text": text, **options})
        return mark_safe(html)  # noqa: S308 - our template's output, escaped there


@register.tag
def tag(parser: Parser, token: Token) -> TagNode:
    """``{% tag [colour=C | grade=G | rag=R] %}TEXT{% endtag %}``: a status tag."""
    args, kwargs = _arguments(parser, token.split_contents()[1:])
    unknown = sorted(set(kwargs) - set(TAG_OPTIONS))
    if args or unknown:
        raise template.TemplateSyntaxError(f"tag takes only {', '.join(TAG_OPTIONS)}")
    nodelist = parser.parse(("endtag",))
    parser.delete_first_token()
    return TagNode(nodelist, kwargs)


TABLE_OPTIONS = ("columns", "caption", "classes", "id")
CAPTIONS = ("m", "s", "hidden")


class TableNode(Node):
    def __init__(
        self, caption: NodeList, rows: NodeList, kwargs: dict[str, FilterExpression]
    ) -> None:
        self.caption = caption
        self.rows = rows
        self.kwargs = kwargs

    def render(self, context: Context) -> SafeString:
        options = {key: value.resolve(context) for key, value in self.kwargs.items()}
        if options.get("caption") not in CAPTIONS:
            raise template.TemplateSyntaxError(f"table's caption is one of {', '.join(CAPTIONS)}")
        columns = []
        for name in str(options.pop("columns", "")).split("|"):
            text, colon, kind = name.partition(":")
            columns.append({"text": text, "numeric": colon and kind == "numeric"})
        html = render_to_string(
            "components/table.html",
            {
                **options,
                "columns": columns,
                "text": mark_safe(self.caption.render(context).strip()),  # noqa: S308 - the template's own output
                "rows": mark_safe(self.rows.render(context).strip()),  # noqa: S308 - the template's own output
            },
        )
        return mark_safe(html)  # noqa: S308 - our template's output, escaped there


@register.tag
def table(parser: Parser, token: Token) -> TableNode:
    """``{% table columns=... caption=... %}CAPTION{% rows %}ROWS{% endtable %}``: a table."""
    args, kwargs = _arguments(parser, token.split_contents()[1:])
    unknown = sorted(set(kwargs) - set(TABLE_OPTIONS))
    if args or unknown or "columns" not in kwargs:
        raise template.TemplateSyntaxError(
            f"table takes columns and {', '.join(TABLE_OPTIONS[1:])}, as key=value"
        )
    caption = parser.parse(("rows",))
    parser.delete_first_token()
    rows = parser.parse(("endtable",))
    parser.delete_first_token()
    return TableNode(caption, rows, kwargs)


@register.filter
def period_words(label: Any) -> str:
    """``{{ row.period_label|period_words }}``: a period's label in the reader's language.

    Labels stay English in the data (they parse back to their period); the page names the
    months and weeks in the reader's words ("Gorffennaf 2019"). Text that is not a period's
    label is shown as it is.
    """
    from pmf.core.periods import ParseError
    from pmf.core.text import period_name

    if label is None or label == "":
        return ""
    try:
        return period_name(str(label))
    except (ParseError, ValueError):
        return str(label)


@register.filter
def kind_words(kind: Any) -> str:
    """``{{ m.kind|kind_words }}``: a kind of measure (redline, kpi, context) in the reader's
    words; the data keep the code."""
    from pmf.web.scorecards.presenters import kind_words as words

    return words(str(kind))
