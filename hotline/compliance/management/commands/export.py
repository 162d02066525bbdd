"""`hotline export dsa-sor`: a platform's EU DSA statements of reasons, as bulk-API batches."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from hotline.compliance.dsa_sor import RULES_VERSION
from hotline.compliance.dsa_sor_selectors import (
    dsa_sor_batches,
    platform_for_dsa_export,
    rejections_count,
)
from hotline.core.commands import domain_errors_as_command_errors


def parse_day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC).date()
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date like 2024-09-01") from error


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}es" if noun.endswith("ch") else f"{n} {noun}s"


class Command(BaseCommand):
    help = "Export for the outside world (subcommand: dsa-sor, EU DSA statements of reasons)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sor = sub.add_parser(
            "dsa-sor",
            help="Statements of reasons for a platform's removals and restrictions, as "
            '{"statements": [...]} batches of at most 100 for the transparency database.',
        )
        sor.add_argument("--platform", required=True, help="Platform name (or its slug)")
        sor.add_argument("--since", help="First day of decisions, YYYY-MM-DD, UTC (default: all)")
        sor.add_argument("--until", help="Last day, inclusive, YYYY-MM-DD, UTC (default: all)")
        sor.add_argument(
            "-o",
            "--output",
            help="Directory for one JSON file per batch (default: one batch per line on stdout)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since, until = parse_day(options["since"]), parse_day(options["until"])
        if since and until and since > until:
            raise CommandError("--since must not be after --until")
        start = datetime(since.year, since.month, since.day, tzinfo=UTC) if since else None
        end = (
            datetime(until.year, until.month, until.day, tzinfo=UTC) + timedelta(days=1)
            if until
            else None
        )
        with domain_errors_as_command_errors():
            platform = platform_for_dsa_export(actor=None, name=options["platform"])
        out_dir = Path(options["output"]) if options["output"] else None
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
        stem = "dsa-sor-{}-{}_{}".format(
            slugify(platform.name) or f"platform-{platform.pk}",
            since or "start",
            until or "now",
        )
        batches = statements = 0
        for batch in dsa_sor_batches(platform=platform, start=start, end=end):
            batches += 1
            statements += len(batch)
            self._write({"statements": batch}, out_dir, f"{stem}-{batches:04d}.json")
        rejections = rejections_count(platform=platform, start=start, end=end)
        where = f" in {out_dir}" if out_dir is not None else ""
        summary = (
            f"{platform.name}: {_count(statements, 'statement')} of reasons in "
            f"{_count(batches, 'batch')}{where}; {_count(rejections, 'rejection')} not exported "
            f"(a rejection restricts nothing). Rules: {RULES_VERSION}.\n"
        )
        # With no directory the batches are stdout, so the summary goes to stderr.
        (self.stdout if out_dir is not None else self.stderr).write(summary, ending="")

    def _write(self, batch: dict[str, Any], out_dir: Path | None, name: str) -> None:
        text = json.dumps(batch, ensure_ascii=False, sort_keys=True)
        if out_dir is None:
            self.stdout.write(text)
        else:
            (out_dir / name).write_text(text + "\n", encoding="utf-8")
