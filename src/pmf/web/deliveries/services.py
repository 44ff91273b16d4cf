"""Every write to the schedules, and the run that emails the papers due (``pmf worker``).

Who: analysts who cover the whole organisation, as only members who cover all of it read
its papers (``pmf.web.papers.views``); a scoped analyst cannot send the force's paper to
anybody. The command line acts for the organisation.

When: ``run_due`` queues a ``Dispatch`` for each calendar moment that has come (one per
schedule and moment, by a unique constraint, however many workers ask), a cycle moving on
queues one for each schedule waiting for its new stage (``queue_stage_sends``, in the
transaction that moves it), and each worker claims a dispatch with one conditional UPDATE
before sending it, so that no two workers send the same one.

Retries: a send that fails for any recipient (the mail server refused or could not be
reached, the paper could not be written) is tried again for the recipients not yet sent to,
after ``RETRY_DELAYS`` (5 minutes, 30 minutes, 2 hours): four attempts in all, after which
the dispatch is failed. Every attempt to every recipient is a ``Sent`` row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import formataddr
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmf.web.accounts.models import Membership
from pmf.web.audit import services as audit
from pmf.web.cycles.models import Cycle
from pmf.web.deliveries.models import Dispatch, Recipient, Schedule, Sent
from pmf.web.deliveries.rules import Rule, last_due, next_due
from pmf.web.frameworks.models import Organisation

RETRY_DELAYS = (dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2))
CLAIM = dt.timedelta(minutes=15)  # how long a worker's claim on a dispatch lasts
MAX_RECIPIENTS = 50
FORMAT_NAMES = {
    "pdf": gettext_lazy("PDF"),
    "docx": gettext_lazy("Word"),
    "pptx": gettext_lazy("PowerPoint"),
    "html": gettext_lazy("HTML"),
}
WEEKDAYS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)
# "weekly on {weekday} at {time}", whole for each day: Welsh mutates the day ("ar ddydd Llun").
WEEKLY = (
    gettext_lazy("weekly on Monday at {time}"),
    gettext_lazy("weekly on Tuesday at {time}"),
    gettext_lazy("weekly on Wednesday at {time}"),
    gettext_lazy("weekly on Thursday at {time}"),
    gettext_lazy("weekly on Friday at {time}"),
    gettext_lazy("weekly on Saturday at {time}"),
    gettext_lazy("weekly on Sunday at {time}"),
)
# The stages a cycle moves on to (draft is where it starts).
STAGES = [(state.value, state.label) for state in Cycle.State if state != Cycle.State.DRAFT]
FIELDS = (
    "name",
    "paper",
    "cycle",
    "formats",
    "frequency",
    "day_of_month",
    "weekday",
    "at_time",
    "on_stage",
    "language",
    "recipients",
)
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_RECIPIENT = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]*)>$")


class Refused(Exception):
    """Raise with every reason a change was refused, each naming its field first."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def may_schedule(membership: Membership | None) -> bool:
    """Return True for analysts who cover the whole organisation (and the command line)."""
    return membership is None or (
        membership.role == Membership.Role.ANALYST and membership.unit_id is None
    )


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# ------------------------------------------------------------------------------------------
# Schedules: checked, stored, changed, paused
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """A schedule's fields as checked, ready to store."""

    name: str
    paper: str
    cycle_number: int | None
    formats: list[str]
    frequency: str
    day_of_month: int | None
    weekday: int | None
    at_time: dt.time | None
    on_stage: str
    recipients: list[tuple[str, str]]
    language: str = Schedule.Language.ENGLISH


def parse_recipients(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Return (name, email) for each line of ``text`` ("Name <email>" or "email"), and the
    problems, each naming the field and the line.

    >>> parse_recipients("Ann Lee <ann@example.org>\\nbob@example.org")[0]
    [('Ann Lee', 'ann@example.org'), ('bob@example.org', 'bob@example.org')]
    >>> parse_recipients("Ann <ann@>")[1]
    ['recipients: line 1: "ann@" is not an email address']
    """
    found: list[tuple[str, str]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        matched = _RECIPIENT.match(line)
        name, email = (matched["name"].strip(), matched["email"].strip()) if matched else ("", line)
        name = name.strip('"').strip() or email
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                _('recipients: line {line}: "{email}" is not an email address').format(
                    line=number, email=email
                )
            )
            continue
        if len(name) > 200:
            problems.append(
                _("recipients: line {line}: the name is longer than 200 characters").format(
                    line=number
                )
            )
            continue
        if email.lower() in seen:
            problems.append(
                _("recipients: line {line}: {email} is listed already").format(
                    line=number, email=email
                )
            )
            continue
        seen.add(email.lower())
        found.append((name, email))
    return found, problems


def check(organisation: Organisation, posted: Mapping[str, Any], formats: Sequence[str]) -> Checked:
    """Return the schedule's fields checked, or raise ``Refused`` naming each field wrong."""
    from pmf.reports.formats import FORMATS

    problems: list[str] = []

    def text(name: str) -> str:
        return str(posted.get(name, "") or "").strip()

    name = text("name")
    if not name:
        problems.append(_("name: Enter a name for the schedule"))
    elif len(name) > 200:
        problems.append(_("name: must be at most 200 characters"))
    paper = text("paper")
    if paper not in Schedule.Paper.values:
        problems.append(_("paper: Choose the paper to send"))
    cycle_number: int | None = None
    if text("cycle"):
        if not text("cycle").isdigit():
            problems.append(_("cycle: Enter a cycle's number, or leave it empty for the latest"))
        elif not organisation.cycles.filter(number=int(text("cycle"))).exists():
            problems.append(_("cycle: there is no cycle {number}").format(number=text("cycle")))
        else:
            cycle_number = int(text("cycle"))
    chosen = [fmt for fmt in dict.fromkeys(str(fmt).strip() for fmt in formats) if fmt]
    if not chosen:
        problems.append(_("formats: Choose at least one format to attach"))
    elif unknown := [fmt for fmt in chosen if fmt not in FORMATS]:
        problems.append(
            _("formats: {formats} is not a format (choose from {known})").format(
                formats=", ".join(unknown), known=", ".join(FORMATS)
            )
        )
    frequency = text("frequency")
    day: int | None = None
    weekday: int | None = None
    at: dt.time | None = None
    if frequency not in Schedule.Frequency.values:
        problems.append(_("frequency: Choose monthly, weekly or not on a calendar"))
    elif frequency == Schedule.Frequency.MONTHLY:
        value = text("day_of_month")
        if not value.isdigit() or not 1 <= int(value) <= 28:
            problems.append(_("day_of_month: Enter a day of the month from 1 to 28"))
        else:
            day = int(value)
    elif frequency == Schedule.Frequency.WEEKLY:
        value = text("weekday")
        if not value.isdigit() or not 0 <= int(value) <= 6:
            problems.append(_("weekday: Choose the day of the week"))
        else:
            weekday = int(value)
    if frequency:
        matched = _TIME.match(text("at_time"))
        if matched is None:
            problems.append(_("at_time: Enter the time as hours and minutes, for example 07:30"))
        else:
            at = dt.time(int(matched[1]), int(matched[2]))
    stage = text("on_stage")
    if stage and stage not in {code for code, _label in STAGES}:
        problems.append(_("on_stage: Choose a stage of the cycle"))
    if not frequency and not stage and frequency in Schedule.Frequency.values:
        problems.append(
            _("frequency: Choose when to send: on a calendar, when a cycle moves on, or both")
        )
    language = text("language") or Schedule.Language.ENGLISH
    if language not in Schedule.Language.values:
        problems.append(_("language: Choose English (en) or Welsh (cy)"))
    recipients, wrong = parse_recipients(text("recipients"))
    problems.extend(wrong)
    if not recipients and not wrong:
        problems.append(_("recipients: Enter at least one recipient"))
    elif len(recipients) > MAX_RECIPIENTS:
        problems.append(
            _("recipients: at most {count} recipients per schedule").format(count=MAX_RECIPIENTS)
        )
    if problems:
        raise Refused(problems)
    return Checked(
        name, paper, cycle_number, chosen, frequency, day, weekday, at, stage, recipients, language
    )


def snapshot(schedule: Schedule) -> dict[str, Any]:
    """Return the schedule as the audit trail keeps it before and after a change."""
    return {
        "name": schedule.name,
        "paper": schedule.paper,
        "cycle": schedule.cycle_number,
        "formats": list(schedule.formats),
        "rule": rule_text(schedule),
        "on_stage": schedule.on_stage,
        "language": schedule.language,
        "paused": schedule.paused,
        "recipients": [f"{r.name} <{r.email}>" for r in schedule.recipients.all()],
    }


def _refuse_unless_allowed(membership: Membership | None, organisation: Organisation) -> None:
    if not may_schedule(membership) or (
        membership is not None and membership.organisation_id != organisation.pk
    ):
        raise Refused([_("Only analysts who cover the whole organisation schedule its papers.")])


@transaction.atomic
def create_schedule(
    organisation: Organisation,
    membership: Membership | None,
    posted: Mapping[str, Any],
    formats: Sequence[str],
    *,
    user: User | AnonymousUser | None = None,
) -> Schedule:
    """Store a new schedule from a form's (or the command line's) fields, all or nothing."""
    _refuse_unless_allowed(membership, organisation)
    checked = check(organisation, posted, formats)
    schedule = Schedule(organisation=organisation, active_from=timezone.now())
    if user is not None and user.is_authenticated:
        schedule.created_by = user
    _store(schedule, checked)
    _audit(schedule, "add_schedule", user=user)
    return schedule


@transaction.atomic
def update_schedule(
    schedule: Schedule,
    membership: Membership | None,
    posted: Mapping[str, Any],
    formats: Sequence[str],
    *,
    user: User | AnonymousUser | None = None,
) -> Schedule:
    """Change a schedule; its calendar then counts only moments from now on."""
    _refuse_unless_allowed(membership, schedule.organisation)
    checked = check(schedule.organisation, posted, formats)
    locked = Schedule.objects.select_for_update().get(pk=schedule.pk)
    before = snapshot(locked)
    locked.active_from = timezone.now()
    _store(locked, checked)
    _audit(locked, "change_schedule", before=before, user=user)
    return locked


@transaction.atomic
def set_paused(
    schedule: Schedule,
    membership: Membership | None,
    paused: bool,
    *,
    user: User | AnonymousUser | None = None,
) -> Schedule:
    """Pause a schedule (nothing is sent, queued sends wait) or resume it from now on."""
    _refuse_unless_allowed(membership, schedule.organisation)
    locked = Schedule.objects.select_for_update().get(pk=schedule.pk)
    if locked.paused == paused:
        return locked
    before = snapshot(locked)
    locked.paused = paused
    if not paused:
        locked.active_from = timezone.now()
    locked.save(update_fields=["paused", "active_from", "updated_at"])
    _audit(locked, "pause_schedule" if paused else "resume_schedule", before=before, user=user)
    return locked


@transaction.atomic
def delete_schedule(
    schedule: Schedule,
    membership: Membership | None,
    *,
    user: User | AnonymousUser | None = None,
) -> None:
    """Delete a schedule, its recipients and its sends still owed; keep the record of what
    was sent (each ``Sent`` row keeps the schedule's name) and audit the schedule as it was."""
    _refuse_unless_allowed(membership, schedule.organisation)
    locked = Schedule.objects.select_for_update().filter(pk=schedule.pk).first()
    if locked is None:  # deleted meanwhile: nothing more to do
        return
    before = snapshot(locked)
    pk = locked.pk
    locked.delete()
    locked.pk = pk
    _audit(locked, "delete_schedule", before=before, after=None, user=user)


_KEEP = object()  # _audit's "after" when it is the schedule as it is now


def _audit(
    schedule: Schedule,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: Any = _KEEP,
    user: User | AnonymousUser | None = None,
) -> None:
    """Write the audit event of a change to ``schedule``: the schedule before and after."""
    audit.record(
        schedule.organisation,
        kind=audit.Kind.DELIVERY,
        action=action,
        label=f"Schedule: {schedule.name}",  # the audit trail's labels are English
        object_id=schedule.pk,
        before=before,
        after=snapshot(schedule) if after is _KEEP else after,
        user=user,
    )


def _store(schedule: Schedule, checked: Checked) -> None:
    schedule.name = checked.name
    schedule.paper = checked.paper
    schedule.cycle_number = checked.cycle_number
    schedule.formats = checked.formats
    schedule.frequency = checked.frequency
    schedule.day_of_month = checked.day_of_month
    schedule.weekday = checked.weekday
    schedule.at_time = checked.at_time
    schedule.on_stage = checked.on_stage
    schedule.language = checked.language
    schedule.save()
    schedule.recipients.all().delete()
    Recipient.objects.bulk_create(
        Recipient(schedule=schedule, name=name, email=email) for name, email in checked.recipients
    )


def rule_of(schedule: Schedule) -> Rule | None:
    """Return the schedule's calendar rule, or None when it has none."""
    if not schedule.frequency or schedule.at_time is None:
        return None
    return Rule(schedule.frequency, schedule.at_time, schedule.day_of_month, schedule.weekday)


def rule_text(schedule: Schedule) -> str:
    """Say when the schedule sends: "Monthly on day 1 at 07:30; when a cycle moves on to Board"."""
    parts = []
    rule = rule_of(schedule)
    if rule is not None and rule.frequency == Schedule.Frequency.MONTHLY:
        parts.append(
            _("monthly on day {day} at {time}").format(day=rule.day, time=rule.at.strftime("%H:%M"))
        )
    elif rule is not None:
        parts.append(str(WEEKLY[rule.weekday or 0]).format(time=rule.at.strftime("%H:%M")))
    if schedule.on_stage:
        parts.append(
            _("when a cycle moves on to {stage}").format(stage=Cycle.State(schedule.on_stage).label)
        )
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def next_send(schedule: Schedule, now: dt.datetime | None = None) -> dt.datetime | None:
    """Return the schedule's next calendar moment (None: paused, or no calendar)."""
    rule = rule_of(schedule)
    if rule is None or schedule.paused:
        return None
    return next_due(rule, now or timezone.now(), zone())


# ------------------------------------------------------------------------------------------
# Queuing: the calendar's moments and the cycle's stages
# ------------------------------------------------------------------------------------------


def queue_calendar_sends(now: dt.datetime) -> list[Dispatch]:
    """Queue the latest moment of every running calendar schedule that has come; return the
    dispatches this call added (none for a moment queued already, by this or another worker)."""
    added = []
    for schedule in Schedule.objects.filter(paused=False).exclude(frequency=""):
        rule = rule_of(schedule)
        if rule is None:
            continue
        moment = last_due(rule, now, zone())
        if moment < schedule.active_from:
            continue
        dispatch, created = Dispatch.objects.get_or_create(
            schedule=schedule,
            occasion=f"calendar:{moment.isoformat()}",
            defaults={"due_at": moment, "next_attempt_at": moment},
        )
        if created:
            added.append(dispatch)
    return added


# ------------------------------------------------------------------------------------------
# Sending
# ------------------------------------------------------------------------------------------


@dataclass
class Run:
    """What one run of ``run_due`` did."""

    queued: int = 0
    dispatches: list[Dispatch] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)

    @property
    def failed(self) -> list[Sent]:
        return [row for row in self.sent if row.outcome == Sent.Outcome.FAILED]


def run_due(now: dt.datetime | None = None) -> Run:
    """Queue the calendar's moments that have come, then send every dispatch due, each once."""
    now = now or timezone.now()
    run = Run(queued=len(queue_calendar_sends(now)))
    while (dispatch := claim_next(now)) is not None:
        run.dispatches.append(dispatch)
        run.sent.extend(send(dispatch, now))
    return run


def claim_next(now: dt.datetime) -> Dispatch | None:
    """Claim the next dispatch due for this worker, or return None when none is left.

    The claim is one conditional UPDATE: of two workers that read the same dispatch, the
    database lets one change it; the other's UPDATE matches no row and it reads the next.
    The UPDATE's condition names the dispatch's own columns only. With a join (the
    schedule's pause) Django writes ``WHERE id IN (SELECT …)``, and PostgreSQL, re-checking
    a row another worker has just claimed, reads that subquery from the snapshot taken before
    the claim committed: both workers would claim the dispatch and send it twice.
    """
    ready = (
        Q(status__in=[Dispatch.Status.PENDING, Dispatch.Status.SENDING])
        & Q(next_attempt_at__lte=now)
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )
    for pk in (
        Dispatch.objects.filter(ready, schedule__paused=False)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:20]
    ):
        claimed = Dispatch.objects.filter(ready, pk=pk).update(
            status=Dispatch.Status.SENDING, claimed_until=now + CLAIM, attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        dispatch = Dispatch.objects.select_related("schedule__organisation", "cycle").get(pk=pk)
        if not dispatch.schedule.paused:
            return dispatch
        # Paused between the read and the claim: given back, for when it is resumed.
        Dispatch.objects.filter(pk=pk).update(
            status=Dispatch.Status.PENDING, claimed_until=None, attempts=F("attempts") - 1
        )
    return None


def chosen_cycle(dispatch: Dispatch) -> Cycle | None:
    """Return the cycle whose paper the dispatch sends: its stage's cycle, the schedule's
    cycle, or the latest cycle whose data are locked."""
    if dispatch.cycle is not None:
        return dispatch.cycle
    schedule = dispatch.schedule
    cycles = schedule.organisation.cycles.filter(locked_at__isnull=False)
    if schedule.cycle_number is not None:
        cycles = cycles.filter(number=schedule.cycle_number)
    return cycles.order_by("-number").first()


def attachments_of(
    schedule: Schedule, cycle: Cycle, language: str = Schedule.Language.ENGLISH
) -> list[tuple[str, str, bytes]]:
    """Return (file name, format, bytes) of each format of the schedule's paper of ``cycle``,
    written in ``language`` ("en" or "cy"; a Welsh file's name ends "-cy")."""
    from pmf.reports.formats import render_as
    from pmf.web.papers.views import KINDS

    build, title = KINDS[schedule.paper]
    with translation.override(django_language(language)):
        document = build(cycle)
    code = schedule.organisation.code
    suffix = "-cy" if language == Schedule.Language.WELSH else ""
    return [
        (
            f"{code}-cycle-{cycle.number}-{title.replace(' ', '-')}{suffix}.{fmt}",
            fmt,
            render_as(document, fmt),
        )
        for fmt in schedule.formats
    ]


def django_language(language: str) -> str:
    """Return the site's code of a schedule's language: "cy" for Welsh, else "en-gb"."""
    return "cy" if language == Schedule.Language.WELSH else "en-gb"


def language_of(email: str, default: str) -> str:
    """Return the language to write to ``email`` in ("en" or "cy"): the language chosen by
    the pmf user with that address, else ``default`` (the schedule's, for an address only).
    """
    from pmf.web.i18n import language_for

    user = (
        User.objects.filter(email__iexact=email, is_active=True, language_preference__isnull=False)
        .order_by("pk")
        .first()
    )
    if user is None:
        return default
    chosen = language_for(user).lower().split("-")[0]
    return Schedule.Language.WELSH if chosen == "cy" else Schedule.Language.ENGLISH


@dataclass(frozen=True)
class Letter:
    """One occasion's email in one language: its subject, its papers, or why it cannot go."""

    language: str
    subject: str
    files: list[tuple[str, str, bytes]]
    described: list[dict[str, Any]]
    problem: str


def letter(dispatch: Dispatch, cycle: Cycle | None, language: str) -> Letter:
    """Write the dispatch's subject and papers in ``language``: once per language, as the
    papers are costly to write."""
    schedule = dispatch.schedule
    organisation = schedule.organisation
    files: list[tuple[str, str, bytes]] = []
    with translation.override(django_language(language)):
        paper = str(Schedule.Paper(schedule.paper).label)
        problem = ""
        if cycle is None:
            problem = _("no cycle of {organisation} has its data locked yet").format(
                organisation=organisation.name
            )
        else:
            try:
                files = attachments_of(schedule, cycle, language)
            except Exception as failed:  # any failure to write is recorded and retried
                problem = _("the paper could not be written: {error}").format(error=failed)
        subject = (
            _("{paper}: {organisation}, cycle {number} ({name})").format(
                paper=paper, organisation=organisation.name, number=cycle.number, name=cycle.name
            )
            if cycle is not None
            else _("{paper}: {organisation}").format(paper=paper, organisation=organisation.name)
        )
    described = [
        {
            "name": name,
            "format": fmt,
            "sha256": hashlib.sha256(content).hexdigest(),
            "bytes": len(content),
        }
        for name, fmt, content in files
    ]
    return Letter(language, subject, files, described, problem)


def printing() -> bool:
    """Return True when no mail server is set: Django's console backend prints each email."""
    return str(settings.EMAIL_BACKEND).endswith("console.EmailBackend")


def send(dispatch: Dispatch, now: dt.datetime) -> list[Sent]:
    """Email the dispatch's paper to each recipient not yet sent it, in the recipient's
    language (each language's papers written once); record every attempt.

    A schedule deleted meanwhile (its dispatch with it) stops the send before the next
    recipient's email: nothing more is sent on it, and the emails already sent are recorded.
    """
    from pmf.reports.formats import FORMATS

    schedule = dispatch.schedule
    organisation = schedule.organisation
    done = set(
        dispatch.sent.filter(outcome__in=[Sent.Outcome.SENT, Sent.Outcome.PRINTED]).values_list(
            "recipient_email", flat=True
        )
    )
    recipients = [r for r in schedule.recipients.all() if r.email not in done]
    cycle = chosen_cycle(dispatch)
    letters: dict[str, Letter] = {}
    rows = []
    for recipient in recipients:
        if not Dispatch.objects.filter(pk=dispatch.pk).exists():
            break
        language = language_of(recipient.email, schedule.language)
        if language not in letters:
            letters[language] = letter(dispatch, cycle, language)
        written = letters[language]
        error = written.problem
        if not error and cycle is not None:
            with translation.override(django_language(language)):
                body = _body(recipient, schedule, dispatch, cycle)
            message = EmailMessage(
                subject=written.subject,
                body=body,
                to=[formataddr((recipient.name, recipient.email))],
            )
            for name, fmt, content in written.files:
                message.attach(name, content, FORMATS[fmt].split(";")[0])
            try:
                message.send(fail_silently=False)
            except Exception as failure:  # SMTP errors, refused connections
                error = f"{type(failure).__name__}: {failure}"
        outcome = (
            Sent.Outcome.FAILED
            if error
            else Sent.Outcome.PRINTED
            if printing()
            else Sent.Outcome.SENT
        )
        rows.append(
            _record(
                organisation=organisation,
                schedule=schedule,
                schedule_name=schedule.name,
                dispatch=dispatch,
                language=language,
                cycle_number=cycle.number if cycle is not None else None,
                paper=schedule.paper,
                attachments=written.described,
                recipient_name=recipient.name,
                recipient_email=recipient.email,
                at=timezone.now(),
                subject=written.subject[:300],
                outcome=outcome,
                error=error,
                attempt=dispatch.attempts,
            )
        )
    _settle(dispatch, cycle, rows, letters, now)
    return rows


def _record(**fields: Any) -> Sent:
    """Add a row to the record; if its schedule was deleted while the email was being sent,
    add it without the schedule (its name stays), as the deletion would have left it."""
    try:
        with transaction.atomic():
            return Sent.objects.create(**fields)
    except IntegrityError:
        return Sent.objects.create(**{**fields, "schedule": None, "dispatch": None})


def _settle(
    dispatch: Dispatch,
    cycle: Cycle | None,
    rows: list[Sent],
    letters: Mapping[str, Letter],
    now: dt.datetime,
) -> None:
    """Mark the dispatch sent, due again after its retry delay, or failed; audit the attempt."""
    failed = [row for row in rows if row.outcome == Sent.Outcome.FAILED]
    if not failed:
        dispatch.status = Dispatch.Status.SENT
    elif dispatch.attempts > len(RETRY_DELAYS):
        dispatch.status = Dispatch.Status.FAILED
    else:
        dispatch.status = Dispatch.Status.PENDING
        dispatch.next_attempt_at = now + RETRY_DELAYS[dispatch.attempts - 1]
    dispatch.claimed_until = None
    if cycle is not None and dispatch.cycle_id is None:
        dispatch.cycle = cycle
    # An update, not a save: the schedule (and with it the dispatch) may have been deleted
    # meanwhile, and there is then nothing to mark.
    Dispatch.objects.filter(pk=dispatch.pk).update(
        status=dispatch.status,
        next_attempt_at=dispatch.next_attempt_at,
        claimed_until=None,
        cycle=dispatch.cycle,
    )
    schedule = dispatch.schedule
    audit.record(
        schedule.organisation,
        kind=audit.Kind.DELIVERY,
        action="send_paper",
        label=f"Schedule: {schedule.name}",  # the audit trail's labels are English
        object_id=schedule.pk,
        after={
            "occasion": dispatch.occasion,
            "cycle": cycle.number if cycle is not None else None,
            "paper": schedule.paper,
            "attempt": dispatch.attempts,
            "status": dispatch.status,
            # Each language's papers, as written once for its recipients.
            "attachments": {code: written.described for code, written in letters.items()},
            "sent": [row.recipient_email for row in rows if row.outcome != Sent.Outcome.FAILED],
            "printed": [row.recipient_email for row in rows if row.outcome == Sent.Outcome.PRINTED],
            "failed": {row.recipient_email: row.error for row in failed},
        },
    )


def _body(recipient: Recipient, schedule: Schedule, dispatch: Dispatch, cycle: Cycle) -> str:
    """Write the email's text in the active language, as one whole message per occasion."""
    from pmf.web.papers.views import KINDS

    formats = ", ".join(str(FORMAT_NAMES[fmt]) for fmt in schedule.formats)
    paper = _(KINDS[schedule.paper][1])
    organisation = schedule.organisation.name
    rule = rule_text(schedule)
    if dispatch.occasion.startswith("stage:"):
        return _(
            "Dear {name},\n"
            "\n"
            "Attached is the {paper} of {organisation} for cycle {number}, {cycle}, as "
            "{formats}.\n"
            "It is sent because cycle {number} has moved on to {stage}.\n"
            "\n"
            "This email was sent by pmf. To change or stop it, ask the performance team of "
            "{organisation}."
        ).format(
            name=recipient.name,
            paper=paper,
            organisation=organisation,
            number=cycle.number,
            cycle=cycle.name,
            formats=formats,
            stage=Cycle.State(dispatch.occasion.rsplit(":", 1)[1]).label,
        )
    return _(
        "Dear {name},\n"
        "\n"
        "Attached is the {paper} of {organisation} for cycle {number}, {cycle}, as {formats}.\n"
        "It is sent on the schedule “{schedule}”: {rule}.\n"
        "\n"
        "This email was sent by pmf. To change or stop it, ask the performance team of "
        "{organisation}."
    ).format(
        name=recipient.name,
        paper=paper,
        organisation=organisation,
        number=cycle.number,
        cycle=cycle.name,
        formats=formats,
        schedule=schedule.name,
        rule=rule[:1].lower() + rule[1:],
    )
