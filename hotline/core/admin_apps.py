"""Django's admin app with hotline's read-only, second-factor site as `admin.site`."""

from django.contrib.admin.apps import AdminConfig


class HotlineAdminConfig(AdminConfig):
    default_site = "hotline.core.admin.HotlineAdminSite"
