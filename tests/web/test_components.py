"""The Design System's components, written once in templates/components and filled by the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import TemplateSyntaxError, engines


def render(source: str, **context: Any) -> str:
    return engines["django"].from_string("{% load pmf_components %}" + source).render(context)


def test_breadcrumbs_link_every_page_above_and_name_this_one() -> None:
    html = render(
        "{% breadcrumbs %}"
        '{% crumb "organisation" code %}{{ name }}{% endcrumb %}'
        '{% crumb "cycles" code %}Cycles{% endcrumb %}'
        "{% crumb %}Cycle {{ number }}{% endcrumb %}"
        "{% endbreadcrumbs %}",
        code="TST",
        name="Test & Sons",
        number=3,
    )
    assert '<nav class="govuk-breadcrumbs" aria-label="Breadcrumb">' in html
    items = html.split('<li class="govuk-breadcrumbs__list-item">')[1:]
    assert [item.split("</li>")[0] for item in items] == [
        '<a class="govuk-breadcrumbs__link" href="/TST/">Test &amp; Sons</a>',
        '<a class="govuk-breadcrumbs__link" href="/TST/cycles/">Cycles</a>',
        "Cycle 3",
    ]


def test_a_crumb_takes_a_written_address_and_keyword_arguments() -> None:
    html = render(
        "{% breadcrumbs %}"
        '{% crumb href="../index.html" %}Home{% endcrumb %}'
        '{% crumb "import" org="TST" %}Import figures{% endcrumb %}'
        "{% endbreadcrumbs %}"
    )
    assert '<a class="govuk-breadcrumbs__link" href="../index.html">Home</a>' in html
    assert '<a class="govuk-breadcrumbs__link" href="/TST/import/">Import figures</a>' in html


def test_only_the_crumbs_rendered_are_in_the_trail() -> None:
    source = (
        "{% breadcrumbs %}{% crumb %}One{% endcrumb %}"
        "{% if two %}{% crumb %}Two{% endcrumb %}{% endif %}{% endbreadcrumbs %}"
    )
    assert render(source, two=False).count("govuk-breadcrumbs__list-item") == 1
    assert render(source, two=True).count("govuk-breadcrumbs__list-item") == 2


def test_a_crumb_outside_breadcrumbs_is_a_mistake() -> None:
    with pytest.raises(TemplateSyntaxError, match="inside"):
        render("{% crumb %}Lost{% endcrumb %}")


def test_an_error_summary_of_the_pages_own_items_is_an_alert() -> None:
    html = render(
        '{% problems %}<li><a href="#row-3">{{ problem }}</a></li>{% endproblems %}',
        problem="Row 3: <b> is not a number",
    )
    assert '<div class="govuk-error-summary" data-module="govuk-error-summary">' in html
    assert '<div role="alert">' in html
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    assert '<li><a href="#row-3">Row 3: &lt;b&gt; is not a number</a></li>' in html


def test_an_error_summary_beside_a_live_region_is_no_second_alert() -> None:
    html = render("{% problems alert=False %}<li>Nothing was stored</li>{% endproblems %}")
    assert "There is a problem" in html
    assert "<li>Nothing was stored</li>" in html
    assert 'role="alert"' not in html
    assert html.count("<div") == html.count("</div>")


def test_a_tag_is_coloured_by_the_design_systems_colour_a_grade_or_a_rating() -> None:
    assert render('{% tag colour="red" %}overdue{% endtag %}') == (
        '<strong class="govuk-tag govuk-tag--red">overdue</strong>'
    )
    assert render("{% tag grade=g %}{{ label }}{% endtag %}", g="good", label="Good & steady") == (
        '<strong class="govuk-tag pmf-grade pmf-grade--good">Good &amp; steady</strong>'
    )
    assert render('{% tag rag="amber" %}2 amber{% endtag %}') == (
        '<strong class="govuk-tag pmf-rag pmf-rag--amber">2 amber</strong>'
    )
    assert render("{% tag %}Current{% endtag %}") == '<strong class="govuk-tag">Current</strong>'


def test_a_tag_refuses_an_option_it_does_not_know() -> None:
    with pytest.raises(TemplateSyntaxError, match="colour, grade, rag"):
        render('{% tag color="red" %}overdue{% endtag %}')


def test_a_table_has_its_caption_column_headers_and_the_pages_rows() -> None:
    html = render(
        '{% table columns="Risk|Current score:numeric" caption="m" %}{{ n }} risks{% rows %}'
        '{% for r in risks %}<tr class="govuk-table__row"><td class="govuk-table__cell">{{ r }}'
        "</td></tr>{% endfor %}{% endtable %}",
        n=2,
        risks=["R1 & R2", "R3"],
    )
    assert html.lstrip().startswith('<table class="govuk-table">')
    assert '<caption class="govuk-table__caption govuk-table__caption--m">2 risks</caption>' in html
    assert '<th scope="col" class="govuk-table__header">Risk</th>' in html
    numeric = "govuk-table__header govuk-table__header--numeric"
    assert f'<th scope="col" class="{numeric}">Current score</th>' in html
    assert '<tbody class="govuk-table__body">' in html
    assert '<td class="govuk-table__cell">R1 &amp; R2</td>' in html
    assert html.rstrip().endswith("</tbody>\n</table>")


def test_a_tables_caption_may_be_for_screen_readers_only_with_classes_and_an_id() -> None:
    html = render(
        '{% table columns="Period" caption="hidden" classes="pmf-scorecard" id="figures" %}'
        "Figures{% rows %}{% endtable %}"
    )
    assert '<table class="govuk-table pmf-scorecard" id="figures">' in html
    assert '<caption class="govuk-table__caption govuk-visually-hidden">Figures</caption>' in html


def test_a_table_caption_of_another_size_is_a_mistake() -> None:
    with pytest.raises(TemplateSyntaxError, match="m, s, hidden"):
        render('{% table columns="Period" caption="l" %}Figures{% rows %}{% endtable %}')
