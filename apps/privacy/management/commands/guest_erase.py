import json
import sys

from django.core.management.base import BaseCommand, CommandError

from apps.privacy.management.commands._address import address_or_refuse
from apps.privacy.selectors import guest_erasure_preview
from apps.privacy.services import guest_erase
from apps.visits.actors import Actor


class Command(BaseCommand):
    help = (
        "Erase everything the portal holds about a guest's email address: every invitation anonymised, "
        "upcoming ones cancelled (the host is told, the guest is not), unsent messages discarded. Asks "
        "for confirmation unless given --yes. Last line: JSON with the counts."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--yes", action="store_true", help="Erase without asking.")

    def handle(self, *args, email: str, yes: bool, **options) -> None:
        address = address_or_refuse(email)
        if not yes:
            preview = guest_erasure_preview(address=address)
            self.stdout.write(
                f"{len(preview.invitations)} invitation(s), {preview.contacts} contact(s) and "
                f"{preview.messages} message(s) of {address} will be erased; {preview.cancelled} upcoming "
                "visit(s) will be cancelled and their hosts told."
            )
            answer = input("Erase? Type 'yes' to continue: ") if sys.stdin.isatty() else ""
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing erased: confirm with 'yes' or pass --yes.")
        report = guest_erase(actor=Actor.of_system("guest_erase"), address=address)
        self.stdout.write(json.dumps(report.as_json()))
