"""Every piece of text a template shows a reader is inside a translation tag."""

from __future__ import annotations

from tests.web.template_text import EXCEPTIONS, TEMPLATES, findings, untranslated_text


def test_every_template_writes_its_text_through_translation_tags() -> None:
    assert [str(found) for found in untranslated_text()] == []


def test_a_new_untranslated_heading_is_found() -> None:
    source = (TEMPLATES / "scorecards" / "scorecard.html").read_text(encoding="utf-8")
    assert findings(source, "scorecards/scorecard.html") == []
    added = source.replace(
        "{% block content %}", '{% block content %}\n<h2 class="govuk-heading-m">Targets met</h2>'
    )
    found = findings(added, "scorecards/scorecard.html")
    assert [(item.line, item.text) for item in found] == [(7, "Targets met")]


def test_text_in_translation_tags_comments_and_scripts_is_not_found() -> None:
    source = """{% load i18n %}{# A comment: not shown. #}
<h1>{% translate "Scorecards" %}</h1>
<p>{% blocktranslate trimmed with unit=unit.name %}The figures of {{ unit }}
  are below.{% endblocktranslate %}</p>
{% comment %}<p>Not shown either.</p>{% endcomment %}
<script>const words = "not text";</script><style>p::after { content: "x"; }</style>
<p>{{ unit.name }}: {{ value }} – 12%</p>"""
    assert findings(source) == []


def test_untranslated_words_in_attributes_tags_and_filters_are_found() -> None:
    source = """{% load i18n pmf_forms %}
<nav aria-label="Pages of changes"></nav><img alt="A chart" src="x.png">
<input type="submit" value="Save"><button type="submit" name="action" value="check"></button>
{% formgroup "title" "Title" hint=_("Say what it is.") as field %}{% endformgroup %}
{% error_summary "Enter a title" %}
<p>{{ count }} figure{{ count|pluralize }}, {{ owner|default:"nobody" }}</p>"""
    assert [item.text for item in findings(source)] == [
        "Title",
        "Enter a title",
        "|pluralize",
        "nobody",
        "Pages of changes",
        "A chart",
        "Save",
        "figure ,",
    ]


def test_each_exception_names_text_its_template_still_holds() -> None:
    for (template, text), reason in EXCEPTIONS.items():
        assert reason
        assert text.split(" – ")[0] in (TEMPLATES / template).read_text(encoding="utf-8")
