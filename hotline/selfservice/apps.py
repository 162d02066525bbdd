"""App configuration for victims' self-service."""

from django.apps import AppConfig


class SelfServiceConfig(AppConfig):
    name = "hotline.selfservice"
    label = "selfservice"
