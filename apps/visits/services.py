"""Writes on visits. Events, invitations and contacts change only through the reconciliation engine."""

import uuid

from apps.visits.sync import events_sync

__all__ = ["events_sync", "portal_event_source_id_new"]


def portal_event_source_id_new() -> str:
    """The key of an event made in the portal itself (invite portal, admin), unique like a synced one's."""
    return f"portal-{uuid.uuid4()}"
