"""Bulk import of hashes into a bank: streamed in batches, memory bounded whatever the size.

`import_rows` takes parsed rows from any parser (the plain CSV below, or a hash-exchange
format's), or whole `Block`s of checked rows (hotline's CSV reader's fast path), and never
holds more than one window of rows (42 MB for 1,000,000 PDQ). Each batch is one transaction:
the bank row is locked, entries not already live in the bank are inserted, the bank's version
is bumped once, and the batch is audited (`bank:import`, with its lowest and highest line,
count and version). A batch commits on its own, so an import never holds SQLite's write lock
for long, and running the same file again after a failure adds only what is missing. Rows are
gathered in a window and sorted by type and value first, so that each batch is a run of
consecutive keys: its inserts share the unique index's pages instead of touching one each
(docs/decisions/0030-import-at-speed.md, "Bigger batches").

How a batch is inserted (docs/decisions/0030-import-at-speed.md):

- PostgreSQL: COPY straight into banks_bankentry, in a savepoint. The unique index of live
  values (banks_entry_one_live_value) proves every row new: if one is already live, the COPY
  fails as a whole, the savepoint is rolled back, and the batch goes the careful way: COPY
  into a temporary stage, then INSERT … SELECT … ON CONFLICT DO NOTHING. After a batch that
  needed it, the next one starts careful, until a batch is all new again (a rerun after a
  crash pays one failed COPY, not one per batch).
- SQLite: one executemany of INSERT … ON CONFLICT DO NOTHING into banks_bankentry.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, NamedTuple

import numpy as np
import psycopg
from django.db import connection, transaction

from hotline.audit.services import audit_record
from hotline.banks.models import Bank
from hotline.banks.services import HEX_LENGTH, Signal, signal_problem
from hotline.core import clock
from hotline.exchange.records import Block

BATCH = 50_000  # rows per transaction (SQLite's write lock and the bank row: ~0.3-0.7 s)
# Rows gathered and sorted before they are written, in batches of consecutive values: 42 MB
# of numpy columns for PDQ. 2,000,000 was no faster beyond the noise at 10M, for 45 MB more
# (docs/decisions/0030-import-at-speed.md, "Bigger batches").
WINDOW = 1_000_000
_ROWS_PACKED = 50_000  # rows added one at a time go into the window's columns this often
ANALYZE_AFTER = 10_000  # rows added by one import that refresh PostgreSQL's statistics
REPORTED_BAD_LINES = 100  # bad lines kept for the report; the rest are only counted
IMPORT_TAG = "bank:import"
_IS_HEX = re.compile(r"[0-9a-f]+").fullmatch
# SQLite's page cache for the import's connection (KiB; the default is 2 MB). A sorted batch
# visits the index's pages in order, once each, so a bigger cache bought nothing: 32 MB ran
# 10M rows as fast as 128 MB did, in 123 MB less memory (docs/decisions/0030).
_SQLITE_CACHE_KIB = 32_768
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
    window: int = WINDOW,
    refresh_statistics: bool = True,
    checked: bool = False,
) -> ImportResult:
    """Add every good row not already live in the bank; bad rows are counted and reported.
    A `Block`'s rows were checked by its reader, and with `checked` every row was checked by
    the caller (lowercase, of its type's length, hex, quality 0-100): they are written as
    they are. At most `window` rows are held at once."""
    importer = Importer(bank=bank, source=source, actor=actor, batch_size=batch_size, window=window)
    result = importer.result
    for row in rows:
        if isinstance(row, Block):
            result.read += len(row.values)
            importer.add_block(row)
            continue
        result.read += 1
        if isinstance(row, Row):
            if checked:
                importer.add(row.line, row.type, row.value, row.quality)
                continue
            kind, value, quality = row.type, row.value.lower(), row.quality
            if well_formed(kind, value, quality):
                importer.add(row.line, kind, value, quality)
                continue
            problem = signal_problem(Signal(type=kind, value=row.value, quality=quality))
            row = BadLine(row.line, problem or "unusable signal")
        result.bad += 1
        if len(result.bad_lines) < REPORTED_BAD_LINES:
            result.bad_lines.append(row)
    importer.finish()
    if refresh_statistics:
        statistics_refresh(added=result.added)
    return result


class Importer:
    """One import's writes: checked rows are gathered in a window of up to `window` rows,
    which is then sorted and written in batches of `batch_size` (each its own transaction).
    `flush` writes what is gathered now (before a deletion, so a file's order holds)."""

    def __init__(
        self, *, bank: Bank, source: str, actor: str, batch_size: int = BATCH, window: int = WINDOW
    ) -> None:
        self.bank, self.batch_size = bank, batch_size
        self.result = ImportResult(version=bank.version)
        self._writer = _Writer(bank, source, actor, self.result)
        self._window = _Window(window)

    def add(self, line: int, kind: str, value: str, quality: int | None) -> None:
        """One checked row (lowercase, of its type's length, hex, quality 0-100)."""
        self._window.add(line, kind, value, quality)
        if self._window.count >= self._window.size:
            self.flush()

    def add_block(self, block: Block) -> None:
        self._window.add_block(block)
        if self._window.count >= self._window.size:
            self.flush()

    def flush(self) -> None:
        for batch in self._window.drain(self.batch_size):
            _flush(self._writer, batch)
        self.result.duplicates += self._window.repeats
        self._window.repeats = 0

    def finish(self) -> None:
        self.flush()
        self.bank.version = self.result.version


def statistics_refresh(*, added: int) -> None:
    """After an import that added many rows, once per import (not per batch)."""
    if added >= ANALYZE_AFTER and connection.vendor == "postgresql":
        # Fresh statistics, so the next writes' plans see a big table (autovacuum may take
        # minutes to notice; until then the planner may scan the bank for a one-row lookup).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE banks_bankentry")


class _Batch(NamedTuple):
    """Rows unique, checked, in the unique index's order (type, value): one transaction."""

    kinds: list[str]
    values: list[str]
    qualities: list[int | None]
    lines: tuple[int, int]  # the lowest and highest line they came from


class _Window:
    """Checked rows gathered as numpy columns (a PDQ row in 42 bytes: its 32 bytes, line and
    quality), then sorted by value and handed on in batches of consecutive values. A batch of
    50,000 random keys would touch a leaf page of the unique index of live values for nearly
    every key once the index is bigger than the cache; 50,000 consecutive keys of a sorted
    window of 1,000,000 share pages, several keys a page, so the index is written more like a
    merge (docs/decisions/0030-import-at-speed.md, "Bigger batches"). A value repeated in the
    window is written once, from its first line (`repeats` counts the others)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.count = 0
        self.repeats = 0
        self._columns: dict[str, _Columns] = {}  # per type, in line order
        self._rows: dict[str, tuple[list[str], list[int], list[int]]] = {}  # not yet packed

    def add(self, line: int, kind: str, value: str, quality: int | None) -> None:
        values, lines, qualities = self._rows.setdefault(kind, ([], [], []))
        values.append(value)
        lines.append(line)
        qualities.append(-1 if quality is None else quality)
        self.count += 1
        if len(values) >= _ROWS_PACKED:
            self._pack(kind)

    def add_block(self, block: Block) -> None:
        kind, values = block.signal_type, block.values
        self._pack(kind)  # the rows before it first: each type's columns stay in line order
        first = block.first_line
        qualities = (-1 if q is None else q for q in block.qualities)
        self._columns_of(kind, len(values[0])).extend(
            _packed(values),
            np.arange(first, first + len(values), dtype=np.int64),
            np.fromiter(qualities, np.int16, len(values)),
        )
        self.count += len(values)

    def _pack(self, kind: str) -> None:
        rows = self._rows.pop(kind, None)
        if rows:
            values, lines, qualities = rows
            self._columns_of(kind, len(values[0])).extend(
                _packed(values), np.array(lines, np.int64), np.array(qualities, np.int16)
            )

    def _columns_of(self, kind: str, length: int) -> "_Columns":
        if kind not in self._columns:
            self._columns[kind] = _Columns(self.size, length // 2)
        return self._columns[kind]

    def drain(self, batch_size: int) -> Iterator[_Batch]:
        """Everything gathered, sorted by type and value, in batches; then empty. A batch may
        hold several types, as a file may (one version for a small file of mixed types)."""
        for kind in list(self._rows):
            self._pack(kind)
        columns, self._columns, self.count = self._columns, {}, 0
        batch, bounds = _Batch([], [], [], (0, 0)), []  # bounds: each part's lowest, highest line
        for kind in sorted(columns):  # the order of the signal_type column
            values, lines, qualities = columns.pop(kind).filled()
            # Stable: a value's repeats stay in line order, and the first is written. The rows
            # are taken in this order a batch at a time (no sorted copy of the window).
            order = np.argsort(values, kind="stable")
            start, previous = 0, None
            while start < len(order):
                taken = order[start : start + batch_size - len(batch.values)]
                start += len(taken)
                part = values[taken]
                first = np.ones(len(part), dtype=bool)
                first[1:] = part[1:] != part[:-1]
                first[0] = previous is None or part[0] != previous
                previous = part[-1]
                if not first.all():
                    self.repeats += len(part) - int(np.count_nonzero(first))
                    part, taken = part[first], taken[first]
                if not len(part):
                    continue
                text, width = part.tobytes().hex(), 2 * part.dtype.itemsize
                batch.kinds.extend(repeat(kind, len(part)))
                batch.values.extend([text[i : i + width] for i in range(0, len(text), width)])
                batch.qualities.extend([None if q < 0 else q for q in qualities[taken].tolist()])
                bounds += [int(lines[taken].min()), int(lines[taken].max())]
                if len(batch.values) >= batch_size:
                    yield batch._replace(lines=(min(bounds), max(bounds)))
                    batch, bounds = _Batch([], [], [], (0, 0)), []
        if batch.values:
            yield batch._replace(lines=(min(bounds), max(bounds)))


class _Columns:
    """One type's rows in a window: values as bytes (S<bytes>; they sort as their lowercase
    hex does, in half the memory), lines, qualities (-1 for none). Allocated once for the
    whole window: np.empty's pages stay the kernel's until written, so a type with few rows
    costs little, and there is no second copy of the window when it is sorted."""

    def __init__(self, capacity: int, width: int) -> None:
        self.values = np.empty(capacity, dtype=f"S{width}")
        self.lines = np.empty(capacity, dtype=np.int64)
        self.qualities = np.empty(capacity, dtype=np.int16)
        self.n = 0

    def extend(self, values: Any, lines: Any, qualities: Any) -> None:
        end = self.n + len(values)
        if end > len(self.values):  # a block that overfills the window (its last): grow
            room = max(end, 2 * len(self.values)) - self.n
            self.values, self.lines, self.qualities = (
                np.concatenate((a[: self.n], np.empty(room, dtype=a.dtype)))
                for a in (self.values, self.lines, self.qualities)
            )
        self.values[self.n : end] = values
        self.lines[self.n : end] = lines
        self.qualities[self.n : end] = qualities
        self.n = end

    def filled(self) -> tuple[Any, Any, Any]:
        return self.values[: self.n], self.lines[: self.n], self.qualities[: self.n]


def _packed(values: list[str]) -> Any:
    """Hex values of one length as one numpy array of their bytes: no object per value."""
    return np.frombuffer(bytes.fromhex("".join(values)), dtype=f"S{len(values[0]) // 2}")


class _Writer:
    """Writes batches of one import, each in its own transaction with its audit event."""

    def __init__(self, bank: Bank, source: str, actor: str, result: ImportResult) -> None:
        self.bank, self.source, self.actor, self.result = bank, source, actor, result
        self.careful = False  # PostgreSQL: the last batch held rows already live


@transaction.atomic
def _flush(writer: _Writer, batch: _Batch) -> None:
    """One batch: one transaction, one version, one audit event."""
    bank, result = writer.bank, writer.result
    locked = Bank.objects.select_for_update().get(pk=bank.pk)
    version = locked.version + 1
    now = clock.now()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            added = _insert_postgresql(cursor, writer, batch, locked.pk, version, now)
        else:
            cursor.execute(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB:d}")
            added = _insert_sqlite(cursor, writer, batch, locked.pk, version, now)
    result.batches += 1
    result.duplicates += len(batch.values) - added
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
                "lines": list(batch.lines),
            },
        )
        result.version = version
    else:
        result.version = locked.version


def _insert_sqlite(
    cursor: Any, writer: _Writer, batch: _Batch, bank_id: int, version: int, now: Any
) -> int:
    """One INSERT … ON CONFLICT DO NOTHING per row, in the unique index's order (the batch's
    order); the rows' columns zipped with the constants."""
    at = connection.ops.adapt_datetimefield_value(now)
    cursor.executemany(
        _INSERT_ROW,
        list(  # a list: Django's debug cursor counts the rows
            zip(
                repeat(bank_id),
                batch.kinds,
                batch.values,
                batch.qualities,
                repeat(writer.source),
                repeat(version),
                repeat(at),
            )
        ),
    )
    added: int = cursor.rowcount
    return added


def _copy_text(batch: _Batch, bank_id: int, source: str, version: int, now: Any) -> str:
    """The batch as COPY text, in _COPY_ENTRIES' columns."""
    escaped = source.translate(_COPY_ESCAPES)
    tail = f"\t{bank_id}\t{escaped}\t{version}\t{now.isoformat()}\t0\n"
    null = "\\N"
    return "".join(
        [
            f"{kind}\t{value}\t{null if quality is None else quality}{tail}"
            for kind, value, quality in zip(batch.kinds, batch.values, batch.qualities, strict=True)
        ]
    )


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _insert_postgresql(
    cursor: Any, writer: _Writer, batch: _Batch, bank_id: int, version: int, now: Any
) -> int:
    """How many of the batch's rows were new: all of them by one COPY when none is live
    already; else the careful way, through the stage."""
    text = _copy_text(batch, bank_id, writer.source, version, now)
    raw = cursor.cursor  # psycopg's own cursor, under Django's
    if not writer.careful:
        try:
            with transaction.atomic(), raw.copy(_COPY_ENTRIES) as copy:
                copy.write(text)
            return len(batch.values)
        except psycopg.errors.UniqueViolation:
            writer.careful = True  # rolled back to the savepoint: nothing of it was written
    cursor.execute(_CREATE_STAGE)
    cursor.execute(_EMPTY_STAGE)
    with raw.copy(_COPY_STAGE) as copy:
        copy.write(text)
    cursor.execute(_INSERT_STAGED)
    added: int = cursor.rowcount
    writer.careful = added < len(batch.values)
    return added
