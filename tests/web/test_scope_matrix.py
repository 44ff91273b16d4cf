"""The permission matrix's generated write and filter cases, in the world of its first half.

``test_permission_matrix.py`` requests every page and operation once per role. Here the cases
are generated along the other axes where holes were found (issue 15, section 1):

- every unit of the organisation (its force, both commands and an external comparator) in an
  uploaded file's row, the API's row and the entry form's address, as every role that writes
  figures: stored exactly when the unit is in the writer's scope, and an external
  comparator's figures only by analysts covering the whole organisation;
- every status in every spelling, through the entry form, the import page and the API:
  a spelling read as signed off is stored only for analysts;
- every workflow transition of a cycle in every state, and every grade step on a unit in and
  out of scope, as every member: whole-organisation moves only by analysts covering it, and
  the tube map of unpublished cycles only for members covering it;
- every year with figures in the annual report, and every filter of every list (unit, kind,
  dates, ...), as every role: what a role may not read is never in the answer.

The expectations are written out here, not computed by the code under test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from pmf.core.periods import parse_period
from pmf.web.cycles.models import Cycle
from pmf.web.observations.models import Observation
from tests.web.test_permission_matrix import (
    ANALYST,
    ANONYMOUS,
    BOARD,
    LEAD,
    MEMBERS,
    MODERATOR,
    OUTSIDER,
    OWNER,
    PARTNER,
    RETURN_PERIOD,
    ROLES,
    SCOPED,
    SCOPED_ANALYST,
    SCOPED_MODERATOR,
    WHOLE,
    Check,
    World,
    api_client,
    client_for,
    world,
)

pytestmark = pytest.mark.django_db
__all__ = ["world"]  # the module's world fixture, shared with the first half

UNITS = ("F", "N", "S", "X")  # the force, North, South and an external comparator
# The units each role writes figures for (of measure ER, which the owner owns); none for the
# others. Only the analyst covering the whole organisation writes the external comparator's.
WRITES = {ANALYST: set(UNITS), SCOPED_ANALYST: {"N"}, OWNER: {"N"}}
IMPORTERS = {ANALYST, SCOPED_ANALYST}
PERIOD = "2019-08"  # no figure held: a stored one is new


@pytest.fixture(autouse=True)
def uploads(tmp_path: Path, settings: Any) -> None:
    settings.PMF_UPLOAD_DIR = tmp_path / "uploads"


def held(unit: str, period: str = PERIOD) -> Observation | None:
    return Observation.objects.filter(
        measure__organisation__code="TST",
        measure__code="ER",
        unit__code=unit,
        period=period,
        superseded_at__isnull=True,
    ).first()


def rolled_back(send: Any) -> tuple[Any, Observation | None, str]:
    """Send a request (or two) in a transaction rolled back after.

    ``send`` returns the last answer and the unit written to; return that answer, the figure
    of ``PERIOD`` then held for that unit, and its status.
    """
    with transaction.atomic():
        response, unit = send()
        figure = held(unit)
        status = figure.status if figure else ""
        transaction.set_rollback(True)
    return response, figure, status


def import_rows(client: Client, text: str) -> Any:
    """Upload a file on the import page and, if it passed the checks, import it."""
    preview = client.post("/TST/import/", {"file": SimpleUploadedFile("rows.csv", text.encode())})
    if preview.status_code != 200 or not preview.context["review"]["ready"]:
        return preview
    token = preview.context["review"]["token"]
    return client.post("/TST/import/", {"token": token, "name": "rows.csv"})


def api_rows(client: Client, rows: list[dict[str, Any]]) -> Any:
    return client.post(
        "/api/organisations/TST/observations", json.dumps(rows), content_type="application/json"
    )


def enter(client: Client, unit: str, status: str = "provisional") -> Any:
    return client.post(
        f"/TST/units/{unit}/enter/",
        {"period": PERIOD, "measure": "ER", "value-ER": "91", "status-ER": status},
    )


# --------------------------------------------------------------------------------------------
# Every unit in every way figures are written
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*sorted(MEMBERS), PARTNER, OUTSIDER])
def test_every_unit_of_an_upload_an_api_row_and_the_entry_form_within_the_writers_scope(
    role: str, world: World
) -> None:
    check = Check(role)
    pages, api = client_for(role, world), api_client(role, world)
    allowed = WRITES.get(role, set())
    for unit in UNITS:
        ways = {
            "import page": lambda unit=unit: (
                import_rows(
                    pages, f"unit,measure,period,value\nN,ER,2019-09,90\n{unit},ER,{PERIOD},91\n"
                ),
                unit,
            ),
            "API": lambda unit=unit: (
                api_rows(api, [{"unit": unit, "measure": "ER", "period": PERIOD, "value": 91}]),
                unit,
            ),
            "entry form": lambda unit=unit: (enter(pages, unit), unit),
        }
        for way, send in ways.items():
            response, figure, _ = rolled_back(send)
            writes = unit in allowed and (way != "import page" or role in IMPORTERS)
            where = f"{way}, {unit}: {response.status_code}"
            if writes and figure is None:
                check.problems.append(f"{where}, not stored")
            if not writes and figure is not None:
                check.problems.append(f"{where}, stored outside the scope")
            if response.status_code >= 500:
                check.problems.append(f"{where}, a server error")
            if not writes and role in IMPORTERS and way == "import page":
                # Refused naming the file's row and column, in the API's words.
                review = response.context["review"] if response.status_code == 400 else None
                problems = [
                    (p.row, p.column, p.reason) for p in (review or {}).get("row_problems", [])
                ]
                expected = (3, "unit", "is not a unit of TST (by code or name)")
                if problems != [expected]:
                    check.problems.append(f"{where}: {problems}, expected {[expected]}")
            if way == "API" and role in WRITES and unit not in allowed:
                report = response.json()
                fields = [problem["field"] for problem in report.get("problems", [])]
                if response.status_code != 422 or fields != ["unit"]:
                    check.problems.append(f"{where}: {report}, expected a problem with the unit")
    assert not check.problems, "\n".join(check.problems)


# --------------------------------------------------------------------------------------------
# Every status in every spelling
# --------------------------------------------------------------------------------------------

SPELLINGS = (
    "provisional", "Provisional", "PROVISIONAL", "validated", "Validated", "VALIDATED",
    "signed_off", "Signed_Off", "SIGNED_OFF", "signed off", "Signed Off", "SIGNED OFF",
    "signed-off", "Signed-Off", "SIGNED-OFF", "sIgNeD oFf", " signed_off ", " Signed Off",
    "signed_off\t", "signedoff", "signed__off", "done",
)  # fmt: skip
MEANINGS = {
    "provisional": "provisional",
    "validated": "validated",
    "signed_off": "signed_off",
    "signed off": "signed_off",
    "signed-off": "signed_off",
}
SIGNERS = {ANALYST, SCOPED_ANALYST}


def meaning(spelling: str, *, stripped: bool) -> str | None:
    """Return the status a spelling means: a file's cells are stripped, the form and API's not."""
    return MEANINGS.get((spelling.strip() if stripped else spelling).lower())


@pytest.mark.parametrize("role", sorted(WRITES))
def test_every_status_in_every_spelling_through_every_way_in(role: str, world: World) -> None:
    check = Check(role)
    pages, api = client_for(role, world), api_client(role, world)
    for spelling in SPELLINGS:
        ways = {
            "entry form": (lambda s=spelling: (enter(pages, "N", s), "N"), False),
            "API": (
                lambda s=spelling: (
                    api_rows(
                        api,
                        [
                            {
                                "unit": "N",
                                "measure": "ER",
                                "period": PERIOD,
                                "value": 91,
                                "status": s,
                            }
                        ],
                    ),
                    "N",
                ),
                False,
            ),
        }
        if role in IMPORTERS:
            cell = f'"{spelling}"' if spelling.strip() != spelling else spelling
            text = f"unit,measure,period,value,status\nN,ER,{PERIOD},91,{cell}\n"
            ways["import page"] = (lambda t=text: (import_rows(pages, t), "N"), True)
        for way, (send, stripped) in ways.items():
            response, figure, status = rolled_back(send)
            means = meaning(spelling, stripped=stripped)
            stores = means is not None and (means != "signed_off" or role in SIGNERS)
            where = f"{way}, status {spelling!r}: {response.status_code}"
            if stores and status != means:
                check.problems.append(f"{where}, held {status!r}, expected {means!r}")
            if not stores and figure is not None:
                check.problems.append(f"{where}, stored as {status!r}")
            if role not in SIGNERS and status == "signed_off":
                check.problems.append(f"{where}: signed off by a {role}")
    assert not check.problems, "\n".join(check.problems)


# --------------------------------------------------------------------------------------------
# Every workflow transition, in every state, by every member
# --------------------------------------------------------------------------------------------

# Who moves the cycle on (and starts one): the analyst covering the whole organisation.
MOVERS = {ANALYST}
# Who takes each grade step, by the state it belongs to, on North's grade and South's.
STEPS = {
    Cycle.State.LOCKED: ("rationale", {"N": {ANALYST, SCOPED_ANALYST}, "S": {ANALYST}}),
    Cycle.State.SELF_ASSESSMENT: ("self", {"N": {LEAD}, "S": set()}),
    Cycle.State.MODERATION: (
        "moderate",
        {"N": {MODERATOR, SCOPED_MODERATOR}, "S": {MODERATOR}},
    ),
    Cycle.State.BOARD: ("agree", {"F": {BOARD}}),
}


def _cycle_at(state: str, world: World) -> Cycle:
    """Start cycle 2 and take it to ``state`` as the whole organisation's analyst would."""
    from pmf.web.cycles import services

    analyst = world.users[ANALYST].membership  # type: ignore[attr-defined]
    cycle = services.create_cycle(analyst.organisation, number=2, name="Autumn", cut_off="2019-07")
    while cycle.state != state:
        services.advance(cycle, analyst)
        cycle.refresh_from_db()
    return cycle


@pytest.mark.parametrize(
    "state", [state for state in Cycle.State if state != Cycle.State.PUBLISHED]
)
def test_every_workflow_transition_in_every_state_by_every_member(state: str, world: World) -> None:
    problems: list[str] = []
    with transaction.atomic():
        cycle = _cycle_at(state, world)
        for role in sorted(MEMBERS):
            check = Check(role)
            client = client_for(role, world)
            moved, changed = check.request(client, "POST", f"/TST/cycles/{cycle.number}/", {})
            if role in MOVERS and state == Cycle.State.BOARD:
                # Not until the board has agreed the organisation's grades: refused, unchanged.
                if changed or moved.status_code != 400:
                    check.problems.append(f"{state}: {moved.status_code}, moved before agreement")
            elif role in MOVERS and not (moved.status_code == 302 and changed):
                check.problems.append(f"{state}: {moved.status_code}, the cycle did not move on")
            if role not in MOVERS and (changed or moved.status_code != 403):
                check.problems.append(f"{state}: {moved.status_code}, expected 403 and no change")
            start = {"number": "3", "name": "Winter", "cut_off": "2019-07"}
            started, changed = check.request(client, "POST", "/TST/cycles/", start)
            if role not in MOVERS and (changed or started.status_code != 403):
                check.problems.append(f"start: {started.status_code}, expected 403 and no change")
            step, takers = STEPS.get(state, ("", {}))
            for unit, who in takers.items():
                data = {"step": step, "grade": "good", "text": "Checked.", "rationale": "Ours."}
                path = f"/TST/cycles/{cycle.number}/units/{unit}/areas/FOCUS/"
                taken, changed = check.request(client, "POST", path, data)
                if role in who and not changed:
                    check.problems.append(f"{step} {unit}: {taken.status_code}, not taken")
                if role not in who and changed:
                    check.problems.append(f"{step} {unit}: {taken.status_code}, taken")
            # The tube map: the organisation's grades of unpublished cycles only for those
            # who cover all of it (no cycle here is published).
            got, _ = check.request(client, "GET", "/TST/cycles.json", None)
            shown = [row["cycle"] for row in got.json()["tube_map"]["rows"]]
            if role in SCOPED and shown:
                check.problems.append(f"{state}: the tube map shows cycles {shown}")
            if role not in SCOPED and len(shown) != 1 + (state != Cycle.State.DRAFT):
                check.problems.append(f"{state}: the tube map shows cycles {shown}")
            problems += [f"{role}: {problem}" for problem in check.problems]
        transaction.set_rollback(True)
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------------
# Every report by year, every filter of every list
# --------------------------------------------------------------------------------------------


def years_with_figures() -> dict[str, bool]:
    """Return every year (financial, "2019-20", and calendar, "2019") in which TST holds a
    figure, and whether a locked cycle has its data to a month in it (else no report)."""
    cut_offs = [
        parse_period(cycle.cut_off).end
        for cycle in Cycle.objects.filter(organisation__code="TST", locked_at__isnull=False)
    ]
    years = {}
    for code in Observation.objects.filter(measure__organisation__code="TST").values_list(
        "period", flat=True
    ):
        start = parse_period(code).start
        first = start.year if start.month >= 4 else start.year - 1
        for year in (f"{first}-{(first + 1) % 100:02d}", str(start.year)):
            span = parse_period(year.replace("-", "/"))
            years[year] = any(span.start <= day <= span.end for day in cut_offs)
    return years


FILTERS: dict[str, dict[str, tuple[str, ...]]] = {
    "audit": {
        "unit": UNITS,
        "kind": (
            "observation",
            "grade",
            "intervention",
            "risk",
            "recommendation",
            "plan",
            "target",
            "framework",
            "commentary",
        ),
        "from": ("2000-01-01", "2100-01-01"),
        "to": ("2000-01-01", "2100-01-01"),
        "user": ("analyst", "owner"),
    },
    "risks": {
        "unit": UNITS,
        "status": ("open", "closed"),
        "above": ("1",),
        "overdue": ("1",),
        "category": ("Finance",),
    },
    "recommendations": {"body": ("hmicfrs",), "overdue": ("1",)},
    "interventions": {"unit": UNITS, "open": ("1",), "overdue": ("1",), "mine": ("1",)},
    # The dashboard's map: any measure (or none known) in either colouring (pmf.web.maps).
    "dashboard": {"map": ("ER", "CR", "NOPE"), "map_view": ("value", "standard", "x")},
}
API_FILTERS = {
    "unit": UNITS,
    "measure": ("ER", "CR"),
    "period_from": ("2018-07", "2019-07"),
    "period_to": ("2018-07", "2019-07"),
}


@pytest.mark.parametrize("role", ROLES)
def test_every_annual_report_and_every_filter_of_every_list_as_every_role(
    role: str, world: World
) -> None:
    check = Check(role)
    client = client_for(role, world)
    years = years_with_figures()
    assert any(years.values()), "the world has a locked cycle"
    for year, reported in years.items():
        path = reverse("annual-report", kwargs={"org": "TST", "year": year, "fmt": "html"})
        got, _ = check.request(client, "GET", path, None)
        if role == ANONYMOUS:
            check.expect(got.status_code == 302, "GET", path, got, "sign in")
        elif role in WHOLE and reported:
            check.expect(got.status_code == 200, "GET", path, got, "200")
        else:
            check.expect(got.status_code == 404, "GET", path, got, "404")
    for name, filters in FILTERS.items():
        for suffix in ("", "-json"):
            path = reverse(name + suffix, kwargs={"org": "TST"})
            for key, values in filters.items():
                for value in values:
                    got, _ = check.request(client, "GET", path, {key: value})
                    if role == ANONYMOUS:
                        check.expect(got.status_code == 302, "GET", f"{path}?{key}", got, "sign in")
                    elif role in MEMBERS:
                        check.expect(got.status_code in {200, 400}, "GET", f"{path}?{key}={value}",
                                     got, "200")  # fmt: skip
                    else:
                        check.expect(got.status_code == 404, "GET", path, got, "404")
    api = api_client(role, world)
    for key, values in API_FILTERS.items():
        for value in values:
            got, _ = check.request(
                api, "GET", "/api/organisations/TST/observations", {key: value}, api=True
            )
            outside = key == "unit" and value in {"F", "S"}
            if role == ANONYMOUS:
                check.expect(got.status_code == 401, "GET", f"?{key}={value}", got, "401")
            elif (role in MEMBERS and not (outside and role in SCOPED)) or (
                role == PARTNER and not outside
            ):
                check.expect(got.status_code == 200, "GET", f"?{key}={value}", got, "200")
            else:
                check.expect(got.status_code == 404, "GET", f"?{key}={value}", got, "404")
    assert not check.problems, "\n".join(check.problems)


@pytest.mark.parametrize("role", ROLES)
def test_every_period_of_a_statutory_return_as_every_role(role: str, world: World) -> None:
    # Analysts read a return's cells in their scope only (the scoped one, North's); the other
    # members are refused, everyone else learns nothing.
    check = Check(role)
    client = client_for(role, world)
    for period in (RETURN_PERIOD, "2019-07", "2019/20", ""):
        path = reverse("return-json", kwargs={"org": "TST", "ret": "FIGURES"})
        got, _ = check.request(client, "GET", path, {"period": period})
        where = f"{path}?period={period}"
        if role == ANONYMOUS:
            check.expect(got.status_code == 302, "GET", where, got, "sign in")
        elif role in {ANALYST, SCOPED_ANALYST}:
            check.expect(got.status_code == 200, "GET", where, got, "200")
            units = {cell["unit"] for cell in got.json()["cells"]}
            expected = {"N"} if role == SCOPED_ANALYST else {"N", "S"}
            if period in {RETURN_PERIOD, "2019-07"}:
                check.expect(units == expected, "GET", where, got, f"the cells of {expected}")
            else:
                check.expect(units == set(), "GET", where, got, "no cells")
        elif role in MEMBERS:
            check.expect(got.status_code == 403, "GET", where, got, "403")
        else:
            check.expect(got.status_code == 404, "GET", where, got, "404")


# Owners' commentary: the analysts' list with each of its filters, and the API's list with
# each of its filters, as every role. The world holds commentary in North and South.
COMMENTARY_FILTERS = {"show": ("", "flagged", "overdue", "all"), "period": ("2019-07", "x")}
COMMENTARY_API_FILTERS = {"unit": UNITS, "measure": ("ER", "CR"), "period": ("2019-07",)}


@pytest.mark.parametrize("role", ROLES)
def test_every_filter_of_the_commentary_lists_as_every_role(role: str, world: World) -> None:
    check = Check(role)
    client = client_for(role, world)
    for suffix in ("", "-json"):
        path = reverse("commentary-list" + suffix, kwargs={"org": "TST"})
        for key, values in COMMENTARY_FILTERS.items():
            for value in values:
                got, _ = check.request(client, "GET", path, {key: value})
                where = f"{path}?{key}={value}"
                if role == ANONYMOUS:
                    check.expect(got.status_code == 302, "GET", where, got, "sign in")
                elif role in {ANALYST, SCOPED_ANALYST}:
                    check.expect(got.status_code == 200, "GET", where, got, "200")
                elif role in MEMBERS:
                    check.expect(got.status_code == 403, "GET", where, got, "403")
                else:
                    check.expect(got.status_code == 404, "GET", where, got, "404")
    api = api_client(role, world)
    for key, values in COMMENTARY_API_FILTERS.items():
        for value in values:
            got, _ = check.request(
                api, "GET", "/api/organisations/TST/commentary", {key: value}, api=True
            )
            outside = key == "unit" and value in {"F", "S"}
            if role == ANONYMOUS:
                check.expect(got.status_code == 401, "GET", f"?{key}={value}", got, "401")
            elif role in MEMBERS and not (outside and role in SCOPED):
                check.expect(got.status_code == 200, "GET", f"?{key}={value}", got, "200")
            else:
                check.expect(got.status_code == 404, "GET", f"?{key}={value}", got, "404")
    assert not check.problems, "\n".join(check.problems)


# --------------------------------------------------------------------------------------------
# Papers by email: every paper scheduled, paused, changed and deleted as every role
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_paper_scheduled_and_every_schedule_paused_and_deleted_as_every_role(
    role: str, world: World
) -> None:
    from tests.web.test_permission_matrix import SCHEDULE

    check = Check(role)
    client = client_for(role, world)
    # Only an analyst covering the whole organisation reads its papers, so only they send
    # them: a scoped analyst may not schedule the force's paper to anybody.
    for paper in ("board", "exceptions", "outcomes"):
        data = {**SCHEDULE, "paper": paper, "name": f"{role} {paper}"}
        answer, changed = check.request(client, "POST", "/TST/schedules/new/", data)
        if changed != (role == ANALYST):
            check.problems.append(f"{paper}: {answer.status_code}, stored: {changed}")
    for org, key in (("TST", "TST:schedule"), ("TST", "OTH:schedule"), ("OTH", "OTH:schedule")):
        path = f"/{org}/schedules/{world.ids[key]}/"
        for action in ({"action": "pause"}, {**SCHEDULE, "name": "Taken over"}):
            answer, changed = check.request(client, "POST", path, action)
            # (The other organisation's analyst manages its own schedules, at its address.)
            allowed = (role == ANALYST and key == "TST:schedule") or (
                role == OUTSIDER and org == "OTH"
            )
            if changed != allowed:
                check.problems.append(f"{path} {action}: {answer.status_code}, changed: {changed}")
        # Deleting it: the same people; every other member finds nothing there (404).
        path = f"/{org}/schedules/{world.ids[key]}/delete/"
        allowed = (role == ANALYST and key == "TST:schedule") or (role == OUTSIDER and org == "OTH")
        asked, _ = check.request(client, "GET", path, None)
        answer, changed = check.request(client, "POST", path, {})
        if changed != allowed:
            check.problems.append(f"POST {path}: {answer.status_code}, deleted: {changed}")
        if allowed and (asked.status_code, answer.status_code) != (200, 302):
            check.problems.append(f"{path}: {asked.status_code}, {answer.status_code}")
        if not allowed and role in MEMBERS and {asked.status_code, answer.status_code} != {404}:
            check.problems.append(f"{path}: {asked.status_code}, {answer.status_code}, not 404")
    assert not check.problems, "\n".join(check.problems)
