"""`hotline token create|revoke`: API tokens; the raw token is printed once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hotline.accounts.selectors import membership_get
from hotline.accounts.services import token_create, token_revoke
from hotline.core.commands import domain_errors_as_command_errors


class Command(BaseCommand):
    help = "Issue or revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a token for a user.")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="api")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("--prefix", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        with domain_errors_as_command_errors():
            if options["action"] == "revoke":
                token = token_revoke(prefix=options["prefix"], actor="cli")
                self.stdout.write(f"revoked token {token.prefix}…")
                return
            membership = membership_get(username=options["user"])
            _, raw = token_create(membership=membership, name=options["name"], actor="cli")
        # The raw token alone on stdout, so scripts can capture it.
        self.stdout.write(raw)
