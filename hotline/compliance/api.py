"""Compliance figures over the API."""

from datetime import UTC, date, datetime, time, timedelta

from django.http import HttpRequest
from ninja import Router, Schema

from hotline.accounts.auth import request_actor
from hotline.compliance.selectors import compliance_report
from hotline.core import clock
from hotline.core.dates import InputDay
from hotline.core.errors import InvalidInput
from hotline.platforms.models import Platform

router = Router(tags=["compliance"])


class PlatformMetricsOut(Schema):
    platform: str
    items_received: int
    items_acted_on: int
    items_reported_removed: int
    items_confirmed_removed: int
    items_restricted: int
    items_rejected: int
    items_reopened: int
    median_hours_to_removal: float | None
    p90_hours_to_removal: float | None
    share_removed_within_deadline: float | None
    questions_unanswered: int
    notices_escalated: int


class ReportOut(Schema):
    since: date
    until: date
    platforms: list[PlatformMetricsOut]


@router.get("/compliance", response=ReportOut)
def compliance(
    request: HttpRequest, since: InputDay | None = None, until: InputDay | None = None
) -> ReportOut:
    """Per-platform figures for notices sent from `since` to `until` (inclusive, UTC days).

    A platform sees only its own row; reporters and auditors see every platform.
    """
    actor = request_actor(request)
    until = until or clock.now().date()
    since = since or until - timedelta(days=30)
    if since > until:
        raise InvalidInput("since must not be after until")
    start = datetime.combine(since, time.min, tzinfo=UTC)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)
    own = None
    if actor.is_moderator:
        own = list(
            Platform.objects.filter(organisation_id=actor.organisation_id).values_list(
                "pk", flat=True
            )
        )
    rows = compliance_report(start=start, end=end, platform_ids=own)
    return ReportOut(
        since=since,
        until=until,
        platforms=[PlatformMetricsOut.model_validate(r.as_row()) for r in rows],
    )
