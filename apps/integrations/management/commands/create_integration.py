"""`manage.py create_integration NAME`: a new integration; its token is printed once and never again."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.integrations.management.commands._issued import issued_token_json
from apps.integrations.services import integration_create


class Command(BaseCommand):
    help = "Create an integration. The last line printed is JSON with id, name, token and agentToken."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="What the external system is called, e.g. 'HR calendar'.")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        issued = integration_create(name=name)
        self.stdout.write(
            f"Created integration {issued.integration.name!r} (id {issued.integration.pk}). "
            "Store the token now: it is not shown again."
        )
        self.stdout.write(issued_token_json(issued))
