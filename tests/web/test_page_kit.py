"""The page kit: a page and its .json twin from one view, and who may read which organisation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, include, path
from django.urls.exceptions import Http404

from pmf.web import pages
from pmf.web.accounts.models import SharingAgreement
from pmf.web.frameworks.models import Organisation

pytestmark = pytest.mark.django_db


def _kit_page(request: HttpRequest, org: str, as_json: bool = False) -> HttpResponse:
    found, membership = pages.member(request, org)
    data = {"organisation": found.code, "role": membership.role, "says": "Café – £5"}
    if as_json:
        return pages.json(data)
    return HttpResponse(f"<p>{found.code} for the {membership.role}, by {request.method}</p>")


# This module is the URL conf of the tests marked with it: one page routed by the kit, before
# the site's own (whose pages the 404 page links to).
urlpatterns = [
    *pages.routes("<str:org>/kit/", _kit_page, name="kit"),
    path("", include("pmf.web.config.urls")),
]
KIT = pytest.mark.urls(__name__)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def request_by(user: User) -> HttpRequest:
    request = RequestFactory().get("/")
    request.user = user
    return request


def share_with(organisation: Organisation, partner: User) -> None:
    SharingAgreement.objects.create(
        provider=organisation,
        recipient=partner.membership.organisation,
        purpose="Community safety partnership",
        starts=dt.date.today() - dt.timedelta(days=30),
    )


@KIT
def test_a_page_registered_by_the_kit_answers_as_html_and_at_its_json_twin(analyst: User) -> None:
    client = client_for(analyst)
    page = client.get("/TST/kit/")
    assert page.status_code == 200
    assert page.content.decode() == "<p>TST for the analyst, by GET</p>"
    twin = client.get("/TST/kit.json")
    assert twin.status_code == 200
    assert twin["Content-Type"] == "application/json"
    assert twin.json() == {"organisation": "TST", "role": "analyst", "says": "Café – £5"}
    # Text as it is written, not escaped to \u sequences.
    assert "Café – £5".encode() in twin.content


@KIT
def test_the_json_twin_refuses_a_post_that_the_page_takes(analyst: User) -> None:
    client = client_for(analyst)
    assert client.post("/TST/kit/").content.decode() == "<p>TST for the analyst, by POST</p>"
    refused = client.post("/TST/kit.json")
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD"
    assert client.head("/TST/kit.json").status_code == 200


@KIT
def test_the_twin_is_named_after_the_page() -> None:
    from django.urls import reverse

    assert reverse("kit", args=["TST"]) == "/TST/kit/"
    assert reverse("kit-json", args=["TST"]) == "/TST/kit.json"


def test_a_route_without_its_closing_slash_is_refused() -> None:
    with pytest.raises(ValueError, match="ends with '/'"):
        pages.routes("<str:org>/kit", _kit_page, name="kit")


@KIT
def test_another_organisations_member_gets_not_found_at_both_routes(
    organisation: Organisation, other_org_user: User
) -> None:
    client = client_for(other_org_user)
    assert client.get("/TST/kit/").status_code == 404
    assert client.get("/TST/kit.json").status_code == 404


def test_the_membership_helpers_404_for_another_organisation(
    organisation: Organisation, other_org_user: User
) -> None:
    request = request_by(other_org_user)
    with pytest.raises(Http404):
        pages.member(request, "TST")
    with pytest.raises(Http404):
        pages.reader(request, "TST")


def test_a_partner_reads_shared_figures_but_is_no_member(
    organisation: Organisation, other_org_user: User
) -> None:
    share_with(organisation, other_org_user)
    request = request_by(other_org_user)
    found, membership = pages.reader(request, "TST")
    assert found == organisation
    assert membership.organisation.code == "OTHER"
    # Cycles, registers, plans and the dashboard are the organisation's own.
    with pytest.raises(Http404):
        pages.member(request, "TST")


def test_a_member_gets_their_organisation_and_membership(
    organisation: Organisation, analyst: User
) -> None:
    found, membership = pages.member(request_by(analyst), "TST")
    assert found == organisation
    assert membership.user == analyst
    assert pages.reader(request_by(analyst), "TST") == (found, membership)


def test_no_organisation_is_found_for_someone_without_a_membership(
    organisation: Organisation,
) -> None:
    nobody = User.objects.create_user("nobody", password="correct horse battery staple")
    for helper in (pages.member, pages.reader):
        with pytest.raises(Http404):
            helper(request_by(nobody), "TST")


def _patterns(entries: list[URLPattern | URLResolver]) -> list[URLPattern]:
    found: list[URLPattern] = []
    for entry in entries:
        if isinstance(entry, URLResolver):
            if entry.namespace != "api":  # the API's schema is no page's twin
                found += _patterns(entry.url_patterns)
        else:
            found.append(entry)
    return found


def test_every_json_twin_of_the_site_sits_beside_its_page() -> None:
    named = {p.name: str(p.pattern) for p in _patterns(get_resolver().url_patterns) if p.name}
    twins = {name: route for name, route in named.items() if name.endswith("-json")}
    assert {"organisation-json", "cycles-json", "risks-json", "import-job-json"} <= set(twins)
    for name, route in twins.items():
        page = named[name.removesuffix("-json")]
        assert route == f"{page.removesuffix('/')}.json", name
