"""Read-only admin for accounts, people and authenticators: changes go through `hotline user`,
`hotline token`, `hotline org` and `hotline totp`, which are audited.

Django's and django-otp's own admins for users, groups and devices can edit (and show a TOTP
secret as a QR code), so they are replaced here by ones that show no secret at all.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from hotline.accounts.models import (
    ApiToken,
    Authenticator,
    LoginAttempt,
    Membership,
    Organisation,
)
from hotline.core.admin import ReadOnlyAdmin

for model in (get_user_model(), Group, TOTPDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(get_user_model())
class PersonAdmin(ReadOnlyAdmin, UserAdmin):  # type: ignore[type-arg]
    """No password hash and no password form: `hotline user` disables, enables, changes roles."""

    fieldsets = (
        (None, {"fields": ("username", "email", "first_name", "last_name")}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser", "last_login")}),
        ("Dates", {"fields": ("date_joined",)}),
    )


@admin.register(Group)
class ReadOnlyGroupAdmin(ReadOnlyAdmin, GroupAdmin):
    pass


@admin.register(Authenticator, TOTPDevice)
class AuthenticatorAdmin(ReadOnlyAdmin):
    """Which person has an authenticator, never its secret."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count")


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


@admin.register(LoginAttempt)
class LoginAttemptAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "username", "stage", "succeeded", "remote_addr")
    list_filter = ("stage", "succeeded")
    search_fields = ("username", "remote_addr")
