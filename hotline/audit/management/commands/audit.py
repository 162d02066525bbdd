"""`hotline audit verify`: check the hash chain and name the first broken link."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.audit.services import audit_verify_chain


class Command(BaseCommand):
    help = "Work with the tamper-evident audit record (subcommand: verify)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Recompute every event's hash and check the links.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify_chain()
        if report.intact:
            self.stdout.write(f"audit chain intact: {report.checked} events verified")
            return
        raise CommandError(
            f"audit chain BROKEN at event #{report.first_broken_seq}: {report.problem} "
            f"({report.checked} events before it verified)"
        )
