"""Find the text of a template that a reader sees but no translation tag holds.

Each template is read with Django's own Lexer. The text between its tags is put back together
with every variable, tag and translated block replaced by a marker, then read as HTML: any
text a reader sees (an element's text, or the attributes read out or shown: ``alt``,
``title``, ``aria-label``, ``placeholder``, a button's ``value``) with a letter in it, once
the markers are taken out, is untranslated. Comments, ``<script>`` and ``<style>`` are not
read. In the tags, the quoted strings that become text on the page (a form group's label and
hint, an error summary, a table's columns, ``firstof``, ``include ... with x="..."``) must be
``_("...")``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "pmf" / "web" / "templates"
MARK = "\x00"
VISIBLE_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-roledescription"}
LETTER = re.compile(r"[^\W\d_]")
LITERAL = re.compile(r"""(_\()?("[^"]*"|'[^']*')""")

# Deliberate exceptions, with the reason: (template, text).
EXCEPTIONS: dict[tuple[str, str], str] = {
    # The service's name, the same in every language.
    ("base.html", "pmf"): "the service's name",
    ("base.html", "pmf – pmf"): "the service's name, after each page's title",
    # The open data's file names and formats are data, the same in every language.
    ("publish/open_data.html", "assessments.csv"): "a file's name",
    ("publish/open_data.html", "grades.csv"): "a file's name",
    ("publish/open_data.html", "measures.json"): "a file's name",
    ("publish/open_data.html", "metadata.json"): "a file's name",
    ("publish/open_data.html", "JSON"): "a file format's name",
    ("publish/base.html", "pmf"): "the service's name",
    # The page's language tag when none is active: a code, not text.
    ("base.html", "en-GB"): "a language tag",
    # Ids of radio buttons: a code, not text.
    ("deliveries/schedule_form.html", "none"): "part of an element's id",
}
# Whole templates that are not pmf's pages in the reader's language.
EXEMPT_TEMPLATES: dict[str, str] = {
    # django-ninja's page for the API's documentation: Swagger UI writes its own text, and
    # the JSON API stays in English.
    "ninja/swagger.html": "the API's Swagger documentation, in English like the API",
    # The language switcher names each language in itself and says "change the language" in
    # the language it changes to (GOV.UK's pattern), so its words are the same whichever
    # language the page is in: they are written in both languages, not translated.
    "components/language_switch.html": "the language switcher, written in both languages",
}


@dataclass(frozen=True)
class Finding:
    """One piece of text a reader sees that no translation tag holds."""

    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.text!r}"


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.raw = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.raw += 1
        values = dict(attrs)
        for name, value in attrs:
            shown = name in VISIBLE_ATTRIBUTES or (
                tag == "input"
                and name == "value"
                and (values.get("type") or "") in ("submit", "button", "reset")
            )
            if shown and value and LETTER.search(value.replace(MARK, "")):
                self.found.append((self.getpos()[0], value.replace(MARK, "").strip()))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self.raw -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.raw = max(0, self.raw - 1)

    def handle_data(self, data: str) -> None:
        if self.raw:
            return
        text = " ".join(data.replace(MARK, " ").split())
        if LETTER.search(text):
            self.found.append((self.getpos()[0], text))


def _tag_literals(contents: str) -> list[str]:
    """Return the quoted strings of a tag that become text on the page, untranslated."""
    bits = contents.split(None, 1)
    name, rest = bits[0], bits[1] if len(bits) > 1 else ""
    found: list[str] = []
    if name == "formgroup":
        # {% formgroup NAME LABEL hint=... %}: the label and the hint are seen.
        for index, bit in enumerate(_split(rest)):
            key, equals, value = bit.partition("=")
            if equals and re.fullmatch(r"[a-z_]+", key):
                if key == "hint":
                    found += _untranslated(value)
            elif index == 1:
                found += _untranslated(bit)
    elif name in ("error_summary", "firstof"):
        found += _untranslated(rest)
    elif name == "table":
        for bit in _split(rest):
            key, _equals, value = bit.partition("=")
            if key == "columns":
                found += _untranslated(value)
    elif name in ("include", "with") and (name == "with" or " with " in rest):
        for bit in _split(rest.split(" with ", 1)[1] if name == "include" else rest):
            _key, _equals, value = bit.partition("=")
            found += [text for text in _untranslated(value) if " " in text or text[:1].isupper()]
    return found


def _filter_text(contents: str) -> list[str]:
    """Return the text a variable's filters would show untranslated.

    ``default:"none"`` and ``yesno:"yes,no"`` show their argument; ``pluralize`` makes
    English plurals, which Welsh does not form so: a count belongs in ``blocktranslate count``.
    """
    found = [f"|{m}" for m in re.findall(r"\|\s*(pluralize)\b", contents)]
    for argument in re.findall(
        r"\|\s*(?:default|default_if_none|yesno)\s*:\s*(_\()?(\"[^\"]*\"|'[^']*')", contents
    ):
        translated, literal = argument
        if not translated and LETTER.search(literal):
            found.append(literal[1:-1])
    return found


def _split(text: str) -> list[str]:
    from django.utils.text import smart_split

    return list(smart_split(text))


def _untranslated(text: str) -> list[str]:
    return [
        literal[1:-1]
        for translated, literal in LITERAL.findall(text)
        if not translated and LETTER.search(literal)
    ]


def findings(source: str, name: str = "<template>") -> list[Finding]:
    """Return the untranslated text a reader would see in the template ``source``."""
    if name in EXEMPT_TEMPLATES:
        return []
    pieces: list[str] = []
    found: list[Finding] = []
    depth = {"comment": 0, "blocktranslate": 0, "verbatim": 0}
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            word = token.contents.split()[0] if token.contents else ""
            for opener in depth:
                if word in (opener, "blocktrans" if opener == "blocktranslate" else opener):
                    depth[opener] += 1
                elif word in (
                    f"end{opener}",
                    "endblocktrans" if opener == "blocktranslate" else "",
                ):
                    depth[opener] -= 1
            if not depth["comment"] and not depth["blocktranslate"]:
                found += [Finding(name, token.lineno, t) for t in _tag_literals(token.contents)]
            pieces.append(MARK + "\n" * token.contents.count("\n"))
        elif token.token_type == TokenType.TEXT:
            if depth["comment"] or depth["blocktranslate"]:
                pieces.append(MARK + "\n" * token.contents.count("\n"))
            else:
                pieces.append(token.contents)
        else:
            if token.token_type == TokenType.VAR and not depth["blocktranslate"]:
                found += [Finding(name, token.lineno, t) for t in _filter_text(token.contents)]
            pieces.append(MARK + "\n" * token.contents.count("\n"))
    reader = _Reader()
    reader.feed("".join(pieces))
    reader.close()
    found += [Finding(name, line, text) for line, text in reader.found]
    return [item for item in found if (name, item.text) not in EXCEPTIONS]


def untranslated_text() -> list[Finding]:
    """Return the untranslated text of every template of pmf's pages."""
    found: list[Finding] = []
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix in (".html", ".txt"):
            name = path.relative_to(TEMPLATES).as_posix()
            source = path.read_text(encoding="utf-8")
            if path.suffix == ".txt":
                source = _text_as_html(source)
            found += findings(source, name)
    return found


def _text_as_html(source: str) -> str:
    """Read a plain-text template (an email) as HTML: its text is all seen."""
    return source.replace("<", "&lt;")
