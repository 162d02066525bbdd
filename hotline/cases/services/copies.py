"""Re-uploads of confirmed content become work: a new item on the platform where it reappeared.

A copy is numbered within its content: the first item of the content is copy 1, the first
re-upload copy 2, and so on, so both the platform and the reporter can see how often it came
back. Each copy is opened in one transaction with its audit events and its notice's delivery
in the outbox, so a crash leaves either all of it or none; the platform's own reference for the
upload (unique per platform) makes the same match, repeated, open nothing new.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max

from hotline.accounts.actors import Actor
from hotline.banks.selectors import BankMatch, VideoBankMatch
from hotline.banks.services import KNOWN_CONTENT_BANK, Signal
from hotline.cases.models import Item
from hotline.cases.services.common import item_ref, record
from hotline.cases.services.news import news_copy_found
from hotline.cases.services.routing import notice_open, policy_for
from hotline.cases.workflow import ItemState
from hotline.core import clock
from hotline.core.errors import InvalidInput
from hotline.platforms.models import Platform
from hotline.platforms.urls import InvalidUrl, normalise_url

FOUND_BY_PLATFORM = "platform_match"
FOUND_BY_HOTLINE = "hotline"
# Who recorded a copy hotline found at filing: never the filer, whom the original's
# organisation must not learn of from its timeline.
MATCHER_ACTOR = "hotline:matcher"


@dataclass(frozen=True)
class CopySource:
    """What was matched: the known item, how close, and through which bank entry."""

    item_id: int
    entry_id: int
    distance: int


def best_known_match(matches: Sequence[BankMatch | VideoBankMatch]) -> CopySource | None:
    """The nearest match in the known-content bank that came from an item."""
    known = [m for m in matches if m.bank == KNOWN_CONTENT_BANK and m.item_id is not None]
    if not known:
        return None
    best = min(known, key=lambda m: (m.distance, m.entry_id))
    assert best.item_id is not None
    return CopySource(item_id=best.item_id, entry_id=best.entry_id, distance=best.distance)


def copy_open(
    *,
    actor: Actor,
    platform: Platform,
    source: CopySource,
    upload_ref: str,
    url: str,
    signals: list[Signal],
) -> Item:
    """The item for a platform's upload that matched known content: new, or the one this
    upload reference already opened."""
    ref = upload_ref.strip()
    if not ref:
        raise InvalidInput("upload_ref must not be blank")
    try:
        with transaction.atomic():
            return _open(actor, platform, source, ref, url, signals)
    except IntegrityError:
        # Opened meanwhile by a concurrent call with the same reference: that one stands.
        return Item.objects.get(platform=platform, upload_ref=ref)


def _open(
    actor: Actor,
    platform: Platform,
    source: CopySource,
    ref: str,
    url: str,
    signals: list[Signal],
) -> Item:
    existing = Item.objects.filter(platform=platform, upload_ref=ref).first()
    if existing is not None:
        return existing
    root = _locked_root(source.item_id)
    request, now = root.request, clock.now()
    normalised = _normalised(url)
    position = (request.items.aggregate(top=Max("position"))["top"] or 0) + 1
    policy = policy_for(platform, request.jurisdiction)
    item = Item.objects.create(
        request=request,
        position=position,
        url=url.strip(),
        normalised_url=normalised[0],
        host=normalised[1],
        location_kind=normalised[2],
        signals=[_signal_row(s) for s in signals],
        platform=platform,
        state=ItemState.NOTIFIED if policy else ItemState.TRIAGE,
        copy_of=root,
        copy_number=_next_copy_number(root),
        found_by=FOUND_BY_PLATFORM,
        match_distance=source.distance,
        matched_entry_id=source.entry_id,
        upload_ref=ref,
    )
    record(
        tag="item:create",
        actor=actor.label,
        subject=item,
        organisation_id=request.organisation_id,
        payload={
            "position": position,
            "url": item.normalised_url,
            "state": item.state,
            "platform": platform.name,
            **({} if policy else {"triage_reason": f"{platform.name} has no deadline policy"}),
        },
    )
    copy_record(item=item, root=root, actor=actor.label)
    if policy is not None:
        notice_open(
            request=request,
            platform=platform,
            policy=policy,
            items=[item],
            actor=actor.label,
            now=now,
        )
    return item


def copy_mark(*, item: Item, source: CopySource) -> None:
    """hotline itself recognised a newly reported item as confirmed content: number it as a
    copy of that content and tell both cases (inside the filing transaction)."""
    root = _locked_root(source.item_id)
    if root.pk == item.pk or item.copy_of_id is not None:
        return
    item.copy_of = root
    item.copy_number = _next_copy_number(root)
    item.found_by = FOUND_BY_HOTLINE
    item.match_distance = source.distance
    item.matched_entry_id = source.entry_id
    item.save(
        update_fields=["copy_of", "copy_number", "found_by", "match_distance", "matched_entry_id"]
    )
    copy_record(item=item, root=root, actor=MATCHER_ACTOR)


def copy_record(*, item: Item, root: Item, actor: str) -> None:
    """The audit events that tell the copy's case and the original's case, and the news to
    the original's reporter (`news_copy_found`): `item:reupload` on the copy (its own case)
    and `item:copy_found` on the original (the original reporter's case). Neither names the
    other organisation.
    """
    payload = {
        "copy_number": item.copy_number,
        "found_by": item.found_by,
        "distance": item.match_distance,
        "platform": item.platform.name if item.platform else None,
    }
    record(
        tag="item:reupload",
        actor=actor,
        subject=item,
        organisation_id=item.request.organisation_id,
        payload={
            **payload,
            **item_ref("copy_of", organisation_id=item.request.organisation_id, other=root),
            "upload_ref": item.upload_ref,
        },
    )
    record(
        tag="item:copy_found",
        actor=actor,
        subject=root,
        organisation_id=root.request.organisation_id,
        payload={
            **payload,
            **item_ref("copy", organisation_id=root.request.organisation_id, other=item),
        },
    )
    news_copy_found(original=root, copy=item)


def _locked_root(item_id: int) -> Item:
    """The first item of the content, locked so that copy numbers are handed out in turn."""
    matched = Item.objects.select_related("request").get(pk=item_id)
    root_id = matched.copy_of_id or matched.pk
    return Item.objects.select_for_update(of=("self",)).select_related("request").get(pk=root_id)


def _next_copy_number(root: Item) -> int:
    top = root.copies.aggregate(top=Max("copy_number"))["top"]
    return (top or 1) + 1


def _normalised(url: str) -> tuple[str, str, str]:
    """The copy's URL as (normalised URL, host, location kind); empty for an upload without."""
    if not url.strip():
        return "", "", ""
    try:
        normalised = normalise_url(url)
    except InvalidUrl as error:
        raise InvalidInput(f"url: {error}", details=[{"element": "url"}]) from error
    return normalised.url, normalised.host, str(normalised.kind)


def _signal_row(signal: Signal) -> dict[str, object]:
    row: dict[str, object] = {"type": signal.type, "value": signal.value.lower()}
    if signal.quality is not None:
        row["quality"] = signal.quality
    return row
