import datetime as dt
import email
import email.policy
import io
from email.message import EmailMessage as MimeMessage

import pytest
import zxingcpp
from icalendar import Calendar
from PIL import Image

from tests.factories import EmployeeFactory, EntranceFactory, EventFactory, InvitationFactory, LocationFactory
from tests.notifications.backends import RaisingEmailBackend

# Tuesday 3 December 2030, 09:00 to 11:00 in Berlin (CET, UTC+01:00).
STARTS = dt.datetime(2030, 12, 3, 8, 0, tzinfo=dt.UTC)
ENDS = STARTS + dt.timedelta(hours=2)


@pytest.fixture
def event():
    location = LocationFactory(
        name="Head office", address="Unter den Linden 1, 10117 Berlin", timezone="Europe/Berlin"
    )
    return EventFactory(
        name="Board meeting",
        description="Quarterly review",
        starts_at=STARTS,
        ends_at=ENDS,
        location=location,
        entrance=EntranceFactory(location=location, name="North gate"),
        host=EmployeeFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace"),
    )


@pytest.fixture
def invitation(event):
    return InvitationFactory(
        event=event,
        contact__email="grace@example.org",
        contact__first_name="Grace",
        contact__last_name="Hopper",
    )


@pytest.fixture
def failing_backend(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.RaisingEmailBackend"
    RaisingEmailBackend.calls = 0
    RaisingEmailBackend.error = None
    yield RaisingEmailBackend
    RaisingEmailBackend.error = None


def mime(sent) -> MimeMessage:
    """The sent Django message as the MIME message a mail client receives."""
    return email.message_from_bytes(sent.message().as_bytes(), policy=email.policy.default)


def ics(sent) -> Calendar:
    [part] = [p for p in mime(sent).walk() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_content())


def calendar_event(sent):
    [entry] = ics(sent).walk("VEVENT")
    return entry


def qr_payloads(sent) -> list[str]:
    """What every QR code image in the message decodes to (with a real decoder, as a scanner would)."""
    images = [p for p in mime(sent).walk() if p.get_content_type() == "image/png"]
    return [
        result.text
        for image in images
        for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.get_content())))
    ]
