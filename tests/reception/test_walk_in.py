import pytest
from django.core import mail
from django.urls import reverse

from apps.notifications.models import OutboxMessage
from apps.visits.models import AuditEntry, Event, Invitation
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

WALK_IN = reverse("frontdesk:walk_in")


def _form(host, **fields):
    data = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "",
        "company_name": "Navy",
        "host": host.pk,
    }
    data.update(fields)
    return data


def test_a_walk_in_is_made_by_the_engine_checked_in_and_the_host_told(
    client, reception, berlin, host, django_capture_on_commit_callbacks
):
    client.force_login(reception)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(WALK_IN, _form(host))

    invitation = Invitation.objects.select_related("event", "contact").get()
    assert response.status_code == 302
    assert (invitation.status, invitation.contact.full_name, invitation.contact.company_name) == (
        "CHECKED_IN",
        "Grace Hopper",
        "Navy",
    )
    event = invitation.event
    assert (event.name, event.location_id, event.host_id, event.integration_id) == (
        "Walk-in: Grace Hopper",
        berlin.pk,
        host.pk,
        None,
    )
    assert event.source_id.startswith("portal-")
    assert invitation.contact.source_id.startswith("guest-")
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == ["checked_in", "created", "invited"]
    assert set(AuditEntry.objects.values_list("actor", flat=True)) == {"User: rita"}
    assert "Your guest has arrived: Grace Hopper" in [m.subject for m in mail.outbox]


def test_the_host_choices_are_those_who_may_host_here(client, reception, berlin, prague, host):
    elsewhere = EmployeeFactory(email="prague-only@example.com")
    elsewhere.hosting_locations.set([prague])
    EmployeeFactory(email="gone@example.com", is_active=False)
    client.force_login(reception)

    choices = list(client.get(WALK_IN).context["form"].fields["host"].queryset)

    assert choices == [host]


def test_a_host_who_may_not_host_here_is_refused_and_nothing_is_made(client, reception, prague):
    elsewhere = EmployeeFactory(email="prague-only@example.com")
    elsewhere.hosting_locations.set([prague])
    client.force_login(reception)

    response = client.post(WALK_IN, _form(elsewhere))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["host"]
    assert Event.objects.count() == 0
    assert mail.outbox == []
    assert (Invitation.objects.count(), OutboxMessage.objects.count(), AuditEntry.objects.count()) == (
        0,
        0,
        0,
    )


def test_an_engine_error_appears_next_to_its_field_and_nothing_is_kept(client, reception, host):
    client.force_login(reception)

    response = client.post(WALK_IN, _form(host, first_name="Gr\x07ace"))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["first_name"]
    assert response.context["form"]["last_name"].value() == "Hopper"
    assert (Event.objects.count(), OutboxMessage.objects.count(), AuditEntry.objects.count()) == (0, 0, 0)


def test_a_name_is_required(client, reception, host):
    client.force_login(reception)

    response = client.post(WALK_IN, _form(host, first_name="", last_name=""))

    assert set(response.context["form"].errors) == {"first_name", "last_name"}
    assert Event.objects.count() == 0
    assert (Invitation.objects.count(), OutboxMessage.objects.count(), AuditEntry.objects.count()) == (
        0,
        0,
        0,
    )
