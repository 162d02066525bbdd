"""Creating and rotating a platform's webhook signing secret."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from hotline.audit.services import audit_record
from hotline.core import clock
from hotline.delivery.models import WebhookSecret
from hotline.platforms.models import Platform


def secret_fingerprint(secret: str) -> str:
    """Safe to show and log: identifies a secret without revealing it."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


@transaction.atomic
def webhook_secret_rotate(
    *, platform: Platform, actor: str, overlap: timedelta | None = None
) -> WebhookSecret:
    """A new active secret; the previous one keeps signing for `overlap`, then retires."""
    now = clock.now()
    if overlap is None:
        overlap = timedelta(hours=settings.HOTLINE_WEBHOOK_SECRET_OVERLAP_HOURS)
    previous = (
        WebhookSecret.objects.select_for_update().filter(platform=platform, retired_at=None).first()
    )
    if previous is not None:
        previous.retired_at = now + overlap
        previous.save(update_fields=["retired_at"])
    created = WebhookSecret.objects.create(
        platform=platform, secret="whsec_" + secrets.token_hex(32), created_at=now
    )
    audit_record(
        tag="webhook:rotate",
        actor=actor,
        subject=f"platform:{platform.pk}",
        organisation_id=platform.organisation_id,
        payload={
            "fingerprint": secret_fingerprint(created.secret),
            "previous": secret_fingerprint(previous.secret) if previous else None,
            "previous_retires_at": previous.retired_at.isoformat()
            if previous and previous.retired_at
            else None,
        },
    )
    return created
