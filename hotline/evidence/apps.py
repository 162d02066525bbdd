"""App configuration for evidence packages."""

from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "hotline.evidence"
    label = "evidence"
