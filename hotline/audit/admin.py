"""Read-only admin for the audit record."""

from django.contrib import admin

from hotline.audit.models import Event
from hotline.core.admin import ReadOnlyAdmin


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "created_at", "tag", "actor", "subject", "hash")
    list_filter = ("tag",)
    search_fields = ("subject", "tag")
