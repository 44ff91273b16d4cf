"""The real OpenID Connect provider on loopback, for the single sign-on tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pmf.web.accounts.sso import forget_discovery
from pmf.web.frameworks.models import Organisation
from tests.sso_provider import MAPPING, Running, running_provider


@pytest.fixture(scope="module")
def provider() -> Iterator[Running]:
    with running_provider() as running:
        yield running


@pytest.fixture
def sso(provider: Running, settings: Any, organisation: Organisation) -> Running:
    """Configure single sign-on with the provider and the test mapping."""
    provider.answer_refresh()  # as the mock answers, whatever the test before said
    settings.PMF_SSO = provider.config(MAPPING)
    forget_discovery()
    return provider
