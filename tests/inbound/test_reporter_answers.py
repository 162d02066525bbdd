"""A reporter answers a platform's question by replying to the question email.

The question email says "reply to this email"; the reply must carry the same two factors a
platform's reply needs (an address registered to the notice's reporting organisation, and the
notice's reply token). Then the answer is on the thread, and on the moderator's review page.
"""

import email
from email.message import EmailMessage
from email.policy import SMTP, default

import pytest

from hotline.cases.models import Item, Message, MessageKind, Notice
from hotline.cases.services.intake import ItemInput, RequestInput, request_submit
from hotline.cases.services.moderation import ItemDecision, item_act
from hotline.cases.workflow import ItemAction, ItemState
from hotline.delivery.email import build_email
from hotline.delivery.models import Delivery
from hotline.delivery.services import outbound_message
from hotline.inbound.models import InboundStatus
from tests.conftest import Directory
from tests.inbound.conftest import ADDRESSES, Mailer
from tests.web.conftest import signed_in_client

ANSWER = "It is the pinned post of the room, sent on 3 September."


@pytest.fixture
def asked(smtp: Mailer, people: Directory) -> tuple[Notice, Message, EmailMessage]:
    """KCSC filed a room; Telegram asked a question; the question email KCSC received."""
    result = request_submit(
        actor=people.actors["analyst"],
        data=RequestInput(
            category="sexual_deepfake",
            reasons="Sexual deepfakes of an identifiable woman, shared without consent.",
            items=[ItemInput(url="https://t.me/room/7")],
            legal_bases=[],
        ),
    )
    notice = Notice.objects.select_related("request").get(request=result.request)
    item_act(
        actor=people.actors["telegram_mod"],
        notice_id=notice.pk,
        item_id=notice.items.get().pk,
        decision=ItemDecision(action=ItemAction.NEED_INFO, question="Which post exactly?"),
    )
    question = notice.messages.get(kind=MessageKind.QUESTION)
    delivery = Delivery.objects.get(idempotency_key=f"message-{question.pk}")
    raw = build_email(outbound_message(delivery)).as_bytes()
    sent = email.message_from_bytes(raw, policy=default)
    assert isinstance(sent, EmailMessage)
    return notice, question, sent


def reply_to(sent: EmailMessage, *, sender: str, body: str, keep_reply_to: bool = True) -> bytes:
    """What a mail program sends when one presses Reply: the quote below, threading headers."""
    reply = EmailMessage(policy=SMTP)
    reply["From"] = sender
    reply["To"] = str(sent["Reply-To"]) if keep_reply_to else "hotline@hotline.example"
    reply["Subject"] = "Re: " + str(sent["Subject"])
    reply["Message-ID"] = f"<answer-{abs(hash(body))}@kcsc.example>"
    reply["In-Reply-To"] = reply["References"] = str(sent["Message-ID"])
    quoted_part = sent.get_body(preferencelist=("plain",))
    assert quoted_part is not None
    quoted = "\n".join("> " + line for line in str(quoted_part.get_content()).splitlines())
    if not keep_reply_to:
        quoted = ""  # no reference line either: nothing but the From address
    reply.set_content(f"{body}\n\nOn Tue, hotline wrote:\n{quoted}\n")
    return reply.as_bytes()


def test_an_emailed_answer_is_posted_and_shown_on_the_moderators_review_page(
    smtp: Mailer, asked: tuple[Notice, Message, EmailMessage]
) -> None:
    notice, question, sent = asked
    row = smtp.send(
        reply_to(sent, sender=ADDRESSES["analyst"], body=ANSWER),
        to=(str(sent["Reply-To"]),),
    )
    assert row.status == InboundStatus.PROCESSED, row.reason
    answer = Message.objects.get(pk=row.outcome["answer"])
    assert (answer.kind, answer.reply_to_id, answer.body) == ("answer", question.pk, ANSWER)
    assert Item.objects.get(notice=notice).state == ItemState.NOTIFIED  # back with the platform
    page = signed_in_client("telegram_mod").get(f"/notices/{notice.pk}/")
    assert page.status_code == 200
    assert ANSWER in page.content.decode()


def test_a_reporters_reply_without_the_token_or_from_another_organisation_is_held(
    smtp: Mailer, people: Directory, asked: tuple[Notice, Message, EmailMessage]
) -> None:
    notice, _, sent = asked
    spoofed = smtp.send(
        reply_to(sent, sender=ADDRESSES["analyst"], body=ANSWER, keep_reply_to=False)
    )
    assert spoofed.status == InboundStatus.QUARANTINED, spoofed.reason
    assert "no valid reply token" in spoofed.reason
    stranger = smtp.send(
        reply_to(sent, sender=ADDRESSES["caseworker_a"], body=ANSWER),
        to=(str(sent["Reply-To"]),),
    )
    assert stranger.status == InboundStatus.QUARANTINED
    assert "not registered for Telegram" in stranger.reason
    assert not notice.messages.filter(kind=MessageKind.ANSWER).exists()
    assert Item.objects.get(notice=notice).state == ItemState.INFO_REQUESTED
