"""How reporters choose to be told: an organisation's or a person's subscription to its news.

Reporters set the email address, language, and whether news comes at once and/or in a daily
digest. A webhook URL is set only by an administrator (`hotline notify webhook`), like a
platform's: hotline never posts to an address a reporter typed (docs/decisions/0016).
"""

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet

from hotline.audit.services import audit_record
from hotline.core import clock
from hotline.core.errors import InvalidInput, NotFound
from hotline.delivery.models import Subscription
from hotline.delivery.webhook import url_refusal
from hotline.delivery.webhook_secrets import secret_fingerprint

LANGUAGES = ("en", "ko")


@dataclass(frozen=True)
class SubscriptionChoice:
    """What changes; None leaves a field as it is."""

    email: str | None = None
    language: str | None = None
    immediate: bool | None = None
    digest: bool | None = None


def _check(choice: SubscriptionChoice) -> None:
    if choice.language is not None and choice.language not in LANGUAGES:
        raise InvalidInput(
            f"language {choice.language!r}: one of {', '.join(LANGUAGES)}",
            details=[{"element": "language"}],
        )
    if choice.email:
        try:
            validate_email(choice.email)
        except ValidationError as error:
            raise InvalidInput(
                f"not an email address: {choice.email!r}", details=[{"element": "email"}]
            ) from error


def _owned(organisation_id: int, user_id: int | None) -> "QuerySet[Subscription]":
    rows = Subscription.objects.filter(organisation_id=organisation_id)
    return rows.filter(user__isnull=True) if user_id is None else rows.filter(user_id=user_id)


@transaction.atomic
def subscription_set(
    *, organisation_id: int, user_id: int | None, choice: SubscriptionChoice, actor: str
) -> Subscription:
    """Create or change the organisation's (user_id None) or a person's subscription."""
    _check(choice)
    subscription = _owned(organisation_id, user_id).select_for_update().first()
    if subscription is None:
        subscription = Subscription(
            organisation_id=organisation_id, user_id=user_id, created_at=clock.now()
        )
    for field in ("email", "language", "immediate", "digest"):
        value = getattr(choice, field)
        if value is not None:
            setattr(subscription, field, value)
    subscription.save()
    _audit(subscription, "subscription:set", actor)
    return subscription


@transaction.atomic
def subscription_remove(*, organisation_id: int, user_id: int | None, actor: str) -> None:
    """Stop telling this organisation or person; news already in the outbox still goes."""
    subscription = _owned(organisation_id, user_id).first()
    if subscription is None:
        raise NotFound("no subscription to remove")
    subscription.email, subscription.webhook_url = "", ""
    subscription.immediate = subscription.digest = False
    subscription.save()
    _audit(subscription, "subscription:remove", actor)


@transaction.atomic
def subscription_webhook_set(*, organisation_id: int, url: str, actor: str) -> str:
    """An administrator points the organisation's news at a webhook; returns the new secret.

    The secret is shown once; every webhook is signed with it like a platform's
    (`Hotline-Signature: t=…,v1=…`). Setting the URL again makes a new secret.
    """
    refusal = url_refusal(url) if url else ""
    if refusal:
        raise InvalidInput(refusal, details=[{"element": "url"}])
    subscription = _owned(organisation_id, None).select_for_update().first()
    if subscription is None:
        subscription = Subscription(organisation_id=organisation_id, created_at=clock.now())
    secret = "whsec_" + secrets.token_hex(32) if url else ""
    subscription.webhook_url, subscription.webhook_secret = url, secret
    subscription.save()
    _audit(subscription, "subscription:webhook", actor)
    return secret


def _audit(subscription: Subscription, tag: str, actor: str) -> None:
    audit_record(
        tag=tag,
        actor=actor,
        subject=f"subscription:{subscription.pk}",
        organisation_id=subscription.organisation_id,
        payload={
            "user": subscription.user_id,
            "email": subscription.email,
            "language": subscription.language,
            "immediate": subscription.immediate,
            "digest": subscription.digest,
            "webhook_url": subscription.webhook_url,
            "webhook_secret": secret_fingerprint(subscription.webhook_secret)
            if subscription.webhook_secret
            else None,
        },
    )


def subscriptions_of(*, organisation_id: int) -> list[Subscription]:
    return list(Subscription.objects.filter(organisation_id=organisation_id).order_by("pk"))
