"""Django's `createsuperuser` makes a person with no organisation and no audit event: use
`hotline user create --superuser` instead."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Not available: use `hotline user create --username NAME --org ORG --role admin "
        "--superuser --password-env VAR` (audited)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("args", nargs="*")

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(self.help)
