"""Filing a takedown request: validate, record, route every item, send notices."""

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from hotline.accounts.actors import Actor
from hotline.accounts.models import Organisation
from hotline.banks.services import Signal, signal_problem
from hotline.cases.categories import MINOR_CATEGORIES, Category
from hotline.cases.legal import ItemLocation, LegalBasis, LegalElements, missing_elements
from hotline.cases.models import Item, TakedownRequest
from hotline.cases.services.common import record
from hotline.cases.services.prevention import items_link_and_bank
from hotline.cases.services.routing import route_items
from hotline.cases.services.victims import victim_for_reference, victim_link_record
from hotline.cases.victims import BadVictimReference, victim_reference_clean
from hotline.core import clock
from hotline.core.errors import Conflict, InvalidInput, PermissionDenied
from hotline.platforms.urls import InvalidUrl, normalise_url

MAX_ITEMS = 1000


@dataclass(frozen=True)
class ItemInput:
    url: str = ""
    signals: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class RequestInput:
    category: Category
    reasons: str
    items: list[ItemInput]
    urgent: bool = False
    involves_minor: bool = False
    jurisdiction: str | None = None
    legal_bases: list[LegalBasis] = field(
        default_factory=lambda: [LegalBasis.TAKE_IT_DOWN, LegalBasis.DSA_ART16]
    )
    elements: LegalElements = field(default_factory=LegalElements)
    client_reference: str | None = None
    # The filing organisation's pseudonymous reference of the victim (cases.victims).
    victim_reference: str | None = None
    # Keep every item in triage until a person reviews it (self-service: no account filed it).
    hold_for_review: bool = False


@dataclass(frozen=True)
class SubmitResult:
    request: TakedownRequest
    created: bool


def request_submit(*, actor: Actor, data: RequestInput) -> SubmitResult:
    """File a request. The same client_reference with the same content returns the first
    request unchanged; with other content it is a 409 naming what differs."""
    if not actor.is_reporter:
        raise PermissionDenied("only reporters of a regulator or support organisation may file")
    try:
        data = replace(data, victim_reference=victim_reference_clean(data.victim_reference))
    except BadVictimReference as error:
        raise InvalidInput(
            str(error), details=[{"element": "victim_reference", "message": str(error)}]
        ) from None
    _validate(data)
    digests = submission_digests(data)
    if data.client_reference:
        existing = _existing(actor, data.client_reference)
        if existing is not None:
            return _repeat(existing, digests)
    try:
        return SubmitResult(_create(actor, data, digests), created=True)
    except IntegrityError:
        # A concurrent duplicate won the race on the unique reference: answer with it.
        existing = _existing(actor, data.client_reference or "")
        if existing is None:
            raise
        return _repeat(existing, digests)


def submission_digests(data: RequestInput) -> dict[str, str]:
    """One SHA-256 per part of what is filed, so that a reuse of the client reference can say
    which parts differ. Media count by their signals: the same file sent again is the same."""
    parts: dict[str, Any] = {
        "category": str(data.category),
        "reasons": data.reasons,
        "items": [[i.url.strip(), [_signal_row(s) for s in i.signals]] for i in data.items],
        "urgency": [data.urgent, data.involves_minor],
        "jurisdiction": (data.jurisdiction or "").upper(),
        "legal": [sorted(str(b) for b in data.legal_bases), data.elements.__dict__],
        "victim_reference": data.victim_reference or "",
    }
    return {
        name: hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()
        for name, value in parts.items()
    }


def _repeat(existing: TakedownRequest, digests: dict[str, str]) -> SubmitResult:
    """A retry gets the first receipt; other content under the same reference is refused.
    Requests filed before digests were kept have none to compare: they answer as retries."""
    stored = existing.submission_digests or {}
    differing = [name for name, value in digests.items() if stored and stored.get(name) != value]
    if differing:
        raise Conflict(
            f"client_reference {existing.client_reference!r} was already used for case "
            f"{existing.case_id} with other content ({', '.join(differing)}); send the same "
            "content to get its receipt again, or a new client_reference to file a new request",
            details=[
                {"element": name, "message": f"differs from case {existing.case_id}"}
                for name in differing
            ],
        )
    return SubmitResult(existing, created=False)


def _existing(actor: Actor, reference: str) -> TakedownRequest | None:
    return TakedownRequest.objects.filter(
        organisation_id=actor.organisation_id, client_reference=reference
    ).first()


def _validate(data: RequestInput) -> None:
    if not data.items:
        raise InvalidInput("a request needs at least one item", details=[{"element": "items"}])
    if len(data.items) > MAX_ITEMS:
        raise InvalidInput(f"a request holds at most {MAX_ITEMS} items; split it")
    details: list[dict[str, str]] = []
    for index, item in enumerate(data.items, start=1):
        details += _item_problems(index, item)
    locations = [ItemLocation(url=i.url, has_hashes=bool(i.signals)) for i in data.items]
    for gap in missing_elements(
        bases=data.legal_bases,
        elements=data.elements,
        reasons=data.reasons,
        category=data.category,
        items=locations,
    ):
        details.append({"element": gap.element, "message": f"missing: {gap.message}"})
    if details:
        names = ", ".join(d["element"] for d in details)
        raise InvalidInput(f"the request is incomplete or invalid: {names}", details=details)


def _item_problems(index: int, item: ItemInput) -> list[dict[str, str]]:
    problems = []
    if item.url.strip():
        try:
            normalise_url(item.url)
        except InvalidUrl as error:
            problems.append({"element": f"items[{index}].url", "message": str(error)})
    for signal in item.signals:
        problem = signal_problem(
            Signal(
                type=signal.get("type", ""),
                value=signal.get("value", ""),
                quality=signal.get("quality"),
            )
        )
        if problem:
            problems.append({"element": f"items[{index}].signals", "message": problem})
    return problems


@transaction.atomic
def _create(actor: Actor, data: RequestInput, digests: dict[str, str]) -> TakedownRequest:
    now = clock.now()
    organisation = Organisation.objects.get(pk=actor.organisation_id)
    victim = (
        victim_for_reference(
            organisation_id=organisation.pk,
            reference=data.victim_reference,
            actor=actor.label,
            now=now,
        )
        if data.victim_reference
        else None
    )
    urgent = data.urgent or data.involves_minor or data.category in MINOR_CATEGORIES
    request = TakedownRequest.objects.create(
        organisation=organisation,
        filed_by=actor.username,
        client_reference=data.client_reference or None,
        submission_digests=digests if data.client_reference else {},
        victim=victim,
        jurisdiction=(data.jurisdiction or organisation.jurisdiction).upper(),
        category=data.category,
        reasons=data.reasons,
        urgent=urgent,
        involves_minor=data.involves_minor or data.category in MINOR_CATEGORIES,
        legal_bases=[str(b) for b in data.legal_bases],
        legal_elements=data.elements.__dict__,
        created_at=now,
    )
    request.case_id = _case_id(now, request.pk)
    request.save(update_fields=["case_id"])
    record(
        tag="request:submit",
        actor=actor.label,
        subject=request,
        organisation_id=organisation.pk,
        payload={"case_id": request.case_id, "items": len(data.items), "urgent": urgent},
    )
    if victim is not None:
        victim_link_record(victim=victim, request=request, actor=actor.label)
    items = [_item(request, position, item) for position, item in enumerate(data.items, 1)]
    route_items(request=request, items=items, actor=actor.label, now=now, hold=data.hold_for_review)
    items_link_and_bank(items=items, actor=actor.label, now=now)
    return request


def _case_id(now: datetime, pk: int) -> str:
    return f"HL-{now:%Y}-{pk:06d}"


def _item(request: TakedownRequest, position: int, data: ItemInput) -> Item:
    normalised = normalise_url(data.url) if data.url.strip() else None
    return Item(
        request=request,
        position=position,
        url=data.url.strip(),
        normalised_url=normalised.url if normalised else "",
        host=normalised.host if normalised else "",
        location_kind=str(normalised.kind) if normalised else "",
        room_url=(normalised.room or "") if normalised else "",
        signals=[_signal_row(s) for s in data.signals],
    )


def _signal_row(signal: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"type": signal["type"], "value": signal["value"].lower()}
    if signal.get("quality") is not None:
        row["quality"] = signal["quality"]
    if signal.get("partial"):  # from a video cut short (services.media)
        row["partial"] = str(signal["partial"])
    return row
