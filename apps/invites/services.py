"""Writes of the invite portal. Visits change only through the engine, as over the sync API."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from apps.visits.actors import Actor, Door
from apps.visits.models import Event
from apps.visits.sync import EventInput, EventSyncResult, events_sync


def visit_sync(*, user: AbstractBaseUser, event: EventInput) -> EventSyncResult:
    """Bring one portal visit to the desired state (create, change or cancel it) as this user."""
    [result] = events_sync(actor=Actor.of_user(user, door=Door.PORTAL), events=[event])
    return result


def visit_cancel(*, user: AbstractBaseUser, event: Event) -> EventSyncResult:
    """Cancel a portal visit; every guest still invited gets a cancellation."""
    return visit_sync(user=user, event=EventInput(source_id=event.source_id, deleted_at=timezone.now()))
