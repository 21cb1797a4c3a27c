import pytest
from django.core import mail
from django.urls import reverse

from apps.notifications.models import OutboxMessage
from apps.visits.models import AuditEntry, Invitation

pytestmark = pytest.mark.django_db


def _check_in_url(invitation) -> str:
    return reverse("frontdesk:check_in", args=[invitation.pk])


def _check_out_url(invitation) -> str:
    return reverse("frontdesk:check_out", args=[invitation.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def assert_nothing_happened(invitation: Invitation, status: str = "INVITED") -> None:
    invitation.refresh_from_db()
    assert (invitation.status, invitation.checked_in_at) == (status, None)
    assert AuditEntry.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


def test_check_in_button_checks_in_records_the_user_and_tells_the_host(
    client, reception, berlin_guest, django_capture_on_commit_callbacks
):
    client.force_login(reception)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _check_in_url(berlin_guest), {"next": "/admin/frontdesk/?q=grace"}, follow=True
        )

    berlin_guest.refresh_from_db()
    assert berlin_guest.status == "CHECKED_IN"
    assert response.redirect_chain == [("/admin/frontdesk/?q=grace", 302)]
    assert _messages(response) == [
        "Checked in: Grace Hopper (Navy). Ada Lovelace has been told. "
        f'<a href="/admin/frontdesk/invitations/{berlin_guest.pk}/badge/">Print badge</a>'
    ]
    assert AuditEntry.objects.get().actor == "User: rita"
    assert [m.subject for m in mail.outbox] == ["Your guest has arrived: Grace Hopper"]


def test_a_foreign_next_address_is_not_followed(client, reception, berlin_guest):
    client.force_login(reception)

    response = client.post(_check_in_url(berlin_guest), {"next": "https://evil.example/"})

    assert response["Location"] == f"/admin/frontdesk/?location={berlin_guest.event.location_id}"


def test_a_double_click_checks_in_once(client, reception, berlin_guest, django_capture_on_commit_callbacks):
    client.force_login(reception)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_check_in_url(berlin_guest))
        response = client.post(_check_in_url(berlin_guest), follow=True)

    assert _messages(response)[-1].startswith("Grace Hopper (Navy) is already on site (since ")
    assert AuditEntry.objects.count() == 1
    assert len(mail.outbox) == 1


def test_check_out_button(client, reception, berlin_guest):
    client.force_login(reception)
    client.post(_check_in_url(berlin_guest))

    response = client.post(_check_out_url(berlin_guest), follow=True)

    berlin_guest.refresh_from_db()
    assert berlin_guest.status == "CHECKED_OUT"
    assert _messages(response)[-1] == "Checked out: Grace Hopper (Navy)."


def test_check_in_of_another_locations_guest_is_a_404_and_changes_nothing(client, reception, prague_guest):
    client.force_login(reception)

    assert client.post(_check_in_url(prague_guest)).status_code == 404
    assert_nothing_happened(prague_guest)


def test_check_out_of_another_locations_guest_is_a_404(client, reception, prague_guest):
    client.force_login(reception)

    assert client.post(_check_out_url(prague_guest)).status_code == 404
    assert_nothing_happened(prague_guest)


def test_check_in_needs_a_post(client, reception, berlin_guest):
    client.force_login(reception)

    assert client.get(_check_in_url(berlin_guest)).status_code == 405
    assert_nothing_happened(berlin_guest)


def test_a_cancelled_guest_is_refused_with_the_reason(client, reception, berlin_guest):
    Invitation.objects.filter(pk=berlin_guest.pk).update(
        status="CANCELLED", cancel_reason="REMOVED", cancelled_at=berlin_guest.created_at
    )
    client.force_login(reception)

    response = client.post(_check_in_url(berlin_guest), follow=True)

    assert _messages(response) == [
        "Grace Hopper (Navy): This invitation has been cancelled: do not let them in."
    ]
    assert_nothing_happened(berlin_guest, status="CANCELLED")


def test_staff_without_the_front_desk_permission_cannot_check_in(client, berlin, berlin_guest):
    from tests.reception.conftest import staff_user

    clerk = staff_user("clerk", role=None, locations=[berlin])
    client.force_login(clerk)

    assert client.post(_check_in_url(berlin_guest)).status_code == 403
    assert_nothing_happened(berlin_guest)
