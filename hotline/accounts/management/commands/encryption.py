"""`hotline encryption check|reencrypt`: the key that encrypts secrets at rest."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.accounts.services import secrets_reencrypt
from hotline.core.encryption import encryption_key_problem


class Command(BaseCommand):
    help = (
        "check: the encryption key is usable. reencrypt: rewrite every encrypted secret under "
        "the current key (after moving the old one to HOTLINE_ENCRYPTION_KEY_FALLBACKS)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check", "reencrypt"])

    def handle(self, *args: Any, **options: Any) -> None:
        problem = encryption_key_problem()
        if problem:
            raise CommandError(problem)
        if options["action"] == "check":
            self.stdout.write("encryption key: ok")
            return
        for label, rows in secrets_reencrypt(actor="cli").items():
            self.stdout.write(f"{label}: {rows} re-encrypted")
