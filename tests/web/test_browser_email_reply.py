"""A reporter who is emailed each outcome answers the platform's question by email reply, and
the answer appears on the moderator's review page in headless Chromium.

Everything on the way is real: the moderator acts by keyboard in Chromium, hotline's outbox
relays over SMTP (STARTTLS, AUTH) to a loopback server, the reporter's mail program replies
to the question email's Reply-To (the notice's reply token), and hotline's own inbound SMTP
server receives and processes the reply.
"""

import email
from email.message import EmailMessage
from email.policy import default

from playwright.sync_api import Page, expect

from hotline.accounts.selectors import organisation_get
from hotline.cases.models import Item, MessageKind, Notice
from hotline.cases.services.intake import ItemInput, RequestInput, request_submit
from hotline.cases.workflow import ItemState
from hotline.core.worker import drain_ready_tasks
from hotline.delivery.services import delivery_relay_until_idle
from hotline.delivery.subscriptions import SubscriptionChoice, subscription_set
from hotline.inbound.models import InboundStatus
from hotline.verification import backends
from tests.conftest import Directory
from tests.delivery.conftest import inbox
from tests.delivery.servers import Inbox
from tests.inbound.conftest import ADDRESSES, Mailer, people, smtp
from tests.inbound.test_reporter_answers import reply_to
from tests.web.test_browser import browser, page, shot, sign_in

__all__ = ["browser", "inbox", "page", "people", "smtp"]

ROOM = "https://t.me/deepfake_room/{n}"
GONE_PAGE = '<div class="tgme_page_title">room</div><div data-post="deepfake_room/4"></div>'
NEWS_MAIL = "news@kcsc.example"
ANSWER = "The second link: the pinned post of the room, sent on 3 September."


def _mails(inbox: Inbox, address: str) -> list[EmailMessage]:
    found = []
    for mail in inbox.messages:
        if address in mail.rcpt_tos:
            message = email.message_from_bytes(mail.content, policy=default)
            assert isinstance(message, EmailMessage)
            found.append(message)
    return found


def _work() -> None:
    """What the worker would do now: run due tasks (checks), relay the outbox over SMTP."""
    drain_ready_tasks()
    delivery_relay_until_idle()


def test_an_emailed_reporter_answers_by_reply_and_the_moderator_sees_it(
    page: Page, smtp: Mailer, inbox: Inbox, people: Directory
) -> None:
    kcsc = organisation_get(name_or_slug="KCSC")
    subscription_set(
        organisation_id=kcsc.pk,
        user_id=None,
        choice=SubscriptionChoice(email=NEWS_MAIL, language="en", immediate=True, digest=False),
        actor="test",
    )
    result = request_submit(
        actor=people.actors["analyst"],
        data=RequestInput(
            category="sexual_deepfake",
            reasons="Sexual deepfakes of an identifiable woman, shared without consent.",
            items=[ItemInput(url=ROOM.format(n=5)), ItemInput(url=ROOM.format(n=6))],
            legal_bases=[],
        ),
    )
    case = result.request.case_id
    notice = Notice.objects.get(request=result.request)
    for n in (5, 6):  # hotline's check will find both posts gone once they are removed
        backends.FAKE_RESPONSES[f"https://t.me/s/deepfake_room/{n}"] = (200, GONE_PAGE)
    _work()

    # The moderator, in Chromium: item 1 removed (r), a question on item 2 (i).
    sign_in(page, "telegram_mod")
    page.goto(f"/notices/{notice.pk}/")
    expect(page.locator("[data-review-item].current")).to_be_focused()
    page.keyboard.press("r")
    expect(page.locator(".review-item.current h2")).to_have_text("Item 2")
    page.keyboard.press("i")
    page.keyboard.type("Which post in the room is meant: the pinned one?")
    page.keyboard.press("Enter")
    expect(page.locator("#review-status.message.success")).to_be_visible()
    _work()

    # The reporter was emailed item 1's outcome, and the question by email.
    subjects = [str(m["Subject"]) for m in _mails(inbox, NEWS_MAIL)]
    assert any(f"[hotline {case}] item 1:" in s for s in subjects), subjects
    questions = [
        m for m in _mails(inbox, kcsc.contact_email) if str(m["Subject"]).endswith("question")
    ]
    assert len(questions) == 1, [str(m["Subject"]) for m in _mails(inbox, kcsc.contact_email)]
    question = questions[0]
    assert "reply+" in str(question["Reply-To"])

    # She presses Reply in her mail program; hotline's inbound SMTP server takes the reply.
    row = smtp.send(
        reply_to(question, sender=ADDRESSES["analyst"], body=ANSWER),
        to=(str(question["Reply-To"]),),
    )
    assert row.status == InboundStatus.PROCESSED, row.reason
    assert notice.messages.filter(kind=MessageKind.ANSWER, body=ANSWER).exists()

    # The moderator's review page shows the answer, and the timeline says who gave it.
    page.reload()
    thread = page.locator(".thread")
    expect(thread).to_contain_text(ANSWER)
    expect(page.locator(".timeline")).to_contain_text("KCSC's reporter analyst")
    shot(page, "14-review-answer-by-email")

    # Item 2 is back with the platform; removing it emails its outcome too.
    item_2 = Item.objects.get(notice=notice, position=2)
    assert item_2.state == ItemState.NOTIFIED
    expect(page.locator(".review-item.current h2")).to_have_text("Item 2")
    page.keyboard.press("r")
    expect(page.locator("#review-status.message.success")).to_be_visible()
    _work()
    subjects = [str(m["Subject"]) for m in _mails(inbox, NEWS_MAIL)]
    for n in (1, 2):
        assert any(f"[hotline {case}] item {n}: removal confirmed" in s for s in subjects), (
            n,
            subjects,
        )
    assert set(Item.objects.filter(notice=notice).values_list("state", flat=True)) == {
        ItemState.CONFIRMED_REMOVED
    }
