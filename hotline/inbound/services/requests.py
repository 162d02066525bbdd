"""A registered reporter's email becomes a takedown request, answered with a receipt."""

from dataclasses import dataclass
from email.message import Message
from typing import Any

from hotline.accounts.actors import Actor
from hotline.accounts.models import OrganisationKind
from hotline.audit.selectors import current_checkpoint
from hotline.audit.services import audit_record
from hotline.cases.categories import Category
from hotline.cases.models import TakedownRequest
from hotline.cases.services.intake import ItemInput, RequestInput, request_submit
from hotline.core.errors import DomainError
from hotline.delivery.mail_render import checkpoint_text
from hotline.delivery.services import delivery_enqueue
from hotline.inbound import mime
from hotline.inbound.authn import failed_checks
from hotline.inbound.extract import Markers, markers, urls_in_parts
from hotline.inbound.grammar import own_text
from hotline.inbound.models import InboundKind, InboundMessage, InboundStatus
from hotline.inbound.services.outcomes import quarantine
from hotline.inbound.texts import ReceiptItem, nothing_filed_text, receipt_text
from hotline.inbound.thread import answer_thread
from hotline.platforms.models import ChannelKind
from hotline.platforms.urls import InvalidUrl, normalise_url

_AUTHORITY: dict[str, str] = {
    OrganisationKind.REGULATOR: "regulator",
    OrganisationKind.SUPPORT_ORG: "victim-support organisation",
}


def request_process(row: InboundMessage, message: Message, actor: Actor) -> None:
    row.organisation_id = actor.organisation_id
    failures = failed_checks(row.authentication)
    if failures:
        quarantine(row, "sender authentication failed: " + "; ".join(failures), "request")
        return
    parts = mime.text_parts(message)
    body = mime.plain_text(message)
    found = markers(row.subject, body)
    answer = _Answer(row, found.korean, answer_thread(message))
    urls = _urls(urls_in_parts(parts), row.from_address)
    media = [a for a in row.attachments if a.get("signals")]
    items = [ItemInput(url=u) for u in urls] + [ItemInput(signals=a["signals"]) for a in media]
    if not items:
        _nothing_filed(answer, "no URL and no usable media found")
        return
    data = _request_input(row, found, _own_words(parts), items)
    try:
        result = request_submit(actor=actor, data=data)
    except DomainError as error:
        _nothing_filed(answer, error.message)
        return
    request = result.request
    row.status, row.kind = InboundStatus.PROCESSED, InboundKind.REQUEST
    row.reason = "request filed" if result.created else "the same email was filed before"
    row.outcome = {"request": request.pk, "case_id": request.case_id, "items": len(items)}
    audit_record(
        tag="inbound:request_filed",
        actor=actor.label,
        subject=f"inbound:{row.pk}",
        organisation_id=actor.organisation_id,
        payload={**row.outcome, "created": result.created},
    )
    if result.created:
        _receipt(answer, request, [a.get("name", "") for a in media], actor)


def _urls(candidates: list[str], sender: str) -> list[str]:
    """Valid URLs, each once, less those on the sender's own domain (signatures, logos)."""
    own_domain = sender.rpartition("@")[2].lower()
    seen: set[str] = set()
    urls = []
    for url in candidates:
        try:
            normalised = normalise_url(url)
        except InvalidUrl:
            continue
        host = normalised.host
        if own_domain and (host == own_domain or host.endswith("." + own_domain)):
            continue
        if normalised.url not in seen:
            seen.add(normalised.url)
            urls.append(url)
    return urls


def _own_words(parts: list[mime.TextPart]) -> str:
    """The sender's own text, for the reasons the platform reads: no forwarded or quoted mail,
    which may hold a victim's own words and address."""
    return own_text(parts)[:2000]


def _request_input(
    row: InboundMessage, found: Markers, body: str, items: list[ItemInput]
) -> RequestInput:
    if found.involves_minor and found.deepfake:
        category = Category.MINOR_SEXUAL_DEEPFAKE
    elif found.deepfake:
        category = Category.SEXUAL_DEEPFAKE
    else:
        category = Category.NON_CONSENSUAL_INTIMATE_IMAGE
    reasons = f"Filed by email from {row.from_address}: {row.subject}\n\n{body}"
    reference = (row.message_id.strip("<> ") or row.sha256)[:90]
    return RequestInput(
        category=category,
        reasons=reasons[:5000],
        items=items,
        urgent=found.urgent,
        involves_minor=found.involves_minor,
        # A registered regulator or centre files on its authority under national law; an
        # email holds no TAKE IT DOWN signature or DSA statements, so none is claimed.
        legal_bases=[],
        client_reference=f"email:{reference}",
    )


@dataclass(frozen=True)
class _Answer:
    """Whom hotline answers, in which language, and where the answer threads."""

    row: InboundMessage
    korean: bool
    thread: dict[str, object]


def _receipt(
    answer: _Answer, request: TakedownRequest, media_names: list[str], actor: Actor
) -> None:
    row = answer.row
    rows = list(request.items.select_related("platform").order_by("position"))
    url_count = len(rows) - len(media_names)
    items = [
        ReceiptItem(
            position=item.position,
            label=item.url
            or _media_label(media_names, item.position - url_count - 1, answer.korean),
            state=item.state,
            platform=item.platform.name if item.platform else "",
        )
        for item in rows
    ]
    body = receipt_text(
        korean=answer.korean,
        case_id=request.case_id or "",
        items=items,
        attachments=row.attachments,
        urgent=request.urgent,
        authority=_AUTHORITY.get(actor.organisation_kind, "reporter"),
        # Taken in the filing's transaction, so it covers the request's own audit events.
        checkpoint=checkpoint_text(current_checkpoint().as_dict()),
    )
    subject = f"[hotline {request.case_id}] " + ("접수 확인" if answer.korean else "Receipt")
    key = f"receipt-inbound-{row.pk}"
    _send(answer, key, f"{subject}: {row.subject}", body, f"request:{request.pk}")


def _media_label(names: list[str], index: int, korean: bool) -> str:
    name = names[index] if 0 <= index < len(names) else ""
    if korean:
        return f"{name or '첨부 파일'}의 해시값"
    return f"hashes of {name or 'an attachment'}"


def _nothing_filed(answer: _Answer, why: str) -> None:
    row, korean = answer.row, answer.korean
    quarantine(row, f"nothing filed: {why}", InboundKind.REQUEST)
    body = nothing_filed_text(korean=korean, why=why, attachments=row.attachments)
    subject = "[hotline] " + ("접수 불가" if korean else "Not filed")
    key = f"receipt-inbound-{row.pk}-not-filed"
    _send(answer, key, f"{subject}: {row.subject}", body, f"inbound:{row.pk}")


def _send(answer: _Answer, key: str, subject: str, body: str, about: str) -> None:
    row = answer.row
    payload: dict[str, Any] = {
        "inbound_id": row.pk,
        "language": "ko" if answer.korean else "en",
        **answer.thread,
    }
    delivery_enqueue(
        idempotency_key=key,
        kind="receipt",
        channel=ChannelKind.EMAIL,
        recipient=row.from_address,
        subject=subject[:300],
        body=body,
        about=about,
        organisation_id=row.organisation_id,
        payload=payload,
    )
