"""A day and a half of one takedown, played through the real services on hotline's clock.

Telegram's Korean policy (24 h, 6 h urgent) stops the clock while Telegram waits for the
reporter (unless a test sets `kr_pauses` to False). Hours are from T0, when KCSC (KR) files
four items; Centre B (US) files one at 29 h.

- post 1: removed at 0.5 h (which acknowledges the notice), seen gone: in time
- post 2: Telegram asks at 1 h, KCSC answers at 11 h, removed at 30 h: 20 h on the clock, in time
- post 3: claimed at 2 h but still up (reopened), removed again at 5 h: in time, one false claim
- post 4: never answered: late; its content was seen before (a re-upload)
- KCSC asks Telegram a question at 3 h that Telegram never answers
- Centre B's item (US, 48 h) is not due at 40 h, and its notice is not acknowledged
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from hotline.cases.categories import Category
from hotline.cases.legal import LegalBasis, LegalElements
from hotline.cases.models import Item, ItemLink, MessageKind, Notice
from hotline.cases.services.intake import ItemInput, RequestInput, request_submit
from hotline.cases.services.moderation import ItemDecision, item_act, message_post
from hotline.cases.workflow import ItemAction
from hotline.core import clock
from hotline.core.worker import drain_ready_tasks
from hotline.platforms.models import Platform
from hotline.platforms.services import DeadlineRule, deadline_policy_set
from hotline.verification import backends
from tests.conftest import Directory

T0 = datetime(2024, 9, 2, 0, 0, tzinfo=UTC)
AS_OF = T0 + timedelta(hours=40)
PREVIEW = "https://t.me/s/room/{post}"
GONE = '<div class="tgme_page_title">room</div><div data-post="room/99"></div>'
STILL_UP = '<div class="tgme_page_title">room</div><div data-post="room/{post}"></div>'


@dataclass
class Takedown:
    directory: Directory
    kcsc_notice: Notice
    us_notice: Notice
    items: dict[int, Item]


def at(hours: float) -> None:
    clock.travel_to(T0 + timedelta(hours=hours))
    drain_ready_tasks()


def page(post: int, html: str) -> None:
    backends.FAKE_RESPONSES[PREVIEW.format(post=post)] = (200, html)


def file(directory: Directory, who: str, posts: list[int]) -> Notice:
    result = request_submit(
        actor=directory.actors[who],
        data=RequestInput(
            category=Category.SEXUAL_DEEPFAKE,
            reasons="r" * 20,
            elements=LegalElements(signature="s", good_faith_statement="g", contact="c"),
            legal_bases=[LegalBasis.TAKE_IT_DOWN],
            items=[ItemInput(url=f"https://t.me/room/{p}") for p in posts],
        ),
    )
    return result.request.notices.get()


def set_kr_policy(*, pauses: bool) -> None:
    """Telegram's Korean policy, 24 h (6 h urgent), pausing for information or not."""
    deadline_policy_set(
        platform=Platform.objects.get(name="Telegram"),
        rule=DeadlineRule("KR", 24, 6, "test", clock_pauses_for_info=pauses),
        actor="test",
    )


@pytest.fixture
def kr_pauses() -> bool:
    """Whether the Korean policy pauses when the takedown is filed; a test may parametrize it."""
    return True


@pytest.fixture
def takedown(directory: Directory, kr_pauses: bool) -> Iterator[Takedown]:
    set_kr_policy(pauses=kr_pauses)
    moderator, analyst = directory.actors["telegram_mod"], directory.actors["analyst"]
    try:
        at(0)
        notice = file(directory, "analyst", [1, 2, 3, 4])
        items = {int(i.url.rsplit("/", 1)[1]): i for i in notice.items.all()}

        def act(post: int, action: ItemAction, question: str = "") -> None:
            decision = ItemDecision(action=action, question=question)
            item_act(
                actor=moderator, notice_id=notice.pk, item_id=items[post].pk, decision=decision
            )

        for post in (1, 2, 3, 4):
            page(post, STILL_UP.format(post=post))
        at(0.5)
        page(1, GONE)
        act(1, ItemAction.REMOVE)
        at(1)
        act(2, ItemAction.NEED_INFO, question="Which post in the room?")
        at(2)
        act(3, ItemAction.REMOVE)  # a false claim: the page still shows the post
        at(3)
        message_post(actor=analyst, notice_id=notice.pk, kind=MessageKind.QUESTION, body="When?")
        at(5)
        page(3, GONE)
        act(3, ItemAction.REMOVE)
        at(11)
        platform_question = notice.messages.get(kind=MessageKind.QUESTION, item=items[2])
        message_post(
            actor=analyst,
            notice_id=notice.pk,
            kind=MessageKind.ANSWER,
            body="Post 2.",
            reply_to_id=platform_question.pk,
        )
        at(29)
        us_notice = file(directory, "caseworker_b", [7])
        at(30)
        page(2, GONE)
        act(2, ItemAction.REMOVE)
        at(31)
        ItemLink.objects.create(
            item=items[4],
            earlier_item=items[1],
            signal_type="pdq",
            distance=4,
            created_at=clock.now(),
        )
        at(40)
        for item in items.values():
            item.refresh_from_db()
        yield Takedown(directory, notice, us_notice, items)
    finally:
        clock.back_to_real_time()
