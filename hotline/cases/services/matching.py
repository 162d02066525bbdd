"""A platform's upload check: match against the banks, and open a copy for known content.

A query with the platform's `upload_ref` that matches content confirmed removed opens a new
item on that platform (services/copies.py). Without a reference the call is a lookup only:
hotline could not tell a second check of the same upload from a new upload, so it opens
nothing rather than opening the same work twice.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from hotline.accounts.actors import Actor
from hotline.banks.feedback import entry_false_match, entry_review
from hotline.banks.models import BankEntry
from hotline.banks.selectors import (
    BankMatch,
    VideoBankMatch,
    bank_match,
    bank_match_video,
    entry_in_bank,
    quarantined_item_of,
)
from hotline.banks.services import KNOWN_CONTENT_BANK, Signal
from hotline.cases.models import Item
from hotline.cases.services.common import record
from hotline.cases.services.copies import best_known_match, copy_open
from hotline.cases.services.moderation import ItemDecision, item_act
from hotline.cases.workflow import AWAITING_PLATFORM, ItemAction, ItemState, RejectionReason
from hotline.core.errors import InvalidInput, NotFound, PermissionDenied
from hotline.platforms.models import Platform


@dataclass(frozen=True)
class UploadQuery:
    """One signal of an upload, or one video's frames (`video`), as the platform sent it."""

    signals: list[Signal]
    upload_ref: str | None = None
    url: str = ""
    video: bool = False


@dataclass
class QueryResult:
    matches: list[BankMatch | VideoBankMatch]
    copy: Item | None = None
    opened: bool = False  # False when the copy already existed (the same upload again)


@dataclass(frozen=True)
class FalseMatchOutcome:
    entry_id: int
    counted: bool
    false_matches: int
    quarantined: bool
    item: Item | None = field(default=None)


def uploads_match(
    *, actor: Actor, queries: list[UploadQuery], bank_names: list[str] | None
) -> list[QueryResult]:
    results = uploads_lookup(actor=actor, queries=queries, bank_names=bank_names)
    if not any(q.upload_ref is not None for q in queries):
        return results  # a lookup only: nothing to open, so no platform to read
    platform = _platform_of(actor) if actor.is_moderator else None
    if platform is None:
        return results
    by_ref: dict[str, list[int]] = defaultdict(list)
    for n, query in enumerate(queries):
        if query.upload_ref is not None:
            by_ref[query.upload_ref.strip()].append(n)
    for ref, members in by_ref.items():
        if not ref:
            raise InvalidInput("upload_ref must not be blank", details=[{"element": "upload_ref"}])
        source = best_known_match([m for n in members for m in results[n].matches])
        if source is None:
            continue
        before = Item.objects.filter(platform=platform, upload_ref=ref).exists()
        item = copy_open(
            actor=actor,
            platform=platform,
            source=source,
            upload_ref=ref,
            url=next((queries[n].url for n in members if queries[n].url.strip()), ""),
            signals=[s for n in members for s in queries[n].signals],
        )
        for n in members:
            results[n].copy, results[n].opened = item, not before
    return results


def uploads_lookup(
    *, actor: Actor, queries: list[UploadQuery], bank_names: list[str] | None
) -> list[QueryResult]:
    """The matches alone, opening nothing: what uploads_match answers for queries without an
    `upload_ref`, and what the lean /api/match (hotline/lean_match.py) answers with."""
    if not (actor.is_moderator or actor.is_reporter):
        raise PermissionDenied("only moderators and reporters match against banks")
    return _match(queries, bank_names or [KNOWN_CONTENT_BANK])


def _match(queries: list[UploadQuery], banks: list[str]) -> list[QueryResult]:
    singles = [n for n, q in enumerate(queries) if not q.video]
    results: list[QueryResult] = [QueryResult(matches=[]) for _ in queries]
    if singles:
        rows = bank_match(signals=[queries[n].signals[0] for n in singles], bank_names=banks)
        for n, row in zip(singles, rows, strict=True):
            results[n].matches = list(row)
    for n, query in enumerate(queries):
        if query.video:
            try:
                results[n].matches = list(bank_match_video(frames=query.signals, bank_names=banks))
            except InvalidInput as error:
                raise InvalidInput(f"videos[{n - len(singles)}]: {error.message}") from error
    return results


def _platform_of(actor: Actor) -> Platform | None:
    return Platform.objects.filter(organisation_id=actor.organisation_id).first()


@transaction.atomic
def match_not_same(
    *, actor: Actor, entry_id: int, upload_ref: str, note: str = ""
) -> FalseMatchOutcome:
    """A platform says its upload matched a bank entry but is not the same content.

    Recorded and counted once per platform and upload; the copy that match opened, if any, is
    closed as rejected for that reason. Enough such reports quarantine the entry."""
    if not actor.is_moderator:
        raise PermissionDenied("only a platform's moderators report false matches")
    platform = _platform_of(actor)
    if platform is None:
        raise PermissionDenied("your organisation is not a platform")
    copy = Item.objects.filter(
        platform=platform, upload_ref=upload_ref.strip(), matched_entry_id=entry_id
    ).first()
    if copy is None and not entry_in_bank(entry_id=entry_id, bank_name=KNOWN_CONTENT_BANK):
        raise NotFound(f"no bank entry {entry_id} in the banks you match against")
    result = entry_false_match(
        entry_id=entry_id,
        organisation_id=actor.organisation_id,
        upload_ref=upload_ref,
        note=note,
        quarantine_after=settings.HOTLINE_FALSE_MATCH_QUARANTINE,
        actor=actor.label,
    )
    if copy is not None and ItemState(copy.state) in AWAITING_PLATFORM:
        copy = _reject_copy(copy, actor=actor, note=note)
    if result.quarantined_now and result.entry.item_id is not None:
        _tell_original_reporter(result.entry.item_id, entry_id, actor=actor.label)
    return FalseMatchOutcome(
        entry_id=entry_id,
        counted=result.counted,
        false_matches=result.entry.false_matches,
        quarantined=result.entry.quarantined_at is not None,
        item=copy,
    )


def _reject_copy(copy: Item, *, actor: Actor, note: str) -> Item:
    assert copy.notice_id is not None
    return item_act(
        actor=actor,
        notice_id=copy.notice_id,
        item_id=copy.pk,
        decision=ItemDecision(
            action=ItemAction.REJECT,
            reason=RejectionReason.NOT_SAME_CONTENT,
            note=note or "not the same content as the matched entry",
        ),
    )


def _tell_original_reporter(item_id: int, entry_id: int, *, actor: str) -> None:
    item = Item.objects.select_related("request").filter(pk=item_id).first()
    if item is None:
        return
    record(
        tag="item:bank_quarantined",
        actor=actor,
        subject=item,
        organisation_id=item.request.organisation_id,
        payload={"entry": entry_id, "why": "repeated not-the-same-content reports"},
    )


@transaction.atomic
def quarantine_review(*, actor: Actor, entry_id: int, restore: bool) -> BankEntry:
    """A reporter of the organisation whose item the entry came from restores it to matching
    or removes it from the bank."""
    if not actor.is_reporter:
        raise PermissionDenied("only reporters review quarantined bank entries")
    item_id = quarantined_item_of(entry_id=entry_id)
    item = (
        Item.objects.select_related("request")
        .filter(pk=item_id, request__organisation_id=actor.organisation_id)
        .first()
        if item_id is not None
        else None
    )
    if item is None:
        raise NotFound(f"no quarantined bank entry {entry_id} from your organisation's cases")
    entry = entry_review(entry_id=entry_id, restore=restore, actor=actor.label)
    record(
        tag="item:bank_restored" if restore else "item:bank_removed",
        actor=actor.label,
        subject=item,
        organisation_id=actor.organisation_id,
        payload={"entry": entry.pk},
    )
    return entry
