"""Read-only admin for the outbox; webhook secrets are never shown here."""

from django.contrib import admin

from hotline.core.admin import ReadOnlyAdmin
from hotline.delivery.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "kind",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "kind", "channel")
