"""Write the audit trail, and say who changed something meanwhile.

Every service that changes figures, grades, interventions, risks, recommendations, plans,
self-assessments, targets or the framework calls ``record`` (or, for figures,
``record_observations``) inside its own transaction, so the change and its event are stored
together or not at all. A change that is also a typed step the domain reads (a grade's, a
risk's, a recommendation's, an intervention's, a plan item's, a self-assessment's) goes
through ``record_step``, the one writer of steps: the step and its audit event get the same
actor and moment, in one transaction (ADR 0029). Events are never changed or deleted (see
``models``).

Optimistic concurrency: each form carries the version of what it showed (a figure's revision,
the id of a grade's or a risk's latest event). The service locks the row, compares, and raises
``Conflict`` naming who changed it, when, and what it holds now, instead of overwriting it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, TypeVar

import polars as pl
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pmf.web.accounts.services import visible_units
from pmf.web.audit.actor import acting_as, acting_label, command_line_actor
from pmf.web.audit.models import AuditEvent, Step
from pmf.web.frameworks.models import Organisation

Kind = AuditEvent.Kind
__all__ = [
    "Conflict",
    "Kind",
    "acting_as",
    "command_line_actor",
    "record",
    "record_observations",
    "record_step",
]
S = TypeVar("S", bound=Step)
OBSERVATIONS_PER_EVENT = 1_000  # a big import becomes many events of at most this many figures
OBSERVATION_FIELDS = ("value", "numerator", "denominator", "status", "note", "revision")


def actor_of(user: User | AnonymousUser | None) -> tuple[Any, str]:
    """Return the user to store (None for the command line or the system) and its label."""
    if user is not None and user.is_authenticated:
        return user, user.get_username()
    return None, acting_label() or "pmf (system)"


def record(
    organisation: Organisation,
    *,
    kind: str,
    action: str,
    label: str,
    object_id: Any = "",
    unit_code: str = "",
    before: Any = None,
    after: Any = None,
    note: str = "",
    user: User | AnonymousUser | None = None,
    at: dt.datetime | None = None,
) -> AuditEvent | None:
    """Add one event; return None (and add nothing) when before and after are the same."""
    if before is not None and before == after and not note:
        return None
    return _add(
        organisation,
        dict(kind=kind, action=action, label=label, object_id=object_id, unit_code=unit_code),
        before,
        after,
        note,
        user,
        at or timezone.now(),
    )


def _add(
    organisation: Organisation,
    what: dict[str, Any],
    before: Any,
    after: Any,
    note: str,
    user: User | AnonymousUser | None,
    at: dt.datetime,
) -> AuditEvent:
    actor, actor_label = actor_of(user)
    return AuditEvent.objects.create(
        organisation=organisation,
        actor=actor,
        actor_label=actor_label[:200],
        at=at,
        action=what["action"][:40],
        kind=what["kind"],
        object_id=str(what["object_id"] or "")[:100],
        unit_code=what["unit_code"] or "",
        label=what["label"][:300],
        before=before,
        after=after,
        note=note,
    )


@transaction.atomic
def record_step(
    step: S,
    organisation: Organisation,
    *,
    kind: str,
    action: str,
    label: str,
    object_id: Any = "",
    unit_code: str = "",
    before: Any = None,
    after: Any = None,
    note: str = "",
    user: User | AnonymousUser | None = None,
    at: dt.datetime | None = None,
) -> S:
    """Store a typed step and its audit event together: both, or neither; return the step.

    ``step`` is unsaved, with its own fields set; this sets its ``actor`` (None for the
    command line and pmf itself) and ``at``, the same as its event's, and saves both in one
    transaction. The event is added even when ``before`` equals ``after``: a step was taken.
    """
    at = at or timezone.now()
    step.actor, _ = actor_of(user)
    step.at = at
    step.save()
    what = dict(kind=kind, action=action, label=label, object_id=object_id, unit_code=unit_code)
    _add(organisation, what, before, after, note, user, at)
    return step


def record_observations(
    organisation: Organisation,
    rows: pl.DataFrame,
    *,
    action: str,
    what: str,
    batch_id: int,
    user: User | AnonymousUser | None,
    at: dt.datetime,
) -> int:
    """Record stored figures: one event per unit and up to ``OBSERVATIONS_PER_EVENT`` figures.

    ``rows`` has ``unit``, ``measure`` and ``period`` codes, the figure's fields as stored and
    the figure held before as ``<field>_held`` (null for a new figure). Each event's ``before``
    and ``after`` map "MEASURE PERIOD" to the figure's fields. The JSON is built by Polars and
    handed to the database as text, so a million figures cost about a thousand inserts.
    Return the number of events added.
    """
    if rows.is_empty():
        return 0
    actor, actor_label = actor_of(user)
    stamp = connection.ops.adapt_datetimefield_value(at)
    columns = (
        "organisation_id, actor_id, actor_label, at, action, kind, object_id, unit_code, "
        "label, before, after, note"
    )
    json_mark = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    sql = (
        f"INSERT INTO {AuditEvent._meta.db_table} ({columns}) "  # noqa: S608 - names are ours
        f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, {json_mark}, {json_mark}, '')"
    )
    added_events = 0
    # A slice of units at a time: the JSON of a million figures is never all in memory at once.
    for part in _unit_slices(rows):
        values = []
        for unit, stored, revised, after_text, before_text in _events(part).iter_rows():
            added = stored - revised
            label = f"{what}: {stored:,} figure{'s' if stored != 1 else ''} for {unit} "
            label += f"({added:,} added, {revised:,} revised)"
            values.append(
                (
                    organisation.pk,
                    actor.pk if actor is not None else None,
                    actor_label[:200],
                    stamp,
                    action,
                    Kind.OBSERVATION.value,
                    str(batch_id),
                    unit,
                    label[:300],
                    before_text,
                    after_text,
                )
            )
        with connection.cursor() as cursor:
            cursor.executemany(sql, values)
        added_events += len(values)
    return added_events


_SLICE_ROWS = 100_000


def _unit_slices(rows: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """Yield ``rows`` in slices of whole units, each about ``_SLICE_ROWS`` rows or one unit."""
    if rows.height <= _SLICE_ROWS:
        yield rows
        return
    pending: list[pl.DataFrame] = []
    size = 0
    for unit_rows in rows.partition_by("unit", maintain_order=True):
        pending.append(unit_rows)
        size += unit_rows.height
        if size >= _SLICE_ROWS:
            yield pl.concat(pending)
            pending, size = [], 0
    if pending:
        yield pl.concat(pending)


def _events(rows: pl.DataFrame) -> pl.DataFrame:
    """Return one row per event: unit, figures, revised, and the after and before JSON texts."""

    def quoted(column: str) -> pl.Expr:
        # A JSON string with every escape done by Polars: encode {"k": text}, keep the text.
        encoded = pl.struct(pl.col(column).alias("k")).struct.json_encode()
        return encoded.str.slice(5, encoded.str.len_chars() - 6)

    after = pl.struct([pl.col(name) for name in OBSERVATION_FIELDS]).struct.json_encode()
    before = pl.struct(
        [pl.col(f"{name}_held").alias(name) for name in OBSERVATION_FIELDS]
    ).struct.json_encode()
    key = pl.concat_str([pl.col("measure"), pl.lit(" "), pl.col("period")]).alias("key")
    pairs = (
        rows.select("unit", key, after.alias("after"), before.alias("before"), "revision_held")
        .with_columns(
            quoted("key").alias("key"),
            (pl.int_range(pl.len()).over("unit") // OBSERVATIONS_PER_EVENT).alias("part"),
        )
        .with_columns(
            pl.concat_str([pl.col("key"), pl.lit(":"), pl.col("after")]).alias("after"),
            pl.when(pl.col("revision_held").is_not_null())
            .then(pl.concat_str([pl.col("key"), pl.lit(":"), pl.col("before")]))
            .alias("before"),
        )
    )
    return (
        pairs.group_by("unit", "part", maintain_order=True)
        .agg(
            pl.len().alias("figures"),
            pl.col("revision_held").is_not_null().sum().alias("revised"),
            pl.col("after").str.join(",").alias("after"),
            pl.col("before").drop_nulls().str.join(",").alias("before"),
        )
        .with_columns(
            pl.concat_str([pl.lit("{"), pl.col("after"), pl.lit("}")]).alias("after"),
            pl.when(pl.col("revised") > 0)
            .then(pl.concat_str([pl.lit("{"), pl.col("before"), pl.lit("}")]))
            .alias("before"),
        )
        .select("unit", "figures", "revised", "after", "before")
    )


class Conflict(Exception):
    """Raise when what a person edited was changed by someone else after they opened it.

    ``problems`` holds one message naming who changed it, when, and what it holds now.
    """

    def __init__(self, what: str, by: str, at: dt.datetime | None, held: str) -> None:
        if at is not None:
            message = _(
                "{what} was changed by {by} at {when} after you opened this page; it now holds "
                "{held}. Nothing you typed was saved: it is still in the form. Check it against "
                "the new version and save again."
            ).format(what=what, by=by, when=moment(at), held=held)
        else:
            message = _(
                "{what} was changed by {by} after you opened this page; it now holds {held}. "
                "Nothing you typed was saved: it is still in the form. Check it against the "
                "new version and save again."
            ).format(what=what, by=by, held=held)
        super().__init__(message)
        self.what, self.by, self.at, self.held = what, by, at, held
        self.problems = [message]

    def as_problem(self) -> dict[str, Any]:
        """Return the conflict as a JSON problem body (RFC 9457) for the API's 409."""
        return {
            "type": "about:blank",
            "title": "Conflict: changed by someone else",
            "status": 409,
            "detail": str(self),
            "changed_by": self.by,
            "changed_at": self.at.isoformat() if self.at is not None else None,
            "held": self.held,
        }


def moment(at: dt.datetime) -> str:
    """Return a moment as people read it: "6 December 2026, 14:05"."""
    from pmf.core.text import format_moment

    return format_moment(timezone.localtime(at))


def expected_version(text: Any) -> int | None:
    """Read a version carried by a form: a whole number, or None when the form had none."""
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------------------------
# Reading the trail
# --------------------------------------------------------------------------------------------

# Roles that see the whole organisation's trail when they cover all of it (no unit); everyone
# else, and these roles scoped to a unit, see the events of the units in their scope.
WHOLE_ORGANISATION = ("analyst", "moderator", "board_member")


def history_url(organisation: Organisation, kind: str, object_id: Any = "", unit: str = "") -> str:
    """Return the audit trail page filtered to one object (or one unit's events of a kind).

    Every page that shows a history links here: the trail applies its own scope, so the
    link shows a member only the events they may read.
    """
    query = {"kind": kind, "object": str(object_id or ""), "unit": unit}
    text = "&".join(f"{name}={value}" for name, value in query.items() if value)
    return f"{reverse('audit', args=[organisation.code])}?{text}"


def visible_events(organisation: Organisation, membership: Any) -> QuerySet[AuditEvent]:
    """Return the events the member may read: all, or those of the units in their scope.

    The role alone does not open the whole trail: an analyst scoped to one command reads that
    command's events, as they read its pages, and never another command's risk text.
    """
    events = AuditEvent.objects.filter(organisation=organisation)
    if membership.role in WHOLE_ORGANISATION and membership.unit_id is None:
        return events
    codes = [unit.code for unit in visible_units(membership, organisation) if not unit.external]
    return events.filter(unit_code__in=codes)


def filter_events(
    events: QuerySet[AuditEvent],
    *,
    kind: str = "",
    unit: str = "",
    user: str = "",
    object_id: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Narrow events by kind, unit code, who (username or label), object and days (inclusive)."""
    if kind:
        events = events.filter(kind=kind)
    if unit:
        events = events.filter(unit_code=unit)
    if user:
        events = events.filter(actor_label__icontains=user)
    if object_id:
        events = events.filter(object_id=object_id)
    zone = timezone.get_current_timezone()
    if since is not None:
        events = events.filter(at__gte=dt.datetime.combine(since, dt.time.min, zone))
    if until is not None:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, zone)
        events = events.filter(at__lt=end)
    return events.select_related("actor").order_by("-at", "-id")
