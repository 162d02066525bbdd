"""Withdrawal leaves none of her hash values anywhere (docs/self-service.md, decision 0024).

Her photos go in through every intake path — API upload, the web form, an email attachment
over real SMTP, and /self/ (hashes only) — and spread as far as hotline spreads them: the
`reported-items` and `known-content` banks and this process's indexes, notice payloads,
outbox rows sent over real SMTP, a copy opened by a platform's match, news to the reporter,
the stored email and its attachment record. Then each case is withdrawn (by her, by a
support centre on the web, by the service a centre's command calls) and every table of the
database is dumped with SQL over the database's own table list (tests/inbound/wild.py, as in
tests/test_no_media_bytes_stored.py) and searched for each value in hex (lower and upper
case) and in base64 of its raw bytes; so is every mail the loopback SMTP server caught, and
what hotline answers afterwards: the platform feed, the notice, the DSA export, the
evidence packages.
"""

import base64
import io
import json
import re
import secrets
import zipfile
from email.message import EmailMessage

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hotline.banks import index_cache
from hotline.banks.models import BankEntry, PurgedEntry
from hotline.banks.selectors import bank_match
from hotline.banks.services import Signal
from hotline.cases.models import Item, NewsKind, ReporterNews, TakedownRequest
from hotline.core.worker import drain_ready_tasks
from hotline.delivery.loopback_smtp import loopback_mail
from hotline.delivery.models import Delivery
from hotline.delivery.services import delivery_relay_until_idle
from hotline.inbound.models import InboundMessage, InboundStatus
from hotline.selfservice.models import HeldUrl
from hotline.selfservice.review import held_url_approve
from hotline.selfservice.services import self_case_withdraw_for
from hotline.verification import backends
from tests.cases.test_media_errors import _web_form
from tests.conftest import ApiCaller, Directory, request_body
from tests.hashing.media_factory import encode, photo_like
from tests.inbound.conftest import Mailer, people, smtp  # noqa: F401 (fixtures)
from tests.inbound.wild import database_bytes
from tests.web.conftest import signed_in_client


def needles(value: str) -> list[bytes]:
    """How a stored copy of a hash value could read: hex in either case, base64 of its bytes."""
    raw = bytes.fromhex(value)
    b64 = base64.b64encode(raw).rstrip(b"=")
    return [value.lower().encode(), value.upper().encode(), b64]


def found_in(values: list[str], haystack: bytes) -> list[str]:
    flat = haystack.replace(b"\r", b"").replace(b"\n", b"").replace(b"=\r\n", b"")
    return [v for v in values if any(n in haystack or n in flat for n in needles(v))]


def hashes_of(request: TakedownRequest) -> list[str]:
    return [s["value"] for item in request.items.all() for s in item.signals]


def relay_all() -> None:
    delivery_relay_until_idle()


def email_with_attachment(photo: bytes) -> bytes:
    message = EmailMessage()
    message["From"] = "analyst@kcsc.example"
    message["To"] = "hotline@hotline.example"
    message["Subject"] = "Please block this image"
    message["Message-ID"] = f"<withdraw-{secrets.token_hex(4)}@kcsc.example>"
    message.set_content("It is posted at https://t.me/room/3 — please block the attached copy.")
    message.add_attachment(photo, maintype="image", subtype="jpeg", filename="her.jpg")
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def zip_bytes(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"\n".join(archive.read(name) for name in archive.namelist())


def test_after_withdrawal_no_hash_value_of_hers_is_anywhere(
    smtp: Mailer,  # noqa: F811
    directory: Directory,
    call_api: ApiCaller,
) -> None:
    cases: dict[str, TakedownRequest] = {}
    with loopback_mail() as caught:
        # API upload (KCSC): a photo posted on Telegram; a notice carries its hashes.
        payload = request_body("https://t.me/room/1", client_reference="withdraw-api")
        payload["items"] = [{"url": "https://t.me/room/1", "media": "photo"}]
        response = Client().post(
            "/api/requests/upload",
            data={
                "payload": json.dumps(payload),
                "photo": SimpleUploadedFile("a.jpg", encode(photo_like(320, 240, 11), "JPEG")),
            },
            HTTP_AUTHORIZATION=f"Bearer {directory.tokens['analyst']}",
        )
        assert response.status_code == 201, response.json()
        receipt = response.json()
        cases["api"] = TakedownRequest.objects.get(case_id=receipt["case_id"])

        # The web form (Centre A): a photo.
        client = signed_in_client("caseworker_a")
        photo = encode(photo_like(320, 240, 12), "JPEG")
        response = client.post("/requests/new/", _web_form([SimpleUploadedFile("b.jpg", photo)]))
        assert response.status_code == 302, response.content.decode()[:2000]
        cases["web"] = TakedownRequest.objects.get(client_reference="web-test")

        # Email over real SMTP (KCSC): a URL and an attachment.
        row = smtp.send(email_with_attachment(encode(photo_like(320, 240, 13), "JPEG")))
        assert row.status == InboundStatus.PROCESSED, row.reason
        cases["email"] = TakedownRequest.objects.get(pk=row.outcome["request"])
        assert any(a.get("signals") for a in row.attachments)

        # /self/ (hashes only, made on her device) with a URL a reviewer sends on.
        mine = [
            {"type": "pdq", "value": secrets.token_hex(32), "quality": 100},
            {"type": "md5", "value": secrets.token_hex(16)},
            {"type": "sha256", "value": secrets.token_hex(32)},
        ]
        her = Client()
        response = her.post(
            "/self/submit",
            json.dumps(
                {
                    "category": "non_consensual_intimate_image",
                    "items": [{"url": "https://t.me/room/4", "signals": mine}],
                }
            ),
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        issued = response.json()
        cases["self"] = TakedownRequest.objects.get(case_id=issued["case_id"])
        [held] = HeldUrl.objects.filter(item__request=cases["self"])
        held_url_approve(actor=directory.actors["caseworker_a"], held_id=held.pk)

        # Telegram removes the API item; hotline confirms it, so it joins known-content.
        notice, item = receipt["notices"][0]["id"], receipt["items"][0]["id"]
        backends.FAKE_RESPONSES["https://t.me/s/room/1"] = (404, "")
        status, _ = call_api(
            "telegram_mod", "post", f"/notices/{notice}/items/{item}/action", {"action": "removed"}
        )
        assert status == 200
        drain_ready_tasks()
        assert BankEntry.objects.filter(bank__name="known-content", item_id=item).exists()
        # X finds a copy by its exact PDQ: a copy item in her case, news for KCSC.
        pdq = next(s for s in Item.objects.get(pk=item).signals if s["type"] == "pdq")
        query = {"signals": [{**pdq, "upload_ref": "x-1", "url": "https://x.com/u/1"}]}
        status, answer = call_api("x_mod", "post", "/match", query)
        assert status == 200 and answer[0]["reupload"]["opened"], answer
        assert ReporterNews.objects.filter(kind=NewsKind.COPY_FOUND).exists()

        values = sorted({v for request in cases.values() for v in hashes_of(request)})
        assert len(values) >= 12
        # This process's indexes hold her PDQs; the search would find every value.
        pdqs = [s for r in cases.values() for i in r.items.all() for s in i.signals]
        pdqs = [Signal("pdq", s["value"], s.get("quality")) for s in pdqs if s["type"] == "pdq"]
        assert all(bank_match(signals=pdqs))
        relay_all()
        assert found_in(values, database_bytes()) == values
        sent_before = len(caught.messages)
        assert sent_before

        # Withdrawal: her own (PIN), Centre A's on the web, KCSC's (the command's service).
        response = her.post("/self/status/", {"case_id": issued["case_id"], "pin": issued["pin"]})
        assert response.status_code == 302
        assert her.post("/self/withdraw", {"confirm": "yes"}).status_code == 302
        web_case = cases["web"].case_id
        response = client.post(f"/requests/{web_case}/withdraw", {"confirm": "yes"})
        assert response.status_code == 302
        for name in ("api", "email"):
            self_case_withdraw_for(case_id=cases[name].case_id, actor=directory.actors["analyst"])
        relay_all()  # the deletion messages go to the platforms
        mail = b"\n".join(m.as_bytes() for _, m in caught.messages)

    # Not in any table of the database.
    assert found_in(values, database_bytes()) == []
    assert not BankEntry.objects.filter(item_id__in=Item.objects.values("pk")).exists()
    assert PurgedEntry.objects.count() >= len(values)
    # Not in any mail sent, before or after; the platforms were told to delete, by id.
    assert found_in(values, mail) == []
    told = Delivery.objects.filter(kind="signals_withdrawn")
    assert {d.platform.name for d in told} == {"Telegram", "X"}
    assert re.search(rb"bank entries \d+", mail)
    # Not in this process's indexes.
    assert bank_match(signals=pdqs) == [[] for _ in pdqs]
    assert index_cache.refresh() == []
    # Not in what hotline answers afterwards.
    answers = []
    for who, path in [
        ("telegram_mod", "/feed?limit=500"),
        ("telegram_mod", f"/notices/{notice}"),
        ("telegram_mod", f"/notices/{notice}/items"),
        ("x_mod", "/feed?limit=500"),
        ("analyst", f"/requests/{cases['api'].case_id}"),
        ("analyst", "/export/dsa-sor?platform=Telegram"),
    ]:
        status, body = call_api(who, "get", path)
        assert status == 200, (path, body)
        answers.append(json.dumps(body).encode())
    for who, name in [("analyst", "api"), ("analyst", "email"), ("caseworker_a", "web")]:
        response = Client().get(
            f"/api/evidence/cases/{cases[name].case_id}",
            HTTP_AUTHORIZATION=f"Bearer {directory.tokens[who]}",
        )
        assert response.status_code == 200
        answers.append(zip_bytes(response.content))
    assert found_in(values, b"\n".join(answers)) == []
    feed = json.loads(answers[0])["events"]
    withdrawn = [e for e in feed if e["event"] == "notice:signals_withdrawn"]
    # The API case's notice and her own (her URL, sent on by the reviewer).
    assert len(withdrawn) == 2 and notice in {e["notice_id"] for e in withdrawn}
    assert all(e["item_ids"] and e["bank_entry_ids"] for e in withdrawn)
    # The stored email keeps what it was, less its hashes.
    row = InboundMessage.objects.get(pk=row.pk)
    assert [a.get("hashes_deleted") for a in row.attachments] == [True]
    assert b"(deleted: consent withdrawn)" in bytes(row.redacted)


def test_withdrawal_only_touches_the_withdrawn_case(
    directory: Directory, call_api: ApiCaller
) -> None:
    """Another organisation's report of other content keeps its hashes."""
    body = request_body("https://t.me/room/8")
    other = [{"type": "md5", "value": secrets.token_hex(16)}]
    body["items"][0]["signals"] = other
    status, receipt = call_api("caseworker_b", "post", "/requests", body)
    assert status == 201, receipt
    body = request_body("https://t.me/room/9")
    body["items"][0]["signals"] = [{"type": "md5", "value": secrets.token_hex(16)}]
    status, mine = call_api("analyst", "post", "/requests", body)
    assert status == 201, mine
    self_case_withdraw_for(case_id=mine["case_id"], actor=directory.actors["analyst"])
    assert found_in([other[0]["value"]], database_bytes()) == [other[0]["value"]]
    assert BankEntry.objects.filter(value=other[0]["value"]).count() == 1
