"""`hotline request import FILE --user NAME --request REQUEST.json [--victim REF]`: file a CSV
or a list of URLs in chunks of 1,000 lines, with a progress bar; bad lines are listed, good
ones filed.

REQUEST.json holds what every request of the import shares, as in `POST /api/requests`
without `items`: category, reasons, legal, urgent, involves_minor, jurisdiction, legal_bases,
victim_reference. `--victim REF` files every line for the centre's victim REF (it overrides
the file's victim_reference).
Running the same file again files nothing twice: the import's reference defaults to a hash
of the file and the request fields, and each chunk's request is keyed by it.
"""

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import ValidationError

from hotline.accounts.selectors import membership_get
from hotline.accounts.services import actor_for_membership
from hotline.cases.inputs import request_input
from hotline.cases.schemas import ImportIn
from hotline.cases.services.bulk import MAX_LINES, import_lines
from hotline.core.commands import domain_errors_as_command_errors


class Command(BaseCommand):
    help = "Bulk intake: `import FILE` files a CSV or list of URLs, naming every bad line."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        bulk = sub.add_parser("import", help="file every good line of FILE ('-': stdin)")
        bulk.add_argument("file")
        bulk.add_argument("--user", required=True, help="the reporter filing the requests")
        bulk.add_argument("--request", required=True, help="JSON file of the request fields")
        bulk.add_argument("--reference", default="", help="names the import (default: a hash)")
        bulk.add_argument(
            "--victim", default="", help="your pseudonymous reference of the victim (never a name)"
        )
        bulk.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        lines = _read_lines(options["file"])
        fields = _read_fields(options["request"])
        if options["victim"]:
            fields["victim_reference"] = options["victim"]  # in the default reference's hash too
        reference = options["reference"] or _reference(lines, fields)
        from tqdm import tqdm  # only for this command: importing it costs a tenth of a second

        with (
            domain_errors_as_command_errors(),
            tqdm(
                total=len(lines), unit="line", file=sys.stderr, disable=options["no_progress"]
            ) as bar,
        ):
            actor = actor_for_membership(membership_get(username=options["user"]))
            summary = import_lines(
                actor=actor,
                template=request_input(_import_body(fields, reference), []),
                reference=reference,
                lines=lines,
                progress=bar.update,
            )
        for problem in summary.rejected:
            self.stderr.write(f"line {problem.line}: {problem.reason}")
        self.stdout.write(
            f"{summary.filed} line(s) filed in {len(summary.cases)} request(s): "
            f"{', '.join(summary.cases) or '-'}; {len(summary.rejected)} line(s) not filed; "
            f"reference {reference}"
        )
        if summary.rejected:
            raise CommandError(
                f"{len(summary.rejected)} line(s) not filed; fix them and import those"
            )


def _read_lines(name: str) -> list[str]:
    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as error:
        raise CommandError(f"{name}: {error.strerror}") from error
    lines = raw.decode("utf-8-sig", errors="replace").splitlines()
    if len(lines) > MAX_LINES:
        raise CommandError(f"{name} has {len(lines)} lines; an import holds at most {MAX_LINES}")
    return lines


def _read_fields(name: str) -> dict[str, Any]:
    try:
        fields = json.loads(Path(name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(f"--request {name}: not a readable JSON file ({error})") from error
    if not isinstance(fields, dict):
        raise CommandError(f"--request {name}: expected a JSON object of request fields")
    return fields


def _import_body(fields: dict[str, Any], reference: str) -> ImportIn:
    try:
        return ImportIn.model_validate({**fields, "reference": reference, "lines": []})
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise CommandError(f"--request: {problems}") from error


def _reference(lines: list[str], fields: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode())
    for line in lines:
        digest.update(line.encode() + b"\n")
    return f"import-{digest.hexdigest()[:32]}"
