"""People, partners and API tokens on the command line: ``pmf user``, ``share`` and ``token``.

A deployment's first analyst is made here; so are the sharing agreements between partner
organisations, which a data protection officer signs off outside pmf, and the tokens of the
JSON API.
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
from typing import TYPE_CHECKING

from pmf.cli import base
from pmf.cli.base import EXIT_OK, EXIT_USAGE, CommandError, actions, command, date_option, register

if TYPE_CHECKING:
    from pmf.web.accounts.models import SharingAgreement
    from pmf.web.frameworks.models import Organisation, Unit

ROLES = ("analyst", "owner", "command_lead", "moderator", "board_member", "viewer")


def _user_arguments(user: argparse.ArgumentParser) -> None:
    group = actions(user)
    add = command(
        group,
        "add",
        "Add a person, or change their role and scope; prints a first password for a new one.",
        "pmf user add jsmith --organisation MPS --role owner --unit CW --measure ASB",
    )
    add.add_argument("username")
    add.add_argument("--organisation", "-o", required=True, help="code of their organisation")
    add.add_argument("--role", required=True, choices=ROLES, help="what they do in pmf")
    add.add_argument(
        "--unit", help="the unit they cover, with everything below it (default: all units)"
    )
    add.add_argument("--email", default="", help="their email address, for password resets")
    add.add_argument(
        "--measure",
        action="append",
        default=[],
        metavar="CODE",
        help="a measure a measure owner enters figures for (repeatable)",
    )
    user_list = command(group, "list", "List the people of an organisation.", "pmf user list")
    user_list.add_argument("--organisation", "-o", help="only this organisation")


@register(
    "user",
    "Add, change or list the people who sign in.",
    "pmf user add jsmith --organisation MPS --role command_lead --unit CW",
    arguments=_user_arguments,
)
def user(args: argparse.Namespace) -> int:
    """Run ``pmf user add`` or ``pmf user list``."""
    return add_user(args) if args.action == "add" else list_users(args.organisation)


def _share_arguments(share: argparse.ArgumentParser) -> None:
    group = actions(share)
    share_add = command(
        group,
        "add",
        "Let a partner organisation's members read some of an organisation's figures.",
        "pmf share add --provider MPS --recipient LBTH --unit TH --area VIOLENCE "
        "--purpose 'Community safety partnership' --starts 2026-04-01 --ends 2027-03-31",
    )
    share_add.add_argument("--provider", required=True, help="code of the organisation sharing")
    share_add.add_argument("--recipient", required=True, help="code of the partner reading")
    share_add.add_argument(
        "--unit", help="the unit shared, with everything below it (default: all)"
    )
    share_add.add_argument(
        "--area", action="append", default=[], metavar="CODE", help="an area shared (default: all)"
    )
    share_add.add_argument("--purpose", required=True, help="why, as the agreement says")
    share_add.add_argument("--starts", help="first day, YYYY-MM-DD (default: today)")
    share_add.add_argument("--ends", help="last day, YYYY-MM-DD (default: open-ended)")
    command(group, "list", "List the sharing agreements, with their numbers.", "pmf share list")
    end = command(
        group, "end", "End a sharing agreement today (it is kept, as history).", "pmf share end 3"
    )
    end.add_argument("number", type=int, help="the agreement's number, from pmf share list")


@register(
    "share",
    "Add, list or end sharing agreements between partner organisations.",
    "pmf share add --provider MPS --recipient LBTH --unit TH --purpose 'Safer streets'",
    arguments=_share_arguments,
)
def share(args: argparse.Namespace) -> int:
    """Run ``pmf share add``, ``list`` or ``end``."""
    if args.action == "add":
        return add_agreement(args)
    if args.action == "end":
        return end_agreement(args.number)
    return list_agreements()


def _token_arguments(token: argparse.ArgumentParser) -> None:
    group = actions(token)
    create = command(
        group,
        "create",
        "Issue a token and print its key (shown only this once).",
        "pmf token create --user analyst --name nightly-load",
    )
    listed = command(
        group,
        "list",
        "List a user's tokens: name, first characters, when issued, last used and revoked.",
        "pmf token list --user analyst",
    )
    revoke = command(
        group,
        "revoke",
        "Revoke a user's active tokens of that name; they stop working at once.",
        "pmf token revoke --user analyst --name nightly-load",
    )
    for action in (create, listed, revoke):
        action.add_argument("--user", required=True, help="the username whose tokens these are")
    for action in (create, revoke):
        action.add_argument("--name", required=True, help="what the token is for, as a label")


@register(
    "token",
    "Issue, list or revoke a user's tokens for the JSON API.",
    "pmf token create --user analyst --name nightly-load",
    arguments=_token_arguments,
)
def token(args: argparse.Namespace) -> int:
    """Issue, list or revoke a user's API tokens."""
    from django.contrib.auth import get_user_model

    from pmf.core.text import plural
    from pmf.web.api.services import issue_token, revoke_tokens_named, tokens_of

    username, name = args.user, getattr(args, "name", None)
    try:
        user = get_user_model().objects.get_by_natural_key(username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"no user {username!r}", EXIT_USAGE) from None
    if args.action == "create":
        try:
            issued, key = issue_token(user, name or "")
        except ValueError as error:
            raise CommandError(str(error), EXIT_USAGE) from None
        print(f"Token {issued.name!r} for {username} (copy it now: it is not shown again):")
        print(key)
    elif args.action == "list":
        for held in tokens_of(user):
            used = f"{held.last_used_at:%Y-%m-%d %H:%M}" if held.last_used_at else "never"
            state = f"revoked {held.revoked_at:%Y-%m-%d %H:%M}" if held.revoked_at else "active"
            print(
                f"{held.name}  {held.prefix}…  issued {held.created_at:%Y-%m-%d %H:%M}  "
                f"last used {used}  {state}"
            )
    else:
        count = revoke_tokens_named(user, name or "")
        if not count:
            raise CommandError(f"{username} has no active token named {name!r}")
        print(f"Revoked {plural(count, 'token')} named {name!r} for {username}.")
    return EXIT_OK


def _unit(organisation: Organisation, code: str | None) -> Unit | None:
    if code is None:
        return None
    unit: Unit | None = organisation.units.filter(code=code).first()
    if unit is None:
        raise CommandError(f"{organisation.code} has no unit {code!r}")
    return unit


def add_user(args: argparse.Namespace) -> int:
    """Create or update a person and their membership, all or nothing."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from pmf.web.accounts.models import Membership

    organisation = base.organisation(args.organisation)
    unit = _unit(organisation, args.unit)
    measures = list(organisation.measures.filter(code__in=args.measure))
    unknown = sorted(set(args.measure) - {measure.code for measure in measures})
    if unknown:
        raise CommandError(f"{organisation.code} has no measure {', '.join(unknown)}")
    if args.measure and args.role != "owner":
        raise CommandError("--measure is for measure owners (--role owner)")
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=args.username)
        password = ""
        if created:
            password = secrets.token_urlsafe(12)
            user.set_password(password)
        if args.email:
            user.email = args.email
        user.save()
        membership, _ = Membership.objects.update_or_create(
            user=user, defaults={"organisation": organisation, "role": args.role, "unit": unit}
        )
        membership.measures.set(measures)
    scope = unit.name if unit else f"all of {organisation.name}"
    print(f"{'Added' if created else 'Updated'} {user.username}: {args.role} for {scope}.")
    if password:
        print(f"First password (shown once; ask them to change it): {password}")
    return EXIT_OK


def list_users(code: str | None) -> int:
    """Print each person with their organisation, role and scope."""
    from pmf.web.accounts.models import Membership

    memberships = Membership.objects.select_related("user", "organisation", "unit").order_by(
        "organisation__code", "user__username"
    )
    if code:
        memberships = memberships.filter(organisation=base.organisation(code))
    for membership in memberships:
        scope = membership.unit.code if membership.unit else "all"
        print(
            f"{membership.organisation.code}\t{membership.user.username}\t"
            f"{membership.role}\t{scope}\t{membership.user.email}"
        )
    return EXIT_OK


def add_agreement(args: argparse.Namespace) -> int:
    """Record a sharing agreement between two organisations."""
    from django.db import transaction

    from pmf.web.accounts.models import SharingAgreement

    provider = base.organisation(args.provider)
    recipient = base.organisation(args.recipient)
    if provider.pk == recipient.pk:
        raise CommandError("--provider and --recipient are the same organisation")
    unit = _unit(provider, args.unit)
    areas = list(provider.areas.filter(code__in=args.area))
    unknown = sorted(set(args.area) - {area.code for area in areas})
    if unknown:
        raise CommandError(f"{provider.code} has no area {', '.join(unknown)}")
    starts = date_option(args.starts, "--starts") or dt.date.today()
    ends = date_option(args.ends, "--ends")
    if ends is not None and ends < starts:
        raise CommandError(f"--ends {ends} is before --starts {starts}")
    with transaction.atomic():
        agreement = SharingAgreement.objects.create(
            provider=provider,
            recipient=recipient,
            unit=unit,
            purpose=args.purpose,
            starts=starts,
            ends=ends,
        )
        agreement.areas.set(areas)
    print(f"Agreement {agreement.pk}: {_describe(agreement)}")
    return EXIT_OK


def _describe(agreement: SharingAgreement) -> str:
    units = agreement.unit.name if agreement.unit else "all units"
    areas = ", ".join(area.code for area in agreement.areas.all()) or "all areas"
    until = f" to {agreement.ends}" if agreement.ends else ", open-ended"
    return (
        f"{agreement.provider.code} shares {units} ({areas}) with {agreement.recipient.code}, "
        f"from {agreement.starts}{until}: {agreement.purpose}"
    )


def list_agreements() -> int:
    """Print every sharing agreement, running or not."""
    from pmf.web.accounts.models import SharingAgreement

    agreements = SharingAgreement.objects.select_related("provider", "recipient", "unit")
    for agreement in agreements.prefetch_related("areas").order_by("pk"):
        print(f"{agreement.pk}\t{_describe(agreement)}")
    return EXIT_OK


def end_agreement(number: int) -> int:
    """End an agreement today: its members lose access from tomorrow; the record stays."""
    from pmf.web.accounts.models import SharingAgreement

    agreement = SharingAgreement.objects.filter(pk=number).first()
    if agreement is None:
        raise CommandError(f"no sharing agreement {number} (see pmf share list)")
    today = dt.date.today()
    agreement.ends = min(agreement.ends or today, today)
    agreement.save(update_fields=["ends"])
    print(f"Agreement {agreement.pk} ends {agreement.ends}: {_describe(agreement)}")
    return EXIT_OK


def _sso_arguments(sso: argparse.ArgumentParser) -> None:
    group = actions(sso)
    command(
        group,
        "check",
        "Read the identity provider's discovery document and check the group mapping.",
        "PMF_SSO_CONFIG=/etc/pmf/sso.yaml pmf sso check",
    )


@register(
    "sso",
    "Check single sign-on: the provider's endpoints and the group mapping.",
    "pmf sso check",
    arguments=_sso_arguments,
    description="Check the single sign-on configuration (PMF_SSO_CONFIG): print the identity "
    "provider's endpoints from its discovery document and each group's organisation, role "
    "and unit; fail naming the key of anything pmf does not hold.",
)
def sso(args: argparse.Namespace) -> int:
    """Run ``pmf sso check``."""
    return check_sso()


def check_sso() -> int:
    """Print the provider's endpoints and the parsed mapping; raise on any problem."""
    from pmf.web.accounts.sso import SsoUnavailable, discover, mapping_problems, sso_config

    config = sso_config()
    if config is None:
        raise CommandError(
            "Single sign-on is not configured: set PMF_SSO_CONFIG (see .env.example)."
        )
    try:
        provider = discover(config)
    except SsoUnavailable as error:
        raise CommandError(f"{config.source}: provider.issuer: cannot read {error}") from None
    print(f"Provider: {config.name} ({config.source})")
    for label, value in (
        ("issuer", provider.issuer),
        ("authorization", provider.authorization_endpoint),
        ("token", provider.token_endpoint),
        ("userinfo", provider.userinfo_endpoint or "(none)"),
        ("keys", provider.jwks_uri),
        ("end session", provider.end_session_endpoint or "(none: sign-out stays in pmf)"),
        ("ID token signed with", provider.signing_algorithm),
    ):
        print(f"  {label + ':':22}{value}")
    print(f"  {'client id:':22}{config.client_id}")
    print(f"  {'scopes:':22}{' '.join(config.scopes)}")
    print(f"  {'groups claim:':22}{config.groups_claim}")
    local = "on" if config.local_accounts else "off (single sign-on only)"
    print(f"  {'local accounts:':22}{local}")
    recheck = (
        f"every {config.recheck_minutes} minutes (provider unreachable: signed out "
        f"{config.recheck_grace_minutes} minutes after a missed re-check)"
    )
    print(f"  {'session re-check:':22}{recheck}")
    print("Groups (the first that matches decides the role):")
    for mapping in config.groups:
        scope = f"unit {mapping.unit} and below" if mapping.unit else "whole organisation"
        measures = f", measures {', '.join(mapping.measures)}" if mapping.measures else ""
        print(f"  {mapping.group}: {mapping.role} in {mapping.organisation}, {scope}{measures}")
    problems = mapping_problems(config)
    if problems:
        raise CommandError("\n".join(problems))
    print("OK: every organisation, unit and measure of the mapping is in pmf.")
    return EXIT_OK
