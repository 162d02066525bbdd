"""App configuration for compliance reporting."""

from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "hotline.compliance"
    label = "compliance"
