"""App configuration for hash banks."""

from django.apps import AppConfig


class BanksConfig(AppConfig):
    name = "hotline.banks"
    label = "banks"
