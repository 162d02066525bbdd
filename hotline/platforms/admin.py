"""Read-only admin for the platform directory."""

from django.contrib import admin

from hotline.core.admin import ReadOnlyAdmin
from hotline.platforms.models import DeadlinePolicy, Platform, PlatformHost


class HostInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PlatformHost
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Platform)
class PlatformAdmin(ReadOnlyAdmin):
    list_display = ("name", "channel", "hotline_email", "official_name", "official_email")
    inlines = [HostInline]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(ReadOnlyAdmin):
    list_display = (
        "platform",
        "jurisdiction",
        "hours",
        "urgent_hours",
        "legal_basis",
        "clock_pauses_for_info",
    )
