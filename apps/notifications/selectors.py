import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from apps.notifications.models import OutboxMessage

# A pending row the relay should long have sent: waiting this long means no worker or no relay is running.
OVERDUE_AFTER = dt.timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class OutboxHealth:
    failed: int  # given up on: an operator must look (and may resend)
    stuck: int  # in SENDING past the stale limit: the relay has not taken them back (is it running?)
    overdue: int  # PENDING and due for longer than OVERDUE_AFTER: nothing is delivering

    @property
    def needs_attention(self) -> bool:
        return bool(self.failed or self.stuck or self.overdue)


def outbox_health_get() -> OutboxHealth:
    """What an operator must know about delivery, in one query."""
    now = timezone.now()
    status = OutboxMessage.Status
    counts = OutboxMessage.objects.aggregate(
        failed=Count("pk", filter=Q(status=status.FAILED)),
        stuck=Count(
            "pk",
            filter=Q(
                status=status.SENDING,
                claimed_at__lt=now - dt.timedelta(seconds=settings.OUTBOX_SENDING_STALE_SECONDS),
            ),
        ),
        overdue=Count(
            "pk",
            filter=Q(status=status.PENDING, created_at__lt=now - OVERDUE_AFTER)
            & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=now - OVERDUE_AFTER)),
        ),
    )
    return OutboxHealth(**counts)


def outbox_failed_ids(*, since: dt.datetime | None = None) -> list[int]:
    """Rows that failed (at or after `since`, when the failure was recorded), oldest first."""
    rows = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED)
    if since is not None:
        rows = rows.filter(updated_at__gte=since)
    return list(rows.order_by("created_at", "id").values_list("pk", flat=True))
