"""When a schedule's calendar rule falls due: the latest moment at or before now.

A rule is monthly on a day (1 to 28, so that every month has it) or weekly on a weekday
(0 Monday to 6 Sunday), at a local time. Only the latest moment counts: a worker that was
stopped for a month sends the paper once when it starts, not once for every moment missed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Rule:
    """A calendar rule: ``frequency`` "monthly" (``day``) or "weekly" (``weekday``), at ``at``."""

    frequency: str
    at: dt.time
    day: int | None = None
    weekday: int | None = None


def last_due(rule: Rule, now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """Return the rule's latest moment at or before ``now`` (aware), in ``zone``.

    >>> london = ZoneInfo("Europe/London")
    >>> now = dt.datetime(2026, 12, 7, 9, 0, tzinfo=london)
    >>> last_due(Rule("monthly", dt.time(7, 30), day=7), now, london).isoformat()
    '2026-12-07T07:30:00+00:00'
    >>> last_due(Rule("monthly", dt.time(9, 30), day=7), now, london).isoformat()
    '2026-11-07T09:30:00+00:00'
    >>> last_due(Rule("weekly", dt.time(8, 0), weekday=4), now, london).isoformat()
    '2026-12-04T08:00:00+00:00'
    """
    local = now.astimezone(zone)
    if rule.frequency == "monthly":
        if rule.day is None:
            raise ValueError("a monthly rule needs a day of the month")
        year, month = local.year, local.month
        moment = _at(dt.date(year, month, rule.day), rule.at, zone)
        if moment > local:
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
            moment = _at(dt.date(year, month, rule.day), rule.at, zone)
        return moment
    if rule.frequency == "weekly":
        if rule.weekday is None:
            raise ValueError("a weekly rule needs a weekday")
        back = (local.weekday() - rule.weekday) % 7
        moment = _at(local.date() - dt.timedelta(days=back), rule.at, zone)
        if moment > local:
            moment = _at(local.date() - dt.timedelta(days=back + 7), rule.at, zone)
        return moment
    raise ValueError(f"no calendar rule: {rule.frequency!r}")


def next_due(rule: Rule, now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """Return the rule's first moment after ``now``, for the schedules page.

    >>> london = ZoneInfo("Europe/London")
    >>> now = dt.datetime(2027, 1, 31, 9, 0, tzinfo=london)
    >>> next_due(Rule("monthly", dt.time(7, 0), day=1), now, london).isoformat()
    '2027-02-01T07:00:00+00:00'
    """
    # A moment falls in every 31 days; step back to the first one after now.
    moment = last_due(rule, now + dt.timedelta(days=31), zone)
    while (earlier := last_due(rule, moment - dt.timedelta(seconds=1), zone)) > now:
        moment = earlier
    return moment


def _at(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zone)
