"""The item state table and deadline arithmetic, without a database."""

from datetime import UTC, datetime, timedelta

import pytest

from hotline.cases.workflow import (
    IllegalTransition,
    ItemAction,
    ItemState,
    deadline_after,
    is_overdue,
    next_state,
    notice_is_settled,
)

S, A = ItemState, ItemAction

# Written out by hand from the domain, not derived from the code's table.
LEGAL = {
    (S.NOTIFIED, A.REMOVE): S.REMOVED,
    (S.NOTIFIED, A.RESTRICT): S.RESTRICTED,
    (S.NOTIFIED, A.REJECT): S.REJECTED,
    (S.NOTIFIED, A.NEED_INFO): S.INFO_REQUESTED,
    (S.INFO_REQUESTED, A.REMOVE): S.REMOVED,
    (S.INFO_REQUESTED, A.RESTRICT): S.RESTRICTED,
    (S.INFO_REQUESTED, A.REJECT): S.REJECTED,
    (S.INFO_REQUESTED, A.ANSWER): S.NOTIFIED,
    (S.REOPENED, A.REMOVE): S.REMOVED,
    (S.REOPENED, A.RESTRICT): S.RESTRICTED,
    (S.REOPENED, A.REJECT): S.REJECTED,
    (S.REOPENED, A.NEED_INFO): S.INFO_REQUESTED,
    (S.REMOVED, A.VERIFY_GONE): S.CONFIRMED_REMOVED,
    (S.REOPENED, A.VERIFY_GONE): S.CONFIRMED_REMOVED,
    (S.REMOVED, A.VERIFY_PRESENT): S.REOPENED,
}
ALL_PAIRS = [(state, action) for state in ItemState for action in ItemAction]


@pytest.mark.parametrize(("state", "action"), ALL_PAIRS)
def test_every_state_and_action_pair_follows_the_table(state: S, action: A) -> None:
    if (state, action) in LEGAL:
        assert next_state(state, action) == LEGAL[(state, action)]
    else:
        with pytest.raises(IllegalTransition, match=f"cannot apply '{action}'"):
            next_state(state, action)


@pytest.mark.parametrize("final", [S.CONFIRMED_REMOVED, S.REJECTED, S.RESTRICTED])
def test_a_settled_item_accepts_no_further_platform_action(final: S) -> None:
    for action in (A.REMOVE, A.REJECT, A.RESTRICT, A.NEED_INFO):
        with pytest.raises(IllegalTransition):
            next_state(final, action)


@pytest.mark.parametrize(
    ("states", "settled"),
    [
        ([S.CONFIRMED_REMOVED, S.REJECTED, S.RESTRICTED], True),
        ([S.CONFIRMED_REMOVED, S.REMOVED], False),  # a removal not yet verified keeps it open
        ([S.REJECTED, S.INFO_REQUESTED], False),
        ([S.REOPENED], False),
    ],
)
def test_a_notice_settles_only_when_the_platform_owes_nothing(
    states: list[S], settled: bool
) -> None:
    assert notice_is_settled(states) is settled


START = datetime(2024, 9, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours", "urgent_hours", "urgent", "expected"),
    [
        (24, 6, False, START + timedelta(hours=24)),
        (24, 6, True, START + timedelta(hours=6)),
        (48, 48, True, START + timedelta(hours=48)),
    ],
)
def test_the_deadline_comes_from_the_policy_and_the_urgency(
    hours: int, urgent_hours: int, urgent: bool, expected: datetime
) -> None:
    assert deadline_after(START, hours=hours, urgent_hours=urgent_hours, urgent=urgent) == expected


@pytest.mark.parametrize(
    ("now", "states", "overdue"),
    [
        (START + timedelta(hours=1), [S.NOTIFIED], True),
        (START - timedelta(hours=1), [S.NOTIFIED], False),
        (START + timedelta(hours=1), [S.REMOVED, S.REJECTED], False),  # platform has answered
        (START + timedelta(hours=1), [S.CONFIRMED_REMOVED, S.REOPENED], True),
        (START + timedelta(hours=1), [S.INFO_REQUESTED], True),
    ],
)
def test_a_notice_is_overdue_when_the_deadline_passed_with_items_waiting(
    now: datetime, states: list[S], overdue: bool
) -> None:
    assert is_overdue(deadline=START, now=now, item_states=states) is overdue
