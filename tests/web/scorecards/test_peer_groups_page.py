"""The page of computed most similar groups: method, distances, versions and what changed."""

from __future__ import annotations

import statistics

import polars as pl
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import compute_peer_groups

pytestmark = pytest.mark.django_db

# On x alone North's nearest is South (5 against 6); with y weighted 4 it is the Other Force
# (North and X share y = 10, and x's z-score difference is far smaller than y's).
X = {"F": 0.0, "N": 5.0, "S": 6.0, "X": 20.0}
Y = {"F": 0.0, "N": 10.0, "S": 0.0, "X": 10.0}
CONTEXT = pl.DataFrame({"unit": list(X), "x": list(X.values()), "y": list(Y.values())})


@pytest.fixture
def two_versions(organisation: Organisation, analyst: User) -> Organisation:
    compute_peer_groups(organisation, CONTEXT, ["x"], None, 1, "Census 2011", user=analyst)
    compute_peer_groups(organisation, CONTEXT, ["x", "y"], {"y": 4.0}, 1, "Census 2021")
    return organisation


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_without_computed_groups_the_page_says_the_file_gives_them(analyst: User) -> None:
    client = signed_in(analyst)
    page = client.get(reverse("peer-groups", args=["TST"]))
    assert page.status_code == 200
    assert "No most similar groups have been computed for Test Force" in page.content.decode()
    data = client.get(reverse("peer-groups-json", args=["TST"])).json()
    assert data["version"] is None and data["versions"] == [] and data["groups"] == []


def test_the_current_version_shows_how_it_was_made_and_each_distance(
    two_versions: Organisation, analyst: User
) -> None:
    data = signed_in(analyst).get(reverse("peer-groups-json", args=["TST"])).json()
    version = data["version"]
    assert version["number"] == 2 and version["current"] is True
    assert version["variables"] == [{"name": "x", "weight": 1.0}, {"name": "y", "weight": 4.0}]
    assert version["n"] == 1 and version["source"] == "Census 2021"
    assert version["created_by"] == "" and version["superseded_at"] is None
    assert [group["unit"] for group in data["groups"]] == ["F", "N", "S", "X"]
    north = next(group for group in data["groups"] if group["unit"] == "N")
    assert [peer["code"] for peer in north["peers"]] == ["X"]
    # By hand: z-scores with the population sd; North and X have the same y.
    x_sd = statistics.pstdev(X.values())
    assert north["peers"][0]["distance"] == pytest.approx(abs(5.0 - 20.0) / x_sd)
    assert data["inputs"]["variables"] == ["x", "y"]
    assert {"unit": "N", "name": "North", "values": [5.0, 10.0]} in data["inputs"]["rows"]
    assert [item["number"] for item in data["versions"]] == [2, 1]


def test_the_page_lists_groups_and_links_to_the_earlier_version(
    two_versions: Organisation, analyst: User
) -> None:
    html = signed_in(analyst).get(reverse("peer-groups", args=["TST"])).content.decode()
    assert "Most similar groups: version 2" in html
    assert 'id="unit-N"' in html
    x_sd = statistics.pstdev(X.values())
    assert f"{abs(5.0 - 20.0) / x_sd:.3f}" in html
    assert reverse("peer-groups-version", args=["TST", 1]) in html
    assert "What changed since version 1" in html


def test_an_earlier_version_is_shown_as_superseded_with_who_computed_it(
    two_versions: Organisation, analyst: User
) -> None:
    client = signed_in(analyst)
    data = client.get(reverse("peer-groups-version-json", args=["TST", 1])).json()
    assert data["version"]["number"] == 1 and data["version"]["current"] is False
    assert data["version"]["superseded_at"] is not None
    assert data["version"]["created_by"] == "analyst"
    north = next(group for group in data["groups"] if group["unit"] == "N")
    assert [peer["code"] for peer in north["peers"]] == ["S"]
    assert north["peers"][0]["distance"] == pytest.approx(1.0 / statistics.pstdev(X.values()))
    assert data["changes"] is None  # the first version replaced nothing
    html = client.get(reverse("peer-groups-version", args=["TST", 1])).content.decode()
    assert "Superseded" in html and "See the current version" in html


def test_what_changed_names_the_method_and_each_group_that_changed(
    two_versions: Organisation, analyst: User
) -> None:
    changes = signed_in(analyst).get(reverse("peer-groups-json", args=["TST"])).json()["changes"]
    assert changes["from"] == 1
    assert changes["method"] == [
        "Variables: x became x, y.",
        "Source: Census 2011 became Census 2021.",
    ]
    assert changes["values"] == []  # the same figures, used differently
    north = next(group for group in changes["groups"] if group["unit"] == "N")
    assert north["added"] == [{"code": "X", "name": "Other Force"}]
    assert north["removed"] == [{"code": "S", "name": "South"}]
    assert not north["reordered"] and not north["new"] and not north["left_out"]
    # By hand, nearest on x alone then with y: a y difference of 10 (two sd) weighs
    # 4 x 2 x 2 = 16 against x's (difference / 7.43) squared, so y decides every group.
    moves = {
        group["unit"]: (group["removed"][0]["code"], group["added"][0]["code"])
        for group in changes["groups"]
    }
    assert moves == {"F": ("N", "S"), "N": ("S", "X"), "S": ("N", "F"), "X": ("S", "N")}


def test_changed_context_figures_are_listed(organisation: Organisation, analyst: User) -> None:
    compute_peer_groups(organisation, CONTEXT, ["x"], None, 1, "")
    changed = CONTEXT.with_columns(x=pl.Series([0.0, 5.5, 6.0, 20.0]))
    compute_peer_groups(organisation, changed, ["x"], None, 2, "")
    changes = signed_in(analyst).get(reverse("peer-groups-json", args=["TST"])).json()["changes"]
    assert changes["values"] == [
        {"unit": "N", "name": "North", "variable": "x", "before": 5.0, "after": 5.5}
    ]
    assert changes["method"] == ["Peers per unit: 1 became 2."]


def test_a_command_lead_sees_only_the_groups_of_their_units(
    two_versions: Organisation, command_lead: User
) -> None:
    data = signed_in(command_lead).get(reverse("peer-groups-json", args=["TST"])).json()
    # North and the external comparator X, whose figures are public; not Force or South.
    assert [group["unit"] for group in data["groups"]] == ["N", "X"]
    assert {row["unit"] for row in data["inputs"]["rows"]} == {"N", "X"}
    assert [group["unit"] for group in data["changes"]["groups"]] == ["N", "X"]


def test_an_unknown_version_is_not_found(two_versions: Organisation, analyst: User) -> None:
    client = signed_in(analyst)
    assert client.get(reverse("peer-groups-version", args=["TST", 3])).status_code == 404
    assert client.get(reverse("peer-groups-version-json", args=["TST", 3])).status_code == 404


def test_the_measure_page_says_how_its_peer_group_was_chosen(
    organisation: Organisation, analyst: User
) -> None:
    client = signed_in(analyst)
    page = reverse("measure", args=["TST", "N", "CR"])
    assert "it is given in the framework file" in client.get(page).content.decode()
    compute_peer_groups(organisation, CONTEXT, ["x"], None, 1, "")
    html = client.get(page).content.decode()
    assert f"{reverse('peer-groups-version', args=['TST', 1])}#unit-N" in html
    assert (
        client.get(reverse("measure-json", args=["TST", "N", "CR"])).json()["peers"]["computed"]
        == 1
    )


def test_the_organisation_page_links_to_the_groups(analyst: User) -> None:
    html = signed_in(analyst).get(reverse("organisation", args=["TST"])).content.decode()
    assert reverse("peer-groups", args=["TST"]) in html


def test_a_partner_sees_the_groups_of_the_units_shared_with_it(
    two_versions: Organisation, other_org_user: User
) -> None:
    import datetime as dt

    from pmf.web.accounts.models import SharingAgreement

    client = signed_in(other_org_user)
    assert client.get(reverse("peer-groups-json", args=["TST"])).status_code == 404
    SharingAgreement.objects.create(
        provider=two_versions,
        recipient=other_org_user.membership.organisation,
        unit=two_versions.units.get(code="S"),
        purpose="Joint working",
        starts=dt.date(2000, 1, 1),
    )
    data = client.get(reverse("peer-groups-json", args=["TST"])).json()
    assert [group["unit"] for group in data["groups"]] == ["S", "X"]
