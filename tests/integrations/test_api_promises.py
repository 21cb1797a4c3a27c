"""The API keeps its promises under bad input: no 500, no HTML, no client text in headers (#6 §3)."""

import json
import os
import subprocess
import sys

import pytest
from django.test import Client, RequestFactory

from apps.integrations.api import errors
from tests.factories import EventFactory, LocationFactory
from tests.integrations.conftest import EVENTS_URL, assert_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/api/v2/events", "/api/v2/events/meeting-456", "/api/v2/locations", "/api/v2/custom-fields"]
)
def test_options_on_an_api_view_describes_it(api, path):
    response = api.client.options(path)

    assert response.status_code == 200
    assert set(response.json()) == {"name", "description", "renders", "parses"}


@pytest.mark.parametrize("path", ["/api/v2/docs", "/api/v2/schema"])
def test_options_on_schema_and_docs_lists_the_methods(path):
    response = Client().options(path)

    assert (response.status_code, response["Allow"], response.content) == (200, "GET, HEAD, OPTIONS", b"")


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        ("/api/v2/events", "cD1hYmM="),  # p=abc
        ("/api/v2/events", "cD0yMDI2"),  # p=2026, a year, not a start time
        ("/api/v2/events", ""),
        ("/api/v2/locations", "cD1hYmM="),
        ("/api/v2/locations", "cD05OTk5OTk5OTk5OTk5OTk5OTk5OTk5"),  # p=99999999999999999999, past bigint
        ("/api/v2/access-partitions", "cD1hYmM="),
        ("/api/v2/custom-fields", "cD0xLjU="),  # p=1.5
    ],
)
def test_hand_made_cursor_is_a_400_problem(api, path, cursor):
    EventFactory(integration=api.integration)
    LocationFactory()

    response = api.get(path, {"cursor": cursor})

    assert_problem(response, 400, errors=[{"field": "cursor", "message": "This cursor is not valid."}])


def test_cursor_from_next_still_pages(api):
    for day in (1, 2):
        EventFactory(integration=api.integration, source_id=f"e{day}")

    first = api.get(EVENTS_URL, {"limit": 1}).json()
    second = api.get(first["next"]).json()

    assert [first["results"][0]["sourceId"], second["results"][0]["sourceId"]] == ["e1", "e2"]


@pytest.mark.parametrize("version", ["\x00", "a\r\nX: 1", '"; x'])
def test_schema_ignores_a_version_parameter(version):
    response = Client().get("/api/v2/schema", {"version": version, "format": "json"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="Visitor Portal API.json"'
    assert response.json()["info"]["version"] == "2"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/api/v2/events/"),
        ("post", "/api/v2/nothing"),
        ("delete", "/api/v1/events"),
        ("patch", "/api/"),
    ],
)
def test_unsafe_method_on_an_unknown_api_path_is_a_404_problem(method, path):
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)(path, "{}", content_type="application/json")

    assert_problem(response, 404, errors=[])


def test_csrf_failure_under_the_api_is_a_403_problem():
    # Every /api/ view is exempt today; the failure view keeps a future cookie-authenticated one JSON.
    response = errors.api_csrf_failure(RequestFactory().put("/api/v2/events"), reason="CSRF cookie not set.")

    assert (response.status_code, response["Content-Type"]) == (403, "application/problem+json")
    assert json.loads(response.content)["detail"] == "This request was refused: it failed the CSRF check."


def test_csrf_failure_outside_the_api_keeps_djangos_page():
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x"})

    assert (response.status_code, response["Content-Type"]) == (403, "text/html; charset=utf-8")


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("delete", "/api/v2/schema", {}, 405),
        ("delete", "/api/v2/docs", {}, 405),
        ("get", "/api/v2/schema", {"Accept": "application/xml"}, 406),
        ("get", "/api/v2/docs", {"Accept": "application/xml"}, 406),
    ],
)
def test_405_and_406_bodies_are_json_problems(api, method, path, headers, status):
    response = getattr(api.client, method)(path, headers=headers)

    body = assert_problem(response, status, errors=[])
    assert body["title"] == {405: "Method Not Allowed", 406: "Not Acceptable"}[status]


def test_chunked_body_is_a_411_problem(api, location):
    response = api.client.generic(
        "PUT", EVENTS_URL, b"", CONTENT_TYPE="application/json", HTTP_TRANSFER_ENCODING="chunked"
    )

    assert_problem(response, 411, errors=[])


@pytest.mark.parametrize("content_type", ["text/plain", "", "application/x-www-form-urlencoded"])
def test_body_that_is_not_json_by_type_is_a_415_problem(api, location, content_type):
    body = json.dumps(
        {"agentToken": str(api.integration.agent_token), "events": [{"sourceId": "a", "name": "A"}]}
    )

    response = api.client.generic("PUT", EVENTS_URL, body, content_type=content_type)

    assert_problem(response, 415, errors=[])
    assert api.integration.events.count() == 0


@pytest.mark.parametrize(
    "parameter", ["updatedSince", "startsAfter", "locationId", "status", "hostEmail", "search", "limit"]
)
def test_empty_filter_value_is_a_400_problem(api, parameter):
    EventFactory(integration=api.integration)

    body = assert_problem(api.get(f"{EVENTS_URL}?{parameter}="), 400)

    assert [error["field"] for error in body["errors"]] == [parameter]


def _settings_in_a_process(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PYTEST_VERSION", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        env={**environment, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_refuses_to_start_without_secret_key_when_debug_is_off(settings):
    result = _settings_in_a_process(DEBUG="0")

    assert result.returncode == 1
    assert "ImproperlyConfigured: SECRET_KEY is not set." in result.stderr


def test_development_and_configured_keys_start():
    assert _settings_in_a_process(DEBUG="1").stdout.startswith("django-insecure-")
    assert _settings_in_a_process(DEBUG="0", SECRET_KEY="s3cret").stdout == "s3cret\n"
