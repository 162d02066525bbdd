"""`hotline triage reroute [--dry-run]`: put every waiting triage item whose host now routes to a
platform (with a deadline policy for its request's jurisdiction) onto a notice, and print what
moved. The same re-route runs by itself when a platform, host or policy is added
(docs/decisions/0022); this runs it on demand. Running it twice moves nothing twice.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hotline.cases.services.reroute import triage_reroute


class Command(BaseCommand):
    help = "Triage: `reroute` routes waiting items whose platform is now known."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reroute = sub.add_parser("reroute", help="route what was unroutable, and say what moved")
        reroute.add_argument(
            "--dry-run", action="store_true", help="say what would move; change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        result = triage_reroute(trigger="hotline triage reroute", actor="cli", dry_run=dry_run)
        for moved in result.moved:
            where = (
                f"would go to {moved.platform}"
                if dry_run
                else f"{moved.state} at {moved.platform}"
                + (f" on notice {moved.notice_id}" if moved.notice_id else "")
            )
            self.stdout.write(f"{moved.case_id} #{moved.position} {moved.url}: {where}")
        verb = "would move" if dry_run else "moved"
        notices = "" if dry_run else f" onto {len(result.notices)} new notices"
        self.stdout.write(
            f"{verb} {len(result.moved)} items{notices}; "
            f"{result.still_waiting} still wait in triage"
        )
