"""`hotline match`: match PDQ hashes against a bank file, or against the database's banks."""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.banks.selectors import bank_match
from hotline.banks.services import Signal, signal_problem
from hotline.hashing.index import DEFAULT_RADIUS
from hotline.hashing.match_cli import run_match


class Command(BaseCommand):
    help = "Match a file of PDQ hashes (one per line) against a bank; JSON lines out."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query_file")
        parser.add_argument(
            "--bank", help="Bank file: HEX or HEX,ID per line (default: the database's banks)"
        )
        parser.add_argument("--radius", type=int, default=DEFAULT_RADIUS)
        parser.add_argument(
            "--db-bank", action="append", default=[], help="Only these database banks"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["bank"]:
            code = run_match(
                bank_path=options["bank"],
                query_path=options["query_file"],
                radius=options["radius"],
                out=sys.stdout,
                err=sys.stderr,
            )
            if code:
                sys.exit(code)
            return
        queries = _read_queries(options["query_file"])
        signals = [Signal(type="pdq", value=value) for _, value in queries]
        results = bank_match(signals=signals, bank_names=options["db_bank"] or None)
        for (line, _), matches in zip(queries, results, strict=True):
            found = [
                {"id": m.entry_id, "distance": m.distance, "bank": m.bank, "source": m.source}
                for m in matches
                if m.distance <= options["radius"]
            ]
            self.stdout.write(json.dumps({"query": line, "matches": found}))


def _read_queries(path: str) -> list[tuple[int, str]]:
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror}") from error
    queries = []
    for number, text in enumerate(lines):
        value = text.strip().lower()
        if not value:
            continue
        problem = signal_problem(Signal(type="pdq", value=value))
        if problem:
            raise CommandError(f"{path}, line {number + 1}: {problem}")
        queries.append((number, value))
    return queries
