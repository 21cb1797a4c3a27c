"""Telling guests: every guest message ends with the privacy notice; a host learns of an erasure, not who."""

import re

import pytest

from apps.notifications.emails import outbox_message_compose
from apps.notifications.models import OutboxMessage
from apps.privacy.services import guest_erase
from apps.visits.actors import Actor
from tests.privacy.conftest import person

pytestmark = pytest.mark.django_db
NOTICE = "https://example.com/privacy"


@pytest.fixture
def messages(visit):
    visit(
        "soon",
        ended_days_ago=-2,
        guests=[
            person("g1", "jsmith@example.com", "John", "Smith", language="DE"),
            person("g2", "ann@example.com", "Ann", "Lee", language="ZH_CN"),
        ],
    )
    return OutboxMessage.objects.exclude(kind=OutboxMessage.Kind.HOST_SUMMARY).order_by("id")


@pytest.mark.parametrize(
    ("index", "label"), [(0, "Wie wir mit Ihren Daten umgehen"), (1, "我们如何处理您的数据")]
)
def test_guest_message_ends_with_the_notice_in_the_guests_language(messages, settings, index, label):
    settings.PRIVACY_NOTICE_URL = NOTICE

    mail = outbox_message_compose(message=messages[index])

    assert mail.body.rstrip("\n").splitlines()[-1] == f"{label}: {NOTICE}"
    html = mail.alternatives[0][0]
    assert f'<a href="{NOTICE}" style="color:#374151;">{label}</a>' in html
    # Nothing but closing tags after it: the message ends with the link.
    assert re.sub(r"<[^>]+>|\s", "", html[html.rindex(f"{label}</a>") + len(label) :]) == ""


def test_without_a_notice_url_no_link_is_added(messages, settings):
    settings.PRIVACY_NOTICE_URL = ""

    mail = outbox_message_compose(message=messages[0])

    assert "Daten" not in mail.body
    assert 'href=""' not in mail.alternatives[0][0]


def test_host_is_told_of_an_erasure_without_the_guests_name(messages):
    guest_erase(actor=Actor.of_system("tests"), address="jsmith@example.com")
    notice = OutboxMessage.objects.get(kind=OutboxMessage.Kind.HOST_SUMMARY, payload__erased=True)

    mail = outbox_message_compose(message=notice)

    assert "- A guest, removed at their own request (their details are erased)" in mail.body
    assert "Smith" not in mail.body and "John" not in mail.body
    assert "Each guest has been sent their own email." not in mail.body
    assert mail.to == ["Ada Lovelace <ada@example.com>"]
