"""API for reviewing self-filed URLs: the list waiting, send one on, decline one with a reason."""

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from hotline.accounts.auth import request_actor
from hotline.core.paging import page_limit, paginate
from hotline.selfservice.models import HeldUrl
from hotline.selfservice.review import Reviewed, held_url_approve, held_url_decline
from hotline.selfservice.selectors import held_urls_waiting

router = Router(tags=["self-service review"])


class HeldUrlOut(Schema):
    id: int
    case_id: str
    position: int
    url: str
    host: str
    review: str
    reviewed_by: str
    reason: str
    notice_id: int | None
    platform: str | None


class DeclineIn(Schema):
    reason: str = Field(..., description="why it is not sent on; she reads it on her page")


def _out(held: HeldUrl) -> HeldUrlOut:
    item = held.item
    return HeldUrlOut(
        id=held.pk,
        case_id=item.request.case_id or "",
        position=item.position,
        url=item.url,
        host=item.host,
        review=held.review,
        reviewed_by=held.reviewed_by,
        reason=held.reason,
        notice_id=item.notice_id,
        platform=item.platform.name if item.platform else None,
    )


@router.get("/self-review", response=list[HeldUrlOut])
def list_self_review(
    request: HttpRequest, response: HttpResponse, cursor: str = "", limit: int | None = None
) -> list[HeldUrlOut]:
    """Self-filed URLs waiting for review, oldest first (every regulator or support-centre
    reporter sees them; platforms never). Paged: `X-Total-Count`, `X-Next-Cursor`."""
    rows = held_urls_waiting(actor=request_actor(request))
    page = paginate(rows, keys=("pk",), cursor=cursor or None, limit=page_limit(limit))
    response["X-Total-Count"] = str(page.total)
    if page.next_cursor:
        response["X-Next-Cursor"] = page.next_cursor
    return [_out(held) for held in page.rows]


def _reviewed(result: Reviewed) -> HeldUrlOut:
    held = HeldUrl.objects.select_related("item__request", "item__platform").get(pk=result.held.pk)
    return _out(held)


@router.post("/self-review/{held_id}/approve", response=HeldUrlOut)
def approve_self_review(request: HttpRequest, held_id: int) -> HeldUrlOut:
    """Send it to its platform on a new notice, with the platform's usual deadline."""
    return _reviewed(held_url_approve(actor=request_actor(request), held_id=held_id))


@router.post("/self-review/{held_id}/decline", response=HeldUrlOut)
def decline_self_review(request: HttpRequest, held_id: int, payload: DeclineIn) -> HeldUrlOut:
    """Keep it from platforms, with a reason."""
    result = held_url_decline(actor=request_actor(request), held_id=held_id, reason=payload.reason)
    return _reviewed(result)
