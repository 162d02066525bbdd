"""What the compliance pages show: per-platform figures, their series, the annex of late and
unanswered items, and who may read them."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hotline.accounts.actors import Actor
from hotline.compliance.metrics import (
    ItemOutcome,
    PlatformMetrics,
    QuestionFacts,
    WeekShare,
    histogram,
    item_outcome,
    weekly_share_within_deadline,
)
from hotline.compliance.period import Period, period_ending, zone_named
from hotline.compliance.render import as_csv, csv_text, zip_of
from hotline.compliance.selectors import compliance_report, metrics_of, platform_facts
from hotline.core import clock
from hotline.core.errors import NotFound
from hotline.platforms.models import Platform

# Bins of hours to removal; the 24- and 48-hour edges are the common deadlines.
HOUR_EDGES = [0.0, 1.0, 3.0, 6.0, 12.0, 24.0, 48.0, 96.0]
DEFAULT_DAYS = 90


def period_of(since: date | None, until: date | None, time_zone: str) -> Period:
    """The days asked for, read in the reader's time zone; the last 90 days by default."""
    zone = zone_named(time_zone)
    return period_ending(
        today=clock.now().astimezone(ZoneInfo(zone)).date(),
        since=since,
        until=until,
        days=DEFAULT_DAYS,
        time_zone=zone,
    )


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
class OpenQuestion:
    question: QuestionFacts
    owed_by_platform: bool
    age_hours: float


@dataclass(frozen=True)
class PlatformReport:
    platform: Platform
    period: Period
    as_of: datetime
    metrics: PlatformMetrics
    hour_edges: list[float]
    hour_counts: list[int]
    weeks: list[WeekShare]
    late: list[ItemOutcome]  # due, and not removed within the deadline
    unanswered: list[OpenQuestion]  # both directions, oldest first


def platform_report(*, actor: Actor, platform_id: int, period: Period) -> PlatformReport:
    ids = _own_platform_ids(actor)
    platform = Platform.objects.filter(pk=platform_id).first()
    if platform is None or (ids is not None and platform_id not in ids):
        raise NotFound(f"platform {platform_id} not found")
    as_of = clock.now()
    facts = platform_facts(platform=platform, start=period.start, end=period.end)
    outcomes = [item_outcome(i, as_of) for i in facts.items]
    durations = [o.hours_to_removal for o in outcomes if o.hours_to_removal is not None]
    return PlatformReport(
        platform=platform,
        period=period,
        as_of=as_of,
        metrics=metrics_of(facts, as_of=as_of),
        hour_edges=HOUR_EDGES,
        hour_counts=histogram(durations, HOUR_EDGES),
        weeks=weekly_share_within_deadline(outcomes, period.zone),
        late=[o for o in outcomes if o.due and not o.removed_in_time],
        unanswered=[
            OpenQuestion(q, not q.asked_by_platform, (as_of - q.asked_at).total_seconds() / 3600)
            for q in facts.questions
            if q.answered_at is None or q.answered_at > as_of
        ],
    )


def bins(report: PlatformReport) -> list[tuple[float, float | None, int]]:
    edges = report.hour_edges
    uppers: list[float | None] = [*edges[1:], None]
    return list(zip(edges, uppers, report.hour_counts, strict=True))


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def report_files(report: PlatformReport) -> dict[str, str]:
    """Every table of the report, one CSV file each (figures first)."""
    weeks = [
        [
            w.week_start.date(),
            w.received,
            w.due,
            w.removed_in_time,
            None if w.share is None else round(w.share, 4),
        ]
        for w in report.weeks
    ]
    late = [
        [
            o.facts.case_id,
            o.facts.item_id,
            o.facts.url,
            o.facts.jurisdiction,
            o.state,
            o.facts.deadline_at.isoformat(),
            _hours(o.allowed_hours),
            _hours(o.clock_hours),
            None if o.removed_at is None else o.removed_at.isoformat(),
        ]
        for o in report.late
    ]
    questions = [
        [
            q.question.case_id,
            q.question.message_id,
            "platform" if q.owed_by_platform else "reporter",
            q.question.asked_at.isoformat(),
            _hours(q.age_hours),
            q.question.text,
        ]
        for q in report.unanswered
    ]
    return {
        "figures.csv": as_csv([report.metrics]),
        "weeks.csv": csv_text(["week_start", "received", "due", "removed_in_time", "share"], weeks),
        "hours_to_removal.csv": csv_text(
            ["hours_from", "hours_to", "items_removed"], [list(b) for b in bins(report)]
        ),
        "late_items.csv": csv_text(
            [
                "case_id",
                "item_id",
                "url",
                "jurisdiction",
                "state",
                "deadline_at",
                "allowed_hours",
                "clock_hours",
                "removed_at",
            ],
            late,
        ),
        "unanswered_questions.csv": csv_text(
            ["case_id", "message_id", "owed_by", "asked_at", "age_hours", "question"], questions
        ),
    }


def report_zip(report: PlatformReport) -> bytes:
    return zip_of(report_files(report))


# The figures in reading order: label, field, how it is written.
FIGURES: list[tuple[Promise, str, str]] = [
    (_("Items received"), "items_received", "count"),
    (_("Acted on"), "items_acted_on", "count"),
    (_("Reported removed"), "items_reported_removed", "count"),
    (_("Removal confirmed"), "items_confirmed_removed", "count"),
    (_("Rejected"), "items_rejected", "count"),
    (_("Restricted"), "items_restricted", "count"),
    (_("Reopened"), "items_reopened", "count"),
    (_("Removal claims found false (share of claims)"), "share_of_claims_reopened", "share"),
    (_("Re-uploads caught"), "reuploads_caught", "count"),
    (_("Median hours to removal"), "median_hours_to_removal", "hours"),
    (_("90th percentile hours"), "p90_hours_to_removal", "hours"),
    (_("Items due (removed, or deadline passed)"), "items_due", "count"),
    (_("Removed within the deadline"), "items_removed_within_deadline", "count"),
    (_("Share removed within the deadline"), "share_removed_within_deadline", "share"),
    (_("Clock paused: waiting for the reporter"), "items_clock_paused", "count"),
    (_("Notices received"), "notices_received", "count"),
    (_("Notices acknowledged"), "notices_acknowledged", "count"),
    (_("Median hours to acknowledgement"), "median_hours_to_acknowledgement", "hours"),
    (_("90th percentile hours to acknowledgement"), "p90_hours_to_acknowledgement", "hours"),
    (_("Acknowledged within 1 hour"), "share_acknowledged_within_1h", "share"),
    (_("Questions the platform has not answered"), "questions_unanswered_by_platform", "count"),
    (
        _("Oldest question the platform has not answered, hours"),
        "oldest_unanswered_by_platform_hours",
        "hours",
    ),
    (_("Questions the reporter has not answered"), "questions_unanswered_by_reporter", "count"),
    (
        _("Oldest question the reporter has not answered, hours"),
        "oldest_unanswered_by_reporter_hours",
        "hours",
    ),
    (_("Notices escalated"), "notices_escalated", "count"),
]


def written(value: object, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "share" and isinstance(value, float):
        return f"{value:.0%}"
    if kind == "hours" and isinstance(value, float | int):
        return f"{value:.1f} h"
    return str(value)


def figure_table(metrics: PlatformMetrics) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Headings (figure, all, then each jurisdiction) and one row of written values per figure."""
    columns = [metrics, *metrics.by_jurisdiction]
    headings = [str(_("Figure")), str(_("All"))] + [str(j.jurisdiction) for j in columns[1:]]
    rows = [
        (str(label), [written(getattr(m, key), kind) for m in columns])
        for label, key, kind in FIGURES
    ]
    return headings, rows
