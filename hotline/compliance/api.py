"""Compliance figures over the API."""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Router, Schema

from hotline.accounts.auth import request_actor
from hotline.audit.schemas import CheckpointOut
from hotline.audit.selectors import current_checkpoint
from hotline.compliance.period import period_ending
from hotline.compliance.selectors import compliance_report
from hotline.core import clock
from hotline.core.dates import InputDay
from hotline.platforms.models import Platform

router = Router(tags=["compliance"])


class FiguresOut(Schema):
    platform: str
    jurisdiction: str | None
    items_received: int
    items_acted_on: int
    items_reported_removed: int
    items_confirmed_removed: int
    items_restricted: int
    items_rejected: int
    items_reopened: int
    removal_claims: int
    share_of_claims_reopened: float | None
    reuploads_caught: int
    median_hours_to_removal: float | None
    p90_hours_to_removal: float | None
    items_due: int
    items_removed_within_deadline: int
    share_removed_within_deadline: float | None
    items_clock_paused: int
    notices_received: int
    notices_acknowledged: int
    median_hours_to_acknowledgement: float | None
    p90_hours_to_acknowledgement: float | None
    share_acknowledged_within_1h: float | None
    questions_unanswered_by_platform: int
    oldest_unanswered_by_platform_hours: float | None
    questions_unanswered_by_reporter: int
    oldest_unanswered_by_reporter_hours: float | None
    notices_escalated: int


class PlatformMetricsOut(FiguresOut):
    by_jurisdiction: list[FiguresOut]


class ReportOut(Schema):
    since: date
    until: date
    time_zone: str
    as_of: datetime
    platforms: list[PlatformMetricsOut]
    # The signed audit checkpoint the figures were computed at: a reader who keeps this can
    # later prove the record behind them was not changed (`hotline audit verify --checkpoint`).
    checkpoint: CheckpointOut


@router.get("/compliance", response=ReportOut)
def compliance(
    request: HttpRequest,
    since: InputDay | None = None,
    until: InputDay | None = None,
    time_zone: str = "UTC",
) -> ReportOut:
    """Per-platform figures for notices sent from `since` to `until` (inclusive days in
    `time_zone`, UTC by default), as of now; each platform's figures also per jurisdiction of
    the reporting organisation. Definitions: docs/compliance.md.

    A platform sees only its own row; reporters and auditors see every platform.
    """
    actor = request_actor(request)
    now = clock.now()
    period = period_ending(today=now.date(), since=since, until=until, days=30, time_zone=time_zone)
    own = None
    if actor.is_moderator:
        own = list(
            Platform.objects.filter(organisation_id=actor.organisation_id).values_list(
                "pk", flat=True
            )
        )
    rows = compliance_report(start=period.start, end=period.end, platform_ids=own, as_of=now)
    return ReportOut(
        since=period.since,
        until=period.until,
        time_zone=period.time_zone,
        as_of=now,
        checkpoint=CheckpointOut.of(current_checkpoint()),
        platforms=[
            PlatformMetricsOut.model_validate(
                {
                    **r.as_row(),
                    "by_jurisdiction": [j.as_row() for j in r.by_jurisdiction],
                }
            )
            for r in rows
        ],
    )
