"""Fuzz the API from its own OpenAPI document (schemathesis, in-process through WSGI): whatever
it sends, valid or not, no answer is a 500, and every answer has a status, content type and body
that the document declares for that operation."""

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# Random codes and times almost never name a region or category that exists or a plausible
# moment: half of the generated bodies get real ones, so that the fuzzing reaches the actions
# and their 201 answers too (Ngadisari is a village of Sukapura, in the camat's territory).
REAL = {
    "region": "35.13.01.2001",
    "category": "logistik",
    "observed_at": "2024-11-20T10:00:00+07:00",
}


@pytest.fixture
def same_connection(db):
    """Requests through the WSGI application share the test's database connection and its
    transaction: Django must not close "old" connections at the start and end of each (the
    test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(same_connection):
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

    @loaded.hook
    def flatmap_body(context, body):
        if not isinstance(body, dict):
            return st.just(body)
        real = {k: v for k, v in REAL.items() if k in body}
        return st.sampled_from([body, {**body, **real}])

    return loaded


@pytest.fixture
def bearer(key_for):
    """A fresh token per call (one case may revoke its token) of a camat: a territory with
    villages, reports and problems, and the right to act on them."""
    return lambda: {"Authorization": f"Bearer {key_for('camat-sukapura')}"}


pytestmark = pytest.mark.hostile

schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis.settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_request_as_its_document_says(case, bearer):
    case.call_and_validate(headers=bearer(), checks=CHECKS)


STATEFUL = hypothesis.settings(
    max_examples=8,
    stateful_step_count=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_sequences_of_calls_hold_too(api_schema, bearer):
    """The stateful phase: schemathesis chains calls through the links it infers (a report
    created, then fetched, photographed, listed; a problem created, then acted on), bounded to
    a few short sequences. No 5xx, and every answer as the document says."""
    machine = api_schema.as_state_machine()
    calls = []

    class Workflow(machine):
        def after_call(self, response, case):
            calls.append((case.operation.label, response.status_code))

        def get_call_kwargs(self, case):
            return {"headers": bearer()}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Workflow.run(settings=STATEFUL)
    assert len(calls) >= 8  # the sequences really ran
    assert all(status < 500 for _label, status in calls)
