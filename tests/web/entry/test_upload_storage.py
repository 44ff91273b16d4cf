"""Uploads waiting for their import: whose they are, where they live, and when they go.

Issue 15, item 1.8: a preview token is bound to the organisation and the user who uploaded
it; uploads live in the deployment's own folder (0700, files 0600); refused and abandoned
uploads are deleted; messages never show a server path. Item 1.10: the preview of a large
workbook reads a bounded number of rows.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pmf.web.accounts.models import Membership
from pmf.web.entry.models import ImportJob
from pmf.web.entry.services import sweep_uploads, upload_dir
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.models import Observation
from tests.factories import member
from tests.sources.workbooks import BAD_LAST_ROW, figures, write_workbook

pytestmark = pytest.mark.django_db

SECRET = "unit,measure,period,value,note\nN,ER,2019-08,81,ninety-nine red balloons\n"


@pytest.fixture(autouse=True)
def uploads(tmp_path: Path, settings: object) -> Path:
    folder = tmp_path / "deployment" / "pmf-uploads"
    settings.PMF_UPLOAD_DIR = folder  # type: ignore[attr-defined]
    return folder


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, content: bytes | str, name: str = "figures.csv", org: str = "TST"):  # type: ignore[no-untyped-def]
    data = content.encode() if isinstance(content, str) else content
    return client.post(f"/{org}/import/", {"file": SimpleUploadedFile(name, data)})


def kept(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def age(path: Path, hours: float) -> None:
    then = (dt.datetime.now() - dt.timedelta(hours=hours)).timestamp()
    os.utime(path, (then, then))


# --------------------------------------------------------------------------------------------
# Whose: the token is the uploader's, in the organisation it was uploaded to
# --------------------------------------------------------------------------------------------


def test_another_organisations_import_page_cannot_use_a_token(
    analyst: User, other_org_user: User
) -> None:
    preview = upload(client_for(analyst), SECRET)
    token = preview.context["review"]["token"]
    stolen = client_for(other_org_user).post(
        "/OTHER/import/", {"token": token, "name": "figures.csv", "action": "check"}
    )
    assert stolen.status_code == 404
    assert "ninety-nine red balloons" not in stolen.content.decode()
    assert "figures.csv" not in stolen.content.decode()


def test_another_analyst_of_the_same_organisation_cannot_use_a_token(
    analyst: User, organisation: Organisation
) -> None:
    colleague = member("colleague", organisation, Membership.Role.ANALYST)
    before = Observation.objects.count()
    preview = upload(client_for(analyst), SECRET)
    token = preview.context["review"]["token"]
    for action in ("check", "import"):
        stolen = client_for(colleague).post(
            "/TST/import/", {"token": token, "name": "figures.csv", "action": action}
        )
        assert stolen.status_code == 404
        assert "ninety-nine red balloons" not in stolen.content.decode()
    assert Observation.objects.count() == before
    # The uploader still can.
    own = client_for(analyst).post("/TST/import/", {"token": token, "name": "figures.csv"})
    assert own.status_code == 302
    assert Observation.objects.count() == before + 1


def test_a_token_carried_to_the_uploaders_other_organisation_is_refused(
    analyst: User, other_org_user: User
) -> None:
    # The same person as analyst of another organisation (their membership moved).
    preview = upload(client_for(analyst), SECRET)
    token = preview.context["review"]["token"]
    membership = Membership.objects.get(user=analyst)
    membership.organisation = Organisation.objects.get(code="OTHER")
    membership.save()
    moved = client_for(analyst).post("/OTHER/import/", {"token": token, "name": "figures.csv"})
    assert moved.status_code == 404


# --------------------------------------------------------------------------------------------
# Where: the deployment's own folder, readable by pmf only
# --------------------------------------------------------------------------------------------


def test_uploads_are_kept_in_a_private_folder_as_private_files(
    analyst: User, uploads: Path
) -> None:
    upload(client_for(analyst), SECRET)
    assert stat.S_IMODE(uploads.stat().st_mode) == 0o700
    (name,) = kept(uploads)
    assert stat.S_IMODE((uploads / name).stat().st_mode) == 0o600


def test_a_folder_made_readable_by_others_is_closed_again(analyst: User, uploads: Path) -> None:
    uploads.mkdir(parents=True)
    uploads.chmod(0o755)
    upload(client_for(analyst), SECRET)
    assert stat.S_IMODE(upload_dir().stat().st_mode) == 0o700


def test_the_default_upload_folder_is_beside_the_deployments_database(tmp_path: Path) -> None:
    def folder(database_url: str, cwd: Path) -> str:
        env = {k: v for k, v in os.environ.items() if k != "PMF_UPLOAD_DIR"}
        env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="pmf.web.config.settings")
        code = "from django.conf import settings; print(settings.PMF_UPLOAD_DIR)"
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    assert folder(f"sqlite:///{one / 'pmf.sqlite3'}", tmp_path) == str(one / "pmf-uploads")
    assert folder(f"sqlite:///{two / 'pmf.sqlite3'}", tmp_path) == str(two / "pmf-uploads")
    postgres = folder("postgres://pmf@localhost/pmf", two)
    assert postgres == str(two / "pmf-uploads")
    import tempfile

    assert not postgres.startswith(tempfile.gettempdir() + "/pmf-uploads")


# --------------------------------------------------------------------------------------------
# When they go: after the import, at once when refused, after a day when abandoned
# --------------------------------------------------------------------------------------------


def test_an_unreadable_upload_is_deleted_at_once(analyst: User, uploads: Path) -> None:
    refused = upload(client_for(analyst), b"not a zip", name="figures.xlsx")
    assert refused.status_code == 400
    assert kept(uploads) == []


def test_an_imported_upload_is_deleted(analyst: User, uploads: Path) -> None:
    client = client_for(analyst)
    preview = upload(client, SECRET)
    client.post("/TST/import/", {"token": preview.context["review"]["token"], "name": "f.csv"})
    assert kept(uploads) == []


def test_uploads_older_than_a_day_are_swept_on_the_next_upload(
    analyst: User, uploads: Path
) -> None:
    client = client_for(analyst)
    first = upload(client, SECRET).context["review"]["token"]
    age(uploads / first, hours=25)
    second = upload(client, SECRET).context["review"]["token"]
    assert kept(uploads) == [second]
    gone = client.post("/TST/import/", {"token": first, "name": "figures.csv"})
    assert gone.status_code == 400
    assert "expired" in gone.content.decode()


def test_a_sweep_keeps_recent_uploads_and_those_of_waiting_jobs(
    analyst: User, organisation: Organisation, uploads: Path
) -> None:
    client = client_for(analyst)
    tokens = [upload(client, SECRET).context["review"]["token"] for _ in range(3)]
    waiting, abandoned, recent = tokens
    ImportJob.objects.create(organisation=organisation, file_name="w.csv", upload=waiting)
    age(uploads / waiting, hours=48)
    age(uploads / abandoned, hours=25)
    age(uploads / recent, hours=23)
    assert sweep_uploads() == 1
    assert kept(uploads) == sorted([waiting, recent])


# The worker closes the database connection as it stops: outside the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_the_worker_sweeps_abandoned_uploads_when_it_starts(
    analyst: User, uploads: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import signal

    from pmf.cli.server import worker

    token = upload(client_for(analyst), SECRET).context["review"]["token"]
    age(uploads / token, hours=25)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        worker(batch=True)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert kept(uploads) == []
    assert "Deleted 1 abandoned upload file." in capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# Messages name the uploaded file, never the server's path
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"not a zip", "May figures.xlsx"),
        (b"", "May figures.csv"),
        (b"unit,value\nN,1,2\n", "May figures.csv"),
    ],
)
def test_a_refused_file_is_named_by_its_own_name_not_the_servers_path(
    analyst: User, uploads: Path, content: bytes, name: str
) -> None:
    refused = upload(client_for(analyst), content, name=name)
    page = refused.content.decode()
    assert refused.status_code == 400
    assert f"{name}: " in page
    assert str(uploads) not in page and "pmf-uploads" not in page


# --------------------------------------------------------------------------------------------
# The preview of a large workbook reads a bounded number of rows (item 1.10)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def immediate_tasks(settings: object) -> None:
    settings.TASKS = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    settings.PMF_BACKGROUND_IMPORT_ROWS = 40  # type: ignore[attr-defined]


def test_a_200k_row_workbook_previews_without_reading_it_all(
    analyst: User, tmp_path: Path, immediate_tasks: None
) -> None:
    # Its last row is an error: the preview shows no problem because it never reads it.
    path = write_workbook(tmp_path / "big.xlsx", figures(200_000), BAD_LAST_ROW)
    preview = upload(client_for(analyst), path.read_bytes(), name="big.xlsx")
    page = preview.content.decode()
    assert preview.status_code == 200, page
    assert "big.xlsx holds at least 41 figures" in page
    assert "Import the whole file in the background" in page
    assert "beyond the last header column" not in page
    review = preview.context["review"]
    assert (review["background"], review["counted"], len(review["preview"])) == (True, False, 20)


def test_the_background_import_reads_the_whole_workbook(
    analyst: User, tmp_path: Path, immediate_tasks: None
) -> None:
    before = Observation.objects.count()
    path = write_workbook(tmp_path / "big.xlsx", figures(60), BAD_LAST_ROW)
    client = client_for(analyst)
    preview = upload(client, path.read_bytes(), name="big.xlsx")
    assert preview.status_code == 200
    review = preview.context["review"]
    form = {"token": review["token"], "name": review["name"], "layout": review["layout"]}
    form.update({column["id"]: column["choice"] for column in review["columns"]})
    started = client.post("/TST/import/", form)
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert Observation.objects.count() == before
    page = client.get(started["Location"]).content.decode()
    assert "big.xlsx: row 62: has values beyond the last header column" in page
    assert "pmf-uploads" not in page
