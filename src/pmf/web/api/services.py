"""Issue and check API tokens; read and write figures through the same checks as the pages.

Who may see or change what is decided by ``pmf.web.accounts.services`` and
``pmf.web.entry.services``, as for the pages; this module only applies their answers to
requests that carry many rows at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Sequence

import polars as pl
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pmf.core.periods import Period, parse_period
from pmf.sources.importer import Problem, check_table
from pmf.sources.readers import ROW_NUMBER, Table
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import may_change, shared_areas, visible_units
from pmf.web.api.models import ApiToken
from pmf.web.entry.services import ENTRY_COLUMNS, enterable_measures, scope_problems
from pmf.web.frameworks.models import Organisation, Unit
from pmf.web.frameworks.services import framework_of
from pmf.web.observations.models import Observation
from pmf.web.observations.services import ImportSummary, store_observations

KEY_PREFIX = "pmf_"
VISIBLE_CHARACTERS = 12  # "pmf_" and 8 random characters: enough to tell tokens apart
# Recording every use would write to the database on every request; once a minute is enough
# to answer "is this token still in use?".
LAST_USED_EVERY = dt.timedelta(minutes=1)
MAX_ROWS = 50_000  # larger sets go through a file import


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user`` and return it with its key, which is never shown again."""
    name = name.strip()
    if not name:
        raise ValueError(_("Give the token a name, such as the program that will use it"))
    # The stubs allow a field no max_length (None); the name field has one.
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValueError(_("The name is too long: use at most 100 characters"))
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:VISIBLE_CHARACTERS], key_hash=_hash(key)
    )
    return token, key


def tokens_of(user: User) -> list[ApiToken]:
    """Return the user's tokens, newest first, revoked ones included."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; raise ``LookupError`` for any other."""
    token = ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise LookupError(_("That token is not one of your active tokens"))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def revoke_tokens_named(user: User, name: str) -> int:
    """Revoke the user's active tokens called ``name``; return how many were revoked."""
    return ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


class TokensEndWithPassword:
    """Revoke a user's API tokens when their password changes: a listed password validator.

    Django calls ``password_changed`` of every validator in ``AUTH_PASSWORD_VALIDATORS`` when a
    user is saved after ``set_password``: a change on the password page, a reset by e-mail, an
    administrator or a command setting it. It does not call it when it only re-hashes the same
    password with stronger settings on sign-in, so upgrades leave tokens alone. A token stolen
    with the old password stops working with it.
    """

    def validate(self, password: str, user: User | None = None) -> None:
        """Accept every password: this validator only acts once one is set."""

    def password_changed(self, password: str, user: User | None = None) -> None:
        """Revoke every active token of ``user``."""
        if user is not None and user.pk is not None:
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )

    def get_help_text(self) -> str:
        """Say what a new password does to the person's API tokens."""
        return "Setting a new password revokes your API tokens; issue new ones afterwards."


def user_for_key(key: str) -> User | None:
    """Return the active user whose unrevoked token has this key, or None."""
    if not key.startswith(KEY_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def current_observations(
    membership: Membership,
    organisation: Organisation,
    *,
    units: Sequence[Unit] | None = None,
    measure: str | None = None,
    period_from: Period | None = None,
    period_to: Period | None = None,
) -> QuerySet[Observation]:
    """Return the figures held now for the units the member may see, filtered.

    ``units`` narrows the visible units (the caller has checked them with ``unit_for``).
    A period filter keeps the figures whose period lies wholly within the bounds.
    """
    scope = units if units is not None else visible_units(membership, organisation)
    held = Observation.objects.filter(
        measure__organisation=organisation,
        unit__in=[unit.pk for unit in scope],
        superseded_at__isnull=True,
    )
    if measure:
        held = held.filter(measure__code=measure)
    allowed = shared_areas(membership, organisation)
    if allowed is not None:
        held = held.filter(measure__area__code__in=allowed)
    if period_from is not None or period_to is not None:
        kept = [
            code
            for code in held.values_list("period", flat=True).distinct()
            if _within(parse_period(code), period_from, period_to)
        ]
        held = held.filter(period__in=kept)
    return held.select_related("unit", "measure", "recorded_by").order_by(
        "measure__position", "unit__position", "period"
    )


def _within(period: Period, start: Period | None, end: Period | None) -> bool:
    return (start is None or period.start >= start.start) and (end is None or period.end <= end.end)


class RowsRefused(Exception):
    """Raise with every problem in a set of rows; nothing was stored."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


class NothingToEnter(Exception):
    """Raise when the member may not enter figures for any measure."""


def upsert_observations(
    membership: Membership,
    organisation: Organisation,
    rows: Sequence[dict[str, str | None]],
    accept_warnings: str | None = None,
) -> ImportSummary:
    """Check rows of figures as a file import is checked, and store them all or none.

    Each row has the columns of a file in the long layout (unit, measure, period, value,
    numerator, denominator, status, note) as text; rows are numbered from 1. Besides the
    import's checks, each row must be for a unit the member may write and a measure they may
    enter, and only analysts may sign figures off. Raise ``RowsRefused`` listing every
    problem, or ``NothingToEnter`` when the member enters no figures at all. Figures with
    plausibility warnings are stored only with a reason in ``accept_warnings``; otherwise
    ``WarningsHeld`` (``pmf.web.observations.services``) is raised and nothing is stored.
    """
    if not may_change(membership, organisation):
        raise NothingToEnter("Figures shared by another organisation are read-only.")
    if not enterable_measures(membership):
        raise NothingToEnter("You do not own any measures to enter figures for.")
    if not rows:
        raise RowsRefused([Problem(0, "rows", None, _("is empty; send at least one row"))])
    if len(rows) > MAX_ROWS:
        raise RowsRefused(
            [
                Problem(
                    0,
                    "rows",
                    str(len(rows)),
                    _("are too many; send at most {limit}").format(limit=f"{MAX_ROWS:,}"),
                )
            ]
        )
    frame = pl.DataFrame(
        {column: [row.get(column) for row in rows] for column in ENTRY_COLUMNS},
        schema=dict.fromkeys(ENTRY_COLUMNS, pl.String),
    ).with_row_index(ROW_NUMBER, offset=1)
    source = f"sent through the API by {membership.user.get_username()}"
    table = Table("the rows", list(ENTRY_COLUMNS), frame)
    result = check_table(table, framework_of(organisation), source=source)
    problems = result.problems + scope_problems(
        membership,
        organisation,
        [
            (number, row.get("unit"), row.get("measure"), row.get("status"))
            for number, row in enumerate(rows, start=1)
        ],
    )
    if problems:
        raise RowsRefused(sorted(set(problems), key=lambda p: (p.row, p.column)))
    payload = json.dumps(list(rows), sort_keys=True, ensure_ascii=False).encode("utf-8")
    # The checked figures come in the order of the rows: each row's revision goes with its key.
    keys = result.observations.select("unit", "measure", "period").rows()
    expected = {
        key: int(str(row["revision"]))
        for key, row in zip(keys, rows, strict=True)
        if row.get("revision") not in (None, "")
    }
    return store_observations(
        organisation,
        result.observations,
        file_name="JSON API",
        sha256=hashlib.sha256(payload).hexdigest(),
        layout="api",
        source=source,
        user=membership.user,
        expected=expected,
        accept_warnings=accept_warnings,
    )
