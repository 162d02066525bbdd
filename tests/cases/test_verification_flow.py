"""Verification after a platform's answer: confirm, reopen, keep trying, record evidence."""

from typing import Any

from hotline.audit.models import Event
from hotline.cases.categories import Category
from hotline.cases.legal import LegalBasis, LegalElements
from hotline.cases.models import Item, ItemCheck, Message, MessageKind, Notice
from hotline.cases.services.intake import ItemInput, RequestInput, request_submit
from hotline.cases.services.moderation import ItemDecision, item_act
from hotline.cases.workflow import ItemAction, ItemState
from hotline.core.worker import drain_ready_tasks
from hotline.delivery.channels import RecordingChannel
from hotline.delivery.services import delivery_relay_until_idle
from hotline.verification import backends
from tests.conftest import Directory

ELEMENTS = LegalElements(signature="s", good_faith_statement="g", contact="c")
PREVIEW = "https://t.me/s/room/{post}"
PAGE_WITH = '<div class="tgme_page_title">room</div><div data-post="room/{live}"></div>'


def file_items(directory: Directory, *posts: int) -> Notice:
    result = request_submit(
        actor=directory.actors["analyst"],
        data=RequestInput(
            category=Category.SEXUAL_DEEPFAKE,
            reasons="r" * 20,
            elements=ELEMENTS,
            legal_bases=[LegalBasis.TAKE_IT_DOWN],
            items=[ItemInput(url=f"https://t.me/room/{p}") for p in posts],
        ),
    )
    return result.request.notices.get()


def remove(directory: Directory, notice: Notice, item: Item) -> None:
    item_act(
        actor=directory.actors["telegram_mod"],
        notice_id=notice.pk,
        item_id=item.pk,
        decision=ItemDecision(action=ItemAction.REMOVE),
    )


def serve(post: int, response: Any) -> None:
    backends.FAKE_RESPONSES[PREVIEW.format(post=post)] = response


def test_a_removal_seen_gone_is_confirmed_and_the_notice_closes(directory: Directory) -> None:
    notice = file_items(directory, 5)
    item = notice.items.get()
    serve(5, (200, PAGE_WITH.format(live=4)))  # other posts shown, this one not: gone
    remove(directory, notice, item)
    drain_ready_tasks()
    item.refresh_from_db()
    notice.refresh_from_db()
    assert item.state == ItemState.CONFIRMED_REMOVED
    assert item.confirmed_removed_at is not None and notice.closed_at is not None
    check = ItemCheck.objects.get(item=item)
    assert (check.verdict, check.http_status) == ("gone", 200)
    assert len(check.body_sha256) == 64
    assert Event.objects.filter(tag="item:verified_gone", subject=f"item:{item.pk}").exists()


def test_a_removal_still_up_is_reopened_and_the_platform_is_told(directory: Directory) -> None:
    notice = file_items(directory, 5)
    item = notice.items.get()
    serve(5, (200, PAGE_WITH.format(live=5)))
    remove(directory, notice, item)
    drain_ready_tasks()
    delivery_relay_until_idle()
    item.refresh_from_db()
    assert item.state == ItemState.REOPENED and item.reopen_count == 1
    assert Message.objects.filter(notice=notice, item=item, kind=MessageKind.SYSTEM).exists()
    told = [m for m in RecordingChannel.sent.values() if m.kind == "reopen"]
    assert len(told) == 1 and told[0].recipient == "hotline@telegram.example"
    # The platform removes it for real and says so again: the next check confirms it.
    serve(5, (404, "gone"))
    remove(directory, notice, item)
    drain_ready_tasks()
    item.refresh_from_db()
    assert item.state == ItemState.CONFIRMED_REMOVED


def test_a_failed_fetch_proves_nothing_and_the_check_is_retried_later(directory: Directory) -> None:
    notice = file_items(directory, 5)
    item = notice.items.get()
    serve(5, (503, "busy"))
    remove(directory, notice, item)
    drain_ready_tasks()
    item.refresh_from_db()
    assert item.state == ItemState.REMOVED
    assert ItemCheck.objects.get(item=item).verdict == "inconclusive"
    from django_tasks_db.models import DBTaskResult

    retry = DBTaskResult.objects.filter(task_path="hotline.cases.tasks.check_item", status="READY")
    assert retry.count() == 1 and retry.get().run_after is not None


def test_content_gone_before_the_platform_answers_is_observed_not_confirmed(
    directory: Directory,
) -> None:
    notice = file_items(directory, 5)
    serve(5, (404, ""))
    from hotline.cases.tasks import recheck_notice

    recheck_notice.call(notice_id=notice.pk)
    item = notice.items.get()
    assert item.state == ItemState.NOTIFIED  # the platform still owes its answer
    assert item.observed_gone_at is not None
    assert Event.objects.filter(tag="item:observed_gone").count() == 1
