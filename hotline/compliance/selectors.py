"""Gathering the facts behind the metrics from the database, scoped per platform and period."""

from datetime import datetime

from django.db.models import Exists, OuterRef

from hotline.cases.models import Item, Message, MessageKind
from hotline.compliance.metrics import ItemFacts, PlatformMetrics, platform_metrics
from hotline.platforms.models import Platform


def compliance_report(
    *, start: datetime, end: datetime, platform_ids: list[int] | None = None
) -> list[PlatformMetrics]:
    """One row per platform for notices created in [start, end)."""
    platforms = Platform.objects.order_by("name")
    if platform_ids is not None:
        platforms = platforms.filter(pk__in=platform_ids)
    return [_metrics_for(platform, start, end) for platform in platforms]


def _metrics_for(platform: Platform, start: datetime, end: datetime) -> PlatformMetrics:
    in_period = {
        "notice__platform": platform,
        "notice__created_at__gte": start,
        "notice__created_at__lt": end,
    }
    items = Item.objects.filter(duplicate_of=None, **in_period).select_related("notice")
    facts = [
        ItemFacts(
            state=i.state,
            noticed_at=i.notice.created_at,  # type: ignore[union-attr]
            deadline_at=i.notice.deadline_at,  # type: ignore[union-attr]
            acted_at=i.acted_at,
            removal_reported_at=i.removal_reported_at,
            confirmed_removed_at=i.confirmed_removed_at,
            reopen_count=i.reopen_count,
        )
        for i in items
    ]
    answered = Message.objects.filter(reply_to=OuterRef("pk"), kind=MessageKind.ANSWER)
    unanswered = (
        Message.objects.filter(kind=MessageKind.QUESTION, **in_period)
        .exclude(Exists(answered))
        .count()
    )
    escalated = platform.notices.filter(
        created_at__gte=start, created_at__lt=end, escalated_at__isnull=False
    ).count()
    return platform_metrics(
        platform=platform.name,
        items=facts,
        questions_unanswered=unanswered,
        notices_escalated=escalated,
    )


def platform_item_facts(*, platform_id: int, start: datetime, end: datetime) -> list[ItemFacts]:
    """One platform's received items (duplicates excluded) on notices created in [start, end)."""
    items = Item.objects.filter(
        duplicate_of=None,
        notice__platform_id=platform_id,
        notice__created_at__gte=start,
        notice__created_at__lt=end,
    ).select_related("notice")
    return [
        ItemFacts(
            state=i.state,
            noticed_at=i.notice.created_at,  # type: ignore[union-attr]
            deadline_at=i.notice.deadline_at,  # type: ignore[union-attr]
            acted_at=i.acted_at,
            removal_reported_at=i.removal_reported_at,
            confirmed_removed_at=i.confirmed_removed_at,
            reopen_count=i.reopen_count,
        )
        for i in items
    ]


def unanswered_questions(*, platform_id: int, start: datetime, end: datetime) -> list[Message]:
    """Questions on the platform's notices in [start, end) that no answer replies to."""
    answered = Message.objects.filter(reply_to=OuterRef("pk"), kind=MessageKind.ANSWER)
    return list(
        Message.objects.filter(
            kind=MessageKind.QUESTION,
            notice__platform_id=platform_id,
            notice__created_at__gte=start,
            notice__created_at__lt=end,
        )
        .exclude(Exists(answered))
        .select_related("notice__request", "item")
        .order_by("created_at")
    )
