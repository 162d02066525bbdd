"""PURE: one item's life from its state changes: claims, reopens, pauses, removal, clock time.

The state changes come from the audit record (`item:*` events with `from`, `to` and `at`), so
every figure can be traced to signed, hash-chained events. Nothing here touches a database.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

INFO_REQUESTED = "info_requested"
REMOVED = "removed"
REOPENED = "reopened"
CONFIRMED_REMOVED = "confirmed_removed"
INITIAL_STATE = "notified"  # every item on a notice starts here, at the notice's creation


@dataclass(frozen=True)
class Transition:
    at: datetime
    from_state: str
    to_state: str


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime


def until(transitions: tuple[Transition, ...], as_of: datetime) -> tuple[Transition, ...]:
    """The changes known at `as_of`: a report as of a moment ignores what came after it."""
    return tuple(t for t in transitions if t.at <= as_of)


def state_at(transitions: tuple[Transition, ...]) -> str:
    return transitions[-1].to_state if transitions else INITIAL_STATE


def removal_claims(transitions: tuple[Transition, ...]) -> int:
    """How many times the platform said the item was removed."""
    return sum(1 for t in transitions if t.to_state == REMOVED)


def reopens(transitions: tuple[Transition, ...]) -> int:
    """How many removal claims verification found false (the item was still up)."""
    return sum(1 for t in transitions if t.from_state == REMOVED and t.to_state == REOPENED)


def removed_at(transitions: tuple[Transition, ...]) -> datetime | None:
    """When the item was removed, as far as hotline can prove it; None if it has not been.

    A claim that verification then confirmed (removed -> confirmed_removed) counts from the
    claim: the platform acted then, and hotline's check is what proves it. An item that
    verification found gone without a standing claim (reopened -> confirmed_removed, the
    platform removed it silently after a false claim) counts from that check: hotline cannot
    know an earlier moment.
    """
    claim: datetime | None = None
    for change in transitions:
        if change.to_state == REMOVED:
            claim = change.at
        elif change.to_state == CONFIRMED_REMOVED:
            return claim if change.from_state == REMOVED and claim is not None else change.at
        elif change.to_state == REOPENED:
            claim = None
    return None


def pauses(transitions: tuple[Transition, ...], as_of: datetime) -> list[Interval]:
    """The spans spent in info_requested, the last one open until `as_of` if still waiting."""
    spans: list[Interval] = []
    started: datetime | None = None
    for change in transitions:
        if change.to_state == INFO_REQUESTED and started is None:
            started = change.at
        elif change.to_state != INFO_REQUESTED and started is not None:
            spans.append(Interval(started, change.at))
            started = None
    if started is not None:
        spans.append(Interval(started, max(started, as_of)))
    return spans


def clock_time(start: datetime, end: datetime, paused: list[Interval]) -> timedelta:
    """Time on the platform's clock from `start` to `end`: wall time less the paused spans."""
    elapsed = max(end - start, timedelta(0))
    for span in paused:
        overlap = min(span.end, end) - max(span.start, start)
        if overlap > timedelta(0):
            elapsed -= overlap
    return elapsed
