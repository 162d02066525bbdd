"""Filing a takedown request: validate, record, route every item, send notices."""

from dataclasses import dataclass, field
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
from hotline.core import clock
from hotline.core.errors import InvalidInput, PermissionDenied
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
    # Keep every item in triage until a person reviews it (self-service: no account filed it).
    hold_for_review: bool = False


@dataclass(frozen=True)
class SubmitResult:
    request: TakedownRequest
    created: bool


def request_submit(*, actor: Actor, data: RequestInput) -> SubmitResult:
    """File a request. The same client_reference twice returns the first request unchanged."""
    if not actor.is_reporter:
        raise PermissionDenied("only reporters of a regulator or support organisation may file")
    _validate(data)
    if data.client_reference:
        existing = _existing(actor, data.client_reference)
        if existing is not None:
            return SubmitResult(existing, created=False)
    try:
        return SubmitResult(_create(actor, data), created=True)
    except IntegrityError:
        # A concurrent duplicate won the race on the unique reference: answer with it.
        existing = _existing(actor, data.client_reference or "")
        if existing is None:
            raise
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
def _create(actor: Actor, data: RequestInput) -> TakedownRequest:
    now = clock.now()
    organisation = Organisation.objects.get(pk=actor.organisation_id)
    urgent = data.urgent or data.involves_minor or data.category in MINOR_CATEGORIES
    request = TakedownRequest.objects.create(
        organisation=organisation,
        filed_by=actor.username,
        client_reference=data.client_reference or None,
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
