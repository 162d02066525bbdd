"""App configuration for delivery."""

from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "hotline.delivery"
    label = "delivery"
