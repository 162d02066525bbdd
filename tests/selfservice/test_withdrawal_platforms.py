"""Platforms that received her hashes are told to delete them, by ids, never by value.

A webhook platform gets a signed `signals_withdrawn` POST (verified here with the snippet
documented for platforms); a pull platform reads `notice:signals_withdrawn` on its feed; an
email platform gets a message in its language. Each names the notice, the items and the bank
entry ids (the tombstones a bank export feed shows).
"""

import hashlib
import json
import secrets
from typing import Any

from hotline.audit.models import Event
from hotline.banks.models import PurgedEntry
from hotline.cases.models import Item, ItemCheck, ReporterNews
from hotline.core.worker import drain_ready_tasks
from hotline.delivery.models import Delivery
from hotline.delivery.services import delivery_relay_until_idle
from hotline.delivery.webhook_secrets import webhook_secret_rotate
from hotline.platforms.models import Platform
from hotline.selfservice.services import self_case_withdraw_for
from hotline.verification import backends
from tests.conftest import ApiCaller, Directory, request_body
from tests.delivery.conftest import receiver  # noqa: F401 (fixture)
from tests.delivery.servers import WebhookReceiver
from tests.inbound.wild import database_bytes


def file_with_hashes(call_api: ApiCaller, url: str) -> tuple[dict[str, Any], list[str]]:
    values = [secrets.token_hex(32), secrets.token_hex(16)]
    body = request_body(url)
    body["items"][0]["signals"] = [
        {"type": "pdq", "value": values[0], "quality": 100},
        {"type": "md5", "value": values[1]},
    ]
    status, receipt = call_api("analyst", "post", "/requests", body)
    assert status == 201, receipt
    return receipt, values


def test_a_webhook_platform_gets_a_signed_deletion_event_naming_ids_only(
    directory: Directory,
    call_api: ApiCaller,
    receiver: tuple[WebhookReceiver, str],  # noqa: F811
) -> None:
    hook, url = receiver
    Platform.objects.filter(name="X").update(channel="webhook", webhook_url=url)
    platform = Platform.objects.get(name="X")
    hook.secrets = [webhook_secret_rotate(platform=platform, actor="t").secret]
    receipt, values = file_with_hashes(call_api, "https://x.com/a/status/7")
    delivery_relay_until_idle()
    assert values[0] in hook.requests[0]["body"].decode()  # the notice carried her hashes

    self_case_withdraw_for(case_id=receipt["case_id"], actor=directory.actors["analyst"])
    delivery_relay_until_idle()

    request = hook.requests[-1]
    assert request["verified"]
    assert request["headers"]["hotline-event"] == "signals_withdrawn"
    document = json.loads(request["body"])
    item_id, notice_id = receipt["items"][0]["id"], receipt["notices"][0]["id"]
    entries = sorted(PurgedEntry.objects.filter(item_id=item_id).values_list("entry_id", flat=True))
    assert len(entries) == 2
    assert document["event"] == "signals_withdrawn"
    assert document["about"] == f"notice:{notice_id}"
    data = document["data"]
    assert (data["event"], data["notice_id"]) == ("signals_withdrawn", notice_id)
    assert (data["item_ids"], data["bank_entry_ids"]) == ([item_id], entries)
    assert not [v for v in values if v in request["body"].decode().lower()]
    assert Item.objects.get(pk=item_id).signals == []


def test_the_feed_and_an_email_platform_are_told_too(
    directory: Directory, call_api: ApiCaller
) -> None:
    receipt, values = file_with_hashes(call_api, "https://t.me/room/70")
    self_case_withdraw_for(case_id=receipt["case_id"], actor=directory.actors["analyst"])
    item_id, notice_id = receipt["items"][0]["id"], receipt["notices"][0]["id"]
    status, page = call_api("telegram_mod", "get", "/feed")
    assert status == 200
    [event] = [e for e in page["events"] if e["event"] == "notice:signals_withdrawn"]
    entries = sorted(PurgedEntry.objects.filter(item_id=item_id).values_list("entry_id", flat=True))
    assert (event["notice_id"], event["item_ids"], event["bank_entry_ids"]) == (
        notice_id,
        [item_id],
        entries,
    )
    other = [e for e in page["events"] if e["event"] != "notice:signals_withdrawn"]
    assert all(e["item_ids"] == [] and e["bank_entry_ids"] == [] for e in other)
    # X's feed shows nothing of it: the notice was not addressed to X.
    status, page = call_api("x_mod", "get", "/feed")
    assert not [e for e in page["events"] if e["event"] == "notice:signals_withdrawn"]
    # Telegram is on email: its hotline address gets the words, naming ids only.
    [message] = Delivery.objects.filter(kind="signals_withdrawn")
    assert message.recipient == "hotline@telegram.example"
    assert f"N{notice_id}" in message.body and str(entries[0]) in message.body
    assert not [v for v in values if v in message.body + json.dumps(message.payload)]
    # Withdrawing again deletes nothing and tells no one twice.
    self_case_withdraw_for(case_id=receipt["case_id"], actor=directory.actors["analyst"])
    assert Delivery.objects.filter(kind="signals_withdrawn").count() == 1


def test_a_url_that_served_her_media_itself_leaves_its_digest_nowhere(
    directory: Directory, call_api: ApiCaller
) -> None:
    """A check's body digest is her SHA-256 when the URL is the file itself: it never enters
    the audit record or the news, and the check's own copy goes with the withdrawal."""
    media = secrets.token_bytes(64)
    digest = hashlib.sha256(media).hexdigest()
    body = request_body("https://t.me/room/71")
    body["items"][0]["signals"] = [{"type": "sha256", "value": digest}]
    status, receipt = call_api("analyst", "post", "/requests", body)
    assert status == 201, receipt
    backends.FAKE_RESPONSES["https://t.me/s/room/71"] = (200, media)
    notice, item = receipt["notices"][0]["id"], receipt["items"][0]["id"]
    status, _ = call_api(
        "telegram_mod", "post", f"/notices/{notice}/items/{item}/action", {"action": "removed"}
    )
    assert status == 200
    drain_ready_tasks()
    check = ItemCheck.objects.get(item_id=item)
    assert check.body_sha256 == digest  # the evidence row has it, until she withdraws
    [event] = Event.objects.filter(tag="item:check", subject=f"item:{item}")
    assert event.payload["body_is_reported_media"] is True
    assert digest not in json.dumps(list(Event.objects.values_list("payload", flat=True)))
    assert digest not in json.dumps(list(ReporterNews.objects.values_list("facts", flat=True)))

    self_case_withdraw_for(case_id=receipt["case_id"], actor=directory.actors["analyst"])
    assert digest.encode() not in database_bytes()
