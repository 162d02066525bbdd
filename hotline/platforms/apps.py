"""App configuration for the platform directory."""

from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "hotline.platforms"
    label = "platforms"
