"""Filing a takedown request over the API: receipt, routing, duplicates, validation, delivery."""

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from hotline.audit.models import Event
from hotline.cases.models import Item, Notice, TakedownRequest
from hotline.delivery.channels import RecordingChannel
from hotline.delivery.models import Delivery
from tests.api.conftest import file_request, items_on, notice_for, snapshot
from tests.conftest import ApiCaller, Directory, request_body

PDQ = "f" * 64


def submit(call_api: ApiCaller, who: str, body: dict[str, Any]) -> tuple[int, Any]:
    return call_api(who, "post", "/requests", body)


def elements(answer: dict[str, Any]) -> list[str]:
    return [d["element"] for d in answer["details"]]


def hours_to_deadline(notice: dict[str, Any]) -> float:
    span = datetime.fromisoformat(notice["deadline_at"]) - datetime.fromisoformat(
        notice["created_at"]
    )
    return span / timedelta(hours=1)


def test_filing_returns_a_receipt_with_a_case_id_and_records_it(call_api: ApiCaller) -> None:
    status, receipt = submit(call_api, "analyst", request_body("https://t.me/room/1"))
    assert status == 201
    assert re.fullmatch(r"HL-\d{4}-\d{6}", receipt["case_id"])
    assert receipt["case_id"][3:7] == receipt["created_at"][:4]
    assert (receipt["duplicate_submission"], receipt["urgent"], receipt["triage_count"]) == (
        False,
        False,
        0,
    )
    row = TakedownRequest.objects.get(case_id=receipt["case_id"])
    assert (row.filed_by, row.organisation.name, row.jurisdiction) == ("analyst", "KCSC", "KR")
    assert Event.objects.filter(
        tag="request:submit", subject=f"request:{row.pk}", payload__case_id=row.case_id
    ).exists()
    assert Event.objects.filter(tag="item:create").count() == 1
    assert Event.objects.filter(tag="notice:create").count() == 1


def test_every_item_is_routed_to_the_platform_that_hosts_it(call_api: ApiCaller) -> None:
    receipt = file_request(
        call_api, "analyst",
        "https://t.me/chan_one/1",
        "telegram.me/chan_two/2",
        "https://telegram.dog/chan_three/3",
        "https://t.me/s/chan_four/4",
        "https://x.com/someone/status/5",
        "https://unknown-host.example/z",
    )  # fmt: skip
    telegram, x = notice_for(receipt, "Telegram"), notice_for(receipt, "X")
    assert [i["normalised_url"] for i in items_on(receipt, telegram["id"])] == [
        "https://t.me/chan_one/1",
        "https://t.me/chan_two/2",
        "https://t.me/chan_three/3",
        "https://t.me/chan_four/4",
    ]
    assert [i["position"] for i in items_on(receipt, x["id"])] == [5]
    (triaged,) = [i for i in receipt["items"] if i["state"] == "triage"]
    assert (triaged["position"], triaged["platform"], triaged["notice_id"]) == (6, None, None)
    assert receipt["triage_count"] == 1
    assert Notice.objects.filter(request__case_id=receipt["case_id"]).count() == 2


def test_an_unknown_host_waits_in_triage_visible_only_to_the_filing_organisation(
    call_api: ApiCaller,
) -> None:
    receipt = file_request(call_api, "caseworker_a", "https://unknown-host.example/z")
    assert receipt["notices"] == []
    status, triage = call_api("caseworker_a", "get", "/triage")
    assert status == 200
    assert triage == [{
        "id": receipt["items"][0]["id"], "case_id": receipt["case_id"], "position": 1,
        "url": "https://unknown-host.example/z", "host": "unknown-host.example",
    }]  # fmt: skip
    for other in ("caseworker_b", "analyst"):
        assert call_api(other, "get", "/triage") == (200, [])


def test_the_same_url_written_twice_in_one_request_is_a_duplicate(call_api: ApiCaller) -> None:
    receipt = file_request(
        call_api, "analyst", "https://t.me/dupchan/9", "http://www.telegram.me/DupChan/9/?single"
    )
    first, second = receipt["items"]
    assert first["state"] == "notified"
    assert (second["state"], second["duplicate_of"], second["notice_id"]) == (
        "duplicate",
        first["id"],
        None,
    )
    (notice,) = receipt["notices"]
    assert Item.objects.filter(notice_id=notice["id"]).count() == 1


def test_a_url_already_on_another_organisations_open_notice_is_a_duplicate(
    call_api: ApiCaller,
) -> None:
    earlier = file_request(call_api, "analyst", "https://t.me/shared/3")
    notices_before = Notice.objects.count()
    later = file_request(call_api, "caseworker_a", "https://T.ME/s/Shared/3")
    (item,) = later["items"]
    # It follows the earlier item's fate without naming another organisation's item.
    assert (item["state"], item["duplicate_of"], item["notice_id"]) == ("duplicate", None, None)
    assert item["follows_state"] == earlier["items"][0]["state"] == "notified"
    assert later["notices"] == []
    assert Notice.objects.count() == notices_before


def test_a_url_whose_earlier_notice_is_settled_goes_on_a_new_notice(call_api: ApiCaller) -> None:
    earlier = file_request(call_api, "analyst", "https://t.me/again/3")
    notice = earlier["notices"][0]["id"]
    path = f"/notices/{notice}/items/{earlier['items'][0]['id']}/action"
    status, _ = call_api(
        "telegram_mod", "post", path, {"action": "rejected", "reason": "not_found"}
    )
    assert status == 200
    later = file_request(call_api, "caseworker_a", "https://t.me/again/3")
    assert later["items"][0]["state"] == "notified"
    assert later["items"][0]["notice_id"] not in (None, notice)


def test_resubmitting_a_client_reference_returns_the_first_receipt_and_stores_nothing(
    call_api: ApiCaller,
) -> None:
    body = request_body("https://t.me/ref/1", client_reference="centre-a-0001")
    status, first = submit(call_api, "caseworker_a", body)
    assert status == 201
    before = snapshot()
    status, again = submit(
        call_api,
        "caseworker_a",
        request_body("https://t.me/ref/1", client_reference="centre-a-0001"),
    )
    assert status == 200
    assert again["duplicate_submission"] is True
    # A receipt's checkpoint is signed when it is issued; nothing new was recorded in between.
    fresh, original = again.pop("checkpoint"), first.pop("checkpoint")
    assert (fresh["seq"], fresh["head_hash"]) == (original["seq"], original["head_hash"])
    assert {**again, "duplicate_submission": False} == first
    assert snapshot() == before


def test_a_client_reference_reused_for_other_content_is_a_409_naming_what_differs(
    call_api: ApiCaller,
) -> None:
    body = request_body("https://t.me/ref/1", client_reference="centre-a-0002")
    status, first = submit(call_api, "caseworker_a", body)
    assert status == 201
    before = snapshot()
    changed = request_body("https://t.me/ref/2", client_reference="centre-a-0002")
    changed["reasons"] = "Another explanation of why this content is illegal."
    status, answer = submit(call_api, "caseworker_a", changed)
    assert status == 409
    assert answer["error"] == "conflict"
    assert answer["message"] == (
        f"client_reference 'centre-a-0002' was already used for case {first['case_id']} with "
        "other content (reasons, items); send the same content to get its receipt again, or a "
        "new client_reference to file a new request"
    )
    assert [d["element"] for d in answer["details"]] == ["reasons", "items"]
    assert snapshot() == before  # nothing filed, nothing audited
    # Only the victim differs: named as such.
    other_victim = request_body(
        "https://t.me/ref/1", client_reference="centre-a-0002", victim_reference="V-9"
    )
    status, answer = submit(call_api, "caseworker_a", other_victim)
    assert status == 409
    assert [d["element"] for d in answer["details"]] == ["victim_reference"]


LEGAL_GAPS = [
    ({"signature": ""}, ["take_it_down.signature"]),
    ({"good_faith_statement": "   "}, ["take_it_down.good_faith_statement"]),
    ({"contact": ""}, ["take_it_down.contact"]),
    ({"notifier_name": ""}, ["dsa_art16.notifier_name"]),
    ({"notifier_email": ""}, ["dsa_art16.notifier_email"]),
    ({"notifier_email": "jane at example.org"}, ["dsa_art16.notifier_email"]),
    ({"bona_fide_statement": False}, ["dsa_art16.bona_fide_statement"]),
]


@pytest.mark.parametrize(
    ("change", "missing"), LEGAL_GAPS, ids=lambda v: "-".join(v) if isinstance(v, list) else None
)
def test_a_missing_legal_element_is_named_exactly(
    call_api: ApiCaller, change: dict[str, Any], missing: list[str]
) -> None:
    body = request_body("https://t.me/legal/1")
    body["legal"].update(change)
    status, answer = submit(call_api, "analyst", body)
    assert (status, answer["error"]) == (422, "invalid")
    assert elements(answer) == missing
    assert all(d["message"].startswith("missing: ") for d in answer["details"])
    assert TakedownRequest.objects.count() == 0


def test_every_missing_element_is_named_at_once(call_api: ApiCaller) -> None:
    status, answer = submit(
        call_api, "analyst", request_body("https://t.me/a/1", legal={}, reasons="bad")
    )
    assert status == 422
    assert elements(answer) == [
        "take_it_down.signature", "take_it_down.good_faith_statement", "take_it_down.contact",
        "dsa_art16.explanation", "dsa_art16.notifier_name", "dsa_art16.notifier_email",
        "dsa_art16.bona_fide_statement",
    ]  # fmt: skip


def test_only_the_invoked_legal_basis_is_checked(call_api: ApiCaller) -> None:
    body = request_body("https://t.me/basis/1", legal_bases=["dsa_art16"])
    body["legal"].update(signature="", contact="")
    assert submit(call_api, "analyst", body)[0] == 201


@pytest.mark.parametrize("category", ["minor_sexual_deepfake", "child_sexual_abuse_material"])
def test_a_minor_category_needs_no_notifier_name_or_email_and_is_urgent(
    call_api: ApiCaller, category: str
) -> None:
    body = request_body("https://t.me/minor/1", category=category)
    body["legal"].update(notifier_name="", notifier_email="")
    status, receipt = submit(call_api, "analyst", body)
    assert status == 201, receipt
    assert receipt["urgent"] is True
    assert TakedownRequest.objects.get(case_id=receipt["case_id"]).involves_minor is True


def test_a_hash_only_item_lacks_the_exact_location_the_dsa_requires(call_api: ApiCaller) -> None:
    body = request_body(items=[{"url": "", "signals": [{"type": "pdq", "value": PDQ}]}])
    status, answer = submit(call_api, "analyst", body)
    assert status == 422
    assert elements(answer) == ["dsa_art16.exact_location[item 1]"]


def test_a_hash_only_item_identifies_the_depiction_under_take_it_down(call_api: ApiCaller) -> None:
    body = request_body(
        items=[{"url": "", "signals": [{"type": "pdq", "value": PDQ.upper()}]}],
        legal_bases=["take_it_down"],
    )
    status, receipt = submit(call_api, "caseworker_a", body)
    assert status == 201, receipt
    (item,) = receipt["items"]
    assert (item["state"], item["url"]) == ("triage", "")
    assert Item.objects.get(pk=item["id"]).signals == [{"type": "pdq", "value": PDQ}]


def test_an_item_with_neither_url_nor_hashes_is_named_under_both_bases(call_api: ApiCaller) -> None:
    body = request_body("https://t.me/ok/1", items=[{"url": "https://t.me/ok/1"}, {"url": " "}])
    status, answer = submit(call_api, "analyst", body)
    assert status == 422
    assert elements(answer) == [
        "take_it_down.identification[item 2]", "dsa_art16.exact_location[item 2]",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "bad_url", ["javascript:alert(1)", "https://user@x.com/a", "https://x.com:0/a", "ftp://t.me/a"]
)
def test_an_invalid_url_is_named_by_its_position(call_api: ApiCaller, bad_url: str) -> None:
    status, answer = submit(call_api, "analyst", request_body("https://t.me/good/1", bad_url))
    assert (status, answer["error"]) == (422, "invalid")
    assert elements(answer) == ["items[2].url"]
    assert TakedownRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "value"),
    [("pdq", "z" * 64), ("md5", "a" * 64), ("sha256", "ab" * 16), ("pdq", "")],
)
def test_a_signal_that_is_not_hex_of_the_right_length_is_refused(
    call_api: ApiCaller, kind: str, value: str
) -> None:
    body = request_body(
        items=[{"url": "https://t.me/sig/1", "signals": [{"type": kind, "value": value}]}]
    )
    status, answer = submit(call_api, "analyst", body)
    assert (status, elements(answer)) == (422, ["items[1].signals"])
    assert TakedownRequest.objects.count() == 0


def test_an_unknown_signal_type_is_refused(call_api: ApiCaller) -> None:
    body = request_body(
        items=[{"url": "https://t.me/sig/1", "signals": [{"type": "sha1", "value": "a" * 40}]}]
    )
    status, answer = submit(call_api, "analyst", body)
    assert status == 422
    assert elements(answer) == ["items.0.signals.0.type"]


def test_an_unknown_category_is_refused(call_api: ApiCaller) -> None:
    status, answer = submit(call_api, "analyst", request_body("https://t.me/c/1", category="spam"))
    assert status == 422
    assert elements(answer) == ["category"]
    assert TakedownRequest.objects.count() == 0


def test_a_request_without_items_is_refused(call_api: ApiCaller) -> None:
    status, answer = submit(call_api, "analyst", request_body())
    assert (status, elements(answer)) == (422, ["items"])


@pytest.mark.parametrize("raw", ['{"category": "sexual_deepfake", ', "[]", '"x"', "null", ""])
def test_a_malformed_body_is_a_client_error_not_a_crash(directory: Directory, raw: str) -> None:
    response = Client().post(
        "/api/requests",
        data=raw,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {directory.tokens['analyst']}",
    )
    assert 400 <= response.status_code < 500
    assert set(json.loads(response.content)) == {"error", "message", "details"}
    assert TakedownRequest.objects.count() == 0


def test_involving_a_minor_makes_a_request_urgent_with_the_urgent_deadline(
    call_api: ApiCaller,
) -> None:
    receipt = file_request(
        call_api,
        "analyst",
        "https://t.me/urgent/1",
        "https://x.com/u/1",
        urgent=False,
        involves_minor=True,
    )
    assert receipt["urgent"] is True
    assert all(n["urgent"] for n in receipt["notices"])
    assert hours_to_deadline(notice_for(receipt, "Telegram")) == 6
    assert hours_to_deadline(notice_for(receipt, "X")) == 12


@pytest.mark.parametrize(
    ("who", "overrides", "jurisdiction", "hours"),
    [
        ("analyst", {}, "KR", 24),
        ("analyst", {"urgent": True}, "KR", 6),
        ("caseworker_b", {}, "US", 48),
        ("caseworker_b", {"urgent": True}, "US", 48),
        ("analyst", {"jurisdiction": "us"}, "US", 48),
    ],
    ids=["kr", "kr-urgent", "centre-b-us", "centre-b-us-urgent", "kr-filer-us-law"],
)
def test_the_deadline_comes_from_the_platforms_policy_for_the_jurisdiction(
    call_api: ApiCaller, who: str, overrides: dict[str, Any], jurisdiction: str, hours: int
) -> None:
    receipt = file_request(call_api, who, "https://t.me/deadline/1", **overrides)
    assert hours_to_deadline(notice_for(receipt, "Telegram")) == hours
    request = TakedownRequest.objects.get(case_id=receipt["case_id"])
    assert request.jurisdiction == jurisdiction
    assert request.notices.get().deadline_basis.startswith(f"{jurisdiction}: ")


def test_an_item_for_a_platform_without_a_policy_for_the_jurisdiction_waits_in_triage(
    call_api: ApiCaller,
) -> None:
    receipt = file_request(call_api, "caseworker_b", "https://x.com/u/status/1")
    assert receipt["notices"] == []
    assert (receipt["items"][0]["state"], receipt["triage_count"]) == ("triage", 1)
    assert [t["case_id"] for t in call_api("caseworker_b", "get", "/triage")[1]] == [
        receipt["case_id"]
    ]


def test_a_filed_notice_is_delivered_to_the_platform_once(
    drain: Callable[[], None], call_api: ApiCaller
) -> None:
    receipt = file_request(call_api, "analyst", "https://t.me/deliver/1", "https://t.me/deliver/2")
    (notice,) = receipt["notices"]
    key = f"notice-{notice['id']}"
    assert Delivery.objects.get(idempotency_key=key).status == "pending"
    assert key not in RecordingChannel.sent
    drain()
    sent = RecordingChannel.sent[key]
    assert sent.recipient == "hotline@telegram.example"
    assert receipt["case_id"] in sent.subject
    assert sent.payload["notice_id"] == notice["id"]
    assert [i["url"] for i in sent.payload["items"]] == [
        "https://t.me/deliver/1", "https://t.me/deliver/2",
    ]  # fmt: skip
    delivery = Delivery.objects.get(idempotency_key=key)
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert delivery.sent_at is not None
    assert Event.objects.filter(tag="delivery:sent", subject=f"notice:{notice['id']}").count() == 1
    drain()
    assert Delivery.objects.get(idempotency_key=key).attempts == 1
