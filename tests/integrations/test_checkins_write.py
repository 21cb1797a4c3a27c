"""POST /api/v2/check-ins and /check-ins/{id}/check-out: the front desk's services, through the API."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.utils import timezone

from apps.notifications.models import OutboxMessage
from apps.visits.models import AuditEntry, CheckIn, Event, Invitation
from apps.webhooks.models import WebhookDelivery
from tests.factories import EntranceFactory, IntegrationFactory, LocationFactory
from tests.integrations.checkins_helpers import CHECK_INS_URL, arrive, grant, guest_of
from tests.visits.conftest import db_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def berlin():
    return LocationFactory(name="Berlin HQ", timezone="Europe/Berlin")


def now_ish() -> dt.datetime:
    # The visit runs from an hour ago to an hour from now: today wherever the location is.
    return timezone.now() - dt.timedelta(hours=1)


@pytest.fixture
def guest(integration, berlin):
    return guest_of(
        location=berlin,
        integration=integration,
        event_source_id="meeting-456",
        guest_source_id="guest-101",
        starts_at=now_ish(),
    )


def post(api, body, path=CHECK_INS_URL, **extra):
    return api.client.post(path, json.dumps(body), content_type="application/json", **extra)


def state() -> dict:
    return {
        **db_state(),
        "check_ins": list(CheckIn.objects.order_by("id").values()),
        "deliveries": list(WebhookDelivery.objects.order_by("id").values()),
    }


def assert_problem_409(response, code: str) -> None:
    assert response.status_code == 409, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["code"], body["errors"]) == (409, code, [])


def test_checking_in_by_invitation_id_answers_201_with_the_new_check_in(
    api, guest, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, {"invitation": {"id": guest.pk}}, HTTP_X_REQUEST_ID="req-1")

    assert response.status_code == 201, response.content
    check_in = CheckIn.objects.get()
    body = response.json()
    assert (body["id"], body["state"], body["leftAt"], body["invitation"]) == (
        check_in.pk,
        "ON_SITE",
        None,
        {"id": guest.pk, "sourceId": "guest-101"},
    )
    assert response["X-Request-ID"] == "req-1"
    guest.refresh_from_db()
    assert (guest.status, guest.checked_in_at) == (Invitation.Status.CHECKED_IN, check_in.arrived_at)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.door, entry.actor, entry.request_id) == (
        "checked_in",
        "api",
        "Integration: HR calendar",
        "req-1",
    )


def test_checking_in_through_the_api_tells_the_host_once_as_the_desk_does(
    api, guest, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(api, {"invitation": {"id": guest.pk}})
    with django_capture_on_commit_callbacks(execute=True):
        again = post(api, {"invitation": {"id": guest.pk}})

    assert again.status_code == 200
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["Ada Lovelace <ada@example.com>"], "Your guest has arrived: John Smith")
    ]
    assert list(OutboxMessage.objects.values_list("kind", "status")) == [("ARRIVAL", "SENT")]


def test_a_double_scan_answers_200_with_the_current_check_in(api, guest):
    first = post(api, {"invitation": {"id": guest.pk}})
    second = post(api, {"invitation": {"id": guest.pk}})

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert CheckIn.objects.count() == 1


def test_checking_in_by_own_source_ids(api, guest):
    response = post(api, {"invitation": {"sourceId": "guest-101", "eventSourceId": "meeting-456"}})

    assert response.status_code == 201
    assert response.json()["event"]["sourceId"] == "meeting-456"


def test_checking_in_by_the_qr_code_with_an_entrance(api, guest, berlin):
    entrance = EntranceFactory(location=berlin, name="North gate")

    response = post(api, {"code": guest.token, "entranceId": entrance.pk})

    assert response.status_code == 201
    assert response.json()["entranceId"] == entrance.pk
    assert CheckIn.objects.get().entrance_id == entrance.pk


def test_a_granted_location_lets_the_integration_check_in_a_portal_guest(api, integration, berlin):
    portal_guest = guest_of(
        location=berlin, integration=None, event_source_id="portal-1", starts_at=now_ish()
    )
    grant(integration, berlin)

    response = post(api, {"invitation": {"id": portal_guest.pk}})

    assert response.status_code == 201
    assert response.json()["event"]["sourceId"] is None


def test_checking_out_answers_200_left_and_again_unchanged(api, guest, django_capture_on_commit_callbacks):
    check_in_id = post(api, {"invitation": {"id": guest.pk}}).json()["id"]

    with django_capture_on_commit_callbacks(execute=True):
        first = api.client.post(f"{CHECK_INS_URL}/{check_in_id}/check-out")
    second = api.client.post(f"{CHECK_INS_URL}/{check_in_id}/check-out")

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["state"] == "LEFT"
    assert second.json() == first.json()
    guest.refresh_from_db()
    assert guest.status == Invitation.Status.CHECKED_OUT
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "checked_in",
        "checked_out",
    ]


# --- refused: nothing changes, nothing is sent ----------------------------------------------------


def refused(api, body, django_capture_on_commit_callbacks, path=CHECK_INS_URL):
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, body, path)
    assert state() == before
    assert mail.outbox == []
    return response


@pytest.fixture
def foreign_guest(berlin):
    other = IntegrationFactory(name="Other calendar")
    return guest_of(
        location=berlin,
        integration=other,
        event_source_id="meeting-456",
        guest_source_id="guest-101",
        starts_at=now_ish(),
    )


def test_another_integration_s_guest_is_a_404(api, foreign_guest, django_capture_on_commit_callbacks):
    for body in (
        {"invitation": {"id": foreign_guest.pk}},
        {"code": foreign_guest.token},
        # The same sourceIds name nothing of this integration's own.
        {"invitation": {"sourceId": "guest-101", "eventSourceId": "meeting-456"}},
    ):
        response = refused(api, body, django_capture_on_commit_callbacks)
        assert (response.status_code, response.json()["status"]) == (404, 404)


def test_checking_out_another_integration_s_check_in_is_a_404(
    api, foreign_guest, django_capture_on_commit_callbacks
):
    check_in = arrive(foreign_guest, timezone.now())

    response = refused(
        api, {}, django_capture_on_commit_callbacks, path=f"{CHECK_INS_URL}/{check_in.pk}/check-out"
    )

    assert response.status_code == 404


def test_an_unknown_code_is_a_404(api, guest, django_capture_on_commit_callbacks):
    assert refused(api, {"code": "not-a-code"}, django_capture_on_commit_callbacks).status_code == 404


def test_a_cancelled_guest_is_refused_with_409(api, guest, django_capture_on_commit_callbacks):
    Invitation.objects.filter(pk=guest.pk).update(
        status="CANCELLED", cancelled_at=timezone.now(), cancel_reason="REMOVED"
    )

    response = refused(api, {"invitation": {"id": guest.pk}}, django_capture_on_commit_callbacks)

    assert_problem_409(response, "INVITATION_CANCELLED")


def test_a_guest_of_a_cancelled_event_is_refused_with_409(api, guest, django_capture_on_commit_callbacks):
    Event.objects.filter(pk=guest.event_id).update(status="CANCELLED", cancelled_at=timezone.now())

    response = refused(api, {"invitation": {"id": guest.pk}}, django_capture_on_commit_callbacks)

    assert_problem_409(response, "INVITATION_CANCELLED")


def test_a_guest_expected_another_day_is_refused_with_409(
    api, integration, berlin, django_capture_on_commit_callbacks
):
    later = guest_of(
        location=berlin, integration=integration, starts_at=timezone.now() + dt.timedelta(days=3)
    )

    response = refused(api, {"invitation": {"id": later.pk}}, django_capture_on_commit_callbacks)

    assert_problem_409(response, "NOT_EXPECTED_TODAY")


def test_an_entrance_of_another_location_is_refused_with_409(api, guest, django_capture_on_commit_callbacks):
    elsewhere = EntranceFactory(location=LocationFactory(name="Prague"))

    response = refused(
        api, {"invitation": {"id": guest.pk}, "entranceId": elsewhere.pk}, django_capture_on_commit_callbacks
    )

    assert_problem_409(response, "ENTRANCE_NOT_AT_LOCATION")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, [""]),
        ([], [""]),
        ({"invitation": {"id": 1}, "code": "abc"}, [""]),
        ({"invitation": {"id": "1"}}, ["invitation.id"]),
        ({"invitation": {"id": 0}}, ["invitation.id"]),
        ({"invitation": {"id": True}}, ["invitation.id"]),
        ({"invitation": {"id": 1, "sourceId": "g"}}, ["invitation"]),
        ({"invitation": {"sourceId": "g"}}, ["invitation.eventSourceId"]),
        (
            {"invitation": {"sourceId": "", "eventSourceId": 5}},
            ["invitation.sourceId", "invitation.eventSourceId"],
        ),
        ({"invitation": "5012"}, ["invitation"]),
        ({"invitation": {"id": 1, "extra": 1}}, ["invitation.extra"]),
        ({"code": ""}, ["code"]),
        ({"code": 5}, ["code"]),
        ({"code": "abc", "entranceId": "2"}, ["entranceId"]),
        ({"code": "abc", "when": "now"}, ["when"]),
    ],
)
def test_a_malformed_body_is_a_400_naming_every_field(
    api, guest, body, fields, django_capture_on_commit_callbacks
):
    response = refused(api, body, django_capture_on_commit_callbacks)

    assert response.status_code == 400, response.content
    assert [error["field"] for error in response.json()["errors"]] == fields


def test_a_body_that_is_not_json_is_a_400(api, guest):
    before = state()
    response = api.client.post(CHECK_INS_URL, "{not json", content_type="application/json")

    assert (response.status_code, response["Content-Type"]) == (400, "application/problem+json")
    assert state() == before
