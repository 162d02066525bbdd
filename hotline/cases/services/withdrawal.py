"""Consent withdrawn: a request's hash values are purged everywhere hotline keeps them.

Deleted, not flagged: bank entries from its items (every bank, each leaving a tombstone with
no value), the items' own signals, and the copies in notice payloads queued or sent. The
audit record keeps counts and ids only, never a value. Each item gets an
`item:consent_withdrawn` event; each notice that carried hashes gets a
`notice:signals_withdrawn` event (on the platform's pull feed, with the item and bank entry
ids) and a `signals_withdrawn` message through the platform's channel (a signed webhook, or
an email), so platforms that took the hashes delete them too. URLs stay: their takedown
goes on. The received emails a request came from are the inbound app's to clean
(inbound.services.withdrawal), called by the self-service app alongside this.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from hotline.banks.purge import PurgedBank, bank_purge_items
from hotline.cases.models import Item, ItemCheck, Notice, ReporterNews, TakedownRequest
from hotline.cases.services.common import record
from hotline.cases.services.notify import signals_withdrawn_send
from hotline.core import clock
from hotline.delivery.redaction import delivery_redact_item_signals

WITHDRAWN_TAG = "item:consent_withdrawn"
NOTICE_WITHDRAWN_TAG = "notice:signals_withdrawn"


@dataclass(frozen=True)
class Withdrawal:
    items: int
    signals: int
    banks: list[PurgedBank]
    notices: int  # stored notice payloads the values were taken out of
    platforms_told: int = 0  # notices whose platform was sent a deletion message
    emails: int = 0  # stored emails the values were taken out of (set by the caller)


def request_hash_values(request: TakedownRequest) -> set[str]:
    """Every hash value the request's items hold (to find copies of them elsewhere)."""
    rows = Item.objects.filter(request=request).values_list("signals", flat=True)
    return {str(s["value"]) for signals in rows for s in signals if s.get("value")}


@transaction.atomic
def request_withdraw_consent(*, request: TakedownRequest, actor: str) -> Withdrawal:
    """Purge every hash value of the request; the same call again purges nothing new."""
    items = list(Item.objects.select_for_update().filter(request=request).order_by("position"))
    ids = [item.pk for item in items]
    values = {v.lower() for v in request_hash_values(request)}
    _forget_page_digests(ids, values)
    purged = bank_purge_items(item_ids=ids, actor=actor, reason="consent withdrawn")
    entries_of: dict[int, list[int]] = defaultdict(list)
    for bank in purged:
        for item_id, entry_id in bank.entry_ids:
            if item_id is not None:
                entries_of[item_id].append(entry_id)
    signals = 0
    emptied: list[Item] = []
    for item in items:
        if not item.signals and item.pk not in entries_of:
            continue
        count, item.signals = len(item.signals), []
        item.save(update_fields=["signals"])
        signals += count
        emptied.append(item)
        record(
            tag=WITHDRAWN_TAG,
            actor=actor,
            subject=item,
            organisation_id=request.organisation_id,
            payload={"signals_deleted": count},
        )
    notices = {item.notice_id for item in items if item.notice_id is not None}
    redacted = delivery_redact_item_signals(
        abouts=[f"notice:{pk}" for pk in sorted(notices)], item_ids=set(ids)
    )
    told = _tell_platforms(emptied, entries_of, actor=actor)
    record(
        tag="request:consent_withdrawn",
        actor=actor,
        subject=request,
        organisation_id=request.organisation_id,
        payload={
            "signals_deleted": signals,
            "bank_entries_deleted": sum(b.entries for b in purged),
            "platforms_told": told,
        },
    )
    return Withdrawal(
        items=len(items), signals=signals, banks=purged, notices=redacted, platforms_told=told
    )


def _forget_page_digests(item_ids: list[int], values: set[str]) -> None:
    """A verification check of a URL that served her media itself has her SHA-256 as its
    body digest: blanked in the check and in the news that quoted it (news.body_digest keeps
    it out of the audit record and of news written since)."""
    ItemCheck.objects.filter(item_id__in=item_ids, body_sha256__in=values).update(body_sha256="")
    for news in ReporterNews.objects.select_for_update().filter(item_id__in=item_ids):
        check = news.facts.get("check")
        if isinstance(check, dict) and str(check.get("body_sha256", "")).lower() in values:
            check["body_sha256"], check["body_is_reported_media"] = "", True
            news.save(update_fields=["facts"])


def _tell_platforms(emptied: list[Item], entries_of: dict[int, list[int]], *, actor: str) -> int:
    """One deletion record per notice that carried hashes of these items: audited (the pull
    feed reads it) and sent through the platform's channel, naming ids only."""
    by_notice: dict[int, list[Item]] = defaultdict(list)
    for item in emptied:
        if item.notice_id is not None:
            by_notice[item.notice_id].append(item)
    stamp = clock.now().strftime("%Y%m%d%H%M%S%f")
    notices = Notice.objects.select_related("platform", "request").filter(pk__in=by_notice)
    for notice in notices.order_by("pk"):
        items = by_notice[notice.pk]
        entry_ids = sorted(e for i in items for e in entries_of.get(i.pk, []))
        record(
            tag=NOTICE_WITHDRAWN_TAG,
            actor=actor,
            subject=notice,
            organisation_id=notice.request.organisation_id,
            payload={"items": [i.pk for i in items], "bank_entries": entry_ids},
        )
        signals_withdrawn_send(
            notice=notice,
            items=items,
            entry_ids=entry_ids,
            key=f"signals-withdrawn-{notice.pk}-{stamp}",
        )
    return len(by_notice)
