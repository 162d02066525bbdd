"""What hotline tells platforms and officials, put in the outbox in the caller's transaction."""

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from hotline.audit.selectors import current_checkpoint
from hotline.cases.models import Item, Message, Notice
from hotline.cases.tokens import notice_action_token, notice_reply_token
from hotline.delivery.services import delivery_enqueue
from hotline.platforms.models import ChannelKind, Platform


def _recipient(platform: Platform) -> str:
    if platform.channel == ChannelKind.WEBHOOK:
        return platform.webhook_url
    return platform.hotline_email or platform.organisation.contact_email or platform.name


def _deadline_text(notice: Notice) -> str:
    local = notice.deadline_at.astimezone(ZoneInfo(notice.platform.time_zone))
    return local.strftime("%Y-%m-%d %H:%M %Z")


def _thread(notice: Notice, *, to_platform: bool = True) -> dict[str, object]:
    """What an email needs to thread a message under its notice (reply address, reference)."""
    thread: dict[str, object] = {
        "notice_id": notice.pk,
        "case_id": notice.request.case_id,
        "reply_token": notice_reply_token(notice),
    }
    if to_platform:
        thread.update(
            language=notice.platform.language,
            time_zone=notice.platform.time_zone,
            action_token=notice_action_token(notice),
        )
    return thread


def notice_payload(notice: Notice, items: list[Item]) -> dict[str, object]:
    request = notice.request
    return {
        "notice_id": notice.pk,
        "case_id": request.case_id,
        "platform": notice.platform.name,
        "language": notice.platform.language,
        "time_zone": notice.platform.time_zone,
        "reply_token": notice_reply_token(notice),
        "action_token": notice_action_token(notice),
        "urgent": notice.urgent,
        "category": request.category,
        "reasons": request.reasons,
        "deadline_at": notice.deadline_at.isoformat(),
        "items": [
            {"item_id": i.pk, "position": i.position, "url": i.url, "signals": i.signals}
            for i in items
        ],
        # The platform keeps a signed copy of the record's state that hotline cannot recall.
        "checkpoint": current_checkpoint().as_dict(),
    }


def notice_send(*, notice: Notice, items: list[Item]) -> None:
    request = notice.request
    urgency = "URGENT " if notice.urgent else ""
    lines = [
        f"{urgency}Takedown notice {notice.pk} for case {request.case_id}.",
        f"Category: {request.category}. Deadline: {_deadline_text(notice)}.",
        f"Reasons: {request.reasons}",
        "",
        "item  url",
        *[f"{i.position:>4}  {i.url or '(hashes only)'}" for i in items],
        "",
        "Act on each item through the hotline API: removed, restricted, rejected, needs_info.",
    ]
    delivery_enqueue(
        idempotency_key=f"notice-{notice.pk}",
        kind="notice",
        channel=notice.platform.channel,
        recipient=_recipient(notice.platform),
        subject=f"[hotline {request.case_id} N{notice.pk}] {urgency}takedown notice",
        body="\n".join(lines),
        about=f"notice:{notice.pk}",
        organisation_id=request.organisation_id,
        payload=notice_payload(notice, items),
        platform_id=notice.platform_id,
    )


def message_forward(*, message: Message, to_platform: bool) -> None:
    """Carry a question or answer to the other side of the notice."""
    notice = message.notice
    if to_platform:
        channel, recipient = notice.platform.channel, _recipient(notice.platform)
    else:
        contact = notice.request.organisation.contact_email
        channel, recipient = ChannelKind.EMAIL, contact or notice.request.organisation.name
    delivery_enqueue(
        idempotency_key=f"message-{message.pk}",
        kind=f"message:{message.kind}",
        channel=channel,
        recipient=recipient,
        subject=f"[hotline {notice.request.case_id} N{notice.pk}] {message.kind}",
        body=message.body,
        about=f"notice:{notice.pk}",
        organisation_id=notice.request.organisation_id,
        payload={
            **_thread(notice, to_platform=to_platform),
            "message_id": message.pk,
            "item_id": message.item_id,
            "kind": message.kind,
        },
        platform_id=notice.platform_id if to_platform else None,
    )


def escalation_send(
    *, notice: Notice, waiting_items: list[Item], open_questions: Sequence[Message] = ()
) -> None:
    platform = notice.platform
    positions = ", ".join(str(i.position) for i in waiting_items)
    if platform.language == "ko":
        body = (
            f"통지 N{notice.pk}(사건 {notice.request.case_id})의 처리 기한 "
            f"{_deadline_text(notice)}이 지났지만 {len(waiting_items)}개 항목이 아직 처리되지 "
            f"않았습니다: {positions}"
        )
        questions_heading = f"신고 기관의 답변받지 못한 질문 ({len(open_questions)}건):"
        asked, about_item = "질문 시각", "항목"
    else:
        body = (
            f"Notice {notice.pk} (case {notice.request.case_id}) passed its deadline "
            f"{_deadline_text(notice)} with {len(waiting_items)} item(s) still waiting: "
            + positions
        )
        questions_heading = f"The reporter's question(s) still unanswered ({len(open_questions)}):"
        asked, about_item = "asked", "about item"
    if open_questions:
        body += f"\n\n{questions_heading}\n" + (
            "\n".join(
                f"- {asked} {q.created_at:%Y-%m-%d %H:%M} UTC"
                + (f" ({about_item} {q.item.position})" if q.item else "")
                + f": {q.body}"
                for q in open_questions
            )
        )
    delivery_enqueue(
        idempotency_key=f"escalation-{notice.pk}",
        kind="escalation",
        channel=ChannelKind.EMAIL if platform.official_email else platform.channel,
        recipient=platform.official_email or _recipient(platform),
        subject=f"[hotline {notice.request.case_id} N{notice.pk}] OVERDUE: escalation",
        body=body,
        about=f"notice:{notice.pk}",
        organisation_id=notice.request.organisation_id,
        payload={
            **_thread(notice),
            "items": [i.pk for i in waiting_items],
            "open_questions": [q.pk for q in open_questions],
        },
        platform_id=platform.pk,
    )


def _to_platform(
    notice: Notice, *, key: str, kind: str, subject: str, body: str, payload: dict[str, object]
) -> None:
    """A message on the notice's thread, through the platform's own channel."""
    delivery_enqueue(
        idempotency_key=key,
        kind=kind,
        channel=notice.platform.channel,
        recipient=_recipient(notice.platform),
        subject=f"[hotline {notice.request.case_id} N{notice.pk}] {subject}",
        body=body,
        about=f"notice:{notice.pk}",
        organisation_id=notice.request.organisation_id,
        payload={**_thread(notice), **payload},
        platform_id=notice.platform_id,
    )


def question_reminder_send(*, message: Message) -> None:
    """Once, at the policy's time: the reporter's question is still unanswered."""
    about = f" about item {message.item.position}" if message.item else ""
    _to_platform(
        message.notice,
        key=f"reminder-{message.pk}",
        kind="reminder",
        subject="reminder: unanswered question",
        body=(
            f"Reminder: the reporter's question{about}, asked {message.created_at:%Y-%m-%d %H:%M}"
            f" UTC, is still unanswered:\n\n{message.body}\n\nUnanswered questions go to your "
            "designated official with the deadline escalation."
        ),
        payload={"message_id": message.pk, "item_id": message.item_id, "kind": "reminder"},
    )


def reopen_send(*, notice: Notice, item: Item, reason: str) -> None:
    _to_platform(
        notice,
        key=f"reopen-{item.pk}-{item.reopen_count}",
        kind="reopen",
        subject=f"item {item.position} still up",
        body=(
            f"항목 {item.position}({item.url})은(는) 삭제했다는 회신을 받았지만 hotline이 "
            f"확인해 보니 아직 접근할 수 있습니다({reason}). 항목을 다시 열었습니다."
            if notice.platform.language == "ko"
            else f"Item {item.position} ({item.url}) was reported removed but hotline's check "
            f"found it still reachable: {reason}. The item is reopened."
        ),
        payload={"item_id": item.pk, "reason": reason},
    )


def signals_withdrawn_send(
    *, notice: Notice, items: list[Item], entry_ids: list[int], key: str
) -> None:
    """Consent withdrawn: the platform deletes the hashes it received with this notice.

    What to delete is named by notice, item and bank entry id, never by a hash value: hotline
    no longer holds the values, and a message that named them would be a copy of them.
    """
    positions = ", ".join(str(i.position) for i in items)
    entries = ", ".join(str(e) for e in entry_ids) or "-"
    if notice.platform.language == "ko":
        body = (
            f"피해자가 동의를 철회했습니다. 통지 N{notice.pk}(사건 {notice.request.case_id})의 "
            f"항목 {positions}와(과) 함께 받은 해시값을 모두 삭제하십시오. hotline 해시 은행의 "
            f"항목 번호: {entries}. hotline은 이 해시값을 이미 삭제했습니다. URL 삭제 요청은 "
            "그대로 유효합니다."
        )
    else:
        body = (
            f"The depicted person withdrew her consent. Delete every hash you received with "
            f"notice N{notice.pk} (case {notice.request.case_id}) for item(s) {positions}, and "
            f"hotline bank entries {entries} if you synced them. hotline has deleted them. "
            "The takedown of the URLs still stands."
        )
    _to_platform(
        notice,
        key=key,
        kind="signals_withdrawn",
        subject="consent withdrawn: delete the hashes",
        body=body,
        payload={
            "event": "signals_withdrawn",
            "item_ids": [i.pk for i in items],
            "positions": [i.position for i in items],
            "bank_entry_ids": entry_ids,
        },
    )
