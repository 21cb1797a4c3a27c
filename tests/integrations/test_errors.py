"""Nothing from /api/ is an HTML error page: every failure is a problem document."""

import pytest
from django.core.exceptions import RequestDataTooBig
from django.test import Client, RequestFactory

from apps.integrations.api import errors, views
from tests.integrations.conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v2/nothing-here", "/api/v2/events/", "/api/v1/events", "/api/"])
def test_unknown_api_path_is_a_404_problem(path):
    body = assert_problem(Client().get(path), 404, errors=[])

    assert body == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "There is nothing at this address.",
        "errors": [],
    }


@pytest.mark.parametrize("path", ["/api/v2/nothing-here", "/api/v1/events"])
def test_unknown_api_path_is_a_problem_even_with_debug(settings, path):
    settings.DEBUG = True

    assert_problem(Client().get(path), 404)


def test_pages_outside_the_api_keep_djangos_html_404():
    response = Client().get("/no-such-page")

    assert (response.status_code, response["Content-Type"]) == (404, "text/html; charset=utf-8")


def test_unsupported_method_is_a_405_problem(api):
    response = api.client.delete("/api/v2/events")

    body = assert_problem(response, 405, errors=[])
    assert body["detail"] == 'Method "DELETE" not allowed.'
    assert response["Allow"] == "GET, PUT, HEAD, OPTIONS"


def test_unacceptable_accept_header_is_a_406_problem(api):
    response = api.client.get("/api/v2/events", headers={"Accept": "text/html"})

    assert_problem(response, 406)


def test_server_error_in_a_view_is_a_500_problem(integration, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(views, "location_list_active", broken)
    client = ApiClient(integration)
    client.client.raise_request_exception = False

    body = assert_problem(client.get("/api/v2/locations"), 500, errors=[])

    assert body["detail"] == "The server failed to answer this request. It is safe to send it again."


def test_server_error_is_a_problem_even_with_debug(integration, monkeypatch, settings):
    settings.DEBUG = True
    monkeypatch.setattr(views, "location_list_active", lambda: 1 / 0)
    client = ApiClient(integration)
    client.client.raise_request_exception = False

    assert_problem(client.get("/api/v2/locations"), 500, errors=[])


def test_server_error_reaches_djangos_error_reporting(integration, monkeypatch):
    monkeypatch.setattr(views, "location_list_active", lambda: 1 / 0)

    # The test client re-raises what Django's got_request_exception signal reports.
    with pytest.raises(ZeroDivisionError):
        ApiClient(integration).get("/api/v2/locations")


def test_server_error_in_the_engine_is_a_500_problem(integration, location, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(views, "events_sync", broken)
    client = ApiClient(integration)
    client.client.raise_request_exception = False

    response = client.put_events([{"sourceId": "meeting-456", "name": "Board meeting"}])

    assert_problem(response, 500)


def test_suspicious_request_is_a_400_problem():
    response = Client().get("/api/v2/events", headers={"Host": "attacker.example"})

    assert_problem(response, 400, errors=[])


def test_body_too_large_seen_by_django_is_a_413_problem():
    request = RequestFactory().put("/api/v2/events")

    response = errors.api_handler400(request, RequestDataTooBig())

    assert (response.status_code, response["Content-Type"]) == (413, "application/problem+json")


def test_validation_details_become_field_paths():
    detail = {"limit": ["Too big."], "events": [{"name": ["Blank."]}, {}], "non_field_errors": ["Odd."]}

    assert errors._flatten(detail) == [
        errors.ProblemField(field="limit", message="Too big."),
        errors.ProblemField(field="events[0].name", message="Blank."),
        errors.ProblemField(field="", message="Odd."),
    ]
