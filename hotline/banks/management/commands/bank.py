"""`hotline bank create|list|import|remove`: manage hash banks (hashes only, never bytes)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.banks.models import Bank
from hotline.banks.selectors import banks_list
from hotline.banks.services import Signal, bank_add, bank_create, bank_remove
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
        signals = _read_signals(options["file"])
        label = options["label"] or options["file"]
        added = bank_add(bank=bank, signals=signals, source=f"import:{label}", actor="cli")
        self.stdout.write(f"added {len(added)} of {len(signals)} hashes to {bank.name}")

    def _remove(self, options: dict[str, Any]) -> None:
        count = bank_remove(bank=_bank(options["name"]), entry_ids=options["ids"], actor="cli")
        self.stdout.write(f"removed {count} entries")


def _bank(name: str) -> Bank:
    bank = Bank.objects.filter(name=name).first()
    if bank is None:
        raise CommandError(f"no bank named {name!r}")
    return bank


def _read_signals(path: str) -> list[Signal]:
    signals = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            parts = [p.strip() for p in line.split(",")]
            if not parts[0]:
                continue
            if len(parts) == 1:
                parts = ["pdq", parts[0]]
            try:
                quality = int(parts[2]) if len(parts) > 2 and parts[2] else None
            except ValueError as error:
                raise CommandError(f"{path}, line {number}: quality must be a number") from error
            signals.append(Signal(type=parts[0].lower(), value=parts[1].lower(), quality=quality))
    return signals
