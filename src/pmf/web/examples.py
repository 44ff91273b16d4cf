"""What an example organisation needs beyond its figures: a history, peer groups and registers.

``load_example`` (``pmf example load``, ``pmf demo``) stores the framework and imports the
figures, validated as published but for those the draft cycle is about (``with_statuses``);
then, for an example with past cycles, this module

- dates the imported figures as if each had been recorded when it was published (a few days
  after its period ended), so that each past cycle, locked a few days after its cut-off, holds
  the figures of its own time and no later ones;
- computes the Most Similar Groups the example's file describes (the police commands') with
  the real context variables and the MSG method (``pmf peer-group compute``), as a stored version;
- fills the registers (risks, interventions, recommendations, the improvement plan and the
  commands' self-assessments) through the apps' own services, so the audit trail records them.

Everything it writes is marked as an example: titles and texts begin ``Example:``, and the
people who "wrote" them are example accounts that cannot sign in (``example-...``). What it
writes is drawn from the example's own figures (a red redline gets an intervention, a
deteriorating one a risk); docs in ``examples/<name>/README.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Case, DateTimeField, Value, When
from django.utils import timezone

from pmf.core.periods import parse_period
from pmf.sources.examples import Example
from pmf.web.commentary.examples import load_example_commentary
from pmf.web.frameworks.models import Organisation

EXAMPLE = "Example: "
# A month's figures are treated as published this many days after the month ends.
PUBLISHED_AFTER_DAYS = 5
PUBLISHED_TIME = dt.time(7, 0)


def with_statuses(example: Example, frame: pl.DataFrame) -> pl.DataFrame:
    """Mark an example's figures validated, but those its draft cycle takes to the board.

    The examples' figures are official statistics as their producers published them: checked,
    so validated. In an example with past cycles, the figures for periods after the last
    locked cycle's cut-off are the ones the draft cycle is about: still provisional, as an
    organisation's latest figures are before their sign-off, so the scorecards mark them and
    the cycle page lists them before the lock.
    """
    if len(example.cycles) < 2:
        return frame.with_columns(status=pl.lit("validated"))
    settled = parse_period(example.cycles[-2][2]).end
    ends = {period: parse_period(period).end for period in frame["period"].unique().to_list()}
    late = [period for period, end in ends.items() if end > settled]
    return frame.with_columns(
        status=pl.when(pl.col("period").is_in(late))
        .then(pl.lit("provisional"))
        .otherwise(pl.lit("validated"))
    )


def prepare(example: Example, organisation: Organisation, batch_id: int | None) -> None:
    """Date the figures just imported and compute the example's peer groups (before grading)."""
    if example.cycles and batch_id is not None:
        date_observations(batch_id)
        date_calculated(batch_id)
    extra = EXTRAS.get(example.name)
    if extra is not None and extra.peer_groups is not None:
        extra.peer_groups(example, organisation)


def fill_registers(example: Example, organisation: Organisation) -> None:
    """Add the example's risks, interventions, recommendations, plan, self-assessments and
    commentary (``examples/<name>/commentary.csv``)."""
    extra = EXTRAS.get(example.name)
    if extra is not None and extra.registers is not None:
        extra.registers(example, organisation)
    load_example_commentary(example, organisation)


def date_observations(batch_id: int) -> None:
    """Record each figure of an import batch as held from a few days after its period ended.

    The examples import fifteen years of figures at once; their past cycles must see only
    the figures published by their lock. One statement: each period's moment in a ``CASE``.
    """
    from pmf.web.observations.models import Observation

    rows = Observation.objects.filter(batch_id=batch_id)
    periods = sorted(set(rows.values_list("period", flat=True)))
    if not periods:
        return
    moments = [
        When(
            period=period,
            then=Value(_published(parse_period(period).end), output_field=DateTimeField()),
        )
        for period in periods
    ]
    rows.update(recorded_at=Case(*moments, output_field=DateTimeField()))


def date_calculated(batch_id: int) -> None:
    """Date the figures calculated from a batch's figures as those figures are dated.

    A calculated figure (``formula:``) is stored in its own batch when its inputs are; a past
    cycle must see it from when its inputs were published, as it would have been calculated.
    """
    from django.db import connection

    from pmf.web.observations.models import Observation

    if connection.vendor == "postgresql":
        # The example's figures have just been copied in: without fresh statistics PostgreSQL
        # plans the join below as nested scans of both tables (minutes instead of milliseconds).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE observations_observation, observations_observationinput")
    done: set[int] = set()
    sources = {batch_id}
    while sources:
        found = set(
            Observation.objects.filter(inputs__source__batch_id__in=sources)
            .exclude(batch_id__in=done | sources)
            .values_list("batch_id", flat=True)
            .distinct()
        ) - {None}
        done |= sources
        for calculated in found:
            date_observations(calculated)
        sources = {batch for batch in found if batch is not None}


def _published(end: dt.date) -> dt.datetime:
    day = end + dt.timedelta(days=PUBLISHED_AFTER_DAYS)
    return timezone.make_aware(dt.datetime.combine(day, PUBLISHED_TIME))


@dataclass(frozen=True)
class Extra:
    """What one example adds after its figures: peer groups, registers (either may be None)."""

    peer_groups: Callable[[Example, Organisation], None] | None = None
    registers: Callable[[Example, Organisation], None] | None = None


# --------------------------------------------------------------------------------- police


def police_peer_groups(example: Example, organisation: Organisation) -> None:
    """Compute the commands' Most Similar Groups from their census and crime-mix context."""
    from pmf.sources.examples import police
    from pmf.web.frameworks.models import ComputedPeerGroups
    from pmf.web.frameworks.services import compute_peer_groups

    if ComputedPeerGroups.objects.filter(organisation=organisation).exists():
        return
    compute_peer_groups(
        organisation,
        police.command_context(example.data_dir),
        police.COMMAND_CONTEXT,
        None,
        police.COMMAND_GROUP_SIZE,
        police.COMMAND_CONTEXT_SOURCE,
    )


def police_registers(example: Example, organisation: Organisation) -> None:
    """Fill the Met example's registers from its figures (see examples/police/README.md)."""
    from pmf.web.examples_police import fill

    fill(example, organisation)


EXTRAS: dict[str, Extra] = {
    "police": Extra(peer_groups=police_peer_groups, registers=police_registers),
}


def example_people(
    organisation: Organisation, people: list[tuple[str, str, str, str | None]]
) -> dict[str, Any]:
    """Create (or find) example accounts that cannot sign in: (username, name, role, unit).

    Return their memberships by username.
    """
    from django.contrib.auth.models import User

    from pmf.web.accounts.models import Membership

    units = {unit.code: unit for unit in organisation.units.all()}
    found = {}
    with transaction.atomic():
        for username, name, role, unit in people:
            user, created = User.objects.get_or_create(username=username)
            if created:
                first, _, last = name.partition(" ")
                user.first_name, user.last_name = first, last
                user.set_unusable_password()
                user.save()
            membership, _ = Membership.objects.update_or_create(
                user=user,
                defaults={
                    "organisation": organisation,
                    "role": role,
                    "unit": units[unit] if unit else None,
                },
            )
            found[username] = membership
    return found


def latest(frame: pl.DataFrame, unit: str, measure: str) -> dict[str, Any] | None:
    """Return the assessment row of one unit and measure, if there is one."""
    rows = frame.filter((pl.col("unit") == unit) & (pl.col("measure") == measure))
    return rows.row(0, named=True) if rows.height else None
