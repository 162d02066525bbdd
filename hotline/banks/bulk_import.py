"""Bulk import of hashes into a bank: streamed in batches, memory bounded whatever the size.

`import_rows` takes parsed rows from any parser (the plain CSV below, or a hash-exchange
format's) and never holds more than one batch. Each batch is one transaction: the bank row
is locked, the batch is staged in a temporary table (PostgreSQL COPY; batched inserts on
SQLite), entries not already live in the bank are inserted by one set-based INSERT … SELECT
… ON CONFLICT DO NOTHING on the unique index of live values, the bank's version is bumped
once, and the batch is audited (`bank:import`, with its line range, count and version).
A batch commits on its own, so an import never holds SQLite's write lock for long, and
running the same file again after a failure adds only what is missing.
"""

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction

from hotline.audit.services import audit_record
from hotline.banks.models import Bank
from hotline.banks.services import HEX_LENGTH, Signal, signal_problem
from hotline.core import clock

BATCH = 50_000  # rows staged per transaction: ~20 MB of Python objects at most
ANALYZE_AFTER = 10_000  # rows added by one import that refresh PostgreSQL's statistics
REPORTED_BAD_LINES = 100  # bad lines kept for the report; the rest are only counted
IMPORT_TAG = "bank:import"
_IS_HEX = re.compile(r"[0-9a-f]+").fullmatch
# SQLite's page cache for the import's connection (KiB): the entry indexes' pages stay in
# memory instead of being read back for every batch (the default is 2 MB).
_SQLITE_CACHE_KIB = 131_072
# Plain SQL on fixed names (both databases speak it); only values are parameters.
_CREATE_STAGE = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS hotline_bank_import_stage (line bigint NOT NULL,"
    " signal_type varchar(10) NOT NULL, value varchar(64) NOT NULL, quality smallint NULL)"
)
_EMPTY_STAGE = "DELETE FROM hotline_bank_import_stage"
_FILL_STAGE = (
    "INSERT INTO hotline_bank_import_stage (line, signal_type, value, quality)"
    " VALUES (%s, %s, %s, %s)"
)
_COPY_STAGE = (
    "COPY hotline_bank_import_stage (line, signal_type, value, quality) FROM STDIN (NULL '')"
)
# Entries not already live in the bank are inserted; the others hit the partial unique index
# of live values (banks_entry_one_live_value) and are skipped: one index probe per row, with
# no plan to choose. `WHERE true` tells SQLite's parser the SELECT ends before ON CONFLICT.
_INSERT = (
    "INSERT INTO banks_bankentry (bank_id, signal_type, value, quality, source, item_id,"
    " added_version, removed_version, created_at, false_matches, quarantined_at)"
    " SELECT %s, s.signal_type, s.value, s.quality, %s, NULL, %s, NULL, %s, 0, NULL"
    " FROM hotline_bank_import_stage s WHERE true ORDER BY s.signal_type, s.value"
    " ON CONFLICT (bank_id, signal_type, value) WHERE removed_version IS NULL DO NOTHING"
)


class Row(NamedTuple):
    """One hash read from line `line` of the input (a tuple: a parser makes millions)."""

    line: int
    type: str
    value: str
    quality: int | None = None


class BadLine(NamedTuple):
    line: int
    reason: str


@dataclass
class ImportResult:
    read: int = 0  # rows offered, good and bad
    added: int = 0
    duplicates: int = 0  # already live in the bank, or repeated in the input
    bad: int = 0
    bad_lines: list[BadLine] = field(default_factory=list)  # the first REPORTED_BAD_LINES
    batches: int = 0
    version: int = 0  # the bank's version after the import


def plain_csv_rows(lines: Iterable[str]) -> Iterator[Row | BadLine]:
    """`TYPE,HEX[,QUALITY]` per line, or a bare PDQ hex; blank lines are skipped."""
    for number, line in enumerate(lines, start=1):
        parts = [p.strip() for p in line.split(",")]
        if not parts[0]:
            continue
        if len(parts) == 1:
            parts = ["pdq", parts[0]]
        quality: int | None = None
        if len(parts) > 2 and parts[2]:
            try:
                quality = int(parts[2])
            except ValueError:
                yield BadLine(number, f"quality must be a number, got {parts[2][:20]!r}")
                continue
        yield Row(number, parts[0].lower(), parts[1].lower(), quality)


def import_rows(
    *,
    bank: Bank,
    rows: Iterable[Row | BadLine],
    source: str,
    actor: str,
    batch_size: int = BATCH,
    refresh_statistics: bool = True,
) -> ImportResult:
    """Add every good row not already live in the bank; bad rows are counted and reported."""
    result = ImportResult(version=bank.version)
    batch: dict[tuple[str, str], Row] = {}
    lengths, is_hex = HEX_LENGTH, _IS_HEX  # locals: this loop runs once per row
    for row in rows:
        result.read += 1
        if isinstance(row, Row):
            kind, value, quality = row.type, row.value.lower(), row.quality
            length = lengths.get(kind)  # type: ignore[call-overload]
            if (
                length is not None
                and len(value) == length
                and is_hex(value)
                and (quality is None or 0 <= quality <= 100)
            ):
                key = (kind, value)
                if key in batch:
                    result.duplicates += 1
                else:
                    batch[key] = row if value == row.value else row._replace(value=value)
                if len(batch) >= batch_size:
                    _flush(bank, batch, source, actor, result)
                    batch = {}
                continue
            problem = signal_problem(Signal(type=kind, value=row.value, quality=quality))
            row = BadLine(row.line, problem or "unusable signal")
        result.bad += 1
        if len(result.bad_lines) < REPORTED_BAD_LINES:
            result.bad_lines.append(row)
    if batch:
        _flush(bank, batch, source, actor, result)
    if refresh_statistics:
        statistics_refresh(added=result.added)
    bank.version = result.version
    return result


def statistics_refresh(*, added: int) -> None:
    """After an import that added many rows, once per import (not per batch)."""
    if added >= ANALYZE_AFTER and connection.vendor == "postgresql":
        # Fresh statistics, so the next writes' plans see a big table (autovacuum may take
        # minutes to notice; until then the planner may scan the bank for a one-row lookup).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE banks_bankentry")


@transaction.atomic
def _flush(
    bank: Bank, batch: dict[tuple[str, str], Row], source: str, actor: str, result: ImportResult
) -> None:
    locked = Bank.objects.select_for_update().get(pk=bank.pk)
    version = locked.version + 1
    staged = sorted(batch.values(), key=lambda r: r.line)
    with connection.cursor() as cursor:
        _stage(cursor, staged)
        cursor.execute(
            _INSERT,
            [
                locked.pk,
                source,
                version,
                connection.ops.adapt_datetimefield_value(clock.now()),
            ],
        )
        added = cursor.rowcount
    result.batches += 1
    result.duplicates += len(staged) - added
    if added:
        result.added += added
        Bank.objects.filter(pk=locked.pk).update(version=version)
        audit_record(
            tag=IMPORT_TAG,
            actor=actor,
            subject=f"bank:{locked.pk}",
            payload={
                "source": source,
                "count": added,
                "version": version,
                "lines": [staged[0].line, staged[-1].line],
            },
        )
        result.version = version
    else:
        result.version = locked.version


def _stage(cursor: object, staged: list[Row]) -> None:
    """Put the batch in the connection's temporary staging table, emptied first."""
    execute = cursor.execute  # type: ignore[attr-defined]
    if connection.vendor == "sqlite":
        execute(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB:d}")
    execute(_CREATE_STAGE)
    execute(_EMPTY_STAGE)
    values = staged  # rows are (line, type, lowercase value, quality) already
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        for line, kind, value, quality in values:
            buffer.write(f"{line}\t{kind}\t{value}\t{'' if quality is None else quality}\n")
        raw = cursor.cursor  # type: ignore[attr-defined]  # psycopg's own cursor, under Django's
        with raw.copy(_COPY_STAGE) as copy:
            copy.write(buffer.getvalue())
    else:
        cursor.executemany(  # type: ignore[attr-defined]
            _FILL_STAGE,
            values,
        )
