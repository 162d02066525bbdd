"""Matching signals against banks: exact digests by lookup, PDQ through the exact index."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet

from hotline.banks import shards
from hotline.banks.index_cache import MIN_MATCH_QUALITY, pdq_query
from hotline.banks.models import Bank, BankEntry, SignalType
from hotline.banks.services import Signal, signal_problem
from hotline.core.errors import InvalidInput
from hotline.hashing.video_match import match_videos


@dataclass(frozen=True)
class BankMatch:
    entry_id: int
    bank: str
    signal_type: str
    distance: int
    source: str
    item_id: int | None


@dataclass(frozen=True)
class VideoBankMatch:
    """A stored video (one item's frame hashes) that a query video matches under vPDQ."""

    bank: str
    item_id: int | None
    source: str
    entry_id: int  # the stored frame nearest to any query frame
    distance: int
    query_match_percent: float
    compared_match_percent: float


def entry_in_bank(*, entry_id: int, bank_name: str) -> bool:
    return BankEntry.objects.filter(pk=entry_id, bank__name=bank_name).exists()


def quarantined_item_of(*, entry_id: int) -> int | None:
    """The item a quarantined entry came from (None: not quarantined, or from an import)."""
    row = BankEntry.objects.filter(pk=entry_id, quarantined_at__isnull=False).first()
    return row.item_id if row else None


def quarantined_entries(*, item_ids: Iterable[int]) -> QuerySet[BankEntry]:
    """Live entries in quarantine that came from these items, oldest quarantine first."""
    return (
        BankEntry.objects.filter(
            item_id__in=item_ids, quarantined_at__isnull=False, removed_version=None
        )
        .select_related("bank")
        .order_by("quarantined_at", "pk")
    )


def banks_list() -> QuerySet[Bank]:
    return Bank.objects.order_by("name")


def bank_match(
    *, signals: list[Signal], bank_names: list[str] | None = None
) -> list[list[BankMatch]]:
    """For each signal, every live entry it matches in the chosen banks (all by default)."""
    return _resolve(bank_hits(signals=signals, bank_names=bank_names))


def bank_hits(*, signals: list[Signal], bank_names: list[str] | None = None) -> shards.Hits:
    """(entry id, bank, distance) for each signal, quarantined entries included: from this
    process's indexes (its shard's, under HOTLINE_MATCH_SHARD), or, in a router, from every
    shard matcher's (HOTLINE_MATCH_SHARD_URLS)."""
    for index, signal in enumerate(signals):
        problem = signal_problem(signal)
        if problem:
            raise InvalidInput(f"signal {index}: {problem}")
    banks = banks_for_matching(bank_names)
    if bank_names and len(banks) != len(set(bank_names)):
        missing = set(bank_names) - {b.name for b in banks}
        raise InvalidInput(f"unknown bank(s): {', '.join(sorted(missing))}")
    # Inside a write transaction the shards cannot see its uncommitted entries (intake's own
    # check against the bank it is adding to): such a match stays in this process.
    if shards.router_urls() and not transaction.get_connection().in_atomic_block:
        wanted = [{"type": s.type, "value": s.value, "quality": s.quality} for s in signals]
        return shards.remote_hits(wanted, [b.name for b in banks])
    hits: shards.Hits = [[] for _ in signals]
    for bank in banks:
        _pdq_hits(bank, signals, hits)
        _exact_hits(bank, signals, hits)
    return hits


# What matching reads of a bank. The rows are read on every match, since their versions keep
# every process's index current; through the ORM's query compiler that read cost about as
# much as one signal's search in a 10M bank (decision 31), so it is one plain SQL read.
_MATCHING_FIELDS = [
    f for f in Bank._meta.concrete_fields if f.attname in ("id", "name", "threshold", "version")
]


def banks_for_matching(bank_names: list[str] | None) -> list[Bank]:
    """The named banks (all without names), with only the fields matching reads: id, name,
    threshold, version (the others load on first use)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in _MATCHING_FIELDS)
    sql = f"SELECT {columns} FROM {quote(Bank._meta.db_table)}"  # noqa: S608 - model names
    if bank_names:
        column = quote(Bank._meta.get_field("name").column)
        sql += f" WHERE {column} IN ({', '.join(['%s'] * len(bank_names))})"  # values: params
    with connection.cursor() as cursor:
        cursor.execute(sql, list(bank_names or []))
        rows = cursor.fetchall()
    names = [f.attname for f in _MATCHING_FIELDS]
    return [Bank.from_db(connection.alias, names, row) for row in rows]


def _pdq_hits(bank: Bank, signals: list[Signal], hits: shards.Hits) -> None:
    usable = [
        i
        for i, s in enumerate(signals)
        if s.type == SignalType.PDQ and (s.quality is None or s.quality >= MIN_MATCH_QUALITY)
    ]
    if not usable:
        return
    answers = pdq_query(bank, [signals[i].value.lower() for i in usable], bank.threshold)
    for i, answer in zip(usable, answers, strict=True):
        hits[i] += [(entry_id, bank.name, distance) for entry_id, distance in answer]


def _exact_hits(bank: Bank, signals: list[Signal], hits: shards.Hits) -> None:
    wanted = {(s.type, s.value.lower()) for s in signals if s.type != SignalType.PDQ}
    if not wanted:
        return
    rows = shards.in_shard(
        BankEntry.objects.filter(bank=bank, removed_version=None, value__in=[v for _, v in wanted])
    ).values_list("pk", "signal_type", "value")
    by_key: dict[tuple[str, str], list[int]] = {}
    for pk, kind, value in rows:
        by_key.setdefault((kind, value), []).append(pk)
    for i, s in enumerate(signals):
        for pk in by_key.get((s.type, s.value.lower()), []):
            hits[i].append((pk, bank.name, 0))


def _resolve(hits: shards.Hits) -> list[list[BankMatch]]:
    ids = {entry_id for row in hits for entry_id, _, _ in row}
    if not ids:
        return [[] for _ in hits]
    # Quarantined entries stay indexed but never match until a reporter restores them.
    entries = BankEntry.objects.filter(quarantined_at=None).in_bulk(list(ids))
    return [
        sorted(
            (
                BankMatch(
                    entry_id=e,
                    bank=b,
                    signal_type=entries[e].signal_type,
                    distance=d,
                    source=entries[e].source,
                    item_id=entries[e].item_id,
                )
                for e, b, d in row
                if e in entries
            ),
            key=lambda m: (m.distance, m.entry_id),
        )
        for row in hits
    ]


def bank_match_video(
    *, frames: list[Signal], bank_names: list[str] | None = None
) -> list[VideoBankMatch]:
    """Meta's vPDQ rule against stored videos: a video matches when at least 80% of the
    query's usable frames (quality >= 50, repeats dropped) are within the bank's threshold of
    one of its frames. A stored video is the PDQ entries of one item (or of one import source)."""
    for index, frame in enumerate(frames):
        if frame.type != SignalType.PDQ or frame.quality is None:
            raise InvalidInput(f"frame {index}: a video frame is a PDQ hash with its quality")
    per_frame = bank_match(signals=frames, bank_names=bank_names)
    nearest: dict[tuple[str, int | None, str], BankMatch] = {}
    for matches in per_frame:
        for m in matches:
            if m.signal_type != SignalType.PDQ:
                continue
            key = (m.bank, m.item_id, "" if m.item_id is not None else m.source)
            if key not in nearest or m.distance < nearest[key].distance:
                nearest[key] = m
    query = [(f.value, f.quality or 0) for f in frames]
    found = []
    for (bank_name, item_id, source), best in nearest.items():
        bank = Bank.objects.get(name=bank_name)
        stored = BankEntry.objects.filter(
            bank=bank, signal_type=SignalType.PDQ, removed_version=None, quarantined_at=None
        )
        stored = (
            stored.filter(item_id=item_id)
            if item_id is not None
            else stored.filter(item_id=None, source=source)
        )
        # An entry stored without a quality was accepted for matching when it was added.
        candidate = [
            (v, 100 if q is None else q) for v, q in stored.values_list("value", "quality")
        ]
        score = match_videos(query, candidate, radius=bank.threshold, min_quality=MIN_MATCH_QUALITY)
        if score.is_match:
            found.append(
                VideoBankMatch(
                    bank=bank_name,
                    item_id=item_id,
                    source=best.source,
                    entry_id=best.entry_id,
                    distance=best.distance,
                    query_match_percent=round(score.query_match_percent, 1),
                    compared_match_percent=round(score.candidate_match_percent, 1),
                )
            )
    return sorted(found, key=lambda v: (-v.query_match_percent, v.distance, v.entry_id))
