"""Schemathesis against /api/openapi.json, in process: no server errors, answers as documented.

Every operation is called with requests generated from the schema (valid and not), signed in
with an analyst's token, inside the test organisation (``org`` is fixed to TST, so that the
requests reach the figures rather than stopping at 404). Each answer must not be a server
error, must use a status the schema lists for the operation, and must match that status's
documented body.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from pmf.web.api.services import issue_token
from pmf.web.config.wsgi import application

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Keep the test's database connection through the WSGI calls, as Django's test client does.

    A request's end closes the connection (``close_old_connections``): on PostgreSQL that
    would end the test's transaction and its data.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(organisation: object) -> Any:
    return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def key(analyst: User) -> str:
    return issue_token(analyst, "schemathesis")[1]


OPERATIONS = [
    "GET /api/organisations/{org}/units",
    "GET /api/organisations/{org}/measures",
    "GET /api/organisations/{org}/observations",
    "POST /api/organisations/{org}/observations",
    "GET /api/organisations/{org}/assessments",
    "GET /api/organisations/{org}/scores",
    "GET /api/organisations/{org}/reporting-delay",
    "GET /api/organisations/{org}/commentary",
    "POST /api/organisations/{org}/commentary",
    "GET /api/organisations/{org}/schedules",
    "POST /api/organisations/{org}/schedules",
    "GET /api/organisations/{org}/sent",
    "DELETE /api/organisations/{org}/schedules/{schedule_id}",
]


@pytest.mark.parametrize("label", OPERATIONS)
def test_every_operation_answers_as_its_schema_says(label: str, api_schema: Any, key: str) -> None:
    method, path = label.split(" ")
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def answers_as_documented(case: Any) -> None:
        case.path_parameters = {**(case.path_parameters or {}), "org": "TST"}
        case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)

    answers_as_documented()


def test_the_schema_lists_every_operation(api_schema: Any) -> None:
    labels = {result.ok().label for result in api_schema.get_all_operations()}
    assert labels == set(OPERATIONS)
