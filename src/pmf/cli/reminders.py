"""Reminders on the command line: ``pmf remind``, run once a day by cron or a systemd timer.

It escalates overdue interventions and emails every reminder that is due (interventions due
or overdue, figures due, and any kind another app registers), each at most once a day.
"""

from __future__ import annotations

import argparse

from pmf.cli.base import EXIT_OK, date_option, register


def _remind_arguments(remind: argparse.ArgumentParser) -> None:
    remind.add_argument(
        "--dry-run",
        action="store_true",
        help="list what would be escalated and sent; escalate, send and record nothing",
    )
    remind.add_argument(
        "--today", metavar="YYYY-MM-DD", help="act as on this date (default: today)"
    )


@register(
    "remind",
    "Escalate overdue interventions and email the reminders due today.",
    "pmf remind --dry-run --today 2019-11-30",
    arguments=_remind_arguments,
    description="Escalate overdue interventions and email the reminders due today (once a day "
    "each).",
)
def remind(args: argparse.Namespace) -> int:
    """Run ``pmf remind``."""
    from django.utils import timezone

    from pmf.web.interventions.reminders import send_reminders

    on = date_option(args.today, "--today") or timezone.localdate()
    outcome = send_reminders(on, dry_run=args.dry_run)
    would = "would be " if outcome.dry_run else ""
    for intervention, level, people in outcome.escalated:
        names = ", ".join(person.get_username() for person in people) or "nobody"
        print(
            f"escalation: intervention {intervention.pk} ({intervention.organisation.code}) "
            f"{would}escalated to the {level}: {names}"
        )
    for kind, reminder, address in outcome.sent:
        print(f"{kind}: {would}sent to {address}: {reminder.subject}")
    for kind, reminder in outcome.already_sent:
        print(f"{kind}: already sent today to {reminder.user.get_username()}: {reminder.subject}")
    for kind, reminder in outcome.no_address:
        print(f"{kind}: not sent, {reminder.user.get_username()} has no email: {reminder.subject}")
    from pmf.core.text import format_date

    sent = len(outcome.sent)
    print(
        f"{format_date(on)}: {sent} reminder{'s' * (sent != 1)} {would or ''}sent"
        f"{' (dry run)' if outcome.dry_run else ''}, {len(outcome.escalated)} escalation(s)."
    )
    return EXIT_OK
