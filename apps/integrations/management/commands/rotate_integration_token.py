"""`manage.py rotate_integration_token ID`: a new token for an integration; the old one stops working."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.integrations.management.commands._issued import issued_token_json
from apps.integrations.models import Integration
from apps.integrations.services import integration_rotate_token


class Command(BaseCommand):
    help = "Issue a new token for an integration. The last line printed is JSON with the token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id", type=int, help="The integration's id.")

    def handle(self, *args: Any, id: int, **options: Any) -> None:
        integration = Integration.objects.filter(pk=id).first()
        if integration is None:
            raise CommandError(f"There is no integration with id {id}.")
        issued = integration_rotate_token(integration=integration)
        self.stdout.write(
            f"Issued a new token for {integration.name!r}; the previous one no longer works. "
            "Store it now: it is not shown again."
        )
        self.stdout.write(issued_token_json(issued))
