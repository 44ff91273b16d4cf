"""Every page and API operation, as every role, in scope, out of scope and in another organisation.

The cases are generated: every pattern of the URL configuration and every operation of
/api/openapi.json, each requested with GET and POST (the API: its own methods) as each of the
named users below, with its parameters filled from one world of two organisations and a
partner. ``EXPECT`` declares, one line per URL name, who may read and who may write; a URL
without a line fails ``test_every_url_and_operation_has_an_expectation``.

What is asserted for every request:

- anonymous visitors are sent to sign in (pages) or get 401 (API);
- a unit, object or organisation outside the caller's reach answers 404, as if it did not
  exist, and a role refused inside its organisation gets 403 or 404;
- no answer to anybody contains the words of a record they may not read (``SECRETS``);
- a refused POST changes no row of any table (a hash of every table, before and after);
- every HTML answer carries a Content Security Policy without 'unsafe-inline' or
  'unsafe-eval' (or a wildcard) for scripts and styles.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from pmf.core.framework import load_framework
from pmf.sources.importer import check_table
from pmf.sources.readers import read_table
from pmf.web.accounts.models import Membership, SharingAgreement
from pmf.web.frameworks.models import Measure, Organisation, Unit
from pmf.web.frameworks.services import framework_of, store_framework
from pmf.web.observations.services import store_observations
from tests.factories import FIGURES, GOOD, RISK_REGISTER
from tests.sso_provider import Running, running_provider

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------------------------
# Who: every role of the provider (TST), covering the whole organisation or scoped to North
# (the roles that usually cover all of it, scoped as well: "scoped_analyst" and the like), a
# partner reading TST's North under a sharing agreement, a member of an organisation with no
# agreement, and anonymous visitors.
# --------------------------------------------------------------------------------------------

ANALYST, OWNER, LEAD, MODERATOR, BOARD, VIEWER = (
    "analyst", "owner", "command_lead", "moderator", "board_member", "viewer",
)  # fmt: skip
SCOPED_ANALYST, SCOPED_MODERATOR, SCOPED_BOARD = (
    "scoped_analyst", "scoped_moderator", "scoped_board_member",
)  # fmt: skip
PARTNER, OUTSIDER, ANONYMOUS = "partner", "other_org_user", "anonymous"
MEMBERS = frozenset(
    {ANALYST, OWNER, LEAD, MODERATOR, BOARD, VIEWER, SCOPED_ANALYST, SCOPED_MODERATOR, SCOPED_BOARD}
)
ROLES = (*sorted(MEMBERS), PARTNER, OUTSIDER, ANONYMOUS)
NOBODY: frozenset[str] = frozenset()
EVERYONE = frozenset(ROLES)

# Words that only the records of South (outside the scoped users' reach) and of the other
# organisation contain. South's unit name is kept ordinary: peer comparisons may name it.
SOUTH_SECRETS = (
    "Southmoor risk of flooding",
    "Southmoor intervention plan",
    "Southmoor recommendation",
    "Southmoor strengths",
    "Southmoor commentary",
)
OTHER_SECRETS = ("Otherton", "Othershire risk", "Othershire plan", "Othershire theme")
# The provider's own records, which partners never read (figures are all they share).
PROVIDER_SECRETS = (
    "Northgate risk",
    "Northgate intervention",
    "Northgate recommendation",
    "Northgate strengths",
    "Northgate commentary",
)


@dataclass(frozen=True)
class Expect:
    """Who may read (GET) and who may change something (POST) through one URL, in scope.

    Everyone else is refused: anonymous visitors are sent to sign in (the API: 401), the
    others get 403 or 404, or, where a page treats a POST as a GET or shows the form's
    problems, 200 or 400 with nothing changed. ``data`` is a POST that the writers' request
    in scope must store (so that the refusals are of a request that would otherwise work).
    """

    read: frozenset[str]
    write: frozenset[str] = frozenset()
    data: dict[str, Any] | None = None
    # What a GET in reach answers: 200, or a redirect elsewhere than the sign-in page (the
    # single sign-on callback without the provider's answer says so: 400).
    status: int = 200


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


ORG = MEMBERS  # every member of the organisation
SHARED = MEMBERS | {PARTNER}  # and partners under a running sharing agreement
SIGNED_IN = EVERYONE - {ANONYMOUS}
# Outside the organisation: what they may not read answers 404, never 403 (docs/security.md).
OUTSIDE = roles(PARTNER, OUTSIDER)
WHOLE = roles(ANALYST, MODERATOR, BOARD)  # the roles that cover the whole organisation
ANALYSTS = roles(ANALYST, SCOPED_ANALYST)  # in their scope: North for the scoped one
AGREEING = WHOLE | roles(SCOPED_ANALYST, SCOPED_MODERATOR, SCOPED_BOARD)  # interventions
PLANNERS = roles(ANALYST)  # the improvement plan and the overview: the whole organisation's
OPEN = Expect(read=EVERYONE, write=EVERYONE)  # sign-in and password reset
RISK = {
    "title": "New risk",
    "description": "Described.",
    "controls": "Controlled.",
    "inherent_likelihood": "4",
    "inherent_impact": "4",
    "current_likelihood": "3",
    "current_impact": "3",
    "target_likelihood": "2",
    "target_impact": "2",
    "review_date": "2030-01-31",
    "unit": "N",
}
RECOMMENDATION = {
    "body": "hmicfrs",
    "report_title": "PEEL 2020",
    "report_date": "2020-09-01",
    "text": "Answer calls faster.",
    "unit": "N",
    "owner": "owner",
    "due_date": "2030-03-31",
}
THEME = "<the plan's theme>"  # filled in from the world
ITEM = {
    "title": "Safer roads",
    "owner": "owner",
    "description": "Fewer collisions.",
    "theme": THEME,
}
INTERVENTION = {
    "unit": "N",
    "area": "FOCUS",
    "action": "peer_review",
    "category": "1",
    "owner": "analyst",
    "description": "Peer review.",
}

SCHEDULE = {
    "name": "Board pack",
    "paper": "board",
    "formats": "pdf",
    "frequency": "monthly",
    "day_of_month": "1",
    "at_time": "07:30",
    "on_stage": "published",
    "recipients": "Jo Bloggs <jo@example.org>",
}

# The world's statutory return: ER by command, in a CSV template, for RETURN_PERIOD.
RETURN = """\
returns:
  - code: FIGURES
    name: Figures return
    template: figures.csv
    frequency: month
    columns: [{column: B, measure: ER}]
    rows: [{row: 2, unit: N}, {row: 3, unit: S}]
"""
RETURN_TEMPLATE = b"Unit,Emergency response\nNorth,\nSouth,\n"
RETURN_PERIOD = "2019-05"

# One line per URL name: adding a page is adding a line (and, for a new kind of parameter,
# a value in ``targets``). The API's operations are keyed "API <METHOD> <path>".
EXPECT: dict[str, Expect] = {
    # accounts and tokens
    "login": OPEN,
    "logout": Expect(read=NOBODY, write=SIGNED_IN),
    "password_change": Expect(read=SIGNED_IN, write=SIGNED_IN),
    "password_change_done": Expect(read=SIGNED_IN),
    "password_reset": OPEN,
    "password_reset_done": Expect(read=EVERYONE),
    "password_reset_confirm": OPEN,
    "password_reset_complete": Expect(read=EVERYONE),
    # single sign-on (configured for this run: tests/sso_provider.py): off to the provider,
    # and back from it (without the provider's answer: "Sign-in did not complete", 400)
    "sso-login": Expect(read=EVERYONE),
    "sso-callback": Expect(read=EVERYONE, status=400),
    "tokens": Expect(read=SIGNED_IN, write=SIGNED_IN, data={"name": "mine"}),
    # the accessibility statement: the public's, no sign-in (ADR 0054)
    "accessibility": Expect(read=EVERYONE),
    "language": OPEN,  # the language switcher: anyone, signed in or not (pmf.web.i18n)
    "home": Expect(read=SIGNED_IN, write=SIGNED_IN),  # to the member's organisation, any method
    # scorecards: partners read what is shared with them
    "organisation": Expect(read=SHARED),
    "organisation-json": Expect(read=SHARED),
    # the most similar groups: the units the member may see, and their peers
    "peer-groups": Expect(read=SHARED),
    "peer-groups-json": Expect(read=SHARED),
    "peer-groups-version": Expect(read=SHARED),
    "peer-groups-version-json": Expect(read=SHARED),
    # the audit trail: members read the events of the units they cover
    "audit": Expect(read=ORG),
    "audit-json": Expect(read=ORG),
    "scorecard": Expect(read=SHARED),
    "scorecard-json": Expect(read=SHARED),
    "summary": Expect(read=SHARED),  # the Making Data Count summary of a unit
    "summary-json": Expect(read=SHARED),
    "scores": Expect(read=SHARED),  # a unit's scores and segment (scoring: in the framework)
    "scores-json": Expect(read=SHARED),
    "measure": Expect(read=SHARED),
    "measure-json": Expect(read=SHARED),
    # rebases and events of a measure's SPC chart: analysts only, in their scope
    "measure-spc": Expect(
        read=ANALYSTS,
        write=ANALYSTS,
        data={
            "action": "add",
            "kind": "event",
            "period": "2019-08",
            "text": "Storm",
            "scope": "unit",
        },
    ),
    # statutory returns: analysts check them (the scoped one their units' cells); an analyst
    # covering the whole organisation exports them
    "returns": Expect(read=ANALYSTS),
    "returns-json": Expect(read=ANALYSTS),
    "return": Expect(read=ANALYSTS, write=roles(ANALYST), data={"period": RETURN_PERIOD}),
    "return-json": Expect(read=ANALYSTS),
    # figures in
    "enter": Expect(
        read=ANALYSTS | {OWNER},
        write=ANALYSTS | {OWNER},
        data={"period": "2019-08", "measure": "ER", "value-ER": "90"},
    ),
    "import": Expect(read=ANALYSTS, write=ANALYSTS),
    # a job (the whole organisation's analyst's): its problems quote rows of any unit
    "import-job": Expect(read=roles(ANALYST)),
    "import-job-json": Expect(read=roles(ANALYST)),
    "import-job-progress": Expect(read=roles(ANALYST)),
    # the cycle: analysts covering the whole organisation start and advance it (a scoped
    # analyst: 403); command leads self-assess
    "cycles": Expect(
        read=ORG, write=roles(ANALYST), data={"number": "2", "name": "Autumn", "cut_off": "2019-07"}
    ),
    "cycles-json": Expect(read=ORG),
    "cycle": Expect(read=ORG, write=roles(ANALYST), data={}),
    "cycle-json": Expect(read=ORG),
    "grade": Expect(
        read=ORG, write=roles(LEAD), data={"step": "self", "grade": "good", "text": "All met."}
    ),
    "grade-json": Expect(read=ORG),
    # the cycle's spot checks: every member reads those of their units; analysts record them
    "spot-checks": Expect(
        read=ORG, write=roles(ANALYST), data={"position": "1", "result": "verified"}
    ),
    "spot-checks-json": Expect(read=ORG),
    # the papers collate every unit's self-assessment and the overview, as the overview does
    "papers": Expect(read=WHOLE),
    "paper": Expect(read=WHOLE),
    # the whole organisation's grades, figures and interventions over a year, as the papers
    "annual-report": Expect(read=WHOLE),
    # papers by email: analysts covering the whole organisation, as its papers are theirs
    # (a scoped analyst may not send the force's paper to anybody)
    "schedules": Expect(read=roles(ANALYST)),
    "schedules-json": Expect(read=roles(ANALYST)),
    "schedule-new": Expect(read=roles(ANALYST), write=roles(ANALYST), data=SCHEDULE),
    "schedule-edit": Expect(
        read=roles(ANALYST), write=roles(ANALYST), data={**SCHEDULE, "name": "Renamed pack"}
    ),
    # its confirmation (GET) and the deletion itself (POST): the record of what it sent stays
    "schedule-delete": Expect(read=roles(ANALYST), write=roles(ANALYST), data={}),
    "dashboard": Expect(read=ORG),
    "dashboard-json": Expect(read=ORG),
    "dashboard-tile": Expect(read=ORG),
    "dashboard-tile-json": Expect(read=ORG),
    # interventions: agreed by the whole-organisation roles; progress by them and the owner
    "interventions": Expect(read=ORG),
    "interventions-json": Expect(read=ORG),
    "intervention-new": Expect(read=AGREEING, write=AGREEING, data=INTERVENTION),
    "intervention-new-json": Expect(read=AGREEING),
    "intervention": Expect(read=ORG, write=AGREEING, data={"text": "Visit booked."}),
    "intervention-json": Expect(read=ORG),
    # improvement plans and self-assessments: the plan names no unit, so it is written by
    # analysts covering the whole organisation (and an item's progress by its owner too)
    "plans": Expect(
        read=ORG, write=PLANNERS, data={"name": "Next plan", "starts": "2023", "ends": "2026"}
    ),
    "plans-json": Expect(read=ORG),
    "plan": Expect(read=ORG, write=PLANNERS, data={"theme": "Safer roads"}),
    "plan-json": Expect(read=ORG),
    "plan-edit": Expect(
        read=PLANNERS,
        write=PLANNERS,
        data={"name": "Renamed plan", "starts": "2019", "ends": "2022"},
    ),
    "plan-item-new": Expect(read=PLANNERS, write=PLANNERS, data=ITEM),
    "plan-item": Expect(
        read=ORG, write=PLANNERS | {OWNER}, data={"status": "on_track", "text": "Going well."}
    ),
    "plan-item-json": Expect(read=ORG),
    "plan-item-edit": Expect(read=PLANNERS, write=PLANNERS, data=ITEM),
    "statements": Expect(read=ORG),
    "statements-json": Expect(read=ORG),
    "statement": Expect(
        read=ORG,
        write=roles(LEAD),
        data={"strengths": "Calls answered.", "areas_for_improvement": "Roads.", "risks": ""},
    ),
    "statement-json": Expect(read=ORG),
    "overview": Expect(read=WHOLE, write=roles(ANALYST), data={"text": "A good quarter."}),
    "overview-json": Expect(read=WHOLE),
    # the risk register and recommendations
    "risks": Expect(read=ORG),
    "risks-json": Expect(read=ORG),
    "risk-heat-map": Expect(read=ORG),
    "risk-heat-map-json": Expect(read=ORG),
    "risk": Expect(read=ORG),
    "risk-json": Expect(read=ORG),
    "risk-new": Expect(read=ANALYSTS, write=ANALYSTS, data=RISK),
    "risk-edit": Expect(
        read=ANALYSTS | {OWNER},
        write=ANALYSTS | {OWNER},
        data={**RISK, "current_likelihood": "2", "note": "Drivers trained."},
    ),
    "recommendations": Expect(read=ORG),
    "recommendations-json": Expect(read=ORG),
    "recommendation": Expect(
        read=ORG, write=ANALYSTS | {OWNER}, data={"step": "start", "text": "Started."}
    ),
    "recommendation-json": Expect(read=ORG),
    "recommendation-new": Expect(read=ANALYSTS, write=ANALYSTS, data=RECOMMENDATION),
    "recommendation-edit": Expect(
        read=ANALYSTS, write=ANALYSTS, data={**RECOMMENDATION, "text": "Faster."}
    ),
    # owners' commentary: members read their units'; analysts and its owner write it; the
    # list of flagged and overdue commentary is the analysts'
    "commentary": Expect(
        read=ORG,
        write=ANALYSTS | {OWNER},
        data={"step": "write", "period": "2019-07", "what_happened": "Calls up."},
    ),
    "commentary-json": Expect(read=ORG),
    "commentary-list": Expect(read=ANALYSTS),
    "commentary-list-json": Expect(read=ANALYSTS),
    # the JSON API (organisation-level operations; ``unit`` is a query parameter)
    "API GET /api/organisations/{org}/units": Expect(read=SHARED),
    "API GET /api/organisations/{org}/measures": Expect(read=SHARED),
    "API GET /api/organisations/{org}/observations": Expect(read=SHARED),
    "API GET /api/organisations/{org}/assessments": Expect(read=SHARED),
    "API GET /api/organisations/{org}/scores": Expect(read=SHARED),
    # The cycles' reporting delay: the organisation's own, as the cycle and dashboard pages are.
    "API GET /api/organisations/{org}/reporting-delay": Expect(read=ORG),
    "API GET /api/organisations/{org}/commentary": Expect(read=ORG),
    # rows of ER (which the owner owns, in North) for July 2019, where none was asked for
    # papers by email: as the schedules page (the body names no unit)
    "API GET /api/organisations/{org}/schedules": Expect(read=roles(ANALYST)),
    "API POST /api/organisations/{org}/schedules": Expect(read=NOBODY, write=roles(ANALYST)),
    "API GET /api/organisations/{org}/sent": Expect(read=roles(ANALYST)),
    "API DELETE /api/organisations/{org}/schedules/{schedule_id}": Expect(
        read=NOBODY, write=roles(ANALYST)
    ),
    "API POST /api/organisations/{org}/commentary": Expect(read=NOBODY, write=ANALYSTS | {OWNER}),
    "API POST /api/organisations/{org}/observations": Expect(
        read=NOBODY,
        write=ANALYSTS | {OWNER},
        data={"rows": [{"measure": "ER", "period": "2019-08", "value": 91}]},
    ),
}


# --------------------------------------------------------------------------------------------
# The world: one per module, rolled back at the end.
# --------------------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User]
    keys: dict[str, str]
    ids: dict[str, int]


SCORING = (
    "scoring:\n  scale: spider\n  measures:\n"
    "    - {measure: ER, goal: 80, red_flag: 70}\n    - {measure: CR, goal: 5, red_flag: 7}\n"
)


def _organisation(code: str, name: str, names: dict[str, str]) -> Organisation:
    text = GOOD.replace("peer_groups:", RISK_REGISTER + "peer_groups:", 1)
    text = text.replace("code: TST, name: Test Force", f"code: {code}, name: {name}")
    text += SCORING  # the scores page has scores to show (and to keep within scope)
    for old, new in names.items():
        text = text.replace(f"name: {old}", f"name: {new}")
    # A statutory return of ER by command, its template read as pmf load reads one.
    framework = replace(load_framework(text + RETURN), templates=(("FIGURES", RETURN_TEMPLATE),))
    organisation = store_framework(framework, "framework.yaml")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "figures.csv"
        path.write_text(FIGURES, encoding="utf-8")
        result = check_table(read_table(path), framework_of(organisation))
    store_observations(
        organisation, result.observations, file_name="figures.csv", sha256="x", layout=result.layout
    )
    # Validated figures of the return's period, so that an export in scope goes out.
    import polars as pl

    from pmf.web.observations.services import import_frame

    validated = pl.DataFrame(
        {
            "unit": ["N", "S"],
            "measure": ["ER", "ER"],
            "period": [RETURN_PERIOD] * 2,
            "value": ["70", "72"],
            "status": ["validated"] * 2,
        }
    )
    import_frame(organisation, validated, file_name="validated.csv", source="test")
    return organisation


def _peer_groups(organisation: Organisation) -> int:
    """Compute a version of the organisation's most similar groups; return its number."""
    import polars as pl

    from pmf.web.frameworks.services import compute_peer_groups

    codes = sorted(organisation.units.filter(external=False).values_list("code", flat=True))
    context = pl.DataFrame({"unit": codes, "x": [float(i * i) for i in range(len(codes))]})
    return compute_peer_groups(organisation, context, ["x"], None, 1).number


def _member(name: str, organisation: Organisation, role: str, unit: str | None = None) -> User:
    user = User.objects.create_user(name)  # no password: the clients sign in with force_login
    Membership.objects.create(
        user=user,
        organisation=organisation,
        role=role,
        unit=Unit.objects.get(organisation=organisation, code=unit) if unit else None,
    )
    return user


def _records(organisation: Organisation, analyst: User, owner: User, words: dict[str, str]) -> dict:
    """Make one of every record of ``organisation``: in North (``N``) and South (``S``)."""
    from pmf.web.api.services import issue_token
    from pmf.web.commentary import services as commentary
    from pmf.web.cycles import services as cycles
    from pmf.web.entry.models import ImportJob
    from pmf.web.interventions.services import NewIntervention, create_intervention
    from pmf.web.plans import services as plans
    from pmf.web.recommendations import services as recommendations
    from pmf.web.risks import services as risks

    made: dict[str, int] = {}
    membership = analyst.membership
    for unit in ("N", "S"):
        made[f"risk-{unit}"] = risks.create_risk(
            organisation,
            membership,
            {
                "title": words[f"risk-{unit}"],
                "description": "Too few trained drivers.",
                "controls": "Training courses booked.",
                "inherent_likelihood": 5,
                "inherent_impact": 5,
                "current_likelihood": 4,
                "current_impact": 4,
                "target_likelihood": 2,
                "target_impact": 3,
                "review_date": "2030-01-31",
                "unit": unit,
                "owner": owner.username if unit == "N" else "",
            },
            user=analyst,
        ).number
        made[f"recommendation-{unit}"] = recommendations.create_recommendation(
            organisation,
            membership,
            {
                "body": "hmicfrs",
                "report_title": "PEEL 2019",
                "report_date": "2019-09-01",
                "text": words[f"recommendation-{unit}"],
                "unit": unit,
                "owner": owner.username if unit == "N" else analyst.username,
                "due_date": "2030-03-31",
            },
            user=analyst,
        ).number
        asked = {"measure": "CR", "unit": unit, "period": "2019-07"}
        owned_by = owner.username if unit == "N" else analyst.username
        commentary.request_commentary(
            organisation, membership, {**asked, "owner": owned_by}, user=analyst
        )
        commentary.write_commentary(
            organisation, membership, {**asked, "why": words[f"commentary-{unit}"]}, user=analyst
        )
        made[f"intervention-{unit}"] = create_intervention(
            membership,
            NewIntervention(
                unit=unit,
                area="FOCUS",
                action="peer_review",
                category="1",
                owner=analyst.username,
                description=words[f"intervention-{unit}"],
            ),
        ).pk
    plan = plans.create_plan(organisation, membership, name=words["plan"], starts=2019, ends=2022)
    theme = plans.add_theme(plan, membership, words["theme"])
    item = plans.create_item(
        theme,
        membership,
        plans.ItemFields(
            title="Community safety",
            owner=owner.username,
            description="Work in partnership.",
            target="Reduce crime",
            measures=["CR"],
        ),
    )
    made.update(plan=plan.pk, item=item.pk, theme=theme.pk)
    cycle = cycles.create_cycle(
        organisation,
        number=1,
        name="Summer 2019",
        cut_off="2019-07",
        board_date=dt.date(2030, 1, 1),
    )
    cycles.lock_cycle(cycle, membership)
    cycle.refresh_from_db()
    cycles.advance(cycle, membership)  # to self-assessment: statements and grades are open
    cycle.refresh_from_db()
    made["cycle"] = cycle.number
    for unit in ("N", "S"):
        plans.write_self_assessment(
            cycle,
            Unit.objects.get(organisation=organisation, code=unit),
            _lead_of(organisation, unit),
            strengths=words[f"statement-{unit}"],
            areas_for_improvement="Response times.",
            risks="",
        )
    made["job"] = ImportJob.objects.create(
        organisation=organisation, file_name="figures.csv", upload="x", created_by=analyst
    ).pk
    made["token"] = issue_token(analyst, "script")[0].pk
    from pmf.web.deliveries import services as deliveries

    made["schedule"] = deliveries.create_schedule(
        organisation,
        membership,
        {**SCHEDULE, "name": f"{'Otherton' if organisation.code == 'OTH' else 'Test'} board pack"},
        ["pdf"],
    ).pk
    return made


def _lead_of(organisation: Organisation, unit: str) -> Membership:
    name = f"{organisation.code.lower()}_{unit.lower()}_lead"
    found = User.objects.filter(username=name).first()
    user = found or _member(name, organisation, Membership.Role.COMMAND_LEAD, unit=unit)
    return Membership.objects.get(user=user)


def _build() -> World:
    from pmf.web.api.services import issue_token

    tst = _organisation("TST", "Test Force", {"South": "South"})
    other = _organisation("OTH", "Otherton Police", {"North": "Otherton North"})
    partner = store_framework(
        load_framework(GOOD.replace("code: TST, name: Test Force", "code: PTN, name: Partner"))
    )
    users = {
        ANALYST: _member(ANALYST, tst, Membership.Role.ANALYST),
        OWNER: _member(OWNER, tst, Membership.Role.OWNER, unit="N"),
        LEAD: _member(LEAD, tst, Membership.Role.COMMAND_LEAD, unit="N"),
        MODERATOR: _member(MODERATOR, tst, Membership.Role.MODERATOR),
        BOARD: _member(BOARD, tst, Membership.Role.BOARD_MEMBER),
        VIEWER: _member(VIEWER, tst, Membership.Role.VIEWER, unit="N"),
        SCOPED_ANALYST: _member(SCOPED_ANALYST, tst, Membership.Role.ANALYST, unit="N"),
        SCOPED_MODERATOR: _member(SCOPED_MODERATOR, tst, Membership.Role.MODERATOR, unit="N"),
        SCOPED_BOARD: _member(SCOPED_BOARD, tst, Membership.Role.BOARD_MEMBER, unit="N"),
        PARTNER: _member(PARTNER, partner, Membership.Role.ANALYST),
        OUTSIDER: _member(OUTSIDER, other, Membership.Role.ANALYST),
    }
    users[OWNER].membership.measures.set([Measure.objects.get(organisation=tst, code="ER")])
    SharingAgreement.objects.create(
        provider=tst,
        recipient=partner,
        unit=Unit.objects.get(organisation=tst, code="N"),
        purpose="Joint working on North",
        starts=dt.date(2000, 1, 1),
    )
    ids = {
        f"TST:{key}": value
        for key, value in _records(
            tst,
            users[ANALYST],
            users[OWNER],
            {
                "risk-N": PROVIDER_SECRETS[0],
                "risk-S": SOUTH_SECRETS[0],
                "intervention-N": PROVIDER_SECRETS[1],
                "intervention-S": SOUTH_SECRETS[1],
                "recommendation-N": PROVIDER_SECRETS[2],
                "recommendation-S": SOUTH_SECRETS[2],
                "statement-N": PROVIDER_SECRETS[3],
                "statement-S": SOUTH_SECRETS[3],
                "commentary-N": PROVIDER_SECRETS[4],
                "commentary-S": SOUTH_SECRETS[4],
                "plan": "Test Force plan",
                "theme": "Test Force theme",
            },
        ).items()
    }
    other_analyst = _member("oth_analyst", other, Membership.Role.ANALYST)
    other_owner = _member("oth_owner", other, Membership.Role.OWNER, unit="N")
    ids |= {
        f"OTH:{key}": value
        for key, value in _records(
            other,
            other_analyst,
            other_owner,
            {
                "risk-N": OTHER_SECRETS[1],
                "risk-S": OTHER_SECRETS[1],
                "intervention-N": "Otherton intervention",
                "intervention-S": "Otherton intervention",
                "recommendation-N": "Otherton recommendation",
                "recommendation-S": "Otherton recommendation",
                "statement-N": "Otherton strengths",
                "statement-S": "Otherton strengths",
                "commentary-N": "Otherton commentary",
                "commentary-S": "Otherton commentary",
                "plan": OTHER_SECRETS[2],
                "theme": OTHER_SECRETS[3],
            },
        ).items()
    }
    for organisation in (tst, other):
        ids[f"{organisation.code}:peers"] = _peer_groups(organisation)
    keys = {role: issue_token(user, "matrix")[1] for role, user in users.items()}
    return World(users=users, keys=keys, ids=ids)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def identity_provider() -> Iterator[Running]:
    with running_provider() as running:
        yield running


@pytest.fixture(autouse=True)
def _single_sign_on(identity_provider: Running, settings: Any) -> None:
    """Configure single sign-on with a real provider on loopback: its pages are in the matrix."""
    settings.PMF_SSO = identity_provider.config(
        [{"group": "analysts", "organisation": "TST", "role": "analyst"}]
    )


# --------------------------------------------------------------------------------------------
# The cases, generated from the URL configuration and the OpenAPI schema.
# --------------------------------------------------------------------------------------------


def url_patterns(resolver: URLResolver | None = None, prefix: str = "") -> dict[str, URLPattern]:
    """Return every named pattern of the site (the API's come from its schema instead)."""
    found: dict[str, URLPattern] = {}
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "api":
                found |= url_patterns(entry)
        elif entry.name:
            found[entry.name] = entry
        else:
            found[f"unnamed:{entry.pattern}"] = entry
    return found


def url_names() -> set[str]:
    return set(url_patterns())


def api_operations() -> list[tuple[str, str, bool]]:
    """Return (method, path, names a unit) of every operation of /api/openapi.json."""
    schema = Client().get("/api/openapi.json").json()
    return sorted(
        (
            method.upper(),
            path,
            "requestBody" in operation
            or any(p["name"] == "unit" for p in operation.get("parameters", [])),
        )
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in {"get", "post", "put", "patch", "delete"}
    )


# The parameter each route's ``number`` stands for, by the words before it.
NUMBERED = {"risks": "risk", "recommendations": "recommendation", "interventions": "intervention"}
# Other parameters, the same in every case.
FIXED = {
    "ret": "FIGURES",
    "area": "FOCUS",
    "kind": "board",
    "fmt": "html",
    "year": "2019-20",
    "uidb64": "MQ",
    "token": "set-password",
}
# Parameters named by organisation-wide records (no unit): the other organisation's record
# under this organisation's code is a case of its own ("cross").
BY_KEY = {"plan": "plan", "item": "item", "job": "job", "schedule": "schedule"}


def targets(pattern: URLPattern, world: World) -> dict[str, dict[str, Any]]:
    """Fill the pattern's parameters: in North ("in"), in South ("out"), in the other
    organisation ("other"), and the other organisation's record under TST's code ("cross")."""
    route = str(pattern.pattern)
    names = list(pattern.pattern.converters)  # type: ignore[attr-defined]
    if not names:
        return {"in": {}}
    record = None
    for words, kind in NUMBERED.items():
        if f"{words}/<int:number>" in route:
            record = kind
    cases: dict[str, dict[str, Any]] = {}
    for case, org, unit, ids_of in (
        ("in", "TST", "N", "TST"),
        ("out", "TST", "S", "TST"),
        ("other", "OTH", "N", "OTH"),
        ("cross", "TST", "N", "OTH"),
    ):
        kwargs: dict[str, Any] = {}
        for name in names:
            if name == "org":
                kwargs[name] = org
            elif name == "unit":
                kwargs[name] = unit
            elif name == "number" and "peer-groups/" in route:
                kwargs[name] = world.ids[f"{ids_of}:peers"]
            elif name == "number" and record is not None:
                kwargs[name] = world.ids[f"{ids_of}:{record}-{unit}"]
            elif name == "number":
                kwargs[name] = world.ids[f"{ids_of}:cycle"]
            elif name in BY_KEY:
                kwargs[name] = world.ids[f"{ids_of}:{BY_KEY[name]}"]
            elif name == "code":
                kwargs[name] = "CR" if "measures" in route else "risks"
            else:
                kwargs[name] = FIXED[name]
        cases[case] = kwargs
    uses_unit = "unit" in names or record is not None
    uses_key = any(name in BY_KEY for name in names) or record == "intervention"
    if not uses_unit:
        del cases["out"]
    if not uses_key:
        del cases["cross"]
    if "org" not in names:
        return {"in": cases["in"]}
    return cases


def client_for(role: str, world: World) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    return client


# Tables that reads change (sessions, the shared cache) or that never change, and columns
# that a read updates (a token's time of last use).
UNCHECKED = {"django_session", "pmf_cache", "django_migrations", "auth_permission"}
READ_STAMPS = {"last_used_at"}


@functools.cache
def _columns(table: str) -> str:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
    return ", ".join(f'"{column.name}"' for column in description if column.name not in READ_STAMPS)


def database_state() -> str:
    """Hash every row of every table but those that reads change."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in UNCHECKED:
                continue
            cursor.execute(f'SELECT {_columns(table)} FROM "{table}"')
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest.update(f"{table}:{len(rows)}:{rows}".encode())
    return digest.hexdigest()


SCOPED = roles(OWNER, LEAD, VIEWER, SCOPED_ANALYST, SCOPED_MODERATOR, SCOPED_BOARD)  # North


def acting_as(role: str, case: str) -> str | None:
    """Return whose permissions apply to ``role`` in ``case``; None: it must not exist for them."""
    if role == ANONYMOUS:
        return ANONYMOUS
    if case == "in":
        return role
    if case == "out":
        return None if role in SCOPED | {PARTNER, OUTSIDER} else role
    if case == "other":
        return ANALYST if role == OUTSIDER else None  # the other organisation's own analyst
    return None  # "cross": another organisation's record under this one's code


def secrets_for(role: str) -> tuple[str, ...]:
    """Return the words that no answer to ``role`` may contain."""
    if role in WHOLE:
        return OTHER_SECRETS
    if role in SCOPED:
        return SOUTH_SECRETS + OTHER_SECRETS
    if role == OUTSIDER:
        return SOUTH_SECRETS + PROVIDER_SECRETS
    return SOUTH_SECRETS + PROVIDER_SECRETS + OTHER_SECRETS


UNSAFE_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "*")


def policy_problem(policy: str) -> str:
    """Say what is wrong with a page's Content Security Policy, or nothing."""
    if not policy:
        return "no Content-Security-Policy"
    directives = {}
    for part in policy.split(";"):
        name, _, sources = part.strip().partition(" ")
        directives[name] = sources
    for name in ("script-src", "style-src"):
        sources = directives.get(name, directives.get("default-src", ""))
        if not sources or any(word in sources.split() for word in UNSAFE_SOURCES):
            return f"{name} {sources!r} allows inline or any code"
    return ""


def sent_to_sign_in(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@dataclass
class Check:
    """Collect every wrong answer, to report them all at once."""

    role: str
    problems: list[str] = field(default_factory=list)

    def request(
        self, client: Client, method: str, path: str, data: Any, *, api: bool = False
    ) -> tuple[Any, bool]:
        """Send one request inside a transaction rolled back after it; say if a row changed."""
        with transaction.atomic():
            before = database_state() if method in {"POST", "DELETE"} else ""
            if api:
                response = getattr(client, method.lower())(
                    path,
                    **(
                        {"data": json.dumps(data), "content_type": "application/json"}
                        if method == "POST"
                        else {"data": data}
                    ),
                )
            else:
                response = getattr(client, method.lower())(path, data or {})
            changed = method in {"POST", "DELETE"} and database_state() != before
            transaction.set_rollback(True)
        body = b"" if response.streaming else response.content
        if response.get("Content-Type", "").startswith("text/html"):
            problem = policy_problem(response.get("Content-Security-Policy", ""))
            if problem:
                self.problems.append(f"{method} {path}: {problem}")
        signed_in = response.wsgi_request.user.is_authenticated
        if signed_in and response.get("Cache-Control") != "private, no-store":
            self.problems.append(f"{method} {path}: not Cache-Control: private, no-store")
        for secret in secrets_for(self.role):
            if secret.encode() in body:
                self.problems.append(f"{method} {path}: shows {secret!r}")
        return response, changed

    def expect(self, ok: bool, method: str, path: str, response: Any, what: str) -> None:
        if not ok:
            self.problems.append(f"{method} {path}: {response.status_code}, expected {what}")


def check_page(check: Check, client: Client, name: str, case: str, path: str, world: World) -> None:
    """Request one page with GET and POST as ``check.role`` and note every wrong answer."""
    rule = EXPECT[name]
    actor = acting_as(check.role, case)
    # A page's .json twin is sent the page's own form, which it must not take.
    data = rule.data if rule.data is not None else EXPECT.get(name.removesuffix("-json"), rule).data
    theme = world.ids["OTH:theme" if case == "other" else "TST:theme"]
    data = {key: theme if value == THEME else value for key, value in (data or {}).items()}
    got, _ = check.request(client, "GET", path, None)
    posted, changed = check.request(client, "POST", path, data)
    if check.role != ANONYMOUS and "_auth_user_id" not in client.session:
        client.force_login(User.objects.get(username=check.role))  # after signing out
    if actor is None:
        # A role refused the page anywhere may be told so before the record is looked up.
        missing = {404} if check.role in rule.read else {403, 404}
        check.expect(got.status_code in missing, "GET", path, got, "404")
        check.expect(posted.status_code in missing | {405}, "POST", path, posted, "404")
    elif actor == ANONYMOUS and actor not in rule.read:
        check.expect(sent_to_sign_in(got), "GET", path, got, "sign in")
    elif actor in rule.read:
        ok = got.status_code == rule.status or (got.status_code == 302 and not sent_to_sign_in(got))
        check.expect(ok, "GET", path, got, "200")
    elif check.role in OUTSIDE:
        check.expect(got.status_code in {404, 405}, "GET", path, got, "404")
    else:
        check.expect(got.status_code in {403, 404, 405}, "GET", path, got, "403 or 404")
    if actor is not None and actor in rule.write:
        check.expect(posted.status_code < 500, "POST", path, posted, "no server error")
        if rule.data is not None and case in {"in", "out"}:
            check.expect(changed, "POST", path, posted, "a change stored")
        return
    if actor == ANONYMOUS and actor not in rule.read:
        check.expect(sent_to_sign_in(posted), "POST", path, posted, "sign in")
    elif actor is not None:
        refused = {200, 400, 403, 404, 405}
        if check.role in OUTSIDE and actor not in rule.read:
            refused = {404, 405}  # partners and outsiders learn nothing: 404, never 403
        check.expect(posted.status_code in refused, "POST", path, posted, "refused")
    if changed:
        check.problems.append(f"POST {path}: {posted.status_code} and a row changed")


@pytest.mark.parametrize("role", ROLES)
def test_every_page_as_every_role(role: str, world: World) -> None:
    check = Check(role)
    client = client_for(role, world)
    for name, pattern in sorted(url_patterns().items()):
        for case, kwargs in targets(pattern, world).items():
            check_page(check, client, name, case, reverse(name, kwargs=kwargs), world)
    assert not check.problems, "\n".join(check.problems)


# What a form's POST may name outside the scope of the members scoped to North: another
# unit, the whole organisation (no unit), every unit's chart.
OUTSIDE_NORTH = {"unit": ("S", ""), "scope": ("all",)}


def outside_north(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (what, data) for each variant of ``data`` naming something outside North."""
    for key, values in OUTSIDE_NORTH.items():
        if key in data:
            for value in values:
                yield f"{key}={value!r}", {**data, key: value}


# Figures the register writes itself (the risk measure) are not a member's: the uploads'
# matrix below checks every figure a member writes.
DERIVED = {"observations_observation"}


def rows_by_unit() -> set[tuple[str, int, int | None]]:
    """Return (table, row, unit) of every row of every table that names a unit."""
    found = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in DERIVED:
                continue
            columns = {
                c.name for c in connection.introspection.get_table_description(cursor, table)
            }
            if "unit_id" in columns and "id" in columns:
                cursor.execute(f'SELECT "id", "unit_id" FROM "{table}"')
                found |= {(table, row, unit) for row, unit in cursor.fetchall()}
    return found


def writes_outside(client: Client, path: str, data: dict[str, Any], north: set[int]) -> tuple:
    """POST, rolled back; return the answer and the rows it wrote naming a unit not in North
    (or no unit: the whole organisation)."""
    with transaction.atomic():
        before = rows_by_unit()
        response = client.post(path, data)
        written = {(table, unit) for table, _, unit in rows_by_unit() - before}
        transaction.set_rollback(True)
    return response, sorted((t, u) for t, u in written if u not in north)


@pytest.mark.parametrize("role", sorted(MEMBERS))
def test_every_form_naming_a_unit_outside_the_members_scope(role: str, world: World) -> None:
    """Every form that takes a unit (or every unit), posted in North naming South or the whole
    organisation: members scoped to North write nothing outside it; the writers who cover
    the whole organisation store what names South."""
    check = Check(role)
    client = client_for(role, world)
    north = set(
        Unit.objects.filter(organisation__code="TST", code="N").values_list("pk", flat=True)
    )
    for name, pattern in sorted(url_patterns().items()):
        rule = EXPECT[name]
        if rule.data is None or role not in rule.write:
            continue
        path = reverse(name, kwargs=targets(pattern, world)["in"])
        theme = world.ids["TST:theme"]
        data = {key: theme if value == THEME else value for key, value in rule.data.items()}
        for what, variant in outside_north(data):
            posted, outside = writes_outside(client, path, variant, north)
            if posted.status_code >= 500:
                check.problems.append(f"POST {path} {what}: {posted.status_code}")
            if role in SCOPED and outside:
                check.problems.append(f"POST {path} {what}: {posted.status_code}, wrote {outside}")
            if role not in SCOPED and not outside and what in {"unit='S'", "scope='all'"}:
                check.problems.append(f"POST {path} {what}: {posted.status_code}, not stored")
    assert not check.problems, "\n".join(check.problems)


def test_every_url_and_operation_has_an_expectation(world: World) -> None:
    declared = set(EXPECT)
    found = url_names() | {f"API {method} {path}" for method, path, _ in api_operations()}
    assert sorted(found - declared) == [], "add a line to EXPECT for each new URL"
    assert sorted(declared - found) == [], "remove the lines of URLs that are gone"


# --------------------------------------------------------------------------------------------
# The JSON API: every operation of the schema, as every role, by bearer token.
# --------------------------------------------------------------------------------------------


def api_cases(path: str, unit: bool, world: World) -> dict[str, tuple[str, dict[str, Any], Any]]:
    """Return (path, query, rows to send) in North, in South and in the other organisation;
    for an operation on one record (a schedule), also the other organisation's record under
    this one's code ("cross")."""

    def row(unit: str) -> Any:
        if path.endswith("/schedules"):
            return {
                **{k: v for k, v in SCHEDULE.items() if k not in {"recipients", "formats"}},
                "day_of_month": 1,
                "formats": ["pdf"],
                "recipients": [{"name": "Jo Bloggs", "email": "jo@example.org"}],
            }
        if path.endswith("/commentary"):
            return [{"unit": unit, "measure": "ER", "period": "2019-07", "why": "Calls up."}]
        return [{"unit": unit, "measure": "ER", "period": "2019-08", "value": 91}]

    def at(org: str, ids_of: str) -> str:
        return path.format(org=org, schedule_id=world.ids.get(f"{ids_of}:schedule"))

    cases = {
        "in": (at("TST", "TST"), {"unit": "N"}, row("N")),
        "out": (at("TST", "TST"), {"unit": "S"}, row("S")),
        "other": (at("OTH", "OTH"), {"unit": "N"}, row("N")),
        "cross": (at("TST", "OTH"), {"unit": "N"}, row("N")),
    }
    if not unit:
        del cases["out"]
    if "{schedule_id}" not in path:
        del cases["cross"]
    return cases


def api_client(role: str, world: World) -> Client:
    if role == ANONYMOUS:
        return Client()
    return Client(headers={"Authorization": f"Bearer {world.keys[role]}"})


@pytest.mark.parametrize("role", ROLES)
def test_every_api_operation_as_every_role(role: str, world: World) -> None:
    check = Check(role)
    client = api_client(role, world)
    for method, template, unit in api_operations():
        rule = EXPECT[f"API {method} {template}"]
        for case, (path, query, rows) in api_cases(template, unit, world).items():
            actor = acting_as(role, case)
            if method == "GET":
                got, _ = check.request(client, "GET", path, query, api=True)
                if actor == ANONYMOUS:
                    check.expect(got.status_code == 401, method, path, got, "401")
                elif actor is not None and actor in rule.read:
                    # Unit-level queries: the whole-organisation roles read South too.
                    check.expect(got.status_code == 200, method, path, got, "200")
                else:
                    missing = {404} if role in OUTSIDE else {403, 404}
                    check.expect(got.status_code in missing, method, path, got, "404")
                continue
            sent = "" if method == "DELETE" else rows
            posted, changed = check.request(client, method, path, sent, api=True)
            if actor is not None and actor in rule.write:
                done = 204 if method == "DELETE" else 200
                check.expect(posted.status_code == done and changed, method, path, posted, "stored")
                continue
            if actor == ANONYMOUS:
                check.expect(posted.status_code == 401, method, path, posted, "401")
            elif actor is None and role in rule.write:
                check.expect(posted.status_code in {404, 422}, method, path, posted, "404")
            else:
                refused = {404} if role in OUTSIDE else {403, 404, 422}
                check.expect(posted.status_code in refused, method, path, posted, "refused")
            if changed:
                check.problems.append(f"{method} {path}: {posted.status_code} and a row changed")
    assert not check.problems, "\n".join(check.problems)


def test_the_api_description_is_public_and_shows_no_figures(world: World) -> None:
    for path in ("/api/openapi.json", "/api/docs"):
        response = Client().get(path)
        assert response.status_code == 200, path
        assert not policy_problem(response["Content-Security-Policy"]), path
        for secret in SOUTH_SECRETS + PROVIDER_SECRETS + OTHER_SECRETS:
            assert secret.encode() not in response.content, (path, secret)
