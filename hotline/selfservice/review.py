"""Reviewing the URLs she filed: a support centre or the regulator sends each on or declines it.

Her hashes are banked at once, as StopNCII shares hashes; a URL is a notice to a platform, so
it waits for a person (docs/decisions/0018, decision 7). Every reporter of a regulator or
support organisation may review, since no one of them filed the case: the self-service
organisation has no members. Platforms never see a URL that waits (it is on no notice).
"""

from dataclasses import dataclass

from django.db import transaction

from hotline.accounts.actors import Actor
from hotline.audit.services import audit_record
from hotline.cases.models import Notice
from hotline.cases.services.routing import held_item_route
from hotline.core import clock
from hotline.core.errors import Conflict, InvalidInput, NotFound
from hotline.selfservice.models import HeldUrl, Review
from hotline.selfservice.selectors import require_reviewer

MAX_REASON = 2000


@dataclass(frozen=True)
class Reviewed:
    held: HeldUrl
    notice: Notice | None  # None when declined, or when the URL repeats an open item


def _held(held_id: int) -> HeldUrl:
    held = (
        HeldUrl.objects.select_for_update(of=("self",))
        .select_related("item", "item__request")
        .filter(pk=held_id)
        .first()
    )
    if held is None:
        raise NotFound(f"no self-filed URL {held_id}")
    if held.review != Review.WAITING:
        raise Conflict(f"self-filed URL {held_id} was already {held.review} by {held.reviewed_by}")
    return held


def _decided(held: HeldUrl, actor: Actor, review: Review, reason: str) -> None:
    held.review, held.reason = review, reason
    held.reviewed_by, held.reviewer_organisation_id = actor.label, actor.organisation_id
    held.reviewed_at = clock.now()
    fields = ["review", "reason", "reviewed_by", "reviewer_organisation", "reviewed_at"]
    held.save(update_fields=fields)
    audit_record(
        tag=f"item:review_{review}",
        actor=actor.label,
        subject=f"item:{held.item_id}",
        organisation_id=held.item.request.organisation_id,
        payload={
            "case_id": held.item.request.case_id,
            "position": held.item.position,
            "reviewer": actor.username,
            "reviewer_organisation": actor.organisation_id,
            **({"reason": reason} if reason else {}),
        },
    )


@transaction.atomic
def held_url_approve(*, actor: Actor, held_id: int) -> Reviewed:
    """Send it on: a notice to its platform with the platform's usual deadline from now."""
    require_reviewer(actor)
    held = _held(held_id)
    _decided(held, actor, Review.APPROVED, "")
    notice = held_item_route(item=held.item, actor=actor.label, now=clock.now())
    return Reviewed(held=held, notice=notice)


@transaction.atomic
def held_url_decline(*, actor: Actor, held_id: int, reason: str) -> Reviewed:
    """Decline it, saying why: she reads the reason on her status page."""
    require_reviewer(actor)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("say why it is declined", details=[{"element": "reason"}])
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"a reason holds at most {MAX_REASON} characters")
    held = _held(held_id)
    _decided(held, actor, Review.DECLINED, reason)
    return Reviewed(held=held, notice=None)
