"""Property-based fuzzing of the whole REST API from its own OpenAPI document
(/api/schema/), in-process through the WSGI application, authenticated as a member who
has conversations: every operation on its own (valid and schema-violating inputs), then
stateful sequences that feed one answer's ids into the next call. No input may cause a
500, every response must match the schema, and every input the schema forbids must be
refused: `schemathesis run --checks all` (less positive-data acceptance: made-up ids
are rightly 404, and before/after/around together rightly 400)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from messaging import services
from messaging.tests.factories import UserFactory, send

load_all_checks()
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,
    response_headers_conformance,
    negative_data_rejection,
    ignored_auth,
    use_after_free,
    ensure_resource_availability,
]


# Loaded once, at collection, from the running application's own /api/schema/.
# (schemathesis.pytest.from_fixture does not work with pytest 9, hence module level.)
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@schema.auth()
class MemberToken:
    """The member's access token, given to schemathesis as the API's authentication, so
    that its ignored-auth check knows what to take away or spoil."""

    token = ""

    def get(self, case, context):
        return MemberToken.token

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open():
    """Called directly, the WSGI application closes the database connection after each
    request (close_old_connections), which would end the test's transaction. Django's
    test client switches that off while it runs; so does this fixture."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def member_with_history(db):
    member, friend, stranger = (
        UserFactory(name="Fuzz Member"),
        UserFactory(name="Fuzz Friend"),
        UserFactory(name="Fuzz Stranger"),
    )
    for index in range(3):
        send(member, friend, f"hello {index}")
        send(friend, member, f"hi back {index}")
    send(stranger, member, "a word from a stranger")
    services.block_user(blocker=member, blocked_user_id=stranger.pk)
    return member


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_breaks_the_api_or_its_schema(case, member_with_history):
    MemberToken.token = str(RefreshToken.for_user(member_with_history).access_token)
    # call_and_validate raises on any failed check (a 500, a shape not in the schema).
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code < 500


class Workflow(schema.as_state_machine()):  # type: ignore[misc]
    """Calls chained by the links schemathesis infers from the schema (a sent message's
    id into mark-as-read and report, a member's id into history, status and block...)."""

    def validate_response(self, response, case, **kwargs):
        case.validate_response(response, checks=CHECKS)


@pytest.mark.django_db
def test_no_sequence_of_calls_breaks_the_api_or_its_schema(member_with_history):
    MemberToken.token = str(RefreshToken.for_user(member_with_history).access_token)
    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
