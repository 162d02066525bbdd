"""One item's life from its audited state changes: removal time, pauses, the platform's clock."""

from datetime import UTC, datetime, timedelta

import pytest

from hotline.compliance.timeline import (
    Interval,
    Transition,
    clock_time,
    pauses,
    removal_claims,
    removed_at,
    reopens,
    state_at,
    until,
)

T0 = datetime(2024, 9, 2, 0, 0, tzinfo=UTC)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def changes(*steps: tuple[float, str, str]) -> tuple[Transition, ...]:
    return tuple(Transition(h(at), before, after) for at, before, after in steps)


CLAIM_CONFIRMED = changes((2, "notified", "removed"), (3, "removed", "confirmed_removed"))
REOPENED_THEN_RECLAIMED = changes(
    (2, "notified", "removed"),
    (3, "removed", "reopened"),
    (5, "reopened", "removed"),
    (6, "removed", "confirmed_removed"),
)
REOPENED_THEN_SILENTLY_GONE = changes(
    (2, "notified", "removed"), (3, "removed", "reopened"), (7, "reopened", "confirmed_removed")
)


@pytest.mark.parametrize(
    ("transitions", "removed", "claims", "reopen_count"),
    [
        ((), None, 0, 0),
        (changes((2, "notified", "removed")), None, 1, 0),  # claimed, not yet verified
        (CLAIM_CONFIRMED, h(2), 1, 0),  # the confirmed claim counts from the claim
        (REOPENED_THEN_RECLAIMED, h(5), 2, 1),  # the second, true claim
        (REOPENED_THEN_SILENTLY_GONE, h(7), 1, 1),  # only the check proves it: its time
        (changes((1, "notified", "rejected")), None, 0, 0),
    ],
)
def test_removal_time_claims_and_reopens(
    transitions: tuple[Transition, ...],
    removed: datetime | None,
    claims: int,
    reopen_count: int,
) -> None:
    assert removed_at(transitions) == removed
    assert removal_claims(transitions) == claims
    assert reopens(transitions) == reopen_count


def test_a_report_as_of_a_moment_ignores_later_changes() -> None:
    known = until(REOPENED_THEN_RECLAIMED, h(4))
    assert state_at(known) == "reopened" and removed_at(known) is None
    assert state_at(()) == "notified"


@pytest.mark.parametrize(
    ("transitions", "as_of", "expected"),
    [
        ((), h(10), []),
        (
            changes((1, "notified", "info_requested"), (4, "info_requested", "notified")),
            h(10),
            [Interval(h(1), h(4))],
        ),
        # still waiting: the pause runs until the report's moment
        (changes((1, "notified", "info_requested")), h(10), [Interval(h(1), h(10))]),
        # the platform acted while waiting: that ends the pause too
        (
            changes((1, "notified", "info_requested"), (2, "info_requested", "removed")),
            h(10),
            [Interval(h(1), h(2))],
        ),
    ],
)
def test_pauses_are_the_spans_waiting_for_the_reporter(
    transitions: tuple[Transition, ...], as_of: datetime, expected: list[Interval]
) -> None:
    assert pauses(transitions, as_of) == expected


@pytest.mark.parametrize(
    ("start", "end", "paused", "hours"),
    [
        (0, 10, [], 10),
        (0, 10, [(2, 5)], 7),
        (0, 10, [(8, 15)], 8),  # only the part before the end counts
        (0, 10, [(1, 2), (3, 4)], 8),
        (5, 3, [], 0),  # never negative
    ],
)
def test_the_platforms_clock_leaves_out_paused_time(
    start: float, end: float, paused: list[tuple[float, float]], hours: float
) -> None:
    spans = [Interval(h(a), h(b)) for a, b in paused]
    assert clock_time(h(start), h(end), spans) == timedelta(hours=hours)
