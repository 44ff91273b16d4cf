"""Enter or correct figures in the browser, or import a file, through the same checks as the CLI.

A file goes through three steps: it is kept under a random token (``keep_upload``), reviewed
with a column mapping (``review_upload``: what each column holds, the layout, a preview or
every problem), then stored all or nothing: at once (``import_reviewed``) or, above
``PMF_BACKGROUND_IMPORT_ROWS`` figures, by the worker as an ``ImportJob`` (``queue_import``,
``run_import_job``) whose progress the job page reads (``job_progress``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, TypeVar

import polars as pl
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pmf.core.periods import ParseError, parse_period
from pmf.core.plausibility import number_text
from pmf.core.text import period_name
from pmf.sources.importer import (
    PERIOD_ALIASES,
    CheckResult,
    MappingError,
    Problem,
    check_table,
    columns_of,
    status_code,
)
from pmf.sources.readers import ROW_NUMBER, ReadError, Table, read_table
from pmf.sources.roles import ROLES
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import writable_units
from pmf.web.entry.models import ImportJob
from pmf.web.frameworks.models import Measure, Organisation, Unit
from pmf.web.frameworks.services import framework_of
from pmf.web.observations.services import (
    ImportSummary,
    WarningsHeld,
    find_warnings,
    store_observations,
)

Named = TypeVar("Named", Unit, Measure)
ENTRY_COLUMNS = ("unit", "measure", "period", "value", "numerator", "denominator", "status", "note")


@dataclass(frozen=True)
class Entry:
    """One figure as typed into the form: text, exactly as the person wrote it."""

    measure: str
    value: str = ""
    numerator: str = ""
    denominator: str = ""
    status: str = "provisional"
    note: str = ""
    # The revision held when the form was opened (0: none); None: not checked.
    revision: int | None = None


@dataclass(frozen=True)
class FormSummary:
    """What a save of the entry form changed, in the form's words: the figures by name."""

    added: tuple[str, ...]
    revised: tuple[str, ...]
    stored: ImportSummary

    def __str__(self) -> str:
        """Say "1 figure revised: Violence with injury, November 2025" or "No figures changed"."""
        if (len(self.added), len(self.revised)) != (self.stored.added, self.stored.revised):
            # Another save came between reading the held figures and storing: count instead.
            return _("{added} added and {revised} revised.").format(
                added=_count_of_values(self.stored.added),
                revised=_count_of_values(self.stored.revised),
            )
        parts = []
        if self.added:
            parts.append(
                ngettext(
                    "{count} figure added: {names}",
                    "{count} figures added: {names}",
                    len(self.added),
                ).format(count=f"{len(self.added):,}", names="; ".join(self.added))
            )
        if self.revised:
            parts.append(
                ngettext(
                    "{count} figure revised: {names}",
                    "{count} figures revised: {names}",
                    len(self.revised),
                ).format(count=f"{len(self.revised):,}", names="; ".join(self.revised))
            )
        if not parts:
            return _("No figures changed.")
        return "; ".join(parts) + "."


def _count_of_values(count: int) -> str:
    """Return "1 figure" or "3 figures" in the reader's language."""
    return ngettext("{count} figure", "{count} figures", count).format(count=f"{count:,}")


class EntryRefused(Exception):
    """Raise with the problems that stop a set of figures; nothing is stored."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class WarningsToAccept(EntryRefused):
    """Raise when figures have plausibility warnings nobody accepted; nothing is stored."""


class WarningRow(TypedDict):
    """One figure held back by plausibility warnings, as a page shows it."""

    row: int | None
    unit: str
    measure: str
    period: str
    value: str
    warnings: list[str]


def warning_rows(warned: pl.DataFrame) -> list[WarningRow]:
    """Return the figures held back by warnings for a page: where, the value, each warning."""
    return [
        {
            "row": row["row"],
            "unit": row["unit"],
            "measure": row["measure"],
            "period": row["period"],
            "value": number_text(row["value"]),
            "warnings": row["warnings"].splitlines(),
        }
        for row in warned.iter_rows(named=True)
    ]


def enterable_measures(membership: Membership) -> list[Measure]:
    """Return the measures the member may enter figures for: their own, or all for analysts.

    A calculated measure (one with a formula) is never entered: pmf computes its figures.
    """
    if membership.role == Membership.Role.ANALYST:
        return list(membership.organisation.measures.filter(formula="").select_related("area"))
    if membership.role == Membership.Role.OWNER:
        return list(membership.measures.filter(formula="").select_related("area"))
    return []


def may_enter(membership: Membership) -> bool:
    """Say whether the member may enter figures for any measure (one query, no rows read)."""
    if membership.role == Membership.Role.ANALYST:
        return membership.organisation.measures.exists()
    if membership.role == Membership.Role.OWNER:
        return membership.measures.exists()
    return False


def enter_observations(
    membership: Membership,
    organisation: Organisation,
    unit: Unit,
    period: str,
    entries: list[Entry],
    accept_warnings: str | None = None,
) -> FormSummary:
    """Check and store the entered figures, all or none; record who entered them.

    Blank rows are skipped. Raise ``EntryRefused`` naming each problem, and ``Conflict``
    when someone else revised one of the figures after the form was opened (each entry's
    ``revision`` is the one the form showed). Raise ``WarningsToAccept`` naming each
    plausibility warning when ``accept_warnings`` gives no reason to accept them.
    """
    allowed = {measure.code: measure for measure in enterable_measures(membership)}
    typed = [entry for entry in entries if entry.value or entry.numerator or entry.denominator]
    problems = []
    for entry in typed:
        if entry.measure not in allowed:
            problems.append(
                _("{measure}: you do not own this measure").format(measure=entry.measure)
            )
        elif status_code(entry.status) == "signed_off" and not membership.may_sign_off:
            problems.append(
                _("{measure}: only an analyst may sign figures off").format(
                    measure=allowed[entry.measure].name
                )
            )
    if problems:
        raise EntryRefused(problems)
    if not typed:
        raise EntryRefused([_("Enter at least one figure")])
    frame = pl.DataFrame(
        {
            "unit": [unit.code] * len(typed),
            "measure": [entry.measure for entry in typed],
            "period": [period] * len(typed),
            "value": [entry.value or None for entry in typed],
            "numerator": [entry.numerator or None for entry in typed],
            "denominator": [entry.denominator or None for entry in typed],
            "status": [entry.status or None for entry in typed],
            "note": [entry.note or None for entry in typed],
        },
        schema=dict.fromkeys(ENTRY_COLUMNS, pl.String),
    ).with_row_index(ROW_NUMBER, offset=1)
    table = Table(_("the form"), list(ENTRY_COLUMNS), frame)
    result = check_table(
        table, framework_of(organisation), source=f"entered by {membership.user.get_username()}"
    )
    if not result.ok:
        names = {code: measure.name for code, measure in allowed.items()}
        raise EntryRefused([_describe(problem, typed, names) for problem in result.problems])
    label = period_name(period)
    changed = _changed_observations(unit, period, result.observations)
    names = {code: measure.name for code, measure in allowed.items()}
    try:
        stored = store_observations(
            organisation,
            result.observations,
            file_name="data entry",
            sha256="",
            layout="form",
            source=f"entered by {membership.user.get_username()}",
            user=membership.user,
            expected={
                (unit.code, entry.measure, period): entry.revision
                for entry in typed
                if entry.revision is not None
            },
            accept_warnings=accept_warnings,
        )
    except WarningsHeld as held:
        raise WarningsToAccept(
            [
                _("{measure}, value '{value}': {warning}").format(
                    measure=names.get(row["measure"], row["measure"]),
                    value=row["value"],
                    warning=text,
                )
                for row in warning_rows(held.warned)
                for text in row["warnings"]
            ]
        ) from None
    return FormSummary(
        added=tuple(f"{names[code]}, {label}" for code, held in changed if not held),
        revised=tuple(f"{names[code]}, {label}" for code, held in changed if held),
        stored=stored,
    )


def scope_problems(
    membership: Membership,
    organisation: Organisation,
    rows: Iterable[tuple[int, str | None, str | None, str | None]],
    columns: tuple[str, str, str] = ("unit", "measure", "status"),
) -> list[Problem]:
    """Return a problem for each row outside what the member may write, naming row and column.

    ``rows`` holds (row number, unit, measure, status) as typed; ``columns`` names the
    columns holding the unit, the measure and the status. Units and measures are read by code
    or name, as the import reads them. A unit outside the member's write scope
    (``writable_units``: external comparators only for analysts covering the whole
    organisation) gets the same words as a unit that does not exist, so that nobody learns
    which do; a measure the member does not enter, and a sign-off by anyone who may not sign
    off, are problems too. Every path that stores figures (the form, the API, the import
    page and its background job) asks here.
    """
    writable = {unit.pk for unit in writable_units(membership, organisation)}
    allowed = {measure.code for measure in enterable_measures(membership)}
    units = _by_code_or_name(organisation.units.all())
    measures = _by_code_or_name(organisation.measures.all())
    unit_column, measure_column, status_column = columns
    problems = []
    for number, unit_text, measure_text, status in rows:
        unit = units.get((unit_text or "").strip().lower())
        if unit is not None and unit.pk not in writable:
            problems.append(
                Problem(
                    number,
                    unit_column,
                    unit_text,
                    _("is not a unit of {organisation} (by code or name)").format(
                        organisation=organisation.code
                    ),
                )
            )
        measure = measures.get((measure_text or "").strip().lower())
        if measure is not None and measure.code not in allowed:
            problems.append(
                Problem(
                    number,
                    measure_column,
                    measure_text,
                    _("is not a measure you enter figures for"),
                )
            )
        if status_code(status) == "signed_off" and not membership.may_sign_off:
            problems.append(
                Problem(number, status_column, status, _("only an analyst may sign figures off"))
            )
    return problems


def _by_code_or_name(items: Iterable[Named]) -> dict[str, Named]:
    # Codes win over names, as in the import: a name counts where no code is spelt the same.
    found: dict[str, Named] = {}
    listed = list(items)
    for item in listed:
        found.setdefault(item.code.strip().lower(), item)
    for item in listed:
        found.setdefault(item.name.strip().lower(), item)
    return found


def _changed_observations(
    unit: Unit, period: str, observations: pl.DataFrame
) -> list[tuple[str, bool]]:
    """Return (measure, whether one was held) for each checked figure unlike the held one.

    The same comparison as ``store_observations``: value, numerator, denominator, status, note.
    """
    from pmf.web.observations.models import Observation

    held = {
        row["measure__code"]: row
        for row in Observation.objects.filter(
            unit=unit,
            period=period,
            superseded_at__isnull=True,
            measure__code__in=observations["measure"].to_list(),
        ).values("measure__code", "value", "numerator", "denominator", "status", "note")
    }
    changed = []
    for row in observations.iter_rows(named=True):
        before = held.get(row["measure"])
        if before is None:
            changed.append((row["measure"], False))
        elif any(
            (row.get(column) or None) != (before[column] or None)
            for column in ("value", "numerator", "denominator", "status", "note")
        ):
            changed.append((row["measure"], True))
    return changed


def _describe(problem: Problem, typed: list[Entry], names: dict[str, str]) -> str:
    entry = typed[problem.row - 1] if 0 < problem.row <= len(typed) else None
    name = names.get(entry.measure, entry.measure) if entry else _("the form")
    shown = _("(empty)") if problem.value is None else repr(problem.value)
    return _("{measure}, {column} {value}: {reason}").format(
        measure=name, column=problem.column, value=shown, reason=problem.reason
    )


# --------------------------------------------------------------------------------------------
# Importing a file
# --------------------------------------------------------------------------------------------

PERIOD_COLUMN = "period-column"  # in the wide layout: a column headed by a period
IGNORE = "ignore"
LAYOUTS = ("long", "wide")
PREVIEW_ROWS = 20
KEPT_PROBLEMS = 200  # problems kept on a job and shown; the count says how many there were
# Roles a wide file may map: the period and the figure come from the columns headed by periods.
WIDE_ROLES = ("unit", "measure", "status", "note", "source")
REQUIRED = {"long": ("unit", "measure", "period"), "wide": ("unit", "measure")}


# A kept upload is named "<organisation id>-<user id>-<32 random hex digits>.<csv|xlsx>": the
# name is its token, and says who may use it. Names without the owner are from earlier versions
# (only the worker still reads them, for jobs queued before an upgrade).
UPLOAD_TOKEN = re.compile(r"(?:(\d+)-(\d+)-)?[0-9a-f]{32}\.(?:csv|xlsx)")


def upload_dir() -> Path:
    """Return this deployment's folder for uploads awaiting their import, readable by us only.

    Created when first needed with mode 0700 (and tightened to it if it was made looser), so
    that other accounts on the server cannot read pre-publication figures waiting there.
    """
    folder = Path(settings.PMF_UPLOAD_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)
    return folder


def keep_upload(name: str, content: bytes, organisation: Organisation, user: object) -> str:
    """Store an uploaded file (mode 0600) until it is imported; return its token.

    The token names the organisation and the user it belongs to (``owns_upload``). Uploads
    left longer than ``PMF_UPLOAD_MAX_AGE`` are swept away first.
    """
    sweep_uploads()
    pk = getattr(user, "pk", None)
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in (".csv", ".xlsx") else ".csv"
    token = f"{organisation.pk}-{pk}-{secrets.token_hex(16)}{suffix}"
    descriptor = os.open(upload_dir() / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(content)
    return token


def uploaded(token: str) -> Path:
    """Return the path of a kept upload; raise ``LookupError`` for a token that is not ours."""
    if not UPLOAD_TOKEN.fullmatch(token):
        raise LookupError(_("That upload is not known; upload the file again."))
    path = upload_dir() / token
    if not path.exists():
        raise LookupError(_("That upload has expired; upload the file again."))
    return path


def owns_upload(token: str, organisation: Organisation, user: object) -> bool:
    """Say whether this user uploaded ``token`` to this organisation's import page.

    The pages answer 404 otherwise and show nothing of the file: a token seen by someone else,
    or sent to another organisation's import page, is no use.
    """
    found = UPLOAD_TOKEN.fullmatch(token)
    return found is not None and found.groups() == (
        str(organisation.pk),
        str(getattr(user, "pk", None)),
    )


def sweep_uploads(max_age: dt.timedelta | None = None) -> int:
    """Delete uploads and progress files older than ``max_age``; return how many went.

    Default age: ``PMF_UPLOAD_MAX_AGE`` seconds. The uploads of jobs still queued or running
    stay, however old, so that a worker started late still finds its files.
    """
    age = max_age if max_age is not None else dt.timedelta(seconds=settings.PMF_UPLOAD_MAX_AGE)
    folder = Path(settings.PMF_UPLOAD_DIR)
    if not folder.is_dir():
        return 0
    running = ImportJob.objects.exclude(status__in=(ImportJob.Status.DONE, ImportJob.Status.FAILED))
    keep = {token for token in running.values_list("upload", flat=True)}
    keep |= {f"job-{pk}.progress" for pk in running.values_list("pk", flat=True)}
    cutoff = (timezone.now() - age).timestamp()
    removed = 0
    for path in folder.iterdir():
        if path.name in keep or not path.is_file():
            continue
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


@dataclass(frozen=True)
class FieldProblem:
    """A problem with one field of the mapping form: the field's id and what to do."""

    field: str
    message: str


@dataclass(frozen=True)
class ColumnMapping:
    """What each column of a file holds and the file's layout: the browser's --map and --ignore.

    ``choices`` has one entry per column: a role (unit, measure, ...), ``PERIOD_COLUMN``,
    ``IGNORE``, or "" when nobody has said yet.
    """

    columns: tuple[str, ...]
    choices: tuple[str, ...]
    layout: str

    def problems(self) -> list[FieldProblem]:
        """Return what stops this mapping, each naming the form field to correct."""
        found: list[FieldProblem] = []
        if self.layout not in LAYOUTS:
            return [FieldProblem("layout", _("Choose whether the file is long or wide"))]
        allowed = {*(ROLES if self.layout == "long" else WIDE_ROLES), IGNORE}
        if self.layout == "wide":
            allowed.add(PERIOD_COLUMN)
        holder: dict[str, str] = {}
        for index, (column, choice) in enumerate(zip(self.columns, self.choices, strict=True)):
            where = f"column-{index}"
            if not choice or choice not in {*ROLES, PERIOD_COLUMN, IGNORE}:
                found.append(
                    FieldProblem(
                        where, _("Choose what the column ‘{column}’ holds").format(column=column)
                    )
                )
            elif choice == PERIOD_COLUMN and self.layout == "long":
                found.append(
                    FieldProblem(
                        where,
                        _(
                            "‘{column}’: in the long layout no column is a period; choose period "
                            "for the column that holds the periods, or choose the wide layout"
                        ).format(column=column),
                    )
                )
            elif choice not in allowed:
                found.append(
                    FieldProblem(
                        where,
                        _(
                            "‘{column}’: in the wide layout the periods and figures are the "
                            "columns headed by a period, so no column holds the {role}; choose "
                            "the long layout, or choose what else it holds"
                        ).format(column=column, role=choice),
                    )
                )
            elif choice in ROLES and choice in holder:
                found.append(
                    FieldProblem(
                        where,
                        _(
                            "‘{column}’: only one column can hold the {role}, and ‘{other}’ does"
                        ).format(column=column, role=choice, other=holder[choice]),
                    )
                )
            elif choice in ROLES:
                holder[choice] = column
            elif choice == PERIOD_COLUMN and not _is_period(column):
                found.append(
                    FieldProblem(
                        where,
                        _(
                            "‘{column}’ is not a period such as 201907 or 2019-07; choose what it "
                            "holds or leave it out"
                        ).format(column=column),
                    )
                )
        if found:
            return found
        first = "column-0"
        for role in REQUIRED[self.layout]:
            if role not in holder:
                found.append(
                    FieldProblem(
                        first, _("Choose the column that holds the {role}").format(role=role)
                    )
                )
        ratio = {"numerator", "denominator"} <= holder.keys()
        if self.layout == "long" and "value" not in holder and not ratio:
            found.append(
                FieldProblem(
                    first,
                    _(
                        "Choose the column that holds the value, or the columns that hold the "
                        "numerator and the denominator"
                    ),
                )
            )
        if self.layout == "wide" and PERIOD_COLUMN not in self.choices:
            found.append(
                FieldProblem(
                    first, _("Choose at least one column headed by a period, such as 201907")
                )
            )
        return found

    def check_arguments(self) -> tuple[dict[str, str], tuple[str, ...], str]:
        """Return the mapping, the columns left out and the layout, as check_table takes them."""
        pairs = list(zip(self.columns, self.choices, strict=True))
        mapping = {choice: column for column, choice in pairs if choice in ROLES}
        ignore = tuple(column for column, choice in pairs if choice == IGNORE)
        return mapping, ignore, self.layout

    @property
    def period_columns(self) -> list[str]:
        """Return the columns headed by a period (wide layout only)."""
        if self.layout != "wide":
            return []
        return [
            c
            for c, choice in zip(self.columns, self.choices, strict=True)
            if choice == PERIOD_COLUMN
        ]


def _is_period(text: str) -> bool:
    try:
        parse_period(text)
    except ParseError:
        return False
    return True


def propose_mapping(columns: list[str]) -> ColumnMapping:
    """Guess what each column holds from its name, as ``pmf import`` does without --map.

    Columns named after a role hold it; in a file without period and value columns, columns
    headed by a period make it wide. Anything else is left for the person to choose.
    """
    choices: list[str] = []
    taken: set[str] = set()
    for column in columns:
        role = column.strip().lower()
        if role in ROLES and role not in taken:
            choices.append(role)
            taken.add(role)
        else:
            choices.append("")
    if "period" not in taken:
        # A daily or weekly file's date (or day, or week) column holds the period, as for
        # ``pmf import`` (pmf.sources.importer.PERIOD_ALIASES).
        for index, column in enumerate(columns):
            if column.strip().lower() in PERIOD_ALIASES and not choices[index]:
                choices[index] = "period"
                taken.add("period")
                break
    layout = "long" if {"period", "value", "numerator"} & taken else "wide"
    if layout == "wide":
        choices = [
            PERIOD_COLUMN if not choice and _is_period(column) else choice
            for column, choice in zip(columns, choices, strict=True)
        ]
    return ColumnMapping(tuple(columns), tuple(choices), layout)


def mapping_from_form(columns: list[str], form: Mapping[str, str]) -> ColumnMapping:
    """Read the mapping form: ``column-0``, ``column-1`` ... and ``layout``."""
    choices = tuple(str(form.get(f"column-{index}", "")).strip() for index in range(len(columns)))
    return ColumnMapping(tuple(columns), choices, str(form.get("layout", "")).strip())


@dataclass
class Review:
    """An uploaded file with a mapping: its problems, or the first figures as they will be stored.

    A file of more than ``PMF_BACKGROUND_IMPORT_ROWS`` figures is only checked here as far as
    its first rows (``partial``); the worker checks all of it before storing anything.
    """

    token: str
    name: str
    mapping: ColumnMapping
    samples: list[list[str]]
    observation_count: int = 0
    background: bool = False
    field_problems: list[FieldProblem] = field(default_factory=list)
    file_problem: str = ""
    result: CheckResult | None = None
    # False when the preview read only the top of a large workbook: ``observation_count`` is
    # then the number found so far, and the file holds more.
    counted: bool = True
    # The checked figures that plausibility warnings would hold back (not for a partial check).
    warnings: pl.DataFrame | None = None

    @property
    def partial(self) -> bool:
        """Return True when only the first rows were checked (the rest is the worker's)."""
        return self.background

    @property
    def ready(self) -> bool:
        """Return True when the file may be imported with this mapping."""
        return self.result is not None and self.result.ok and not self.field_problems


def review_upload(
    organisation: Organisation,
    token: str,
    name: str,
    form: Mapping[str, str] | None = None,
    *,
    membership: Membership,
) -> Review:
    """Read a kept upload and check it with the mapping in ``form`` (default: the proposed one).

    Every row is checked as the import checks it and against what ``membership`` may write
    (``scope_problems``). Raise ``LookupError`` for an unknown or expired token and
    ``ReadError`` for a file that cannot be read; problems with the mapping or the rows come
    back in the review.
    """
    table = read_upload(token, name)
    if form is not None and "layout" in form:
        mapping = mapping_from_form(table.columns, form)
    else:
        mapping = propose_mapping(table.columns)
    samples = [
        [str(value) for value in table.frame[column].drop_nulls().head(3).to_list()]
        for column in table.columns
    ]
    review = Review(token, name, mapping, samples, field_problems=mapping.problems())
    if review.field_problems:
        return review
    if mapping.layout == "wide":
        cells = table.frame.select(pl.col(mapping.period_columns).is_not_null().sum())
        review.observation_count = int(cells.sum_horizontal().item())
    else:
        review.observation_count = table.frame.height
    review.counted = table.complete
    review.background = (
        review.observation_count > settings.PMF_BACKGROUND_IMPORT_ROWS or not table.complete
    )
    if review.background:
        table = Table(name, table.columns, table.frame.head(PREVIEW_ROWS))
    roles, ignore, layout = mapping.check_arguments()
    try:
        review.result = _check(membership, organisation, table, roles, ignore, layout)
    except MappingError as error:
        review.file_problem = str(error)
    if review.ready and not review.background and review.result is not None:
        review.warnings = find_warnings(organisation, review.result.observations)
    return review


def read_upload(token: str, name: str) -> Table:
    """Read a kept upload for its preview, calling it ``name`` in every message (no path).

    A workbook is read no further than ``PMF_BACKGROUND_IMPORT_ROWS`` rows and one more: enough
    to preview it and to know that it goes to the worker, which reads all of it. A large or
    expanding workbook thus costs the request a bounded number of rows. A file that cannot be
    read is deleted at once: nothing more can be done with it.
    """
    path = uploaded(token)
    try:
        return read_table(path, name=name, limit=settings.PMF_BACKGROUND_IMPORT_ROWS + 1)
    except ReadError:
        path.unlink(missing_ok=True)
        raise


def _check(
    membership: Membership,
    organisation: Organisation,
    table: Table,
    roles: Mapping[str, str],
    ignore: tuple[str, ...],
    layout: str,
) -> CheckResult:
    """Check a file's rows as the import does, and each row against the member's write scope.

    All or nothing: a row outside the scope is a problem of the file like any other, and a
    file with any problem stores nothing.
    """
    result = check_table(
        table,
        framework_of(organisation),
        mapping=roles,
        ignore=ignore,
        layout=layout,
        source=table.file,
    )
    columns = columns_of(table, roles, ignore)
    names = tuple(columns.get(role, role) for role in ("unit", "measure", "status"))
    frame = table.frame

    def cells(role: str) -> list[str | None]:
        if role not in columns:
            return [None] * frame.height
        return [None if cell is None else str(cell) for cell in frame[columns[role]].to_list()]

    rows = zip(
        frame[ROW_NUMBER].to_list(), cells("unit"), cells("measure"), cells("status"), strict=True
    )
    outside = scope_problems(membership, organisation, rows, (names[0], names[1], names[2]))
    if outside:
        result.problems = sorted(
            {*result.problems, *outside}, key=lambda problem: (problem.row, problem.column)
        )
        result.observations = result.observations.clear()
    return result


def import_reviewed(
    membership: Membership,
    organisation: Organisation,
    review: Review,
    accept_warnings: str | None = None,
) -> ImportSummary:
    """Store a fully checked review, all or nothing; then forget the file.

    Raise ``WarningsToAccept`` when figures have plausibility warnings and
    ``accept_warnings`` gives no reason to accept them; the file is kept then.
    """
    if not review.ready or review.partial or review.result is None:
        raise EntryRefused([_("Check the file again before importing it.")])
    path = uploaded(review.token)
    try:
        summary = store_observations(
            organisation,
            review.result.observations,
            file_name=review.name,
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            layout=review.result.layout,
            source=review.name,
            user=membership.user,
            accept_warnings=accept_warnings,
        )
    except WarningsHeld as held:
        raise WarningsToAccept(held.problems) from None
    path.unlink(missing_ok=True)
    return summary


def queue_import(
    membership: Membership,
    organisation: Organisation,
    review: Review,
    accept_warnings: str | None = None,
) -> ImportJob:
    """Record a job for the worker to check and store the whole file, and queue it.

    ``accept_warnings``, the reason to store figures with plausibility warnings, goes with it.
    """
    from pmf.web.entry.tasks import run_import

    if not review.ready:
        raise EntryRefused([_("Check the file again before importing it.")])
    roles, ignore, layout = review.mapping.check_arguments()
    job = ImportJob.objects.create(
        organisation=organisation,
        file_name=review.name,
        upload=review.token,
        mapping=roles,
        ignore=list(ignore),
        layout=layout,
        created_by=membership.user,
        rows_total=review.observation_count,
        accept_warnings=(accept_warnings or "").strip(),
    )
    queued = run_import.enqueue(job.pk)
    # The immediate backend has run the job already: change only the task's id.
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(queued.id))
    job.refresh_from_db()
    return job


def run_import_job(job_id: int) -> None:
    """Check a job's file and store it all or nothing, recording progress; the worker's task.

    Its problems and summary are kept in the language of whoever uploaded the file.
    """
    from pmf.web.interventions.reminders import recipient_language

    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    if job.finished:
        return
    with translation.override(recipient_language(job.created_by)):
        _run_import_job(job)


def _run_import_job(job: ImportJob) -> None:
    _update(job, status=ImportJob.Status.CHECKING, started_at=timezone.now())
    # Who uploaded the file may have lost their role or scope since: checked as they are now.
    membership = _importer(job)
    if membership is None:
        _fail(
            job,
            [
                Problem(
                    0,
                    "",
                    None,
                    _(
                        "only analysts of {organisation} import files, and whoever uploaded this "
                        "file no longer is one; upload it again"
                    ).format(organisation=job.organisation.code),
                )
            ],
            1,
        )
        return
    try:
        path = uploaded(job.upload)
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        table = read_table(path, name=job.file_name)
        result = _check(
            membership, job.organisation, table, job.mapping, tuple(job.ignore), job.layout
        )
    except (LookupError, ValueError) as error:  # ReadError and MappingError are ValueErrors
        _fail(job, [Problem(0, "", None, str(error))], 1)
        return
    if not result.ok:
        _fail(job, result.problems, len(result.problems))
        return
    _update(
        job,
        status=ImportJob.Status.IMPORTING,
        rows_total=result.observations.height,
        rows_done=0,
    )

    def progress(done: int, total: int) -> None:
        _write_progress(job, done, total)

    try:
        summary = store_observations(
            job.organisation,
            result.observations,
            file_name=job.file_name,
            sha256=sha256,
            layout=result.layout,
            source=job.file_name,
            user=job.created_by,
            progress=progress,
            accept_warnings=job.accept_warnings or None,
        )
    except WarningsHeld as held:
        _fail(
            job,
            [
                Problem(
                    row["row"] or 0,
                    "value",
                    str(row["value"]),
                    _(
                        "{unit} {measure} {period}: {warning} (a plausibility warning: import "
                        "the file again and accept the warnings with a reason)"
                    ).format(
                        unit=row["unit"], measure=row["measure"], period=row["period"], warning=text
                    ),
                )
                for row in warning_rows(held.warned)
                for text in row["warnings"]
            ],
            held.warned.height,
        )
        return
    except Exception as error:
        _fail(job, [Problem(0, "", None, _("the import stopped: {error}").format(error=error))], 1)
        raise
    _update(
        job,
        status=ImportJob.Status.DONE,
        rows_done=summary.rows,
        summary=str(summary),
        batch_id=summary.batch_id,
        finished_at=timezone.now(),
    )
    _forget(job)


def _importer(job: ImportJob) -> Membership | None:
    """Return the uploader's membership if they may still import into the job's organisation."""
    if job.created_by is None or not job.created_by.is_active:
        return None
    membership = (
        Membership.objects.select_related("organisation", "unit", "user")
        .filter(user=job.created_by, organisation=job.organisation)
        .first()
    )
    if membership is None or membership.role != Membership.Role.ANALYST:
        return None
    return membership


def job_progress(job: ImportJob) -> tuple[int, int]:
    """Return the rows done and the rows in all, as far as the worker has got."""
    if job.status == ImportJob.Status.IMPORTING:
        try:
            done, total = _progress_path(job).read_text(encoding="ascii").split()
            return int(done), int(total)
        except (OSError, ValueError):
            pass
    return job.rows_done, job.rows_total


def import_job(organisation: Organisation, job_id: int) -> ImportJob:
    """Return the organisation's job ``job_id``; raise ``LookupError`` for anyone else's."""
    try:
        return ImportJob.objects.select_related("created_by").get(
            pk=job_id, organisation=organisation
        )
    except ImportJob.DoesNotExist:
        raise LookupError("No such import.") from None


def recent_jobs(
    organisation: Organisation, membership: Membership, limit: int = 10
) -> list[ImportJob]:
    """Return the latest background imports the member may follow, newest first.

    A job quotes its file's rows, whatever their units: a member scoped to a unit follows
    only their own imports; one covering the organisation follows every import.
    """
    jobs = ImportJob.objects.filter(organisation=organisation)
    if membership.unit_id is not None:
        jobs = jobs.filter(created_by_id=membership.user_id)
    return list(jobs.order_by("-created_at")[:limit])


def _update(job: ImportJob, **changes: object) -> None:
    for name, value in changes.items():
        setattr(job, name, value)
    job.save(update_fields=list(changes))


def _fail(job: ImportJob, problems: list[Problem], count: int) -> None:
    _update(
        job,
        status=ImportJob.Status.FAILED,
        problems=[
            {"row": p.row, "column": p.column, "value": p.value, "reason": p.reason}
            for p in problems[:KEPT_PROBLEMS]
        ],
        problem_count=count,
        summary=ngettext(
            "{count} problem; nothing was stored.", "{count} problems; nothing was stored.", count
        ).format(count=f"{count:,}"),
        finished_at=timezone.now(),
    )
    _forget(job)


# The import's writes are invisible to other connections until it commits, and on SQLite
# any other write waits for it: so the worker writes its progress to a small file beside the
# upload, which the web server (on the same machine or a shared disk) reads.
def _progress_path(job: ImportJob) -> Path:
    return upload_dir() / f"job-{job.pk}.progress"


def _write_progress(job: ImportJob, done: int, total: int) -> None:
    path = _progress_path(job)
    partial = path.with_suffix(".partial")
    partial.write_text(f"{done} {total}", encoding="ascii")
    os.replace(partial, path)


def _forget(job: ImportJob) -> None:
    _progress_path(job).unlink(missing_ok=True)
    with contextlib.suppress(LookupError):
        uploaded(job.upload).unlink(missing_ok=True)
