"""App configuration for the shared kernel."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hotline.core"
    label = "core"

    def ready(self) -> None:
        from hotline.core.logs import stamp_records_with_request_id

        stamp_records_with_request_id()
