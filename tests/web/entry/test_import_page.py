from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pmf.web.observations.models import ImportBatch, Observation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads(tmp_path: Path, settings: object) -> None:
    settings.PMF_UPLOAD_DIR = tmp_path / "uploads"  # type: ignore[attr-defined]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, text: str, name: str = "figures.csv"):  # type: ignore[no-untyped-def]
    return client.post("/TST/import/", {"file": SimpleUploadedFile(name, text.encode())})


def test_analyst_checks_previews_and_confirms_an_import(analyst: User) -> None:
    client = client_for(analyst)
    before = Observation.objects.count()
    preview = upload(client, "unit,measure,period,value\nN,ER,2019-08,81\nS,ER,2019-08,90\n")
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "all 2 figures passed the checks" in page
    assert Observation.objects.count() == before  # nothing stored before the confirmation
    token = preview.context["review"]["token"]
    done = client.post("/TST/import/", {"token": token, "name": "figures.csv"})
    assert done.status_code == 302
    assert Observation.objects.count() == before + 2
    batch = ImportBatch.objects.latest("recorded_at")
    assert (batch.file_name, batch.recorded_by) == ("figures.csv", analyst)
    # The kept file is gone: the same confirmation cannot run twice.
    again = client.post("/TST/import/", {"token": token, "name": "figures.csv"})
    assert again.status_code == 400
    assert "expired" in again.content.decode()


def test_every_bad_row_is_listed_and_nothing_is_stored(analyst: User) -> None:
    before = Observation.objects.count()
    response = upload(
        client_for(analyst), "unit,measure,period,value\nN,ER,2019-08,eighty\nQ,ER,2019-08,1\n"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "2 rows cannot be imported; nothing was stored" in page
    assert "is not a number" in page and "is not a unit of TST" in page
    assert "Import 2 figures" not in page
    assert Observation.objects.count() == before


def test_unreadable_file_is_reported(analyst: User) -> None:
    response = upload(client_for(analyst), "", name="empty.csv")
    assert response.status_code == 400
    assert "is empty" in response.content.decode()


def test_a_forged_token_is_refused(analyst: User) -> None:
    response = client_for(analyst).post("/TST/import/", {"token": "../../etc/passwd"})
    assert response.status_code == 404


def test_only_analysts_import(owner: User, command_lead: User) -> None:
    assert client_for(owner).get("/TST/import/").status_code == 403
    assert client_for(command_lead).get("/TST/import/").status_code == 403


# --------------------------------------------------------------------------------------------
# Column mapping and layout in the browser
# --------------------------------------------------------------------------------------------


def confirm(client: Client, response, **choices: str):  # type: ignore[no-untyped-def]
    """Post the mapping form of a reviewed upload again: action "check" re-checks only."""
    review = response.context["review"]
    form = {"token": review["token"], "name": review["name"], "layout": review["layout"]}
    form.update({column["id"]: column["choice"] for column in review["columns"]})
    form.update(choices)
    return client.post("/TST/import/", form)


def test_columns_named_otherwise_are_mapped_in_the_browser(analyst: User) -> None:
    client = client_for(analyst)
    before = Observation.objects.count()
    first = upload(client, "Borough,Indicator,Month,Figure\nNorth,ER,2019-08,81\nS,ER,2019-08,84\n")
    assert first.status_code == 400
    page = first.content.decode()
    # The error summary links each problem to its field, and each select has a label.
    assert '<a href="#column-0">Choose what the column ‘Borough’ holds</a>' in page
    assert '<label class="govuk-label govuk-visually-hidden" for="column-0">' in page
    assert 'aria-describedby="column-0-error"' in page
    mapping = {"column-0": "unit", "column-1": "measure", "column-2": "period", "column-3": "value"}
    checked = confirm(client, first, layout="long", action="check", **mapping)
    assert checked.status_code == 200
    assert "all 2 figures passed the checks" in checked.content.decode()
    assert [row["unit"] for row in checked.context["review"]["preview"]] == ["N", "S"]
    assert Observation.objects.count() == before
    done = confirm(client, checked)
    assert done.status_code == 302
    assert Observation.objects.count() == before + 2


def test_a_role_given_to_two_columns_is_refused(analyst: User) -> None:
    client = client_for(analyst)
    first = upload(client, "unit,measure,period,value,Area\nN,ER,2019-08,81,S\n")
    assert first.status_code == 400  # pmf cannot tell what Area holds
    again = confirm(client, first, action="check", **{"column-4": "unit"})
    assert again.status_code == 400
    assert "‘Area’: only one column can hold the unit, and ‘unit’ does" in again.content.decode()


def test_a_column_can_be_left_out_or_mapped_to_another_role(analyst: User) -> None:
    client = client_for(analyst)
    # "value" holds numerators here: mapped so, it is not also taken as the value by its name.
    first = upload(client, "unit,measure,period,value,per,Comment\nN,CR,2019-08,7,1000,ok\n")
    assert first.status_code == 400  # Comment is neither a role nor a period
    checked = confirm(
        client,
        first,
        action="check",
        **{"column-3": "numerator", "column-4": "denominator", "column-5": "ignore"},
    )
    assert checked.status_code == 200
    row = checked.context["review"]["preview"][0]
    # The value (7 per 1,000) as the measure shows it, with its one decimal.
    assert (row["numerator"], row["denominator"], row["value"]) == ("7", "1,000", "7.0")


def test_a_wide_file_is_recognised_and_imported(analyst: User) -> None:
    client = client_for(analyst)
    before = Observation.objects.count()
    preview = upload(client, "unit,measure,2019-08,2019-09\nN,ER,81,82\nS,ER,90,\n")
    assert preview.status_code == 200
    review = preview.context["review"]
    assert review["layout"] == "wide"
    assert [c["choice"] for c in review["columns"]] == ["unit", "measure"] + ["period-column"] * 2
    assert "all 3 figures passed the checks" in preview.content.decode()
    assert confirm(client, preview).status_code == 302
    assert Observation.objects.count() == before + 3


def test_wide_layout_chosen_for_a_file_with_other_columns(analyst: User) -> None:
    client = client_for(analyst)
    first = upload(client, "Borough,Crime,Comment,201908\nN,ER,x,81\n")
    assert first.status_code == 400
    assert first.context["review"]["layout"] == "wide"
    choices = {"column-0": "unit", "column-1": "measure", "column-2": "period-column"}
    wrong = confirm(client, first, action="check", **choices)
    assert "‘Comment’ is not a period such as 201907" in wrong.content.decode()
    right = confirm(client, first, action="check", **{**choices, "column-2": "ignore"})
    assert right.status_code == 200
    assert right.context["review"]["preview"][0]["period"] == "2019-08"
    long = confirm(client, right, action="check", layout="long")
    assert "in the long layout no column is a period" in long.content.decode()


# --------------------------------------------------------------------------------------------
# Large files: a background job with its progress
# --------------------------------------------------------------------------------------------

LARGE = "unit,measure,period,value\n" + "".join(
    f"{unit},ER,{year}-{month:02d},{70 + month}\n"
    for unit in ("N", "S")
    for year in (2020, 2021)
    for month in range(1, 13)
)  # 48 figures


@pytest.fixture
def immediate_tasks(settings: object) -> None:
    settings.TASKS = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    settings.PMF_BACKGROUND_IMPORT_ROWS = 40  # type: ignore[attr-defined]


def test_a_large_file_is_imported_by_a_background_job(analyst: User, immediate_tasks: None) -> None:
    from pmf.web.entry.models import ImportJob

    client = client_for(analyst)
    before = Observation.objects.count()
    preview = upload(client, LARGE)
    assert preview.status_code == 200
    assert "Import 48 figures in the background" in preview.content.decode()
    started = confirm(client, preview)
    job = ImportJob.objects.get()
    assert started["Location"] == f"/TST/import/jobs/{job.pk}/"
    assert (job.status, job.rows_done, job.rows_total) == ("done", 48, 48)
    assert (job.created_by, job.batch.recorded_by) == (analyst, analyst)  # type: ignore[union-attr]
    assert Observation.objects.count() == before + 48
    page = client.get(started["Location"]).content.decode()
    assert "Import complete" in page and "48 rows read: 48 added" in page
    assert "hx-trigger" not in page  # nothing left to follow
    data = client.get(f"/TST/import/jobs/{job.pk}.json").json()
    assert (data["status"], data["rows_done"], data["percent"]) == ("done", 48, 100)
    # The kept upload is gone once the job has run.
    from pmf.web.entry.services import upload_dir

    assert not (upload_dir() / job.upload).exists()


def test_a_bad_row_after_the_preview_fails_the_job_and_stores_nothing(
    analyst: User, immediate_tasks: None
) -> None:
    from pmf.web.entry.models import ImportJob

    client = client_for(analyst)
    before = Observation.objects.count()
    preview = upload(client, LARGE.replace("S,ER,2021-12,82", "S,ER,2021-12,lots"))
    assert preview.status_code == 200  # the first rows are sound
    started = confirm(client, preview)
    job = ImportJob.objects.get()
    assert (job.status, job.problem_count, job.batch) == ("failed", 1, None)
    assert Observation.objects.count() == before
    page = client.get(started["Location"]).content.decode()
    assert "1 problem; nothing was stored." in page
    assert "lots" in page and "is not a number" in page
    problem = client.get(f"/TST/import/jobs/{job.pk}.json").json()["problems"][0]
    assert problem == {"row": 49, "column": "value", "value": "lots", "reason": "is not a number"}


@pytest.mark.django_db(transaction=True)
def test_a_queued_job_runs_in_the_database_worker(analyst: User, settings: object) -> None:
    import signal

    from django_tasks_db.models import DBTaskResult

    from pmf.web.entry.models import ImportJob
    from pmf.web.setup import run_worker as worker

    settings.PMF_BACKGROUND_IMPORT_ROWS = 40  # type: ignore[attr-defined]
    client = client_for(analyst)
    before = Observation.objects.count()
    started = confirm(client, upload(client, LARGE))
    job = ImportJob.objects.get()
    assert job.status == "queued"
    assert DBTaskResult.objects.get().task_path == "pmf.web.entry.tasks.run_import"
    waiting = client.get(f"/TST/import/jobs/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in waiting
    assert 'id="job-status" hx-swap-oob="innerHTML">Waiting for the worker' in waiting
    assert Observation.objects.count() == before
    # The worker sets its own signal handlers; give the test run its own back afterwards.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        worker(batch=True)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    job.refresh_from_db()
    assert job.status == "done"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert Observation.objects.count() == before + 48
    done = client.get(started["Location"]).content.decode()
    assert "Import complete" in done


def test_progress_is_read_from_the_worker_while_it_stores(analyst: User) -> None:
    from pmf.web.entry import services
    from pmf.web.entry.models import ImportJob

    job = ImportJob.objects.create(
        organisation=analyst.membership.organisation,  # type: ignore[attr-defined]
        file_name="big.csv",
        upload="0" * 32 + ".csv",
        status=ImportJob.Status.IMPORTING,
        rows_total=30000,
    )
    services._write_progress(job, 10000, 30000)
    client = client_for(analyst)
    data = client.get(f"/TST/import/jobs/{job.pk}.json").json()
    assert (data["rows_done"], data["rows_total"], data["percent"]) == (10000, 30000, 33)
    fragment = client.get(f"/TST/import/jobs/{job.pk}/progress/").content.decode()
    assert 'max="30000" value="10000"' in fragment
    assert "Storing 30,000 figures." in fragment


def test_only_analysts_of_the_organisation_see_its_jobs(
    analyst: User, owner: User, other_org_user: User
) -> None:
    from pmf.web.entry.models import ImportJob

    job = ImportJob.objects.create(
        organisation=analyst.membership.organisation,  # type: ignore[attr-defined]
        file_name="big.csv",
        upload="0" * 32 + ".csv",
    )
    pages = [f"/TST/import/jobs/{job.pk}/", f"/TST/import/jobs/{job.pk}.json"]
    pages.append(f"/TST/import/jobs/{job.pk}/progress/")
    for page in pages:
        assert client_for(analyst).get(page).status_code == 200
        assert client_for(owner).get(page).status_code == 403
        assert client_for(other_org_user).get(page).status_code == 404
        assert Client().get(page)["Location"].startswith("/accounts/login/")
    # Another organisation's analyst cannot reach the job through their own organisation either.
    assert client_for(other_org_user).get(f"/OTHER/import/jobs/{job.pk}/").status_code == 404


def test_an_analyst_scoped_to_a_unit_lists_only_their_own_imports(
    analyst: User, organisation: object
) -> None:
    from pmf.web.entry.models import ImportJob
    from tests.factories import member

    north = member("north_analyst", organisation, "analyst", unit="N")  # type: ignore[arg-type]
    for user, name in ((analyst, "whole-force.csv"), (north, "north-only.csv")):
        ImportJob.objects.create(
            organisation=organisation, file_name=name, upload="0" * 32 + ".csv", created_by=user
        )
    scoped = client_for(north).get("/TST/import/").content.decode()
    assert "north-only.csv" in scoped and "whole-force.csv" not in scoped
    whole = client_for(analyst).get("/TST/import/").content.decode()
    assert "north-only.csv" in whole and "whole-force.csv" in whole


def test_the_preview_shows_values_as_the_measure_does_and_counts_with_separators(
    analyst: User,
) -> None:
    preview = upload(
        client_for(analyst),
        "unit,measure,period,value,numerator,denominator,note\n"
        "N,ER,2019-08,70.62937063,,,checked\n"
        "S,ER,2019-08,81.26,,,checked\n"
        "N,CR,2019-08,,683,204236,a long note that wraps\n",
    )
    assert preview.status_code == 200
    rows = preview.context["review"]["preview"]
    # One measure, one number of decimals (its own): not "70.62937063" beside "81.26".
    assert [row["value"] for row in rows[:2]] == ["70.6%", "81.3%"]
    assert (rows[2]["numerator"], rows[2]["denominator"]) == ("683", "204,236")
    assert "pmf-cell--wrap" in preview.content.decode()  # the note column wraps


# --------------------------------------------------------------------------------------------
# Every row within the uploader's write scope (issue 15, items 1.3 and 1.4)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def scoped_analyst(organisation: object) -> User:
    from pmf.web.accounts.models import Membership
    from tests.factories import member

    return member("scoped_analyst", organisation, Membership.Role.ANALYST, unit="N")  # type: ignore[arg-type]


def test_a_scoped_analyst_imports_rows_of_their_own_units(scoped_analyst: User) -> None:
    client = client_for(scoped_analyst)
    before = Observation.objects.count()
    preview = upload(client, "unit,measure,period,value\nN,ER,2019-08,81\nNorth,CR,2019-08,9\n")
    assert preview.status_code == 200
    confirm_ok = client.post(
        "/TST/import/", {"token": preview.context["review"]["token"], "name": "figures.csv"}
    )
    assert confirm_ok.status_code == 302
    assert Observation.objects.count() == before + 2


@pytest.mark.parametrize(
    ("unit", "why"),
    [
        ("S", "a sibling unit"),
        ("south", "a sibling by name"),
        ("F", "the force"),
        ("X", "external"),
    ],
)
def test_a_scoped_analyst_cannot_import_a_row_outside_their_scope(
    scoped_analyst: User, unit: str, why: str
) -> None:
    client = client_for(scoped_analyst)
    before = Observation.objects.count()
    text = f"Unit code,measure,period,value\nN,ER,2019-08,81\n{unit},ER,2019-08,90\n"
    preview = client.post(
        "/TST/import/",
        {"file": SimpleUploadedFile("scoped.csv", text.encode())},
    )
    token = preview.context["review"]["token"]
    # Map the first column explicitly: the problem names the file's own column.
    reviewed = client.post(
        "/TST/import/",
        {
            "token": token,
            "name": "scoped.csv",
            "layout": "long",
            "column-0": "unit",
            "column-1": "measure",
            "column-2": "period",
            "column-3": "value",
            "action": "check",
        },
    )
    assert reviewed.status_code == 400, why
    review = reviewed.context["review"]
    assert not review["ready"]
    problems = [(p.row, p.column, p.value, p.reason) for p in review["row_problems"]]
    assert problems == [(3, "Unit code", unit, "is not a unit of TST (by code or name)")], why
    page = reviewed.content.decode()
    assert "Every problem in scoped.csv" in page
    assert "1 row cannot be imported; nothing was stored" in page
    # Confirming the refused file stores nothing, not even the row in scope.
    confirmed = client.post(
        "/TST/import/",
        {"token": token, "name": "scoped.csv", "layout": "long", "column-0": "unit",
         "column-1": "measure", "column-2": "period", "column-3": "value"},
    )  # fmt: skip
    assert confirmed.status_code == 400
    assert Observation.objects.count() == before


def test_an_analyst_covering_the_organisation_imports_external_and_force_rows(
    analyst: User,
) -> None:
    client = client_for(analyst)
    before = Observation.objects.count()
    preview = upload(client, "unit,measure,period,value\nX,ER,2019-08,81\nF,ER,2019-08,80\n")
    assert preview.status_code == 200
    token = preview.context["review"]["token"]
    assert client.post("/TST/import/", {"token": token, "name": "f.csv"}).status_code == 302
    assert Observation.objects.count() == before + 2


def test_a_wide_file_names_the_row_of_a_unit_outside_scope(scoped_analyst: User) -> None:
    text = "unit,measure,2019-08,2019-09\nN,ER,81,82\nS,ER,90,91\n"
    response = upload(client_for(scoped_analyst), text)
    assert response.status_code == 400
    problems = [(p.row, p.column, p.value) for p in response.context["review"]["row_problems"]]
    assert problems == [(3, "unit", "S")]


def test_the_background_job_checks_the_scope_of_every_row(
    scoped_analyst: User, immediate_tasks: None
) -> None:
    from pmf.web.entry.models import ImportJob

    client = client_for(scoped_analyst)
    before = Observation.objects.count()
    # The first rows (the preview) are North's; South's come after them.
    preview = upload(client, LARGE)
    assert preview.status_code == 200  # the first rows are in scope
    confirm(client, preview)
    job = ImportJob.objects.get()
    assert (job.status, job.problem_count, job.batch) == ("failed", 24, None)
    assert job.problems[0] == {
        "row": 26,  # the file's line: the header is line 1
        "column": "unit",
        "value": "S",
        "reason": "is not a unit of TST (by code or name)",
    }
    assert Observation.objects.count() == before


def test_the_background_job_checks_the_uploaders_scope_as_it_is_when_it_runs(
    scoped_analyst: User, settings: object
) -> None:
    from pmf.web.entry.models import ImportJob
    from pmf.web.entry.services import run_import_job
    from pmf.web.frameworks.models import Unit

    settings.PMF_BACKGROUND_IMPORT_ROWS = 40  # type: ignore[attr-defined]
    client = client_for(scoped_analyst)
    before = Observation.objects.count()
    text = LARGE.replace("S,ER,", "N,CR,")  # North only
    confirm(client, upload(client, text))
    job = ImportJob.objects.get()
    assert job.status == "queued"
    # Moved to South before the worker reaches the job: North is no longer theirs.
    membership = scoped_analyst.membership  # type: ignore[attr-defined]
    membership.unit = Unit.objects.get(organisation=membership.organisation, code="S")
    membership.save()
    run_import_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.problem_count) == ("failed", 48)
    assert Observation.objects.count() == before


def test_the_background_job_refuses_an_uploader_who_is_no_longer_an_analyst(
    analyst: User, settings: object
) -> None:
    from pmf.web.entry.models import ImportJob
    from pmf.web.entry.services import run_import_job

    settings.PMF_BACKGROUND_IMPORT_ROWS = 40  # type: ignore[attr-defined]
    client = client_for(analyst)
    before = Observation.objects.count()
    confirm(client, upload(client, LARGE))
    job = ImportJob.objects.get()
    membership = analyst.membership  # type: ignore[attr-defined]
    membership.role = "viewer"
    membership.save()
    run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "no longer is one" in job.problems[0]["reason"]
    assert Observation.objects.count() == before


def test_an_analyst_scoped_to_a_unit_follows_only_their_own_imports(
    analyst: User, scoped_analyst: User
) -> None:
    from pmf.web.entry.models import ImportJob

    organisation = analyst.membership.organisation  # type: ignore[attr-defined]
    theirs, mine = (
        ImportJob.objects.create(
            organisation=organisation, file_name=name, upload="0" * 32 + ".csv", created_by=user
        )
        for name, user in (("all.csv", analyst), ("north.csv", scoped_analyst))
    )
    client = client_for(scoped_analyst)
    for suffix in ("/", ".json", "/progress/"):
        assert client.get(f"/TST/import/jobs/{theirs.pk}{suffix}").status_code == 404
        assert client.get(f"/TST/import/jobs/{mine.pk}{suffix}").status_code == 200
        assert client_for(analyst).get(f"/TST/import/jobs/{mine.pk}{suffix}").status_code == 200
