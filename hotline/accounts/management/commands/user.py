"""`hotline user create`: a person with one role in one organisation."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hotline.accounts.models import Role
from hotline.accounts.selectors import organisation_get
from hotline.accounts.services import user_create
from hotline.core.commands import domain_errors_as_command_errors


class Command(BaseCommand):
    help = "Create a user with a role in an organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a user.")
        create.add_argument("--username", required=True)
        create.add_argument("--org", required=True, help="Organisation name or slug")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--email", default="")
        create.add_argument(
            "--password-env",
            default="",
            help="Name of an environment variable holding the password (keeps it out of ps)",
        )
        create.add_argument("--staff", action="store_true", help="May sign in to the admin")
        create.add_argument(
            "--superuser", action="store_true", help="May read everything in the admin"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get(options["password_env"]) if options["password_env"] else None
        with domain_errors_as_command_errors():
            membership = user_create(
                username=options["username"],
                organisation=organisation_get(name_or_slug=options["org"]),
                role=options["role"],
                password=password,
                email=options["email"],
                is_staff=options["staff"],
                is_superuser=options["superuser"],
                actor="cli",
            )
        self.stdout.write(
            f"created user {options['username']} as {membership.role} "
            f"of {membership.organisation.name}"
        )
