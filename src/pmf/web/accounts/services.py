"""Decide who may see which unit's figures. Every page and API call asks here."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from pmf.web.accounts.models import Membership, SharingAgreement
from pmf.web.frameworks.models import Organisation, Unit


def membership_of(user: User | AnonymousUser) -> Membership | None:
    """Return the user's membership, or None for anonymous users and users without one.

    Read once per user object: a request's user is loaded afresh for each request, and
    every check in that request asks here.
    """
    if not user.is_authenticated:
        return None
    cached = user.__dict__.get("_pmf_membership", _UNREAD)
    if cached is not _UNREAD:
        return cached  # type: ignore[no-any-return]  # stored below: a Membership or None
    try:
        found = Membership.objects.select_related("organisation", "unit").get(user=user)
    except Membership.DoesNotExist:
        found = None
    user.__dict__["_pmf_membership"] = found
    return found


_UNREAD = object()


def visible_units(membership: Membership, organisation: Organisation | None = None) -> list[Unit]:
    """Return the units of ``organisation`` (by default the member's own) the member may see.

    In their own organisation: their unit and everything below it, or all. In another
    organisation: the units its running sharing agreements with the member's organisation
    cover. External comparators are visible wherever any unit is: their figures are public
    benchmarks that every scorecard compares with.
    """
    if organisation is None or organisation.pk == membership.organisation_id:
        units = list(membership.organisation.units.all())
        return _below(units, [membership.unit_id] if membership.unit_id else None)
    agreements = running_agreements(membership, organisation)
    if not agreements:
        return []
    units = list(organisation.units.all())
    if any(agreement.unit_id is None for agreement in agreements):
        return units
    return _below(units, [agreement.unit_id for agreement in agreements])


def writable_units(membership: Membership, organisation: Organisation | None = None) -> list[Unit]:
    """Return the units whose figures the member may write (enter, import, send).

    Only in their own organisation, only in their scope; and never an external comparator
    (another force, a neighbouring council) unless they are an analyst covering the whole
    organisation: a comparator's figure moves every unit's comparison with its group.
    """
    if organisation is not None and organisation.pk != membership.organisation_id:
        return []
    covers = membership.unit_id is None and membership.role == Membership.Role.ANALYST
    return [unit for unit in visible_units(membership, organisation) if covers or not unit.external]


def _below(units: list[Unit], tops: list[int | None] | None) -> list[Unit]:
    """Return the units under any of ``tops`` (inclusive), in order, with the external ones."""
    if tops is None:
        return units
    below = set(tops)
    changed = True
    while changed:
        changed = False
        for unit in units:
            if unit.parent_id in below and unit.pk not in below:
                below.add(unit.pk)
                changed = True
    return [unit for unit in units if unit.pk in below or unit.external]


def running_agreements(
    membership: Membership, provider: Organisation, on: dt.date | None = None
) -> list[SharingAgreement]:
    """Return the provider's sharing agreements with the member's organisation running ``on``."""
    day = on or timezone.localdate()
    return list(
        SharingAgreement.objects.filter(
            provider=provider, recipient_id=membership.organisation_id, starts__lte=day
        )
        .filter(Q(ends__isnull=True) | Q(ends__gte=day))
        .prefetch_related("areas")
    )


def shared_areas(membership: Membership, organisation: Organisation) -> set[str] | None:
    """Return the area codes the member may read in ``organisation``; None means every area."""
    if organisation.pk == membership.organisation_id:
        return None
    codes: set[str] = set()
    for agreement in running_agreements(membership, organisation):
        areas = {area.code for area in agreement.areas.all()}
        if not areas:
            return None
        codes |= areas
    return codes


def readable_areas(
    membership: Membership, organisation: Organisation, requested: list[str]
) -> list[str]:
    """Return the areas to show: those requested (none: all), within what is shared."""
    allowed = shared_areas(membership, organisation)
    if allowed is None:
        return requested
    return [area for area in requested if area in allowed] or sorted(allowed)


def may_change(membership: Membership, organisation: Organisation) -> bool:
    """Say whether the member may change anything in ``organisation``: only their own."""
    return organisation.pk == membership.organisation_id


def organisation_for(user: User | AnonymousUser, code: str) -> Organisation:
    """Return the organisation ``code`` if the user may read it; else raise Http404.

    That is the user's own organisation, or one with a running sharing agreement with it.
    A 404 rather than a 403, so that nobody learns which organisations exist.
    """
    membership = membership_of(user)
    if membership is None:
        raise Http404("No such organisation.")
    if membership.organisation.code == code:
        return membership.organisation
    provider = Organisation.objects.filter(code=code).first()
    if provider is None or not running_agreements(membership, provider):
        raise Http404("No such organisation.")
    return provider


def own_organisation_for(user: User | AnonymousUser, code: str) -> tuple[Organisation, Membership]:
    """Return the organisation ``code`` and the user's membership, for its own members only.

    Partners under a sharing agreement read shared figures, not an organisation's cycles,
    registers, plans or dashboard: for them, as for everyone else outside, Http404.
    """
    found = organisation_for(user, code)
    membership = membership_of(user)
    if membership is None or not may_change(membership, found):
        raise Http404("No such organisation.")
    return found, membership


def readable_organisations(membership: Membership) -> list[Organisation]:
    """Return the member's organisation, then those sharing figures with it now, by name."""
    day = timezone.localdate()
    providers = (
        Organisation.objects.filter(
            Q(agreements_given__ends__isnull=True) | Q(agreements_given__ends__gte=day),
            agreements_given__recipient_id=membership.organisation_id,
            agreements_given__starts__lte=day,
        )
        .distinct()
        .order_by("name")
    )
    return [membership.organisation, *providers]


def unit_for(user: User | AnonymousUser, organisation: Organisation, code: str) -> Unit:
    """Return the unit ``code`` if the user may see it; else raise Http404."""
    membership = membership_of(user)
    if membership is None:
        raise Http404("No such unit.")
    if membership.unit_id is None and organisation.pk == membership.organisation_id:
        # A member of the whole organisation sees every unit of it: read only the one asked.
        found = organisation.units.filter(code=code).first()
        if found is None:
            raise Http404("No such unit.")
        return found
    for unit in visible_units(membership, organisation):
        if unit.code == code:
            return unit
    raise Http404("No such unit.")


# One demo user per role: (role, unit code or None for the whole organisation).
DEMO_ROLES = (
    (Membership.Role.ANALYST, None),
    (Membership.Role.OWNER, "CW"),
    (Membership.Role.COMMAND_LEAD, "CW"),
    (Membership.Role.MODERATOR, None),
    (Membership.Role.BOARD_MEMBER, None),
    (Membership.Role.VIEWER, "CW"),
)


def create_demo_users(organisation: Organisation) -> list[tuple[str, str, str, str]]:
    """Create or reset one sign-in per role with a fresh random password.

    Return (role, username, password, scope) for each, to print. For demonstrations on a
    laptop only: the passwords are shown once and changed on every run.
    """
    from django.contrib.auth.models import User

    created = []
    units = {unit.code: unit for unit in organisation.units.all()}
    for role, unit_code in DEMO_ROLES:
        username = f"demo-{role.value.replace('_', '-')}"
        password = secrets.token_urlsafe(12)
        user, _ = User.objects.get_or_create(username=username)
        user.email = f"{username}@example.org"
        user.set_password(password)
        user.save()
        unit = units.get(unit_code) if unit_code else None
        membership, _ = Membership.objects.update_or_create(
            user=user, defaults={"organisation": organisation, "role": role, "unit": unit}
        )
        if role == Membership.Role.OWNER:
            # The demo owner keeps the figures of the first area's measures.
            first = organisation.areas.order_by("position").first()
            membership.measures.set(organisation.measures.filter(area=first))
        scope = unit.name if unit else f"all of {organisation.name}"
        created.append((str(role.label), username, password, scope))
    return created
