"""Writes on visits. Events, invitations and contacts change only through the reconciliation engine."""

from apps.visits.sync import events_sync

__all__ = ["events_sync"]
