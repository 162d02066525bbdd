"""Reads of the outbox and of webhook secrets."""

from datetime import datetime

from django.db.models import Q, QuerySet

from hotline.delivery.models import Delivery, Subscription, WebhookSecret


def deliveries_about(*, about: list[str]) -> QuerySet[Delivery]:
    return Delivery.objects.filter(about__in=about).order_by("created_at", "pk")


def deliveries_to_platform(*, about: str, platform_id: int) -> QuerySet[Delivery]:
    """What went to the platform about something; both sides of a notice may see these."""
    return Delivery.objects.filter(about=about, platform_id=platform_id).order_by(
        "created_at", "pk"
    )


def webhook_secrets_in_use(*, platform_id: int, now: datetime) -> QuerySet[WebhookSecret]:
    """The active secret and any predecessor still inside its overlap window, newest first."""
    return WebhookSecret.objects.filter(
        Q(retired_at=None) | Q(retired_at__gt=now), platform_id=platform_id
    ).order_by("-created_at", "-pk")


def webhook_signing_secrets(
    *, platform_id: int | None, now: datetime, subscription_id: int | None = None
) -> list[str]:
    """A platform's secrets in use, or a reporter's subscription's own secret."""
    if subscription_id is not None:
        secret = (
            Subscription.objects.filter(pk=subscription_id)
            .values_list("webhook_secret", flat=True)
            .first()
        )
        return [secret] if secret else []
    if platform_id is None:
        return []
    return list(
        webhook_secrets_in_use(platform_id=platform_id, now=now).values_list("secret", flat=True)
    )


def deliveries_listed(*, failed_only: bool = False, about: str | None = None) -> QuerySet[Delivery]:
    """The outbox for `hotline delivery list`: an operator's view, newest last."""
    rows = Delivery.objects.order_by("pk")
    if failed_only:
        rows = rows.filter(status="failed")
    if about is not None:
        rows = rows.filter(about=about)
    return rows
