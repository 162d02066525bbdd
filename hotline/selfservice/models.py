"""A case she follows herself: the request it is, and the hash of the PIN shown to her once."""

from django.db import models

from hotline.accounts.models import Organisation
from hotline.cases.models import Item, TakedownRequest

# The built-in organisation whose requests the /self/ page files (services.self_service_actor).
SELF_SERVICE_SLUG = "self-service"


class SelfCase(models.Model):
    request = models.OneToOneField(
        TakedownRequest, on_delete=models.PROTECT, related_name="self_case"
    )
    # Django's password hasher (PBKDF2, salted): a database leak does not leak PINs.
    pin_hash = models.CharField(max_length=128)
    pin_issued_at = models.DateTimeField()
    # Who handed her the number: "self" (the /self/ page) or the support centre's label.
    issued_by = models.CharField(max_length=200)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"self-service case {self.request.case_id}"


class Review(models.TextChoices):
    WAITING = "waiting"
    APPROVED = "approved"
    DECLINED = "declined"


class HeldUrl(models.Model):
    """A URL she filed, held back from platforms until a support centre or the regulator
    reviews it: without an account anyone could otherwise send platforms notices."""

    item = models.OneToOneField(Item, on_delete=models.PROTECT, related_name="held_url")
    review = models.CharField(max_length=10, choices=Review.choices, default=Review.WAITING)
    reviewed_by = models.CharField(max_length=200, blank=True)  # the reviewer's actor label
    reviewer_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)  # why it was declined; shown to her

    class Meta:
        indexes = [models.Index(fields=["review", "id"])]

    def __str__(self) -> str:
        return f"held URL of item {self.item_id}: {self.review}"


class Attempt(models.Model):
    """One anonymous submission or case opening, for the per-address hourly limit. The
    address is kept only as a keyed hash, and rows older than the window are deleted."""

    address_key = models.CharField(max_length=64)
    kind = models.CharField(max_length=20)  # "submit", "open", or "<kind>:refused"
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["address_key", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} at {self.created_at:%H:%M}"
