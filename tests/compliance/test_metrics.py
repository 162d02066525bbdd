"""Accountability figures from item facts, and the `hotline report` command."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from hotline.compliance.metrics import ItemFacts, percentile, platform_metrics

T0 = datetime(2024, 9, 2, 0, 0, tzinfo=UTC)


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


def facts(
    state: str, removed_after_h: float | None = None, acted: bool = True, reopened: int = 0
) -> ItemFacts:
    removed = T0 + timedelta(hours=removed_after_h) if removed_after_h is not None else None
    return ItemFacts(
        state=state,
        noticed_at=T0,
        deadline_at=T0 + timedelta(hours=24),
        acted_at=T0 if acted else None,
        removal_reported_at=removed if state in {"removed", "confirmed_removed"} else None,
        confirmed_removed_at=removed if state == "confirmed_removed" else None,
        reopen_count=reopened,
    )


def test_the_figures_count_what_the_platform_did_and_how_fast() -> None:
    items = [
        facts("confirmed_removed", 2),
        facts("confirmed_removed", 10),
        facts("confirmed_removed", 30),
        facts("rejected"),
        facts("restricted"),
        facts("notified", acted=False),
        facts("info_requested"),
        facts("reopened", reopened=1),
    ]
    m = platform_metrics(platform="P", items=items, questions_unanswered=2, notices_escalated=1)
    assert (m.items_received, m.items_acted_on) == (8, 6)
    assert (m.items_confirmed_removed, m.items_rejected, m.items_restricted) == (3, 1, 1)
    assert m.items_reopened == 1
    assert m.median_hours_to_removal == 10.0
    assert m.p90_hours_to_removal == pytest.approx(26.0)
    assert m.share_removed_within_deadline == pytest.approx(2 / 8)
    assert (m.questions_unanswered, m.notices_escalated) == (2, 1)


def test_a_platform_with_no_items_has_no_rates() -> None:
    m = platform_metrics(platform="P", items=[], questions_unanswered=0, notices_escalated=0)
    assert m.median_hours_to_removal is None and m.share_removed_within_deadline is None


@pytest.mark.django_db
def test_the_report_command_prints_a_table_and_csv(directory: object) -> None:
    table, csv_out = StringIO(), StringIO()
    call_command("report", stdout=table)
    call_command("report", "--format", "csv", "--since", "2024-09-01", stdout=csv_out)
    assert "platform  received" in table.getvalue() and "Telegram" in table.getvalue()
    lines = csv_out.getvalue().splitlines()
    assert lines[0].startswith("platform,items_received,items_acted_on")
    assert {line.split(",")[0] for line in lines[1:]} == {"Telegram", "X"}
