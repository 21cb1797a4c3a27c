import argparse
import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.notifications.selectors import outbox_failed_ids
from apps.notifications.services import outbox_message_resend


def _since(value: str) -> dt.datetime:
    """An ISO 8601 date (midnight, UTC) or date and time (UTC unless it names an offset)."""
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = dt.datetime.combine(day, dt.time()) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO 8601 date or date and time (e.g. 2027-03-01 or 2027-03-01T08:00Z)"
        )
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)


class Command(BaseCommand):
    help = (
        "Send failed outbox messages again, with the same rules as the admin's “Resend” action: each gets a "
        "fresh round of attempts and keeps its Message-ID. Running it twice queues nothing the second time "
        "(the messages are no longer failed)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--failed",
            action="store_true",
            required=True,
            help="Resend the messages that failed (required: says what is resent).",
        )
        parser.add_argument(
            "--since",
            type=_since,
            help="Only messages that failed at or after this ISO 8601 date or date and time (default UTC).",
        )

    def handle(self, *args, since: dt.datetime | None, **options) -> None:
        queued = outbox_message_resend(message_ids=outbox_failed_ids(since=since))
        if settings.OUTBOX_DELIVERY_IN_BACKGROUND and queued:
            # Without a broker this process sends them itself, so it must not exit before it has.
            from apps.notifications.background import outbox_background_sender, outbox_background_stop

            outbox_background_sender().wait_idle()
            outbox_background_stop()
        self.stdout.write(f"Queued {queued} failed message(s) for sending again.")
