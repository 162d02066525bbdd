"""What her status page shows: per hash or URL only what she needs, nothing of other cases."""

from dataclasses import dataclass

from django.db.models import Count

from hotline.cases.models import Item, ItemLink
from hotline.cases.workflow import ItemState
from hotline.selfservice.models import SelfCase

REMOVED_STATES = {ItemState.REMOVED, ItemState.CONFIRMED_REMOVED}
ANSWERED_STATES = {ItemState.RESTRICTED, ItemState.REJECTED}


@dataclass(frozen=True)
class StatusRow:
    position: int
    what: str  # "url" or "hashes"
    url: str
    platform: str  # the platform's public name, or ""
    status: str  # "removed", "restricted", "refused", "with_platform", "checking"
    found_again_on: list[str]  # platforms where a later report matched her hashes
    hashes_withdrawn: bool


@dataclass(frozen=True)
class StatusPage:
    case_id: str
    filed_at: str
    withdrawn_at: str | None
    rows: list[StatusRow]


def self_case_status(*, case: SelfCase) -> StatusPage:
    items = list(
        Item.objects.filter(request=case.request).select_related("platform").order_by("position")
    )
    again = _found_again(items)
    return StatusPage(
        case_id=case.request.case_id or "",
        filed_at=case.request.created_at.date().isoformat(),
        withdrawn_at=case.withdrawn_at.isoformat() if case.withdrawn_at else None,
        rows=[
            StatusRow(
                position=item.position,
                what="url" if item.url else "hashes",
                url=item.url,
                platform=item.platform.name if item.platform else "",
                status=_status(item),
                found_again_on=again.get(item.pk, []),
                hashes_withdrawn=case.withdrawn_at is not None and not item.url,
            )
            for item in items
        ],
    )


def _status(item: Item) -> str:
    if item.state in REMOVED_STATES:
        return "removed"
    if item.state == ItemState.RESTRICTED:
        return "restricted"
    if item.state == ItemState.REJECTED:
        return "refused"
    if item.platform_id is not None and item.state != ItemState.TRIAGE:
        return "with_platform"
    return "checking"


def _found_again(items: list[Item]) -> dict[int, list[str]]:
    """Platform names only: a later report belongs to another case she must not see."""
    rows = (
        ItemLink.objects.filter(earlier_item__in=items, item__platform__isnull=False)
        .values("earlier_item_id", "item__platform__name")
        .annotate(n=Count("pk"))
        .order_by("item__platform__name")
    )
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row["earlier_item_id"], []).append(row["item__platform__name"])
    return found
