"""Partners: another organisation's members read what a sharing agreement covers, nothing more."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.web.accounts.models import SharingAgreement
from pmf.web.frameworks.models import Organisation

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def share(
    organisation: Organisation,
    partner: User,
    *,
    unit: str | None = None,
    areas: tuple[str, ...] = (),
    starts: dt.date = TODAY - dt.timedelta(days=30),
    ends: dt.date | None = None,
) -> SharingAgreement:
    agreement = SharingAgreement.objects.create(
        provider=organisation,
        recipient=partner.membership.organisation,
        unit=organisation.units.get(code=unit) if unit else None,
        purpose="Community safety partnership",
        starts=starts,
        ends=ends,
    )
    agreement.areas.set(organisation.areas.filter(code__in=areas))
    return agreement


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


PAGES = ["/TST/", "/TST.json", "/TST/units/N/", "/TST/units/N.json", "/TST/units/N/measures/CR/"]


@pytest.mark.parametrize("path", PAGES)
def test_without_an_agreement_a_partner_sees_nothing(path: str, other_org_user: User) -> None:
    assert client_for(other_org_user).get(path).status_code == 404


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        (TODAY + dt.timedelta(days=1), None),  # not started
        (TODAY - dt.timedelta(days=60), TODAY - dt.timedelta(days=1)),  # ended
    ],
)
def test_an_agreement_shares_only_while_it_runs(
    starts: dt.date, ends: dt.date | None, organisation: Organisation, other_org_user: User
) -> None:
    share(organisation, other_org_user, starts=starts, ends=ends)
    assert client_for(other_org_user).get("/TST/").status_code == 404


def test_a_partner_reads_the_shared_unit_and_below_only(
    organisation: Organisation, other_org_user: User
) -> None:
    share(organisation, other_org_user, unit="N")
    client = client_for(other_org_user)
    overview = client.get("/TST.json").json()
    assert [unit["code"] for unit in overview["units"]] == ["N"]
    assert [unit["code"] for unit in overview["comparators"]] == ["X"]
    assert client.get("/TST/units/N/").status_code == 200
    assert client.get("/TST/units/N/measures/CR/").status_code == 200
    assert client.get("/TST/units/S/").status_code == 404
    assert client.get("/TST/units/F.json").status_code == 404


def test_a_partner_reads_only_the_shared_areas(
    organisation: Organisation, other_org_user: User
) -> None:
    share(organisation, other_org_user, areas=("PEOPLE",))
    client = client_for(other_org_user)
    overview = client.get("/TST.json").json()
    assert [area["code"] for area in overview["areas"]] == ["PEOPLE"]
    assert all(len(unit["areas"]) == 1 for unit in overview["units"])
    scorecard = client.get("/TST/units/N.json?area=FOCUS").json()
    assert [area["code"] for area in scorecard["areas"]] in ([], ["PEOPLE"])
    assert not any(area["measures"] for area in scorecard["areas"])
    assert client.get("/TST/units/N/measures/CR/").status_code == 404
    assert client.get("/TST/units/N/measures/CR.json").status_code == 404


def test_the_same_areas_shared_show_the_same_scorecard_as_the_owner_sees(
    organisation: Organisation, other_org_user: User, analyst: User
) -> None:
    share(organisation, other_org_user, areas=("FOCUS",))
    theirs = client_for(other_org_user).get("/TST/units/N.json").json()
    ours = client_for(analyst).get("/TST/units/N.json?area=FOCUS").json()
    assert theirs["areas"] == ours["areas"]


@pytest.mark.parametrize("path", ["/TST/units/N/enter/", "/TST/import/"])
def test_shared_figures_are_read_only_and_their_forms_not_found_for_partners(
    path: str, organisation: Organisation, other_org_user: User
) -> None:
    share(organisation, other_org_user)
    client = client_for(other_org_user)
    # As for anyone outside the organisation: 404, not 403 (docs/security.md).
    assert client.get(path).status_code == 404
    assert client.post(path, {"period": "2019-07"}).status_code == 404
    page = client.get("/TST/").content.decode()
    # The header's "Import figures" is the partner's own organisation's; none for TST.
    assert 'href="/TST/import/"' not in page
    assert 'href="/OTHER/import/"' in page
    assert "Enter or correct" not in client.get("/TST/units/N/").content.decode()


def test_the_partners_own_page_links_to_what_is_shared(
    organisation: Organisation, other_org_user: User
) -> None:
    share(organisation, other_org_user)
    page = client_for(other_org_user).get("/OTHER/").content.decode()
    assert "Shared with you by partners" in page
    assert 'href="/TST/"' in page


def test_sharing_goes_one_way(
    organisation: Organisation, other_org_user: User, analyst: User
) -> None:
    share(organisation, other_org_user)
    assert client_for(analyst).get("/OTHER/").status_code == 404


def test_the_api_gives_a_partner_the_same_as_the_pages(
    organisation: Organisation, other_org_user: User
) -> None:
    from tests.factories import api_client

    share(organisation, other_org_user, unit="N", areas=("PEOPLE",))
    client = api_client(other_org_user)
    base = "/api/organisations/TST"
    assert [unit["code"] for unit in client.get(f"{base}/units").json()] == ["N", "X"]
    assert client.get(f"{base}/measures").json() == []  # no measures in PEOPLE
    assert client.get(f"{base}/observations").json()["items"] == []
    assert client.get(f"{base}/observations?unit=S").status_code == 404
    scorecard = client.get(f"{base}/assessments?unit=N&area=FOCUS").json()
    assert not any(area["measures"] for area in scorecard["areas"])
    row = {"unit": "N", "measure": "ER", "period": "2019-07", "value": 1}
    refused = client.post(f"{base}/observations", [row], content_type="application/json")
    assert refused.status_code == 404


def test_the_api_shows_a_partner_the_shared_areas_figures(
    organisation: Organisation, other_org_user: User
) -> None:
    from tests.factories import api_client

    share(organisation, other_org_user, unit="N", areas=("FOCUS",))
    client = api_client(other_org_user)
    base = "/api/organisations/TST"
    assert {m["code"] for m in client.get(f"{base}/measures").json()} == {"ER", "CR"}
    items = client.get(f"{base}/observations").json()["items"]
    assert {item["unit"] for item in items} == {"N"}
    assert len(items) == 3
