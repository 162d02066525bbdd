"""Verification: re-check an item's URL, keep the evidence, and act on what was seen."""

from dataclasses import replace
from datetime import timedelta

from django.db import transaction

from hotline.cases import schedule
from hotline.cases.models import Item, ItemCheck, Message, MessageKind
from hotline.cases.services.common import record, transition
from hotline.cases.services.moderation import notice_close_if_settled
from hotline.cases.services.news import body_digest, news_item_seen_gone
from hotline.cases.services.notify import reopen_send
from hotline.cases.services.prevention import item_bank_known
from hotline.cases.workflow import WATCHED, ItemAction, ItemState
from hotline.core import clock
from hotline.verification.fetchers import Fetcher, FetchResult
from hotline.verification.rules import Judgement, Verdict, judge, verification_url

SYSTEM_ACTOR = "hotline:verifier"
INCONCLUSIVE_RETRY = timedelta(minutes=15)


def item_check(*, item_id: int, fetcher: Fetcher) -> ItemCheck | None:
    """Fetch outside any transaction (it is slow), then record and act in one."""
    item = Item.objects.filter(pk=item_id).first()
    if item is None or item.state not in WATCHED or not item.normalised_url:
        return None
    started = clock.now()
    # The evidence is stamped by hotline's clock, like every other time in the record.
    result = replace(fetcher.fetch(verification_url(item.normalised_url)), fetched_at=started)
    judgement = judge(item.normalised_url, result)
    return _record_check(item_id, result, judgement)


@transaction.atomic
def _record_check(item_id: int, result: FetchResult, judgement: Judgement) -> ItemCheck | None:
    item = (
        Item.objects.select_for_update(of=("self",))
        .select_related("notice__request")
        .get(pk=item_id)
    )
    if item.state not in WATCHED:
        return None  # the item moved on while we were fetching
    check = ItemCheck.objects.create(
        item=item,
        checked_at=result.fetched_at,
        url=result.url,
        final_url=result.final_url or "",
        http_status=result.status,
        body_sha256=result.body_sha256 or "",
        error=result.error or "",
        verdict=judgement.verdict.value,
        reason=judgement.reason,
    )
    record(
        tag="item:check",
        actor=SYSTEM_ACTOR,
        subject=item,
        organisation_id=item.request.organisation_id,
        payload={
            "check": check.pk,
            "status": result.status,
            "verdict": check.verdict,
            "reason": judgement.reason,
            **body_digest(item, check.body_sha256),
        },
    )
    _act_on(item, check, judgement)
    return check


def _act_on(item: Item, check: ItemCheck, judgement: Judgement) -> None:
    state = ItemState(item.state)
    if judgement.verdict == Verdict.GONE:
        if state in (ItemState.REMOVED, ItemState.REOPENED):
            item.confirmed_removed_at = check.checked_at
            transition(
                item,
                ItemAction.VERIFY_GONE,
                actor=SYSTEM_ACTOR,
                at=check.checked_at,
                check=check.pk,
            )
            item_bank_known(item=item, actor=SYSTEM_ACTOR)
            assert item.notice is not None
            notice_close_if_settled(notice=item.notice, actor=SYSTEM_ACTOR)
        elif item.observed_gone_at is None:
            item.observed_gone_at = check.checked_at
            item.save(update_fields=["observed_gone_at"])
            record(
                tag="item:observed_gone",
                actor=SYSTEM_ACTOR,
                subject=item,
                organisation_id=item.request.organisation_id,
                payload={"check": check.pk},
            )
            news_item_seen_gone(item=item, check=check)
    elif judgement.verdict == Verdict.PRESENT and state == ItemState.REMOVED:
        item.reopen_count += 1
        transition(
            item, ItemAction.VERIFY_PRESENT, actor=SYSTEM_ACTOR, at=check.checked_at, check=check.pk
        )
        _tell_platform_still_up(item, judgement.reason)
    elif judgement.verdict == Verdict.INCONCLUSIVE and state == ItemState.REMOVED:
        schedule.item_check_soon(item=item, delay=INCONCLUSIVE_RETRY)


def _tell_platform_still_up(item: Item, reason: str) -> None:
    assert item.notice is not None
    message = Message.objects.create(
        notice=item.notice,
        item=item,
        author_organisation=None,
        author=SYSTEM_ACTOR,
        kind=MessageKind.SYSTEM,
        body=f"Item {item.position} reported removed is still reachable ({reason}); reopened.",
        created_at=clock.now(),
    )
    record(
        tag="message:system",
        actor=SYSTEM_ACTOR,
        subject=item.notice,
        organisation_id=item.request.organisation_id,
        payload={"message": message.pk},
    )
    reopen_send(notice=item.notice, item=item, reason=reason)
