"""`hotline bank create|list|import|snapshot|remove`: manage hash banks (hashes, never bytes)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.banks.bulk_import import import_rows, plain_csv_rows
from hotline.banks.models import Bank
from hotline.banks.selectors import banks_list
from hotline.banks.services import bank_create, bank_remove
from hotline.banks.snapshots import snapshot_root, snapshot_write
from hotline.core.commands import domain_errors_as_command_errors


class Command(BaseCommand):
    help = "Create, list, fill and prune hash banks."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a bank.")
        create.add_argument("name")
        create.add_argument("--description", default="")
        create.add_argument("--threshold", type=int, default=31, help="PDQ match distance")
        sub.add_parser("list", help="List banks with their live entry counts.")
        load = sub.add_parser("import", help="Add hashes from a file: TYPE,HEX[,QUALITY] per line.")
        load.add_argument("name")
        load.add_argument("file")
        load.add_argument("--label", default="", help="Recorded as the entries' source")
        snapshot = sub.add_parser(
            "snapshot",
            help="Write each bank's index to HOTLINE_INDEX_SNAPSHOT_DIR for every process to map.",
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
            actor="cli",
        )
        self.stdout.write(f"created bank {bank.name} (threshold {bank.threshold})")

    def _list(self, options: dict[str, Any]) -> None:
        for bank in banks_list():
            live = bank.entries.filter(removed_version=None).count()
            self.stdout.write(
                f"{bank.name}\t{live} entries\tthreshold {bank.threshold}\t{bank.description}"
            )

    def _import(self, options: dict[str, Any]) -> None:
        bank = _bank(options["name"])
        label = options["label"] or options["file"]
        try:
            with open(options["file"], encoding="utf-8", errors="replace") as handle:
                result = import_rows(
                    bank=bank, rows=plain_csv_rows(handle), source=f"import:{label}", actor="cli"
                )
        except OSError as error:
            raise CommandError(f"{options['file']}: {error.strerror}") from error
        for bad in result.bad_lines:
            self.stderr.write(f"{options['file']}, line {bad.line}: {bad.reason}")
        if result.bad > len(result.bad_lines):
            self.stderr.write(f"… and {result.bad - len(result.bad_lines)} more bad lines")
        self.stdout.write(
            f"added {result.added} of {result.read} hashes to {bank.name}"
            f" ({result.duplicates} already there, {result.bad} bad lines skipped)"
        )
        if result.bad:
            raise CommandError(f"{result.bad} bad line(s) skipped; the other lines were added")

    def _snapshot(self, options: dict[str, Any]) -> None:
        if snapshot_root() is None:
            raise CommandError("HOTLINE_INDEX_SNAPSHOT_DIR is empty: index snapshots are off")
        banks = [_bank(name) for name in options["names"]] or list(banks_list())
        for bank in banks:
            written = snapshot_write(bank)
            self.stdout.write(
                f"{written.bank}: {written.entries} PDQ entries at version {written.version}"
                f" in {written.path} ({written.seconds:.1f} s)"
            )

    def _remove(self, options: dict[str, Any]) -> None:
        count = bank_remove(bank=_bank(options["name"]), entry_ids=options["ids"], actor="cli")
        self.stdout.write(f"removed {count} entries")


def _bank(name: str) -> Bank:
    bank = Bank.objects.filter(name=name).first()
    if bank is None:
        raise CommandError(f"no bank named {name!r}")
    return bank
