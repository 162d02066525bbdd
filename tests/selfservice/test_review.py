"""URLs she files on /self/ wait for a person: no notice, no platform, until a reviewer acts.

Her hashes are banked at once; a reviewer (any regulator or support-centre reporter) sends a
URL on, with the platform's usual deadline, or declines it with a reason she reads."""

from typing import Any

import pytest

from hotline.audit.models import Event
from hotline.banks.models import BankEntry
from hotline.cases.feed import feed_for_actor
from hotline.cases.models import Item, Notice
from hotline.cases.workflow import ItemState
from hotline.core.errors import InvalidInput
from hotline.delivery.models import Delivery
from hotline.selfservice.models import HeldUrl, Review, SelfCase
from hotline.selfservice.selectors import self_case_status
from hotline.selfservice.services import MAX_SIGNALS, Issued, self_case_file
from tests.conftest import ApiCaller, Directory

PHOTO = [{"type": "md5", "value": "0123456789abcdef0123456789abcdef"}]


@pytest.fixture
def filed(directory: Directory) -> Issued:
    return self_case_file(
        items=[
            {"signals": PHOTO},
            {"url": "https://t.me/room/77"},
            {"url": "https://t.me/room/78"},
        ],
        category="non_consensual_intimate_image",
    )


def _held(case_id: str) -> list[HeldUrl]:
    return list(HeldUrl.objects.filter(item__request__case_id=case_id).order_by("item__position"))


def _rows(case_id: str) -> list[tuple[int, str, str]]:
    page = self_case_status(case=SelfCase.objects.get(request__case_id=case_id))
    return [(r.position, r.status, r.platform) for r in page.rows]


def test_her_urls_wait_with_no_platform_while_her_hashes_are_banked(
    filed: Issued, directory: Directory
) -> None:
    items = Item.objects.filter(request__case_id=filed.case_id).order_by("position")
    assert [(i.state, i.platform_id, i.notice_id) for i in items] == [
        (ItemState.TRIAGE, None, None)
    ] * 3
    assert not Notice.objects.exists() and not Delivery.objects.filter(kind="notice").exists()
    assert [h.review for h in _held(filed.case_id)] == [Review.WAITING, Review.WAITING]
    assert BankEntry.objects.filter(item_id=items[0].pk, value=PHOTO[0]["value"]).exists()
    # The platform sees nothing of it: no notice, no feed event.
    telegram = directory.actors["telegram_mod"]
    assert feed_for_actor(actor=telegram, after=None).events == []
    assert _rows(filed.case_id) == [
        (1, "checking", ""),
        (2, "waiting_review", ""),
        (3, "waiting_review", ""),
    ]


def test_a_reviewer_sends_one_on_and_declines_the_other_both_audited(
    filed: Issued, call_api: ApiCaller
) -> None:
    status, waiting = call_api("caseworker_b", "get", "/self-review")
    assert status == 200
    assert [(w["case_id"], w["url"]) for w in waiting] == [
        (filed.case_id, "https://t.me/room/77"),
        (filed.case_id, "https://t.me/room/78"),
    ]
    first, second = (w["id"] for w in waiting)

    status, sent = call_api("caseworker_b", "post", f"/self-review/{first}/approve")
    assert status == 200, sent
    assert (sent["review"], sent["platform"]) == ("approved", "Telegram")
    notice = Notice.objects.get(pk=sent["notice_id"])
    assert notice.platform.name == "Telegram" and notice.deadline_at > notice.created_at
    assert Item.objects.get(pk=notice.items.get().pk).state == ItemState.NOTIFIED

    status, refused = call_api("caseworker_b", "post", f"/self-review/{second}/decline", {})
    assert status == 422 and refused["error"] == "invalid"
    reason = {"reason": "The link shows a news article, not the image you describe."}
    status, declined = call_api("caseworker_b", "post", f"/self-review/{second}/decline", reason)
    assert status == 200 and declined["review"] == "declined" and declined["notice_id"] is None
    status, again = call_api("analyst", "post", f"/self-review/{second}/approve")
    assert status == 409 and again["error"] == "conflict"

    events = {e.tag: e for e in Event.objects.filter(tag__startswith="item:review_")}
    assert set(events) == {"item:review_approved", "item:review_declined"}
    assert events["item:review_approved"].payload["reviewer"] == "caseworker_b"
    assert events["item:review_declined"].payload["reason"] == reason["reason"]
    assert _rows(filed.case_id) == [
        (1, "checking", ""),
        (2, "with_platform", "Telegram"),
        (3, "declined", ""),
    ]
    page = self_case_status(case=SelfCase.objects.get(request__case_id=filed.case_id))
    assert page.rows[2].declined_reason == reason["reason"]
    assert call_api("caseworker_b", "get", "/self-review") == (200, [])


@pytest.mark.parametrize("who", ["telegram_mod", "x_mod", "auditor"])
def test_no_platform_or_auditor_sees_or_decides_what_waits(
    filed: Issued, call_api: ApiCaller, who: str
) -> None:
    [held, _] = _held(filed.case_id)
    answers: list[Any] = [
        call_api(who, "get", "/self-review"),
        call_api(who, "post", f"/self-review/{held.pk}/approve"),
        call_api(who, "post", f"/self-review/{held.pk}/decline", {"reason": "no"}),
    ]
    assert [status for status, _ in answers] == [403, 403, 403]
    assert "t.me" not in str(answers)
    assert HeldUrl.objects.get(pk=held.pk).review == Review.WAITING


def test_a_url_of_an_unknown_host_cannot_be_sent_on_and_stays_waiting(
    directory: Directory, call_api: ApiCaller
) -> None:
    issued = self_case_file(
        items=[{"url": "https://unknown.example/p/1"}], category="sexual_deepfake"
    )
    [held] = _held(issued.case_id)
    status, body = call_api("analyst", "post", f"/self-review/{held.pk}/approve")
    assert status == 409 and "unknown.example" in body["message"]
    assert HeldUrl.objects.get(pk=held.pk).review == Review.WAITING
    assert call_api("analyst", "post", "/self-review/999999/approve")[0] == 404


def test_caps_on_one_submission_name_what_is_too_many(directory: Directory) -> None:
    urls = [{"url": f"https://t.me/room/{n}"} for n in range(11)]
    with pytest.raises(InvalidInput) as too_many_urls:
        self_case_file(items=urls, category="sexual_deepfake")
    assert too_many_urls.value.status_code == 413
    assert too_many_urls.value.details[0]["element"] == "items.url"
    hashes = [{"signals": PHOTO * (MAX_SIGNALS + 1)}]
    with pytest.raises(InvalidInput) as too_many_hashes:
        self_case_file(items=hashes, category="sexual_deepfake")
    assert too_many_hashes.value.details[0]["element"] == "items[1].signals"
    assert not SelfCase.objects.exists()
