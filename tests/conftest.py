from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from hypothesis import settings as hypothesis_settings

from pmf.core.framework import Framework, load_framework
from pmf.sources.importer import check_table
from pmf.sources.readers import read_table
from pmf.web.accounts.models import Membership
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import framework_of, store_framework
from pmf.web.observations.services import store_observations
from tests.factories import FIGURES, GOOD, RISK_REGISTER, member

# Property tests: modest example counts in CI (CI=true), more on a laptop; HYPOTHESIS_PROFILE
# chooses another. No deadline: a shared CI machine is slow in bursts, and speed is measured in
# benchmarks/, not asserted.
hypothesis_settings.register_profile("ci", max_examples=50, deadline=None)
hypothesis_settings.register_profile("dev", max_examples=100, deadline=None)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(autouse=True, scope="session")
def _own_page_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Give the test run a shared page cache of its own, in a new folder.

    The cache of computed pages is files (ADR 0022) in a folder named after the database, and
    every test run uses a database of the same name: without this, two runs on one machine
    (or a run and a stale folder) would read each other's results and claims.
    """
    from django.conf import settings
    from django.test import override_settings

    # Files even where PMF_CACHE_URL names a Redis server: the run's results stay its own.
    pages = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path_factory.mktemp("pages")),
        "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 4},
    }
    with override_settings(CACHES={**settings.CACHES, "pages": pages}):
        yield


@pytest.fixture(autouse=True, scope="session")
def _flush_empties_the_audit_trail() -> Iterator[None]:
    """Let a transactional test's flush empty the append-only audit table on SQLite.

    The trigger refuses DELETE, and SQLite has no TRUNCATE (PostgreSQL's flush truncates, which
    is no row change): so the test database's flush drops the trigger, deletes, and adds it
    again. Only the flush between tests; every other DELETE is still refused.
    """
    import importlib

    from django.db.backends.sqlite3 import base  # before its operations: they import each other

    DatabaseOperations = base.DatabaseOperations

    triggers = importlib.import_module("pmf.web.audit.migrations.0002_append_only")
    original = DatabaseOperations.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        self_assessments = original(self, style, tables, **kwargs)
        if triggers.TABLE not in tables:
            return self_assessments
        return [*triggers.SQLITE_REVERSE, *self_assessments, *triggers.SQLITE]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _english_after_each_test() -> Iterator[None]:
    """End every test in English: a request in Welsh leaves Welsh active in its thread.

    Django's LocaleMiddleware activates each request's language and does not undo it, so a
    test client's Welsh request would otherwise make the next test's sentences Welsh.
    """
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Start every test with an empty cache: each test's database starts empty too."""
    from django.core.cache import cache, caches

    from pmf.web.frameworks import services

    cache.clear()
    caches["pages"].clear()
    services._FRAMEWORKS.clear()


@pytest.fixture
def framework() -> Framework:
    return load_framework(GOOD)


@pytest.fixture
def framework_file(tmp_path: Path) -> Path:
    path = tmp_path / "framework.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path


@pytest.fixture
def organisation(tmp_path: Path) -> Organisation:
    organisation = store_framework(load_framework(GOOD), "framework.yaml")
    path = tmp_path / "figures.csv"
    path.write_text(FIGURES, encoding="utf-8")
    result = check_table(read_table(path), framework_of(organisation))
    assert result.ok, result.problems
    store_observations(
        organisation, result.observations, file_name="figures.csv", sha256="x", layout=result.layout
    )
    return organisation


# Named users, as in healthchecks' Alice, Bob and Charlie: one per role and scope.
@pytest.fixture
def analyst(organisation: Organisation) -> User:
    return member("analyst", organisation, Membership.Role.ANALYST)


@pytest.fixture
def command_lead(organisation: Organisation) -> User:
    return member("command_lead", organisation, Membership.Role.COMMAND_LEAD, unit="N")


@pytest.fixture
def other_org_user(organisation: Organisation) -> User:
    other = store_framework(load_framework(GOOD.replace("code: TST", "code: OTHER")))
    return member("other_org_user", other, Membership.Role.ANALYST)


@pytest.fixture
def owner(organisation: Organisation) -> User:
    from pmf.web.frameworks.models import Measure

    user = member("owner", organisation, Membership.Role.OWNER, unit="N")
    user.membership.measures.set([Measure.objects.get(organisation=organisation, code="ER")])
    return user


@pytest.fixture
def moderator(organisation: Organisation) -> User:
    return member("moderator", organisation, Membership.Role.MODERATOR)


@pytest.fixture
def board_member(organisation: Organisation) -> User:
    return member("board_member", organisation, Membership.Role.BOARD_MEMBER)


@pytest.fixture
def viewer(organisation: Organisation) -> User:
    return member("viewer", organisation, Membership.Role.VIEWER)


@pytest.fixture
def risk_register(organisation: Organisation) -> Organisation:
    """The test organisation with a weighted risk register and its redline measure."""
    text = GOOD.replace("peer_groups:", RISK_REGISTER + "peer_groups:", 1)
    return store_framework(load_framework(text), "framework.yaml")


@pytest.fixture
def cycles(organisation: Organisation, analyst: User) -> Cycle:
    """Two locked cycles (June and July 2019), the second with a board's agreed grade."""
    from pmf.web.cycles import services

    first = services.create_cycle(organisation, number=1, name="Spring", cut_off="2018-07")
    services.lock_cycle(first, analyst.membership)
    second = services.create_cycle(organisation, number=2, name="Summer", cut_off="2019-07")
    services.lock_cycle(second, analyst.membership)
    second.refresh_from_db()
    return second
