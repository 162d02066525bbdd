"""Django's `changepassword` changes a password without an audit event: use `hotline user
password NAME --password-env VAR` instead."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Not available: use `hotline user password NAME --password-env VAR` (audited)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("args", nargs="*")

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(self.help)
