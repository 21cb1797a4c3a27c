"""The outbox in the admin: what failed and why, and sending it again."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from apps.notifications.models import OutboxMessage
from tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:notifications_outboxmessage_changelist"


@pytest.fixture
def staff_client(client):
    user = User.objects.create_user("ops", password="x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_outboxmessage", "change_outboxmessage"],
            content_type__app_label="notifications",
        )
    )
    client.force_login(user)
    return client


@pytest.fixture
def viewer_client(client):
    user = User.objects.create_user("auditor", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    client.force_login(user)
    return client


def resend(client, *messages: OutboxMessage):
    return client.post(
        reverse(CHANGELIST),
        {"action": "resend", "_selected_action": [m.pk for m in messages]},
        follow=True,
    )


def test_changelist_shows_the_last_error(staff_client, invitation):
    OutboxMessageFactory(
        invitation=invitation, status="FAILED", last_error="Attempt 1 failed permanently: 550 No such user"
    )

    response = staff_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert "Attempt 1 failed permanently: 550 No such user" in response.text
    assert "Grace Hopper &lt;grace@example.org&gt;" in response.text


def test_changelist_filters_by_status_and_kind(staff_client, invitation):
    failed = OutboxMessageFactory(invitation=invitation, status="FAILED")
    OutboxMessageFactory(invitation=invitation, status="SENT")
    OutboxMessageFactory(invitation=invitation, status="FAILED", kind="UPDATE")

    response = staff_client.get(reverse(CHANGELIST), {"status__exact": "FAILED", "kind__exact": "INVITATION"})

    assert [m.pk for m in response.context["cl"].result_list] == [failed.pk]


def test_changelist_searches_by_guest_email(staff_client, invitation):
    wanted = OutboxMessageFactory(invitation=invitation)
    OutboxMessageFactory()

    response = staff_client.get(reverse(CHANGELIST), {"q": "grace@example.org"})

    assert [m.pk for m in response.context["cl"].result_list] == [wanted.pk]


def test_resend_action_sends_a_failed_message_again(
    staff_client, invitation, mailoutbox, django_capture_on_commit_callbacks
):
    message = OutboxMessageFactory(invitation=invitation, status="FAILED", attempts=6, last_error="gone")

    with django_capture_on_commit_callbacks(execute=True):
        response = resend(staff_client, message)

    message.refresh_from_db()
    assert "1 message(s) queued for sending again." in response.text
    assert (message.status, message.attempts, message.last_error, len(mailoutbox)) == ("SENT", 1, "", 1)


def test_resend_action_leaves_sent_messages_alone(staff_client, invitation, mailoutbox):
    message = OutboxMessageFactory(invitation=invitation, status="SENT")

    response = resend(staff_client, message)

    message.refresh_from_db()
    assert "1 message(s) left alone: only failed or skipped messages are sent again." in response.text
    assert (message.status, mailoutbox) == ("SENT", [])


def test_resend_action_needs_change_permission(viewer_client, invitation, mailoutbox):
    message = OutboxMessageFactory(invitation=invitation, status="FAILED")

    response = viewer_client.get(reverse(CHANGELIST))
    resend(viewer_client, message)

    message.refresh_from_db()
    assert 'value="resend"' not in response.text
    assert (message.status, mailoutbox) == ("FAILED", [])


def test_messages_cannot_be_edited_or_added_in_the_admin(staff_client, invitation):
    message = OutboxMessageFactory(invitation=invitation, status="FAILED")

    change = staff_client.post(
        reverse("admin:notifications_outboxmessage_change", args=[message.pk]), {"status": "SENT"}
    )
    add = staff_client.get(reverse("admin:notifications_outboxmessage_add"))

    message.refresh_from_db()
    assert (change.status_code, add.status_code, message.status) == (403, 403, "FAILED")


def test_changelist_header_counts_failed_and_stuck_messages(staff_client, invitation):
    long_ago = timezone.now() - dt.timedelta(hours=1)
    OutboxMessageFactory.create_batch(2, invitation=invitation, status="FAILED")
    OutboxMessageFactory(invitation=invitation, status="SENDING", claimed_at=long_ago)
    OutboxMessageFactory(invitation=invitation, status="SENDING", claimed_at=timezone.now())  # in progress
    OutboxMessageFactory(invitation=invitation, status="SENT")

    response = staff_client.get(reverse(CHANGELIST))

    health = response.context["outbox_health"]
    assert (health.failed, health.stuck, health.overdue) == (2, 1, 0)
    assert '<a href="?status__exact=FAILED">2 messages failed</a>' in response.text
    assert '<a href="?status__exact=SENDING">1 message stuck in sending</a>' in response.text


def test_changelist_header_counts_messages_waiting_too_long(staff_client, invitation):
    message = OutboxMessageFactory(invitation=invitation)
    OutboxMessageFactory(invitation=invitation)  # just written: on its way
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(minutes=16))

    response = staff_client.get(reverse(CHANGELIST))

    assert '<a href="?status__exact=PENDING">1 message waiting for more than 15 minutes</a>' in response.text


def test_changelist_header_says_all_is_well(staff_client, invitation):
    OutboxMessageFactory(invitation=invitation, status="SENT")

    response = staff_client.get(reverse(CHANGELIST))

    assert '<p id="outbox-health">No failed or stuck messages.</p>' in response.text


def test_changelist_queries_do_not_grow_with_the_messages(
    staff_client, invitation, django_assert_num_queries
):
    staff_client.get(reverse(CHANGELIST))  # session and permission caches
    OutboxMessageFactory.create_batch(5, invitation=invitation, status="FAILED")

    with django_assert_num_queries(10):
        response = staff_client.get(reverse(CHANGELIST))

    assert len(response.context["cl"].result_list) == 5


def test_resending_twice_queues_once(
    staff_client, invitation, mailoutbox, django_capture_on_commit_callbacks
):
    message = OutboxMessageFactory(invitation=invitation, status="FAILED", attempts=6)

    with django_capture_on_commit_callbacks(execute=True):
        resend(staff_client, message)
        second = resend(staff_client, message)

    message.refresh_from_db()
    assert "1 message(s) left alone: only failed or skipped messages are sent again." in second.text
    assert (message.status, message.attempts, len(mailoutbox)) == ("SENT", 1, 1)
