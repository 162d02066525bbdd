"""App configuration for the takedown workflow."""

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "hotline.cases"
    label = "cases"

    def ready(self) -> None:
        from hotline.cases.receivers import reroute_when_routing_changed
        from hotline.platforms.signals import routing_changed

        routing_changed.connect(reroute_when_routing_changed, dispatch_uid="cases-reroute")
