"""Every write to owners' commentary, who may make it, and the check against the statistics.

An analyst asks for commentary on a unit's measure for a period (``request_commentary``),
naming its owner and a due date: by default ``commentary.due_days`` after the period ends,
and never after the cycle covering the period locked. The owner (or an analyst) writes it
(``write_commentary``): what happened, why, and what is being done. Each request, version
and change of owner or due date is a ``CommentaryVersion`` with its audit event, written by
``pmf.web.audit.services.record_step``. Commentary not written is overdue after its due date
or once the cycle covering its period has locked, whichever comes first.

``flags`` compares each commentary's words with the statistics of its unit, measure and
period (``pmf.core.commentary``), computed afresh: a revised figure can make words that were
right wrong, or the other way round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pmf.core.commentary import Contradiction, Evidence, contradictions
from pmf.core.periods import ParseError, Period, parse_period
from pmf.core.text import format_date, period_name
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import visible_units
from pmf.web.audit import services as audit
from pmf.web.commentary.models import Commentary, CommentaryVersion
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Measure, Organisation, Unit
from pmf.web.risks.services import Refused, lock, relation, version_of

__all__ = ["Refused", "version_of"]
TEXT_FIELDS = ("what_happened", "why", "action")
TEXT_LABELS = {
    "what_happened": "What happened",
    "why": "Why",
    "action": "What is being done",
}
MAX_TEXT = 5_000


# --------------------------------------------------------------------------------------------
# Who sees and writes what
# --------------------------------------------------------------------------------------------


def visible_commentary(
    organisation: Organisation, membership: Membership | None
) -> QuerySet[Commentary]:
    """Return the organisation's commentary the member may read (``None``: all of it).

    Members read the commentary of the units they see; partners under a sharing agreement
    read figures, not the provider's commentary: none.
    """
    found = Commentary.objects.filter(organisation=organisation).select_related(
        "measure", "unit", "owner"
    )
    if membership is None:
        return found
    if membership.organisation_id != organisation.pk:
        return found.none()
    if membership.unit_id is None:
        return found
    units = [unit.pk for unit in visible_units(membership) if not unit.external]
    return found.filter(Q(unit_id__in=units) | Q(owner_id=membership.user_id))


def _in_scope(membership: Membership, unit: Unit) -> bool:
    if membership.organisation_id != unit.organisation_id:
        return False
    if membership.unit_id is None:
        return True
    return any(candidate.pk == unit.pk for candidate in visible_units(membership))


def may_request(membership: Membership, unit: Unit) -> bool:
    """Say whether the member may ask for commentary on ``unit``: analysts, in their scope."""
    return membership.role == Membership.Role.ANALYST and _in_scope(membership, unit)


def may_write(
    membership: Membership, unit: Unit, measure: Measure | str, commentary: Commentary | None
) -> bool:
    """Say whether the member may write the commentary on a unit's measure.

    Its owner; analysts in their scope; and, where none has been asked for, the measure's
    owners (members who own the measure, given or by code) for the units in their scope.
    """
    if commentary is not None and commentary.owner_id == membership.user_id:
        return True
    if may_request(membership, unit):
        return True
    return (
        commentary is None
        and membership.role == Membership.Role.OWNER
        and _in_scope(membership, unit)
        and membership.measures.filter(
            code=measure if isinstance(measure, str) else measure.code
        ).exists()
    )


def may_see_list(membership: Membership, organisation: Organisation) -> bool:
    """Say whether the member may read the analyst's list of flagged and overdue commentary."""
    return (
        membership.role == Membership.Role.ANALYST and membership.organisation_id == organisation.pk
    )


# --------------------------------------------------------------------------------------------
# Due dates and the cycle
# --------------------------------------------------------------------------------------------


def covering_cycle(organisation: Organisation, period: str) -> Cycle | None:
    """Return the cycle whose figures run to ``period`` (its cut-off), the first if several."""
    cycles = Cycle.objects.filter(organisation=organisation, cut_off=period)
    return cycles.order_by("number").first()


def default_due_date(organisation: Organisation, period: Period) -> dt.date:
    """Return when commentary on ``period`` is due: ``due_days`` after it ends, or the lock.

    Never after the day the cycle covering the period locked.
    """
    from pmf.web.frameworks.services import framework_of

    days = framework_of(organisation).model.commentary.due_days
    due = period.end + dt.timedelta(days=days)
    cycle = covering_cycle(organisation, period.code)
    if cycle is not None and cycle.locked_at is not None:
        due = min(due, timezone.localdate(cycle.locked_at))
    return due


def is_overdue(
    commentary: Commentary, today: dt.date, locked: Mapping[str, dt.date] | None = None
) -> bool:
    """Say whether commentary not yet written is past its due date or its cycle has locked.

    ``locked`` maps period codes to the day their cycle locked (read here when not given).
    """
    if commentary.written:
        return False
    if commentary.due_date < today:
        return True
    if locked is None:
        locked = locked_periods(commentary.organisation)
    return commentary.period in locked


def locked_periods(organisation: Organisation) -> dict[str, dt.date]:
    """Return the cut-off periods of the organisation's locked cycles, with the day of lock."""
    found: dict[str, dt.date] = {}
    for cut_off, locked_at in (
        Cycle.objects.filter(organisation=organisation, locked_at__isnull=False)
        .order_by("-number")
        .values_list("cut_off", "locked_at")
    ):
        found[cut_off] = timezone.localdate(locked_at)
    return found


# --------------------------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------------------------


def _target(
    organisation: Organisation, data: Mapping[str, Any], problems: list[str]
) -> tuple[Measure | None, Unit | None, Period | None]:
    """Return the measure, unit and period the data names, noting every problem."""
    measure_code = str(data.get("measure") or "").strip()
    measure = organisation.measures.filter(code=measure_code).first() if measure_code else None
    if measure is None:
        problems.append(
            _("Measure: {code} is not a measure of {organisation}").format(
                code=repr(measure_code), organisation=organisation.name
            )
            if measure_code
            else _("Measure: give the measure's code")
        )
    unit = relation(organisation, "unit", str(data.get("unit") or "").strip(), problems, "Unit")
    if unit is None and not any(problem.startswith("Unit:") for problem in problems):
        problems.append(_("Unit: give the unit's code"))
    text = str(data.get("period") or "").strip()
    period: Period | None = None
    try:
        period = parse_period(text)
    except (ParseError, ValueError) as error:
        problems.append(
            _("Period: {error}").format(error=error)
            if text
            else _("Period: give the period, e.g. 2019-07")
        )
    if period is not None and measure is not None and period.kind.value != measure.frequency:
        problems.append(
            _("Period: {period} is not a {frequency} period, as {measure}'s are").format(
                period=period.code, frequency=measure.frequency, measure=measure.code
            )
        )
    return measure, unit, period


def _due(
    organisation: Organisation, period: Period, text: str, problems: list[str]
) -> dt.date | None:
    """Return the due date typed (or the default), refusing one after the cycle locked."""
    if not text:
        return default_due_date(organisation, period)
    try:
        due = dt.date.fromisoformat(text)
    except ValueError:
        problems.append(_("Due date: give a date as YYYY-MM-DD"))
        return None
    cycle = covering_cycle(organisation, period.code)
    if cycle is not None and cycle.locked_at is not None:
        locked = timezone.localdate(cycle.locked_at)
        if due > locked:
            problems.append(
                _(
                    "Due date: commentary on {period} must be due before the cycle '{cycle}' "
                    "locks; it locked on {date}"
                ).format(period=period_name(period), cycle=cycle.name, date=format_date(locked))
            )
    return due


def _label(commentary: Commentary) -> str:
    period = parse_period(commentary.period)
    return f"Commentary: {commentary.measure.name}, {commentary.unit.name}, {period.label}"


def _step(
    commentary: Commentary,
    step: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    user: User | AnonymousUser | None,
    now: dt.datetime,
    note: str = "",
) -> None:
    """Record a step on a commentary (a copy of what it holds after it) and its audit event."""
    audit.record_step(
        CommentaryVersion(
            commentary=commentary,
            step=step,
            what_happened=commentary.what_happened,
            why=commentary.why,
            action=commentary.action,
            owner=commentary.owner.get_username() if commentary.owner else "",
            due_date=commentary.due_date,
        ),
        commentary.organisation,
        kind=audit.Kind.COMMENTARY,
        action=step,
        label=_label(commentary),
        object_id=commentary.pk,
        unit_code=commentary.unit.code,
        before=before,
        after=after,
        note=note,
        user=user,
        at=now,
    )


def _held(commentary: Commentary) -> str:
    return _("its latest version") if commentary.written else _("a request, not yet written")


@transaction.atomic
def request_commentary(
    organisation: Organisation,
    membership: Membership | None,
    data: Mapping[str, Any],
    *,
    user: User | AnonymousUser | None = None,
    now: dt.datetime | None = None,
) -> Commentary:
    """Ask an owner for commentary on a unit's measure for a period (analysts). Raise ``Refused``.

    ``data`` has measure, unit and period codes, the owner's username and an optional due
    date (YYYY-MM-DD; by default ``default_due_date``). Asked again, the owner and due date
    change (a step of its own); what was written stays.
    """
    problems: list[str] = []
    measure, unit, period = _target(organisation, data, problems)
    owner_text = str(data.get("owner") or "").strip()
    owner = relation(organisation, "owner", owner_text, problems, "Owner")
    if not owner_text:
        problems.append(_("Owner: name who writes the commentary (a username)"))
    due = (
        _due(organisation, period, str(data.get("due_date") or "").strip(), problems)
        if (period is not None)
        else None
    )
    if membership is not None and unit is not None and not may_request(membership, unit):
        problems.append(_("Only analysts ask for commentary, for the units in their scope."))
    if problems:
        raise Refused(problems)
    assert measure is not None and unit is not None and period is not None and due is not None
    now = now or timezone.now()
    held = (
        Commentary.objects.select_for_update()
        .filter(measure=measure, unit=unit, period=period.code)
        .first()
    )
    if held is None:
        commentary = Commentary.objects.create(
            organisation=organisation,
            measure=measure,
            unit=unit,
            period=period.code,
            owner=owner,
            due_date=due,
            created_at=now,
        )
        after = {"owner": owner_text, "due_date": due.isoformat()}
        _step(commentary, CommentaryVersion.Step.REQUESTED, None, after, user, now)
        return commentary
    before = {
        "owner": held.owner.get_username() if held.owner else "",
        "due_date": held.due_date.isoformat(),
    }
    held.owner, held.due_date = owner, due
    held.save(update_fields=["owner", "due_date"])
    after = {"owner": owner_text, "due_date": due.isoformat()}
    if before != after:
        _step(held, CommentaryVersion.Step.CHANGED, before, after, user, now)
    return held


@transaction.atomic
def write_commentary(
    organisation: Organisation,
    membership: Membership | None,
    data: Mapping[str, Any],
    *,
    user: User | AnonymousUser | None = None,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Commentary:
    """Store a new version of a commentary: what happened, why, what is being done.

    ``data`` has measure, unit and period codes and the three texts (at least one). Written
    where none was asked for, the writer is its owner and the due date the default. The
    earlier versions are kept; the same words again add none. ``version`` is the version the
    writer saw (``version_of``): if someone wrote since, ``Conflict``. Raise ``Refused``
    with every problem.
    """
    problems: list[str] = []
    measure, unit, period = _target(organisation, data, problems)
    texts = {name: str(data.get(name) or "").strip() for name in TEXT_FIELDS}
    if not any(texts.values()):
        problems.append(_("What happened: write the commentary (what happened, why, what is done)"))
    for name, text in texts.items():
        if len(text) > MAX_TEXT:
            problems.append(
                _("{field}: at most {limit} characters").format(
                    field=TEXT_LABELS[name], limit=f"{MAX_TEXT:,}"
                )
            )
    held = None
    if measure is not None and unit is not None and period is not None:
        held = (
            Commentary.objects.select_for_update()
            .filter(measure=measure, unit=unit, period=period.code)
            .first()
        )
        if membership is not None and not may_write(membership, unit, measure, held):
            problems.append(
                _("Only the commentary's owner, an analyst or the measure's owner writes it.")
            )
    if problems:
        raise Refused(problems)
    assert measure is not None and unit is not None and period is not None
    now = now or timezone.now()
    if held is None:
        writer = audit.actor_of(user)[0]
        held = Commentary.objects.create(
            organisation=organisation,
            measure=measure,
            unit=unit,
            period=period.code,
            owner=writer,
            due_date=default_due_date(organisation, period),
            created_at=now,
        )
        before = None
    else:
        lock(held, version, _("The commentary"), _held)
        before = {name: getattr(held, name) for name in TEXT_FIELDS}
        if held.written and before == texts:
            return held  # the same words again: no new version
    for name, text in texts.items():
        setattr(held, name, text)
    held.written_at = now
    held.save()
    _step(held, CommentaryVersion.Step.WRITTEN, before, dict(texts), user, now)
    return held


def find(organisation: Organisation, measure: str, unit: str, period: str) -> Commentary | None:
    """Return the commentary on a unit's measure for a period (codes), if there is one."""
    return (
        Commentary.objects.filter(
            organisation=organisation, measure__code=measure, unit__code=unit, period=period
        )
        .select_related("measure", "unit", "owner", "organisation")
        .first()
    )


def default_period(organisation: Organisation, unit: Unit, measure: Measure) -> str | None:
    """Return the period of the unit's latest figure of the measure (None: it has none)."""
    from pmf.web.observations.models import Observation

    held = (
        Observation.objects.filter(unit=unit, measure=measure, superseded_at__isnull=True)
        .values_list("period", flat=True)
        .distinct()
    )
    ends = []
    for code in held:
        try:
            ends.append((parse_period(code).end, code))
        except (ParseError, ValueError):
            continue
    return max(ends)[1] if ends else None


# --------------------------------------------------------------------------------------------
# The check against the statistics
# --------------------------------------------------------------------------------------------


def flags(
    organisation: Organisation, commentaries: Iterable[Commentary]
) -> dict[int, tuple[Contradiction, ...]]:
    """Return, by commentary id, the claims in its words the statistics contradict.

    Only what happened and why are read; the statistics are the assessment's (SPC variation
    and assurance, the standard, significance against the peer average) at the period,
    computed from the figures held now. Commentary not yet written has none.
    """
    from pmf.core.assessment import assess, units_read
    from pmf.web.frameworks.services import framework_of
    from pmf.web.observations.services import held_observations

    written = [item for item in commentaries if item.written]
    if not written:
        return {}
    framework = framework_of(organisation)
    by_period: dict[str, list[Commentary]] = {}
    for item in written:
        by_period.setdefault(item.period, []).append(item)
    found: dict[int, tuple[Contradiction, ...]] = {}
    for period, items in by_period.items():
        units = sorted({item.unit.code for item in items})
        measures = sorted({item.measure.code for item in items})
        try:
            cut = parse_period(period).end
        except (ParseError, ValueError):
            continue
        held = held_observations(
            organisation, units=units_read(framework, units), measures=measures
        )
        assessed = assess(framework, held, units=units, cut=cut)
        rows = {(row["unit"], row["measure"]): row for row in assessed.iter_rows(named=True)}
        for item in items:
            row = rows.get((item.unit.code, item.measure.code))
            if row is None:
                continue
            evidence = Evidence(
                variation=row["variation"],
                assurance=row["assurance"],
                met=row["met"],
                significance=row["significance"],
                significance_code=row.get("significance_code"),
            )
            found[item.pk] = contradictions(f"{item.what_happened}\n{item.why}", evidence)
    return found


# --------------------------------------------------------------------------------------------
# Many at once: the API's body and the command line's file
# --------------------------------------------------------------------------------------------

FIELD_OF = {
    "Measure": "measure",
    "Unit": "unit",
    "Period": "period",
    "Owner": "owner",
    "Due date": "due_date",
    **{label: name for name, label in TEXT_LABELS.items()},
}


class RowsRefused(Exception):
    """Raise with every problem of every row (row counted from 1, field, reason)."""

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        said = (f"row {row}, {field}: {reason}" for row, field, reason in problems)
        super().__init__("; ".join(said))
        self.problems = problems


def _row_problems(row: int, refused: Refused) -> list[tuple[int, str, str]]:
    found = []
    for problem in refused.problems:
        label, colon, reason = problem.partition(": ")
        field = FIELD_OF.get(label, "") if colon else ""
        found.append((row, field or "row", reason if field else problem))
    return found


@transaction.atomic
def write_rows(
    organisation: Organisation,
    membership: Membership | None,
    rows: Iterable[Mapping[str, Any]],
    *,
    user: User | AnonymousUser | None = None,
) -> int:
    """Write (or, with an owner and no text, ask for) commentary row by row: all, or none.

    Each row has measure, unit and period codes; with any of the three texts it is a version
    written (``write_commentary``), and with an owner (or a due date) the request changes
    first (``request_commentary``). Raise ``RowsRefused`` with every problem of every row;
    then nothing is stored. Return the number of rows.
    """
    problems: list[tuple[int, str, str]] = []
    count = 0
    for count, row in enumerate(rows, start=1):
        # No database stores the NUL character (PostgreSQL refuses it): named, never looked up.
        nul = [name for name, value in row.items() if isinstance(value, str) and "\x00" in value]
        if nul:
            problems += [(count, name, "contains the NUL character (\\0)") for name in nul]
            continue
        texts = any(str(row.get(name) or "").strip() for name in TEXT_FIELDS)
        asks = bool(str(row.get("owner") or "").strip() or str(row.get("due_date") or "").strip())
        try:
            if asks or not texts:
                request_commentary(organisation, membership, row, user=user)
            if texts:
                write_commentary(organisation, membership, row, user=user)
        except Refused as refused:
            problems += _row_problems(count, refused)
    if problems:
        transaction.set_rollback(True)
        raise RowsRefused(problems)
    return count
