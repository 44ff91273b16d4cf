"""The import in real Chromium: upload, map the columns, preview, import in the background and
watch the progress bar until the worker has finished; axe on every page."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# 48 figures under names pmf cannot place by itself, and a column to leave out.
FIGURES = "Borough,Indicator,Month,Figure,Comment\n" + "".join(
    f"{unit},ER,{year}-{month:02d},{70 + month},checked\n"
    for unit in ("North", "South")
    for year in (2020, 2021)
    for month in range(1, 13)
)


def run_worker() -> None:
    """Run the jobs waiting now, as ``pmf worker --batch`` does, keeping pytest's signals."""
    from pmf.web.setup import run_worker as worker

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        worker(batch=True)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def test_analyst_maps_previews_and_imports_a_large_file_in_the_background(
    page: Page, live_server: object, analyst: User, tmp_path: Path, settings: object
) -> None:
    from pmf.web.observations.models import Observation

    settings.PMF_UPLOAD_DIR = tmp_path / "uploads"  # type: ignore[attr-defined]
    settings.PMF_BACKGROUND_IMPORT_ROWS = 40  # type: ignore[attr-defined]
    figures = tmp_path / "figures.csv"
    figures.write_text(FIGURES, encoding="utf-8")
    before = Observation.objects.count()
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.get_by_role("link", name="Import figures from a file").click()
    page.get_by_role("heading", name="Import figures").wait_for()
    check_accessibility(page)
    screenshot(page, "import-upload")

    page.get_by_label("CSV or XLSX file").set_input_files(str(figures))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    summary = page.locator(".govuk-error-summary")
    expect(
        summary.get_by_role("link", name="Choose what the column ‘Borough’ holds")
    ).to_be_visible()
    check_accessibility(page)
    screenshot(page, "import-mapping")

    page.get_by_label("Long: a row per figure").check()
    for column, role in [
        ("Borough", "Unit"),
        ("Indicator", "Measure"),
        ("Month", "Period"),
        ("Figure", "Value"),
        ("Comment", "Leave it out"),
    ]:
        page.get_by_label(f"What the column {column} holds").select_option(label=role)
    page.get_by_role("button", name="Check again with these columns").click()
    button = page.get_by_role("button", name="Import 48 figures in the background")
    button.wait_for()
    expect(page.get_by_role("row").nth(1)).to_contain_text("N")
    check_accessibility(page)
    screenshot(page, "import-preview-background")

    button.click()
    page.get_by_role("heading", name="Import of figures.csv").wait_for()
    expect(page.get_by_role("status")).to_have_text("Waiting for the worker to start the import.")
    expect(page.get_by_role("progressbar")).to_be_visible()
    check_accessibility(page)
    screenshot(page, "import-job-queued")
    assert Observation.objects.count() == before

    run_worker()
    # htmx polls the progress every second and swaps in the result.
    page.get_by_role("heading", name="Import complete").wait_for()
    expect(page.get_by_role("status")).to_contain_text("Done. 48 rows read: 48 added")
    assert page.get_by_role("progressbar").count() == 0
    check_accessibility(page)
    screenshot(page, "import-job-done")
    assert Observation.objects.count() == before + 48


def test_progress_bar_shows_how_far_the_worker_has_got(
    page: Page, live_server: object, analyst: User, tmp_path: Path, settings: object
) -> None:
    from pmf.web.entry import services
    from pmf.web.entry.models import ImportJob

    settings.PMF_UPLOAD_DIR = tmp_path / "uploads"  # type: ignore[attr-defined]
    job = ImportJob.objects.create(
        organisation=analyst.membership.organisation,  # type: ignore[attr-defined]
        file_name="crime.csv",
        upload="0" * 32 + ".csv",
        status=ImportJob.Status.IMPORTING,
        rows_total=30000,
        created_by=analyst,
    )
    services._write_progress(job, 12000, 30000)
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/import/jobs/{job.pk}/")
    bar = page.get_by_role("progressbar", name="Importing")
    expect(bar).to_have_attribute("value", "12000")
    expect(page.get_by_text("12,000 of 30,000 rows (40%)")).to_be_visible()
    check_accessibility(page)
    screenshot(page, "import-job-progress")


def test_the_preview_note_column_wraps_inside_the_page(
    page: Page, live_server: object, analyst: User, tmp_path: Path, settings: object
) -> None:
    settings.PMF_UPLOAD_DIR = tmp_path / "uploads"  # type: ignore[attr-defined]
    note = "checked against the force's own returns " + "x" * 120 + " and the borough's"
    figures = tmp_path / "notes.csv"
    figures.write_text(
        "unit,measure,period,value,numerator,denominator,note\n"
        f"N,ER,2019-08,70.62937063,,,{note}\n"
        "N,CR,2019-08,,683,204236,short\n",
        encoding="utf-8",
    )
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/import/")
    page.get_by_label("CSV or XLSX file").set_input_files(str(figures))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import 2 figures").wait_for()
    # Measure only once the stylesheets have loaded: a layout read before then is unstyled.
    page.wait_for_load_state("load")
    cell = page.get_by_role("cell", name=note)
    expect(cell).to_be_visible()
    # The whole note is on the page: the table is no wider than its wrapper, nothing scrolls.
    wrapper = page.locator(".pmf-table-wrapper").first
    widths = wrapper.evaluate("element => [element.scrollWidth, element.clientWidth]")
    assert widths[0] <= widths[1], widths
    box, frame = cell.bounding_box(), wrapper.bounding_box()
    assert box is not None and frame is not None
    assert box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
    expect(page.get_by_role("cell", name="70.6%")).to_be_visible()
    expect(page.get_by_role("cell", name="204,236")).to_be_visible()
    check_accessibility(page)


def test_a_scoped_analyst_sees_the_rows_outside_their_scope_and_nothing_is_stored(
    page: Page, live_server: object, organisation: object, tmp_path: Path, settings: object
) -> None:
    from pmf.web.accounts.models import Membership
    from pmf.web.observations.models import Observation
    from tests.factories import member

    member("scoped_analyst", organisation, Membership.Role.ANALYST, unit="N")  # type: ignore[arg-type]
    settings.PMF_UPLOAD_DIR = tmp_path / "uploads"  # type: ignore[attr-defined]
    figures = tmp_path / "mixed.csv"
    figures.write_text(
        "unit,measure,period,value\nN,ER,2019-08,81\nS,ER,2019-08,90\nX,ER,2019-08,77\n",
        encoding="utf-8",
    )
    before = Observation.objects.count()
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "scoped_analyst")
    page.goto(f"{base}/TST/import/")
    page.get_by_label("CSV or XLSX file").set_input_files(str(figures))
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("2 rows cannot be imported; nothing was stored")
    table = page.get_by_role("table", name="Every problem in mixed.csv")
    expect(table).to_contain_text("is not a unit of TST (by code or name)")
    expect(table.get_by_role("row")).to_have_count(3)  # the header and rows 3 and 4
    expect(page.get_by_role("button", name="Import 3 figures")).to_have_count(0)
    check_accessibility(page)
    screenshot(page, "import-outside-scope")
    assert Observation.objects.count() == before
