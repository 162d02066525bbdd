"""`hotline bank create|list|share|import|export|snapshot|remove`: manage hash banks (hashes)."""

import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from hotline.banks.exchange import bank_import_rows
from hotline.banks.feed import bank_changes_all, parse_cursor
from hotline.banks.models import Bank
from hotline.banks.selectors import banks_list
from hotline.banks.services import bank_create, bank_remove, bank_share
from hotline.banks.shards import this_shard
from hotline.banks.snapshots import snapshot_root, snapshot_write
from hotline.core import clock
from hotline.core.commands import domain_errors_as_command_errors
from hotline.exchange.readers import read
from hotline.exchange.records import FORMATS, Change
from hotline.exchange.writers import Page, write

# Bad lines listed in full up to this many; the rest are counted.
MAX_LISTED = 200


class _Counted(io.RawIOBase):
    """A binary file that moves a progress bar by the bytes read from it."""

    def __init__(self, raw: io.BufferedReader, bar: tqdm) -> None:
        self.raw, self.bar = raw, bar

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self.raw.readinto(buffer)
        self.bar.update(count)
        return count


class Command(BaseCommand):
    help = "Create, list, share, fill, export and prune hash banks."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a bank.")
        create.add_argument("name")
        create.add_argument("--description", default="")
        create.add_argument("--threshold", type=int, default=31, help="PDQ match distance")
        create.add_argument(
            "--platform-feed", action="store_true", help="Let platforms fetch it (its feed)"
        )
        sub.add_parser("list", help="List banks with their live entry counts.")
        share = sub.add_parser("share", help="Let platforms fetch a bank through its feed.")
        share.add_argument("name")
        share.add_argument("--off", action="store_true", help="Stop sharing it")
        load = sub.add_parser(
            "import", help="Add (and delete) hashes from a file in one of the exchange formats."
        )
        load.add_argument("name")
        load.add_argument("file")
        load.add_argument("--format", choices=FORMATS, default="csv", help="default: csv")
        load.add_argument("--label", default="", help="Recorded as the entries' source")
        load.add_argument("--no-progress", action="store_true", help="No progress bar")
        export = sub.add_parser(
            "export", help="Write a bank, or its changes since a cursor, in an exchange format."
        )
        export.add_argument("name")
        export.add_argument("--format", choices=FORMATS, default="csv", help="default: csv")
        export.add_argument("--since", default=None, help="A cursor an earlier export printed")
        export.add_argument("--output", "-o", default="-", help="A file (default: stdout)")
        snapshot = sub.add_parser(
            "snapshot",
            help="Write each bank's index to HOTLINE_INDEX_SNAPSHOT_DIR for every process to map"
            " (with HOTLINE_MATCH_SHARD=i/n set: that shard's index).",
        )
        snapshot.add_argument("names", nargs="*", help="Banks to snapshot (default: all)")
        remove = sub.add_parser("remove", help="Remove entries by id.")
        remove.add_argument("name")
        remove.add_argument("ids", nargs="+", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        with domain_errors_as_command_errors():
            getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        bank = bank_create(
            name=options["name"],
            description=options["description"],
            threshold=options["threshold"],
            platform_feed=options["platform_feed"],
            actor="cli",
        )
        self.stdout.write(f"created bank {bank.name} (threshold {bank.threshold})")

    def _list(self, options: dict[str, Any]) -> None:
        for bank in banks_list():
            live = bank.entries.filter(removed_version=None).count()
            shared = "\tshared with platforms" if bank.platform_feed else ""
            self.stdout.write(
                f"{bank.name}\t{live} entries\tthreshold {bank.threshold}\t"
                f"version {bank.version}{shared}\t{bank.description}"
            )

    def _share(self, options: dict[str, Any]) -> None:
        bank = bank_share(
            bank=_bank(options["name"]), platform_feed=not options["off"], actor="cli"
        )
        state = "shared with platforms" if bank.platform_feed else "not shared with platforms"
        self.stdout.write(f"bank {bank.name} is {state}")

    def _import(self, options: dict[str, Any]) -> None:
        bank = _bank(options["name"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        label = options["label"] or options["file"]
        bar = tqdm(
            total=path.stat().st_size,
            unit="B",
            unit_scale=True,
            desc=f"import {path.name}",
            disable=options["no_progress"],
            file=sys.stderr,
        )
        with path.open("rb") as raw, bar:
            text = io.TextIOWrapper(
                io.BufferedReader(_Counted(raw, bar)), encoding="utf-8-sig", newline=""
            )
            try:
                report = bank_import_rows(
                    bank=bank,
                    rows=read(options["format"], text),
                    source=f"import:{label}",
                    actor="cli",
                )
            except UnicodeDecodeError as error:
                raise CommandError(f"{path} is not UTF-8 text ({error.reason})") from error
        for problem in (report.bad + report.unapplied)[:MAX_LISTED]:
            self.stderr.write(f"{path}, line {problem.line}: {problem.message}")
        listed = len(report.bad) + len(report.unapplied)
        if listed > MAX_LISTED:
            self.stderr.write(f"… and {listed - MAX_LISTED} more")
        skipped: dict[str, list[int]] = {}
        for record in report.skipped:
            skipped.setdefault(record.message, []).append(record.line)
        for message, lines in skipped.items():
            self.stderr.write(
                f"{path}: skipped {len(lines)} records (first on line {lines[0]}): {message}"
            )
        summary = f"added {report.added} of {report.rows} hashes to {bank.name}"
        if report.already:
            summary += f", {report.already} already there"
        if report.removed or report.not_found:
            summary += f", removed {report.removed} ({report.not_found} deletions not found)"
        if report.unapplied:
            summary += f", {len(report.unapplied)} deletions by id not applied"
        self.stdout.write(summary)
        if report.bad:
            raise CommandError(
                f"{len(report.bad)} bad lines in {path} (listed above); every other row was read"
            )

    def _export(self, options: dict[str, Any]) -> None:
        bank = _bank(options["name"])
        after = parse_cursor(options["since"])
        page = Page(
            bank=bank.name, next_cursor=options["since"] or "0", has_more=False, now=clock.now()
        )

        def changes() -> Iterator[Change]:
            for feed_page in bank_changes_all(bank=bank, after=after):
                yield from feed_page.changes
                page.next_cursor = feed_page.next_cursor

        if options["output"] == "-":
            written = write(options["format"], changes(), _Stdout(self), page)
        else:
            try:
                out = open(options["output"], "w", encoding="utf-8", newline="")  # noqa: SIM115
            except OSError as error:
                raise CommandError(f"cannot write {options['output']}: {error.strerror}") from error
            with out:
                written = write(options["format"], changes(), out, page)
        self.stderr.write(
            f"wrote {written.adds} additions and {written.deletes} deletions of bank {bank.name}"
            f"; next time: --since {page.next_cursor}"
        )
        for reason, count in sorted(written.skipped.items()):
            self.stderr.write(f"left out {count}: {reason}")

    def _snapshot(self, options: dict[str, Any]) -> None:
        if snapshot_root() is None:
            raise CommandError("HOTLINE_INDEX_SNAPSHOT_DIR is empty: index snapshots are off")
        banks = [_bank(name) for name in options["names"]] or list(banks_list())
        serving = this_shard()  # a shard matcher's environment: its own shard's snapshot
        shard = f" (shard {serving.index}/{serving.count})" if serving is not None else ""
        for bank in banks:
            written = snapshot_write(bank)
            self.stdout.write(
                f"{written.bank}{shard}: {written.entries} PDQ entries at version"
                f" {written.version} in {written.path} ({written.seconds:.1f} s)"
            )

    def _remove(self, options: dict[str, Any]) -> None:
        count = bank_remove(bank=_bank(options["name"]), entry_ids=options["ids"], actor="cli")
        self.stdout.write(f"removed {count} entries")


class _Stdout:
    """The command's stdout, written exactly (OutputWrapper adds a newline to each write)."""

    def __init__(self, command: BaseCommand) -> None:
        self.command = command

    def write(self, text: str, /) -> object:
        self.command.stdout.write(text, ending="")
        return len(text)


def _bank(name: str) -> Bank:
    bank = Bank.objects.filter(name=name).first()
    if bank is None:
        raise CommandError(f"no bank named {name!r}")
    return bank
