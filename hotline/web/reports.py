"""What the compliance pages show: per-platform figures, their series, and who may read them."""

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from hotline.accounts.actors import Actor
from hotline.cases.models import Message
from hotline.compliance.metrics import (
    PlatformMetrics,
    WeekShare,
    histogram,
    removal_hours,
    weekly_share_within_deadline,
)
from hotline.compliance.render import as_csv
from hotline.compliance.selectors import (
    compliance_report,
    platform_item_facts,
    unanswered_questions,
)
from hotline.core import clock
from hotline.core.errors import InvalidInput, NotFound
from hotline.platforms.models import Platform

# Bins of hours to confirmed removal; the 24- and 48-hour edges are the common deadlines.
HOUR_EDGES = [0.0, 1.0, 3.0, 6.0, 12.0, 24.0, 48.0, 96.0]
DEFAULT_DAYS = 90


@dataclass(frozen=True)
class Period:
    since: date
    until: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=UTC)


def period_of(since: date | None, until: date | None) -> Period:
    until = until or clock.now().date()
    since = since or until - timedelta(days=DEFAULT_DAYS)
    if since > until:
        raise InvalidInput("the start must not be after the end", details=[{"element": "since"}])
    return Period(since, until)


def _own_platform_ids(actor: Actor) -> list[int] | None:
    """A platform reads only its own figures; reporters and auditors read every platform's."""
    if actor.is_moderator:
        return list(
            Platform.objects.filter(organisation_id=actor.organisation_id).values_list(
                "pk", flat=True
            )
        )
    return None


def compliance_index(*, actor: Actor, period: Period) -> list[tuple[int, PlatformMetrics]]:
    ids = _own_platform_ids(actor)
    platforms = Platform.objects.order_by("name")
    if ids is not None:
        platforms = platforms.filter(pk__in=ids)
    rows = compliance_report(start=period.start, end=period.end, platform_ids=ids)
    return list(zip(platforms.values_list("pk", flat=True), rows, strict=True))


@dataclass(frozen=True)
class PlatformReport:
    platform: Platform
    period: Period
    metrics: PlatformMetrics
    hour_edges: list[float]
    hour_counts: list[int]
    weeks: list[WeekShare]
    unanswered: list[Message]


def platform_report(*, actor: Actor, platform_id: int, period: Period) -> PlatformReport:
    ids = _own_platform_ids(actor)
    platform = Platform.objects.filter(pk=platform_id).first()
    if platform is None or (ids is not None and platform_id not in ids):
        raise NotFound(f"platform {platform_id} not found")
    facts = platform_item_facts(platform_id=platform_id, start=period.start, end=period.end)
    (metrics,) = compliance_report(start=period.start, end=period.end, platform_ids=[platform_id])
    return PlatformReport(
        platform=platform,
        period=period,
        metrics=metrics,
        hour_edges=HOUR_EDGES,
        hour_counts=histogram(removal_hours(facts), HOUR_EDGES),
        weeks=weekly_share_within_deadline(facts),
        unanswered=unanswered_questions(
            platform_id=platform_id, start=period.start, end=period.end
        ),
    )


def report_csv(report: PlatformReport) -> str:
    """The figures, then the weekly series and the time-to-removal bins, as one CSV."""
    out = io.StringIO()
    out.write(as_csv([report.metrics]))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([])
    writer.writerow(["week_start", "received", "removed_in_time", "share"])
    for week in report.weeks:
        share = "" if week.share is None else round(week.share, 4)
        writer.writerow([week.week_start.date(), week.received, week.removed_in_time, share])
    writer.writerow([])
    writer.writerow(["hours_from", "hours_to", "items_confirmed_removed"])
    for lower, upper, count in bins(report):
        writer.writerow([lower, upper, count])
    return out.getvalue()


def bins(report: PlatformReport) -> list[tuple[float, float | None, int]]:
    edges = report.hour_edges
    uppers: list[float | None] = [*edges[1:], None]
    return list(zip(edges, uppers, report.hour_counts, strict=True))
