"""The whole loop over the real API, with real HTTP verification against a loopback mirror."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from hotline.core.worker import drain_ready_tasks
from hotline.delivery.channels import RecordingChannel
from hotline.delivery.services import delivery_relay_until_idle
from hotline.demo.mirror import MirrorState, start_mirror
from tests.conftest import ApiCaller, request_body


@pytest.fixture
def mirror(settings: Any) -> Any:
    state = MirrorState({("room", p) for p in (1, 2, 3, 4, 99)})
    server, base = start_mirror(state)
    settings.HOTLINE_FETCHER_BACKEND = "http"
    settings.HOTLINE_FETCH_ALLOW_LOOPBACK = True
    settings.HOTLINE_FETCH_REWRITES = f"https://t.me/={base}/t.me/"
    yield state
    server.shutdown()
    server.server_close()


def test_a_request_goes_in_and_every_item_is_accounted_for(
    call_api: ApiCaller, mirror: MirrorState
) -> None:
    # 1. The regulator files; items route to Telegram, X, and triage.
    urls = [
        "https://t.me/room/1",
        "t.me/s/room/2",
        "https://telegram.dog/room/3",
        "https://t.me/room/4",
        "https://x.com/a/status/1",
        "https://unknown.example/x",
    ]
    status, receipt = call_api("analyst", "post", "/requests", request_body(*urls, urgent=True))
    assert status == 201 and receipt["triage_count"] == 1
    assert sorted(n["platform"] for n in receipt["notices"]) == ["Telegram", "X"]
    # 2. Notices go out through the channel.
    drain_ready_tasks()
    delivery_relay_until_idle()
    assert {m.kind for m in RecordingChannel.sent.values()} == {"notice"}
    # 3. Telegram sees only its notice, acknowledges, and acts item by item.
    _, notices = call_api("telegram_mod", "get", "/notices")
    assert [n["platform"] for n in notices] == ["Telegram"]
    notice_id = notices[0]["id"]
    _, notice = call_api("telegram_mod", "get", f"/notices/{notice_id}")
    ids = [i["id"] for i in notice["items"]]
    act = f"/notices/{notice_id}/items/{{}}/action"
    assert call_api("telegram_mod", "post", f"/notices/{notice_id}/acknowledge")[0] == 200
    call_api("telegram_mod", "post", act.format(ids[0]), {"action": "removed"})
    call_api("telegram_mod", "post", act.format(ids[1]), {"action": "removed"})
    call_api(
        "telegram_mod",
        "post",
        act.format(ids[2]),
        {"action": "rejected", "reason": "not_illegal", "note": "satire"},
    )
    _, asked = call_api(
        "telegram_mod",
        "post",
        act.format(ids[3]),
        {"action": "needs_info", "question": "Which post exactly?"},
    )
    assert asked["state"] == "info_requested"
    # 4. The platform really removes post 1 only; verification over HTTP catches post 2.
    with mirror.lock:
        mirror.posts.discard(("room", 1))
    drain_ready_tasks()
    _, notice = call_api("analyst", "get", f"/notices/{notice_id}")
    states = {i["position"]: i["state"] for i in notice["items"]}
    assert states == {1: "confirmed_removed", 2: "reopened", 3: "rejected", 4: "info_requested"}
    evidence = notice["items"][0]["checks"][-1]
    assert evidence["verdict"] == "gone" and evidence["http_status"] == 200
    # 5. The reporter answers the question; the item goes back to the platform.
    question = next(m for m in notice["messages"] if m["kind"] == "question")
    status, _ = call_api(
        "analyst",
        "post",
        f"/notices/{notice_id}/messages",
        {"kind": "answer", "body": "Post 4 in room.", "reply_to": question["id"]},
    )
    assert status == 201
    _, notice = call_api("telegram_mod", "get", f"/notices/{notice_id}")
    assert notice["items"][3]["state"] == "notified"
    # 6. The figures and the record.
    _, report = call_api("analyst", "get", "/compliance")
    telegram = next(r for r in report["platforms"] if r["platform"] == "Telegram")
    assert telegram["items_received"] == 4 and telegram["items_confirmed_removed"] == 1
    assert telegram["items_rejected"] == 1 and telegram["items_reopened"] == 1
    assert telegram["questions_unanswered_by_platform"] == 0
    assert telegram["questions_unanswered_by_reporter"] == 0
    _, chain = call_api("auditor", "get", "/audit/verify")
    assert chain["intact"] and chain["checked"] > 30


def test_the_demo_runs_the_september_2024_scenario(db: None, settings: Any) -> None:
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out)
    text = out.getvalue()
    assert "'notified': 27, 'triage': 1, 'duplicate': 1" in text
    assert "'confirmed_removed': 22, 'reopened': 1, 'rejected': 1, 'info_requested': 1" in text
    assert "reported removed but still up -> reopened" in text
    assert "arrived at hotline@telegram.example: [hotline HL-" in text  # real SMTP, loopback
    assert "Telegram  all   25        24     23       22" in text
    assert "escalation to official@telegram.example: sent" in text
    assert "escalation to safety@x.example: sent" in text
    # Replayed time: removals confirmed 1-4 hours after the notice, 22 of 25 within 6 hours.
    telegram_row = next(line for line in text.splitlines() if line.startswith("Telegram  all   25"))
    median_hours, p90_hours, due, in_time = telegram_row.split()[11:15]
    assert 1.0 < float(median_hours) < float(p90_hours) < 6.0
    assert (due, in_time) == ("25", "88%")
    # Telegram's own question waits for KCSC: charged to the reporter's side, not Telegram's.
    response_rows = [line.split() for line in text.splitlines() if line.startswith("Telegram  all")]
    owed_by_platform, _, owed_by_reporter = response_rows[1][7:10]
    assert (owed_by_platform, owed_by_reporter) == ("0", "1")
