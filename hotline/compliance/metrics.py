"""PURE: accountability figures for one platform and period, from plain item facts."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

# Platform answers that count as "acted on"; needs_info is a question, not an action.
ACTED_STATES = frozenset({"removed", "restricted", "rejected", "confirmed_removed", "reopened"})


@dataclass(frozen=True)
class ItemFacts:
    state: str
    noticed_at: datetime
    deadline_at: datetime
    acted_at: datetime | None
    removal_reported_at: datetime | None
    confirmed_removed_at: datetime | None
    reopen_count: int


@dataclass(frozen=True)
class PlatformMetrics:
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

    def as_row(self) -> dict[str, object]:
        return self.__dict__.copy()


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def platform_metrics(
    *,
    platform: str,
    items: list[ItemFacts],
    questions_unanswered: int,
    notices_escalated: int,
) -> PlatformMetrics:
    durations: list[float] = []
    in_time = 0
    for item in items:
        if item.confirmed_removed_at is not None:
            durations.append(_hours(item.confirmed_removed_at - item.noticed_at))
            in_time += item.confirmed_removed_at <= item.deadline_at
    median, p90 = percentile(durations, 0.5), percentile(durations, 0.9)
    return PlatformMetrics(
        platform=platform,
        items_received=len(items),
        items_acted_on=sum(1 for i in items if i.state in ACTED_STATES),
        items_reported_removed=sum(1 for i in items if i.removal_reported_at is not None),
        items_confirmed_removed=len(durations),
        items_restricted=sum(1 for i in items if i.state == "restricted"),
        items_rejected=sum(1 for i in items if i.state == "rejected"),
        items_reopened=sum(1 for i in items if i.reopen_count > 0),
        median_hours_to_removal=None if median is None else round(median, 2),
        p90_hours_to_removal=None if p90 is None else round(p90, 2),
        share_removed_within_deadline=round(in_time / len(items), 4) if items else None,
        questions_unanswered=questions_unanswered,
        notices_escalated=notices_escalated,
    )


def removal_hours(items: list[ItemFacts]) -> list[float]:
    """Hours from notice to confirmed removal, for each item whose removal was confirmed."""
    return [_hours(i.confirmed_removed_at - i.noticed_at) for i in items if i.confirmed_removed_at]


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
    removed_in_time: int

    @property
    def share(self) -> float | None:
        return self.removed_in_time / self.received if self.received else None


def weekly_share_within_deadline(items: list[ItemFacts]) -> list[WeekShare]:
    """Per week (Monday, UTC) of the notice: items received and confirmed removed in time."""
    weeks: dict[datetime, list[int]] = {}
    for item in items:
        day = item.noticed_at.replace(hour=0, minute=0, second=0, microsecond=0)
        start = day - timedelta(days=day.weekday())
        counts = weeks.setdefault(start, [0, 0])
        counts[0] += 1
        removed = item.confirmed_removed_at
        counts[1] += removed is not None and removed <= item.deadline_at
    return [
        WeekShare(start, received, in_time) for start, (received, in_time) in sorted(weeks.items())
    ]
