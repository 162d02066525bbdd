"""Word back to reporters over the API: their news, their open questions, how to be told."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from hotline.accounts.actors import Actor
from hotline.accounts.auth import request_actor
from hotline.cases import questions, selectors
from hotline.cases.services.news import webhook_document
from hotline.core import clock
from hotline.core.errors import NotFound, PermissionDenied
from hotline.delivery.models import Subscription
from hotline.delivery.subscriptions import (
    SubscriptionChoice,
    subscription_remove,
    subscription_set,
    subscriptions_of,
)

router = Router(tags=["word back to reporters"])


class NewsOut(Schema):
    news_id: int
    kind: str = Field(description="outcome, question, escalation or observed_gone")
    case_id: str | None
    item_id: int | None
    notice_id: int | None
    question_id: int | None
    state: str
    facts: dict[str, object]
    created_at: str


class QuestionOut(Schema):
    id: int
    notice_id: int
    case_id: str
    item_id: int | None
    item_position: int | None
    body: str
    asked_at: datetime
    age_seconds: int
    reminded_at: datetime | None


class SubscriptionIn(Schema):
    email: str | None = Field(None, max_length=254)
    language: str | None = Field(None, description="en or ko")
    immediate: bool | None = Field(None, description="Each piece of news as it happens")
    digest: bool | None = Field(None, description="One email a day with what changed")


class SubscriptionOut(Schema):
    scope: str = Field(description="organisation, or me")
    email: str
    language: str
    immediate: bool
    digest: bool
    webhook_url: str = Field(description="Set by an administrator: `hotline notify webhook`")


def _reporter(request: HttpRequest) -> Actor:
    actor = request_actor(request)
    if not actor.is_reporter:
        raise PermissionDenied("only reporters of a regulator or support organisation")
    return actor


@router.get("/news", response=list[NewsOut])
def list_news(request: HttpRequest, since: datetime | None = None) -> list[NewsOut]:
    """What changed on your organisation's items: outcomes with evidence, questions, escalations."""
    news = selectors.news_for_actor(actor=request_actor(request), since=since)[:500]
    return [NewsOut.model_validate(webhook_document(n)) for n in news]


@router.get("/questions", response=list[QuestionOut])
def list_open_questions(request: HttpRequest) -> list[QuestionOut]:
    """Questions waiting for your side's answer, oldest first, each with its age."""
    now = clock.now()
    return [
        QuestionOut(
            id=q.pk,
            notice_id=q.notice_id,
            case_id=q.notice.request.case_id or "",
            item_id=q.item_id,
            item_position=q.item.position if q.item else None,
            body=q.body,
            asked_at=q.created_at,
            age_seconds=questions.age_seconds(q, now),
            reminded_at=q.reminded_at,
        )
        for q in selectors.open_questions_for_actor(actor=request_actor(request))[:500]
    ]


def _out(subscription: Subscription) -> SubscriptionOut:
    return SubscriptionOut(
        scope="me" if subscription.user_id else "organisation",
        email=subscription.email,
        language=subscription.language,
        immediate=subscription.immediate,
        digest=subscription.digest,
        webhook_url=subscription.webhook_url,
    )


@router.get("/notifications", response=list[SubscriptionOut])
def list_subscriptions(request: HttpRequest) -> list[SubscriptionOut]:
    """Your organisation's way of being told, and your own."""
    actor = _reporter(request)
    rows = subscriptions_of(organisation_id=actor.organisation_id)
    return [_out(s) for s in rows if s.user_id in (None, actor.user_id)]


def _user_of(actor: Actor, scope: str) -> int | None:
    if scope == "organisation":
        return None
    if actor.user_id is None:
        raise PermissionDenied("a personal subscription needs a personal account")
    return actor.user_id


@router.put("/notifications/{scope}", response=SubscriptionOut)
def set_subscription(request: HttpRequest, scope: str, body: SubscriptionIn) -> SubscriptionOut:
    """`organisation` or `me`: give only what changes."""
    actor = _reporter(request)
    if scope not in ("organisation", "me"):
        raise NotFound(f"no subscription scope {scope!r}: organisation or me")
    subscription = subscription_set(
        organisation_id=actor.organisation_id,
        user_id=_user_of(actor, scope),
        choice=SubscriptionChoice(**body.model_dump()),
        actor=actor.label,
    )
    return _out(subscription)


@router.delete("/notifications/{scope}", response={204: None})
def remove_subscription(request: HttpRequest, scope: str) -> Status[None]:
    actor = _reporter(request)
    subscription_remove(
        organisation_id=actor.organisation_id, user_id=_user_of(actor, scope), actor=actor.label
    )
    return Status(204, None)
