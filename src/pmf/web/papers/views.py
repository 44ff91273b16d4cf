"""Generate, preview and download a cycle's papers: HTML to read, PDF and Word to circulate."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from pmf.reports.formats import FORMATS, render_as
from pmf.reports.html import paper_style
from pmf.web import pages
from pmf.web.cycles.views import _cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.papers.builders.annual import annual_report
from pmf.web.papers.builders.board import board_paper
from pmf.web.papers.builders.exceptions import exception_report
from pmf.web.papers.builders.outcomes import outcomes_report

# The documents of a cycle: (address, builder, title). The title names the downloaded file
# as written; the page shows it in the reader's language.
KINDS = {
    "board": (board_paper, gettext_noop("board paper")),
    "exceptions": (exception_report, gettext_noop("exception report")),
    "outcomes": (outcomes_report, gettext_noop("quarterly outcomes report")),
}

# The papers page's words for each paper, whole: its heading and each link's text.
KIND_LINKS = {
    "board": {
        "heading": gettext_lazy("Board paper"),
        "html": gettext_lazy("Read the board paper in the browser"),
        "pdf": gettext_lazy("Download the board paper as PDF"),
        "docx": gettext_lazy("Download the board paper as Word"),
        "pptx": gettext_lazy("Download the board paper as PowerPoint"),
    },
    "exceptions": {
        "heading": gettext_lazy("Exception report"),
        "html": gettext_lazy("Read the exception report in the browser"),
        "pdf": gettext_lazy("Download the exception report as PDF"),
        "docx": gettext_lazy("Download the exception report as Word"),
        "pptx": gettext_lazy("Download the exception report as PowerPoint"),
    },
    "outcomes": {
        "heading": gettext_lazy("Quarterly outcomes report"),
        "html": gettext_lazy("Read the quarterly outcomes report in the browser"),
        "pdf": gettext_lazy("Download the quarterly outcomes report as PDF"),
        "docx": gettext_lazy("Download the quarterly outcomes report as Word"),
        "pptx": gettext_lazy("Download the quarterly outcomes report as PowerPoint"),
    },
}


def _whole_organisation(request: HttpRequest, org: str) -> Organisation:
    """Return the organisation for members who cover all of it; for the others, Http404.

    The papers collate every unit's figures and self-assessment and the overview, as the
    overview page does: a member scoped to one unit reads their own unit's pages instead.
    """
    found, membership = pages.member(request, org)
    if membership.unit_id is not None:
        raise Http404("No such page.")
    return found


def papers(request: HttpRequest, org: str, number: int) -> HttpResponse:
    """List the cycle's papers with a preview and downloads of each."""
    found = _whole_organisation(request, org)
    chosen = _cycle(found, number)
    return render(
        request,
        "papers/papers.html",
        {
            "organisation": {"code": found.code, "name": found.name},
            "cycle": {
                "number": chosen.number,
                "name": chosen.name,
                "locked": bool(chosen.locked_at),
            },
            "kinds": [
                {
                    "code": code,
                    "title": _(title),
                    **{key: str(text) for key, text in KIND_LINKS[code].items()},
                }
                for code, (_build, title) in KINDS.items()
            ],
        },
    )


def paper(request: HttpRequest, org: str, number: int, kind: str, fmt: str) -> HttpResponse:
    """Return one of the cycle's documents as HTML (to preview), PDF or Word."""
    found = _whole_organisation(request, org)
    chosen = _cycle(found, number)
    if fmt not in FORMATS or kind not in KINDS:
        raise Http404("No such document.")
    build, title = KINDS[kind]
    try:
        document = build(chosen)
    except ValueError as error:
        raise Http404(str(error)) from None
    name = f"{found.code}-cycle-{chosen.number}-{title.replace(' ', '-')}.{fmt}"
    return _send(document, fmt, name)


def annual(request: HttpRequest, org: str, year: str, fmt: str) -> HttpResponse:
    """Return the annual report of a year ("2024-25" in the address for 2024/25).

    Like the cycle's papers it reports the whole organisation (its grades, figures and
    interventions): for members who cover all of it.
    """
    found = _whole_organisation(request, org)
    if fmt not in FORMATS:
        raise Http404("No such format.")
    try:
        document = annual_report(found, year.replace("-", "/"))
    except ValueError as error:
        raise Http404(str(error)) from None
    return _send(document, fmt, f"{found.code}-annual-report-{year}.{fmt}")


def _send(document: Any, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(render_as(document, fmt), content_type=FORMATS[fmt])
    if fmt == "html":
        response["Content-Security-Policy"] = _policy_allowing_the_paper_style(document)
    else:
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _policy_allowing_the_paper_style(document: Any) -> str:
    """Return the site's policy, letting through the paper's own style sheet by its hash."""
    style = paper_style(document.words.page)
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    policy = dict(settings.CONTENT_SECURITY_POLICY)
    policy["style-src"] = [*policy["style-src"], f"'sha256-{digest}'"]
    return "; ".join(f"{key} {' '.join(values)}" for key, values in policy.items())
