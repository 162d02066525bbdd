"""Word back to reporters: news of their own items, written in the transaction of the change.

Each piece of news is a ReporterNews row and, for every subscription of the organisation that
wants news at once, an outbox row (email in the subscription's language, or a webhook signed
with the subscription's secret). Both are written with the state change, so a crash leaves all
or none of them (docs/decisions/0002, 0004, 0016); the idempotency key names the news row and
the subscription, so a resend is the same message under the same key.

An item that duplicates another item follows it: when the original's state changes, the
duplicate's organisation is told under its own case and item, never the other's.
"""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from hotline.cases import news_texts
from hotline.cases.models import (
    Item,
    ItemCheck,
    Message,
    NewsKind,
    Notice,
    ReporterNews,
    TakedownRequest,
)
from hotline.cases.tokens import notice_reply_token
from hotline.cases.workflow import ItemAction
from hotline.core import clock
from hotline.delivery.models import Subscription
from hotline.delivery.services import delivery_enqueue
from hotline.platforms.models import ChannelKind

# The platform's actions and hotline's checks that end, or change, what the reporter waits for.
OUTCOME_ACTIONS = frozenset(
    {
        ItemAction.REMOVE,
        ItemAction.RESTRICT,
        ItemAction.REJECT,
        ItemAction.VERIFY_GONE,
        ItemAction.VERIFY_PRESENT,
    }
)
DIGEST_EVERY = timedelta(days=1)


def news_item_changed(*, item: Item, action: ItemAction, check_id: int | None = None) -> None:
    """Tell the item's organisation, and that of every item duplicating it, what happened."""
    if action not in OUTCOME_ACTIONS:
        return
    check = ItemCheck.objects.filter(pk=check_id).first() if check_id else None
    _tell_followers(item, NewsKind.OUTCOME, _outcome_facts(item, check))


def news_item_seen_gone(*, item: Item, check: ItemCheck) -> None:
    """The check found the content gone before the platform said anything: say so."""
    facts = {**_outcome_facts(item, check), "state": "observed_gone"}
    _tell_followers(item, NewsKind.OBSERVED_GONE, facts)


def news_question(*, message: Message) -> None:
    """The platform asked the reporter something: their own open task until answered."""
    notice = message.notice
    item = message.item
    facts: dict[str, Any] = {
        "case_id": notice.request.case_id,
        "position": item.position if item else None,
        "url": item.url if item else "",
        "question": message.body,
        "asked_at": message.created_at.isoformat(),
    }
    _tell(
        request=notice.request,
        kind=NewsKind.QUESTION,
        facts=facts,
        item=item,
        notice=notice,
        message=message,
    )


def news_escalated(*, notice: Notice, waiting: list[Item]) -> None:
    """The deadline passed with items waiting and the designated official was told."""
    deadline = notice.deadline_at.astimezone(ZoneInfo(notice.platform.time_zone))
    facts = {
        "case_id": notice.request.case_id,
        "notice_id": notice.pk,
        "deadline": f"{deadline:%Y-%m-%d %H:%M %Z}",
        "waiting": len(waiting),
        "positions": [i.position for i in waiting],
    }
    _tell(request=notice.request, kind=NewsKind.ESCALATION, facts=facts, notice=notice)
    # Another organisation's duplicates are told per item, under their own case.
    for original in waiting:
        for duplicate in original.duplicates.select_related("request"):
            if duplicate.request.organisation_id == notice.request.organisation_id:
                continue
            facts = {
                "case_id": duplicate.request.case_id,
                "notice_id": None,
                "position": duplicate.position,
                "deadline": f"{deadline:%Y-%m-%d %H:%M %Z}",
                "waiting": 1,
            }
            _tell(request=duplicate.request, kind=NewsKind.ESCALATION, facts=facts, item=duplicate)


def news_copy_found(*, original: Item, copy: Item) -> None:
    """The content came back: a re-upload a platform's match or a new report found. Told to
    the original's organisation and to those following it, each under its own item; the copy's
    case, and who filed it, are never named."""
    facts = {
        "state": "copy_found",
        "copy_number": copy.copy_number,
        "found_by": copy.found_by,
        "platform": copy.platform.name if copy.platform else None,
    }
    _tell_followers(original, NewsKind.COPY_FOUND, facts)


def _outcome_facts(item: Item, check: ItemCheck | None) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "state": item.state,
        "reason": item.rejection_reason,
        "note": item.outcome_note,
        "platform": item.platform.name if item.platform else None,
    }
    if check is not None:
        facts["check"] = {
            "checked_at": check.checked_at.isoformat(),
            "http_status": check.http_status,
            "verdict": check.verdict,
            "reason": check.reason,
            **body_digest(item, check.body_sha256),
            "final_url": check.final_url,
        }
    return facts


def _tell_followers(item: Item, kind: NewsKind, facts: dict[str, Any]) -> None:
    followers = [item, *item.duplicates.select_related("request").order_by("pk")]
    for target in followers:
        own = {
            **facts,
            "case_id": target.request.case_id,
            "position": target.position,
            "url": target.url,
        }
        if target.request.organisation_id != item.request.organisation_id:
            # The platform's free-text note was written to the other organisation: keep it
            # there. The reason code and the check are about the content, and are shared.
            own["note"] = ""
        notice = target.notice if target.pk == item.pk else None
        _tell(request=target.request, kind=kind, facts=own, item=target, notice=notice)


def _tell(
    *,
    request: TakedownRequest,
    kind: NewsKind,
    facts: dict[str, Any],
    item: Item | None = None,
    notice: Notice | None = None,
    message: Message | None = None,
) -> ReporterNews:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("news is written inside the transaction of the change")
    news = ReporterNews.objects.create(
        organisation_id=request.organisation_id,
        request=request,
        item=item,
        notice=notice,
        message=message,
        kind=kind,
        state=str(facts.get("state", "")),
        facts=facts,
        created_at=clock.now(),
    )
    contact = (request.organisation.contact_email or "").lower()
    for subscription in Subscription.objects.filter(
        organisation_id=request.organisation_id, immediate=True
    ).order_by("pk"):
        # A question already goes to the organisation's contact address (message_forward).
        skip_email = kind == NewsKind.QUESTION and subscription.email.lower() == contact
        if subscription.email and not skip_email:
            _email(news, subscription)
        if subscription.webhook_url:
            _webhook(news, subscription)
    return news


def _reply_thread(news: ReporterNews) -> dict[str, Any]:
    """A question's email carries the notice's reply address: the reporter answers by reply."""
    if news.kind != NewsKind.QUESTION or news.notice is None:
        return {}
    return {"notice_id": news.notice.pk, "reply_token": notice_reply_token(news.notice)}


def _key(news: ReporterNews, subscription: Subscription, channel: str) -> str:
    # A question's key names its message, so a reply's In-Reply-To says which one it answers.
    if news.kind == NewsKind.QUESTION and news.message_id is not None:
        return f"question-{news.message_id}-s{subscription.pk}-{channel}"
    return f"news-{news.pk}-s{subscription.pk}-{channel}"


def _email(news: ReporterNews, subscription: Subscription) -> None:
    lang = news_texts.language(subscription.language)
    delivery_enqueue(
        idempotency_key=_key(news, subscription, "email"),
        kind=f"news:{news.kind}",
        channel=ChannelKind.EMAIL,
        recipient=subscription.email,
        subject=news_texts.news_subject(news.kind, news.facts, lang),
        body="\n".join(news_texts.news_lines(news.kind, news.facts, lang)),
        about=f"request:{news.request_id}",
        organisation_id=news.organisation_id,
        payload={
            "language": lang,
            "news_id": news.pk,
            "case_id": news.facts.get("case_id"),
            **_reply_thread(news),
        },
        subscription_id=subscription.pk,
    )


def webhook_document(news: ReporterNews) -> dict[str, Any]:
    """What a reporter's webhook receives (and GET /api/news lists): only its own names."""
    return {
        "news_id": news.pk,
        "kind": news.kind,
        "case_id": news.facts.get("case_id"),
        "item_id": news.item_id,
        "notice_id": news.notice_id,
        "question_id": news.message_id,
        "state": news.state,
        "facts": news.facts,
        "created_at": news.created_at.isoformat(),
    }


def _webhook(news: ReporterNews, subscription: Subscription) -> None:
    delivery_enqueue(
        idempotency_key=_key(news, subscription, "webhook"),
        kind=f"news:{news.kind}",
        channel=ChannelKind.WEBHOOK,
        recipient=subscription.webhook_url,
        subject=news_texts.news_subject(news.kind, news.facts, "en"),
        body="\n".join(news_texts.news_lines(news.kind, news.facts, "en")),
        about=f"request:{news.request_id}",
        organisation_id=news.organisation_id,
        payload=webhook_document(news),
        subscription_id=subscription.pk,
    )


def news_digests_send(*, now: datetime | None = None) -> int:
    """One email per digest subscription a day, with the news since its last digest."""
    now = now or clock.now()
    ids = list(
        Subscription.objects.filter(digest=True).exclude(email="").values_list("pk", flat=True)
    )
    return sum(_digest(subscription_id=pk, now=now) for pk in ids)


@transaction.atomic
def _digest(*, subscription_id: int, now: datetime) -> bool:
    subscription = Subscription.objects.select_for_update().get(pk=subscription_id)
    since = subscription.digest_sent_through or subscription.created_at
    if now - since < DIGEST_EVERY:
        return False
    news = list(
        ReporterNews.objects.filter(
            organisation_id=subscription.organisation_id, created_at__gt=since, created_at__lte=now
        ).order_by("created_at", "pk")
    )
    subscription.digest_sent_through = now
    subscription.save(update_fields=["digest_sent_through"])
    if not news:
        return False
    lang = news_texts.language(subscription.language)
    delivery_enqueue(
        idempotency_key=f"digest-s{subscription.pk}-{int(now.timestamp())}",
        kind="news:digest",
        channel=ChannelKind.EMAIL,
        recipient=subscription.email,
        subject=news_texts.news_subject("digest", {"case_id": ""}, lang).replace(
            "[hotline ]", "[hotline]"
        ),
        body="\n".join(news_texts.digest_lines([(n.kind, n.facts) for n in news], lang)),
        about=f"subscription:{subscription.pk}",
        organisation_id=subscription.organisation_id,
        payload={"language": lang, "news": [n.pk for n in news]},
        subscription_id=subscription.pk,
    )
    return True


def body_digest(item: Item, body_sha256: str) -> dict[str, Any]:
    """The fetched body's SHA-256 for the audit record and news, unless the URL served the
    reported media itself: then the digest is one of her hash values, which must never enter
    the append-only record (a withdrawal could not take it out), so only that fact is kept.
    The ItemCheck row keeps it, and a withdrawal blanks it there."""
    own = {str(s.get("value", "")).lower() for s in item.signals if s.get("type") == "sha256"}
    if body_sha256 and body_sha256.lower() in own:
        return {"body_sha256": "", "body_is_reported_media": True}
    return {"body_sha256": body_sha256}
