"""Read-only admin for accounts: changes go through services and commands."""

from django.contrib import admin

from hotline.accounts.models import ApiToken, Membership, Organisation
from hotline.core.admin import ReadOnlyAdmin


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "jurisdiction", "contact_email", "created_at")
    list_filter = ("kind", "jurisdiction")
    search_fields = ("name",)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "name", "membership", "created_at", "last_used_at", "revoked_at")
    exclude = ("digest",)
