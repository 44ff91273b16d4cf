"""Enter or correct figures in the browser, through the same checks as an imported file."""

from __future__ import annotations

import hashlib
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pmf.sources.importer import CheckResult, Problem, check_table
from pmf.sources.readers import ROW_NUMBER, Table
from pmf.web.accounts.models import Membership
from pmf.web.frameworks.models import Measure, Organisation, Unit
from pmf.web.frameworks.services import framework_of
from pmf.web.observations.services import ImportSummary, store_observations

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


class EntryRefused(Exception):
    """Raise with the problems that stop a set of figures; nothing is stored."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def enterable_measures(membership: Membership) -> list[Measure]:
    """Return the measures the member may enter figures for: their own, or all for analysts."""
    if membership.role == Membership.Role.ANALYST:
        return list(membership.organisation.measures.select_related("area"))
    if membership.role == Membership.Role.OWNER:
        return list(membership.measures.select_related("area"))
    return []


def enter_figures(
    membership: Membership,
    organisation: Organisation,
    unit: Unit,
    period: str,
    entries: list[Entry],
) -> ImportSummary:
    """Check and store the entered figures, all or none; record who entered them.

    Blank rows are skipped. Raise ``EntryRefused`` naming each problem.
    """
    allowed = {measure.code: measure for measure in enterable_measures(membership)}
    typed = [entry for entry in entries if entry.value or entry.numerator or entry.denominator]
    problems = []
    for entry in typed:
        if entry.measure not in allowed:
            problems.append(f"{entry.measure}: you do not own this measure")
        elif entry.status == "signed_off" and not membership.may_sign_off:
            problems.append(f"{allowed[entry.measure].name}: only an analyst may sign figures off")
    if problems:
        raise EntryRefused(problems)
    if not typed:
        raise EntryRefused(["Enter at least one figure"])
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
    table = Table("the form", list(ENTRY_COLUMNS), frame)
    result = check_table(
        table, framework_of(organisation), source=f"entered by {membership.user.get_username()}"
    )
    if not result.ok:
        names = {code: measure.name for code, measure in allowed.items()}
        raise EntryRefused([_describe(problem, typed, names) for problem in result.problems])
    return store_observations(
        organisation,
        result.observations,
        file_name="data entry",
        sha256="",
        layout="form",
        source=f"entered by {membership.user.get_username()}",
        user=membership.user,
    )


def _describe(problem: Problem, typed: list[Entry], names: dict[str, str]) -> str:
    entry = typed[problem.row - 1] if 0 < problem.row <= len(typed) else None
    name = names.get(entry.measure, entry.measure) if entry else "the form"
    shown = "(empty)" if problem.value is None else repr(problem.value)
    return f"{name}, {problem.column} {shown}: {problem.reason}"


# Uploaded files wait here between the preview and the confirmation, named by a random token.
def upload_dir() -> Path:
    """Return the folder for uploads awaiting confirmation (created when first needed)."""
    from django.conf import settings

    folder = Path(getattr(settings, "PMF_UPLOAD_DIR", Path(tempfile.gettempdir()) / "pmf-uploads"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep_upload(name: str, content: bytes) -> str:
    """Store an uploaded file until it is confirmed; return its token."""
    token = secrets.token_hex(16)
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in (".csv", ".xlsx") else ".csv"
    (upload_dir() / f"{token}{suffix}").write_bytes(content)
    return f"{token}{suffix}"


def uploaded(token: str) -> Path:
    """Return the path of a kept upload; raise ``LookupError`` for a token that is not ours."""
    if not re.fullmatch(r"[0-9a-f]{32}\.(csv|xlsx)", token):
        raise LookupError("That upload is not known; upload the file again.")
    path = upload_dir() / token
    if not path.exists():
        raise LookupError("That upload has expired; upload the file again.")
    return path


def check_upload(organisation: Organisation, path: Path, display_name: str) -> CheckResult:
    """Read and check an uploaded file against the organisation's framework."""
    from pmf.sources.readers import read_table

    table = read_table(path)
    table = Table(display_name, table.columns, table.frame)
    return check_table(table, framework_of(organisation), source=display_name)


def import_upload(
    membership: Membership, organisation: Organisation, token: str, display_name: str
) -> ImportSummary:
    """Check a kept upload again and store it, all or nothing; then forget the file."""
    path = uploaded(token)
    result = check_upload(organisation, path, display_name)
    if not result.ok:
        raise EntryRefused([str(problem) for problem in result.problems[:50]])
    summary = store_observations(
        organisation,
        result.observations,
        file_name=display_name,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        layout=result.layout,
        source=display_name,
        user=membership.user,
    )
    path.unlink(missing_ok=True)
    return summary
