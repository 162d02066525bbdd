"""GET /api/feed: a platform's cursor feed of its notices and the changes to them."""

from typing import Any

from django.db import transaction

from hotline.audit.models import Event
from hotline.audit.services import audit_record
from hotline.delivery.services import delivery_relay_until_idle
from tests.conftest import ApiCaller, request_body


def file(call_api: ApiCaller, *urls: str) -> dict[str, Any]:
    status, receipt = call_api("analyst", "post", "/requests", request_body(*urls))
    assert status == 201, receipt
    return receipt


def read_all(call_api: ApiCaller, who: str, after: str = "", limit: int = 2) -> tuple[list, str]:
    """The cursor loop a platform runs: page until a page comes back empty."""
    events: list[dict[str, Any]] = []
    cursor = after
    while True:
        status, page = call_api(who, "get", f"/feed?after={cursor}&limit={limit}")
        assert status == 200, page
        if not page["events"]:
            assert page["next_cursor"] == (cursor or "0")
            return events, cursor
        assert len(page["events"]) <= limit
        events += page["events"]
        cursor = page["next_cursor"]


def test_a_platform_reads_its_notices_and_their_changes_in_order(call_api: ApiCaller) -> None:
    receipt = file(
        call_api, "https://t.me/feedroom/1", "https://t.me/feedroom/2", "x.com/a/status/9"
    )
    telegram = next(n for n in receipt["notices"] if n["platform"] == "Telegram")
    first, second = [i["id"] for i in receipt["items"] if i["notice_id"] == telegram["id"]]
    events, cursor = read_all(call_api, "telegram_mod")
    assert [(e["event"], e["notice_id"]) for e in events if e["event"].startswith("notice:")] == [
        ("notice:create", telegram["id"])
    ]
    act = f"/notices/{telegram['id']}/items/{{}}/action"
    call_api("telegram_mod", "post", act.format(first), {"action": "removed"})
    call_api(
        "telegram_mod", "post", act.format(second), {"action": "needs_info", "question": "Which?"}
    )
    new, cursor = read_all(call_api, "telegram_mod", after=cursor)
    assert [(e["event"], e["item_id"], e["state"]) for e in new if e["item_id"]] == [
        ("item:removed", first, "removed"),
        ("item:needs_info", second, "info_requested"),
    ]
    question = next(e for e in new if e["event"] == "message:question")
    assert question["notice_id"] == telegram["id"] and question["message_id"]
    assert all(e["notice_id"] == telegram["id"] for e in new)
    cursors = [int(e["cursor"]) for e in events + new]
    assert cursors == sorted(cursors) and len(set(cursors)) == len(cursors)
    assert read_all(call_api, "telegram_mod", after=cursor) == ([], cursor)


def test_a_platform_never_sees_another_platforms_notices(call_api: ApiCaller) -> None:
    receipt = file(call_api, "https://t.me/feedroom/1", "https://x.com/a/status/9")
    x_notice = next(n["id"] for n in receipt["notices"] if n["platform"] == "X")
    telegram_events, _ = read_all(call_api, "telegram_mod", limit=100)
    x_events, _ = read_all(call_api, "x_mod", limit=100)
    assert telegram_events and x_events
    assert {e["notice_id"] for e in x_events} == {x_notice}
    assert x_notice not in {e["notice_id"] for e in telegram_events}


def test_the_feed_leaves_out_deliveries_and_other_cases(call_api: ApiCaller) -> None:
    receipt = file(call_api, "https://t.me/feedroom/1")
    item_id = receipt["items"][0]["id"]
    delivery_relay_until_idle()  # a delivery:sent event names the notice (and a recipient)
    with transaction.atomic():
        audit_record(tag="item:seen_before", actor="t", subject=f"item:{item_id}")
    subjects = {f"notice:{receipt['notices'][0]['id']}", f"item:{item_id}"}
    hidden = Event.objects.filter(
        subject__in=subjects, tag__in=["delivery:sent", "item:seen_before"]
    )
    assert hidden.count() == 2
    events, _ = read_all(call_api, "telegram_mod", limit=100)
    assert {e["event"].split(":")[0] for e in events} == {"notice", "item"}
    assert not {"delivery:sent", "item:seen_before"} & {e["event"] for e in events}


def test_only_moderators_read_the_feed(call_api: ApiCaller) -> None:
    file(call_api, "https://t.me/feedroom/1")
    assert call_api("analyst", "get", "/feed")[0] == 403
    assert call_api("auditor", "get", "/feed")[0] == 403
    assert call_api(None, "get", "/feed")[0] == 401
    assert call_api("telegram_mod", "get", "/feed?after=abc")[0] == 422
    assert call_api("telegram_mod", "get", "/feed?limit=0")[0] == 422
