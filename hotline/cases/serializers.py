"""Turning workflow rows into API output shapes; no queries beyond prefetched relations."""

from hotline.audit.schemas import CheckpointOut
from hotline.audit.selectors import current_checkpoint
from hotline.cases import questions
from hotline.cases.models import Item, ItemLink, Message, MessageKind, Notice, TakedownRequest
from hotline.cases.schemas import (
    CheckOut,
    DeliveryOut,
    ItemOut,
    MessageOut,
    NoticeOut,
    NoticeSummaryOut,
    ReceiptOut,
    RoomOut,
    SeenBeforeOut,
)
from hotline.cases.services.media import media_partial
from hotline.cases.workflow import SETTLED, ItemState
from hotline.core import clock
from hotline.delivery.selectors import deliveries_to_platform


def item_out(item: Item) -> ItemOut:
    return ItemOut(
        id=item.pk,
        position=item.position,
        url=item.url,
        normalised_url=item.normalised_url,
        location_kind=item.location_kind,
        state=item.state,
        platform=item.platform.name if item.platform else None,
        notice_id=item.notice_id,
        duplicate_of=item.duplicate_of_id,
        duplicate_note=None,  # filled for reporters by _follow_without_naming
        room=None,
        rejection_reason=item.rejection_reason,
        outcome_note=item.outcome_note,
        acted_at=item.acted_at,
        confirmed_removed_at=item.confirmed_removed_at,
        media_partial=media_partial(item.signals),
        copy_number=item.copy_number,
        found_by=item.found_by,
        match_distance=item.match_distance,
        upload_ref=item.upload_ref,
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
        "clock_pauses_for_info": notice.clock_pauses_for_info,
        "acknowledged_at": notice.acknowledged_at,
        "escalated_at": notice.escalated_at,
        "closed_at": notice.closed_at,
    }


def message_out(message: Message) -> MessageOut:
    question = message.kind == MessageKind.QUESTION
    return MessageOut(
        age_seconds=questions.age_seconds(message, clock.now()) if question else None,
        answered_at=questions.answered_at(message) if question else None,
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
            "deliveries": [
                DeliveryOut(
                    kind=d.kind,
                    recipient=d.recipient,
                    status=d.status,
                    attempts=d.attempts,
                    last_error=d.last_error,
                    sent_at=d.sent_at,
                )
                for d in deliveries_to_platform(
                    about=f"notice:{notice.pk}", platform_id=notice.platform_id
                )
            ],
        }
    )


def seen_before_out(link: ItemLink, viewer_organisation_id: int) -> SeenBeforeOut:
    """Another organisation's case is described but not named."""
    earlier = link.earlier_item
    own = earlier.request.organisation_id == viewer_organisation_id
    case_id = earlier.request.case_id if own else None
    platform = earlier.platform.name if earlier.platform else None
    removed_at = earlier.confirmed_removed_at
    where = f"case {case_id}" if case_id else "another organisation's case"
    outcome = (
        f"removed by {platform} on {removed_at:%Y-%m-%d}"
        if removed_at and platform
        else f"{earlier.state.replace('_', ' ')}" + (f" at {platform}" if platform else "")
    )
    return SeenBeforeOut(
        case_id=case_id,
        platform=platform,
        state=earlier.state,
        removed_at=removed_at,
        distance=link.distance,
        message=f"seen before in {where}, {outcome}",
    )


ANOTHER_ORGANISATION = "already reported by another organisation; this item follows its outcome"
# A room in one of these states took its messages with it.
ROOM_COVERS = frozenset({ItemState.REMOVED, ItemState.CONFIRMED_REMOVED, ItemState.RESTRICTED})


def duplicate_note(item: Item, viewer_organisation_id: int) -> str | None:
    """What a reporter reads of the item its duplicate follows: never another organisation's
    item id, case or notice (docs/decisions/0016, 0022)."""
    original = item.duplicate_of
    if original is None:
        return None
    if original.request.organisation_id != viewer_organisation_id:
        return ANOTHER_ORGANISATION
    return f"already on your open item {original.request.case_id} #{original.position}"


def room_out(item: Item, viewer_organisation_id: int) -> RoomOut | None:
    """A message's room, when the viewer's organisation filed it: a removed room covers it."""
    room = item.room_item
    if room is None or room.request.organisation_id != viewer_organisation_id:
        return None
    covers = room.state in ROOM_COVERS and item.state not in SETTLED
    where = f"{room.request.case_id} #{room.position}"
    state = room.state.replace("_", " ")
    return RoomOut(
        item_id=room.pk,
        case_id=room.request.case_id or "",
        position=room.position,
        url=room.normalised_url,
        state=room.state,
        covers=covers,
        message=(
            f"covered by its room's outcome ({where}: {state})"
            if covers
            else f"posted in the room of item {where} ({state})"
        ),
    )


def _follow_without_naming(out: ItemOut, item: Item, viewer_organisation_id: int) -> None:
    """A duplicate shows the fate of the item it follows; another organisation's item id,
    case or notice is never named (the two reporters never learn of each other)."""
    out.room = room_out(item, viewer_organisation_id)
    original = item.duplicate_of
    if original is None:
        return
    out.follows_state = original.state
    out.duplicate_note = duplicate_note(item, viewer_organisation_id)
    if original.request.organisation_id != viewer_organisation_id:
        out.duplicate_of = None
    if original.confirmed_removed_at is not None:
        out.confirmed_removed_at = original.confirmed_removed_at
    out.rejection_reason = original.rejection_reason


def receipt_out(request: TakedownRequest, *, duplicate_submission: bool) -> ReceiptOut:
    items = list(request.items.all())
    viewer = request.organisation_id
    outs = []
    for item in items:
        out = item_out(item)
        _follow_without_naming(out, item, viewer)
        out.seen_before = [seen_before_out(link, viewer) for link in item.links.all()]
        outs.append(out)
    return ReceiptOut(
        case_id=request.case_id or "",
        created_at=request.created_at,
        duplicate_submission=duplicate_submission,
        urgent=request.urgent,
        items=outs,
        notices=[notice_summary_out(n) for n in request.notices.all()],
        triage_count=sum(1 for i in items if i.state == ItemState.TRIAGE),
        victim_reference=request.victim.reference if request.victim else None,
        checkpoint=CheckpointOut.of(current_checkpoint()),
    )
