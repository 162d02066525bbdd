"""Rooms, channels and messages are told apart, and a message item is linked to its room's
item when the same organisation reported the room (in the same request or an earlier one)."""

from typing import Any

from hotline.audit.models import Event
from hotline.cases.models import Item
from tests.conftest import ApiCaller, request_body


def file(call_api: ApiCaller, *urls: str, who: str = "analyst") -> dict[str, Any]:
    status, receipt = call_api(who, "post", "/requests", request_body(*urls))
    assert status == 201, receipt
    return receipt


def by_position(receipt: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {i["position"]: i for i in receipt["items"]}


def test_messages_in_one_request_link_to_their_room_item(call_api: ApiCaller) -> None:
    receipt = file(
        call_api,
        "https://t.me/s/Room/5",
        "https://t.me/room",
        "https://telegram.me/room/6?single",
        "https://t.me/other/7",
    )
    items = by_position(receipt)
    assert [items[p]["location_kind"] for p in (1, 2, 3, 4)] == [
        "message", "room", "message", "message",
    ]  # fmt: skip
    room = items[2]
    for position in (1, 3):
        linked = items[position]["room"]
        assert linked["item_id"] == room["id"] and linked["position"] == 2
        assert linked["case_id"] == receipt["case_id"] and linked["covers"] is False
    assert items[4]["room"] is None and room["room"] is None
    create = Event.objects.get(tag="item:create", subject=f"item:{items[1]['id']}")
    assert create.payload["room_item"] == room["id"]


def test_a_message_links_to_a_room_its_organisation_reported_before_not_another_s(
    call_api: ApiCaller,
) -> None:
    kcsc_room = file(call_api, "https://discord.com/channels/1/2")
    centre_room = file(call_api, "https://discordapp.com/channels/1/2/", who="caseworker_a")
    message = file(call_api, "https://discord.com/channels/1/2/3", who="caseworker_a")

    (item,) = message["items"]
    assert item["location_kind"] == "message"
    assert item["room"]["item_id"] == centre_room["items"][0]["id"]
    assert item["room"]["item_id"] != kcsc_room["items"][0]["id"]
    assert kcsc_room["case_id"] not in str(message)


def test_a_room_reported_after_its_messages_links_them_audited(call_api: ApiCaller) -> None:
    first = file(call_api, "https://t.me/room/5", "https://t.me/room/6")
    assert {i["room"] is None for i in first["items"]} == {True}
    room = file(call_api, "https://t.me/Room")
    room_id = room["items"][0]["id"]

    messages = Item.objects.filter(request__case_id=first["case_id"])
    assert {m.room_item_id for m in messages} == {room_id}
    events = Event.objects.filter(tag="item:room_link")
    assert {e.subject for e in events} == {f"item:{m.pk}" for m in messages}
    assert {e.payload["room_item"] for e in events} == {room_id}
    status, case = call_api("analyst", "get", f"/requests/{first['case_id']}")
    assert status == 200
    assert {i["room"]["case_id"] for i in case["items"]} == {room["case_id"]}


def test_a_removed_room_covers_its_messages(call_api: ApiCaller) -> None:
    receipt = file(call_api, "https://t.me/room", "https://t.me/room/5")
    items = by_position(receipt)
    notice = receipt["notices"][0]["id"]
    status, _ = call_api(
        "telegram_mod",
        "post",
        f"/notices/{notice}/items/{items[1]['id']}/action",
        {"action": "removed"},
    )
    assert status == 200

    status, case = call_api("analyst", "get", f"/requests/{receipt['case_id']}")
    message = by_position(case)[2]
    assert message["state"] == "notified"  # its own state is untouched: no invented transition
    assert message["room"]["covers"] is True and message["room"]["state"] == "removed"
    assert message["room"]["message"].startswith("covered by its room's outcome")
