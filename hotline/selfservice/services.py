"""Filing her case from hashes alone, handing her a PIN, checking it, withdrawing.

The case is a request of the self-service organisation (made on first use), so no other
organisation sees it and she needs no account. It names no legal basis: it carries no
signature or contact, because the page asks for no personal data (docs/self-service.md).
"""

import dataclasses
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from hotline.accounts.actors import Actor
from hotline.accounts.lockout import login_attempt_record, login_locked_until
from hotline.accounts.models import Organisation, OrganisationKind, Role
from hotline.audit.services import audit_record
from hotline.cases.categories import Category
from hotline.cases.models import TakedownRequest
from hotline.cases.services.intake import ItemInput, RequestInput, request_submit
from hotline.cases.services.media import MAX_VIDEO_FRAME_SIGNALS
from hotline.cases.services.withdrawal import (
    Withdrawal,
    request_hash_values,
    request_withdraw_consent,
)
from hotline.core import clock
from hotline.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from hotline.delivery.channels import OutboundMessage, SendResult, channel_for
from hotline.inbound.services.withdrawal import inbound_forget_request_hashes
from hotline.platforms.models import ChannelKind
from hotline.selfservice.models import SELF_SERVICE_SLUG, HeldUrl, SelfCase

log = logging.getLogger(__name__)
PIN_MAIL_KIND = "self_case:pin"
SELF_SERVICE_NAME = "Self-service (victims' own submissions)"
MAX_ITEMS = 50
MAX_URLS = 10  # each a notice once reviewed: a person reviews every one
# The page sends three per photo (PDQ, MD5, SHA-256), and per video MD5, SHA-256 and up to
# MAX_VIDEO_FRAME_SIGNALS distinct frame PDQs, as hotline's own video intake keeps.
MAX_SIGNALS = MAX_VIDEO_FRAME_SIGNALS + 2
PIN_GROUPS = 3  # three groups of four digits: 10^12 PINs, and guessing is throttled besides
PIN_STAGE = "pin"  # the lockout's stage name for PIN attempts (accounts.lockout)
SELF_REASONS = (
    "Submitted by the depicted person through hotline's self-service page: the hashes were "
    "made on her own device; no image left it."
)


@dataclass(frozen=True)
class Issued:
    case_id: str
    pin: str  # shown to her once; only its hash is kept


class TooLarge(InvalidInput):
    status_code = 413
    code = "too_large"


class PinRefused(PermissionDenied):
    """Wrong case number or PIN; deliberately one answer for both."""


class PinThrottled(PermissionDenied):
    status_code = 429
    code = "throttled"

    def __init__(self, until: datetime) -> None:
        super().__init__(f"too many wrong attempts; try again after {until:%Y-%m-%d %H:%M} UTC")
        self.until = until


def self_service_actor() -> Actor:
    organisation, _ = Organisation.objects.get_or_create(
        slug=SELF_SERVICE_SLUG,
        defaults={"name": SELF_SERVICE_NAME, "kind": OrganisationKind.SUPPORT_ORG},
    )
    return Actor(
        user_id=None,
        username="self",
        organisation_id=organisation.pk,
        organisation_kind=organisation.kind,
        role=Role.REPORTER,
    )


def _new_pin() -> str:
    return "-".join(f"{secrets.randbelow(10_000):04d}" for _ in range(PIN_GROUPS))


@transaction.atomic
def self_case_file(*, items: list[dict[str, Any]], category: str) -> Issued:
    """File her case from hashes and optional URLs; returns the number and the PIN."""
    if not items:
        raise InvalidInput(
            "choose at least one photo or give a URL", details=[{"element": "items"}]
        )
    _check_sizes(items)
    try:
        chosen = Category(category)
    except ValueError as error:
        raise InvalidInput(f"unknown category {category!r}") from error
    data = RequestInput(
        category=chosen,
        reasons=SELF_REASONS,
        items=[
            ItemInput(url=str(i.get("url") or ""), signals=list(i.get("signals") or []))
            for i in items
        ],
        legal_bases=[],
        hold_for_review=True,
    )
    request = request_submit(actor=self_service_actor(), data=data).request
    HeldUrl.objects.bulk_create(
        [HeldUrl(item=item) for item in request.items.exclude(url="").order_by("position")]
    )
    return _issue(request, issued_by="self")


def _check_sizes(items: list[dict[str, Any]]) -> None:
    """Caps that keep one anonymous submission small, each refused with its element named."""
    if len(items) > MAX_ITEMS:
        raise TooLarge(
            f"at most {MAX_ITEMS} photos or URLs at once; this had {len(items)}",
            details=[{"element": "items", "message": f"at most {MAX_ITEMS}"}],
        )
    urls = sum(1 for i in items if str(i.get("url") or "").strip())
    if urls > MAX_URLS:
        raise TooLarge(
            f"at most {MAX_URLS} URLs at once; this had {urls}",
            details=[{"element": "items.url", "message": f"at most {MAX_URLS}"}],
        )
    for index, item in enumerate(items, start=1):
        signals = item.get("signals") or []
        if not isinstance(signals, list) or len(signals) > MAX_SIGNALS:
            raise InvalidInput(
                f"item {index}: a list of at most {MAX_SIGNALS} hashes",
                details=[{"element": f"items[{index}].signals", "message": "too many hashes"}],
            )


def _centre_case(case_id: str, actor: Actor) -> TakedownRequest:
    request = TakedownRequest.objects.filter(case_id=case_id).first()
    if request is None or request.organisation_id != actor.organisation_id or not actor.is_reporter:
        raise NotFound(f"no case {case_id} of your organisation")
    return request


@transaction.atomic
def self_case_issue_for(*, case_id: str, actor: Actor) -> Issued:
    """A support centre hands her the number of a case it filed for her, with a new PIN."""
    request = _centre_case(case_id, actor)
    SelfCase.objects.filter(request=request).delete()  # a new PIN replaces the old one
    return _issue(request, issued_by=actor.label)


@transaction.atomic
def self_case_withdraw_for(*, case_id: str, actor: Actor) -> Withdrawal:
    """A support centre withdraws her consent on her instruction, for a case it filed."""
    request = _centre_case(case_id, actor)
    result = _withdraw(request, actor.label)
    SelfCase.objects.filter(request=request, withdrawn_at=None).update(withdrawn_at=clock.now())
    return result


def _issue(request: TakedownRequest, *, issued_by: str) -> Issued:
    pin = _new_pin()
    SelfCase.objects.create(
        request=request, pin_hash=make_password(pin), pin_issued_at=clock.now(), issued_by=issued_by
    )
    audit_record(
        tag="self_case:pin_issued",
        actor=issued_by,
        subject=f"request:{request.pk}",
        organisation_id=request.organisation_id,
        payload={"case_id": request.case_id},
    )
    assert request.case_id is not None  # set when the request was filed
    return Issued(case_id=request.case_id, pin=pin)


def self_case_open(*, case_id: str, pin: str, remote_addr: str) -> SelfCase:
    """Her case, if the PIN is right; attempts are throttled per case and per address."""
    case_id, pin = case_id.strip().upper()[:20], pin.strip()
    username = f"case:{case_id}"
    until = login_locked_until(username=username, remote_addr=remote_addr)
    if until is not None:
        raise PinThrottled(until)
    case = SelfCase.objects.select_related("request").filter(request__case_id=case_id).first()
    right = case is not None and check_password(pin, case.pin_hash)
    until = login_attempt_record(
        username=username, stage=PIN_STAGE, succeeded=right, remote_addr=remote_addr
    )
    if not right or case is None:
        if until is not None:
            raise PinThrottled(until)
        raise PinRefused("that case number and PIN do not match")
    return case


@transaction.atomic
def self_case_withdraw(*, case: SelfCase, actor: str) -> Withdrawal:
    """Withdraw consent: every hash value of her case is deleted (cases.services.withdrawal)."""
    locked = SelfCase.objects.select_for_update().get(pk=case.pk)
    if locked.withdrawn_at is not None:
        raise Conflict("consent was already withdrawn for this case")
    result = _withdraw(locked.request, actor)
    locked.withdrawn_at = clock.now()
    locked.save(update_fields=["withdrawn_at"])
    case.withdrawn_at = locked.withdrawn_at
    return result


def _withdraw(request: TakedownRequest, actor: str) -> Withdrawal:
    """Every hash value of the request deleted: banks, items, notices (cases), and the
    emails it was filed from (inbound), in the caller's transaction."""
    values = request_hash_values(request)
    result = request_withdraw_consent(request=request, actor=actor)
    emails = inbound_forget_request_hashes(request_id=request.pk, values=values, actor=actor)
    return dataclasses.replace(result, emails=emails)


@dataclass(frozen=True)
class PinMail:
    """Her case number and PIN in her language, to the address she typed (never stored)."""

    address: str
    subject: str
    body: str
    language: str


def pin_address(value: str) -> str:
    """The address she typed for her PIN, checked (422 `email` when it is not one)."""
    address = value.strip()
    try:
        validate_email(address)
    except ValidationError as error:
        raise InvalidInput(
            "not an email address", details=[{"element": "email", "message": "not an address"}]
        ) from error
    return address


def self_case_email(*, issued: Issued, mail: PinMail) -> bool:
    """Send her case number and PIN once, straight through the email channel; sent or not.

    Not through the outbox: a Delivery row would keep her address and the PIN in the database
    (decision 0024). So there is no retry; the page says whether it went, and shows both
    anyway. The audit records that a mail was tried and whether it went, never the address.
    """
    message = OutboundMessage(
        idempotency_key=f"self-pin-{secrets.token_hex(8)}",
        kind=PIN_MAIL_KIND,
        recipient=pin_address(mail.address),
        subject=mail.subject,
        body=mail.body,
        payload={"language": mail.language, "case_id": issued.case_id},
        created_at=clock.now(),
    )
    try:
        result = channel_for(ChannelKind.EMAIL).send(message)
    except Exception:  # a channel that raises is a mail not sent; her PIN is on the page
        log.warning("the PIN email could not be sent", exc_info=True)
        result = SendResult(ok=False, detail="channel error")
    with transaction.atomic():  # the send is done: only its record is written
        request = TakedownRequest.objects.get(case_id=issued.case_id)
        audit_record(
            tag="self_case:pin_emailed",
            actor="self",
            subject=f"request:{request.pk}",
            organisation_id=request.organisation_id,
            payload={"case_id": issued.case_id, "sent": result.ok},
        )
    return result.ok
