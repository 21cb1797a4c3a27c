import json

from django.core.management.base import BaseCommand

from apps.privacy.services import RETENTION_ACTOR, retention_apply
from apps.visits.actors import Actor


class Command(BaseCommand):
    help = (
        "Anonymise the guests of every event that ended more than its location's retention period ago "
        "(GUEST_RETENTION_DAYS where the location sets none). Last line: JSON with the counts. "
        "`celery -A portal beat` runs the same once a day."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; change nothing.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        report = retention_apply(actor=Actor.of_system(RETENTION_ACTOR), dry_run=dry_run)
        self.stdout.write(json.dumps(report.as_json()))
