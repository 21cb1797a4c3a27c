import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection

from apps.notifications.models import OutboxMessage
from apps.visits.actors import Actor, Door
from apps.visits.checkins import (
    CheckInRefusal,
    CheckInRefused,
    invitation_check_in,
    invitation_check_in_by_code,
    invitation_check_out,
)
from apps.visits.models import AuditEntry, Event, Invitation
from tests.factories import EmployeeFactory, EventFactory, InvitationFactory, LocationFactory
from tests.threads import threads_run

pytestmark = pytest.mark.django_db

# Wednesday 2 December 2026, 09:00 to 11:00 in Berlin (CET, UTC+01:00).
STARTS = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
DURING = STARTS + dt.timedelta(minutes=-30)


@pytest.fixture
def actor():
    user = get_user_model().objects.create_user("rita", password="x", is_staff=True)
    return Actor.of_user(user, door=Door.ADMIN)


@pytest.fixture
def location():
    return LocationFactory(name="Berlin HQ", timezone="Europe/Berlin")


@pytest.fixture
def invitation(location):
    event = EventFactory(
        name="Board meeting",
        location=location,
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=2),
        host=EmployeeFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace"),
    )
    return InvitationFactory(
        event=event, contact__first_name="Grace", contact__last_name="Hopper", contact__company_name="Navy"
    )


def test_check_in_sets_status_time_audit_and_tells_the_host(
    actor, invitation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = invitation_check_in(actor=actor, invitation_id=invitation.pk, at=DURING)

    invitation.refresh_from_db()
    assert result.changed is True
    assert (invitation.status, invitation.checked_in_at) == (Invitation.Status.CHECKED_IN, DURING)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.door, entry.invitation_id) == (
        "checked_in",
        "User: rita",
        "admin",
        invitation.pk,
    )
    assert entry.changes == {"status": ["INVITED", "CHECKED_IN"], "checked_in_at": [None, DURING.isoformat()]}
    assert [m.to for m in mail.outbox] == [["Ada Lovelace <ada@example.com>"]]
    assert mail.outbox[0].subject == "Your guest has arrived: Grace Hopper"
    assert (
        "Grace Hopper (Navy) has arrived and was checked in at reception at 8:30 a.m. CET."
        in mail.outbox[0].body
    )
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


def test_arrival_email_has_an_html_part_naming_the_guest(
    actor, invitation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_check_in(actor=actor, invitation_id=invitation.pk, at=DURING)

    html, mimetype = mail.outbox[0].alternatives[0]
    assert mimetype == "text/html"
    assert "<strong>Grace Hopper</strong> (Navy) has arrived" in html


def test_a_second_check_in_changes_nothing_and_notifies_once(
    actor, invitation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_check_in(actor=actor, invitation_id=invitation.pk, at=DURING)
        again = invitation_check_in(
            actor=actor, invitation_id=invitation.pk, at=DURING + dt.timedelta(minutes=1)
        )

    invitation.refresh_from_db()
    assert again.changed is False
    assert invitation.checked_in_at == DURING
    assert AuditEntry.objects.count() == 1
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.count() == 1


def test_check_out_sets_status_and_time_and_is_idempotent(actor, invitation):
    invitation_check_in(actor=actor, invitation_id=invitation.pk, at=DURING)
    left = DURING + dt.timedelta(hours=1)

    first = invitation_check_out(actor=actor, invitation_id=invitation.pk, at=left)
    second = invitation_check_out(actor=actor, invitation_id=invitation.pk, at=left + dt.timedelta(hours=1))

    invitation.refresh_from_db()
    assert (first.changed, second.changed) == (True, False)
    assert (invitation.status, invitation.checked_out_at) == (Invitation.Status.CHECKED_OUT, left)
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "checked_in",
        "checked_out",
    ]


def test_a_guest_who_left_can_come_back(actor, invitation):
    invitation_check_in(actor=actor, invitation_id=invitation.pk, at=DURING)
    invitation_check_out(actor=actor, invitation_id=invitation.pk, at=DURING + dt.timedelta(hours=1))
    back = DURING + dt.timedelta(hours=2)

    result = invitation_check_in(actor=actor, invitation_id=invitation.pk, at=back)

    invitation.refresh_from_db()
    assert result.changed is True
    assert (invitation.status, invitation.checked_in_at, invitation.checked_out_at) == (
        "CHECKED_IN",
        back,
        None,
    )


def test_check_out_of_a_guest_not_on_site_is_refused(actor, invitation):
    with pytest.raises(CheckInRefused) as refused:
        invitation_check_out(actor=actor, invitation_id=invitation.pk, at=DURING)

    invitation.refresh_from_db()
    assert refused.value.code == CheckInRefusal.NOT_ON_SITE
    assert invitation.status == Invitation.Status.INVITED
    assert AuditEntry.objects.count() == 0
    _assert_untouched(invitation, "INVITED")


def _assert_untouched(invitation: Invitation, status: str) -> None:
    invitation.refresh_from_db()
    assert (invitation.status, invitation.checked_in_at) == (status, None)
    assert AuditEntry.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


def test_a_cancelled_guest_is_refused_and_nothing_changes(actor, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        status="CANCELLED", cancel_reason="REMOVED", cancelled_at=STARTS
    )

    with pytest.raises(CheckInRefused) as refused:
        invitation_check_in(actor=actor, invitation_id=invitation.pk, at=DURING)

    assert refused.value.code == CheckInRefusal.INVITATION_CANCELLED
    assert str(refused.value.message) == "This invitation has been cancelled: do not let them in."
    _assert_untouched(invitation, "CANCELLED")


def test_a_guest_of_a_cancelled_event_is_refused(actor, invitation):
    Event.objects.filter(pk=invitation.event_id).update(status="CANCELLED", cancelled_at=STARTS)

    with pytest.raises(CheckInRefused) as refused:
        invitation_check_in(actor=actor, invitation_id=invitation.pk, at=DURING)

    assert refused.value.code == CheckInRefusal.INVITATION_CANCELLED
    _assert_untouched(invitation, "INVITED")


@pytest.mark.parametrize(
    "at",
    [
        # 23:30 UTC on 1 December is already 00:30 on 2 December in Berlin: the visit's day.
        dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 2, 22, 59, tzinfo=dt.UTC),
    ],
)
def test_the_visit_day_is_the_locations_day(actor, invitation, at):
    assert invitation_check_in(actor=actor, invitation_id=invitation.pk, at=at).changed is True


@pytest.mark.parametrize(
    "at",
    [
        dt.datetime(2026, 12, 1, 22, 59, tzinfo=dt.UTC),  # 23:59 on 1 December in Berlin
        dt.datetime(2026, 12, 2, 23, 0, tzinfo=dt.UTC),  # midnight on 3 December in Berlin
    ],
)
def test_another_day_is_refused(actor, invitation, at):
    with pytest.raises(CheckInRefused) as refused:
        invitation_check_in(actor=actor, invitation_id=invitation.pk, at=at)

    assert refused.value.code == CheckInRefusal.NOT_EXPECTED_TODAY
    assert str(refused.value.message) == "This guest is not expected today: the visit is on 2026-12-02."
    _assert_untouched(invitation, "INVITED")


def test_a_guest_of_another_location_is_refused_at_this_desk(actor, invitation):
    desk = LocationFactory(name="Prague Office", timezone="Europe/Prague")

    with pytest.raises(CheckInRefused) as refused:
        invitation_check_in(actor=actor, invitation_id=invitation.pk, location_id=desk.pk, at=DURING)

    assert refused.value.code == CheckInRefusal.OTHER_LOCATION
    assert str(refused.value.message) == "This guest is expected at another location (Berlin HQ)."
    _assert_untouched(invitation, "INVITED")


def test_check_in_by_code_finds_the_invitation_by_its_token(actor, invitation, location):
    result = invitation_check_in_by_code(
        actor=actor, code=f"  {invitation.token}\n", location_id=location.pk, at=DURING
    )

    assert (result.changed, result.invitation.pk, result.invitation.status) == (
        True,
        invitation.pk,
        "CHECKED_IN",
    )


@pytest.mark.parametrize("code", ["", "   ", "not-a-token"])
def test_an_unknown_code_is_refused(actor, invitation, code):
    with pytest.raises(CheckInRefused) as refused:
        invitation_check_in_by_code(actor=actor, code=code, at=DURING)

    assert refused.value.code == CheckInRefusal.NOT_FOUND
    _assert_untouched(invitation, "INVITED")


def test_check_in_touches_the_events_updated_at(actor, invitation):
    invitation_check_in(actor=actor, invitation_id=invitation.pk, at=DURING)

    assert Event.objects.get(pk=invitation.event_id).updated_at == DURING


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_desks_scanning_at_once_check_in_once(location):
    assert connection.vendor == "postgresql"
    user = get_user_model().objects.create_user("desk", password="x", is_staff=True)
    actor = Actor.of_user(user, door=Door.ADMIN)
    event = EventFactory(location=location, starts_at=STARTS, ends_at=STARTS + dt.timedelta(hours=2))
    invitation = InvitationFactory(event=event)
    results = []

    def desk(barrier):
        barrier.wait()
        results.append(invitation_check_in(actor=actor, invitation_id=invitation.pk, at=DURING).changed)

    assert threads_run(workers=[desk, desk, desk]) == []
    assert sorted(results) == [False, False, True]
    assert AuditEntry.objects.filter(action="checked_in").count() == 1
    assert OutboxMessage.objects.filter(kind="ARRIVAL").count() == 1


def test_refusals_are_worded_in_the_active_language(actor, invitation):
    from django.utils import translation

    Invitation.objects.filter(pk=invitation.pk).update(
        status="CANCELLED", cancel_reason="REMOVED", cancelled_at=STARTS
    )

    with pytest.raises(CheckInRefused) as refused:
        invitation_check_in(actor=actor, invitation_id=invitation.pk, at=DURING)

    # The message is lazy: it is worded where it is shown, in that request's language.
    with translation.override("de"):
        assert str(refused.value.message) == "Diese Einladung wurde zurückgezogen: bitte nicht einlassen."
