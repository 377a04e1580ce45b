"""Property-based fuzzing of the whole API schema: no input may make the server fail.

Schemathesis reads `/api/schema/`, generates requests for every operation (valid and
invalid bodies, query strings and path parameters) and sends them, authenticated as a
buyer with a token, to the WSGI application. Any 5xx answer fails the test.

The default budget keeps CI around a minute; for a deeper local run:
    FUZZ_EXAMPLES=100 FUZZ_COVERAGE=1 .venv/bin/pytest tests/api/test_fuzz.py
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from dualsource.wsgi import application

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
# The coverage phase (every boundary value of every parameter) is thorough but takes
# minutes on a small machine; it is opt-in.
PHASES = ["examples", "fuzzing"] + (["coverage"] if os.environ.get("FUZZ_COVERAGE") else [])


@pytest.fixture
def keep_test_transaction():
    """Requests go straight to the WSGI handler, whose end-of-request hook would close the
    database connection and with it the test's transaction (Django's test client avoids
    that the same way)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world, buyer, keep_test_transaction):
    token, _ = Token.objects.get_or_create(user=buyer)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    schema.config.update(headers={"Authorization": f"Token {token.key}"})
    schema.config.phases.update(phases=PHASES)
    return schema.include(path_regex="^/api/v1/")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_input_makes_the_server_fail(case):
    case.call_and_validate(checks=[not_a_server_error])
