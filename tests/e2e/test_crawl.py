"""No page and no API read answers 5xx, for anyone, after the demo and after a busier run.

Every page of hotline.web and every GET in the OpenAPI schema is requested by every kind of
visitor (reporter analyst, caseworker, moderator, auditor, administrator, anonymous, and the
signed action link), with path parameters filled from the real ids the scenario left, and
every same-origin link found on a page is followed too. It would have caught the review page
that answered 500 once an item had a verification check.
"""

import io
import secrets
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from hotline.accounts.selectors import membership_get
from hotline.accounts.services import actor_for_membership, token_create
from hotline.banks.models import Bank
from hotline.banks.services import (
    KNOWN_CONTENT_BANK,
    Signal,
    bank_add,
    bank_remove,
    banks_ensure_built_in,
)
from hotline.cases.models import Item, Message, MessageKind, Notice
from hotline.core import clock
from hotline.core.heartbeat import heartbeat_beat
from hotline.core.worker import drain_ready_tasks
from hotline.delivery.models import Delivery
from hotline.delivery.services import delivery_relay_until_idle
from hotline.demo.scenario import api
from hotline.platforms.services import DeadlineRule, platform_create
from hotline.selfservice.models import HeldUrl, SelfCase
from hotline.selfservice.review import held_url_approve, held_url_decline
from hotline.selfservice.services import self_case_file, self_case_withdraw
from tests.e2e.crawler import Crawl, Ids, api_read_urls, web_urls
from tests.web.conftest import signed_in_client

# The demo's people (hotline.demo.scenario); "admin" is the superuser administrator.
PEOPLE = ("analyst", "caseworker", "moderator", "auditor", "admin")
# The support centre's victim; the regulator happens to use the same reference for its own.
VICTIM = "V-2024-0012"


def crawl_everything() -> list[Crawl]:
    # A victim's self-filed case: one URL waits for review (the reporters' review page lists
    # it), one a caseworker declined (her status page says why).
    issued = self_case_file(
        items=[{"url": "https://t.me/school_leaks/1"}, {"url": "https://t.me/school_leaks/2"}],
        category="non_consensual_intimate_image",
    )
    declined = HeldUrl.objects.filter(item__request__case_id=issued.case_id).order_by("pk").last()
    assert declined is not None
    reviewer = actor_for_membership(membership_get(username="caseworker"))
    held_url_decline(actor=reviewer, held_id=declined.pk, reason="Not the photo described.")
    # Another, sent on to Telegram and then withdrawn: her status page says so, the notice's
    # item has no hashes left, and the moderator's feed carries notice:signals_withdrawn.
    gone = self_case_file(
        items=[
            {
                "url": "https://t.me/school_leaks/3",
                "signals": [{"type": "md5", "value": secrets.token_hex(16)}],
            }
        ],
        category="non_consensual_intimate_image",
    )
    [held] = HeldUrl.objects.filter(item__request__case_id=gone.case_id)
    held_url_approve(actor=reviewer, held_id=held.pk)
    self_case_withdraw(case=SelfCase.objects.get(request__case_id=gone.case_id), actor="self")
    # The scenario ran the worker's code inline; a live worker would have reported this round,
    # and /readyz rightly answers 503 without one.
    heartbeat_beat(name="crawl:worker", started_at=clock.now())
    ids = Ids.from_database()
    today = clock.now().date()
    pages = web_urls(ids)
    reads = api_read_urls(
        ids, since=(today - timedelta(days=3)).isoformat(), until=today.isoformat()
    )
    crawls = []
    for who in PEOPLE:
        page_visitor = signed_in_client(who)
        page_visitor.raise_request_exception = False  # a 500 is an answer to record
        # A platform's moderator is never shown a victim reference, on any page or read.
        secret = [VICTIM] if who == "moderator" else []
        crawl = Crawl(who=f"{who} (pages)", client=page_visitor, never_shown=secret)
        crawl.visit([*pages, "/admin/"])
        if who in ("analyst", "caseworker"):  # reporters: the self-filed URL waits for them
            assert crawl.seen["/self-review/"] == 200, crawl.seen["/self-review/"]
            assert crawl.seen[f"/victims/{VICTIM}/"] == 200
            assert crawl.seen["/victims/"] == 200
        else:
            assert crawl.seen[f"/victims/{VICTIM}/"] in (302, 403), who
        crawls.append(crawl)
        token = token_create(membership=membership_get(username=who), name="crawl", actor="test")
        reader = Crawl(
            who=f"{who} (API)",
            client=Client(raise_request_exception=False),
            headers={"HTTP_AUTHORIZATION": f"Bearer {token[1]}"},
            never_shown=secret,
        )
        reader.visit(reads, follow=False)
        expected = 200 if who in ("analyst", "caseworker") else 403
        assert reader.seen[f"/api/victims/{VICTIM}"] == expected, who
        crawls.append(reader)
    # Again: the crawl above takes minutes on a busy machine, longer than a heartbeat lasts.
    heartbeat_beat(name="crawl:worker", started_at=clock.now())
    anonymous = Crawl(who="anonymous", client=Client(raise_request_exception=False))
    operations = ["/healthz", "/readyz", "/metrics"]
    # The probes first: the anonymous crawl of every page can itself outlast a heartbeat.
    anonymous.visit([*operations, *pages, *reads, "/admin/", "/api/docs", "/api/openapi.json"])
    assert anonymous.seen["/readyz"] == 200, anonymous.client.get("/readyz").content
    crawls.append(anonymous)
    # The victim, who opened her self-service case with its number and PIN (hotline.selfservice).
    victim = Crawl(who="victim (self-service)", client=Client(raise_request_exception=False))
    opened = victim.client.post("/self/status/", {"case_id": issued.case_id, "pin": issued.pin})
    assert opened.status_code == 302, opened.status_code
    victim.visit(["/self/status/", "/self/"])
    assert victim.seen["/self/status/"] == 200
    assert b"Not the photo described." in victim.client.get("/self/status/").content
    crawls.append(victim)
    after = Crawl(who="victim (withdrawn)", client=Client(raise_request_exception=False))
    opened = after.client.post("/self/status/", {"case_id": gone.case_id, "pin": gone.pin})
    assert opened.status_code == 302, opened.status_code
    after.visit(["/self/status/"])
    assert after.seen["/self/status/"] == 200
    crawls.append(after)
    # The signed action link: anonymous, but holding each notice's link from its email.
    link = Crawl(
        who="signed link", client=Client(raise_request_exception=False), never_shown=[VICTIM]
    )
    link.visit(f"/act/{n}/{ids.tokens[n]}/" for n in ids.items_by_notice)
    crawls.append(link)
    return crawls


def file_for_a_victim() -> None:
    """The centre files two cases for one victim (one of them left in triage), and the
    regulator one under the same reference: two victims, neither sees the other's."""
    client = Client()
    for who, urls in (
        ("caseworker", ["https://t.me/school_leaks/1", "https://unknown-host.example/v/1"]),
        ("caseworker", ["https://x.com/a/status/12"]),
        ("analyst", ["https://t.me/school_leaks/3"]),
    ):
        token = token_create(membership=membership_get(username=who), name="v", actor="test")[1]
        body = {
            "category": "sexual_deepfake",
            "reasons": "A sexual deepfake of an identifiable adult, shared without consent.",
            "items": [{"url": u} for u in urls],
            "legal_bases": ["take_it_down"],
            "legal": {
                "signature": "/s/ C",
                "good_faith_statement": "not consensual",
                "contact": "c@x",
            },
            "victim_reference": VICTIM,
        }
        api(client, token, "post", "/requests", body)


def assert_no_5xx(crawls: list[Crawl], *, at_least: int) -> None:
    failures = [f for c in crawls for f in c.failures]
    assert failures == [], "\n".join(failures)
    shown = [s for c in crawls for s in c.shown]
    assert shown == [], "\n".join(shown)
    seen = sum(len(c.seen) for c in crawls)
    assert seen >= at_least, f"only {seen} URLs crawled"
    print(f"crawled {seen} URLs as {len(crawls)} visitors, none answered 5xx")  # with -s
    # The crawl saw real pages, not only refusals: every signed-in visitor got some 200s.
    for crawl in crawls:
        assert 200 in crawl.seen.values(), crawl.who


def run_with_replies_checks_and_escalations() -> None:
    """After the demo: the question is answered and answered back, the reopened item is acted
    on again and re-checked, a second case is filed and left to run past its deadline."""
    client = Client()
    tokens = {
        who: token_create(membership=membership_get(username=who), name="run", actor="test")[1]
        for who in ("analyst", "caseworker", "moderator")
    }
    question = Message.objects.filter(kind=MessageKind.QUESTION).order_by("pk").first()
    assert question is not None, "the demo asks one question"
    notice_path = f"/notices/{question.notice_id}"
    answer = api(
        client,
        tokens["analyst"],
        "post",
        f"{notice_path}/messages",
        {"kind": "answer", "body": "The post in the first link.", "reply_to": question.pk},
    )
    api(
        client,
        tokens["moderator"],
        "post",
        f"{notice_path}/messages",
        {"kind": "question", "body": "Thanks; and the second?", "reply_to": answer["id"]},
    )
    notice = api(client, tokens["moderator"], "get", notice_path)
    for item in notice["items"]:
        if item["state"] in ("reopened", "needs_info"):
            api(
                client,
                tokens["moderator"],
                "post",
                f"{notice_path}/items/{item['id']}/action",
                {"action": "removed"},
            )
    receipt = api(
        client,
        tokens["caseworker"],
        "post",
        "/requests",
        {
            "category": "sexual_deepfake",
            "reasons": "A sexual deepfake of an identifiable adult, shared without consent.",
            "items": [
                {"url": "https://t.me/school_leaks/1"},
                {"url": "https://x.com/a/status/9"},
                # A room with its message above, and a Discord room and message that wait in
                # triage until Discord is added below (decision 22).
                {"url": "https://t.me/school_leaks"},
                {"url": "https://discord.com/channels/42/43"},
                {"url": "https://discordapp.com/channels/42/43/44"},
            ],
            "legal_bases": ["take_it_down"],
            "legal": {
                "signature": "/s/ C",
                "good_faith_statement": "not consensual",
                "contact": "c@x",
            },
            "victim_reference": VICTIM,  # her third case, left to run past its deadline
        },
    )
    _reroute_and_remove_a_room(client, tokens["moderator"], receipt)
    _reupload_and_quarantine(client, tokens["moderator"])
    drain_ready_tasks()
    delivery_relay_until_idle()
    clock.travel_to(clock.now() + timedelta(days=3))  # past every deadline of the new case
    try:
        drain_ready_tasks()
        delivery_relay_until_idle()
    finally:
        clock.back_to_real_time()
    new_notices = [n["id"] for n in receipt["notices"]]
    assert Notice.objects.filter(pk__in=new_notices, escalated_at__isnull=False).exists()


def _reroute_and_remove_a_room(client: Client, moderator: str, receipt: dict[str, Any]) -> None:
    """Discord is added: its waiting items are re-routed onto a notice. Telegram removes the
    room: the message in it reads as covered by the room's outcome."""
    items = {i["position"]: i for i in receipt["items"]}
    assert items[4]["state"] == items[5]["state"] == "triage"
    assert items[5]["room"]["item_id"] == items[4]["id"]
    platform_create(
        name="Discord",
        hosts=["discord.com"],
        hotline_email="safety@discord.example",
        deadlines=[DeadlineRule("KR", 24, 12)],
        actor="crawl",
    )
    drain_ready_tasks()
    moved = Item.objects.filter(pk__in=[items[4]["id"], items[5]["id"]])
    assert {i.state for i in moved} == {"notified"} and len({i.notice_id for i in moved}) == 1
    room = Item.objects.get(pk=items[3]["id"])
    assert room.notice_id is not None
    api(client, moderator, "post", f"/notices/{room.notice_id}/items/{room.pk}/action",
        {"action": "removed"})  # fmt: skip
    assert Item.objects.filter(room_item=room).exists()


def _reupload_and_quarantine(client: Client, moderator: str) -> None:
    """A copy of confirmed content opened by a match, and an entry quarantined by reports, so
    the copy badges and the reporter's review list are crawled too."""
    item = Item.objects.exclude(notice=None).order_by("pk").first()
    assert item is not None
    # As if hotline had confirmed this item removed: its hash joins the known-content bank.
    # A transactional test before this one may have flushed the migration-made banks.
    banks_ensure_built_in(actor="t")
    bank = Bank.objects.get(name=KNOWN_CONTENT_BANK)
    (entry,) = bank_add(
        bank=bank,
        signals=[Signal("pdq", "ab" * 32, 90)],
        item_id=item.pk,
        source="crawl",
        actor="t",
    )
    signal = {"type": "pdq", "value": entry.value, "quality": 90, "upload_ref": "crawl-1"}
    (row,) = api(client, moderator, "post", "/match", {"signals": [signal]})
    assert row["reupload"] is not None
    for n in range(3):
        report = {"entry_id": entry.pk, "upload_ref": f"crawl-{n + 1}"}
        api(client, moderator, "post", "/match/not-same", report)
    entry.refresh_from_db()
    assert entry.quarantined_at is not None
    # An entry added and then removed: the bank feed has a deletion to show.
    (gone,) = bank_add(bank=bank, signals=[Signal("md5", "cd" * 16)], source="crawl", actor="t")
    bank_remove(bank=bank, entry_ids=[gone.pk], actor="t")


@pytest.mark.slow
def test_no_page_or_api_read_answers_5xx_for_anyone(transactional_db: None) -> None:
    call_command("demo", "--no-serve", stdout=io.StringIO())
    assert Delivery.objects.filter(kind="escalation").exists()
    file_for_a_victim()
    assert_no_5xx(crawl_everything(), at_least=2000)

    run_with_replies_checks_and_escalations()
    assert Message.objects.filter(reply_to__isnull=False).count() >= 2
    assert_no_5xx(crawl_everything(), at_least=2000)
