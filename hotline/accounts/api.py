"""Who am I: the caller's organisation and role, for clients to check their token."""

from django.http import HttpRequest
from ninja import Router, Schema

from hotline.accounts.auth import request_actor

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    organisation_id: int
    organisation_kind: str
    role: str


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    actor = request_actor(request)
    return MeOut(
        username=actor.username,
        organisation_id=actor.organisation_id,
        organisation_kind=actor.organisation_kind,
        role=actor.role,
    )
