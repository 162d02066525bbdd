"""The moderator's side over the API: the queue, acknowledging, acting per item, questions."""

from collections.abc import Callable
from typing import Any

import pytest

from hotline.audit.models import Event
from hotline.cases.models import Item, ItemCheck, Message, Notice
from hotline.delivery.models import Delivery
from hotline.verification import backends
from hotline.verification.rules import verification_url
from tests.api.conftest import file_request, snapshot
from tests.conftest import ApiCaller


def file_to_telegram(call_api: ApiCaller, *urls: str, **overrides: Any) -> tuple[int, list[int]]:
    """Have the regulator file URLs on Telegram; the notice id and its item ids."""
    receipt = file_request(call_api, "analyst", *urls, **overrides)
    (notice,) = receipt["notices"]
    return notice["id"], [i["id"] for i in receipt["items"]]


def act(call_api: ApiCaller, notice: int, item: int, **body: Any) -> tuple[int, Any]:
    return call_api("telegram_mod", "post", f"/notices/{notice}/items/{item}/action", body)


def ask(call_api: ApiCaller, notice: int, item: int, question: str) -> int:
    """The moderator puts an item on hold with a question; the question's message id."""
    status, answer = act(call_api, notice, item, action="needs_info", question=question)
    assert (status, answer["state"]) == (200, "info_requested"), answer
    return Message.objects.get(notice_id=notice, kind="question", item_id=item).pk


def say(call_api: ApiCaller, who: str, notice: int, **body: Any) -> tuple[int, Any]:
    """Post a message on the notice's thread."""
    return call_api(who, "post", f"/notices/{notice}/messages", body)


def queue(call_api: ApiCaller, query: str = "") -> list[int]:
    status, notices = call_api("telegram_mod", "get", f"/notices{query}")
    assert status == 200
    return [n["id"] for n in notices]


def close_by_rejecting(call_api: ApiCaller, notice: int, item: int) -> None:
    status, _ = act(call_api, notice, item, action="rejected", reason="not_found")
    assert status == 200
    assert Notice.objects.get(pk=notice).closed_at is not None


def test_the_queue_puts_urgent_notices_first(call_api: ApiCaller) -> None:
    routine, _ = file_to_telegram(call_api, "https://t.me/routine/1")
    urgent, _ = file_to_telegram(call_api, "https://t.me/urgent/1", urgent=True)
    minor, _ = file_to_telegram(call_api, "https://t.me/minor/1", involves_minor=True)
    # Among the urgent ones the nearest deadline first; equal deadlines in filing order.
    assert queue(call_api) == [urgent, minor, routine]
    _, notices = call_api("telegram_mod", "get", "/notices")
    assert [n["urgent"] for n in notices] == [True, True, False]


def test_the_queue_puts_closed_notices_after_open_ones(call_api: ApiCaller) -> None:
    done, (done_item,) = file_to_telegram(call_api, "https://t.me/done/1", urgent=True)
    routine, _ = file_to_telegram(call_api, "https://t.me/routine/1")
    urgent, _ = file_to_telegram(call_api, "https://t.me/urgent/1", urgent=True)
    close_by_rejecting(call_api, done, done_item)
    assert queue(call_api) == [urgent, routine, done]
    assert queue(call_api, "?open=true") == [urgent, routine]


def test_acknowledging_records_receipt_once(call_api: ApiCaller) -> None:
    notice, _ = file_to_telegram(call_api, "https://t.me/ack/1")
    status, first = call_api("telegram_mod", "post", f"/notices/{notice}/acknowledge")
    assert status == 200
    assert (first["id"], first["platform"]) == (notice, "Telegram")
    assert first["acknowledged_at"] is not None
    status, second = call_api("telegram_mod", "post", f"/notices/{notice}/acknowledge")
    assert (status, second) == (200, first)
    assert Event.objects.filter(tag="notice:acknowledge", subject=f"notice:{notice}").count() == 1


def test_acting_on_an_item_is_proof_of_receipt(call_api: ApiCaller) -> None:
    notice, (item,) = file_to_telegram(call_api, "https://t.me/proof/1")
    assert act(call_api, notice, item, action="removed")[0] == 200
    assert Notice.objects.get(pk=notice).acknowledged_at is not None
    assert Event.objects.filter(tag="notice:acknowledge", subject=f"notice:{notice}").count() == 1


@pytest.mark.parametrize(
    ("body", "state", "reason"),
    [
        ({"action": "removed", "note": "deleted the post"}, "removed", ""),
        ({"action": "restricted", "note": "geo-blocked in KR"}, "restricted", ""),
        (
            {"action": "rejected", "reason": "consent_shown", "note": "consent on file"},
            "rejected",
            "consent_shown",
        ),
    ],
    ids=["removed", "restricted", "rejected"],
)
def test_a_moderator_acts_on_an_item(
    call_api: ApiCaller, body: dict[str, str], state: str, reason: str
) -> None:
    notice, (item, _) = file_to_telegram(call_api, "https://t.me/act/1", "https://t.me/act/2")
    status, answer = act(call_api, notice, item, **body)
    assert status == 200
    assert (answer["id"], answer["state"], answer["rejection_reason"]) == (item, state, reason)
    assert answer["outcome_note"] == body["note"]
    assert answer["acted_at"] is not None
    row = Item.objects.get(pk=item)
    assert (row.state, row.rejection_reason, row.outcome_note) == (state, reason, body["note"])
    event = Event.objects.get(tag=f"item:{body['action']}", subject=f"item:{item}")
    assert (event.payload["from"], event.payload["to"]) == ("notified", state)
    assert event.actor.startswith("telegram_mod@")
    _, seen = call_api("analyst", "get", f"/notices/{notice}")
    assert [i["state"] for i in seen["items"]] == [state, "notified"]


def test_a_rejection_without_a_reason_is_refused_naming_the_reason(call_api: ApiCaller) -> None:
    notice, (item,) = file_to_telegram(call_api, "https://t.me/noreason/1")
    before = snapshot()
    status, answer = act(call_api, notice, item, action="rejected", note="no")
    assert (status, answer["error"]) == (422, "invalid")
    assert answer["details"] == [{"element": "reason"}]
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [{"action": "deleted"}, {"action": "rejected", "reason": "because"}, {}],
    ids=["unknown-action", "unknown-reason", "no-action"],
)
def test_an_action_outside_the_vocabulary_is_refused(
    call_api: ApiCaller, body: dict[str, str]
) -> None:
    notice, (item,) = file_to_telegram(call_api, "https://t.me/vocab/1")
    before = snapshot()
    status, _ = act(call_api, notice, item, **body)
    assert status == 422
    assert snapshot() == before


def test_needs_info_puts_a_question_on_the_thread(call_api: ApiCaller) -> None:
    notice, (item,) = file_to_telegram(call_api, "https://t.me/unclear/1")
    question = ask(call_api, notice, item, "  Which of the two images is it?  ")
    status, messages = call_api("analyst", "get", f"/notices/{notice}/messages")
    assert status == 200
    assert [(m["id"], m["kind"], m["author"], m["body"], m["item_id"], m["reply_to"])
            for m in messages] == [
        (question, "question", "telegram_mod", "Which of the two images is it?", item, None)
    ]  # fmt: skip
    forwarded = Delivery.objects.get(idempotency_key=f"message-{question}")
    assert (forwarded.kind, forwarded.recipient) == ("message:question", "kcsc@example.org")


def test_needs_info_without_a_question_is_refused(call_api: ApiCaller) -> None:
    notice, (item,) = file_to_telegram(call_api, "https://t.me/unclear/1")
    before = snapshot()
    status, answer = act(call_api, notice, item, action="needs_info", question="  ")
    assert (status, answer["details"]) == (422, [{"element": "question"}])
    assert snapshot() == before


def test_the_reporters_answer_puts_the_item_back_with_the_platform(call_api: ApiCaller) -> None:
    notice, (item,) = file_to_telegram(call_api, "https://t.me/unclear/1")
    question = ask(call_api, notice, item, "Which image?")
    status, answer = say(
        call_api, "analyst", notice, kind="answer", body="The second.", reply_to=question
    )
    assert status == 201
    assert (answer["kind"], answer["reply_to"], answer["item_id"], answer["author"]) == (
        "answer",
        question,
        item,
        "analyst",
    )
    assert Item.objects.get(pk=item).state == "notified"
    assert Event.objects.filter(tag="item:answered", subject=f"item:{item}").count() == 1
    assert Delivery.objects.get(idempotency_key=f"message-{answer['id']}").recipient == (
        "hotline@telegram.example"
    )
    _, seen = call_api("telegram_mod", "get", f"/notices/{notice}")
    assert [m["kind"] for m in seen["messages"]] == ["question", "answer"]
    assert act(call_api, notice, item, action="removed")[1]["state"] == "removed"


def test_an_answer_must_say_which_question_it_answers(call_api: ApiCaller) -> None:
    notice, (item,) = file_to_telegram(call_api, "https://t.me/unclear/1")
    ask(call_api, notice, item, "Which image?")
    before = snapshot()
    status, answer = say(
        call_api, "analyst", notice, kind="answer", body="The second.", item_id=item
    )
    assert (status, answer["error"]) == (422, "invalid")
    assert "reply_to" in answer["message"]
    assert snapshot() == before
    assert Item.objects.get(pk=item).state == "info_requested"


def test_an_answer_to_a_message_of_another_notice_is_not_found(call_api: ApiCaller) -> None:
    notice, (item,) = file_to_telegram(call_api, "https://t.me/unclear/1")
    other, (other_item,) = file_to_telegram(call_api, "https://t.me/unclear/2")
    question = ask(call_api, other, other_item, "Which image?")
    status, answer = say(
        call_api, "analyst", notice, kind="answer", body="This one.", reply_to=question
    )
    assert (status, answer["error"]) == (404, "not_found")
    assert Item.objects.get(pk=other_item).state == "info_requested"
    assert Item.objects.get(pk=item).state == "notified"


def test_an_answer_to_an_answer_is_a_conflict(call_api: ApiCaller) -> None:
    notice, (item,) = file_to_telegram(call_api, "https://t.me/unclear/1")
    question = ask(call_api, notice, item, "Which image?")
    _, first = say(
        call_api, "analyst", notice, kind="answer", body="The second.", reply_to=question
    )
    status, answer = say(
        call_api, "telegram_mod", notice, kind="answer", body="Thanks.", reply_to=first["id"]
    )
    assert (status, answer["error"]) == (409, "conflict")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"action": "removed"}, {"action": "restricted"}),
        ({"action": "rejected", "reason": "not_illegal"}, {"action": "removed"}),
        ({"action": "restricted"}, {"action": "needs_info", "question": "And now?"}),
        ({"action": "removed"}, {"action": "needs_info", "question": "Sure?"}),
    ],
    ids=[
        "removed-then-restricted",
        "rejected-then-removed",
        "restricted-then-asked",
        "removed-then-asked",
    ],
)
def test_acting_again_where_the_state_table_forbids_it_is_a_conflict(
    call_api: ApiCaller, first: dict[str, str], second: dict[str, str]
) -> None:
    notice, (item, _) = file_to_telegram(call_api, "https://t.me/twice/1", "https://t.me/twice/2")
    status, done = act(call_api, notice, item, **first)
    assert status == 200
    before = snapshot()
    status, answer = act(call_api, notice, item, **second)
    assert (status, answer["error"]) == (409, "conflict")
    assert Item.objects.get(pk=item).state == done["state"]
    assert snapshot() == before


def test_an_item_of_another_notice_is_not_found_on_this_one(call_api: ApiCaller) -> None:
    notice, _ = file_to_telegram(call_api, "https://t.me/here/1")
    _, (elsewhere,) = file_to_telegram(call_api, "https://t.me/there/1")
    before = snapshot()
    status, answer = act(call_api, notice, elsewhere, action="removed")
    assert (status, answer["error"]) == (404, "not_found")
    assert snapshot() == before


def test_a_notice_closes_at_once_when_every_item_gets_a_final_answer(call_api: ApiCaller) -> None:
    notice, (first, second) = file_to_telegram(call_api, "https://t.me/fin/1", "https://t.me/fin/2")
    act(call_api, notice, first, action="restricted")
    assert Notice.objects.get(pk=notice).closed_at is None
    _, item = act(call_api, notice, second, action="rejected", reason="not_intimate")
    assert item["state"] == "rejected"
    _, seen = call_api("telegram_mod", "get", f"/notices/{notice}")
    assert seen["closed_at"] is not None
    assert Event.objects.filter(tag="notice:close", subject=f"notice:{notice}").count() == 1
    assert queue(call_api, "?open=true") == []


def test_a_notice_closes_when_hotline_sees_the_removed_content_gone(
    drain: Callable[[], None], call_api: ApiCaller
) -> None:
    notice, (rejected, removed) = file_to_telegram(
        call_api, "https://t.me/closing/1", "https://t.me/closing/2"
    )
    act(call_api, notice, rejected, action="rejected", reason="not_found")
    assert act(call_api, notice, removed, action="removed")[1]["state"] == "removed"
    assert Notice.objects.get(pk=notice).closed_at is None  # a claim is not yet a settlement
    url = verification_url("https://t.me/closing/2")
    assert url == "https://t.me/s/closing/2"
    backends.FAKE_RESPONSES[url] = (404, "")
    drain()
    item = Item.objects.get(pk=removed)
    assert (item.state, item.confirmed_removed_at is not None) == ("confirmed_removed", True)
    check = ItemCheck.objects.get(item=item)
    assert (check.url, check.http_status, check.verdict) == (url, 404, "gone")
    _, seen = call_api("analyst", "get", f"/notices/{notice}")
    assert seen["closed_at"] is not None
    assert [i["state"] for i in seen["items"]] == ["rejected", "confirmed_removed"]
    assert seen["items"][1]["checks"][0]["verdict"] == "gone"
    assert Event.objects.filter(tag="notice:close", subject=f"notice:{notice}").count() == 1


def test_a_removal_hotline_cannot_confirm_keeps_the_notice_open(
    drain: Callable[[], None], call_api: ApiCaller
) -> None:
    notice, (item,) = file_to_telegram(call_api, "https://t.me/stillup/1")
    act(call_api, notice, item, action="removed")
    drain()  # no canned response: the fetch fails, which proves nothing
    assert Item.objects.get(pk=item).state == "removed"
    assert Notice.objects.get(pk=notice).closed_at is None
    assert ItemCheck.objects.get(item_id=item).verdict == "inconclusive"


@pytest.mark.parametrize(
    "body",
    [
        {"action": "removed", "reason": "not_illegal"},
        {"action": "restricted", "reason": "not_illegal"},
        {"action": "needs_info", "reason": "not_illegal", "question": "Which one?"},
    ],
    ids=["removed", "restricted", "needs_info"],
)
def test_a_reason_is_refused_on_anything_but_a_rejection(
    call_api: ApiCaller, body: dict[str, str]
) -> None:
    notice, (item,) = file_to_telegram(call_api, "https://t.me/reason/1")
    before = snapshot()
    status, answer = act(call_api, notice, item, **body)
    assert (status, answer["details"]) == (422, [{"element": "reason"}])
    assert snapshot() == before
    assert Item.objects.get(pk=item).rejection_reason == ""
