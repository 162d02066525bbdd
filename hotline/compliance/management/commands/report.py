"""`hotline report`: per-platform compliance figures for a period, as tables or CSV."""

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.accounts.models import Organisation, OrganisationKind
from hotline.accounts.preferences import default_time_zone
from hotline.audit.selectors import current_checkpoint
from hotline.compliance.period import period_ending, zone_named
from hotline.compliance.render import as_csv, as_table
from hotline.compliance.selectors import compliance_report
from hotline.core import clock
from hotline.core.commands import domain_errors_as_command_errors
from hotline.core.dates import day_problem

DEFAULT_DAYS = 30


def parse_day(text: str) -> date:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date like 2024-09-01") from error
    if problem := day_problem(day):
        raise CommandError(f"{text!r} {problem}")
    return day


def zone_and_reason(*, time_zone: str | None, org: str | None) -> tuple[str, str]:
    """The zone the period's days are read in, and why that one, for the report to say."""
    if time_zone:
        return time_zone, "--time-zone"
    if org:
        organisation = Organisation.objects.filter(name=org).first()
        if organisation is None:
            raise CommandError(f"no organisation named {org!r}; see hotline org list")
    else:
        regulators = list(Organisation.objects.filter(kind=OrganisationKind.REGULATOR)[:2])
        if len(regulators) != 1:
            return "UTC", "no --org or --time-zone, and not exactly one regulator"
        organisation = regulators[0]
    zone = default_time_zone(jurisdiction=organisation.jurisdiction)
    return zone, f"{organisation.name}, jurisdiction {organisation.jurisdiction}"


class Command(BaseCommand):
    help = (
        "Compliance report per platform and reporting jurisdiction: removal, deadlines, "
        "acknowledgement, questions, re-uploads. Days are read in the organisation's time zone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="First day, YYYY-MM-DD (default: 30 days ago)")
        parser.add_argument("--until", help="Last day, inclusive, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--org",
            help="Read the days in this organisation's time zone (default: the regulator's)",
        )
        parser.add_argument("--time-zone", help="Read the days in this IANA zone instead")
        parser.add_argument("--format", choices=["table", "csv"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        zone, reason = zone_and_reason(time_zone=options["time_zone"], org=options["org"])
        now = clock.now()
        with domain_errors_as_command_errors():
            today = now.astimezone(ZoneInfo(zone_named(zone))).date()
            period = period_ending(
                today=today,
                since=parse_day(options["since"]) if options["since"] else None,
                until=parse_day(options["until"]) if options["until"] else None,
                days=DEFAULT_DAYS,
                time_zone=zone,
            )
        rows = compliance_report(start=period.start, end=period.end, as_of=now)
        said = (
            f"Compliance report {period.since:%Y-%m-%d} to {period.until:%Y-%m-%d}, days in "
            f"{period.time_zone} ({reason}); notices sent {period.start:%Y-%m-%d %H:%M %z} to "
            f"{period.end:%Y-%m-%d %H:%M %z}; figures as of {now:%Y-%m-%d %H:%M} UTC"
        )
        if options["format"] == "csv":
            self.stderr.write(said)  # the CSV on stdout stays one clean table
            self.stdout.write(as_csv(rows), ending="")
            return
        self.stdout.write(said + "\n")
        self.stdout.write(as_table(rows))
        # The signed checkpoint the figures were computed at, for the reader to keep.
        self.stdout.write("\naudit checkpoint: " + json.dumps(current_checkpoint().as_dict()))
