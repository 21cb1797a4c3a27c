"""What the guest and host emails contain, in each language."""

# ruff: noqa: RUF001 - the emails use typographic dashes in time ranges; the tests expect exactly those.

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from apps.notifications.ics import portal_domain
from apps.notifications.models import OutboxMessage
from apps.notifications.tasks import outbox_message_deliver
from apps.visits.models import Event, Invitation
from tests.factories import (
    ContactFactory,
    EventFactory,
    IntegrationFactory,
    InvitationFactory,
    OutboxMessageFactory,
)
from tests.notifications.conftest import ENDS, STARTS, calendar_event, ics, mime, qr_payloads

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def deliver(message: OutboxMessage) -> None:
    outbox_message_deliver.delay(message_id=message.pk)


def test_invitation_goes_to_the_guest_with_the_host_as_reply_address(invitation, mailoutbox):
    deliver(OutboxMessageFactory(invitation=invitation))

    [sent] = mailoutbox
    assert (sent.to, sent.reply_to, sent.subject) == (
        ["Grace Hopper <grace@example.org>"],
        ["Ada Lovelace <ada@example.com>"],
        "Invitation: Board meeting, Dec. 3, 2030",
    )


def test_invitation_text_says_who_what_when_and_where(invitation, mailoutbox):
    deliver(OutboxMessageFactory(invitation=invitation))

    [sent] = mailoutbox
    assert sent.body == (
        "Hello Grace Hopper,\n\n"
        "Ada Lovelace has invited you to Board meeting.\n\n"
        "What: Board meeting\n"
        "Quarterly review\n"
        "When: Tuesday, Dec. 3, 2030, 9 a.m. – 11 a.m. (Europe/Berlin, UTC+01:00)\n"
        "Where: Head office, Unter den Linden 1, 10117 Berlin\n"
        "Entrance: North gate\n"
        "Host: Ada Lovelace <ada@example.com>\n\n"
        "Please show the QR code attached to this email (qr-code.png) at reception when you arrive.\n"
        f"Check-in code: {invitation.token}\n\n"
        "The attached calendar file adds the visit to your calendar.\n"
    )


def test_invitation_html_shows_the_details_and_the_inline_qr_code(invitation, mailoutbox):
    deliver(OutboxMessageFactory(invitation=invitation))

    [sent] = mailoutbox
    [(html, mimetype)] = sent.alternatives
    [qr_part] = [p for p in mime(sent).walk() if p.get_content_type() == "image/png"]
    content_id = qr_part["Content-ID"].strip("<>")
    assert mimetype == "text/html"
    assert "Ada Lovelace has invited you to Board meeting." in html
    assert "Tuesday, Dec. 3, 2030, 9 a.m. – 11 a.m. (Europe/Berlin, UTC+01:00)" in html
    assert "Unter den Linden 1, 10117 Berlin" in html
    assert "North gate" in html
    assert f'<img src="cid:{content_id}"' in html


def test_qr_code_sits_with_the_html_in_a_related_part_so_mail_clients_display_it(invitation, mailoutbox):
    deliver(OutboxMessageFactory(invitation=invitation))

    [sent] = mailoutbox
    structure = [part.get_content_type() for part in mime(sent).walk()]
    assert structure == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/png",
        "text/calendar",
    ]


def test_qr_code_decodes_to_the_invitation_token_not_its_id(invitation, mailoutbox):
    deliver(OutboxMessageFactory(invitation=invitation))

    [sent] = mailoutbox
    assert qr_payloads(sent) == [invitation.token]
    assert invitation.token != str(invitation.pk)


def test_invitation_calendar_file_is_a_request_in_the_location_time_zone(invitation, mailoutbox):
    deliver(OutboxMessageFactory(invitation=invitation, payload={"sequence": 0}))

    [sent] = mailoutbox
    calendar = ics(sent)
    entry = calendar_event(sent)
    assert (sent.attachments[0].filename, sent.attachments[0].mimetype) == (
        "invite.ics",
        "text/calendar",
    )
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(entry["UID"]) == f"invitation-{invitation.pk}@127.0.0.1"
    assert entry["SEQUENCE"] == 0
    assert entry.decoded("DTSTART") == dt.datetime(2030, 12, 3, 9, 0, tzinfo=BERLIN)
    assert entry.decoded("DTEND") == dt.datetime(2030, 12, 3, 11, 0, tzinfo=BERLIN)
    assert entry.decoded("DTSTART") == STARTS
    assert entry.decoded("DTEND") == ENDS
    assert (str(entry["SUMMARY"]), str(entry["STATUS"])) == ("Board meeting", "CONFIRMED")
    assert str(entry["LOCATION"]) == "Head office, Unter den Linden 1, 10117 Berlin, Entrance: North gate"
    assert (str(entry["ORGANIZER"]), str(entry["ATTENDEE"])) == (
        "mailto:ada@example.com",
        "mailto:grace@example.org",
    )
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_update_carries_the_new_details_same_uid_higher_sequence_and_same_qr(invitation, mailoutbox):
    deliver(OutboxMessageFactory(invitation=invitation, payload={"sequence": 0}))
    Event.objects.filter(pk=invitation.event_id).update(
        starts_at=STARTS + dt.timedelta(days=1), ends_at=ENDS + dt.timedelta(days=1)
    )

    deliver(
        OutboxMessageFactory(invitation=invitation, kind=OutboxMessage.Kind.UPDATE, payload={"sequence": 1})
    )

    first, update = mailoutbox
    entry = calendar_event(update)
    assert update.subject == "Updated: Board meeting, Dec. 4, 2030"
    assert "When: Wednesday, Dec. 4, 2030, 9 a.m. – 11 a.m. (Europe/Berlin, UTC+01:00)\n" in update.body
    assert str(ics(update)["METHOD"]) == "REQUEST"
    assert str(entry["UID"]) == str(calendar_event(first)["UID"])
    assert (calendar_event(first)["SEQUENCE"], entry["SEQUENCE"]) == (0, 1)
    assert entry.decoded("DTSTART") == dt.datetime(2030, 12, 4, 9, 0, tzinfo=BERLIN)
    assert qr_payloads(update) == qr_payloads(first) == [invitation.token]


def test_cancellation_calendar_file_cancels_the_same_entry_without_a_qr_code(invitation, mailoutbox):
    Invitation.objects.filter(pk=invitation.pk).update(
        status="CANCELLED", cancel_reason="REMOVED", cancelled_at=timezone.now(), sequence=1
    )

    deliver(
        OutboxMessageFactory(
            invitation=invitation, kind=OutboxMessage.Kind.CANCELLATION, payload={"sequence": 1}
        )
    )

    [sent] = mailoutbox
    entry = calendar_event(sent)
    assert sent.subject == "Cancelled: Board meeting, Dec. 3, 2030"
    assert "Ada Lovelace has cancelled your invitation to Board meeting." in sent.body
    assert sent.attachments[0][0] == "cancel.ics"
    assert str(ics(sent)["METHOD"]) == "CANCEL"
    assert (str(entry["UID"]), entry["SEQUENCE"], str(entry["STATUS"])) == (
        f"invitation-{invitation.pk}@127.0.0.1",
        1,
        "CANCELLED",
    )
    assert qr_payloads(sent) == []


def test_cancellation_of_the_whole_event_says_the_event_is_cancelled(invitation, mailoutbox):
    Event.objects.filter(pk=invitation.event_id).update(status="CANCELLED", cancelled_at=timezone.now())
    Invitation.objects.filter(pk=invitation.pk).update(
        status="CANCELLED", cancel_reason="EVENT_CANCELLED", cancelled_at=timezone.now()
    )

    deliver(OutboxMessageFactory(invitation=invitation, kind=OutboxMessage.Kind.CANCELLATION))

    [sent] = mailoutbox
    assert "Ada Lovelace has cancelled Board meeting.\n" in sent.body


def test_invitation_in_german_uses_german_text_and_dates(invitation, mailoutbox):
    Invitation.objects.filter(pk=invitation.pk).update(language="DE")

    deliver(OutboxMessageFactory(invitation=invitation))

    [sent] = mailoutbox
    [(html, _)] = sent.alternatives
    assert sent.subject == "Einladung: Board meeting, 3. Dezember 2030"
    assert sent.body.startswith("Guten Tag Grace Hopper,\n\nAda Lovelace lädt Sie zu Board meeting ein.\n\n")
    assert (
        "Wann: Dienstag, 3. Dezember 2030, 09:00 – 11:00 (Mitteleuropäische Normalzeit, UTC+01:00)\n"
        in sent.body
    )
    assert "Eingang: North gate\n" in sent.body
    assert "Sie sind eingeladen" in html
    assert str(calendar_event(sent)["LOCATION"]).endswith("Eingang: North gate")


def test_invitation_in_czech_uses_czech_text_and_dates(invitation, mailoutbox):
    Invitation.objects.filter(pk=invitation.pk).update(language="CS")

    deliver(OutboxMessageFactory(invitation=invitation))

    [sent] = mailoutbox
    [(html, _)] = sent.alternatives
    assert sent.subject == "Pozvánka: Board meeting, 3. prosince 2030"
    assert sent.body.startswith("Dobrý den, Grace Hopper,\n\nAda Lovelace vás zve na Board meeting.\n\n")
    assert "Kdy: úterý 3. prosince 2030, 9:00–11:00 (středoevropský standardní čas, UTC+01:00)\n" in sent.body
    assert "Jste zváni" in html


def test_update_and_cancellation_are_translated_too(invitation, mailoutbox):
    Invitation.objects.filter(pk=invitation.pk).update(language="DE")
    deliver(OutboxMessageFactory(invitation=invitation, kind=OutboxMessage.Kind.UPDATE))
    Invitation.objects.filter(pk=invitation.pk).update(
        language="CS", status="CANCELLED", cancel_reason="REMOVED", cancelled_at=timezone.now()
    )

    deliver(OutboxMessageFactory(invitation=invitation, kind=OutboxMessage.Kind.CANCELLATION))

    assert [sent.subject for sent in mailoutbox] == [
        "Geändert: Board meeting, 3. Dezember 2030",
        "Zrušeno: Board meeting, 3. prosince 2030",
    ]


@pytest.mark.parametrize("language", ["XX", ""])
def test_language_without_a_translation_falls_back_to_english(invitation, mailoutbox, language):
    Invitation.objects.filter(pk=invitation.pk).update(language=language)

    deliver(OutboxMessageFactory(invitation=invitation))

    [sent] = mailoutbox
    assert sent.subject == "Invitation: Board meeting, Dec. 3, 2030"
    assert sent.body.startswith("Hello Grace Hopper,\n\nAda Lovelace has invited you to Board meeting.\n")


def test_summer_time_shows_the_summer_offset(invitation, mailoutbox):
    Event.objects.filter(pk=invitation.event_id).update(
        starts_at=dt.datetime(2030, 7, 2, 7, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 7, 2, 8, 0, tzinfo=dt.UTC),
    )

    deliver(OutboxMessageFactory(invitation=invitation))

    [sent] = mailoutbox
    assert "When: Tuesday, July 2, 2030, 9:30 a.m. – 10 a.m. (Europe/Berlin, UTC+02:00)\n" in sent.body


def test_event_over_several_days_names_both_days(invitation, mailoutbox):
    Event.objects.filter(pk=invitation.event_id).update(ends_at=STARTS + dt.timedelta(days=1, hours=8))
    Invitation.objects.filter(pk=invitation.pk).update(language="DE")

    deliver(OutboxMessageFactory(invitation=invitation))

    [sent] = mailoutbox
    assert (
        "Wann: Dienstag, 3. Dezember 2030, 09:00 – Mittwoch, 4. Dezember 2030, 17:00 "
        "(Mitteleuropäische Normalzeit, UTC+01:00)\n" in sent.body
    )


def test_host_confirmation_lists_invited_and_removed_guests(event, mailoutbox):
    Event.objects.filter(pk=event.pk).update(integration=IntegrationFactory(name="HR calendar"))
    invited = [
        InvitationFactory(event=event, contact=ContactFactory(first_name="Grace", last_name="Hopper")),
        InvitationFactory(
            event=event, contact=ContactFactory(first_name="Alan", last_name="Turing", company_name="")
        ),
    ]
    removed = InvitationFactory(
        event=event,
        contact=ContactFactory(first_name="Ken", last_name="Thompson"),
        status="CANCELLED",
        cancel_reason="REMOVED",
    )

    deliver(
        OutboxMessageFactory(
            kind=OutboxMessage.Kind.HOST_SUMMARY,
            invitation=None,
            event=event,
            employee=event.host,
            payload={"invited": [i.pk for i in invited], "removed": [removed.pk]},
        )
    )

    [sent] = mailoutbox
    assert (sent.to, sent.subject) == (
        ["Ada Lovelace <ada@example.com>"],
        "Guest list changed: Board meeting, Dec. 3, 2030",
    )
    assert sent.body == (
        "Hello Ada Lovelace,\n\n"
        "HR calendar has changed the guest list of your events:\n\n"
        "What: Board meeting\n"
        "When: Tuesday, Dec. 3, 2030, 9 a.m. – 11 a.m. (Europe/Berlin, UTC+01:00)\n"
        "Where: Head office, Unter den Linden 1, 10117 Berlin\n"
        "Entrance: North gate\n"
        "2 guests invited:\n"
        "- Grace Hopper (Acme)\n"
        "- Alan Turing\n"
        "1 guest removed:\n"
        "- Ken Thompson (Acme)\n\n"
        "Each guest has been sent their own email.\n"
    )
    assert sent.attachments == []


def test_host_confirmation_groups_guests_of_several_events(event, mailoutbox):
    other = EventFactory(
        name="Lunch", host=event.host, location=event.location, starts_at=STARTS, ends_at=ENDS
    )
    first = InvitationFactory(event=event, contact=ContactFactory(first_name="Grace", last_name="Hopper"))
    second = InvitationFactory(event=other, contact=ContactFactory(first_name="Alan", last_name="Turing"))

    deliver(
        OutboxMessageFactory(
            kind=OutboxMessage.Kind.HOST_SUMMARY,
            invitation=None,
            event=event,
            employee=event.host,
            payload={"invited": [first.pk, second.pk], "removed": []},
        )
    )

    [sent] = mailoutbox
    [(html, _)] = sent.alternatives
    assert sent.subject == "Guest lists changed: Board meeting and 1 more"
    assert "What: Board meeting\n" in sent.body
    assert "1 guest invited:\n- Grace Hopper (Acme)\n\nWhat: Lunch\n" in sent.body
    assert sent.body.endswith(
        "1 guest invited:\n- Alan Turing (Acme)\n\nEach guest has been sent their own email.\n"
    )
    assert "<li>Grace Hopper (Acme)</li>" in html
    assert "<li>Alan Turing (Acme)</li>" in html


def test_host_confirmation_follows_the_hosts_language_with_its_plural_forms(event, mailoutbox):
    type(event.host).objects.filter(pk=event.host_id).update(language="CS")
    invited = InvitationFactory.create_batch(3, event=event, contact__company_name="")

    deliver(
        OutboxMessageFactory(
            kind=OutboxMessage.Kind.HOST_SUMMARY,
            invitation=None,
            event=event,
            employee=event.host,
            payload={"invited": [i.pk for i in invited], "removed": []},
        )
    )

    [sent] = mailoutbox
    assert sent.subject == "Změna seznamu hostů: Board meeting, 3. prosince 2030"
    assert "Seznam hostů vašich událostí se změnil:\n" in sent.body
    assert "3 pozvaní hosté:\n" in sent.body


@pytest.mark.parametrize(
    ("base_url", "domain"),
    [
        ("https://Visitors.Example.com:8443/portal/", "visitors.example.com"),
        ("http://127.0.0.1:8000", "127.0.0.1"),
        ("", "visitor-portal"),
    ],
)
def test_portal_domain_is_the_host_of_the_portal_base_url(settings, base_url, domain):
    settings.PORTAL_BASE_URL = base_url

    assert portal_domain() == domain


def test_qr_content_id_and_calendar_uid_name_the_same_portal_domain(invitation, mailoutbox, settings):
    settings.PORTAL_BASE_URL = "https://visitors.example.com/"

    deliver(OutboxMessageFactory(invitation=invitation))

    [sent] = mailoutbox
    [qr_part] = [p for p in mime(sent).walk() if p.get_content_type() == "image/png"]
    assert qr_part["Content-ID"].strip("<>").rsplit("@", 1)[1] == "visitors.example.com"
    assert str(calendar_event(sent)["UID"]) == f"invitation-{invitation.pk}@visitors.example.com"


def cancelled_event_summary(event, *, removed, integration_name="HR calendar") -> OutboxMessage:
    integration = IntegrationFactory(name=integration_name) if integration_name else None
    Event.objects.filter(pk=event.pk).update(
        integration=integration, status="CANCELLED", cancelled_at=STARTS - dt.timedelta(days=30)
    )
    return OutboxMessageFactory(
        kind=OutboxMessage.Kind.HOST_SUMMARY,
        invitation=None,
        event=event,
        employee=event.host,
        payload={"invited": [], "removed": [i.pk for i in removed], "event_cancelled": True},
    )


def cancelled_guests(event, *names: str) -> list[Invitation]:
    return [
        InvitationFactory(
            event=event,
            contact=ContactFactory(first_name=name, last_name="Guest", company_name=""),
            status="CANCELLED",
            cancel_reason="EVENT_CANCELLED",
            cancelled_at=STARTS - dt.timedelta(days=30),
        )
        for name in names
    ]


def test_host_confirmation_of_a_cancelled_event_says_it_was_cancelled(event, mailoutbox):
    deliver(cancelled_event_summary(event, removed=cancelled_guests(event, "Grace", "Alan")))

    [sent] = mailoutbox
    [(html, _)] = sent.alternatives
    assert (sent.to, sent.subject) == (
        ["Ada Lovelace <ada@example.com>"],
        "Cancelled: Board meeting, Dec. 3, 2030",
    )
    assert sent.body == (
        "Hello Ada Lovelace,\n\n"
        "HR calendar has cancelled your event:\n\n"
        "What: Board meeting\n"
        "When: Tuesday, Dec. 3, 2030, 9 a.m. – 11 a.m. (Europe/Berlin, UTC+01:00)\n"
        "Where: Head office, Unter den Linden 1, 10117 Berlin\n"
        "Entrance: North gate\n"
        "2 guests have been sent a cancellation:\n"
        "- Grace Guest\n"
        "- Alan Guest\n\n"
        "Each guest has been sent their own email.\n"
    )
    assert "Your event has been cancelled</h1>" in html
    assert "<strong>2 guests have been sent a cancellation:</strong>" in html
    assert "<li>Grace Guest</li><li>Alan Guest</li>" in html
    assert "removed" not in sent.body + html


def test_host_confirmation_of_a_cancelled_event_without_guests(event, mailoutbox):
    deliver(cancelled_event_summary(event, removed=[], integration_name=""))

    [sent] = mailoutbox
    [(html, _)] = sent.alternatives
    assert sent.subject == "Cancelled: Board meeting, Dec. 3, 2030"
    assert sent.body.startswith(
        "Hello Ada Lovelace,\n\nYour event has been cancelled:\n\nWhat: Board meeting\n"
    )
    assert sent.body.endswith("Entrance: North gate\nNo guests were invited.\n")
    assert '<p style="margin:0 0 12px;">No guests were invited.</p>' in html
    assert "Each guest has been sent their own email." not in html


def test_host_confirmation_without_the_flag_lists_removed_guests(event, mailoutbox):
    message = cancelled_event_summary(event, removed=cancelled_guests(event, "Grace"))
    OutboxMessage.objects.filter(pk=message.pk).update(
        payload={"invited": [], "removed": message.payload["removed"]}
    )

    deliver(message)

    [sent] = mailoutbox
    assert sent.subject == "Guest list changed: Board meeting, Dec. 3, 2030"
    assert "1 guest removed:\n- Grace Guest\n" in sent.body


@pytest.mark.parametrize(
    ("language", "subject", "lines"),
    [
        (
            "de",
            "Abgesagt: Board meeting, 3. Dezember 2030",
            ["HR calendar hat Ihren Termin abgesagt:\n", "3 Gäste haben eine Absage erhalten:\n"],
        ),
        (
            "cs",
            "Zrušeno: Board meeting, 3. prosince 2030",
            ["Systém HR calendar zrušil vaši událost:\n", "Zrušení bylo posláno 3 hostům:\n"],
        ),
    ],
)
def test_host_confirmation_of_a_cancelled_event_is_translated(
    event, mailoutbox, settings, language, subject, lines
):
    type(event.host).objects.filter(pk=event.host_id).update(language=language.upper())

    deliver(cancelled_event_summary(event, removed=cancelled_guests(event, "Grace", "Alan", "Ken")))

    [sent] = mailoutbox
    assert sent.subject == subject
    assert [line in sent.body for line in lines] == [True, True]


@pytest.mark.parametrize(
    ("language", "count", "line"),
    [
        ("de", 1, "1 Gast hat eine Absage erhalten:\n"),
        ("cs", 1, "Zrušení bylo posláno 1 hostovi:\n"),
        ("cs", 5, "Zrušení bylo posláno 5 hostům:\n"),
    ],
)
def test_cancelled_event_guest_count_has_its_plural_forms(event, mailoutbox, settings, language, count, line):
    type(event.host).objects.filter(pk=event.host_id).update(language=language.upper())

    deliver(cancelled_event_summary(event, removed=cancelled_guests(event, *[f"G{n}" for n in range(count)])))

    [sent] = mailoutbox
    assert line in sent.body


@pytest.mark.parametrize(
    ("language", "heading", "empty"),
    [
        ("en", "Your event has been cancelled", "No guests were invited."),
        ("de", "Ihr Termin wurde abgesagt", "Es waren keine Gäste eingeladen."),
        ("cs", "Vaše událost byla zrušena", "Nebyli pozváni žádní hosté."),
    ],
)
def test_cancelled_event_without_guests_is_translated(event, mailoutbox, settings, language, heading, empty):
    type(event.host).objects.filter(pk=event.host_id).update(language=language.upper())

    deliver(cancelled_event_summary(event, removed=[], integration_name=""))

    [sent] = mailoutbox
    [(html, _)] = sent.alternatives
    assert f"{heading}</h1>" in html
    assert f"\n\n{heading}:\n\n" in sent.body
    assert sent.body.endswith(f"\n{empty}\n")
