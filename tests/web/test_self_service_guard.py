"""The /self/ page's guards: an hourly limit per address, and URLs a person reviews first.

As the victim (no account) and as a reviewing caseworker, through the real views."""

import json

import pytest
from django.test import Client

from hotline.audit.models import Event
from hotline.cases.models import Notice
from hotline.selfservice.models import HeldUrl, Review
from tests.conftest import Directory
from tests.web.conftest import SignIn

SUBMIT = {"category": "non_consensual_intimate_image", "items": [{"url": "https://t.me/room/9"}]}


def _submit(client: Client, body: object = SUBMIT, **headers: str) -> tuple[int, dict, str]:
    response = client.post(
        "/self/submit", data=json.dumps(body), content_type="application/json", **headers
    )
    return response.status_code, response.json(), response.get("Retry-After", "")


@pytest.fixture
def two_an_hour(settings: object, directory: Directory) -> None:
    settings.HOTLINE_SELF_SUBMISSIONS_PER_HOUR = 2  # type: ignore[attr-defined]


def test_submissions_past_the_hourly_limit_answer_429_audited_once(two_an_hour: None) -> None:
    victim = Client(REMOTE_ADDR="198.51.100.7")
    assert [_submit(victim)[0] for _ in range(2)] == [201, 201]
    status, body, retry_after = _submit(victim)
    assert status == 429 and body["error"] == "throttled" and body["details"] == []
    assert "at most 2 an hour" in body["message"]
    assert 3000 < int(retry_after) <= 3600
    korean = _submit(victim, HTTP_ACCEPT_LANGUAGE="ko")
    assert korean[0] == 429 and "시간" in korean[1]["message"]
    # Another address is not held back by hers; only one audit event for the burst.
    assert _submit(Client(REMOTE_ADDR="198.51.100.8"))[0] == 201
    [event] = Event.objects.filter(tag="self_service:rate_limited")
    assert event.payload == {"kind": "submit", "limit": 2, "window_s": 3600}
    assert "198.51.100.7" not in str(event.subject)
    assert HeldUrl.objects.count() == 3


def test_the_limit_follows_the_trusted_proxy_address(two_an_hour: None, settings: object) -> None:
    settings.HOTLINE_TRUSTED_PROXY_COUNT = 1  # type: ignore[attr-defined]
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for n in range(3):  # three clients behind one proxy, each under its own limit
        assert _submit(proxy, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")[0] == 201
    answers = [_submit(proxy, HTTP_X_FORWARDED_FOR="203.0.113.0")[0] for _ in range(2)]
    assert answers == [201, 429]


def test_case_openings_count_too(two_an_hour: None) -> None:
    guesser = Client(REMOTE_ADDR="198.51.100.9")
    tries = [
        guesser.post("/self/status/", {"case_id": "HL-2026-000001", "pin": "0000-0000-0000"})
        for _ in range(3)
    ]
    assert [t.status_code for t in tries] == [403, 403, 429]
    assert tries[2]["Retry-After"] and b"at most 2 an hour" in tries[2].content


def test_a_submission_too_big_is_refused_with_what_is_too_many(directory: Directory) -> None:
    urls = {
        "category": "sexual_deepfake",
        "items": [{"url": f"https://t.me/r/{n}"} for n in range(11)],
    }
    status, body, _ = _submit(Client(), urls)
    assert (status, body["error"], body["details"][0]["element"]) == (413, "too_large", "items.url")


def test_a_caseworker_reviews_on_the_web_and_she_sees_each_outcome(
    directory: Directory, sign_in: SignIn
) -> None:
    victim = Client()
    body = {
        "category": "sexual_deepfake",
        "items": [{"url": "https://t.me/room/1"}, {"url": "https://t.me/room/2"}],
    }
    status, issued, _ = _submit(victim, body)
    assert status == 201
    opened = victim.post("/self/status/", {"case_id": issued["case_id"], "pin": issued["pin"]})
    assert opened.status_code == 302
    page = victim.get("/self/status/").content.decode()
    assert page.count("Waiting for review by a support centre") == 2

    moderator = sign_in("telegram_mod")
    assert moderator.get("/self-review/").status_code == 403
    caseworker = sign_in("caseworker_a")
    listing = caseworker.get("/self-review/").content.decode()
    assert "https://t.me/room/1" in listing and "https://t.me/room/2" in listing
    first, second = HeldUrl.objects.order_by("item__position")
    assert caseworker.post(f"/self-review/{first.pk}/", {"decision": "approve"}).status_code == 302
    declined = caseworker.post(
        f"/self-review/{second.pk}/", {"decision": "decline", "reason": "Not the same photo."}
    )
    assert declined.status_code == 302
    assert [h.review for h in HeldUrl.objects.order_by("pk")] == [Review.APPROVED, Review.DECLINED]
    assert Notice.objects.get().platform.name == "Telegram"
    assert "https://t.me/room/1" not in caseworker.get("/self-review/").content.decode()

    page = victim.get("/self/status/").content.decode()
    assert "Sent to Telegram" in page and "Not the same photo." in page
    # Another victim's page shows only her own case.
    other = Client()
    _, theirs, _ = _submit(
        other, {"category": "sexual_deepfake", "items": [{"url": "https://t.me/x/5"}]}
    )
    other.post("/self/status/", {"case_id": theirs["case_id"], "pin": theirs["pin"]})
    mine = other.get("/self/status/").content.decode()
    assert theirs["case_id"] in mine and issued["case_id"] not in mine and "room/1" not in mine
