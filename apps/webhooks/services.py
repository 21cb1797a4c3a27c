"""Webhook endpoints and deliveries: registration, recording messages as outbox rows, sending them.

A change records its deliveries in its own transaction (`webhook_deliveries_record`), one row per
(endpoint, message) with a `webhook-id` of its own; after commit the rows go to Celery (or, without a
broker, to a thread of the web process), so a slow or dead receiver never slows the change. A task
claims its row (PENDING → SENDING, one winner), posts it, records the attempt and either finishes the
row or schedules the next attempt with the same `webhook-id` and body.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import json
import logging
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from standardwebhooks import Webhook

from apps.integrations.models import Integration
from apps.visits.access import integration_may_see_check_in, integration_may_see_invitation
from apps.visits.models import CheckIn, Invitation
from apps.webhooks.guard import UnsafeDestination, destination_resolve
from apps.webhooks.models import EventType, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from apps.webhooks.transport import webhook_post

logger = logging.getLogger(__name__)

MAX_URL_LENGTH = 2000


class WebhookEndpointRefused(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class IssuedEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown once


def webhook_secret_new() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_url_check(*, url: str) -> None:
    """Refuse a URL that may not be called (scheme, host, non-public address): WebhookEndpointRefused."""
    if len(url) > MAX_URL_LENGTH:
        raise WebhookEndpointRefused("url", f"At most {MAX_URL_LENGTH} characters.")
    try:
        destination_resolve(url)
    except UnsafeDestination as exc:
        raise WebhookEndpointRefused("url", str(exc)) from None


def webhook_endpoint_create(*, integration: Integration, url: str, types: Sequence[str]) -> IssuedEndpoint:
    """Register an endpoint of the integration; its secret is returned here only."""
    unknown = [value for value in types if value not in EventType.values]
    if not types or unknown:
        raise WebhookEndpointRefused("types", f"One or more of: {', '.join(EventType.values)}.")
    webhook_url_check(url=url)
    secret = webhook_secret_new()
    endpoint = WebhookEndpoint.objects.create(
        integration=integration, url=url, types=list(dict.fromkeys(types)), secret=secret
    )
    return IssuedEndpoint(endpoint=endpoint, secret=secret)


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, types: Sequence[str], is_active: bool
) -> WebhookEndpoint:
    """Change an endpoint (the admin): a new URL passes the guard; switching it on clears why it was off."""
    unknown = [value for value in types if value not in EventType.values]
    if not types or unknown:
        raise WebhookEndpointRefused("types", f"One or more of: {', '.join(EventType.values)}.")
    if url != endpoint.url:
        webhook_url_check(url=url)
    endpoint.url, endpoint.types, endpoint.is_active = url, list(dict.fromkeys(types)), is_active
    if is_active:
        endpoint.deactivated_reason = ""
    endpoint.save(update_fields=["url", "types", "is_active", "deactivated_reason", "updated_at"])
    return endpoint


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """A new secret for the endpoint (deliveries still pending are signed with it); shown once."""
    secret = webhook_secret_new()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret=secret, updated_at=timezone.now())
    endpoint.secret = secret
    return secret


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


# --- Recording messages -------------------------------------------------------------------------


def _body(*, event_type: str, at: dt.datetime, data: dict[str, Any]) -> str:
    payload = {"type": event_type, "timestamp": at.astimezone(dt.UTC).isoformat(), "data": data}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def webhook_check_in_record(*, event_type: EventType, check_in: CheckIn, at: dt.datetime) -> list[int]:
    """Inside the change's transaction: one delivery per active endpoint subscribed to this type whose
    integration may see the check-in; handed to delivery after commit. Returns the delivery ids."""
    from apps.integrations.api.checkins_serializers import check_in_render

    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True, integration__is_active=True)
        .select_related("integration")
        .prefetch_related("integration__checkin_grants")
        if event_type in endpoint.types
        and integration_may_see_check_in(integration=endpoint.integration, check_in=check_in)
    ]
    if not endpoints:
        return []
    key = f"{event_type}:{check_in.pk}"
    bodies: dict[int, str] = {}
    rows = []
    for endpoint in endpoints:
        if endpoint.integration_id not in bodies:
            data = check_in_render(check_in=check_in, integration=endpoint.integration)
            bodies[endpoint.integration_id] = _body(event_type=event_type, at=at, data=data)
        rows.append(
            WebhookDelivery(
                endpoint=endpoint,
                message_key=key,
                webhook_id=f"msg_{uuid.uuid4().hex}",
                event_type=event_type,
                body=bodies[endpoint.integration_id],
            )
        )
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    # Rows that met an existing (endpoint, message) were not inserted, and their webhook ids are not found.
    inserted = WebhookDelivery.objects.filter(webhook_id__in=[row.webhook_id for row in rows])
    ids = list(inserted.values_list("pk", flat=True))
    webhook_dispatch_on_commit(delivery_ids=ids)
    return ids


def webhook_invitations_cancelled_record(
    *, cancellations: Sequence[tuple[int, int]], at: dt.datetime
) -> list[int]:
    """Inside the engine's transaction: an invitation.cancelled delivery per cancelled guest, per subscribed
    endpoint whose integration may see the guest. `cancellations`: (invitation id, calendar sequence) pairs;
    the sequence tells one cancellation of a guest from a later one after a re-invitation."""
    from apps.integrations.api.checkins_serializers import invitation_cancelled_render

    event_type = EventType.INVITATION_CANCELLED
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True, integration__is_active=True)
        .select_related("integration")
        .prefetch_related("integration__checkin_grants")
        if event_type in endpoint.types
    ]
    if not endpoints or not cancellations:
        return []
    invitations = Invitation.objects.select_related("contact", "event__host", "event__location").in_bulk(
        [invitation_id for invitation_id, _sequence in cancellations]
    )
    bodies: dict[tuple[int, int], str] = {}
    rows = []
    for endpoint in endpoints:
        for invitation_id, sequence in cancellations:
            invitation = invitations.get(invitation_id)
            if invitation is None or not integration_may_see_invitation(
                integration=endpoint.integration, invitation=invitation
            ):
                continue
            key = (endpoint.integration_id, invitation_id)
            if key not in bodies:
                data = invitation_cancelled_render(invitation=invitation, integration=endpoint.integration)
                bodies[key] = _body(event_type=event_type, at=at, data=data)
            rows.append(
                WebhookDelivery(
                    endpoint=endpoint,
                    message_key=f"{event_type}:{invitation_id}:{sequence}",
                    webhook_id=f"msg_{uuid.uuid4().hex}",
                    event_type=event_type,
                    body=bodies[key],
                )
            )
    if not rows:
        return []
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        WebhookDelivery.objects.filter(webhook_id__in=[row.webhook_id for row in rows]).values_list(
            "pk", flat=True
        )
    )
    webhook_dispatch_on_commit(delivery_ids=ids)
    return ids


def webhook_dispatch_on_commit(*, delivery_ids: Sequence[int]) -> None:
    """Hand deliveries to Celery (or this process's background thread) once the change has committed."""
    ids = list(delivery_ids)
    if not ids:
        return

    def _enqueue() -> None:
        if settings.WEBHOOK_DELIVERY_IN_BACKGROUND:
            from apps.webhooks.background import webhook_background_submit

            webhook_background_submit(delivery_ids=ids)
            return
        from apps.webhooks.tasks import webhook_delivery_deliver

        for delivery_id in ids:
            try:
                webhook_delivery_deliver.delay(delivery_id=delivery_id)
            except Exception:
                # Committed as PENDING: the relay hands them over later; the request must not fail now.
                logger.exception("Could not hand webhook deliveries to the broker; the relay will.")
                return

    transaction.on_commit(_enqueue, robust=True)


# --- Sending ------------------------------------------------------------------------------------


class SendResult(enum.StrEnum):
    SUCCEEDED = "succeeded"
    RETRY = "retry"
    FAILED = "failed"
    # Someone else holds or has finished the row (a task run twice), or it is not due yet.
    NOT_CLAIMED = "not_claimed"


@dataclass(frozen=True, slots=True)
class SendOutcome:
    result: SendResult
    retry_in: int | None = None


def webhook_retry_delay(*, attempt: int, retry_after: int | None = None) -> int | None:
    """Seconds before the attempt after `attempt` (1-based); None when no attempts are left.

    A receiver's Retry-After is honoured when it asks for longer than the schedule (capped at a day).
    """
    delays = settings.WEBHOOK_RETRY_DELAYS_SECONDS
    if attempt > len(delays):
        return None
    delay = delays[attempt - 1]
    if retry_after is not None:
        delay = max(delay, min(retry_after, 24 * 3600))
    return delay


def _claim(*, delivery_id: int) -> dt.datetime | None:
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=delivery_id,
        status=WebhookDelivery.Status.PENDING,
    ).update(
        status=WebhookDelivery.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now
    )
    return now if claimed == 1 else None


def _finish(*, delivery_id: int, claimed_at: dt.datetime, **fields: Any) -> None:
    finished = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.SENDING, claimed_at=claimed_at
    ).update(updated_at=timezone.now(), **fields)
    if not finished:
        logger.warning(
            "Webhook delivery %s: the relay took the row back before this attempt ended.", delivery_id
        )


def webhook_headers(*, delivery: WebhookDelivery, at: dt.datetime) -> dict[str, str]:
    """Standard Webhooks headers: the message id (the same on every attempt), the time, the signature."""
    at = at.astimezone(dt.UTC)
    signature = Webhook(delivery.endpoint.secret).sign(delivery.webhook_id, at, delivery.body)
    return {
        "Content-Type": "application/json",
        "User-Agent": "VisitorPortal-Webhooks/1",
        "webhook-id": delivery.webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def webhook_delivery_send(*, delivery_id: int) -> SendOutcome:
    """Post the delivery once per attempt, however often this is called for it; record the attempt."""
    claimed_at = _claim(delivery_id=delivery_id)
    if claimed_at is None:
        return SendOutcome(SendResult.NOT_CLAIMED)
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        _finish(
            delivery_id=delivery_id,
            claimed_at=claimed_at,
            status=WebhookDelivery.Status.FAILED,
            attempts=F("attempts") - 1,
            last_error="Not sent: the endpoint is inactive.",
        )
        return SendOutcome(SendResult.FAILED)

    started_at = timezone.now()
    outcome = webhook_post(
        url=endpoint.url,
        body=delivery.body.encode(),
        headers=webhook_headers(delivery=delivery, at=started_at),
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        max_bytes=settings.WEBHOOK_RESPONSE_MAX_BYTES,
    )
    WebhookAttempt.objects.create(
        delivery=delivery,
        started_at=started_at,
        status_code=outcome.status_code,
        duration_ms=outcome.duration_ms,
        error=outcome.error,
        response_excerpt=outcome.excerpt,
    )
    status = outcome.status_code
    if status is not None and 200 <= status < 300:
        _finish(
            delivery_id=delivery_id,
            claimed_at=claimed_at,
            status=WebhookDelivery.Status.SUCCEEDED,
            succeeded_at=timezone.now(),
            last_error="",
            next_attempt_at=None,
        )
        return SendOutcome(SendResult.SUCCEEDED)

    described = outcome.error or f"HTTP {status}"
    if status == 410:
        with transaction.atomic():
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
                is_active=False,
                deactivated_reason=f"The receiver answered 410 Gone on {started_at:%Y-%m-%d %H:%M} UTC.",
                updated_at=timezone.now(),
            )
            _finish(
                delivery_id=delivery_id,
                claimed_at=claimed_at,
                status=WebhookDelivery.Status.FAILED,
                last_error="410 Gone: the endpoint was deactivated.",
            )
        return SendOutcome(SendResult.FAILED)

    transient = (status is None and not outcome.unsafe) or (
        status is not None and (status >= 500 or status == 429)
    )
    retry_in = (
        webhook_retry_delay(attempt=delivery.attempts, retry_after=outcome.retry_after) if transient else None
    )
    if retry_in is None:
        reason = "no attempts left" if transient else "not retried"
        _finish(
            delivery_id=delivery_id,
            claimed_at=claimed_at,
            status=WebhookDelivery.Status.FAILED,
            last_error=f"Attempt {delivery.attempts}: {described} ({reason}).",
        )
        return SendOutcome(SendResult.FAILED)
    _finish(
        delivery_id=delivery_id,
        claimed_at=claimed_at,
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at=timezone.now() + dt.timedelta(seconds=retry_in),
        last_error=f"Attempt {delivery.attempts}: {described}; retrying in {retry_in} s.",
    )
    return SendOutcome(SendResult.RETRY, retry_in=retry_in)


def webhook_deliveries_redeliver(*, delivery_ids: Sequence[int]) -> int:
    """Send finished deliveries again (same `webhook-id` and body), with a fresh round of attempts."""
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.select_for_update()
            .filter(
                pk__in=list(delivery_ids),
                status__in=[WebhookDelivery.Status.FAILED, WebhookDelivery.Status.SUCCEEDED],
                endpoint__is_active=True,
            )
            .values_list("pk", flat=True)
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(
            status=WebhookDelivery.Status.PENDING,
            attempts=0,
            claimed_at=None,
            next_attempt_at=None,
            succeeded_at=None,
            updated_at=timezone.now(),
        )
        webhook_dispatch_on_commit(delivery_ids=ids)
    return len(ids)


def webhook_relay(*, batch_size: int = 500) -> int:
    """Hand over due deliveries (a retry whose time has come, a row whose task was lost) and take back
    rows a dead worker left in SENDING; returns how many were handed over."""
    now = timezone.now()
    WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.SENDING,
        claimed_at__lt=now - dt.timedelta(seconds=settings.WEBHOOK_SENDING_STALE_SECONDS),
    ).update(status=WebhookDelivery.Status.PENDING, next_attempt_at=None, updated_at=now)
    ids = list(
        WebhookDelivery.objects.filter(
            Q(next_attempt_at__lte=now)
            | Q(next_attempt_at__isnull=True, created_at__lte=now - dt.timedelta(minutes=1)),
            status=WebhookDelivery.Status.PENDING,
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:batch_size]
    )
    from apps.webhooks.tasks import webhook_delivery_deliver

    for delivery_id in ids:
        webhook_delivery_deliver.delay(delivery_id=delivery_id)
    return len(ids)
