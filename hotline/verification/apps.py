"""App configuration for verification."""

from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "hotline.verification"
    label = "verification"
