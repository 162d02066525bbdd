"""The figures from the database: selectors, `GET /api/compliance`, `hotline report`."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.compliance.metrics import PlatformMetrics
from hotline.compliance.selectors import compliance_report
from tests.compliance.conftest import AS_OF, T0, Takedown
from tests.conftest import ApiCaller


def telegram_row(takedown: Takedown) -> PlatformMetrics:
    rows = compliance_report(start=T0 - timedelta(days=1), end=T0 + timedelta(days=2), as_of=AS_OF)
    return next(r for r in rows if r.platform == "Telegram")


def test_the_figures_of_the_takedown(takedown: Takedown) -> None:
    states = {post: item.state for post, item in takedown.items.items()}
    assert states == {
        1: "confirmed_removed",
        2: "confirmed_removed",
        3: "confirmed_removed",
        4: "notified",
    }
    m = telegram_row(takedown)
    assert (m.items_received, m.items_confirmed_removed, m.items_reopened) == (5, 3, 1)
    # post 4 is late; Centre B's item is not due; post 2's 10 paused hours are not charged
    assert (m.items_due, m.items_removed_within_deadline) == (4, 3)
    assert m.share_removed_within_deadline == 0.75
    assert (m.removal_claims, m.share_of_claims_reopened) == (4, 0.25)
    assert m.median_hours_to_removal == 5.0  # 0.5, 5 and 30 - 10
    assert m.reuploads_caught == 1
    assert (m.notices_received, m.notices_acknowledged) == (2, 1)
    assert m.median_hours_to_acknowledgement == 0.5
    assert m.share_acknowledged_within_1h == 0.5  # the US one: 11 h unanswered
    assert m.questions_unanswered_by_platform == 1
    assert m.oldest_unanswered_by_platform_hours == 37.0
    assert m.questions_unanswered_by_reporter == 0  # answered at 11 h
    assert m.notices_escalated == 1


def test_the_figures_per_reporting_jurisdiction(takedown: Takedown) -> None:
    m = telegram_row(takedown)
    kr, us = m.by_jurisdiction
    assert (kr.jurisdiction, kr.items_received, kr.items_due, kr.share_removed_within_deadline) == (
        "KR",
        4,
        4,
        0.75,
    )
    assert (us.jurisdiction, us.items_received, us.items_due, us.share_removed_within_deadline) == (
        "US",
        1,
        0,
        None,
    )
    assert (kr.share_acknowledged_within_1h, us.share_acknowledged_within_1h) == (1.0, 0.0)


def test_the_api_gives_each_figure_and_its_jurisdictions(
    takedown: Takedown, call_api: ApiCaller
) -> None:
    from hotline.core import clock

    clock.travel_to(AS_OF)
    status, report = call_api(
        "analyst", "get", "/compliance?since=2024-09-01&until=2024-09-03&time_zone=Asia/Seoul"
    )
    assert status == 200, report
    assert report["time_zone"] == "Asia/Seoul"
    telegram = next(r for r in report["platforms"] if r["platform"] == "Telegram")
    assert telegram["share_removed_within_deadline"] == 0.75
    assert telegram["questions_unanswered_by_platform"] == 1
    assert [j["jurisdiction"] for j in telegram["by_jurisdiction"]] == ["KR", "US"]
    status, error = call_api("analyst", "get", "/compliance?time_zone=Mars/Base")
    assert status == 422 and "Mars/Base" in error["message"]
    status, error = call_api("analyst", "get", "/compliance?since=2024-09-05&until=2024-09-01")
    assert status == 422


def test_a_platform_reads_only_its_own_figures(takedown: Takedown, call_api: ApiCaller) -> None:
    _, report = call_api("telegram_mod", "get", "/compliance?since=2024-09-01&until=2024-09-03")
    assert [r["platform"] for r in report["platforms"]] == ["Telegram"]


def test_the_report_command_reads_days_in_the_regulators_zone(takedown: Takedown) -> None:
    from hotline.core import clock

    clock.travel_to(AS_OF)
    out = StringIO()
    call_command("report", "--since", "2024-09-02", "--until", "2024-09-03", stdout=out)
    text = out.getvalue()
    assert "days in Asia/Seoul (KCSC, jurisdiction KR)" in text
    assert "2024-09-02 00:00 +0900" in text
    assert "Telegram  all" in text and "Telegram  KR" in text and "Telegram  US" in text


def test_the_report_command_takes_a_time_zone_and_writes_one_csv_table(
    takedown: Takedown,
) -> None:
    from hotline.core import clock

    clock.travel_to(AS_OF)
    out, err = StringIO(), StringIO()
    call_command(
        "report",
        "--since",
        "2024-09-01",
        "--time-zone",
        "America/New_York",
        "--format",
        "csv",
        stdout=out,
        stderr=err,
    )
    assert "days in America/New_York (--time-zone)" in err.getvalue()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("platform,jurisdiction,items_received,")
    assert "" not in lines  # one table: no blank line, no second header
    assert sum(1 for line in lines if line.startswith("platform,")) == 1
    header = lines[0].split(",")
    rows = [dict(zip(header, line.split(","), strict=True)) for line in lines[1:]]
    telegram = next(r for r in rows if r["platform"] == "Telegram" and r["jurisdiction"] == "all")
    assert telegram["share_removed_within_deadline"] == "0.75"


@pytest.mark.django_db
def test_the_report_command_refuses_an_unknown_zone_or_organisation() -> None:
    with pytest.raises(CommandError, match="unknown time zone 'Nowhere'"):
        call_command("report", "--time-zone", "Nowhere", stdout=StringIO())
    with pytest.raises(CommandError, match="no organisation named 'Nobody'"):
        call_command("report", "--org", "Nobody", stdout=StringIO())
    with pytest.raises(CommandError, match="not a date"):
        call_command("report", "--since", "yesterday", stdout=StringIO())


def test_every_report_carries_the_signed_checkpoint_it_was_computed_at(
    takedown: Takedown, call_api: ApiCaller
) -> None:
    from hotline.audit.checkpoints import checkpoint_from_dict, checkpoint_signature_problem
    from hotline.audit.keys import trusted_public_keys
    from hotline.audit.models import ChainHead

    head = ChainHead.objects.get(pk=1)
    _, report = call_api("auditor", "get", "/compliance?since=2024-09-01&until=2024-09-03")
    checkpoint = checkpoint_from_dict(report["checkpoint"])
    assert (checkpoint.seq, checkpoint.head_hash) == (head.last_seq, head.last_hash)
    assert checkpoint_signature_problem(checkpoint, trusted_public_keys()) is None

    out = StringIO()
    call_command("report", "--since", "2024-09-01", "--until", "2024-09-03", stdout=out)
    line = next(x for x in out.getvalue().splitlines() if x.startswith("audit checkpoint: "))
    printed = checkpoint_from_dict(json.loads(line.removeprefix("audit checkpoint: ")))
    assert printed.seq == head.last_seq
    assert checkpoint_signature_problem(printed, trusted_public_keys()) is None
