"""Rows read from an exchange file into a bank (`hotline bank import --format`).

Rows arrive one at a time from `hotline.exchange.readers`, or a `Block` of checked rows at a
time (hotline's CSV); additions are checked once, here, and written by a
`bulk_import.Importer`, the one bulk insert path (sorted windows of rows, COPY on PostgreSQL,
batched inserts on SQLite; one transaction with its audit event per batch). A deletion that
names a hash removes the bank's live entry with that hash (`services.bank_remove`), after the
additions before it, so a file's order holds. A deletion that names only the exporter's own
id (NCMEC's deletedImage, HMA's deleted content) cannot be applied here, since hotline never
stored that id: it is reported, never guessed.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from hotline.banks import bulk_import
from hotline.banks.models import Bank, BankEntry
from hotline.banks.services import Signal, bank_remove, signal_problem
from hotline.exchange.records import BadLine, Block, Row

BATCH = bulk_import.BATCH


@dataclass
class ImportReport:
    rows: int = 0  # rows read (additions and deletions)
    added: int = 0
    already: int = 0  # additions the bank already held live
    removed: int = 0
    not_found: int = 0  # deletions of hashes the bank does not hold live
    bad: list[BadLine] = field(default_factory=list)
    # Well-formed records of signal types hotline does not keep (StopNCII's VideoTMK, …).
    skipped: list[BadLine] = field(default_factory=list)
    # Deletions that name only the exporter's id: reported with their line, never applied.
    unapplied: list[BadLine] = field(default_factory=list)


def bank_import_rows(
    *,
    bank: Bank,
    rows: Iterable[Row | BadLine | Block],
    source: str,
    actor: str,
    batch: int | None = None,
    on_row: Callable[[int], None] | None = None,
) -> ImportReport:
    """Read every row into the bank; bad rows are collected with their line numbers. Each
    batch's audit event names the lowest and highest file line it came from."""
    report = ImportReport()
    # The one insert path of an import (bulk_import: sorted windows, batches, COPY on
    # PostgreSQL, batched inserts on SQLite, one transaction with its audit event a batch).
    importer = bulk_import.Importer(
        bank=bank, source=source, actor=actor, batch_size=batch or BATCH
    )
    for row in rows:
        if isinstance(row, Block):
            if on_row is not None:
                on_row(row.last_line)
            report.rows += len(row.values)
            importer.add_block(row)  # bank_import_rows checked every row
            continue
        if on_row is not None:
            on_row(row.line)
        if isinstance(row, BadLine):
            (report.skipped if row.skip else report.bad).append(row)
            continue
        if row.delete and not row.value:
            report.rows += 1
            what = f"id {row.external_id}" if row.external_id else "no hash"
            report.unapplied.append(
                BadLine(row.line, f"deletion of {what} without its hash: not applied")
            )
            continue
        kind, value, quality = row.signal_type, row.value.lower(), row.quality
        if not bulk_import.well_formed(kind, value, quality):
            signal = Signal(type=kind, value=row.value, quality=quality)
            report.bad.append(BadLine(row.line, signal_problem(signal) or "unusable signal"))
            continue
        report.rows += 1
        if row.delete:
            importer.flush()  # the additions before it first: a file's order holds
            _remove(bank, Signal(type=kind, value=value, quality=quality), actor, report)
            continue
        importer.add(row.line, kind, value, quality)
    importer.finish()
    report.added, report.already = importer.result.added, importer.result.duplicates
    bulk_import.statistics_refresh(added=report.added)
    return report


def _remove(bank: Bank, signal: Signal, actor: str, report: ImportReport) -> None:
    ids = list(
        BankEntry.objects.filter(
            bank=bank, signal_type=signal.type, value=signal.value.lower(), removed_version=None
        ).values_list("pk", flat=True)
    )
    if not ids:
        report.not_found += 1
        return
    report.removed += bank_remove(bank=bank, entry_ids=ids, actor=actor)
