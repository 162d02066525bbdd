"""The admin is a read-only window on the data; every change goes through a service.

`HotlineAdminSite` is django-otp's OTPAdminSite: only an active staff member whose session was
verified with an authenticator gets in. It has no sign-in form of its own: /admin/login/ sends
people to the web sign-in (password, one-time code, the same lockout). Every model registered
on it, by hotline or by Django and django-otp, is made read-only at registration, and the
admin's own password change is switched off.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Field, Model, URLField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.admin import OTPAdminSite
from django_otp.middleware import is_verified

ModelAdminClass = type[admin.ModelAdmin]  # type: ignore[type-arg]


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def formfield_for_dbfield(self, db_field: Field, request: HttpRequest, **kwargs: Any) -> Any:  # type: ignore[type-arg]
        # The read-only page still builds a form to list the fields; say how URLs are read so
        # Django 5.2 does not warn about its coming default (https) on every page view.
        if isinstance(db_field, URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def read_only(admin_class: ModelAdminClass) -> ModelAdminClass:
    """The same admin with every write refused (ReadOnlyAdmin's answers come first)."""
    if issubclass(admin_class, ReadOnlyAdmin):
        return admin_class
    return type(f"ReadOnly{admin_class.__name__}", (ReadOnlyAdmin, admin_class), {})


class HotlineAdminSite(OTPAdminSite):  # type: ignore[misc]
    site_header = "hotline (read-only)"
    site_title = "hotline admin"
    index_title = "Read-only: changes go through `hotline` commands, and are audited"

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    def register(
        self,
        model_or_iterable: type[Model] | list[type[Model]],
        admin_class: ModelAdminClass | None = None,
        **options: Any,
    ) -> None:
        super().register(model_or_iterable, read_only(admin_class or admin.ModelAdmin), **options)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """Signed in elsewhere but not allowed here: 403. Otherwise: the web sign-in."""
        if self.has_permission(request):
            return redirect(reverse("admin:index", current_app=self.name))
        if request.user.is_authenticated and is_verified(request.user):
            raise PermissionDenied("the admin is for staff")
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect(f"{reverse('web:login')}?{urlencode({'next': target})}")

    def password_change(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        raise PermissionDenied("the admin changes nothing, passwords included")

    def password_change_done(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        raise PermissionDenied("the admin changes nothing, passwords included")
