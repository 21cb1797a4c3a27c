"""Schemathesis over the served schema, in-process (the WSGI app, no server): every operation, every
check, positive and negative data, with a real token and the integration's real agentToken so that
PUT /events reaches the engine. Fails on any 5xx and on any answer the schema does not describe."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection

from apps.integrations.models import Integration
from tests.factories import EntranceFactory, IntegrationFactory

schema = schemathesis.openapi.from_wsgi("/api/v2/schema?format=json", get_wsgi_application())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    # Bounded so the whole run stays well under a minute on two cores; deterministic so a failure
    # reproduces, and no example database left behind in the repository.
    max_examples=100,
    deterministic=True,
    database="none",
    # Text with NUL is refused by contract (PostgreSQL cannot store it); the schema's strings do not say so.
    allow_x00=False,
    # OpenAPI does not forbid unknown query parameters, and the API ignores them, as HTTP APIs do.
    allow_extra_parameters=False,
)
# Too many events is refused as too large (413), as the schema declares, rather than as malformed.
schema.config.checks.negative_data_rejection.expected_statuses += ["413"]

_state: dict[str, Any] = {}


@pytest.fixture
def fuzzed_integration(db) -> Iterator[Integration]:
    integration = IntegrationFactory(name="Fuzzed calendar")
    entrance = EntranceFactory()
    _state.update(integration=integration, location_id=entrance.location_id)
    # The real WSGI handler closes "old" connections around each request, which would close the test's
    # own (inside its transaction); Django's test client disconnects the same handler for this reason.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield integration
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _with_real_ids(case: Any) -> None:
    """The generated agentToken is a random UUID (a 403): where it is a well-formed one, use the real
    token, and send events to the real location, so valid bodies get past the envelope to the engine."""
    body = case.body
    if not isinstance(body, dict):
        return
    token = body.get("agentToken")
    if isinstance(token, str):
        try:
            uuid.UUID(token)
        except ValueError:
            return
        if len(token) == 36:
            body["agentToken"] = str(_state["integration"].agent_token)
    if case.meta is not None and case.meta.generation.mode.is_positive:
        for event in body.get("events") or []:
            if isinstance(event, dict) and isinstance(event.get("locationId"), int):
                event["locationId"] = _state["location_id"]


def _without_hand_made_cursor(case: Any) -> None:
    # A cursor is opaque: only one taken from `next` is valid, and a made-up one is a 400 by design
    # (test_api_promises), so positive examples cannot invent one.
    if case.meta is not None and case.meta.generation.mode.is_positive and case.query:
        case.query.pop("cursor", None)


def _public_webhook_url(case: Any) -> None:
    # A generated host name resolves nowhere (a 400, as the SSRF guard says); a valid registration needs
    # a host with a public address, and an IP literal needs no DNS.
    body = case.body
    if case.meta is not None and case.meta.generation.mode.is_positive and isinstance(body, dict):
        body["url"] = "https://93.184.215.14/hooks"


def _integral_floats_as_integers(value: Any) -> Any:
    # JSON Schema counts 5.0 as an integer; the parser, by contract, wants the literal 5 (5.0 is a 400,
    # tests/integrations/test_sync_request_errors.py). No schema keyword can tell the two apart.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _integral_floats_as_integers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral_floats_as_integers(item) for item in value]
    return value


def invalid_sync_refused(ctx: Any, response: Any, case: Any) -> None:
    """negative_data_rejection for PUT /events, as its contract has it.

    What breaks the envelope or a type is a 400; what an event means (no sourceId, an unknown language,
    a malformed host email) is judged per event, so a schema-violating event is refused with an error
    status inside a 200. Accepted is only what comes back with every event a SUCCESS.
    """
    if case.meta is None or not case.meta.generation.mode.is_negative or response.status_code != 200:
        return
    statuses = [event["status"] for event in response.json()["events"]]
    assert any(status != "SUCCESS" for status in statuses), f"Schema-violating sync accepted: {statuses}"


@pytest.mark.django_db
@schema.parametrize()
# One integration for all examples of an operation is the point: the engine sees what came before.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
def test_api_answers_as_its_schema_says(case, fuzzed_integration):
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if case.method in ("PUT", "POST") and positive:
        case.body = _integral_floats_as_integers(case.body)
    if case.method == "PUT":
        _with_real_ids(case)
    if case.method == "POST" and case.path == "/api/v2/webhooks":
        _public_webhook_url(case)
    _without_hand_made_cursor(case)
    headers = {"Authorization": f"Bearer {fuzzed_integration.plain_token}"}
    if case.method == "PUT":
        case.call_and_validate(
            headers=headers,
            excluded_checks=[negative_data_rejection],
            additional_checks=[invalid_sync_refused],
        )
    else:
        case.call_and_validate(headers=headers)
