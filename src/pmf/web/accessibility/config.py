"""The organisation's parts of the accessibility statement: a YAML file the deployment supplies.

``PMF_ACCESSIBILITY`` names the file (the examples ship one each: examples/police and
examples/trafford). Every problem names the file, the line and the key::

    accessibility.yaml:14 non_compliance[0].criterion: '1.4.99' is not a WCAG 2.2 A or AA
    success criterion (1.1.1 to 4.1.3)
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from pmf.core.framework.problems import data_path, describe, dotted
from pmf.core.yamlsource import YamlError, load_located
from pmf.web.accessibility.wcag import NAMES

ENVIRONMENT = "PMF_ACCESSIBILITY"
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class ConfigProblem(ValueError):
    """Raise with every problem of an accessibility file, one a line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Strict):
    """Where people ask for another format or report a problem, and how soon they hear back."""

    email: Text
    phone: Text | None = None
    address: Text | None = None
    response_days: int = Field(gt=0, le=60)

    @field_validator("email")
    @classmethod
    def _an_address(cls, value: str) -> str:
        if not EMAIL.fullmatch(value):
            raise ValueError(f"{value!r} is not an email address")
        return value


class NonCompliance(_Strict):
    """Content that fails a success criterion, and when it will be fixed."""

    description: Text
    criterion: Text
    plan: Text
    fix_by: dt.date

    @field_validator("criterion", mode="before")
    @classmethod
    def _a_criterion(cls, value: object) -> object:
        text = str(value).strip()
        if text not in NAMES:
            raise ValueError(
                f"{text!r} is not a WCAG 2.2 A or AA success criterion (1.1.1 to 4.1.3)"
            )
        return text


class Burden(_Strict):
    """Content the organisation claims would be a disproportionate burden to fix."""

    description: Text
    reason: Text
    assessed: dt.date
    reassess_by: dt.date | None = None


class OutOfScope(_Strict):
    """Content the regulations do not cover (a PDF published before 28 September 2018...)."""

    description: Text


class AccessibilityConfig(_Strict):
    """The organisation's parts of the statement."""

    organisation: Text
    site_name: Text
    public_site_name: Text | None = None
    contact: Contact
    northern_ireland: bool = False
    non_compliance: tuple[NonCompliance, ...] = ()
    disproportionate_burden: tuple[Burden, ...] = ()
    out_of_scope: tuple[OutOfScope, ...] = ()
    improvements: Text | None = None
    prepared: dt.date
    reviewed: dt.date | None = None
    tested: dt.date | None = None

    @field_validator("reviewed")
    @classmethod
    def _after_prepared(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        prepared = info.data.get("prepared")
        if value is not None and prepared is not None and value < prepared:
            raise ValueError(f"{value.isoformat()} is before prepared ({prepared.isoformat()})")
        return value

    @property
    def public_name(self) -> str:
        """Return the published site's name: its own, or the site's with 'published scorecards'."""
        return self.public_site_name or f"{self.site_name}: published scorecards"


def load_config(path: Path) -> AccessibilityConfig:
    """Read and check an accessibility file; raise ``ConfigProblem`` naming file, line and key."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigProblem([f"{name}: cannot read the file ({error.strerror})"]) from None
    except UnicodeDecodeError:
        raise ConfigProblem([f"{name}: not UTF-8 text"]) from None
    try:
        located = load_located(text)
    except YamlError as error:
        where = f"{name}:{error.line}" if error.line else name
        raise ConfigProblem([f"{where} {error.message}"]) from None
    if not isinstance(located.data, dict):
        raise ConfigProblem(
            [f"{name}: should be a mapping of keys (organisation, site_name, contact, prepared)"]
        )
    try:
        return AccessibilityConfig.model_validate(located.data)
    except ValidationError as error:
        problems = []
        for detail in error.errors(include_url=False):
            key = data_path(detail["loc"])
            line = located.line_of(key)
            message = (
                detail["msg"].removeprefix("Value error, ")
                if detail["type"] == "value_error"
                else describe(detail)
            )
            problems.append((line, f"{name}:{line} {dotted(key)}: {message}"))
        raise ConfigProblem([text for _, text in sorted(problems)]) from None


def named_file() -> Path | None:
    """Return the file ``PMF_ACCESSIBILITY`` names, or None when it is unset."""
    value = os.environ.get(ENVIRONMENT, "").strip()
    return Path(value) if value else None
