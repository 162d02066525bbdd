"""PURE: accountability figures for one platform and period, from plain facts, as of a moment.

Each figure's definition is in docs/compliance.md; the tests in tests/compliance are tables of
the edges (not yet due, paused, reopened then removed, acknowledged late, questions each way).
"""

import math
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, tzinfo

from hotline.compliance.timeline import (
    INFO_REQUESTED,
    Transition,
    clock_time,
    pauses,
    removal_claims,
    removed_at,
    reopens,
    state_at,
    until,
)

# Platform answers that count as "acted on"; needs_info is a question, not an action.
ACTED_STATES = frozenset({"removed", "restricted", "rejected", "confirmed_removed", "reopened"})
ACKNOWLEDGEMENT_TARGET = timedelta(hours=1)


@dataclass(frozen=True)
class ItemFacts:
    """One received item on one of the platform's notices, with its audited state changes."""

    item_id: int
    case_id: str
    url: str
    jurisdiction: str  # of the reporting organisation
    noticed_at: datetime
    deadline_at: datetime
    clock_pauses_for_info: bool  # recorded on the notice when it was made (Notice field)
    transitions: tuple[Transition, ...] = ()
    reupload: bool = False  # its content matched an earlier reported item (an ItemLink)


@dataclass(frozen=True)
class NoticeFacts:
    notice_id: int
    case_id: str
    jurisdiction: str
    sent_at: datetime
    acknowledged_at: datetime | None
    escalated_at: datetime | None


@dataclass(frozen=True)
class QuestionFacts:
    message_id: int
    case_id: str
    jurisdiction: str
    asked_at: datetime
    asked_by_platform: bool  # then the reporter owes the answer; otherwise the platform does
    answered_at: datetime | None
    text: str


@dataclass(frozen=True)
class ItemOutcome:
    """Where one item stands as of the report's moment."""

    facts: ItemFacts
    state: str
    claims: int
    reopens: int
    removed_at: datetime | None
    hours_to_removal: float | None  # on the platform's clock (paused time left out)
    clock_hours: float  # on the platform's clock until removal, or until the report's moment
    allowed_hours: float
    due: bool  # removed, or the platform's clock ran past the allowed time
    removed_in_time: bool
    clock_paused: bool  # waiting for the reporter now, under a policy that stops the clock


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def item_outcome(facts: ItemFacts, as_of: datetime) -> ItemOutcome:
    changes = until(facts.transitions, as_of)
    paused = pauses(changes, as_of) if facts.clock_pauses_for_info else []
    removed = removed_at(changes)
    allowed = facts.deadline_at - facts.noticed_at
    used = clock_time(facts.noticed_at, removed or as_of, paused)
    state = state_at(changes)
    return ItemOutcome(
        facts=facts,
        state=state,
        claims=removal_claims(changes),
        reopens=reopens(changes),
        removed_at=removed,
        hours_to_removal=None if removed is None else _hours(used),
        clock_hours=_hours(used),
        allowed_hours=_hours(allowed),
        due=removed is not None or used > allowed,
        removed_in_time=removed is not None and used <= allowed,
        clock_paused=facts.clock_pauses_for_info and state == INFO_REQUESTED,
    )


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class PlatformMetrics:
    platform: str
    jurisdiction: str | None  # None: every jurisdiction together
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
    by_jurisdiction: tuple["PlatformMetrics", ...] = ()

    def as_row(self) -> dict[str, object]:
        """The figures, without the per-jurisdiction rows."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "by_jurisdiction"}


def _oldest(questions: list[QuestionFacts], as_of: datetime) -> float | None:
    return _round(max((_hours(as_of - q.asked_at) for q in questions), default=None))


def platform_metrics(
    *,
    platform: str,
    items: list[ItemFacts],
    notices: list[NoticeFacts],
    questions: list[QuestionFacts],
    as_of: datetime,
    jurisdiction: str | None = None,
) -> PlatformMetrics:
    """The figures over the given facts, as they stood at `as_of`."""
    outcomes = [item_outcome(i, as_of) for i in items]
    durations = [o.hours_to_removal for o in outcomes if o.hours_to_removal is not None]
    claims = sum(o.claims for o in outcomes)
    acknowledged = [n for n in notices if n.acknowledged_at and n.acknowledged_at <= as_of]
    ack_hours = [_hours(n.acknowledged_at - n.sent_at) for n in acknowledged if n.acknowledged_at]
    ack_target = _hours(ACKNOWLEDGEMENT_TARGET)
    acknowledged_ids = {n.notice_id for n in acknowledged}
    ack_due = [
        n
        for n in notices
        if n.notice_id in acknowledged_ids or as_of - n.sent_at > ACKNOWLEDGEMENT_TARGET
    ]
    open_questions = [q for q in questions if q.answered_at is None or q.answered_at > as_of]
    owed_by_platform = [q for q in open_questions if not q.asked_by_platform]
    owed_by_reporter = [q for q in open_questions if q.asked_by_platform]
    due = [o for o in outcomes if o.due]
    return PlatformMetrics(
        platform=platform,
        jurisdiction=jurisdiction,
        items_received=len(outcomes),
        items_acted_on=sum(1 for o in outcomes if o.state in ACTED_STATES),
        items_reported_removed=sum(1 for o in outcomes if o.claims),
        items_confirmed_removed=len(durations),
        items_restricted=sum(1 for o in outcomes if o.state == "restricted"),
        items_rejected=sum(1 for o in outcomes if o.state == "rejected"),
        items_reopened=sum(1 for o in outcomes if o.reopens),
        removal_claims=claims,
        share_of_claims_reopened=_share(sum(o.reopens for o in outcomes), claims),
        reuploads_caught=sum(1 for i in items if i.reupload),
        median_hours_to_removal=_round(percentile(durations, 0.5)),
        p90_hours_to_removal=_round(percentile(durations, 0.9)),
        items_due=len(due),
        items_removed_within_deadline=sum(1 for o in due if o.removed_in_time),
        share_removed_within_deadline=_share(sum(1 for o in due if o.removed_in_time), len(due)),
        items_clock_paused=sum(1 for o in outcomes if o.clock_paused),
        notices_received=len(notices),
        notices_acknowledged=len(acknowledged),
        median_hours_to_acknowledgement=_round(percentile(ack_hours, 0.5)),
        p90_hours_to_acknowledgement=_round(percentile(ack_hours, 0.9)),
        share_acknowledged_within_1h=_share(
            sum(1 for h in ack_hours if h <= ack_target), len(ack_due)
        ),
        questions_unanswered_by_platform=len(owed_by_platform),
        oldest_unanswered_by_platform_hours=_oldest(owed_by_platform, as_of),
        questions_unanswered_by_reporter=len(owed_by_reporter),
        oldest_unanswered_by_reporter_hours=_oldest(owed_by_reporter, as_of),
        notices_escalated=sum(1 for n in notices if n.escalated_at and n.escalated_at <= as_of),
    )


def platform_metrics_by_jurisdiction(
    *,
    platform: str,
    items: list[ItemFacts],
    notices: list[NoticeFacts],
    questions: list[QuestionFacts],
    as_of: datetime,
) -> PlatformMetrics:
    """The platform's figures overall, with the same figures per reporting jurisdiction."""
    codes = sorted(
        {i.jurisdiction for i in items}
        | {n.jurisdiction for n in notices}
        | {q.jurisdiction for q in questions}
    )
    per_code = tuple(
        platform_metrics(
            platform=platform,
            items=[i for i in items if i.jurisdiction == code],
            notices=[n for n in notices if n.jurisdiction == code],
            questions=[q for q in questions if q.jurisdiction == code],
            as_of=as_of,
            jurisdiction=code,
        )
        for code in codes
    )
    total = platform_metrics(
        platform=platform, items=items, notices=notices, questions=questions, as_of=as_of
    )
    return PlatformMetrics(**{**total.as_row(), "by_jurisdiction": per_code})  # type: ignore[arg-type]


def histogram(values: list[float], edges: list[float]) -> list[int]:
    """Counts per bin [edges[k], edges[k+1]); the last bin also takes everything above."""
    counts = [0] * len(edges)
    for value in values:
        bin_index = max(k for k, edge in enumerate(edges) if value >= edge or k == 0)
        counts[bin_index] += 1
    return counts


@dataclass(frozen=True)
class WeekShare:
    week_start: datetime
    received: int
    due: int
    removed_in_time: int

    @property
    def share(self) -> float | None:
        return self.removed_in_time / self.due if self.due else None


def weekly_share_within_deadline(outcomes: list[ItemOutcome], zone: tzinfo) -> list[WeekShare]:
    """Per week of the notice (from Monday, in `zone`): received, due, removed in time."""
    weeks: dict[datetime, list[int]] = {}
    for outcome in outcomes:
        local = outcome.facts.noticed_at.astimezone(zone)
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        counts = weeks.setdefault(day - timedelta(days=day.weekday()), [0, 0, 0])
        counts[0] += 1
        counts[1] += outcome.due
        counts[2] += outcome.removed_in_time
    return [WeekShare(start, *counts) for start, counts in sorted(weeks.items())]
