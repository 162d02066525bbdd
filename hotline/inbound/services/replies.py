"""A platform's reply by email: two factors checked, each instruction applied, then confirmed."""

from email.message import Message
from typing import Any

from hotline.accounts.actors import Actor
from hotline.audit.services import audit_record
from hotline.cases.models import Item, Notice
from hotline.cases.services.moderation import ItemDecision, item_act
from hotline.cases.tokens import reply_token_check
from hotline.core.errors import Conflict, DomainError, NotFound
from hotline.delivery.services import delivery_enqueue
from hotline.inbound import mime
from hotline.inbound.authn import failed_checks
from hotline.inbound.classify import ThreadRef, reply_tokens
from hotline.inbound.grammar import Instruction, own_text, parse_reply
from hotline.inbound.models import InboundKind, InboundMessage, InboundStatus
from hotline.inbound.senders import platform_actor
from hotline.inbound.services.answers import answer_process, reporter_of_notice
from hotline.inbound.services.outcomes import quarantine
from hotline.inbound.texts import confirmation_text
from hotline.inbound.thread import answer_thread
from hotline.platforms.models import ChannelKind


def reply_process(
    row: InboundMessage, message: Message, refs: list[ThreadRef], recipients: list[str]
) -> None:
    notice_ids = list(dict.fromkeys(ref.notice_id for ref in refs))
    if len(notice_ids) > 1:
        quarantine(row, f"names several notices: {notice_ids}", InboundKind.REPLY)
        return
    notice = (
        Notice.objects.select_related("platform__organisation", "request")
        .filter(pk=notice_ids[0])
        .first()
    )
    if notice is None:
        quarantine(row, f"names notice {notice_ids[0]}, which does not exist", InboundKind.REPLY)
        return
    reporter = reporter_of_notice(row.from_address, notice)
    if reporter is not None:
        # The notice's own reporter answering a platform's question (docs/notifications.md).
        row.organisation_id = notice.request.organisation_id
        refusal = second_factor_refusal(row, message, notice, recipients)
        if refusal:
            quarantine(row, refusal, InboundKind.REPLY, notice=notice.pk)
        else:
            answer_process(row, message, notice, reporter)
        return
    actor = _authenticated(row, message, notice, recipients)
    if actor is None:
        return
    # Only the moderator's own words: quoted mail and attached messages are never instructions.
    own = own_text(mime.text_parts(message))
    parsed = parse_reply(own)
    if not parsed.instructions and not parsed.refusals:
        quarantine(row, "a reply with no instruction in it", InboundKind.REPLY, notice=notice.pk)
        return
    results = [r for i in parsed.instructions for r in _apply(actor, notice, i)]
    results += [
        {"line": r.line, "item": None, "applied": False, "why": r.why, "code": r.code}
        for r in parsed.refusals
    ]
    korean = mime.has_hangul(row.subject + own)
    thread = answer_thread(message)
    if not parsed.instructions:
        # Nothing understood ("We removed the video", with no item): a person reads it, and
        # the moderator is told at once which lines were not understood and why.
        why = f"no instruction understood in {len(results)} line(s) that look like one"
        quarantine(row, why, InboundKind.REPLY, notice=notice.pk, results=results)
        _confirm(row, notice, results, korean, thread)
        return
    _done(row, notice, actor, results, korean, thread)


def _authenticated(
    row: InboundMessage, message: Message, notice: Notice, recipients: list[str]
) -> Actor | None:
    """The platform's actor, only with both factors: a registered From and the reply token."""
    row.organisation_id = notice.platform.organisation_id
    actor = platform_actor(row.from_address, notice.platform)
    if actor is None:
        why = f"sender {row.from_address or '(none)'} is not registered for {notice.platform.name}"
        quarantine(row, why, InboundKind.REPLY, notice=notice.pk)
        return None
    refusal = second_factor_refusal(row, message, notice, recipients)
    if refusal:
        quarantine(row, refusal, InboundKind.REPLY, notice=notice.pk)
        return None
    return actor


def second_factor_refusal(
    row: InboundMessage, message: Message, notice: Notice, recipients: list[str]
) -> str:
    """Why the reply token or sender authentication fails, or "" when both hold."""
    text = "\n".join(p.text for p in mime.text_parts(message))
    tokens = reply_tokens([r.lower() for r in recipients], f"{row.subject}\n{text}")
    checks = [reply_token_check(notice, t) for n, t in tokens if n == notice.pk]
    if not any(check.valid for check in checks):
        expired = [c.expired_at for c in checks if c.expired_at is not None]
        return (
            f"the reply token for notice N{notice.pk} expired at {max(expired).isoformat()}; "
            "ask the hotline for a new notice email"
            if expired
            else f"no valid reply token for notice N{notice.pk}: a From address alone never "
            "acts on a notice"
        )
    failures = failed_checks(row.authentication)
    if failures:
        return "sender authentication failed: " + "; ".join(failures)
    return ""


def _apply(actor: Actor, notice: Notice, instruction: Instruction) -> list[dict[str, Any]]:
    items = {
        item.position: item.pk
        for item in Item.objects.filter(notice=notice, position__in=instruction.positions)
    }
    decision = ItemDecision(
        action=instruction.action,
        reason=instruction.reason,
        note=instruction.note,
        question=instruction.question,
    )
    results = []
    for position in instruction.positions:
        result: dict[str, Any] = {"line": instruction.line, "item": position, "applied": False}
        if position not in items:
            result["why"] = f"item {position} is not on notice N{notice.pk}"
            result["code"] = "not_on_notice"
        else:
            try:
                # item_act runs in a savepoint: a refused line leaves nothing behind.
                item_act(
                    actor=actor, notice_id=notice.pk, item_id=items[position], decision=decision
                )
                result["applied"] = True
            except DomainError as error:
                result["why"] = error.message
                result["code"] = _refusal_code(error)
        results.append(result)
    return results


def _refusal_code(error: DomainError) -> str:
    """What texts.py words in the reader's language; the English message is kept as well."""
    if isinstance(error, Conflict):
        return "not_allowed_now"
    return "not_on_notice" if isinstance(error, NotFound) else "refused"


def _done(
    row: InboundMessage,
    notice: Notice,
    actor: Actor,
    results: list[dict[str, Any]],
    korean: bool,
    thread: dict[str, object],
) -> None:
    applied = sum(1 for r in results if r["applied"])
    row.status, row.kind = InboundStatus.PROCESSED, InboundKind.REPLY
    row.reason = f"{applied} of {len(results)} instruction(s) applied"
    row.outcome = {"notice": notice.pk, "results": results}
    audit_record(
        tag="inbound:reply_applied",
        actor=actor.label,
        subject=f"notice:{notice.pk}",
        organisation_id=notice.request.organisation_id,
        payload={"inbound": row.pk, "applied": applied, "lines": len(results)},
    )
    _confirm(row, notice, results, korean, thread)


def _confirm(
    row: InboundMessage,
    notice: Notice,
    results: list[dict[str, Any]],
    korean: bool,
    thread: dict[str, object],
) -> None:
    """The confirmation: each line applied, or refused with the reason, under the reply."""
    case_id = notice.request.case_id or ""
    korean = korean or notice.platform.language == "ko"
    delivery_enqueue(
        idempotency_key=f"confirmation-inbound-{row.pk}",
        kind="confirmation",
        channel=ChannelKind.EMAIL,
        recipient=row.from_address,
        subject=f"[hotline {case_id} N{notice.pk}] " + ("처리 결과" if korean else "Confirmation"),
        body=confirmation_text(
            korean=korean, notice_id=notice.pk, case_id=case_id, results=results
        ),
        about=f"notice:{notice.pk}",
        organisation_id=notice.request.organisation_id,
        payload={
            "inbound_id": row.pk,
            "language": "ko" if korean else "en",
            "results": results,
            **thread,
        },
    )
