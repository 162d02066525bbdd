"""Read-only admin for the outbox."""

from django.contrib import admin

from hotline.core.admin import ReadOnlyAdmin
from hotline.delivery.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("kind", "recipient", "subject", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind", "channel")
