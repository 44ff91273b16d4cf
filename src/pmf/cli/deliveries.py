"""Papers on a schedule on the command line: ``pmf schedule
list|add|pause|resume|delete|run-due`` and ``pmf sent``.

The worker (``pmf worker``) sends the papers due every minute; ``pmf schedule run-due``
sends them now, for a cron job where no worker runs.
"""

from __future__ import annotations

import argparse
import json

from pmf.cli import base
from pmf.cli.base import EXIT_OK, CommandError, actions, add_organisation, command, register

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _schedule_arguments(schedule: argparse.ArgumentParser) -> None:
    group = actions(schedule)
    listing = command(
        group,
        "list",
        "List the schedules, when each sends and to whom.",
        "pmf schedule list -o MPS",
    )
    add_organisation(listing)
    add = command(
        group,
        "add",
        "Add a schedule: a paper, its formats, its recipients, and when to send it (on the "
        "calendar, when a cycle moves on to a stage, or both).",
        "pmf schedule add -o MPS --name 'Board pack' --paper board --format pdf --format pptx "
        "--on-stage board --to 'Jo Bloggs <jo@example.org>'",
    )
    add_organisation(add)
    add.add_argument("--name", required=True, help="the schedule's name")
    add.add_argument(
        "--paper",
        choices=["board", "exceptions", "outcomes"],
        default="board",
        help="the paper to send (default: the board paper)",
    )
    add.add_argument(
        "--cycle", type=int, help="always this cycle's paper (default: the latest locked cycle)"
    )
    add.add_argument(
        "--format",
        dest="formats",
        action="append",
        choices=["pdf", "docx", "pptx", "html"],
        help="a format to attach (repeat for more; default pdf)",
    )
    when = add.add_mutually_exclusive_group()
    when.add_argument("--monthly", type=int, metavar="DAY", help="send monthly on this day (1-28)")
    when.add_argument(
        "--weekly", choices=WEEKDAY_NAMES, metavar="DAY", help="send weekly on this day: mon..sun"
    )
    add.add_argument("--at", default="07:30", help="the time to send, HH:MM (default 07:30)")
    add.add_argument(
        "--on-stage",
        choices=["data_locked", "self_assessment", "moderation", "board", "published"],
        help="send when a cycle moves on to this stage",
    )
    add.add_argument(
        "--language",
        choices=["en", "cy"],
        default="en",
        help="the language for recipients who are not pmf users (pmf users get the one they "
        "chose): en (English, the default) or cy (Welsh)",
    )
    add.add_argument(
        "--to",
        action="append",
        required=True,
        metavar="RECIPIENT",
        help="a recipient, 'Name <email>' (repeat for more)",
    )
    for action, text in (
        ("pause", "Pause a schedule."),
        ("resume", "Resume a paused schedule."),
        ("delete", "Delete a schedule; the record of what it sent stays."),
    ):
        paused = command(group, action, text, f"pmf schedule {action} -o MPS 3")
        add_organisation(paused)
        paused.add_argument("id", type=int, help="the schedule's number (pmf schedule list)")
    command(
        group,
        "run-due",
        "Send every paper due now, each once (what the worker does every minute).",
        "pmf schedule run-due",
    )


@register(
    "schedule",
    "Email papers on a schedule or when a cycle moves on.",
    "pmf schedule add -o MPS --name 'Board pack' --on-stage board --to 'Jo <jo@example.org>'",
    arguments=_schedule_arguments,
)
def schedule(args: argparse.Namespace) -> int:
    """Run ``pmf schedule list``, ``add``, ``pause``, ``resume``, ``delete`` or ``run-due``."""
    from pmf.core.text import plural
    from pmf.web.deliveries import services
    from pmf.web.deliveries.models import Schedule

    if args.action == "run-due":
        from pmf.web.deliveries.worker import report

        run = services.run_due()
        for row in run.sent:
            outcome = "sent" if not row.error else f"FAILED ({row.error})"
            print(f"{row.subject} -> {row.recipient_email}: {outcome}")
        print(report(run))
        return EXIT_OK
    organisation = base.organisation(args.organisation)
    if args.action == "list":
        for held in Schedule.objects.filter(organisation=organisation).prefetch_related(
            "recipients"
        ):
            state = "paused" if held.paused else "running"
            recipients = ", ".join(f"{r.name} <{r.email}>" for r in held.recipients.all())
            print(
                f"{held.pk}\t{held.name}\t{held.paper}\t{','.join(held.formats)}\t"
                f"{services.rule_text(held)}\t{state}\t{recipients}"
            )
        return EXIT_OK
    try:
        if args.action == "add":
            fields = {
                "name": args.name,
                "paper": args.paper,
                "cycle": "" if args.cycle is None else str(args.cycle),
                "frequency": "monthly"
                if args.monthly is not None
                else "weekly"
                if args.weekly
                else "",
                "day_of_month": "" if args.monthly is None else str(args.monthly),
                "weekday": str(WEEKDAY_NAMES.index(args.weekly)) if args.weekly else "",
                "at_time": args.at,
                "on_stage": args.on_stage or "",
                "language": args.language,
                "recipients": "\n".join(args.to),
            }
            made = services.create_schedule(organisation, None, fields, args.formats or ["pdf"])
            print(f"Schedule {made.pk} ({made.name}): {services.rule_text(made)}.")
            return EXIT_OK
        chosen = Schedule.objects.filter(organisation=organisation, pk=args.id).first()
        if chosen is None:
            raise CommandError(f"{organisation.code} has no schedule {args.id}")
        if args.action == "delete":
            kept = chosen.sent.count()
            services.delete_schedule(chosen, None)
            print(
                f"Schedule {args.id} ({chosen.name}) deleted; "
                f"the record keeps the {plural(kept, 'email')} it sent."
            )
            return EXIT_OK
        services.set_paused(chosen, None, args.action == "pause")
        print(f"Schedule {chosen.pk} ({chosen.name}) {args.action}d.")
        return EXIT_OK
    except services.Refused as refused:
        # Named as the options are: "--to: line 2: ...", "--monthly: ...".
        raise CommandError("; ".join(_as_options(p) for p in refused.problems)) from None


def _as_options(problem: str) -> str:
    options = {
        "recipients": "--to",
        "day_of_month": "--monthly",
        "weekday": "--weekly",
        "at_time": "--at",
        "on_stage": "--on-stage",
        "formats": "--format",
        "language": "--language",
        "frequency": "--monthly/--weekly/--on-stage",
    }
    field, colon, rest = problem.partition(": ")
    if colon and field in options:
        return f"{options[field]}: {rest}"
    if colon and field in {"name", "paper", "cycle"}:
        return f"--{field}: {rest}"
    return problem


def _sent_arguments(sent: argparse.ArgumentParser) -> None:
    add_organisation(sent)
    sent.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    sent.add_argument("--limit", type=int, default=50, help="the latest N emails (default 50)")


@register(
    "sent",
    "Print the record of papers emailed: when, to whom, what, and whether it was sent.",
    "pmf sent -o MPS --json",
    arguments=_sent_arguments,
)
def sent(args: argparse.Namespace) -> int:
    """Run ``pmf sent``."""
    from pmf.web.deliveries.models import Sent

    organisation = base.organisation(args.organisation)
    rows = Sent.objects.filter(organisation=organisation)
    for row in rows[: max(args.limit, 0)]:
        if args.json:
            print(
                json.dumps(
                    {
                        "at": row.at.isoformat(),
                        "schedule": row.schedule_name,
                        "cycle": row.cycle_number,
                        "paper": row.paper,
                        "language": row.language,
                        "recipient": {"name": row.recipient_name, "email": row.recipient_email},
                        "subject": row.subject,
                        "attachments": row.attachments,
                        "outcome": row.outcome,
                        "error": row.error,
                        "attempt": row.attempt,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            files = ", ".join(f"{a['name']} {a['sha256'][:12]}" for a in row.attachments)
            print(
                f"{row.at:%Y-%m-%d %H:%M}\t{row.schedule_name}\t{row.recipient_email}\t"
                f"{row.subject}\t{files}\t{row.outcome}{': ' + row.error if row.error else ''}"
            )
    return EXIT_OK
