"""Gathering the facts behind the metrics from the database, scoped per platform and period."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Min, Q

from hotline.audit.models import Event
from hotline.cases.models import Item, ItemLink, Message, MessageKind
from hotline.compliance.metrics import (
    ItemFacts,
    NoticeFacts,
    PlatformMetrics,
    QuestionFacts,
    platform_metrics_by_jurisdiction,
)
from hotline.compliance.timeline import Transition
from hotline.core import clock
from hotline.platforms.models import Platform

CHUNK = 500  # ids per IN (...) query, well under SQLite's parameter limit


@dataclass(frozen=True)
class PlatformFacts:
    platform: Platform
    items: list[ItemFacts]
    notices: list[NoticeFacts]
    questions: list[QuestionFacts]


def compliance_report(
    *,
    start: datetime,
    end: datetime,
    platform_ids: list[int] | None = None,
    as_of: datetime | None = None,
) -> list[PlatformMetrics]:
    """One row per platform (with its rows per jurisdiction) for notices created in [start, end)."""
    as_of = as_of or clock.now()
    platforms = Platform.objects.order_by("name")
    if platform_ids is not None:
        platforms = platforms.filter(pk__in=platform_ids)
    return [
        metrics_of(platform_facts(platform=p, start=start, end=end), as_of=as_of) for p in platforms
    ]


def metrics_of(facts: PlatformFacts, *, as_of: datetime) -> PlatformMetrics:
    return platform_metrics_by_jurisdiction(
        platform=facts.platform.name,
        items=facts.items,
        notices=facts.notices,
        questions=facts.questions,
        as_of=as_of,
    )


def platform_facts(*, platform: Platform, start: datetime, end: datetime) -> PlatformFacts:
    return PlatformFacts(
        platform=platform,
        items=_item_facts(platform, start, end),
        notices=_notice_facts(platform, start, end),
        questions=_question_facts(platform, start, end),
    )


def _period_notices(platform: Platform, start: datetime, end: datetime) -> Q:
    return Q(notice__platform=platform, notice__created_at__gte=start, notice__created_at__lt=end)


def _item_facts(platform: Platform, start: datetime, end: datetime) -> list[ItemFacts]:
    """Received items (duplicates excluded) on the platform's notices created in [start, end)."""
    items = list(
        Item.objects.filter(_period_notices(platform, start, end), duplicate_of=None)
        .select_related("notice__request__organisation")
        .order_by("pk")
    )
    ids = [i.pk for i in items]
    changes = _transitions(ids)
    relinked = _reuploads(ids)
    facts = []
    for item in items:
        notice = item.notice
        if notice is None:  # never: the filter is on the notice; this narrows the type
            continue
        facts.append(
            ItemFacts(
                item_id=item.pk,
                case_id=notice.request.case_id or "",
                url=item.url,
                jurisdiction=notice.request.organisation.jurisdiction,
                noticed_at=notice.created_at,
                deadline_at=notice.deadline_at,
                # The notice's own record, fixed when it was made: never the policy as it is now.
                clock_pauses_for_info=notice.clock_pauses_for_info,
                transitions=tuple(changes.get(item.pk, ())),
                reupload=item.pk in relinked,
            )
        )
    return facts


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[k : k + CHUNK] for k in range(0, len(ids), CHUNK)]


def _transitions(item_ids: list[int]) -> dict[int, list[Transition]]:
    """Each item's state changes, in order, from its `item:*` events in the audit record."""
    found: dict[int, list[Transition]] = defaultdict(list)
    for chunk in _chunks(item_ids):
        events = Event.objects.filter(
            subject__in=[f"item:{pk}" for pk in chunk], tag__startswith="item:"
        ).order_by("seq")
        for event in events.only("subject", "payload", "created_at"):
            payload = event.payload
            if not isinstance(payload, dict) or "from" not in payload or "to" not in payload:
                continue  # e.g. item:seen_before records a match, not a state change
            at = datetime.fromisoformat(payload["at"]) if "at" in payload else event.created_at
            item_id = int(event.subject.split(":", 1)[1])
            found[item_id].append(Transition(at, str(payload["from"]), str(payload["to"])))
    return found


def _reuploads(item_ids: list[int]) -> set[int]:
    linked: set[int] = set()
    for chunk in _chunks(item_ids):
        linked.update(ItemLink.objects.filter(item_id__in=chunk).values_list("item_id", flat=True))
        # A copy opened by a platform's match carries no link: its content came from the bank.
        linked.update(
            Item.objects.filter(pk__in=chunk, copy_of__isnull=False).values_list("pk", flat=True)
        )
    return linked


def _notice_facts(platform: Platform, start: datetime, end: datetime) -> list[NoticeFacts]:
    notices = platform.notices.filter(created_at__gte=start, created_at__lt=end).select_related(
        "request__organisation"
    )
    return [
        NoticeFacts(
            notice_id=n.pk,
            case_id=n.request.case_id or "",
            jurisdiction=n.request.organisation.jurisdiction,
            sent_at=n.created_at,
            acknowledged_at=n.acknowledged_at,
            escalated_at=n.escalated_at,
        )
        for n in notices.order_by("pk")
    ]


def _question_facts(platform: Platform, start: datetime, end: datetime) -> list[QuestionFacts]:
    """Questions on the platform's notices in [start, end), each with its first answer's time."""
    questions = (
        Message.objects.filter(_period_notices(platform, start, end), kind=MessageKind.QUESTION)
        .select_related("notice__request__organisation")
        .annotate(
            answered_at=Min("replies__created_at", filter=Q(replies__kind=MessageKind.ANSWER))
        )
        .order_by("created_at", "pk")
    )
    return [
        QuestionFacts(
            message_id=q.pk,
            case_id=q.notice.request.case_id or "",
            jurisdiction=q.notice.request.organisation.jurisdiction,
            asked_at=q.created_at,
            asked_by_platform=q.author_organisation_id == platform.organisation_id,
            answered_at=q.answered_at,
            text=q.body,
        )
        for q in questions
    ]
