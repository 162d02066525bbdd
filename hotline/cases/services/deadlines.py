"""Deadlines: escalate an overdue notice to the platform's designated official, once."""

from datetime import datetime

from django.db import transaction

from hotline.cases.models import Message, MessageKind, Notice
from hotline.cases.services.common import record
from hotline.cases.services.notify import escalation_send
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
    escalation_send(notice=notice, waiting_items=waiting)
    return True


def notices_escalate_overdue(*, now: datetime | None = None) -> int:
    """Sweep every open, unescalated notice past its deadline (a safety net for the tasks)."""
    now = now or clock.now()
    due = Notice.objects.filter(closed_at=None, escalated_at=None, deadline_at__lt=now)
    ids = list(due.values_list("pk", flat=True))
    return sum(notice_escalate_if_overdue(notice_id=pk, now=now) for pk in ids)
