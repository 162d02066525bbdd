"""Recognising content again: link new items to earlier ones, bank what was confirmed removed."""

from datetime import datetime

from hotline.banks.selectors import bank_match, banks_list
from hotline.banks.services import KNOWN_CONTENT_BANK, Signal, bank_add, bank_ensure
from hotline.cases.models import Item, ItemLink
from hotline.cases.services.common import item_ref, record
from hotline.cases.services.copies import best_known_match, copy_mark

# Every reported item's hashes, so a new report of the same content finds the earlier case.
REPORTED_BANK = "reported-items"


def signals_of(item: Item) -> list[Signal]:
    return [
        Signal(type=s["type"], value=s["value"], quality=s.get("quality")) for s in item.signals
    ]


def items_link_and_bank(*, items: list[Item], actor: str, now: datetime) -> None:
    """Link each new item to earlier items with matching signals, then remember its signals."""
    bank = bank_ensure(name=REPORTED_BANK, description="Hashes of every reported item", actor=actor)
    for item in items:
        signals = signals_of(item)
        if not signals:
            continue
        _link(item, signals, actor=actor, now=now)
        _mark_if_copy(item, signals)
        bank_add(bank=bank, signals=signals, source=f"item:{item.pk}", item_id=item.pk, actor=actor)


def _link(item: Item, signals: list[Signal], *, actor: str, now: datetime) -> None:
    best: dict[int, tuple[int, str]] = {}
    for matches in bank_match(signals=signals, bank_names=[REPORTED_BANK]):
        for m in matches:
            if m.item_id is None or m.item_id == item.pk:
                continue
            if m.item_id not in best or m.distance < best[m.item_id][0]:
                best[m.item_id] = (m.distance, m.signal_type)
    earlier_items = Item.objects.select_related("request").in_bulk(list(best))
    for earlier_id, (distance, signal_type) in sorted(best.items()):
        earlier = earlier_items[earlier_id]
        ItemLink.objects.create(
            item=item,
            earlier_item_id=earlier_id,
            signal_type=signal_type,
            distance=distance,
            created_at=now,
        )
        record(
            tag="item:seen_before",
            actor=actor,
            subject=item,
            organisation_id=item.request.organisation_id,
            payload={
                **item_ref(
                    "earlier_item", organisation_id=item.request.organisation_id, other=earlier
                ),
                "distance": distance,
                "signal": signal_type,
            },
        )


def _mark_if_copy(item: Item, signals: list[Signal]) -> None:
    """A newly reported URL whose hash matches content confirmed removed is a re-upload."""
    if not banks_list().filter(name=KNOWN_CONTENT_BANK).exists():
        return
    matches = [
        m
        for row in bank_match(signals=signals, bank_names=[KNOWN_CONTENT_BANK])
        for m in row
        if m.item_id != item.pk
    ]
    source = best_known_match(matches)
    if source is not None:
        copy_mark(item=item, source=source)


def item_bank_known(*, item: Item, actor: str) -> None:
    """Content confirmed removed goes into the known-content bank that platforms match against."""
    signals = signals_of(item)
    if not signals:
        return
    bank = bank_ensure(
        name=KNOWN_CONTENT_BANK,
        description="Content confirmed removed; platforms match uploads against it",
        actor=actor,
    )
    bank_add(bank=bank, signals=signals, source=f"item:{item.pk}", item_id=item.pk, actor=actor)
