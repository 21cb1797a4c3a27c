"""Celery beat's daily retention run: the same service as `apply_retention` (safe to run twice)."""

from celery import shared_task

from apps.privacy.services import RETENTION_ACTOR, retention_apply
from apps.visits.actors import Actor


@shared_task(ignore_result=True)
def retention_apply_run() -> dict[str, int | bool]:
    return retention_apply(actor=Actor.of_system(RETENTION_ACTOR)).as_json()
