"""Re-uploads become work: matches on known content open items, false matches quarantine."""

import random
from datetime import timedelta
from typing import Any

import pytest

from hotline.audit.models import Event
from hotline.banks.models import BankEntry, FalseMatch
from hotline.banks.services import Signal
from hotline.cases.models import Item, NewsKind, ReporterNews
from hotline.cases.services import copies
from hotline.cases.services.matching import UploadQuery, uploads_match
from hotline.core.worker import drain_ready_tasks
from hotline.delivery.models import Delivery
from hotline.verification import backends
from tests.conftest import ApiCaller, Directory, request_body

rng = random.Random(12)


def random_pdq() -> str:
    return f"{rng.getrandbits(256):064x}"


def flip(hex_hash: str, bits: int) -> str:
    """The hash with its first `bits` bits flipped: `bits` away, a near copy when <= 31."""
    value = int(hex_hash, 16) ^ ((1 << bits) - 1) << (256 - bits)
    return f"{value:064x}"


def file_and_confirm(call_api: ApiCaller, post: int, signals: list[dict[str, Any]]) -> dict:
    """KCSC files a hash-only item on Telegram; Telegram removes it; hotline sees it gone."""
    body = request_body(f"https://t.me/room/{post}")
    body["items"][0]["signals"] = signals
    status, receipt = call_api("analyst", "post", "/requests", body)
    assert status == 201, receipt
    notice, item = receipt["notices"][0]["id"], receipt["items"][0]["id"]
    backends.FAKE_RESPONSES[f"https://t.me/s/room/{post}"] = (404, "")
    status, _ = call_api(
        "telegram_mod", "post", f"/notices/{notice}/items/{item}/action", {"action": "removed"}
    )
    assert status == 200
    drain_ready_tasks()
    assert Item.objects.get(pk=item).state == "confirmed_removed"
    return receipt


def pdq(value: str, quality: int = 90, **extra: Any) -> dict[str, Any]:
    return {"type": "pdq", "value": value, "quality": quality, **extra}


@pytest.fixture
def known(call_api: ApiCaller) -> dict[str, Any]:
    """One image's hashes (PDQ and MD5), filed without media and confirmed removed."""
    image, md5 = random_pdq(), f"{rng.getrandbits(128):032x}"
    receipt = file_and_confirm(call_api, 5, [pdq(image), {"type": "md5", "value": md5}])
    return {"pdq": image, "md5": md5, "receipt": receipt, "item": receipt["items"][0]["id"]}


def test_a_platform_match_opens_a_copy_on_a_notice_and_tells_the_reporter(
    call_api: ApiCaller, known: dict[str, Any]
) -> None:
    # Hashes filed without media reach the known-content bank once the removal is confirmed.
    entries = BankEntry.objects.filter(bank__name="known-content", item_id=known["item"])
    assert sorted(entries.values_list("signal_type", "value")) == [
        ("md5", known["md5"]),
        ("pdq", known["pdq"]),
    ]
    query = {"signals": [pdq(flip(known["pdq"], 6), upload_ref="x-upload-1", url="x.com/u/1")]}
    status, answer = call_api("x_mod", "post", "/match", query)
    assert status == 200, answer
    (row,) = answer
    assert row["matches"][0]["distance"] == 6 and row["upload_ref"] == "x-upload-1"
    copy = row["reupload"]
    assert copy["opened"] and copy["copy_number"] == 2 and copy["state"] == "notified"
    assert copy["case_id"] == known["receipt"]["case_id"]
    item = Item.objects.get(pk=copy["item_id"])
    assert item.copy_of_id == known["item"] and item.platform is not None
    assert (item.platform.name, item.match_distance, item.found_by) == ("X", 6, "platform_match")
    # The usual notice: X's deadline for a Korean request (24 h), delivered through the outbox.
    assert item.notice is not None and item.notice.platform.name == "X"
    assert item.notice.deadline_at - item.notice.created_at == timedelta(hours=24)
    assert Delivery.objects.filter(about=f"notice:{item.notice_id}").exists()
    # X sees its item as copy 2, with its own reference; the reporter sees it in her case.
    _, notice = call_api("x_mod", "get", f"/notices/{item.notice_id}")
    assert [(i["copy_number"], i["upload_ref"]) for i in notice["items"]] == [(2, "x-upload-1")]
    _, case = call_api("analyst", "get", f"/requests/{copy['case_id']}")
    assert [(i["copy_number"], i["found_by"]) for i in case["items"]] == [
        (None, ""),
        (2, "platform_match"),
    ]
    # The original reporter's record says a copy was found; X's feed never shows that event.
    told = Event.objects.get(tag="item:copy_found", subject=f"item:{known['item']}")
    assert told.organisation_id == item.request.organisation_id
    assert told.payload["copy_number"] == 2 and told.payload["platform"] == "X"
    # ... and she is told, as news of her own item (email, webhook or digest as she chose).
    (news,) = ReporterNews.objects.filter(kind=NewsKind.COPY_FOUND)
    assert (news.organisation_id, news.item_id) == (told.organisation_id, known["item"])
    assert news.facts["copy_number"] == 2 and news.facts["platform"] == "X"
    assert news.facts["case_id"] == known["receipt"]["case_id"]
    _, feed = call_api("x_mod", "get", "/feed")
    assert {e["event"] for e in feed["events"]} >= {"notice:create", "item:reupload"}
    assert all(e["item_id"] != known["item"] for e in feed["events"])
    status, _ = call_api("caseworker_a", "get", f"/requests/{copy['case_id']}")
    assert status == 404


def test_the_same_upload_matched_again_opens_nothing_new(
    call_api: ApiCaller, known: dict[str, Any]
) -> None:
    query = {"signals": [pdq(known["pdq"], upload_ref="u-7")]}
    _, first = call_api("x_mod", "post", "/match", query)
    _, again = call_api("x_mod", "post", "/match", query)
    assert first[0]["reupload"]["opened"] and not again[0]["reupload"]["opened"]
    assert again[0]["reupload"]["item_id"] == first[0]["reupload"]["item_id"]
    assert Item.objects.filter(upload_ref="u-7").count() == 1
    assert Event.objects.filter(tag="item:reupload").count() == 1
    # The same reference on another platform is another upload.
    _, other = call_api("telegram_mod", "post", "/match", query)
    assert other[0]["reupload"]["opened"] and other[0]["reupload"]["copy_number"] == 3


def test_a_crash_while_opening_a_copy_leaves_nothing_and_the_retry_opens_it_once(
    call_api: ApiCaller, known: dict[str, Any], directory: Directory, monkeypatch: Any
) -> None:
    def crash(**_: Any) -> None:
        raise RuntimeError("the process died here")

    monkeypatch.setattr(copies, "notice_open", crash)
    query = UploadQuery(signals=[Signal("pdq", known["pdq"], 90)], upload_ref="c1")
    deliveries = Delivery.objects.count()
    with pytest.raises(RuntimeError):
        uploads_match(actor=directory.actors["x_mod"], queries=[query], bank_names=None)
    assert not Item.objects.filter(upload_ref="c1").exists()
    assert not Event.objects.filter(tag__in=["item:reupload", "item:copy_found"]).exists()
    assert Delivery.objects.count() == deliveries
    monkeypatch.undo()
    _, rows = call_api("x_mod", "post", "/match", {"signals": [pdq(known["pdq"], upload_ref="c1")]})
    assert rows[0]["reupload"]["opened"] and rows[0]["reupload"]["copy_number"] == 2
    assert Delivery.objects.count() == deliveries + 1
    assert Event.objects.filter(tag="item:copy_found").count() == 1


def test_a_batch_opens_one_item_per_upload_and_numbers_them_in_turn(
    call_api: ApiCaller, known: dict[str, Any]
) -> None:
    query = {
        "signals": [
            pdq(known["pdq"], upload_ref="a"),
            {"type": "md5", "value": known["md5"], "upload_ref": "a"},  # the same upload
            pdq(flip(known["pdq"], 20), upload_ref="b"),
            pdq(random_pdq(), upload_ref="c"),  # unknown content: no item
            pdq(known["pdq"]),  # no reference: a lookup only
        ]
    }
    status, rows = call_api("x_mod", "post", "/match", query)
    assert status == 200, rows
    copies = [r["reupload"] and r["reupload"]["copy_number"] for r in rows]
    assert copies == [2, 2, 3, None, None]
    assert [len(r["matches"]) for r in rows] == [1, 1, 1, 0, 1]
    item_a = Item.objects.get(upload_ref="a")
    assert {s["type"] for s in item_a.signals} == {"pdq", "md5"}
    # A reporter's lookup with a reference opens nothing: only platforms' uploads do.
    mine_query = {"signals": [pdq(known["pdq"], upload_ref="r")]}
    _, mine = call_api("analyst", "post", "/match", mine_query)
    assert mine[0]["reupload"] is None and len(mine[0]["matches"]) == 1
    assert Item.objects.filter(copy_of_id=known["item"]).count() == 2


def test_bad_match_input_is_a_precise_422(call_api: ApiCaller, known: dict[str, Any]) -> None:
    status, body = call_api("x_mod", "post", "/match", {"signals": []})
    assert status == 422 and body["error"] == "invalid"
    status, body = call_api("x_mod", "post", "/match", {"signals": [pdq("zz", upload_ref="a")]})
    assert status == 422 and "signal 0" in body["message"]
    status, body = call_api(
        "x_mod", "post", "/match", {"signals": [pdq(known["pdq"], upload_ref="")]}
    )
    assert status == 422 and body["details"][0]["element"] == "signals.0.upload_ref"
    status, body = call_api(
        "x_mod", "post", "/match", {"signals": [pdq(known["pdq"], upload_ref="q", url="a b")]}
    )
    assert status == 422 and not Item.objects.filter(upload_ref="q").exists()


def test_not_the_same_content_is_counted_and_repeated_reports_quarantine_the_entry(
    call_api: ApiCaller, known: dict[str, Any], settings: Any
) -> None:
    settings.HOTLINE_FALSE_MATCH_QUARANTINE = 2
    status, _ = call_api("analyst", "post", "/match/not-same", {"entry_id": 1, "upload_ref": "a"})
    assert status == 403  # only platforms say so
    status, body = call_api("x_mod", "post", "/match/not-same", {"entry_id": 0, "upload_ref": "a"})
    assert status == 404 and body["error"] == "not_found"
    _, rows = call_api("x_mod", "post", "/match", {"signals": [pdq(known["pdq"], upload_ref="u1")]})
    entry = rows[0]["matches"][0]["entry_id"]
    report = {"entry_id": entry, "upload_ref": "u1", "note": "a different beach photo"}
    status, said = call_api("x_mod", "post", "/match/not-same", report)
    assert status == 200, said
    assert said["counted"] and said["false_matches"] == 1 and not said["quarantined"]
    assert said["item_state"] == "rejected"
    assert Item.objects.get(upload_ref="u1").rejection_reason == "not_same_content"
    _, again = call_api("x_mod", "post", "/match/not-same", report)
    assert not again["counted"] and again["false_matches"] == 1  # one upload counts once
    # A lookup's entry can be reported too (no item was opened); the second upload quarantines.
    lookup = {"entry_id": entry, "upload_ref": "tg-9"}
    _, second = call_api("telegram_mod", "post", "/match/not-same", lookup)
    assert second["counted"] and second["quarantined"] and second["item_id"] is None
    assert FalseMatch.objects.filter(entry_id=entry).count() == 2
    assert Event.objects.filter(tag="bank:false_match").count() == 2
    _, rows = call_api("x_mod", "post", "/match", {"signals": [pdq(known["pdq"])]})
    assert rows[0]["matches"] == []  # quarantined: out of matching
    # The reporter whose case it came from sees and reviews it; nobody else can.
    _, listed = call_api("analyst", "get", "/banks/quarantine")
    assert [(q["entry_id"], q["false_matches"]) for q in listed] == [(entry, 2)]
    assert listed[0]["case_id"] == known["receipt"]["case_id"]
    _, others = call_api("caseworker_a", "get", "/banks/quarantine")
    assert others == []
    status, _ = call_api("x_mod", "get", "/banks/quarantine")
    assert status == 403
    path = f"/banks/entries/{entry}/review"
    status, _ = call_api("caseworker_a", "post", path, {"decision": "restore"})
    assert status == 404
    status, reviewed = call_api("analyst", "post", path, {"decision": "restore"})
    assert status == 200 and reviewed["matching"]
    _, rows = call_api("x_mod", "post", "/match", {"signals": [pdq(known["pdq"])]})
    assert [m["entry_id"] for m in rows[0]["matches"]] == [entry]
    status, _ = call_api("analyst", "post", path, {"decision": "remove"})
    assert status == 404  # no longer in quarantine
    for ref, who in (("u2", "x_mod"), ("tg-10", "telegram_mod")):
        call_api(who, "post", "/match/not-same", {"entry_id": entry, "upload_ref": ref})
    status, removed = call_api("analyst", "post", path, {"decision": "remove"})
    assert status == 200 and not removed["matching"]
    assert BankEntry.objects.get(pk=entry).removed_version is not None
    tags = set(Event.objects.filter(subject=f"item:{known['item']}").values_list("tag", flat=True))
    assert {"item:bank_quarantined", "item:bank_restored", "item:bank_removed"} <= tags


def test_hotline_recognises_a_newly_reported_url_as_a_copy(
    call_api: ApiCaller, known: dict[str, Any]
) -> None:
    body = request_body("https://x.com/b/status/77")
    body["items"][0]["signals"] = [pdq(flip(known["pdq"], 3))]
    status, receipt = call_api("caseworker_a", "post", "/requests", body)
    assert status == 201, receipt
    (item,) = receipt["items"]
    assert (item["copy_number"], item["found_by"], item["match_distance"]) == (2, "hotline", 3)
    assert item["seen_before"][0]["case_id"] is None  # the original case is not named to her
    told = Event.objects.get(tag="item:copy_found", subject=f"item:{known['item']}")
    assert told.actor == "hotline:matcher"  # the other centre's caseworker is not named
    # The original's organisation hears of the copy under its own case; the copy's case, and
    # the centre that filed it, are not in what it is told.
    (news,) = ReporterNews.objects.filter(kind=NewsKind.COPY_FOUND)
    assert news.organisation_id == told.organisation_id
    assert news.facts["case_id"] == known["receipt"]["case_id"]
    assert receipt["case_id"] not in str(news.facts) and "Centre A" not in str(news.facts)
    # Nor is the copy's item id: the original's record goes whole into its evidence package.
    assert told.payload == {
        "copy_another_organisation": True,
        "copy_number": 2,
        "found_by": "hotline",
        "distance": 3,
        "platform": "X",
    }


# vPDQ: (name, query frames as (stored frame index, or -k for the k-th unrelated hash; bits
# flipped; quality), whether it matches, query %, compared %), against a stored video of 10
# frames. Meta's rule: usable frames have quality >= 50, repeated hashes count once, and a
# video matches when >= 80% of the query's usable frames are within 31 bits of a stored frame.
U = [(-k, 0, 90) for k in range(1, 4)]  # three distinct unrelated frames
VPDQ_TABLE: list[tuple[str, list[tuple[int, int, int]], bool, float, float]] = [
    ("identical", [(i, 0, 90) for i in range(10)], True, 100.0, 100.0),
    ("re-encoded", [(i, 12, 90) for i in range(10)], True, 100.0, 100.0),
    ("80% exactly", [(i, 4, 90) for i in range(8)] + U[:2], True, 80.0, 80.0),
    ("70% falls short", [(i, 4, 90) for i in range(7)] + U, False, 0, 0),
    ("32 bits is too far", [(i, 32, 90) for i in range(10)], False, 0, 0),
    ("poor frames ignored", [(i, 0, 90) for i in range(7)] + [(-1, 0, 20)] * 3, True, 100, 70),
    ("repeats count once", [(i, 0, 90) for i in range(4)] + [U[0]] * 3, True, 80.0, 40.0),
    ("a clip", [(i, 0, 90) for i in range(4)], True, 100.0, 40.0),
    ("no usable frame", [(i, 0, 40) for i in range(10)], False, 0, 0),
]


def test_videos_match_by_the_vpdq_rule(call_api: ApiCaller) -> None:
    stored = [random_pdq() for _ in range(10)]
    receipt = file_and_confirm(call_api, 9, [pdq(h) for h in stored])
    unrelated = [random_pdq() for _ in range(4)]
    videos = []
    for _, frames, _, _, _ in VPDQ_TABLE:
        videos.append(
            {
                "frames": [
                    {"value": unrelated[-i] if i < 0 else flip(stored[i], bits), "quality": q}
                    for i, bits, q in frames
                ]
            }
        )
    videos[0]["upload_ref"] = "video-1"
    status, rows = call_api("x_mod", "post", "/match", {"videos": videos})
    assert status == 200, rows
    for (name, _, matches, query_pct, compared_pct), row in zip(VPDQ_TABLE, rows, strict=True):
        assert row["kind"] == "video", name
        if not matches:
            assert row["matches"] == [], name
            continue
        (match,) = row["matches"]
        assert match["signal_type"] == "vpdq", name
        assert (match["query_match_percent"], match["compared_match_percent"]) == (
            query_pct,
            compared_pct,
        ), name
    assert rows[0]["reupload"]["copy_number"] == 2
    assert rows[0]["reupload"]["case_id"] == receipt["case_id"]
    bad = {"videos": [{"frames": [{"value": "0", "quality": 90}]}]}
    status, body = call_api("x_mod", "post", "/match", bad)
    assert status == 422 and body["message"].startswith("videos[0]: signal 0: pdq must be 64")
