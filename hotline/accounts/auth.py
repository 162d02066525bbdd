"""API authentication: `Authorization: Bearer hl_…` resolves to an Actor."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from hotline.accounts.actors import Actor
from hotline.accounts.services import actor_from_token


class TokenAuth(HttpBearer):
    """Unknown, revoked and malformed tokens all get the same 401."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        actor = actor_from_token(token)
        if actor is not None:
            request.actor = actor  # type: ignore[attr-defined]
        return actor


def request_actor(request: HttpRequest) -> Actor:
    actor: Any = request.auth  # type: ignore[attr-defined]
    assert isinstance(actor, Actor)
    return actor
