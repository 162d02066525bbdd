"""Every figure, table-driven over its edges: not yet due, paused, reopened then removed,
acknowledged late, questions from each side, per jurisdiction. Pure: no database."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hotline.compliance.metrics import (
    ItemFacts,
    NoticeFacts,
    PlatformMetrics,
    QuestionFacts,
    item_outcome,
    percentile,
    platform_metrics,
    platform_metrics_by_jurisdiction,
    weekly_share_within_deadline,
)
from hotline.compliance.timeline import Transition

T0 = datetime(2024, 9, 2, 0, 0, tzinfo=UTC)  # a Monday
DEADLINE_HOURS = 24


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def item(
    *steps: tuple[float, str, str],
    pauses: bool = False,
    jurisdiction: str = "KR",
    reupload: bool = False,
    item_id: int = 1,
) -> ItemFacts:
    return ItemFacts(
        item_id=item_id,
        case_id="HL-1",
        url="https://t.me/room/1",
        jurisdiction=jurisdiction,
        noticed_at=T0,
        deadline_at=h(DEADLINE_HOURS),
        clock_pauses_for_info=pauses,
        transitions=tuple(Transition(h(at), a, b) for at, a, b in steps),
        reupload=reupload,
    )


CONFIRM = "confirmed_removed"


@pytest.mark.parametrize(
    ("case", "facts", "as_of_h", "due", "in_time", "hours_to_removal"),
    [
        ("open, not yet due: never late", item(), 6, False, False, None),
        ("open, deadline passed", item(), 30, True, False, None),
        (
            "removed in time",
            item((2, "notified", "removed"), (3, "removed", CONFIRM)),
            6,
            True,
            True,
            2.0,
        ),
        (
            "removed after the deadline",
            item((30, "notified", "removed"), (31, "removed", CONFIRM)),
            40,
            True,
            False,
            30.0,
        ),
        (
            "claimed in time, confirmed after the deadline: the claim counts",
            item((23, "notified", "removed"), (25, "removed", CONFIRM)),
            40,
            True,
            True,
            23.0,
        ),
        (
            "claimed, not yet verified, not yet due",
            item((2, "notified", "removed")),
            6,
            False,
            False,
            None,
        ),
        (
            "claimed, never verified, deadline passed",
            item((2, "notified", "removed")),
            30,
            True,
            False,
            None,
        ),
        (
            "reopened then removed in time",
            item(
                (2, "notified", "removed"),
                (3, "removed", "reopened"),
                (20, "reopened", "removed"),
                (21, "removed", CONFIRM),
            ),
            30,
            True,
            True,
            20.0,
        ),
        (
            "reopened then silently removed, seen after the deadline",
            item((2, "notified", "removed"), (3, "removed", "reopened"), (26, "reopened", CONFIRM)),
            30,
            True,
            False,
            26.0,
        ),
        (
            "paused: still waiting for the reporter past the nominal deadline",
            item((1, "notified", "info_requested"), pauses=True),
            40,
            False,
            False,
            None,
        ),
        (
            "not paused: the same wait is charged to the platform",
            item((1, "notified", "info_requested"), pauses=False),
            40,
            True,
            False,
            None,
        ),
        (
            "paused 10 h, removed 30 h after the notice: 20 h on the clock, in time",
            item(
                (1, "notified", "info_requested"),
                (11, "info_requested", "notified"),
                (30, "notified", "removed"),
                (30.5, "removed", CONFIRM),
                pauses=True,
            ),
            40,
            True,
            True,
            20.0,
        ),
        (
            "the same without a pausing policy: late",
            item(
                (1, "notified", "info_requested"),
                (11, "info_requested", "notified"),
                (30, "notified", "removed"),
                (30.5, "removed", CONFIRM),
            ),
            40,
            True,
            False,
            30.0,
        ),
        (
            "paused, answered, clock running again and run out",
            item(
                (1, "notified", "info_requested"), (11, "info_requested", "notified"), pauses=True
            ),
            35,
            True,
            False,
            None,
        ),
        ("rejected, not yet due", item((1, "notified", "rejected")), 6, False, False, None),
        ("rejected, deadline passed", item((1, "notified", "rejected")), 30, True, False, None),
        (
            "a removal after the report's moment is not known yet",
            item((30, "notified", "removed"), (31, "removed", CONFIRM)),
            12,
            False,
            False,
            None,
        ),
    ],
)
def test_an_items_deadline_outcome(
    case: str,
    facts: ItemFacts,
    as_of_h: float,
    due: bool,
    in_time: bool,
    hours_to_removal: float | None,
) -> None:
    outcome = item_outcome(facts, h(as_of_h))
    assert (outcome.due, outcome.removed_in_time) == (due, in_time), case
    assert outcome.hours_to_removal == (
        None if hours_to_removal is None else pytest.approx(hours_to_removal)
    ), case


def figures(
    items: list[ItemFacts] | None = None,
    notices: list[NoticeFacts] | None = None,
    questions: list[QuestionFacts] | None = None,
    as_of_h: float = 30,
) -> PlatformMetrics:
    return platform_metrics(
        platform="P",
        items=items or [],
        notices=notices or [],
        questions=questions or [],
        as_of=h(as_of_h),
    )


def test_the_share_within_the_deadline_counts_only_items_that_are_due() -> None:
    """The reported bug: 23 fresh open items dragged 88% down to 46%. Now they change nothing."""
    removed = [item((2, "notified", "removed"), (3, "removed", CONFIRM)) for _ in range(22)]
    late = [item(), item((1, "notified", "rejected")), item((1, "notified", "info_requested"))]
    early = figures(removed + late, as_of_h=30)
    fresh = [replace(item(), noticed_at=h(24), deadline_at=h(30)) for _ in range(23)]
    later = figures(removed + late + fresh, as_of_h=26)
    assert early.share_removed_within_deadline == pytest.approx(22 / 25)
    assert later.share_removed_within_deadline == pytest.approx(22 / 25)
    assert (later.items_received, later.items_due, later.items_removed_within_deadline) == (
        48,
        25,
        22,
    )


def test_counts_of_what_the_platform_did() -> None:
    m = figures(
        [
            item((2, "notified", "removed"), (3, "removed", CONFIRM)),
            item((2, "notified", "removed"), (3, "removed", "reopened")),
            item((1, "notified", "rejected")),
            item((1, "notified", "restricted")),
            item((1, "notified", "info_requested"), pauses=True),
            item(reupload=True),
        ]
    )
    assert (m.items_received, m.items_acted_on, m.items_reported_removed) == (6, 4, 2)
    assert (m.items_confirmed_removed, m.items_rejected, m.items_restricted) == (1, 1, 1)
    assert (m.items_reopened, m.items_clock_paused, m.reuploads_caught) == (1, 1, 1)
    assert m.items_due == 5  # all but the paused one


@pytest.mark.parametrize(
    ("items", "claims", "share"),
    [
        ([], 0, None),
        ([item((1, "notified", "rejected"))], 0, None),
        ([item((2, "notified", "removed"), (3, "removed", CONFIRM))], 1, 0.0),
        ([item((2, "notified", "removed"), (3, "removed", "reopened"))], 1, 1.0),
        (
            [  # reopened then removed: two claims, one of them false
                item(
                    (2, "notified", "removed"),
                    (3, "removed", "reopened"),
                    (5, "reopened", "removed"),
                    (6, "removed", CONFIRM),
                ),
                item((2, "notified", "removed"), (3, "removed", CONFIRM)),
            ],
            3,
            1 / 3,
        ),
    ],
)
def test_reopened_items_as_a_share_of_removal_claims(
    items: list[ItemFacts], claims: int, share: float | None
) -> None:
    m = figures(items)
    assert m.removal_claims == claims
    assert m.share_of_claims_reopened == (None if share is None else pytest.approx(share, abs=1e-4))


def test_hours_to_removal_are_on_the_platforms_clock() -> None:
    m = figures(
        [
            item((2, "notified", "removed"), (3, "removed", CONFIRM)),
            item((10, "notified", "removed"), (10, "removed", CONFIRM)),
            item(
                (1, "notified", "info_requested"),
                (21, "info_requested", "notified"),
                (31, "notified", "removed"),
                (32, "removed", CONFIRM),
                pauses=True,
            ),
        ],
        as_of_h=40,
    )
    # 2, 10 and 31 - 20 paused = 11 hours: p90 = 10 + 0.8 * (11 - 10); unpaused it would be 26.8
    assert (m.median_hours_to_removal, m.p90_hours_to_removal) == (10.0, pytest.approx(10.8))


def notice(
    sent_h: float, acked_h: float | None, jurisdiction: str = "KR", n: int = 1
) -> NoticeFacts:
    return NoticeFacts(
        notice_id=n,
        case_id="HL-1",
        jurisdiction=jurisdiction,
        sent_at=h(sent_h),
        acknowledged_at=None if acked_h is None else h(acked_h),
        escalated_at=None,
    )


@pytest.mark.parametrize(
    ("notices", "as_of_h", "acked", "median", "within_1h"),
    [
        ([], 10, 0, None, None),
        ([notice(0, 0.5)], 10, 1, 0.5, 1.0),
        ([notice(0, 2)], 10, 1, 2.0, 0.0),  # acknowledged late
        ([notice(9.5, None)], 10, 0, None, None),  # not acknowledged, but the hour is not up
        ([notice(0, None)], 10, 0, None, 0.0),  # not acknowledged, the hour is up
        ([notice(0, 1)], 10, 1, 1.0, 1.0),  # exactly one hour is within
        ([notice(0, 0.5, n=1), notice(0, 2, n=2), notice(0, None, n=3)], 10, 2, 1.25, 1 / 3),
        ([notice(0, 12)], 10, 0, None, 0.0),  # acknowledged after the report's moment
    ],
)
def test_time_to_acknowledgement(
    notices: list[NoticeFacts],
    as_of_h: float,
    acked: int,
    median: float | None,
    within_1h: float | None,
) -> None:
    m = figures(notices=notices, as_of_h=as_of_h)
    assert m.notices_acknowledged == acked
    assert m.median_hours_to_acknowledgement == median
    assert m.share_acknowledged_within_1h == (
        None if within_1h is None else pytest.approx(within_1h, abs=1e-4)
    )


def question(
    asked_h: float, by_platform: bool, answered_h: float | None = None, n: int = 1
) -> QuestionFacts:
    return QuestionFacts(
        message_id=n,
        case_id="HL-1",
        jurisdiction="KR",
        asked_at=h(asked_h),
        asked_by_platform=by_platform,
        answered_at=None if answered_h is None else h(answered_h),
        text="Which post?",
    )


@pytest.mark.parametrize(
    ("questions", "owed_by_platform", "oldest_platform", "owed_by_reporter", "oldest_reporter"),
    [
        ([], 0, None, 0, None),
        # the demo's case: the platform asked, the regulator has not answered
        ([question(2, by_platform=True)], 0, None, 1, 28.0),
        ([question(5, by_platform=False)], 1, 25.0, 0, None),
        ([question(2, by_platform=True, answered_h=3)], 0, None, 0, None),
        ([question(2, by_platform=False, answered_h=40)], 1, 28.0, 0, None),  # answered later
        (
            [
                question(1, by_platform=False, n=1),
                question(20, by_platform=False, n=2),
                question(4, by_platform=True, n=3),
            ],
            2,
            29.0,
            1,
            26.0,
        ),
    ],
)
def test_questions_are_charged_to_the_side_that_owes_the_answer(
    questions: list[QuestionFacts],
    owed_by_platform: int,
    oldest_platform: float | None,
    owed_by_reporter: int,
    oldest_reporter: float | None,
) -> None:
    m = figures(questions=questions, as_of_h=30)
    assert (m.questions_unanswered_by_platform, m.oldest_unanswered_by_platform_hours) == (
        owed_by_platform,
        oldest_platform,
    )
    assert (m.questions_unanswered_by_reporter, m.oldest_unanswered_by_reporter_hours) == (
        owed_by_reporter,
        oldest_reporter,
    )


def test_every_figure_is_also_given_per_reporting_jurisdiction() -> None:
    items = [
        item((2, "notified", "removed"), (3, "removed", CONFIRM), jurisdiction="KR"),
        item(jurisdiction="KR"),
        item((30, "notified", "removed"), (31, "removed", CONFIRM), jurisdiction="US"),
    ]
    notices = [notice(0, 0.5, "KR", n=1), notice(0, 3, "US", n=2)]
    m = platform_metrics_by_jurisdiction(
        platform="P", items=items, notices=notices, questions=[], as_of=h(40)
    )
    kr, us = m.by_jurisdiction
    assert (kr.jurisdiction, us.jurisdiction, m.jurisdiction) == ("KR", "US", None)
    assert (kr.items_received, kr.share_removed_within_deadline) == (2, 0.5)
    assert (us.items_received, us.share_removed_within_deadline) == (1, 0.0)
    assert (kr.share_acknowledged_within_1h, us.share_acknowledged_within_1h) == (1.0, 0.0)
    assert m.items_received == 3 and m.share_removed_within_deadline == pytest.approx(1 / 3, 1e-3)
    assert set(m.as_row()) == set(kr.as_row()) and "by_jurisdiction" not in m.as_row()


def test_a_platform_with_nothing_has_no_rates() -> None:
    m = figures()
    assert m.median_hours_to_removal is None and m.share_removed_within_deadline is None
    assert m.share_acknowledged_within_1h is None and m.share_of_claims_reopened is None


def test_weekly_shares_count_due_items_per_week_of_the_notice() -> None:
    outcomes = [
        item_outcome(item((2, "notified", "removed"), (3, "removed", CONFIRM)), h(200)),
        item_outcome(item(), h(200)),
        item_outcome(replace(item(), noticed_at=h(190), deadline_at=h(214)), h(200)),
    ]
    first, second = weekly_share_within_deadline(outcomes, UTC)
    assert (first.week_start, first.received, first.due, first.removed_in_time) == (T0, 2, 2, 1)
    assert (second.received, second.due, second.share) == (1, 0, None)


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([], 0.5, None),
        ([5.0], 0.9, 5.0),
        ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5),
        ([float(v) for v in range(1, 11)], 0.9, 9.1),
        ([3.0, 1.0, 2.0], 0.5, 2.0),
    ],
)
def test_percentiles_interpolate_between_ranks(
    values: list[float], fraction: float, expected: float | None
) -> None:
    assert percentile(values, fraction) == (pytest.approx(expected) if expected else expected)


@pytest.mark.parametrize(
    ("flags", "caught"),
    [([], 0), ([False], 0), ([True], 1), ([True, False, True], 2)],
)
def test_reuploads_caught_count_items_whose_content_was_seen_before(
    flags: list[bool], caught: int
) -> None:
    items = [item(reupload=flag, item_id=n) for n, flag in enumerate(flags)]
    assert figures(items).reuploads_caught == caught


@pytest.mark.parametrize(
    ("escalated_h", "as_of_h", "escalated"),
    [(None, 30, 0), (24, 30, 1), (24, 20, 0)],  # not yet escalated at the report's moment
)
def test_escalations_are_counted_as_of_the_reports_moment(
    escalated_h: float | None, as_of_h: float, escalated: int
) -> None:
    sent = replace(notice(0, 0.5), escalated_at=None if escalated_h is None else h(escalated_h))
    assert figures(notices=[sent], as_of_h=as_of_h).notices_escalated == escalated
