from django.core.management.base import BaseCommand

from apps.notifications.services import RELAY_BATCH_SIZE, outbox_relay


class Command(BaseCommand):
    help = (
        "Deliver outbox messages that were committed but never handed to Celery (e.g. after a crash "
        "between commit and enqueue, or a transient failure without a broker), and send again messages "
        "a dead worker left mid-send (same Message-ID). Safe to run at any time, e.g. from cron; "
        "`celery -A portal beat` runs the same every minute."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=RELAY_BATCH_SIZE,
            help=f"At most this many messages per run (default {RELAY_BATCH_SIZE}).",
        )

    def handle(self, *args, batch_size: int, **options) -> None:
        report = outbox_relay(batch_size=batch_size)
        self.stdout.write(
            f"Relayed {report.enqueued} pending message(s); "
            f"{report.revived} interrupted mid-send sent again; "
            f"{report.abandoned} failed with no attempts left."
        )
