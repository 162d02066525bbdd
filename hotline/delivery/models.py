"""The outbox: one row per message to deliver, written in the transaction that caused it."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from hotline.core.encryption import EncryptedTextField
from hotline.platforms.models import Platform


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed permanently"


class Delivery(models.Model):
    # Receivers deduplicate by this key; a retry after a crash reuses it.
    idempotency_key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=20)
    recipient = models.CharField(max_length=500)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    payload = models.JSONField(default=dict)
    # What this message is about, e.g. "notice:12"; delivery knows nothing more of cases.
    about = models.CharField(max_length=100, db_index=True)
    organisation_id = models.BigIntegerField(null=True, db_index=True)
    # The platform addressed, when it is one: webhooks are signed with its secret.
    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The reporter subscription addressed, when it is one: its webhooks are signed with its own
    # secret.
    subscription = models.ForeignKey(
        "Subscription", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # The relay sends a pending row once this time has come (backoff after a failure).
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # The lease: a worker owns the row until claimed_until; a crashed worker's lease expires.
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    # Claims since the last recorded attempt: each one is a worker that died mid-send. A row
    # that keeps killing workers is given up after HOTLINE_WORKER_MAX_CLAIMS.
    unfinished_claims = models.PositiveIntegerField(default=0)
    # Retries stop HOTLINE_DELIVERY_GIVE_UP_HOURS after this: queued, or retried by hand.
    retrying_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.status})"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    ok = models.BooleanField()
    detail = models.TextField(blank=True)
    # The receiver's own answer (SMTP reply and Message-ID, or HTTP status and body digest).
    proof = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"attempt on {self.delivery_id}: {'ok' if self.ok else self.detail}"


class WebhookSecret(models.Model):
    """A platform's webhook signing secret; the previous one keeps signing until retired_at."""

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="+")
    # An HMAC key must be readable to sign with, unlike a password: so it is encrypted under
    # HOTLINE_ENCRYPTION_KEY, which is not in the database (hotline.core.encryption).
    secret = EncryptedTextField()
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform"],
                condition=models.Q(retired_at=None),
                name="one_active_webhook_secret",
            )
        ]

    def __str__(self) -> str:
        return f"webhook secret {self.pk} of platform {self.platform_id}"


class Subscription(models.Model):
    """How a reporting organisation (user empty) or one of its people wants to be told of news.

    Every news row of the organisation goes to each of its subscriptions: at once by email
    and/or signed webhook (`immediate`), and/or once a day as a digest by email (`digest`).
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=8, default="en")
    webhook_url = models.URLField(blank=True)
    # Signs this subscription's webhooks like a platform's (delivery.signing); encrypted at rest.
    webhook_secret = EncryptedTextField(blank=True)
    immediate = models.BooleanField(default=True)
    digest = models.BooleanField(default=False)
    # News up to this time has been put in a digest; the next one starts after it.
    digest_sent_through = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(user=None),
                name="one_organisation_subscription",
            ),
            models.UniqueConstraint(fields=["organisation", "user"], name="one_user_subscription"),
        ]

    def __str__(self) -> str:
        who = f"user {self.user_id}" if self.user_id else "organisation"
        return f"subscription {self.pk} of {who} in {self.organisation_id}"
