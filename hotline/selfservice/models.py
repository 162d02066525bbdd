"""A case she follows herself: the request it is, and the hash of the PIN shown to her once."""

from django.db import models

from hotline.cases.models import TakedownRequest


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
