import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from apps.notifications.models import OutboxMessage
from apps.visits.models import AuditEntry, Event, Invitation
from tests.factories import InvitationFactory
from tests.reception.conftest import visit_now

pytestmark = pytest.mark.django_db

SCAN = reverse("frontdesk:scan")


def _scan(client, code: str):
    return client.post(SCAN, {"code": code}, follow=True)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def assert_nothing_happened(invitation: Invitation, status: str = "INVITED") -> None:
    invitation.refresh_from_db()
    assert invitation.status == status
    assert AuditEntry.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


def test_the_scan_field_is_focused_and_empty(client, reception):
    client.force_login(reception)

    body = client.get(SCAN).content.decode()

    assert 'name="code"' in body
    assert "autofocus" in body


def test_scanning_a_code_checks_the_guest_in(
    client, reception, berlin_guest, django_capture_on_commit_callbacks
):
    client.force_login(reception)

    with django_capture_on_commit_callbacks(execute=True):
        response = _scan(client, berlin_guest.token)

    berlin_guest.refresh_from_db()
    assert berlin_guest.status == "CHECKED_IN"
    assert response.redirect_chain == [(f"{SCAN}?location={berlin_guest.event.location_id}", 302)]
    assert _messages(response)[0].startswith("Checked in: Grace Hopper (Navy). Ada Lovelace has been told.")
    assert len(mail.outbox) == 1


def test_scanning_twice_says_already_on_site_and_changes_nothing(client, reception, berlin_guest):
    client.force_login(reception)
    _scan(client, berlin_guest.token)
    checked_in_at = Invitation.objects.get(pk=berlin_guest.pk).checked_in_at

    response = _scan(client, berlin_guest.token)

    assert _messages(response)[0].startswith("Grace Hopper (Navy) is already on site")
    assert Invitation.objects.get(pk=berlin_guest.pk).checked_in_at == checked_in_at
    assert AuditEntry.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


def test_an_unknown_code(client, reception, berlin_guest):
    client.force_login(reception)

    response = _scan(client, "no-such-code")

    assert _messages(response) == ["Unknown code: no invitation has this QR code."]
    assert_nothing_happened(berlin_guest)


def test_a_code_for_another_location(client, reception, prague_guest):
    client.force_login(reception)

    response = _scan(client, prague_guest.token)

    assert _messages(response) == ["This guest is expected at another location (Prague Office)."]
    assert_nothing_happened(prague_guest)


def test_a_cancelled_code(client, reception, berlin_guest):
    Event.objects.filter(pk=berlin_guest.event_id).update(
        status="CANCELLED", cancelled_at=berlin_guest.created_at
    )
    client.force_login(reception)

    response = _scan(client, berlin_guest.token)

    assert _messages(response) == ["This invitation has been cancelled: do not let them in."]
    assert_nothing_happened(berlin_guest)


def test_a_code_for_another_day(client, reception, berlin, host):
    tomorrow = visit_now(berlin, host=host)
    Event.objects.filter(pk=tomorrow.pk).update(
        starts_at=tomorrow.starts_at + dt.timedelta(days=2), ends_at=tomorrow.ends_at + dt.timedelta(days=2)
    )
    guest = InvitationFactory(event=tomorrow)
    client.force_login(reception)

    response = _scan(client, guest.token)

    assert _messages(response)[0].startswith("This guest is not expected today: the visit is on ")
    assert_nothing_happened(guest)
