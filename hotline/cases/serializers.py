"""Turning workflow rows into API output shapes; no queries beyond prefetched relations."""

from hotline.cases.models import Item, Message, Notice, TakedownRequest
from hotline.cases.schemas import (
    CheckOut,
    ItemOut,
    MessageOut,
    NoticeOut,
    NoticeSummaryOut,
    ReceiptOut,
)
from hotline.cases.workflow import ItemState


def item_out(item: Item) -> ItemOut:
    return ItemOut(
        id=item.pk,
        position=item.position,
        url=item.url,
        normalised_url=item.normalised_url,
        state=item.state,
        platform=item.platform.name if item.platform else None,
        notice_id=item.notice_id,
        duplicate_of=item.duplicate_of_id,
        rejection_reason=item.rejection_reason,
        outcome_note=item.outcome_note,
        acted_at=item.acted_at,
        confirmed_removed_at=item.confirmed_removed_at,
        checks=[
            CheckOut(
                checked_at=c.checked_at,
                http_status=c.http_status,
                verdict=c.verdict,
                reason=c.reason,
                body_sha256=c.body_sha256,
                final_url=c.final_url,
            )
            for c in item.checks.all()
        ],
    )


def notice_summary_out(notice: Notice) -> NoticeSummaryOut:
    return NoticeSummaryOut.model_validate(_notice_fields(notice))


def _notice_fields(notice: Notice) -> dict[str, object]:
    return {
        "id": notice.pk,
        "case_id": notice.request.case_id or "",
        "platform": notice.platform.name,
        "urgent": notice.urgent,
        "created_at": notice.created_at,
        "deadline_at": notice.deadline_at,
        "acknowledged_at": notice.acknowledged_at,
        "escalated_at": notice.escalated_at,
        "closed_at": notice.closed_at,
    }


def message_out(message: Message) -> MessageOut:
    return MessageOut(
        id=message.pk,
        kind=message.kind,
        author=message.author,
        body=message.body,
        item_id=message.item_id,
        reply_to=message.reply_to_id,
        created_at=message.created_at,
    )


def notice_out(notice: Notice, items: list[Item], messages: list[Message]) -> NoticeOut:
    return NoticeOut.model_validate(
        {
            **_notice_fields(notice),
            "category": notice.request.category,
            "reasons": notice.request.reasons,
            "items": [item_out(i) for i in items],
            "messages": [message_out(m) for m in messages],
        }
    )


def receipt_out(request: TakedownRequest, *, duplicate_submission: bool) -> ReceiptOut:
    items = list(request.items.all())
    return ReceiptOut(
        case_id=request.case_id or "",
        created_at=request.created_at,
        duplicate_submission=duplicate_submission,
        urgent=request.urgent,
        items=[item_out(i) for i in items],
        notices=[notice_summary_out(n) for n in request.notices.all()],
        triage_count=sum(1 for i in items if i.state == ItemState.TRIAGE),
    )
