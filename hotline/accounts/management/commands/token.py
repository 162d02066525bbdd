"""`hotline token create|list|revoke`: API tokens; the raw token is printed once, at creation."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hotline.accounts.selectors import membership_get, tokens_list
from hotline.accounts.services import token_create, token_revoke
from hotline.core.commands import domain_errors_as_command_errors


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "Issue, list or revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a token for a user.")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="api")
        listing = sub.add_parser("list", help="List tokens: id, prefix, user, name, dates.")
        listing.add_argument("--user", default="", help="Only this user's tokens")
        listing.add_argument("--all", action="store_true", help="Include revoked tokens")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix or id.")
        named = revoke.add_mutually_exclusive_group(required=True)
        named.add_argument("--prefix")
        named.add_argument("--id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        with domain_errors_as_command_errors():
            if options["action"] == "list":
                self._list(options["user"], options["all"])
                return
            if options["action"] == "revoke":
                token = token_revoke(
                    prefix=options["prefix"] or "", token_id=options["id"], actor="cli"
                )
                self.stdout.write(f"revoked token {token.pk} ({token.prefix}…)")
                return
            membership = membership_get(username=options["user"])
            _, raw = token_create(membership=membership, name=options["name"], actor="cli")
        # The raw token alone on stdout, so scripts can capture it.
        self.stdout.write(raw)

    def _list(self, username: str, include_revoked: bool) -> None:
        self.stdout.write("id\tprefix\tuser\torganisation\tname\tcreated\tlast used\trevoked")
        for t in tokens_list(username=username, include_revoked=include_revoked):
            self.stdout.write(
                f"{t.pk}\t{t.prefix}…\t{t.membership.user.get_username()}\t"
                f"{t.membership.organisation.slug}\t{t.name}\t{_when(t.created_at)}\t"
                f"{_when(t.last_used_at)}\t{_when(t.revoked_at)}"
            )
