"""Decide who may see which unit's figures. Every page and API call asks here."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404

from pmf.web.accounts.models import Membership
from pmf.web.frameworks.models import Organisation, Unit


def membership_of(user: AbstractBaseUser | AnonymousUser) -> Membership | None:
    """Return the user's membership, or None for anonymous users and users without one."""
    if not user.is_authenticated:
        return None
    try:
        return Membership.objects.select_related("organisation", "unit").get(user=user)
    except Membership.DoesNotExist:
        return None


def visible_units(membership: Membership, organisation: Organisation | None = None) -> list[Unit]:
    """Return the units of ``organisation`` (by default the member's own) the member may see.

    In their own organisation: their unit and everything below it, or all. External
    comparators are visible to every member of the organisation: their figures are public
    benchmarks that every scorecard compares with.
    """
    if organisation is not None and organisation.pk != membership.organisation_id:
        return []
    units = list(membership.organisation.units.all())
    if membership.unit_id is None:
        return units
    below = {membership.unit_id}
    changed = True
    while changed:
        changed = False
        for unit in units:
            if unit.parent_id in below and unit.pk not in below:
                below.add(unit.pk)
                changed = True
    return [unit for unit in units if unit.pk in below or unit.external]


def organisation_for(user: AbstractBaseUser | AnonymousUser, code: str) -> Organisation:
    """Return the organisation ``code`` if the user belongs to it; else raise Http404.

    A 404 rather than a 403, so that nobody learns which organisations exist.
    """
    membership = membership_of(user)
    if membership is None or membership.organisation.code != code:
        raise Http404("No such organisation.")
    return membership.organisation


def unit_for(user: AbstractBaseUser | AnonymousUser, organisation: Organisation, code: str) -> Unit:
    """Return the unit ``code`` if the user may see it; else raise Http404."""
    membership = membership_of(user)
    if membership is None or membership.organisation_id != organisation.pk:
        raise Http404("No such unit.")
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
        created.append((role.label, username, password, scope))
    return created
