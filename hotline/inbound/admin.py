"""Read-only admin for inbound email and its quarantine."""

import json

from django.contrib import admin
from django.utils.html import format_html

from hotline.core.admin import ReadOnlyAdmin
from hotline.inbound.models import InboundMessage


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ("pk", "received_at", "status", "kind", "from_address", "subject", "reason")
    list_filter = ("status", "kind", "source")
    search_fields = ("from_address", "subject", "message_id")
    exclude = ("redacted",)
    readonly_fields = ("checks",)

    @admin.display(description="SPF / DKIM / DMARC")
    def checks(self, obj: InboundMessage) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.authentication, indent=2))
