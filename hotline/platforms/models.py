"""Platforms, the hosts that route to them, and their deadline policies."""

from django.db import models

from hotline.accounts.models import Organisation


class ChannelKind(models.TextChoices):
    RECORDING = "recording", "Recording (development and tests)"
    EMAIL = "email", "Email to the hotline address"
    WEBHOOK = "webhook", "Signed webhook"
    PULL = "pull", "Pull API only"


class Platform(models.Model):
    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="platform"
    )
    name = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=20, choices=ChannelKind.choices, default="email")
    hotline_email = models.EmailField(blank=True)
    webhook_url = models.URLField(blank=True)
    # The designated content-management official for child safety: receives escalations.
    official_name = models.CharField(max_length=200, blank=True)
    official_email = models.EmailField(blank=True)
    # Language for notices, e.g. "ko" or "en"; time zone for deadlines shown to the platform.
    language = models.CharField(max_length=8, default="en")
    time_zone = models.CharField(max_length=64, default="UTC")
    # How long a notice's signed action link and reply address stay valid past its deadline
    # (or past the message that carried them, once overdue): docs/decisions/0006.
    link_validity_days = models.PositiveIntegerField(default=30)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class PlatformHost(models.Model):
    """A canonical host (see platforms.urls) that routes to a platform; subdomains follow it."""

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="hosts")
    host = models.CharField(max_length=253, unique=True)

    def __str__(self) -> str:
        return self.host


class DeadlinePolicy(models.Model):
    """How long a platform has to act, per jurisdiction of the requester: data, never code."""

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="deadline_policies"
    )
    jurisdiction = models.CharField(max_length=2)
    hours = models.PositiveIntegerField()
    urgent_hours = models.PositiveIntegerField()
    legal_basis = models.CharField(max_length=200, blank=True)
    # Whether the platform's clock stops while an item waits for the reporter's answer to the
    # platform's needs_info question (item state info_requested). The law decides; so it is data.
    clock_pauses_for_info = models.BooleanField(default=False)
    # Hours after which a reporter's unanswered question to the platform is sent again as a
    # reminder (once); empty: no reminder. Unanswered questions go with the deadline escalation.
    question_reminder_hours = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "jurisdiction"], name="one_policy_per_jurisdiction"
            ),
            models.CheckConstraint(
                condition=models.Q(urgent_hours__lte=models.F("hours")),
                name="urgent_not_longer_than_normal",
            ),
        ]

    def __str__(self) -> str:
        pauses = ", paused while waiting for information" if self.clock_pauses_for_info else ""
        return (
            f"{self.platform}: {self.jurisdiction} {self.hours}h (urgent {self.urgent_hours}h)"
            f"{pauses}"
        )
