"""Django app configuration for inbound email."""

from django.apps import AppConfig


class InboundConfig(AppConfig):
    name = "hotline.inbound"
    label = "inbound"
    verbose_name = "Inbound email"
