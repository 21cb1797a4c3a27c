"""What each role sees and may do in the admin's lists and pages: one location's staff, nothing else."""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.notifications.models import OutboxMessage
from apps.visits.actors import Actor
from apps.visits.audit import AuditChange, audit_record
from apps.visits.models import AuditEntry, Invitation
from tests.factories import EventFactory, IntegrationFactory, InvitationFactory, LocationFactory

pytestmark = pytest.mark.django_db


def _changelist(client, model: str, **params):
    app = "directory" if model == "location" else "visits"
    return client.get(reverse(f"admin:{app}_{model}_changelist"), params)


def _pks(response) -> set[int]:
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.fixture
def audited(berlin_guest, prague_guest):
    for guest in (berlin_guest, prague_guest):
        audit_record(
            actor=Actor.of_system("tests"),
            changes=[AuditChange(event_id=guest.event_id, invitation_id=guest.pk, action="invited")],
        )
    return {
        "berlin": AuditEntry.objects.get(event=berlin_guest.event),
        "prague": AuditEntry.objects.get(event=prague_guest.event),
    }


@pytest.mark.parametrize("role", ["reception", "location_admin"])
def test_lists_show_only_the_users_location(
    client, request, role, berlin, berlin_guest, prague_guest, audited
):
    client.force_login(request.getfixturevalue(role))

    assert _pks(_changelist(client, "event")) == {berlin_guest.event_id}
    assert _pks(_changelist(client, "invitation")) == {berlin_guest.pk}
    assert _pks(_changelist(client, "contact")) == {berlin_guest.contact_id}
    assert _pks(_changelist(client, "auditentry")) == {audited["berlin"].pk}
    assert _pks(_changelist(client, "location")) == {berlin.pk}


@pytest.mark.parametrize("role", ["reception", "location_admin"])
def test_another_locations_pages_are_404(client, request, role, prague, prague_guest, audited):
    client.force_login(request.getfixturevalue(role))

    for url in (
        reverse("admin:visits_event_change", args=[prague_guest.event_id]),
        reverse("admin:visits_invitation_change", args=[prague_guest.pk]),
        reverse("admin:visits_contact_change", args=[prague_guest.contact_id]),
        reverse("admin:visits_auditentry_change", args=[audited["prague"].pk]),
        reverse("admin:directory_location_change", args=[prague.pk]),
        reverse("admin:visits_event_history", args=[prague_guest.event_id]),
    ):
        assert client.get(url).status_code == 404, url


def test_the_location_filter_names_only_the_users_locations(
    client, reception, berlin_guest, prague_guest, host
):
    hamburg = LocationFactory(name="Hamburg Port")
    hamburg.staff.add(reception)
    InvitationFactory(event=EventFactory(location=hamburg, host=host))
    client.force_login(reception)

    body = _changelist(client, "event").content.decode()

    assert "Berlin HQ" in body
    assert "Hamburg Port" in body
    assert "Prague Office" not in body


def test_the_result_count_counts_only_the_users_location(client, reception, berlin_guest, prague_guest):
    client.force_login(reception)

    response = _changelist(client, "invitation")

    assert (response.context["cl"].result_count, response.context["cl"].full_result_count) == (1, 1)


def test_searching_does_not_reach_another_location(client, reception, berlin_guest, prague_guest):
    client.force_login(reception)

    assert _pks(_changelist(client, "invitation", q="Berners")) == set()


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:integrations_integration_changelist",
        "admin:integrations_syncrequest_changelist",
        "admin:notifications_outboxmessage_changelist",
        "admin:directory_employee_changelist",
        "admin:directory_customfield_changelist",
        "admin:directory_accesspartition_changelist",
        "admin:directory_location_add",
        "admin:auth_user_changelist",
    ],
)
@pytest.mark.parametrize("role", ["reception", "location_admin"])
def test_no_configuration_integrations_or_outbox_for_desk_roles(client, request, role, url_name):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse(url_name)).status_code == 403


def test_reception_does_not_create_visits_in_the_admin(client, reception):
    client.force_login(reception)

    assert client.get(reverse("admin:visits_event_add")).status_code == 403


def test_integrations_stay_hidden_even_with_a_granted_permission(client, reception):
    from django.contrib.auth.models import Permission

    reception.user_permissions.add(Permission.objects.get(codename="view_integration"))
    client.force_login(reception)

    assert client.get(reverse("admin:integrations_integration_changelist")).status_code == 403


def test_reception_cannot_change_its_location(client, reception, berlin):
    client.force_login(reception)

    response = client.post(
        reverse("admin:directory_location_change", args=[berlin.pk]),
        {
            "name": "Renamed",
            "address": "",
            "timezone": "UTC",
            "entrances-TOTAL_FORMS": "0",
            "entrances-INITIAL_FORMS": "0",
        },
    )

    berlin.refresh_from_db()
    assert response.status_code == 403
    assert berlin.name == "Berlin HQ"


def test_location_admin_configures_its_location_and_its_staff(client, location_admin, reception, berlin):
    client.force_login(location_admin)

    response = client.post(
        reverse("admin:directory_location_change", args=[berlin.pk]),
        {
            "name": "Berlin HQ",
            "address": "Friedrichstraße 68",
            "timezone": "Europe/Berlin",
            "is_active": "on",
            "staff": [location_admin.pk],
            "entrances-TOTAL_FORMS": "1",
            "entrances-INITIAL_FORMS": "0",
            "entrances-0-name": "Garage",
        },
    )

    assert response.status_code == 302
    assert list(berlin.entrances.values_list("name", flat=True)) == ["Garage"]
    assert list(berlin.staff.all()) == [location_admin]


def test_location_admin_cannot_change_another_location(client, location_admin, prague):
    client.force_login(location_admin)

    response = client.post(reverse("admin:directory_location_change", args=[prague.pk]), {"name": "Mine now"})

    prague.refresh_from_db()
    assert response.status_code == 404
    assert prague.name == "Prague Office"


def _act(client, action: str, *invitations):
    return client.post(
        reverse("admin:visits_invitation_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [inv.pk for inv in invitations]},
        follow=True,
    )


def test_check_in_action_acts_only_on_the_users_location(client, reception, berlin_guest, prague_guest):
    client.force_login(reception)

    _act(client, "check_in", berlin_guest, prague_guest)

    assert Invitation.objects.get(pk=berlin_guest.pk).status == "CHECKED_IN"
    prague_guest.refresh_from_db()
    assert (prague_guest.status, prague_guest.checked_in_at) == ("INVITED", None)
    assert list(AuditEntry.objects.values_list("invitation_id", flat=True)) == [berlin_guest.pk]


def test_check_out_action(client, reception, berlin_guest):
    client.force_login(reception)
    _act(client, "check_in", berlin_guest)

    response = _act(client, "check_out", berlin_guest)

    assert Invitation.objects.get(pk=berlin_guest.pk).status == "CHECKED_OUT"
    assert "Checked out 1 guest(s)." in [str(m) for m in response.context["messages"]]


def test_resend_action_sends_the_invitation_again(
    client, reception, berlin_guest, django_capture_on_commit_callbacks
):
    client.force_login(reception)

    with django_capture_on_commit_callbacks(execute=True):
        _act(client, "resend_invitation", berlin_guest)

    assert list(OutboxMessage.objects.values_list("kind", "invitation_id")) == [
        ("INVITATION", berlin_guest.pk)
    ]
    assert [m.to for m in mail.outbox] == [[f"Grace Hopper <{berlin_guest.contact.email}>"]]


def test_resend_action_refuses_a_cancelled_guest_and_sends_nothing(client, reception, berlin_guest):
    Invitation.objects.filter(pk=berlin_guest.pk).update(
        status="CANCELLED", cancel_reason="REMOVED", cancelled_at=berlin_guest.created_at
    )
    client.force_login(reception)

    response = _act(client, "resend_invitation", berlin_guest)

    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []
    assert any("A cancelled invitation is not sent again." in str(m) for m in response.context["messages"])


def test_cancel_action_refuses_a_guest_of_an_integrations_event(client, reception, berlin, host):
    integration = IntegrationFactory(name="HR calendar")
    event = EventFactory(location=berlin, host=host, integration=integration, source_id="meeting-1")
    guest = InvitationFactory(event=event)
    client.force_login(reception)

    response = _act(client, "cancel_invitation", guest)

    guest.refresh_from_db()
    assert guest.status == "INVITED"
    assert OutboxMessage.objects.count() == 0
    assert any(
        "This visit belongs to HR calendar: cancel the guest there." in str(m)
        for m in response.context["messages"]
    )


def test_staff_without_the_front_desk_permission_have_no_guest_actions(client, berlin, berlin_guest):
    from django.contrib.auth.models import Permission

    from tests.reception.conftest import staff_user

    viewer = staff_user("viewer", role=None, locations=[berlin])
    viewer.user_permissions.add(Permission.objects.get(codename="view_invitation"))
    client.force_login(viewer)

    response = _act(client, "check_in", berlin_guest)

    assert Invitation.objects.get(pk=berlin_guest.pk).status == "INVITED"
    assert response.status_code == 200
    assert "check_in" not in response.context["cl"].model_admin.get_actions(response.wsgi_request)


@pytest.mark.parametrize("role", ["reception", "location_admin", "superuser"])
def test_nobody_adds_changes_or_deletes_audit_entries(client, request, role, audited):
    client.force_login(request.getfixturevalue(role))
    entry = audited["berlin"]

    assert client.get(reverse("admin:visits_auditentry_add")).status_code == 403
    assert (
        client.post(reverse("admin:visits_auditentry_change", args=[entry.pk]), {"actor": "x"}).status_code
        == 403
    )
    assert (
        client.post(reverse("admin:visits_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    entry.refresh_from_db()
    assert entry.actor == "System: tests"


def test_the_audit_trail_filters_by_event_door_and_actor(client, reception, berlin_guest, audited):
    client.force_login(reception)

    assert _pks(_changelist(client, "auditentry", event__id__exact=berlin_guest.event_id)) == {
        audited["berlin"].pk
    }
    assert _pks(_changelist(client, "auditentry", door="system")) == {audited["berlin"].pk}
    assert _pks(_changelist(client, "auditentry", door="admin")) == set()


def test_an_events_page_shows_guests_times_in_its_zone_and_its_audit_trail(
    client, reception, berlin_guest, audited
):
    Invitation.objects.filter(pk=berlin_guest.pk).update(
        status="CHECKED_IN", checked_in_at=dt.datetime(2026, 12, 2, 8, 57, tzinfo=dt.UTC)
    )
    client.force_login(reception)

    body = client.get(reverse("admin:visits_event_change", args=[berlin_guest.event_id])).content.decode()

    assert "2026-12-02 09:57 CET" in body
    assert "Grace Hopper" in body
    assert "The whole audit trail of this event" in body
    assert "Made in the portal." in body


def test_an_integrations_event_says_which_system_owns_it(client, superuser, berlin, host):
    event = EventFactory(
        location=berlin, host=host, integration=IntegrationFactory(name="HR calendar"), source_id="m-1"
    )
    client.force_login(superuser)

    body = client.get(reverse("admin:visits_event_change", args=[event.pk])).content.decode()

    assert "This visit belongs to <strong>HR calendar</strong>" in body


def test_event_list_times_are_in_the_locations_zone(client, reception, berlin, host):
    EventFactory(
        location=berlin,
        host=host,
        starts_at=dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC),
    )
    client.force_login(reception)

    body = _changelist(client, "event").content.decode()

    assert "2026-07-01 10:00–11:00 CEST" in body  # noqa: RUF001


def _queries(client, model: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert _changelist(client, model).status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", ["event", "invitation", "auditentry"])
def test_list_query_counts_do_not_grow_with_rows(client, reception, berlin, host, model):
    def add(count: int) -> None:
        for _ in range(count):
            guest = InvitationFactory(event=EventFactory(location=berlin, host=host))
            audit_record(
                actor=Actor.of_system("tests"),
                changes=[AuditChange(event_id=guest.event_id, invitation_id=guest.pk, action="invited")],
            )

    client.force_login(reception)
    add(2)
    few = _queries(client, model)
    add(20)

    assert _queries(client, model) == few


def _location_form(location, **fields) -> dict:
    data = {
        "name": location.name,
        "address": "",
        "timezone": location.timezone,
        "is_active": "on",
        "entrances-TOTAL_FORMS": "0",
        "entrances-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


def test_location_admin_names_who_may_host_at_its_location(client, location_admin, berlin, prague):
    from tests.factories import EmployeeFactory

    newcomer = EmployeeFactory(email="new@example.com")
    newcomer.hosting_locations.set([prague])
    client.force_login(location_admin)

    response = client.post(
        reverse("admin:directory_location_change", args=[berlin.pk]),
        _location_form(berlin, hosts=[newcomer.pk]),
    )

    assert response.status_code == 302
    assert set(newcomer.hosting_locations.values_list("name", flat=True)) == {"Berlin HQ", "Prague Office"}


def test_taking_an_employees_last_location_away_is_refused(client, location_admin, berlin):
    from tests.factories import EmployeeFactory

    only_here = EmployeeFactory(email="only-here@example.com")
    only_here.hosting_locations.set([berlin])
    client.force_login(location_admin)

    response = client.post(
        reverse("admin:directory_location_change", args=[berlin.pk]), _location_form(berlin)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["hosts"] == [
        "only-here@example.com would then host anywhere (no location left): ask a super admin."
    ]
    assert list(only_here.hosting_locations.all()) == [berlin]
