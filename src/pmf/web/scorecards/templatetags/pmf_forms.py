"""Form errors as the GOV.UK Design System shows them: a summary of links, and each field's own.

Every page's main content is wrapped in ``{% form_frame %}`` (base.html). Inside it:

- ``{% formgroup "title" "Title" as field %} <input ... id="{{ field.id }}"
  class="govuk-input{{ field.input_class }}"{{ field.describedby }}> {% endformgroup %}``
  writes the form group: its label (or fieldset and legend), hint, and the field's errors
  inline (``govuk-form-group--error``, "Error:" prefix, ``aria-describedby``), and registers
  the field's name, id and label with the frame. The control itself stays the template's.
  ``formgroup form.username`` takes all of it from a Django form's bound field.
- ``{% error_summary %}`` marks where the error summary goes. The frame renders the page
  first, then puts the summary there, so that each error links to the field it is about
  (``href="#<id>"``), with the field's label, wherever that field is on the page.

The views' problems are plain strings; one about a field names it first: ``"name: must not be
empty"``, ``"Title: give the risk a title"``. A problem matches a field when that prefix is the
field's name, id or label, or one of the names in the group's ``also`` (such as ``years`` for
the first-year field); ``also`` phrases of more than one word match a problem that starts with
them (``"Choose a unit"``); give them translated (``also=_("Choose a unit")``), as the
problems are, so that a problem in Welsh finds its field too. A problem that names no field
on the page is linked to the first field, as the Design System asks that every item in the
summary be a link.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django import template
from django.forms import BaseForm, BoundField
from django.template.base import FilterExpression, Node, NodeList, Parser, Token
from django.template.context import Context
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext as _

register = template.Library()

FRAME = "_pmf_form_frame"
REQUIRED = "This field is required."


def _key(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", str(text)).strip().lower()


def _sentence(text: str) -> str:
    text = str(text).strip()
    return text[:1].upper() + text[1:]


@dataclass
class Field:
    """A field on the page: its name, the id of its control, its label and other names."""

    name: str
    id: str
    label: str
    also: list[str] = field(default_factory=list)

    def names(self) -> set[str]:
        return {_key(self.name), _key(self.id), _key(self.label)} | {_key(a) for a in self.also}

    def phrases(self) -> list[str]:
        return [_key(a) for a in self.also if len(a.split()) > 1]


@dataclass
class Problem:
    """One problem as the summary and the field show it."""

    text: str  # in the summary
    inline: str  # beside the field
    field: Field | None = None


def match(problem: str, fields: list[Field]) -> Problem:
    """Find the field a problem is about, and word it for the summary and for the field.

    >>> title = Field("title", "title", "Title")
    >>> found = match("title: must not be empty", [title])
    >>> found.text, found.inline, found.field is title
    ('Title: must not be empty', 'Must not be empty', True)
    >>> match("title: Enter a title", [title]).text
    'Enter a title'
    >>> match("Only analysts add risks.", [title]).field is None
    True
    """
    problem = str(problem)
    # A phrase ("Choose a unit", "rationale: give") is more particular than a field's name.
    for candidate in fields:
        if any(_key(problem).startswith(phrase) for phrase in candidate.phrases()):
            return Problem(_sentence(problem), _sentence(problem), candidate)
    prefix, colon, rest = problem.partition(": ")
    if colon:
        for candidate in fields:
            if _key(prefix) in candidate.names():
                # Said with the field's label; a problem about a pair of fields (``years``
                # for the first and last year) keeps its own name for them.
                said = candidate.label
                if _key(prefix) in {_key(a) for a in candidate.also}:
                    said = _sentence(prefix.replace("_", " "))
                # A whole sentence ("Enter your username") is said alone, as the Design
                # System words errors; a clause ("must not be empty") after the label.
                text = rest if rest[:1].isupper() else f"{said}: {rest}"
                return Problem(text, _sentence(rest), candidate)
    return Problem(_sentence(problem), _sentence(problem))


class Frame:
    """What the page's form groups and error summaries registered while it was rendered."""

    def __init__(self) -> None:
        self.fields: list[Field] = []
        self.summaries: dict[str, list[str]] = {}

    def summary(self, marker: str) -> SafeString:
        problems = [match(text, self.fields) for text in self.summaries[marker]]
        first = self.fields[0].id if self.fields else None
        items = []
        for problem in problems:
            target = problem.field.id if problem.field else first
            items.append({"text": problem.text, "href": f"#{target}" if target else ""})
        html = render_to_string("components/error_summary.html", {"items": items})
        return mark_safe(html)  # noqa: S308 - our template's output, escaped there


class FormFrameNode(Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        frame = Frame()
        with context.push({FRAME: frame}):
            html: str = self.nodelist.render(context)
        for marker in frame.summaries:
            html = html.replace(marker, frame.summary(marker))
        return mark_safe(html)  # noqa: S308 - the templates' own output and our summary


@register.tag
def form_frame(parser: Parser, token: Token) -> FormFrameNode:
    """``{% form_frame %}...{% endform_frame %}``: the region whose forms the summary covers."""
    nodelist = parser.parse(("endform_frame",))
    parser.delete_first_token()
    return FormFrameNode(nodelist)


def _problems_of(source: Any) -> list[str]:
    if source is None or source == "":
        return []
    if isinstance(source, BaseForm):
        problems = [str(e) for e in source.non_field_errors()]
        for bound in source:
            problems += [f"{bound.name}: {_django_message(bound, e)}" for e in bound.errors]
        return problems
    if isinstance(source, str | Promise):
        return [str(source)]
    return [str(p) for p in source]


def _django_message(bound: BoundField, message: object) -> str:
    """Word Django's generic "This field is required." as the Design System does."""
    if str(message) in (REQUIRED, gettext(REQUIRED)):
        label = str(bound.label)
        return _("Enter your {field}").format(field=f"{label[:1].lower()}{label[1:]}")
    return str(message)


@register.simple_tag(takes_context=True)
def error_summary(context: Context, source: Any = None) -> SafeString:
    """Place the error summary for ``source`` (default: the page's ``problems`` or ``form``).

    ``source`` is a list of problems, one problem, or a Django form. Outside a form frame
    (a fragment rendered on its own), the summary is written at once, its items plain text:
    the fields it would link to are not known.
    """
    if source is None:
        source = context.get("problems") or context.get("form")
    problems = _problems_of(source)
    if not problems:
        return mark_safe("")
    frame: Frame | None = context.get(FRAME)
    if frame is None:
        frame = Frame()
        marker = "summary"
        frame.summaries[marker] = problems
        return frame.summary(marker)
    marker = f"<!--pmf-error-summary-{uuid.uuid4().hex}-->"
    frame.summaries[marker] = problems
    return mark_safe(marker)  # noqa: S308 - an HTML comment of hexadecimal digits


@dataclass
class Group:
    """What a form group's control needs: its id and, when it has errors, the error classes."""

    id: str
    name: str
    label: str
    hint: str
    errors: list[str]
    fieldset: bool

    @property
    def errored(self) -> bool:
        return bool(self.errors)

    def _modifier(self, block: str) -> str:
        return f" govuk-{block}--error" if self.errors else ""

    @property
    def input_class(self) -> str:
        return self._modifier("input")

    @property
    def select_class(self) -> str:
        return self._modifier("select")

    @property
    def textarea_class(self) -> str:
        return self._modifier("textarea")

    @property
    def file_class(self) -> str:
        return self._modifier("file-upload")

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def described_ids(self) -> str:
        ids = ([self.hint_id] if self.hint else []) + ([self.error_id] if self.errors else [])
        return " ".join(ids)

    @property
    def describedby(self) -> SafeString:
        """`` aria-describedby="..."`` for the control (nothing when there is no hint or error)."""
        if not self.described_ids or self.fieldset:
            return mark_safe("")
        return format_html(' aria-describedby="{}"', self.described_ids)


class FormGroupNode(Node):
    def __init__(
        self,
        args: list[FilterExpression],
        kwargs: dict[str, FilterExpression],
        variable: str,
        nodelist: NodeList,
    ) -> None:
        self.args = args
        self.kwargs = kwargs
        self.variable = variable
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        values = [a.resolve(context) for a in self.args]
        options = {k: v.resolve(context) for k, v in self.kwargs.items()}
        also = [a.strip() for a in str(options.get("also") or "").split("|") if a.strip()]
        if values and isinstance(values[0], BoundField):
            bound = values[0]
            described = Field(bound.html_name, bound.id_for_label, str(bound.label), also)
            own = [_django_message(bound, e) for e in bound.errors]
            if bound.help_text and "hint" not in options:
                options["hint"] = bound.help_text  # Django's own text (the password rules)
                options["hint_html"] = True
        else:
            name = str(values[0])
            label = str(values[1]) if len(values) > 1 else _sentence(name.replace("_", " "))
            described = Field(name, str(options.get("id") or name), label, also)
            own = []
            if "errors" in options:  # every one of these problems is about this field
                own = [str(e) for e in _problems_of(options["errors"])]
            for problem in [] if "errors" in options else _problems_of(context.get("problems")):
                found = match(problem, [described])
                if found.field is not None:
                    own.append(found.inline)
        frame: Frame | None = context.get(FRAME)
        if frame is not None:
            frame.fields.append(described)
        group = Group(
            id=described.id,
            name=described.name,
            label=described.label,
            hint=str(options.get("hint") or ""),
            errors=[_sentence(e) for e in own],
            fieldset=bool(options.get("fieldset")),
        )
        with context.push({self.variable: group}):
            control = self.nodelist.render(context)
        html = render_to_string(
            "components/form_group.html",
            {
                "group": group,
                "control": mark_safe(control),  # noqa: S308 - the template's own output
                "label_class": options.get("label_class", ""),
                "hint_html": options.get("hint_html", False),
                "classes": options.get("classes", ""),
            },
        )
        return mark_safe(html)  # noqa: S308 - our template's output, escaped there


@register.tag
def formgroup(parser: Parser, token: Token) -> FormGroupNode:
    """``{% formgroup NAME [LABEL] [key=value ...] as VAR %}CONTROL{% endformgroup %}``.

    NAME is the field's name (or a Django bound field, which brings name, id, label and
    errors); options: ``id`` (default NAME), ``hint`` (text under the label), ``hint_html``
    (the hint is trusted HTML), ``fieldset`` (a group of radios or checkboxes: a fieldset
    with the label as its legend, the errors described on the fieldset), ``label_class``
    (such as ``govuk-label--s``), ``classes`` (on the group), ``also`` (other names,
    separated by ``|``, by which problems refer to the field), ``errors`` (problems that
    are all about this field, instead of those of the page's ``problems`` that name it).
    """
    bits = token.split_contents()[1:]
    if len(bits) < 3 or bits[-2] != "as":
        raise template.TemplateSyntaxError("formgroup needs a field and 'as VARIABLE'")
    variable = bits[-1]
    args: list[FilterExpression] = []
    kwargs: dict[str, FilterExpression] = {}
    for bit in bits[:-2]:
        key, equals, value = bit.partition("=")
        if equals and re.fullmatch(r"[a-z_]+", key):
            kwargs[key] = parser.compile_filter(value)
        else:
            args.append(parser.compile_filter(bit))
    nodelist = parser.parse(("endformgroup",))
    parser.delete_first_token()
    return FormGroupNode(args, kwargs, variable, nodelist)
