"""App configuration for the demo."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "hotline.demo"
    label = "demo"
