"""Who may touch which notice: loads it for the actor, or says it does not exist."""

from hotline.accounts.actors import Actor
from hotline.cases.models import Notice
from hotline.core.errors import NotFound


def notice_for_actor(*, actor: Actor, notice_id: int, for_update: bool = False) -> Notice:
    """The notice if the actor's organisation is its platform or its requester; else 404.

    A 404 rather than a 403, so nobody learns that another organisation's notice exists.
    """
    query = Notice.objects.select_related("request__organisation", "platform__organisation")
    if for_update:
        query = query.select_for_update(of=("self",))
    notice = query.filter(pk=notice_id).first()
    if notice is None or actor.organisation_id not in {
        notice.platform.organisation_id,
        notice.request.organisation_id,
    }:
        raise NotFound(f"notice {notice_id} not found")
    return notice


def is_platform_side(actor: Actor, notice: Notice) -> bool:
    return actor.is_moderator and actor.organisation_id == notice.platform.organisation_id


def is_reporter_side(actor: Actor, notice: Notice) -> bool:
    return actor.is_reporter and actor.organisation_id == notice.request.organisation_id
