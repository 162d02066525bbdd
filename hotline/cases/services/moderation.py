"""The platform's side of a notice: acknowledge, act per item; and the threaded messages."""

from dataclasses import dataclass

from django.db import transaction

from hotline.accounts.actors import Actor
from hotline.cases import schedule
from hotline.cases.models import Item, Message, MessageKind, Notice
from hotline.cases.services.access import is_platform_side, is_reporter_side, notice_for_actor
from hotline.cases.services.common import record, transition
from hotline.cases.services.news import news_question
from hotline.cases.services.notify import message_forward
from hotline.cases.workflow import (
    PLATFORM_ACTIONS,
    ItemAction,
    ItemState,
    RejectionReason,
    notice_is_settled,
)
from hotline.core import clock
from hotline.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied


@transaction.atomic
def notice_acknowledge(*, actor: Actor, notice_id: int) -> Notice:
    """Record receipt once; acknowledging again changes nothing."""
    notice = notice_for_actor(actor=actor, notice_id=notice_id, for_update=True)
    if not is_platform_side(actor, notice):
        raise PermissionDenied("only the platform's moderators acknowledge its notices")
    if notice.acknowledged_at is None:
        _acknowledge(notice, actor)
    return notice


def _acknowledge(notice: Notice, actor: Actor) -> None:
    notice.acknowledged_at = clock.now()
    notice.save(update_fields=["acknowledged_at"])
    record(
        tag="notice:acknowledge",
        actor=actor.label,
        subject=notice,
        organisation_id=notice.request.organisation_id,
        payload={"at": notice.acknowledged_at.isoformat()},
    )


@dataclass(frozen=True)
class ItemDecision:
    action: ItemAction
    reason: RejectionReason | None = None
    note: str = ""
    question: str = ""


@transaction.atomic
def item_act(*, actor: Actor, notice_id: int, item_id: int, decision: ItemDecision) -> Item:
    notice = notice_for_actor(actor=actor, notice_id=notice_id, for_update=True)
    if not is_platform_side(actor, notice):
        raise PermissionDenied("only the platform's moderators act on its notices")
    if decision.action not in PLATFORM_ACTIONS:
        raise InvalidInput(f"unknown action {decision.action!r}")
    _check_decision(decision)
    item = Item.objects.select_for_update().filter(pk=item_id, notice=notice).first()
    if item is None:
        raise NotFound(f"item {item_id} is not on notice {notice_id}")
    if notice.acknowledged_at is None:
        _acknowledge(notice, actor)  # acting on an item is proof of receipt
    now = clock.now()
    _apply(item, decision, now)
    transition(
        item,
        decision.action,
        actor=actor.label,
        at=now,
        reason=decision.reason or "",
        note=decision.note,
    )
    if decision.action == ItemAction.NEED_INFO:
        _question(notice, item, actor, decision.question)
    if decision.action == ItemAction.REMOVE:
        schedule.item_check_soon(item=item)
    notice_close_if_settled(notice=notice, actor=actor.label)
    return item


def _check_decision(decision: ItemDecision) -> None:
    if decision.action == ItemAction.REJECT and decision.reason is None:
        raise InvalidInput(
            "a rejection needs a reason: one of " + ", ".join(r.value for r in RejectionReason),
            details=[{"element": "reason"}],
        )
    if decision.action != ItemAction.REJECT and decision.reason is not None:
        raise InvalidInput(
            "a reason belongs only to a rejection; use note for other remarks",
            details=[{"element": "reason"}],
        )
    if decision.action == ItemAction.NEED_INFO and not decision.question.strip():
        raise InvalidInput(
            "needs_info needs the question to ask", details=[{"element": "question"}]
        )


def _apply(item: Item, decision: ItemDecision, now: object) -> None:
    item.acted_at = now  # type: ignore[assignment]
    item.outcome_note = decision.note
    item.rejection_reason = decision.reason.value if decision.reason else ""
    if decision.action == ItemAction.REMOVE:
        item.removal_reported_at = now  # type: ignore[assignment]


def _question(notice: Notice, item: Item, actor: Actor, text: str) -> Message:
    message = Message.objects.create(
        notice=notice,
        item=item,
        author_organisation_id=actor.organisation_id,
        author=actor.username,
        kind=MessageKind.QUESTION,
        body=text.strip(),
        created_at=clock.now(),
    )
    _record_message(message, actor)
    message_forward(message=message, to_platform=False)
    news_question(message=message)
    return message


def notice_close_if_settled(*, notice: Notice, actor: str) -> None:
    states = [ItemState(s) for s in notice.items.values_list("state", flat=True)]
    if notice.closed_at is None and notice_is_settled(states):
        notice.closed_at = clock.now()
        notice.save(update_fields=["closed_at"])
        record(
            tag="notice:close",
            actor=actor,
            subject=notice,
            organisation_id=notice.request.organisation_id,
        )


@transaction.atomic
def message_post(
    *,
    actor: Actor,
    notice_id: int,
    kind: MessageKind,
    body: str,
    item_id: int | None = None,
    reply_to_id: int | None = None,
) -> Message:
    """A question or an answer on a notice's thread, from either side."""
    notice = notice_for_actor(actor=actor, notice_id=notice_id, for_update=True)
    platform_side = is_platform_side(actor, notice)
    if not platform_side and not is_reporter_side(actor, notice):
        raise PermissionDenied("only the notice's reporter or its platform's moderators post here")
    if kind not in (MessageKind.QUESTION, MessageKind.ANSWER) or not body.strip():
        raise InvalidInput("a message is a non-empty question or answer")
    reply_to = _reply_target(notice, kind, reply_to_id)
    if item_id is None and reply_to is not None:
        item_id = reply_to.item_id  # an answer concerns the item its question was about
    item = _message_item(notice, item_id)
    message = Message.objects.create(
        notice=notice,
        item=item,
        author_organisation_id=actor.organisation_id,
        author=actor.username,
        kind=kind,
        body=body.strip(),
        reply_to=reply_to,
        created_at=clock.now(),
    )
    _record_message(message, actor)
    answers_platform = kind == MessageKind.ANSWER and not platform_side
    if answers_platform and item is not None and item.state == ItemState.INFO_REQUESTED:
        transition(
            item,
            ItemAction.ANSWER,
            actor=actor.label,
            at=message.created_at,
            message=message.pk,
        )
    message_forward(message=message, to_platform=not platform_side)
    if platform_side and kind == MessageKind.QUESTION:
        news_question(message=message)
    return message


def _reply_target(notice: Notice, kind: MessageKind, reply_to_id: int | None) -> Message | None:
    if reply_to_id is None:
        if kind == MessageKind.ANSWER:
            raise InvalidInput("an answer must say which question it answers (reply_to)")
        return None
    target = Message.objects.filter(pk=reply_to_id, notice=notice).first()
    if target is None:
        raise NotFound(f"message {reply_to_id} is not on notice {notice.pk}")
    if kind == MessageKind.ANSWER and target.kind != MessageKind.QUESTION:
        raise Conflict(f"message {reply_to_id} is not a question")
    return target


def _message_item(notice: Notice, item_id: int | None) -> Item | None:
    if item_id is None:
        return None
    item = Item.objects.select_for_update().filter(pk=item_id, notice=notice).first()
    if item is None:
        raise NotFound(f"item {item_id} is not on notice {notice.pk}")
    return item


def _record_message(message: Message, actor: Actor) -> None:
    record(
        tag=f"message:{message.kind}",
        actor=actor.label,
        subject=message.notice,
        organisation_id=message.notice.request.organisation_id,
        payload={"message": message.pk, "item": message.item_id, "reply_to": message.reply_to_id},
    )
