"""A victim's reference never leaves her centre: no notice, email, webhook, feed event, DSA
statement, evidence package or page a platform can open holds it (decision 21).

A centre files with a distinctive reference; the notices go out by real SMTP (Telegram) and
signed webhook (X), a question is asked and answered, a notice is escalated to the official,
the reporter hears the news by email and webhook. Then every outbound payload is searched
for the reference: each delivery row, each mail as the SMTP server received it (decoded),
each webhook body, the platforms' feeds, and every page and API read a platform's moderator
or a notice's signed link reaches (ZIPs opened).
"""

import dataclasses
import email
import json
from datetime import timedelta
from email.policy import default
from typing import Any

from django.test import Client

from hotline.accounts.selectors import membership_get, organisation_get
from hotline.accounts.services import token_create
from hotline.cases.services.deadlines import notices_escalate_overdue
from hotline.core import clock
from hotline.delivery.models import Delivery
from hotline.delivery.services import delivery_relay_until_idle
from hotline.delivery.subscriptions import (
    SubscriptionChoice,
    subscription_set,
    subscription_webhook_set,
)
from hotline.delivery.webhook_secrets import webhook_secret_rotate
from hotline.platforms.models import Platform
from tests.conftest import ApiCaller, Directory, request_body
from tests.delivery.servers import Inbox, WebhookReceiver
from tests.e2e.crawler import Crawl, Ids, api_read_urls, web_urls
from tests.web.conftest import signed_in_client

REFERENCE = "V-LEAKCHECK-7Q9Z"


def _mail_texts(inbox: Inbox) -> list[str]:
    """Each received mail as text: its headers and every part decoded (base64, QP)."""
    texts = []
    for mail in inbox.messages:
        message = email.message_from_bytes(mail.content, policy=default)
        parts = [str(message)]
        for part in message.walk():
            if not part.is_multipart():
                parts.append(str(part.get_content()))  # type: ignore[attr-defined]
        texts.append("\n".join(parts) + "\n" + mail.content.decode("utf-8", errors="replace"))
    return texts


def _file_and_run(call_api: ApiCaller, hook: WebhookReceiver, url: str) -> dict[str, Any]:
    x = Platform.objects.get(name="X")
    Platform.objects.filter(pk=x.pk).update(channel="webhook", webhook_url=url)
    hook.secrets.append(webhook_secret_rotate(platform=x, actor="test").secret)
    centre = organisation_get(name_or_slug="Centre A").pk
    subscription_set(
        organisation_id=centre,
        user_id=None,
        choice=SubscriptionChoice(email="news@centre-a.example", language="en", digest=False),
        actor="test",
    )
    hook.secrets.append(subscription_webhook_set(organisation_id=centre, url=url, actor="test"))
    body = request_body(
        "https://t.me/leakroom/1",
        "https://t.me/leakroom/2",
        "https://x.com/leak/status/1",
        victim_reference=REFERENCE.lower(),
        urgent=True,
    )
    status, receipt = call_api("caseworker_a", "post", "/requests", body)
    assert status == 201, receipt
    assert receipt["victim_reference"] == REFERENCE
    telegram, x_notice = (
        next(n for n in receipt["notices"] if n["platform"] == name) for name in ("Telegram", "X")
    )
    items = {i["url"]: i["id"] for i in receipt["items"]}
    act = "/notices/{}/items/{}/action"
    status, _ = call_api(
        "telegram_mod",
        "post",
        act.format(telegram["id"], items["https://t.me/leakroom/1"]),
        {"action": "needs_info", "question": "Which post in the room?"},
    )
    assert status == 200
    status, thread = call_api("caseworker_a", "get", f"/notices/{telegram['id']}/messages")
    question = next(m for m in thread if m["kind"] == "question")
    status, _ = call_api(
        "caseworker_a",
        "post",
        f"/notices/{telegram['id']}/messages",
        {"kind": "answer", "body": "The first post.", "reply_to": question["id"]},
    )
    assert status == 201
    status, _ = call_api(
        "x_mod",
        "post",
        act.format(x_notice["id"], items["https://x.com/leak/status/1"]),
        {"action": "rejected", "reason": "not_illegal"},
    )
    assert status == 200
    delivery_relay_until_idle()
    late = clock.now() + timedelta(days=3)
    clock.travel_to(late)
    try:
        assert notices_escalate_overdue(now=late) >= 1
        delivery_relay_until_idle()
    finally:
        clock.back_to_real_time()
    return receipt


def test_the_victim_reference_is_in_no_outbound_payload_and_on_no_platform_page(
    call_api: ApiCaller,
    directory: Directory,
    inbox: Inbox,
    receiver: tuple[WebhookReceiver, str],
) -> None:
    hook, url = receiver
    _file_and_run(call_api, hook, url)
    secret = REFERENCE.lower()

    # Every delivery row, to platforms, officials and the reporter alike, as stored.
    deliveries = list(Delivery.objects.values())
    kinds = {d["kind"] for d in deliveries}
    assert {"notice", "escalation"} <= kinds, kinds
    assert len(deliveries) >= 5
    for row in deliveries:
        assert secret not in json.dumps(row, default=str).lower(), row["kind"]

    # What the SMTP server and the webhook endpoint received.
    mails = _mail_texts(inbox)
    assert len(mails) >= 3
    assert any("hotline@telegram.example" in m for m in mails)  # the notice itself
    assert all(secret not in m.lower() for m in mails)
    assert len(hook.requests) >= 2
    assert all(secret.encode() not in r["body"].lower() for r in hook.requests)

    # The pull feed of each platform.
    for who in ("telegram_mod", "x_mod"):
        status, feed = call_api(who, "get", "/feed?limit=500")
        assert status == 200 and feed["events"]
        assert secret not in json.dumps(feed).lower()

    # Every page and API read a platform can reach (DSA export and evidence ZIPs included),
    # and every notice's signed link. The crawl asks for no victim by name: a page echoing
    # a reference the visitor typed would tell nothing.
    ids = dataclasses.replace(Ids.from_database(), victim_refs=[])
    today = clock.now().date()
    reads = api_read_urls(
        ids, since=(today - timedelta(days=3)).isoformat(), until=today.isoformat()
    )
    crawls = []
    for who in ("telegram_mod", "x_mod"):
        page_visitor = signed_in_client(who)
        page_visitor.raise_request_exception = False
        pages = Crawl(who=f"{who} (pages)", client=page_visitor, never_shown=[REFERENCE])
        pages.visit(web_urls(ids))
        token = token_create(membership=membership_get(username=who), name="leak", actor="test")
        reader = Crawl(
            who=f"{who} (API)",
            client=Client(raise_request_exception=False),
            headers={"HTTP_AUTHORIZATION": f"Bearer {token[1]}"},
            never_shown=[REFERENCE],
        )
        reader.visit(reads, follow=False)
        crawls += [pages, reader]
    link = Crawl(
        who="signed link", client=Client(raise_request_exception=False), never_shown=[REFERENCE]
    )
    link.visit(f"/act/{n}/{t}/" for n, t in ids.tokens.items())
    crawls.append(link)
    for crawl in crawls:
        assert crawl.shown == [], "\n".join(crawl.shown)
        assert 200 in crawl.seen.values(), crawl.who
    platform_reads = crawls[1].seen
    assert platform_reads.get("/api/export/dsa-sor?platform=Telegram") == 200
    assert any(
        u.startswith("/api/evidence/platforms/Telegram") and s == 200
        for u, s in platform_reads.items()
    )

    # The control: the same crawl as the centre does find her reference, so the search works.
    centre = Crawl(who="centre", client=signed_in_client("caseworker_a"), never_shown=[REFERENCE])
    centre.visit(["/requests/", "/victims/"], follow=False)
    assert len(centre.shown) == 2
