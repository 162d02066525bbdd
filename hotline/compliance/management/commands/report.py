"""`hotline report`: per-platform compliance figures for a period, as a table or CSV."""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.compliance.render import as_csv, as_table
from hotline.compliance.selectors import compliance_report
from hotline.core import clock
from hotline.core.dates import day_problem


def parse_day(text: str) -> datetime:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date like 2024-09-01") from error
    if problem := day_problem(day.date()):
        raise CommandError(f"{text!r} {problem}")
    return day


class Command(BaseCommand):
    help = "Compliance report per platform: received, acted, removal times, deadlines, questions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="First day, YYYY-MM-DD (default: 30 days ago)")
        parser.add_argument("--until", help="Last day, inclusive, YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=["table", "csv"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        today = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
        until = parse_day(options["until"]) if options["until"] else today
        since = parse_day(options["since"]) if options["since"] else until - timedelta(days=30)
        end = until + timedelta(days=1)
        rows = compliance_report(start=since, end=end)
        if options["format"] == "csv":
            self.stdout.write(as_csv(rows), ending="")
            return
        self.stdout.write(f"Compliance report {since:%Y-%m-%d} to {until:%Y-%m-%d} (UTC)\n")
        self.stdout.write(as_table(rows))
