"""Every page for every role: who sees it, who is refused, nothing leaks across organisations."""

from collections.abc import Callable

import pytest
from django.test import Client

from hotline.cases.models import Item, Notice
from hotline.cases.tokens import notice_action_token
from hotline.platforms.models import Platform
from tests.api.conftest import VICTIM_A, World, snapshot
from tests.web.conftest import SignIn

Page = Callable[[World], str]

PAGES: dict[str, Page] = {
    "dashboard": lambda w: "/requests/",
    "new_request": lambda w: "/requests/new/",
    "case_a": lambda w: f"/requests/{w.case_a}/",
    "queue": lambda w: "/queue/",
    "telegram_review": lambda w: f"/notices/{w.telegram_notice}/",
    "telegram_open_url": lambda w: f"/notices/{w.telegram_notice}/items/{w.telegram_item}/open/",
    "compliance": lambda w: "/compliance/",
    "compliance_telegram": lambda w: f"/compliance/{_platform('Telegram')}/",
    "compliance_telegram_csv": lambda w: f"/compliance/{_platform('Telegram')}/report.csv",
    "preferences": lambda w: "/preferences/",
    "victims": lambda w: "/victims/",
    "victim_a": lambda w: f"/victims/{VICTIM_A}/",
}


def _platform(name: str) -> int:
    return Platform.objects.get(name=name).pk


# What each person gets on each page (200 ok, 403 wrong role, 404 not theirs).
EXPECTED: dict[str, dict[str, int]] = {
    "caseworker_a": {
        "dashboard": 200, "new_request": 200, "case_a": 200, "queue": 403,
        "telegram_review": 403, "telegram_open_url": 403, "compliance": 200,
        "compliance_telegram": 200, "compliance_telegram_csv": 200, "preferences": 200,
        "victims": 200, "victim_a": 200,
    },
    "caseworker_b": {
        "dashboard": 200, "new_request": 200, "case_a": 404, "queue": 403,
        "telegram_review": 403, "telegram_open_url": 403, "compliance": 200,
        "compliance_telegram": 200, "compliance_telegram_csv": 200, "preferences": 200,
        "victims": 200, "victim_a": 404,
    },
    "telegram_mod": {
        "dashboard": 403, "new_request": 403, "case_a": 403, "queue": 200,
        "telegram_review": 200, "telegram_open_url": 200, "compliance": 200,
        "compliance_telegram": 200, "compliance_telegram_csv": 200, "preferences": 200,
        "victims": 403, "victim_a": 403,
    },
    "x_mod": {
        "dashboard": 403, "new_request": 403, "case_a": 403, "queue": 200,
        "telegram_review": 404, "telegram_open_url": 404, "compliance": 200,
        "compliance_telegram": 404, "compliance_telegram_csv": 404, "preferences": 200,
        "victims": 403, "victim_a": 403,
    },
    "auditor": {
        "dashboard": 403, "new_request": 403, "case_a": 403, "queue": 403,
        "telegram_review": 403, "telegram_open_url": 403, "compliance": 200,
        "compliance_telegram": 200, "compliance_telegram_csv": 200, "preferences": 200,
        "victims": 403, "victim_a": 403,
    },
}  # fmt: skip


@pytest.mark.parametrize("who", sorted(EXPECTED))
@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_page_for_every_role(sign_in: SignIn, world: World, who: str, page: str) -> None:
    response = sign_in(who).get(PAGES[page](world))
    assert response.status_code == EXPECTED[who][page]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_anonymous_people_are_sent_to_sign_in(world: World, page: str) -> None:
    response = Client().get(PAGES[page](world))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("page", ["dashboard", "queue", "compliance"])
def test_a_password_alone_is_not_enough(sign_in: SignIn, world: World, page: str) -> None:
    from tests.web.conftest import signed_in_client

    client = signed_in_client("caseworker_a" if page != "queue" else "telegram_mod", verified=False)
    response = client.get(PAGES[page](world))
    assert response.status_code == 302 and response["Location"] == "/login/code/"


def test_a_centre_never_sees_another_centres_case_anywhere(sign_in: SignIn, world: World) -> None:
    client = sign_in("caseworker_b")
    assert world.case_a not in client.get("/requests/").content.decode()


def test_a_platform_never_sees_another_platforms_items(sign_in: SignIn, world: World) -> None:
    queue = sign_in("x_mod").get("/queue/").content.decode()
    assert f"/notices/{world.telegram_notice}/" not in queue
    assert f"/notices/{world.x_notice}/" in queue


def test_reporters_cannot_act_and_moderators_cannot_file(sign_in: SignIn, world: World) -> None:
    reporter, other_platform, moderator = (
        sign_in(p) for p in ("caseworker_a", "x_mod", "telegram_mod")
    )
    before = snapshot()
    act = f"/notices/{world.telegram_notice}/items/{world.telegram_item}/act/"
    assert reporter.post(act, {"action": "removed"}).status_code == 403
    assert other_platform.post(act, {"action": "removed"}).status_code == 404
    filed = moderator.post("/requests/new/", {"category": "sexual_deepfake"})
    assert filed.status_code == 403
    assert snapshot() == before


def test_a_moderator_acts_on_an_item(sign_in: SignIn, world: World) -> None:
    act = f"/notices/{world.telegram_notice}/items/{world.telegram_item}/act/"
    response = sign_in("telegram_mod").post(act, {"action": "removed"})
    assert response.status_code == 302
    assert Item.objects.get(pk=world.telegram_item).state == "removed"


def test_the_signed_link_acts_on_its_notice_only(world: World) -> None:
    client = Client()
    token = notice_action_token(Notice.objects.get(pk=world.telegram_notice))
    base = f"/act/{world.telegram_notice}/{token}/"
    assert client.get(base).status_code == 200
    assert client.get(f"/act/{world.telegram_notice}/{'0' * 16}/").status_code == 404
    assert client.get(f"/act/{world.x_notice}/{token}/").status_code == 404
    # Another notice's item through this notice's link: not on this notice.
    foreign = client.post(f"{base}items/{world.x_item}/act/", {"action": "removed"})
    assert foreign.status_code == 404
    assert Item.objects.get(pk=world.x_item).state == "notified"
    client.post(f"{base}items/{world.telegram_item}/act/", {"action": "removed"})
    assert Item.objects.get(pk=world.telegram_item).state == "removed"


def test_web_pages_carry_a_strict_content_security_policy(world: World) -> None:
    response = Client().get("/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
