"""Bulk import of hashes into a bank: streamed in batches, memory bounded whatever the size.

`import_rows` takes parsed rows from any parser (the plain CSV below, or a hash-exchange
format's), or whole `Block`s of checked rows (hotline's CSV reader's fast path), and never
holds more than one batch. Each batch is one transaction: the bank row is locked, entries not
already live in the bank are inserted, the bank's version is bumped once, and the batch is
audited (`bank:import`, with its line range, count and version). A batch commits on its own,
so an import never holds SQLite's write lock for long, and running the same file again after
a failure adds only what is missing.

How a batch is inserted (docs/decisions/0030-import-at-speed.md):

- PostgreSQL: COPY straight into banks_bankentry, in a savepoint. The unique index of live
  values (banks_entry_one_live_value) proves every row new: if one is already live, the COPY
  fails as a whole, the savepoint is rolled back, and the batch goes the careful way: COPY
  into a temporary stage, then INSERT … SELECT … ON CONFLICT DO NOTHING. After a batch that
  needed it, the next one starts careful, until a batch is all new again (a rerun after a
  crash pays one failed COPY, not one per batch).
- SQLite: one executemany of INSERT … ON CONFLICT DO NOTHING into banks_bankentry, rows in
  the unique index's order.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Any, NamedTuple

import psycopg
from django.db import connection, transaction

from hotline.audit.services import audit_record
from hotline.banks.models import Bank
from hotline.banks.services import HEX_LENGTH, Signal, signal_problem
from hotline.core import clock
from hotline.exchange.records import Block

BATCH = 50_000  # rows staged per transaction: ~20 MB of Python objects at most
ANALYZE_AFTER = 10_000  # rows added by one import that refresh PostgreSQL's statistics
REPORTED_BAD_LINES = 100  # bad lines kept for the report; the rest are only counted
IMPORT_TAG = "bank:import"
_IS_HEX = re.compile(r"[0-9a-f]+").fullmatch
# SQLite's page cache for the import's connection (KiB): the entry indexes' pages stay in
# memory instead of being read back for every batch (the default is 2 MB).
_SQLITE_CACHE_KIB = 131_072
# Plain SQL on fixed names; only values are parameters.
# SQLite: one statement per row (executemany); a value already live in the bank hits the
# partial unique index of live values (banks_entry_one_live_value) and is skipped.
_INSERT_ROW = (
    "INSERT INTO banks_bankentry (bank_id, signal_type, value, quality, source, item_id,"
    " added_version, removed_version, created_at, false_matches, quarantined_at)"
    " VALUES (%s, %s, %s, %s, %s, NULL, %s, NULL, %s, 0, NULL)"
    " ON CONFLICT (bank_id, signal_type, value) WHERE removed_version IS NULL DO NOTHING"
)
# PostgreSQL, the fast way: every row is new (the unique index says so, or the COPY fails).
_COPY_ENTRIES = (
    "COPY banks_bankentry (signal_type, value, quality, bank_id, source, added_version,"
    " created_at, false_matches) FROM STDIN"
)
# PostgreSQL, the careful way: stage the batch, insert what is not live yet.
_CREATE_STAGE = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS hotline_bank_import_stage (signal_type varchar(10)"
    " NOT NULL, value varchar(64) NOT NULL, quality smallint NULL, bank_id bigint NOT NULL,"
    " source varchar(200) NOT NULL, added_version bigint NOT NULL, created_at timestamptz"
    " NOT NULL, false_matches integer NOT NULL)"
)
_EMPTY_STAGE = "TRUNCATE hotline_bank_import_stage"
_COPY_STAGE = _COPY_ENTRIES.replace("banks_bankentry", "hotline_bank_import_stage")
_INSERT_STAGED = (
    "INSERT INTO banks_bankentry (bank_id, signal_type, value, quality, source, item_id,"
    " added_version, removed_version, created_at, false_matches, quarantined_at)"
    " SELECT s.bank_id, s.signal_type, s.value, s.quality, s.source, NULL, s.added_version, NULL,"
    " s.created_at, 0, NULL FROM hotline_bank_import_stage s ORDER BY s.signal_type,"
    " s.value ON CONFLICT (bank_id, signal_type, value) WHERE removed_version IS NULL"
    " DO NOTHING"
)
# A row ready to write: (line, type, lowercase value, quality), checked, unique in its batch.
Staged = tuple[int, str, str, int | None]


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


def well_formed(kind: str, value: str, quality: int | None) -> bool:
    """The quick check of a row whose value is lowercased: a known type, its length, hex
    digits, quality 0-100. `signal_problem` words what is wrong with a row that fails it."""
    length = HEX_LENGTH.get(kind)  # type: ignore[call-overload]
    return (
        length is not None
        and len(value) == length
        and _IS_HEX(value) is not None
        and (quality is None or 0 <= quality <= 100)
    )


def import_rows(
    *,
    bank: Bank,
    rows: Iterable[Row | BadLine | Block],
    source: str,
    actor: str,
    batch_size: int = BATCH,
    refresh_statistics: bool = True,
    checked: bool = False,
) -> ImportResult:
    """Add every good row not already live in the bank; bad rows are counted and reported.
    A `Block`'s rows were checked by its reader, and with `checked` every row was checked by
    the caller (lowercase, of its type's length, hex, quality 0-100): they are written as
    they are."""
    result = ImportResult(version=bank.version)
    writer = _Writer(bank, source, actor, result)
    batch: dict[tuple[str, str], Row] = {}
    for row in rows:
        if isinstance(row, Block):
            if batch:
                writer.write(sorted(batch.values(), key=itemgetter(0)))
                batch = {}
            result.read += len(row.values)
            writer.write_block(row, batch_size)
            continue
        result.read += 1
        if checked and isinstance(row, Row):
            key = (row.type, row.value)
            if key in batch:
                result.duplicates += 1
            else:
                batch[key] = row
            if len(batch) >= batch_size:
                writer.write(sorted(batch.values(), key=itemgetter(0)))
                batch = {}
            continue
        if isinstance(row, Row):
            kind, value, quality = row.type, row.value.lower(), row.quality
            if well_formed(kind, value, quality):
                key = (kind, value)
                if key in batch:
                    result.duplicates += 1
                else:
                    batch[key] = row if value == row.value else row._replace(value=value)
                if len(batch) >= batch_size:
                    writer.write(sorted(batch.values(), key=itemgetter(0)))
                    batch = {}
                continue
            problem = signal_problem(Signal(type=kind, value=row.value, quality=quality))
            row = BadLine(row.line, problem or "unusable signal")
        result.bad += 1
        if len(result.bad_lines) < REPORTED_BAD_LINES:
            result.bad_lines.append(row)
    if batch:
        writer.write(sorted(batch.values(), key=itemgetter(0)))
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


class _Writer:
    """Writes batches of one import, each in its own transaction with its audit event."""

    def __init__(self, bank: Bank, source: str, actor: str, result: ImportResult) -> None:
        self.bank, self.source, self.actor, self.result = bank, source, actor, result
        self.careful = False  # PostgreSQL: the last batch held rows already live

    def write_block(self, block: Block, batch_size: int) -> None:
        kind, values, qualities = block.signal_type, block.values, block.qualities
        for start in range(0, len(values), batch_size):
            part = values[start : start + batch_size]
            lines = range(block.first_line + start, block.first_line + start + len(part))
            rows = list(zip(lines, repeat(kind), part, qualities[start : start + batch_size]))
            if len(set(part)) < len(part):  # repeated in the file: the first one counts
                seen: set[str] = set()
                unique = []
                for row in rows:
                    if row[2] not in seen:
                        seen.add(row[2])
                        unique.append(row)
                self.result.duplicates += len(rows) - len(unique)
                rows = unique
            self.write(rows)

    def write(self, staged: list[Staged]) -> None:
        """One batch, in line order: one transaction, one version, one audit event."""
        if staged:
            _flush(self, staged)


@transaction.atomic
def _flush(writer: _Writer, staged: list[Staged]) -> None:
    bank, result = writer.bank, writer.result
    locked = Bank.objects.select_for_update().get(pk=bank.pk)
    version = locked.version + 1
    now = clock.now()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            added = _insert_postgresql(cursor, writer, staged, locked.pk, version, now)
        else:
            cursor.execute(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB:d}")
            added = _insert_sqlite(cursor, writer, staged, locked.pk, version, now)
    result.batches += 1
    result.duplicates += len(staged) - added
    if added:
        result.added += added
        Bank.objects.filter(pk=locked.pk).update(version=version)
        audit_record(
            tag=IMPORT_TAG,
            actor=writer.actor,
            subject=f"bank:{locked.pk}",
            payload={
                "source": writer.source,
                "count": added,
                "version": version,
                "lines": [staged[0][0], staged[-1][0]],
            },
        )
        result.version = version
    else:
        result.version = locked.version


def _insert_sqlite(
    cursor: Any, writer: _Writer, staged: list[Staged], bank_id: int, version: int, now: Any
) -> int:
    """One INSERT … ON CONFLICT DO NOTHING per row, in the unique index's order (its pages are
    then visited in order, not at random); the rows' columns zipped with the constants."""
    one_kind = len(set(map(itemgetter(1), staged))) == 1
    ordered = sorted(staged, key=itemgetter(2) if one_kind else itemgetter(1, 2))
    _, kinds, values, qualities = zip(*ordered, strict=True)
    at = connection.ops.adapt_datetimefield_value(now)
    cursor.executemany(
        _INSERT_ROW,
        list(  # a list: Django's debug cursor counts the rows
            zip(
                repeat(bank_id),
                kinds,
                values,
                qualities,
                repeat(writer.source),
                repeat(version),
                repeat(at),
            )
        ),
    )
    added: int = cursor.rowcount
    return added


def _copy_text(staged: list[Staged], bank_id: int, source: str, version: int, now: Any) -> str:
    """The batch as COPY text, in _COPY_ENTRIES' columns."""
    escaped = source.translate(_COPY_ESCAPES)
    tail = f"\t{bank_id}\t{escaped}\t{version}\t{now.isoformat()}\t0\n"
    null = "\\N"
    return "".join(
        [
            f"{kind}\t{value}\t{null if quality is None else quality}{tail}"
            for _, kind, value, quality in staged
        ]
    )


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _insert_postgresql(
    cursor: Any, writer: _Writer, staged: list[Staged], bank_id: int, version: int, now: Any
) -> int:
    """How many of the batch's rows were new: all of them by one COPY when none is live
    already; else the careful way, through the stage."""
    text = _copy_text(staged, bank_id, writer.source, version, now)
    raw = cursor.cursor  # psycopg's own cursor, under Django's
    if not writer.careful:
        try:
            with transaction.atomic(), raw.copy(_COPY_ENTRIES) as copy:
                copy.write(text)
            return len(staged)
        except psycopg.errors.UniqueViolation:
            writer.careful = True  # rolled back to the savepoint: nothing of it was written
    cursor.execute(_CREATE_STAGE)
    cursor.execute(_EMPTY_STAGE)
    with raw.copy(_COPY_STAGE) as copy:
        copy.write(text)
    cursor.execute(_INSERT_STAGED)
    added: int = cursor.rowcount
    writer.careful = added < len(staged)
    return added
