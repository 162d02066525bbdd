"""Deadlines: escalate an overdue notice to the platform's designated official, once."""

from datetime import datetime, timedelta

from django.db import transaction

from hotline.cases.models import Message, MessageKind, Notice
from hotline.cases.questions import to_platforms, unanswered_questions
from hotline.cases.services.common import record
from hotline.cases.services.news import news_escalated
from hotline.cases.services.notify import escalation_send, question_reminder_send
from hotline.cases.workflow import AWAITING_PLATFORM, ItemState, is_overdue
from hotline.core import clock

SYSTEM_ACTOR = "hotline:deadlines"


@transaction.atomic
def notice_escalate_if_overdue(*, notice_id: int, now: datetime | None = None) -> bool:
    now = now or clock.now()
    notice = (
        Notice.objects.select_for_update(of=("self",))
        .select_related("platform", "request")
        .get(pk=notice_id)
    )
    items = list(notice.items.order_by("position"))
    states = [ItemState(i.state) for i in items]
    if notice.escalated_at is not None or not is_overdue(
        deadline=notice.deadline_at, now=now, item_states=states
    ):
        return False
    waiting = [i for i in items if i.state in AWAITING_PLATFORM]
    notice.escalated_at = now
    notice.save(update_fields=["escalated_at"])
    record(
        tag="notice:escalate",
        actor=SYSTEM_ACTOR,
        subject=notice,
        organisation_id=notice.request.organisation_id,
        payload={
            "deadline_at": notice.deadline_at.isoformat(),
            "waiting_items": [i.pk for i in waiting],
            "official": notice.platform.official_email,
            "open_questions": [
                q.pk for q in to_platforms(unanswered_questions().filter(notice=notice))
            ],
        },
    )
    Message.objects.create(
        notice=notice,
        author=SYSTEM_ACTOR,
        kind=MessageKind.SYSTEM,
        body=f"Deadline passed with {len(waiting)} item(s) waiting; escalated to "
        f"{notice.platform.official_name or 'the platform'} "
        f"<{notice.platform.official_email or notice.platform.hotline_email}>.",
        created_at=now,
    )
    open_questions = list(to_platforms(unanswered_questions().filter(notice=notice)))
    escalation_send(notice=notice, waiting_items=waiting, open_questions=open_questions)
    news_escalated(notice=notice, waiting=waiting)
    return True


def notices_escalate_overdue(*, now: datetime | None = None) -> int:
    """Sweep every open, unescalated notice past its deadline (a safety net for the tasks)."""
    now = now or clock.now()
    due = Notice.objects.filter(closed_at=None, escalated_at=None, deadline_at__lt=now)
    ids = list(due.values_list("pk", flat=True))
    return sum(notice_escalate_if_overdue(notice_id=pk, now=now) for pk in ids)


def questions_remind_due(*, now: datetime | None = None) -> int:
    """Remind platforms, once each, of reporters' questions unanswered at the policy's time."""
    now = now or clock.now()
    candidates = to_platforms(unanswered_questions()).filter(
        reminded_at=None, notice__closed_at=None, notice__question_reminder_hours__isnull=False
    )
    due = [
        q.pk
        for q in candidates
        if q.created_at + timedelta(hours=q.notice.question_reminder_hours or 0) <= now
    ]
    return sum(_remind(message_id=pk, now=now) for pk in due)


@transaction.atomic
def _remind(*, message_id: int, now: datetime) -> bool:
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("notice__request", "notice__platform", "item")
        .get(pk=message_id)
    )
    answered = message.replies.filter(kind=MessageKind.ANSWER).exists()
    if message.reminded_at is not None or answered:
        return False
    message.reminded_at = now
    message.save(update_fields=["reminded_at"])
    record(
        tag="message:reminder",
        actor=SYSTEM_ACTOR,
        subject=message.notice,
        organisation_id=message.notice.request.organisation_id,
        payload={"message": message.pk, "asked_at": message.created_at.isoformat()},
    )
    question_reminder_send(message=message)
    return True
