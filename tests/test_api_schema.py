"""The API against its own live schema: schemathesis generates requests from it, as the roles
would send them, and every answer must be no server error and must conform to the schema.

It runs in-process through the WSGI application, with real tokens and real data, and counts
the requests it made (printed at the end of the run).
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import services as token_services
from tests.factories import (
    ActivityFactory,
    CommitmentFactory,
    DeadlineChangeFactory,
    DocumentFactory,
    FollowUpLetterFactory,
)

pytestmark = pytest.mark.django_db

APP = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", APP)
GENERATED = {"requests": 0}
# No server error, and every status code, content type, header and body as the schema says.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def keys(cast):
    """A world with a record of each kind, and a token per role."""
    for team in (cast.team, cast.other_team):
        commitment = CommitmentFactory(team=team, owner=None)
        DeadlineChangeFactory(commitment=commitment, requested_by=cast.official)
        FollowUpLetterFactory(team=team).commitments.add(commitment)
        ActivityFactory(team=team)
    DocumentFactory()
    return {
        role: token_services.token_create(actor=user, user=user, name="schemathesis")[1]
        for role, user in (
            ("official", cast.official),
            ("manager", cast.manager),
            ("staff", cast.staff),
        )
    }


@pytest.fixture
def in_process():
    # The test's transaction must survive each request: Django's test client does the same.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_server_error_and_every_answer_conforms_to_the_schema(case, keys, in_process):
    for role in ("official", "manager", "staff"):
        GENERATED["requests"] += 1
        case.call_and_validate(headers={"Authorization": f"Token {keys[role]}"}, checks=CHECKS)


def test_print_how_many_requests_were_generated(capsys):
    with capsys.disabled():
        print(f"\nschemathesis: {GENERATED['requests']} generated requests against the API")
    assert GENERATED["requests"] > 0
