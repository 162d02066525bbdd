"""`hotline org create|list`: manage organisations (regulators, support centres, platforms)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hotline.accounts.models import Organisation, OrganisationKind
from hotline.accounts.services import organisation_create
from hotline.core.commands import domain_errors_as_command_errors


class Command(BaseCommand):
    help = "Create or list organisations."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create an organisation.")
        create.add_argument("--name", required=True)
        create.add_argument("--kind", required=True, choices=OrganisationKind.values)
        create.add_argument("--jurisdiction", default="KR", help="ISO country code, e.g. KR, US")
        create.add_argument("--email", default="", help="Contact email address")
        sub.add_parser("list", help="List organisations.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for org in Organisation.objects.order_by("name"):
                self.stdout.write(f"{org.slug}\t{org.kind}\t{org.jurisdiction}\t{org.name}")
            return
        with domain_errors_as_command_errors():
            org = organisation_create(
                name=options["name"],
                kind=options["kind"],
                jurisdiction=options["jurisdiction"],
                contact_email=options["email"],
                actor="cli",
            )
        self.stdout.write(f"created organisation {org.name} ({org.kind}), slug {org.slug}")
