"""One row per received email: stored before it is acknowledged, then processed."""

from django.db import models


class InboundStatus(models.TextChoices):
    RECEIVED = "received", "Received, not processed yet"
    PROCESSED = "processed", "Processed"
    QUARANTINED = "quarantined", "Quarantined for a person to look at"
    IGNORED = "ignored", "Recorded and ignored (auto-reply or bounce)"
    FAILED = "failed", "Processing failed; will be retried"


class InboundKind(models.TextChoices):
    UNKNOWN = "unknown", "Not classified yet"
    REQUEST = "request", "New takedown request"
    REPLY = "reply", "Platform reply to a notice"
    AUTO_REPLY = "auto_reply", "Automatic reply"
    BOUNCE = "bounce", "Bounce (delivery status notification)"
    OTHER = "other", "Other"


class InboundMessage(models.Model):
    received_at = models.DateTimeField(db_index=True)
    source = models.CharField(max_length=10)  # "smtp" or "imap"
    # Where an IMAP message came from (host, user, folder, UIDVALIDITY, UID): fetched once.
    # NULL for SMTP, so those never collide on the constraint.
    source_key = models.CharField(max_length=300, null=True, blank=True, unique=True)
    peer = models.CharField(max_length=100, blank=True)
    envelope_from = models.CharField(max_length=320, blank=True)
    envelope_to = models.JSONField(default=list)
    message_id = models.CharField(max_length=998, blank=True, db_index=True)
    from_address = models.CharField(max_length=320, blank=True, db_index=True)
    subject = models.TextField(blank=True)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # The message with every attachment's bytes replaced by a note of its name, type, size
    # and hashes: media bytes are never stored (see attachments for what was kept).
    redacted = models.BinaryField()
    attachments = models.JSONField(default=list)
    # DKIM (verified here), SPF and Authentication-Results (as recorded by upstream servers).
    authentication = models.JSONField(default=dict)
    status = models.CharField(
        max_length=12, choices=InboundStatus.choices, default=InboundStatus.RECEIVED, db_index=True
    )
    kind = models.CharField(max_length=12, choices=InboundKind.choices, default=InboundKind.UNKNOWN)
    reason = models.TextField(blank=True)
    outcome = models.JSONField(default=dict)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"inbound {self.pk} from {self.from_address or '?'} ({self.status})"
