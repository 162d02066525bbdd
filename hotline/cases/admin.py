"""Read-only admin for the workflow: inspection only; every change goes through a service."""

from django.contrib import admin

from hotline.cases.models import Item, ItemCheck, Message, Notice, TakedownRequest
from hotline.core.admin import ReadOnlyAdmin


@admin.register(TakedownRequest)
class TakedownRequestAdmin(ReadOnlyAdmin):
    list_display = ("case_id", "organisation", "category", "urgent", "jurisdiction", "created_at")
    list_filter = ("urgent", "category", "jurisdiction")
    search_fields = ("case_id", "client_reference")


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "request",
        "platform",
        "urgent",
        "deadline_at",
        "acknowledged_at",
        "escalated_at",
        "closed_at",
    )
    list_filter = ("platform", "urgent")


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ("pk", "request", "position", "normalised_url", "platform", "state")
    list_filter = ("state", "platform")
    search_fields = ("normalised_url",)


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("pk", "notice", "kind", "author", "created_at")


@admin.register(ItemCheck)
class ItemCheckAdmin(ReadOnlyAdmin):
    list_display = ("item", "checked_at", "http_status", "verdict", "reason")
    list_filter = ("verdict",)
