"""App configuration for the audit record."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "hotline.audit"
    label = "audit"
