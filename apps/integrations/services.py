import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from apps.integrations.models import Integration, SyncRequest

TOKEN_PREFIX = "vp_"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    integration: Integration
    token: str  # the only time the plain token exists; it is never stored


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    # 32 bytes from the OS CSPRNG: 256 bits, far above the 128 the spec asks for.
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _token_assign(integration: Integration) -> str:
    token = _new_token()
    integration.token_hash = token_hash(token)
    integration.token_prefix = token[:10]
    return token


def integration_create(*, name: str) -> IssuedToken:
    return integration_save_new(integration=Integration(name=name, agent_token=uuid.uuid4()))


def integration_save_new(*, integration: Integration) -> IssuedToken:
    """Save an integration built elsewhere (the admin's form) with a freshly issued token."""
    if integration.pk is not None:
        raise ValueError("integration_save_new only saves new integrations; rotate an existing one's token.")
    token = _token_assign(integration)
    integration.save()
    return IssuedToken(integration=integration, token=token)


@transaction.atomic
def integration_rotate_token(*, integration: Integration) -> IssuedToken:
    token = _token_assign(integration)
    integration.save(update_fields=["token_hash", "token_prefix", "updated_at"])
    return IssuedToken(integration=integration, token=token)


def integration_deactivate(*, integration: Integration) -> None:
    integration.is_active = False
    integration.save(update_fields=["is_active", "updated_at"])


def integration_activate(*, integration: Integration) -> None:
    """Let the integration's current token in again (it is not rotated; rotate it if it leaked)."""
    integration.is_active = True
    integration.save(update_fields=["is_active", "updated_at"])


def sync_request_record(
    *,
    integration: Integration,
    request_id: str,
    received_at: dt.datetime,
    duration: float,
    statuses: Mapping[str, int],
    actions: Mapping[str, int],
) -> SyncRequest:
    """Keep a record of one sync request (seconds in `duration`), for operators reading the admin."""
    return SyncRequest.objects.create(
        integration=integration,
        request_id=request_id,
        received_at=received_at,
        events_received=sum(statuses.values()),
        statuses=dict(sorted(statuses.items())),
        actions=dict(sorted(actions.items())),
        duration_ms=round(duration * 1000),
    )
