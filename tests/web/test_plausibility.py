"""The entry form, the import page and the API refuse impossible figures and hold unlikely ones.

The test organisation holds ER (a percentage, target 80) of 75 for North in 2019-07: a
correction to 30 (-60 %) is possible but unlikely, so it is stored only when someone accepts
its warning with a reason, which the figure keeps and the audit trail records.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pmf.web.api.services import issue_token
from pmf.web.audit.models import AuditEvent
from pmf.web.observations.models import Observation

pytestmark = pytest.mark.django_db

WARNING = "30 is a change of -60 % from 75, the figure held for this period"


@pytest.fixture(autouse=True)
def uploads(tmp_path: Path, settings: object) -> None:
    settings.PMF_UPLOAD_DIR = tmp_path / "uploads"  # type: ignore[attr-defined]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def north_er() -> Observation:
    return Observation.objects.get(
        unit__code="N", measure__code="ER", period="2019-07", superseded_at__isnull=True
    )


def acceptance() -> AuditEvent:
    return AuditEvent.objects.get(action="accept warnings")


# The entry form


def enter(client: Client, value: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/TST/units/N/enter/",
        {"period": "2019-07", "measure": "ER", "value-ER": value, "revision-ER": "1", **extra},
    )


def test_the_entry_form_holds_an_unlikely_correction_and_asks_for_a_reason(owner: User) -> None:
    client = client_for(owner)
    held = enter(client, "30")
    assert held.status_code == 400
    page = held.content.decode()
    assert f"Emergency response within target, value &#x27;30&#x27;: {WARNING}" in page
    assert 'name="accept-warnings"' in page and 'name="warnings-reason"' in page
    assert field_value(page, "value-ER") == "30"  # what was typed is kept
    assert north_er().value == 75
    assert not AuditEvent.objects.filter(action="accept warnings").exists()


def test_a_tick_without_a_reason_stores_nothing(owner: User) -> None:
    response = enter(client_for(owner), "30", **{"accept-warnings": "yes"})
    assert response.status_code == 400
    assert "give a reason to accept the warnings" in response.content.decode()
    assert north_er().value == 75


def test_the_entry_form_stores_an_accepted_figure_with_its_warning_and_reason(owner: User) -> None:
    reason = "confirmed with the control room log"
    response = enter(
        client_for(owner), "30", **{"accept-warnings": "yes", "warnings-reason": reason}
    )
    assert response.status_code == 302
    stored = north_er()
    assert (stored.value, stored.revision, stored.recorded_by) == (30, 2, owner)
    assert stored.warnings.startswith(WARNING)
    assert stored.warnings_reason == reason
    event = acceptance()
    assert (event.actor, event.note, event.after["figures"]) == (owner, reason, 1)
    assert event.after["warnings"]["N ER 2019-07"].startswith(WARNING)
    assert f"for 1 figure from data entry: {reason}" in event.label
    assert event.unit_code == "N"
    trail = client_for(owner).get("/TST/audit/", {"kind": "observation"})
    assert trail.status_code == 200
    assert "accept warnings" in trail.content.decode() and reason in trail.content.decode()


def test_the_entry_form_refuses_250_per_cent(owner: User) -> None:
    response = enter(client_for(owner), "250", **{"accept-warnings": "yes", "warnings-reason": "x"})
    assert response.status_code == 400
    assert "is more than 100, the most ER can be (valid: max)" in response.content.decode()
    assert north_er().value == 75


def field_value(page: str, name: str) -> str:
    import re

    field = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert field is not None, name
    value = re.search(r'\bvalue="([^"]*)"', field.group(0))
    return value.group(1) if value else ""


# The import page


def upload(client: Client, text: str):  # type: ignore[no-untyped-def]
    return client.post("/TST/import/", {"file": SimpleUploadedFile("figures.csv", text.encode())})


def confirm(client: Client, preview, **extra: str):  # type: ignore[no-untyped-def]
    review = preview.context["review"]
    form = {"token": review["token"], "name": review["name"], "layout": review["layout"]}
    form.update({column["id"]: column["choice"] for column in review["columns"]})
    return client.post("/TST/import/", {**form, **extra})


def test_the_import_page_lists_warnings_and_imports_only_when_they_are_accepted(
    analyst: User,
) -> None:
    client = client_for(analyst)
    preview = upload(client, "unit,measure,period,value\nN,ER,2019-07,30\nS,ER,2019-08,84\n")
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Figures with plausibility warnings" in page and WARNING in page
    assert preview.context["review"]["warnings"][0]["row"] == 2
    refused = confirm(client, preview)
    assert refused.status_code == 400
    assert '<a href="#accept-warnings">Accept the plausibility warnings' in refused.content.decode()
    assert north_er().value == 75
    assert not Observation.objects.filter(period="2019-08").exists()
    done = confirm(client, refused, **{"accept-warnings": "yes", "warnings-reason": "late returns"})
    assert done.status_code == 302
    assert (north_er().value, north_er().warnings_reason) == (30, "late returns")
    assert Observation.objects.get(unit__code="S", period="2019-08").warnings == ""
    event = acceptance()
    assert (event.actor, event.note, event.after["figures"]) == (analyst, "late returns", 1)


def test_the_import_page_refuses_a_period_to_come(analyst: User) -> None:
    response = upload(client_for(analyst), "unit,measure,period,value\nN,ER,2099-01,80\n")
    assert response.status_code == 400
    page = response.content.decode()
    assert "1 row cannot be imported; nothing was stored" in page
    assert "starts after today" in page


@pytest.fixture
def immediate_tasks(settings: object) -> None:
    settings.TASKS = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    settings.PMF_BACKGROUND_IMPORT_ROWS = 40  # type: ignore[attr-defined]


LARGE = (
    "unit,measure,period,value\n"
    + "".join(
        f"{unit},ER,{year}-{month:02d},{70 + month}\n"
        for unit in ("N", "S")
        for year in (2020, 2021)
        for month in range(1, 13)
    )
    + "N,ER,2019-07,30\n"
)  # 49 figures, the last a correction from 75 to 30


def test_a_background_import_with_warnings_fails_unless_they_were_accepted(
    analyst: User, immediate_tasks: None
) -> None:
    from pmf.web.entry.models import ImportJob

    client = client_for(analyst)
    before = Observation.objects.count()
    preview = upload(client, LARGE)
    page = preview.content.decode()
    assert "Import 49 figures in the background" in page
    assert 'name="accept-warnings"' in page  # the whole file is only checked by the worker
    confirm(client, preview)
    job = ImportJob.objects.get()
    assert (job.status, job.problem_count) == ("failed", 1)
    assert job.problems[0]["row"] == 50 and WARNING in job.problems[0]["reason"]
    assert Observation.objects.count() == before

    again = upload(client, LARGE)
    confirm(client, again, **{"accept-warnings": "yes", "warnings-reason": "recount"})
    accepted = ImportJob.objects.latest("created_at")
    assert (accepted.status, accepted.accept_warnings) == ("done", "recount")
    assert (north_er().value, north_er().warnings_reason) == (30, "recount")
    assert acceptance().after["figures"] == 1


# The API


def post_rows(user: User, rows: list[dict[str, object]], query: str = "") -> object:
    _, key = issue_token(user, "tests")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    return client.post(
        f"/api/organisations/TST/observations{query}",
        json.dumps(rows),
        content_type="application/json",
    )


ROW = {"unit": "N", "measure": "ER", "period": "2019-07", "value": 30}


def test_the_api_holds_figures_with_warnings_naming_each_by_row(analyst: User) -> None:
    response = post_rows(analyst, [{**ROW, "period": "2019-08", "value": 80}, ROW])
    assert response.status_code == 422  # type: ignore[attr-defined]
    report = response.json()  # type: ignore[attr-defined]
    assert report["detail"].startswith("1 figure with plausibility warnings; nothing was stored")
    assert "accept_warnings=REASON" in report["detail"]
    [problem] = report["problems"]
    assert (problem["row"], problem["field"], problem["value"]) == (2, "value", "30")
    assert problem["reason"].startswith(WARNING)
    assert north_er().value == 75
    assert not Observation.objects.filter(period="2019-08").exists()


def test_the_api_stores_figures_with_accepted_warnings(analyst: User) -> None:
    response = post_rows(analyst, [ROW], "?accept_warnings=checked%20with%20the%20force")
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    assert response.json()["accepted"] == 1  # type: ignore[attr-defined]
    assert north_er().warnings_reason == "checked with the force"
    event = acceptance()
    assert (event.actor, event.note) == (analyst, "checked with the force")
    assert "from JSON API" in event.label


def test_the_api_refuses_a_negative_percentage_even_with_acceptance(analyst: User) -> None:
    response = post_rows(analyst, [{**ROW, "value": -5}], "?accept_warnings=sure")
    assert response.status_code == 422  # type: ignore[attr-defined]
    [problem] = response.json()["problems"]  # type: ignore[attr-defined]
    assert problem["reason"] == "is less than 0, the least ER can be (valid: min)"


# The framework's valid blocks are kept by the web application


def test_a_stored_framework_keeps_each_measures_valid_block() -> None:
    from pmf.core.framework import load_framework
    from pmf.core.plausibility import rules_for
    from pmf.web.frameworks.services import framework_of, store_framework
    from tests.factories import COUNT_MEASURE, GOOD

    block = "    valid: {min: null, max: 500, max_change: 25%, limits_margin: 'off'}\n"
    text = GOOD.replace("peer_groups:", COUNT_MEASURE + block + "peer_groups:", 1)
    stored = framework_of(store_framework(load_framework(text), "framework.yaml"))
    rules = rules_for(stored.measure("ARRESTS"))
    assert (rules.minimum, rules.maximum, rules.whole) == (None, 500, True)
    assert (rules.max_change, rules.limits_margin) == (25, 0)
    assert rules_for(stored.measure("ER")) == rules_for(load_framework(GOOD).measure("ER"))


def test_a_revision_of_the_status_alone_is_not_judged_again_and_keeps_the_values_warnings(
    organisation: object,
) -> None:
    import polars as pl

    from pmf.web.observations.services import import_frame

    def store(status: str, accept: str | None = None) -> None:
        figure = {"unit": ["N"], "measure": ["ER"], "period": ["2019-07"], "value": [30.0]}
        frame = pl.DataFrame({**figure, "status": [status]})
        import_frame(organisation, frame, file_name="er.csv", source="t", accept_warnings=accept)

    store("provisional", accept="confirmed with the control room log")
    assert WARNING in north_er().warnings
    # Validating the figure changes its status, not its value: no reason is asked again, and
    # the value keeps the warnings it was stored with.
    store("validated")
    held = north_er()
    assert (held.status, held.revision) == ("validated", 3)
    assert WARNING in held.warnings
    assert held.warnings_reason == "confirmed with the control room log"
    assert AuditEvent.objects.filter(action="accept warnings").count() == 1
