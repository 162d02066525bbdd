"""Word back to reporters: each outcome, with its evidence, by real SMTP and signed webhook.

Two organisations report the same room. Each hears the outcome under its own case and item,
in its own language, and neither learns who else reported it; the outbox sends each piece of
news once per subscription, and a change rolled back tells nobody.
"""

import email
import json
from datetime import timedelta
from email.policy import default
from typing import Any

import pytest
from django.db import transaction

from hotline.accounts.selectors import organisation_get
from hotline.cases.models import Item, Notice, ReporterNews
from hotline.cases.services.moderation import ItemDecision, item_act
from hotline.cases.services.news import news_digests_send
from hotline.cases.workflow import ItemAction, ItemState, RejectionReason
from hotline.core import clock
from hotline.core.worker import drain_ready_tasks
from hotline.delivery.models import Delivery
from hotline.delivery.services import delivery_relay_until_idle
from hotline.delivery.subscriptions import (
    SubscriptionChoice,
    subscription_set,
    subscription_webhook_set,
)
from hotline.verification import backends
from tests.conftest import ApiCaller, Directory, request_body
from tests.delivery.servers import Inbox, WebhookReceiver
from tests.web.conftest import signed_in_client

ROOM = "https://t.me/deepfake_room/5"
GONE_PAGE = '<div class="tgme_page_title">room</div><div data-post="deepfake_room/4"></div>'
KCSC_MAIL, CENTRE_MAIL = "news@kcsc.example", "news@centre-a.example"


def subscribe(name: str, *, email_to: str, language: str) -> int:
    organisation = organisation_get(name_or_slug=name)
    subscription_set(
        organisation_id=organisation.pk,
        user_id=None,
        choice=SubscriptionChoice(email=email_to, language=language, digest=True),
        actor="test",
    )
    return organisation.pk


def file(call_api: ApiCaller, who: str, *urls: str) -> dict[str, Any]:
    status, receipt = call_api(who, "post", "/requests", request_body(*urls))
    assert status == 201, receipt
    return receipt


def mails_to(inbox: Inbox, address: str) -> list[email.message.EmailMessage]:
    found = []
    for mail in inbox.messages:
        if address in mail.rcpt_tos:
            found.append(email.message_from_bytes(mail.content, policy=default))
    return found


def text_of(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@pytest.fixture
def two_reporters(
    call_api: ApiCaller, inbox: Inbox, receiver: tuple[WebhookReceiver, str]
) -> dict[str, Any]:
    """KCSC (Korean email) and Centre A (English email and a signed webhook) file one room."""
    hook, url = receiver
    subscribe("KCSC", email_to=KCSC_MAIL, language="ko")
    centre = subscribe("Centre A", email_to=CENTRE_MAIL, language="en")
    hook.secrets.append(subscription_webhook_set(organisation_id=centre, url=url, actor="test"))
    first = file(call_api, "analyst", ROOM)
    second = file(call_api, "caseworker_a", ROOM)
    return {"first": first, "second": second, "hook": hook}


def test_both_reporters_hear_the_confirmed_removal_with_evidence_and_never_of_each_other(
    call_api: ApiCaller, directory: Directory, inbox: Inbox, two_reporters: dict[str, Any]
) -> None:
    first, second = two_reporters["first"], two_reporters["second"]
    original = Item.objects.get(pk=first["items"][0]["id"])
    duplicate = second["items"][0]
    # The receipt of the duplicate names no other organisation's item (the bug fixed here).
    assert duplicate["state"] == "duplicate" and duplicate["duplicate_of"] is None
    assert duplicate["follows_state"] == "notified"

    notice = Notice.objects.get(pk=first["notices"][0]["id"])
    backends.FAKE_RESPONSES["https://t.me/s/deepfake_room/5"] = (200, GONE_PAGE)
    item_act(
        actor=directory.actors["telegram_mod"],
        notice_id=notice.pk,
        item_id=original.pk,
        decision=ItemDecision(action=ItemAction.REMOVE, note="removed for KCSC"),
    )
    drain_ready_tasks()  # hotline's check finds the room gone: removal confirmed
    delivery_relay_until_idle()
    original.refresh_from_db()
    assert original.state == ItemState.CONFIRMED_REMOVED

    korean = [text_of(m) for m in mails_to(inbox, KCSC_MAIL)]
    assert any("삭제 확인" in body and "SHA-256" in body for body in korean), korean
    english = mails_to(inbox, CENTRE_MAIL)
    subjects = [str(m["Subject"]) for m in english]
    assert f"[hotline {second['case_id']}] item 1: removal confirmed" in subjects, subjects
    confirmed = next(text_of(m) for m in english if "removal confirmed" in str(m["Subject"]))
    check = original.checks.get()
    assert check.body_sha256 in confirmed and "HTTP 200, gone" in confirmed
    for message in english:
        whole = message.as_string()
        assert first["case_id"] not in whole and "KCSC" not in whole  # never who else
        assert f"N{notice.pk}" not in whole  # nor the other organisation's notice

    hook = two_reporters["hook"]
    events = [json.loads(r["body"]) for r in hook.requests]
    assert hook.requests and all(r["verified"] for r in hook.requests)
    states = [e["data"]["state"] for e in events]
    assert states == ["removed", "confirmed_removed"], states
    assert {e["data"]["case_id"] for e in events} == {second["case_id"]}
    assert all("removed for KCSC" not in r["body"].decode() for r in hook.requests)

    # The duplicate's own receipt now shows the fate it follows.
    status, receipt = call_api("caseworker_a", "get", f"/requests/{second['case_id']}")
    assert status == 200 and receipt["items"][0]["follows_state"] == "confirmed_removed"
    assert receipt["items"][0]["confirmed_removed_at"] is not None
    page = signed_in_client("caseworker_a").get(f"/requests/{second['case_id']}/")
    shown = page.content.decode()
    assert "follows: Removal confirmed" in shown and first["case_id"] not in shown


def test_each_piece_of_news_is_sent_once_per_subscription_and_a_rollback_tells_nobody(
    directory: Directory, inbox: Inbox, two_reporters: dict[str, Any]
) -> None:
    notice = Notice.objects.get(pk=two_reporters["first"]["notices"][0]["id"])
    item = notice.items.get()
    news_before = ReporterNews.objects.count()

    def reject_then_die() -> None:
        with transaction.atomic():
            item_act(
                actor=directory.actors["telegram_mod"],
                notice_id=notice.pk,
                item_id=item.pk,
                decision=ItemDecision(action=ItemAction.REJECT, reason=RejectionReason.NOT_ILLEGAL),
            )
            raise RuntimeError("the process dies before the commit")

    with pytest.raises(RuntimeError):
        reject_then_die()
    assert ReporterNews.objects.count() == news_before
    assert not Delivery.objects.filter(kind__startswith="news:").exists()

    item_act(
        actor=directory.actors["telegram_mod"],
        notice_id=notice.pk,
        item_id=item.pk,
        decision=ItemDecision(action=ItemAction.REJECT, reason=RejectionReason.NOT_ILLEGAL),
    )
    delivery_relay_until_idle()
    delivery_relay_until_idle()  # a second relay finds nothing left to send
    news = Delivery.objects.filter(kind="news:outcome")
    # KCSC by email, Centre A by email and webhook: one row, one send, each.
    assert sorted(d.channel for d in news) == ["email", "email", "webhook"]
    assert all(d.status == "sent" and d.attempts == 1 for d in news)
    keys = [str(m["Hotline-Idempotency-Key"]) for m in mails_to(inbox, CENTRE_MAIL)]
    assert len(keys) == len(set(keys)) == 1
    assert "Reason: not_illegal" in text_of(mails_to(inbox, CENTRE_MAIL)[0])

    # The daily digest: one email with the day's news, and none again the same day.
    later = clock.now() + timedelta(days=1, minutes=1)
    assert news_digests_send(now=later) == 2
    assert news_digests_send(now=later) == 0
    delivery_relay_until_idle()
    digest = next(m for m in mails_to(inbox, KCSC_MAIL) if "일일 요약" in str(m["Subject"]))
    assert "거부" in text_of(digest)


def test_news_and_open_questions_stay_inside_each_organisation(
    call_api: ApiCaller, directory: Directory, two_reporters: dict[str, Any]
) -> None:
    notice = Notice.objects.get(pk=two_reporters["first"]["notices"][0]["id"])
    item_act(
        actor=directory.actors["telegram_mod"],
        notice_id=notice.pk,
        item_id=notice.items.get().pk,
        decision=ItemDecision(action=ItemAction.NEED_INFO, question="Which post exactly?"),
    )
    status, kcsc = call_api("analyst", "get", "/news")
    assert status == 200 and [n["kind"] for n in kcsc] == ["question"]
    status, questions = call_api("analyst", "get", "/questions")
    assert status == 200 and questions[0]["body"] == "Which post exactly?"
    assert questions[0]["age_seconds"] >= 0
    # The question is KCSC's to answer: Centre A, following the same room, is not asked,
    # and Centre B has nothing at all.
    assert call_api("caseworker_a", "get", "/questions") == (200, [])
    assert call_api("caseworker_b", "get", "/news") == (200, [])
    assert call_api("telegram_mod", "get", "/news")[0] == 403
