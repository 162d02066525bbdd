"""What her status page shows: per hash or URL only what she needs, nothing of other cases."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from hotline.accounts.actors import Actor
from hotline.accounts.models import Organisation
from hotline.cases.models import Item, ItemLink
from hotline.cases.workflow import ItemState
from hotline.core.errors import PermissionDenied
from hotline.selfservice.models import SELF_SERVICE_SLUG, HeldUrl, Review, SelfCase

REMOVED_STATES = {ItemState.REMOVED, ItemState.CONFIRMED_REMOVED}
ANSWERED_STATES = {ItemState.RESTRICTED, ItemState.REJECTED}


@dataclass(frozen=True)
class StatusRow:
    position: int
    what: str  # "url" or "hashes"
    url: str
    platform: str  # the platform's public name, or ""
    # "removed", "restricted", "refused", "with_platform", "checking", "waiting_review",
    # "declined" (a reviewer kept it from platforms; `declined_reason` says why)
    status: str
    found_again_on: list[str]  # platforms where a later report matched her hashes
    hashes_withdrawn: bool
    declined_reason: str = ""


@dataclass(frozen=True)
class StatusPage:
    case_id: str
    filed_at: str
    withdrawn_at: str | None
    rows: list[StatusRow]


def self_case_status(*, case: SelfCase) -> StatusPage:
    items = list(
        Item.objects.filter(request=case.request)
        .select_related("platform", "held_url")
        .order_by("position")
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
                declined_reason=_declined_reason(item),
            )
            for item in items
        ],
    )


def _held(item: Item) -> HeldUrl | None:
    try:
        return item.held_url
    except HeldUrl.DoesNotExist:
        return None


def _declined_reason(item: Item) -> str:
    held = _held(item)
    return held.reason if held is not None and held.review == Review.DECLINED else ""


def _status(item: Item) -> str:
    held = _held(item)
    if held is not None and held.review == Review.WAITING:
        return "waiting_review"
    if held is not None and held.review == Review.DECLINED:
        return "declined"
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


def require_reviewer(actor: Actor) -> None:
    """A reporter of a regulator or support centre, other than the self-service organisation."""
    own = Organisation.objects.filter(pk=actor.organisation_id, slug=SELF_SERVICE_SLUG).exists()
    if not actor.is_reporter or own:
        raise PermissionDenied("only reporters of a regulator or support centre review these")


def held_urls_waiting(*, actor: Actor) -> QuerySet[HeldUrl]:
    """Self-filed URLs waiting for review, oldest first; never a platform's to see."""
    require_reviewer(actor)
    return (
        HeldUrl.objects.filter(review=Review.WAITING)
        .select_related("item", "item__request")
        .order_by("pk")
    )
