from django.core.management.base import BaseCommand

from apps.privacy.documents import export_json
from apps.privacy.management.commands._address import address_or_refuse
from apps.privacy.services import guest_export
from apps.visits.actors import Actor


class Command(BaseCommand):
    help = "Print everything the portal holds about a guest's email address as one JSON document."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")

    def handle(self, *args, email: str, **options) -> None:
        address = address_or_refuse(email)
        document = guest_export(actor=Actor.of_system("guest_export"), address=address)
        self.stdout.write(export_json(document), ending="")
