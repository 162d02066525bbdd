"""A bank's changes in order, after a cursor: what `GET /api/banks/{name}/feed` and
`hotline bank export --since` read.

Every add and every remove bumps the bank's version under a lock of the bank row, in the same
transaction as its entries (services.bank_add, bank_remove, purge). So a change's position is
(version, entry id): an addition sits at (added_version, id), a deletion at (removed_version,
id), positions are unique (one version holds only adds or only removes), and a change that
commits later never has a smaller position. A cursor is a position written `VERSION.ENTRY`, or
a bare `VERSION` for "everything up to that version" (what a caller up to date is given).

A client is sent a deletion only for an entry whose addition it was sent (its position is at or
before the cursor); an entry added and removed since the cursor is not sent at all. So a first
fetch gets only live entries.

Deletions come from the sources in `DELETION_SOURCES`: entries marked removed
(`bank_remove`), and the tombstones a purge (consent withdrawn, `purge.py`) leaves in place of
the rows it deletes. A tombstone holds no hash, only the entry id and the bank version of its
purge, which gives it its place. It has no added_version, so it goes to every client whose
cursor is before it except a fresh one (a client that never had the entry drops an unknown id);
formats keyed by the hash value cannot carry it and say so (`hotline.exchange.writers`).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import Q

from hotline.accounts.actors import Actor
from hotline.banks.models import Bank, BankEntry, PurgedEntry
from hotline.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from hotline.exchange.records import Change

MAX_LIMIT = 5000
# A position after every entry id of its version.
_END = 2**63 - 1


@dataclass(frozen=True, order=True)
class Position:
    version: int
    entry_id: int

    def cursor(self) -> str:
        return str(self.version) if self.entry_id == _END else f"{self.version}.{self.entry_id}"


START = Position(0, 0)


@dataclass(frozen=True)
class FeedPage:
    bank: str
    changes: list[Change]
    next_cursor: str
    has_more: bool
    version: int  # the bank's version when the page was read


def parse_cursor(cursor: str | None) -> Position:
    if cursor is None or not cursor.strip():
        return START
    version, _, entry = cursor.strip().partition(".")
    if not version.isdigit() or (entry and not entry.isdigit()):
        raise InvalidInput(
            f"cursor must be VERSION or VERSION.ENTRY as next_cursor gave it, got {cursor[:40]!r}",
            details=[{"element": "after"}],
        )
    position = Position(int(version), int(entry) if entry else _END)
    if max(position.version, position.entry_id) > _END:
        raise InvalidInput("cursor is out of range", details=[{"element": "after"}])
    return position


def _after(field: str, at: Position) -> Q:
    return Q(**{f"{field}__gt": at.version}) | Q(**{field: at.version, "pk__gt": at.entry_id})


def _at_or_before(field: str, at: Position) -> Q:
    return Q(**{f"{field}__lt": at.version}) | Q(**{field: at.version, "pk__lte": at.entry_id})


def _change(entry: BankEntry, position: Position, *, delete: bool) -> Change:
    return Change(
        cursor=position.cursor(),
        entry_id=entry.pk,
        delete=delete,
        signal_type=entry.signal_type,
        value=entry.value,
        quality=entry.quality,
        at=None if delete else entry.created_at,
    )


def _additions(bank: Bank, after: Position, upto: int, limit: int) -> list[tuple[Position, Change]]:
    rows = (
        BankEntry.objects.filter(bank=bank, removed_version=None, added_version__lte=upto)
        .filter(_after("added_version", after))
        .order_by("added_version", "pk")[:limit]
    )
    return [
        (p, _change(e, p, delete=False)) for e in rows for p in [Position(e.added_version, e.pk)]
    ]


def _removed_entries(
    bank: Bank, after: Position, upto: int, limit: int
) -> list[tuple[Position, Change]]:
    """Entries marked removed (bank_remove) since the cursor, whose addition the client saw."""
    rows = (
        BankEntry.objects.filter(bank=bank, removed_version__isnull=False)
        .filter(removed_version__lte=upto)
        .filter(_after("removed_version", after), _at_or_before("added_version", after))
        .order_by("removed_version", "pk")[:limit]
    )
    changes = []
    for entry in rows:
        assert entry.removed_version is not None
        position = Position(entry.removed_version, entry.pk)
        changes.append((position, _change(entry, position, delete=True)))
    return changes


def _tombstones(
    bank: Bank, after: Position, upto: int, limit: int
) -> list[tuple[Position, Change]]:
    """Entries a purge deleted since the cursor, by id only (a fresh client never had them)."""
    if after == START:
        return []
    rows = (
        PurgedEntry.objects.filter(bank=bank, version__lte=upto)
        .filter(
            Q(version__gt=after.version) | Q(version=after.version, entry_id__gt=after.entry_id)
        )
        .order_by("version", "entry_id")[:limit]
    )
    return [
        (
            position,
            Change(
                cursor=position.cursor(),
                entry_id=tombstone.entry_id,
                delete=True,
                signal_type=tombstone.signal_type,
                value=None,
                quality=None,
                at=tombstone.deleted_at,
            ),
        )
        for tombstone in rows
        for position in [Position(tombstone.version, tombstone.entry_id)]
    ]


# Where deletions come from; each returns up to `limit` of them after the cursor, in position
# order (see the module docstring).
DELETION_SOURCES: tuple[
    Callable[[Bank, Position, int, int], list[tuple[Position, Change]]], ...
] = (_removed_entries, _tombstones)


def bank_changes(*, bank: Bank, after: Position, limit: int) -> FeedPage:
    """Up to `limit` changes after the cursor, oldest first, and the cursor to go on from."""
    upto = Bank.objects.values_list("version", flat=True).get(pk=bank.pk)
    if after != START and after.version > upto:
        raise Conflict(
            f"the cursor is ahead of bank {bank.name} (version {upto}): fetch again without one",
            details=[{"element": "after"}],
        )
    merged = _additions(bank, after, upto, limit + 1)
    for source in DELETION_SOURCES:
        merged += source(bank, after, upto, limit + 1)
    merged.sort(key=lambda pair: pair[0])
    has_more = len(merged) > limit
    page = merged[:limit]
    next_cursor = page[-1][0].cursor() if has_more else Position(upto, _END).cursor()
    return FeedPage(
        bank=bank.name,
        changes=[change for _, change in page],
        next_cursor=next_cursor,
        has_more=has_more,
        version=upto,
    )


def bank_changes_all(*, bank: Bank, after: Position, page_size: int = 2000) -> Iterator[FeedPage]:
    """Every change after the cursor, a page at a time (for `hotline bank export`)."""
    while True:
        page = bank_changes(bank=bank, after=after, limit=page_size)
        yield page
        if not page.has_more:
            return
        after = parse_cursor(page.next_cursor)


def feed_bank_for_actor(*, actor: Actor, name: str) -> Bank:
    """The bank a platform asks for, if platforms may read it (else 404: no existence leak)."""
    if not actor.is_moderator:
        raise PermissionDenied("only a platform's moderators read bank feeds")
    bank = Bank.objects.filter(name=name, platform_feed=True).first()
    if bank is None:
        raise NotFound(f"no bank named {name[:100]!r} is shared with platforms")
    return bank


def bank_feed_for_actor(
    *, actor: Actor, name: str, after: str | None, limit: int = 500
) -> FeedPage:
    bank = feed_bank_for_actor(actor=actor, name=name)
    return bank_changes(bank=bank, after=parse_cursor(after), limit=max(1, min(limit, MAX_LIMIT)))
