"""Statutory returns in the web application and on the command line: check, export, audit."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from pmf.cli import main
from pmf.sources.frameworks import read_framework_file
from pmf.web.accounts.models import Membership
from pmf.web.audit.models import AuditEvent
from pmf.web.frameworks.models import Organisation, StatutoryReturn
from pmf.web.frameworks.services import framework_of, store_framework
from pmf.web.observations.services import import_frame
from pmf.web.returns import services
from tests.factories import GOOD, member

pytestmark = pytest.mark.django_db

RETURN = """\
returns:
  - code: CRIMES
    name: Crimes return
    template: crimes.csv
    frequency: month
    period_cell: B1
    recipient: Home Office
    rules: {whole: true, min: 0}
    columns:
      - {column: B, measure: CR, part: numerator}
    rows:
      - {row: 3, unit: N}
      - {row: 4, unit: S}
"""
TEMPLATE = "Month,,\nUnit,Crimes,\nNorth,,\nSouth,,\n"


@pytest.fixture
def organisation(tmp_path: Path) -> Organisation:
    return organisation_with_a_return(tmp_path)


def organisation_with_a_return(folder: Path) -> Organisation:
    """Load GOOD with the CRIMES return, and figures: June validated, July's South provisional."""
    tmp_path = folder
    (tmp_path / "crimes.csv").write_text(TEMPLATE, encoding="utf-8")
    path = tmp_path / "framework.yaml"
    path.write_text(GOOD + RETURN, encoding="utf-8")
    found = store_framework(read_framework_file(path), str(path))
    frame = pl.DataFrame(
        {
            "unit": ["N", "S", "N", "S"],
            "measure": ["CR"] * 4,
            "period": ["2019-06", "2019-06", "2019-07", "2019-07"],
            "numerator": ["6", "4", "7", "5"],
            "denominator": ["1000"] * 4,
            "status": ["validated", "signed_off", "validated", "provisional"],
        }
    )
    import_frame(found, frame, file_name="figures.csv", source="test")
    return found


@pytest.fixture
def analyst(organisation: Organisation) -> User:
    return member("analyst", organisation, Membership.Role.ANALYST)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_return_and_its_template_are_stored_and_rebuilt(organisation: Organisation) -> None:
    stored = StatutoryReturn.objects.get(organisation=organisation, code="CRIMES")
    assert bytes(stored.template) == TEMPLATE.encode()
    assert framework_of(organisation).return_("CRIMES").recipient == "Home Office"


def test_export_fills_the_template_and_records_who_exported_what(
    organisation: Organisation, analyst: User
) -> None:
    made = services.export_return(organisation, "CRIMES", "June 2019", user=analyst)
    assert made.file_name == "TST-CRIMES-2019-06.csv"
    rows = list(csv.reader(io.StringIO(made.content.decode())))
    assert rows[0][:2] == ["Month", "2019-06"]
    assert [rows[2][1], rows[3][1]] == ["6", "4"]
    event = AuditEvent.objects.get(action="export_return")
    assert event.actor == analyst and event.object_id == "CRIMES"
    assert event.after["period"] == "2019-06" and event.after["sha256"] == made.sha256
    assert event.after["template_sha256"] == StatutoryReturn.objects.get().template_sha256


def test_a_return_with_a_provisional_figure_is_refused_and_nothing_recorded(
    organisation: Organisation,
) -> None:
    with pytest.raises(services.ReturnRefused) as refused:
        services.export_return(organisation, "CRIMES", "2019-07")
    assert refused.value.problems == [
        "B4 (CR, S, 2019-07): the figure is provisional; the return needs validated figures"
    ]
    with pytest.raises(services.ReturnRefused, match="period: '2019/20' is a financial year"):
        services.export_return(organisation, "CRIMES", "2019/20")
    assert not AuditEvent.objects.filter(action="export_return").exists()


def test_a_framework_reload_without_the_return_drops_it(
    organisation: Organisation, tmp_path: Path
) -> None:
    path = tmp_path / "framework.yaml"
    path.write_text(GOOD, encoding="utf-8")
    store_framework(read_framework_file(path), str(path))
    assert not StatutoryReturn.objects.exists()
    with pytest.raises(LookupError, match="'CRIMES' is not a return of TST"):
        services.definition(organisation, "CRIMES")


def test_the_page_checks_a_period_and_the_analyst_downloads_the_return(
    organisation: Organisation, analyst: User
) -> None:
    client = signed_in(analyst)
    listing = client.get(reverse("returns", kwargs={"org": "TST"}))
    assert b"Crimes return" in listing.content
    url = reverse("return", kwargs={"org": "TST", "ret": "CRIMES"})
    page = client.get(url, {"period": "2019-07"})
    assert page.status_code == 200
    assert b"the figure is provisional" in page.content
    twin = client.get(
        reverse("return-json", kwargs={"org": "TST", "ret": "CRIMES"}), {"period": "2019-06"}
    )
    assert twin.json()["ready"] is True
    assert [cell["text"] for cell in twin.json()["cells"]] == ["6", "4"]
    refused = client.post(url, {"period": "2019-07"})
    assert refused.status_code == 400
    assert b"the return needs validated figures" in refused.content
    made = client.post(url, {"period": "2019-06"})
    assert made.status_code == 200
    assert made["Content-Disposition"] == 'attachment; filename="TST-CRIMES-2019-06.csv"'
    assert AuditEvent.objects.filter(action="export_return").count() == 1
    assert b"TST-CRIMES-2019-06.csv" in client.get(url).content  # listed under Exports


def test_a_scoped_analyst_sees_only_their_units_cells_and_cannot_export(
    organisation: Organisation,
) -> None:
    scoped = member("scoped_analyst", organisation, Membership.Role.ANALYST, unit="N")
    client = signed_in(scoped)
    url = reverse("return-json", kwargs={"org": "TST", "ret": "CRIMES"})
    data = client.get(url, {"period": "2019-06"}).json()
    assert [cell["unit"] for cell in data["cells"]] == ["N"]
    page_url = reverse("return", kwargs={"org": "TST", "ret": "CRIMES"})
    refused = client.post(page_url, {"period": "2019-06"})
    assert refused.status_code == 400
    assert b"units outside your scope" in refused.content
    assert not AuditEvent.objects.filter(action="export_return").exists()


def test_other_roles_may_not_open_returns(organisation: Organisation) -> None:
    viewer = member("viewer", organisation, Membership.Role.VIEWER)
    response = signed_in(viewer).get(reverse("returns", kwargs={"org": "TST"}))
    assert response.status_code == 403


def test_the_command_line_lists_checks_and_exports_a_return(
    organisation: Organisation, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["return", "list", "-o", "TST"]) == 0
    assert "CRIMES\tCrimes return\tby month\tcrimes.csv" in capsys.readouterr().out
    assert main(["return", "check", "-o", "TST", "CRIMES", "--period", "2019-07"]) == 1
    out = capsys.readouterr().out
    assert "B4\tCR\tS\t2019-07\t5\tprovisional\tthe figure is provisional" in out
    assert "1 problem." in out
    target = tmp_path / "out.csv"
    assert (
        main(
            [
                "return",
                "export",
                "-o",
                "TST",
                "CRIMES",
                "--period",
                "2019-07",
                "--output",
                str(target),
            ]
        )
        == 1
    )
    assert "nothing was exported" in capsys.readouterr().err
    assert not target.exists()
    assert (
        main(
            [
                "return",
                "export",
                "-o",
                "TST",
                "CRIMES",
                "--period",
                "2019-06",
                "--output",
                str(target),
            ]
        )
        == 0
    )
    assert "Wrote return CRIMES for 2019-06" in capsys.readouterr().out
    assert target.read_text(encoding="utf-8").splitlines()[2] == "North,6,"
    event = AuditEvent.objects.get(action="export_return")
    assert event.actor_label.endswith("via pmf return")
    assert main(["return", "check", "-o", "TST", "NOPE", "--period", "2019-06"]) == 1
    assert "'NOPE' is not a return of TST (its returns: CRIMES)" in capsys.readouterr().err
