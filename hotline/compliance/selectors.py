"""Gathering the facts behind the metrics from the database, scoped per platform and period."""

from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet

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
    escalated = platform.notices.filter(
        created_at__gte=start, created_at__lt=end, escalated_at__isnull=False
    ).count()
    return platform_metrics(
        platform=platform.name,
        items=platform_item_facts(platform_id=platform.pk, start=start, end=end),
        questions_unanswered=_unanswered(platform_id=platform.pk, start=start, end=end).count(),
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
    period = _unanswered(platform_id=platform_id, start=start, end=end)
    return list(period.select_related("notice__request", "item").order_by("created_at"))


def _unanswered(*, platform_id: int, start: datetime, end: datetime) -> QuerySet[Message]:
    answered = Message.objects.filter(reply_to=OuterRef("pk"), kind=MessageKind.ANSWER)
    return Message.objects.filter(
        kind=MessageKind.QUESTION,
        notice__platform_id=platform_id,
        notice__created_at__gte=start,
        notice__created_at__lt=end,
    ).exclude(Exists(answered))
