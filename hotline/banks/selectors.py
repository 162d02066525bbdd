"""Matching signals against banks: exact digests by lookup, PDQ through the exact index."""

from dataclasses import dataclass

from django.db.models import QuerySet

from hotline.banks.index_cache import MIN_MATCH_QUALITY, pdq_query
from hotline.banks.models import Bank, BankEntry, SignalType
from hotline.banks.services import Signal, signal_problem
from hotline.core.errors import InvalidInput


@dataclass(frozen=True)
class BankMatch:
    entry_id: int
    bank: str
    signal_type: str
    distance: int
    source: str
    item_id: int | None


def banks_list() -> QuerySet[Bank]:
    return Bank.objects.order_by("name")


def bank_match(
    *, signals: list[Signal], bank_names: list[str] | None = None
) -> list[list[BankMatch]]:
    """For each signal, every live entry it matches in the chosen banks (all by default)."""
    for index, signal in enumerate(signals):
        problem = signal_problem(signal)
        if problem:
            raise InvalidInput(f"signal {index}: {problem}")
    banks = list(Bank.objects.filter(name__in=bank_names) if bank_names else Bank.objects.all())
    if bank_names and len(banks) != len(set(bank_names)):
        missing = set(bank_names) - {b.name for b in banks}
        raise InvalidInput(f"unknown bank(s): {', '.join(sorted(missing))}")
    hits: list[list[tuple[int, Bank, int]]] = [[] for _ in signals]
    for bank in banks:
        _pdq_hits(bank, signals, hits)
        _exact_hits(bank, signals, hits)
    return _resolve(hits)


def _pdq_hits(bank: Bank, signals: list[Signal], hits: list[list[tuple[int, Bank, int]]]) -> None:
    usable = [
        i
        for i, s in enumerate(signals)
        if s.type == SignalType.PDQ and (s.quality is None or s.quality >= MIN_MATCH_QUALITY)
    ]
    if not usable:
        return
    answers = pdq_query(bank, [signals[i].value.lower() for i in usable], bank.threshold)
    for i, answer in zip(usable, answers, strict=True):
        hits[i] += [(entry_id, bank, distance) for entry_id, distance in answer]


def _exact_hits(bank: Bank, signals: list[Signal], hits: list[list[tuple[int, Bank, int]]]) -> None:
    wanted = {(s.type, s.value.lower()) for s in signals if s.type != SignalType.PDQ}
    if not wanted:
        return
    rows = BankEntry.objects.filter(
        bank=bank, removed_version=None, value__in=[v for _, v in wanted]
    ).values_list("pk", "signal_type", "value")
    by_key: dict[tuple[str, str], list[int]] = {}
    for pk, kind, value in rows:
        by_key.setdefault((kind, value), []).append(pk)
    for i, s in enumerate(signals):
        for pk in by_key.get((s.type, s.value.lower()), []):
            hits[i].append((pk, bank, 0))


def _resolve(hits: list[list[tuple[int, Bank, int]]]) -> list[list[BankMatch]]:
    ids = {entry_id for row in hits for entry_id, _, _ in row}
    entries = BankEntry.objects.in_bulk(list(ids))
    return [
        sorted(
            (
                BankMatch(
                    entry_id=e,
                    bank=b.name,
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
