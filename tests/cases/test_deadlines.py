"""Overdue notices are escalated to the platform's designated official, exactly once."""

from datetime import timedelta

import pytest

from hotline.audit.models import Event
from hotline.cases.categories import Category
from hotline.cases.legal import LegalBasis, LegalElements
from hotline.cases.models import Notice
from hotline.cases.services.deadlines import notice_escalate_if_overdue, notices_escalate_overdue
from hotline.cases.services.intake import ItemInput, RequestInput, request_submit
from hotline.cases.services.moderation import ItemDecision, item_act
from hotline.cases.workflow import ItemAction, RejectionReason
from hotline.core.worker import drain_ready_tasks
from hotline.delivery.channels import RecordingChannel
from hotline.delivery.services import delivery_relay_until_idle
from tests.conftest import Directory


def file(directory: Directory, urgent: bool = True, room: str = "room") -> Notice:
    result = request_submit(
        actor=directory.actors["analyst"],
        data=RequestInput(
            category=Category.SEXUAL_DEEPFAKE,
            reasons="r" * 20,
            urgent=urgent,
            elements=LegalElements(signature="s", good_faith_statement="g", contact="c"),
            legal_bases=[LegalBasis.TAKE_IT_DOWN],
            items=[
                ItemInput(url=f"https://t.me/{room}/1"),
                ItemInput(url=f"https://t.me/{room}/2"),
            ],
        ),
    )
    return result.request.notices.get()


def test_an_urgent_notice_gets_the_shorter_deadline(directory: Directory) -> None:
    notice = file(directory, urgent=True)
    assert notice.deadline_at - notice.created_at == timedelta(hours=6)
    normal = file(directory, urgent=False, room="other")
    assert normal.deadline_at - normal.created_at == timedelta(hours=24)


def test_an_overdue_notice_is_escalated_to_the_official_once(directory: Directory) -> None:
    notice = file(directory)
    late = notice.deadline_at + timedelta(minutes=1)
    assert notice_escalate_if_overdue(notice_id=notice.pk, now=late) is True
    assert notice_escalate_if_overdue(notice_id=notice.pk, now=late) is False
    assert notices_escalate_overdue(now=late) == 0
    drain_ready_tasks()
    delivery_relay_until_idle()
    sent = [m for m in RecordingChannel.sent.values() if m.kind == "escalation"]
    assert len(sent) == 1 and sent[0].recipient == "official@telegram.example"
    assert "2 item(s) still waiting" in sent[0].body
    event = Event.objects.get(tag="notice:escalate")
    assert event.payload["official"] == "official@telegram.example"


def test_a_notice_is_not_escalated_before_its_deadline(directory: Directory) -> None:
    notice = file(directory)
    early = notice.deadline_at - timedelta(minutes=1)
    assert notice_escalate_if_overdue(notice_id=notice.pk, now=early) is False
    assert not Event.objects.filter(tag="notice:escalate").exists()


@pytest.mark.parametrize("action", [ItemAction.REMOVE, ItemAction.REJECT])
def test_a_notice_whose_items_were_all_answered_is_not_escalated(
    directory: Directory, action: ItemAction
) -> None:
    notice = file(directory)
    reason = RejectionReason.NOT_ILLEGAL if action == ItemAction.REJECT else None
    for item in notice.items.all():
        item_act(
            actor=directory.actors["telegram_mod"],
            notice_id=notice.pk,
            item_id=item.pk,
            decision=ItemDecision(action=action, reason=reason),
        )
    late = notice.deadline_at + timedelta(hours=1)
    assert notice_escalate_if_overdue(notice_id=notice.pk, now=late) is False
